package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSourceList(t *testing.T) {
	t.Setenv("FOLIO_TEST_INTRANET_TOKEN", "Bearer s3cret")
	c := IndexConfig{Sources: []string{
		"testdata/my articles",
		"https://intranet.example/news/feed.xml fetch_pages poll_interval=5m header=Authorization:${FOLIO_TEST_INTRANET_TOKEN}",
		"https://intranet.example/sitemap.xml  header=X-Api-Key:literal-key fetch_pages=false",
	}}
	want := []Source{
		{Path: "testdata/my articles"},
		{Path: "https://intranet.example/news/feed.xml", FetchPages: true, PollInterval: 5 * time.Minute, Headers: map[string]string{"Authorization": "Bearer s3cret"}},
		{Path: "https://intranet.example/sitemap.xml", Headers: map[string]string{"X-Api-Key": "literal-key"}},
	}
	if diff := cmp.Diff(want, c.SourceList()); diff != "" {
		t.Errorf("SourceList (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"testdata/my articles", "https://intranet.example/news/feed.xml", "https://intranet.example/sitemap.xml"}, c.SourcePaths()); diff != "" {
		t.Errorf("SourcePaths (-want +got):\n%s", diff)
	}
	red := strings.Join(c.RedactedSources(), "\n")
	if strings.Contains(red, "literal-key") || !strings.Contains(red, "header=X-Api-Key:<redacted>") || !strings.Contains(red, "${FOLIO_TEST_INTRANET_TOKEN}") {
		t.Errorf("RedactedSources:\n%s", red)
	}
}

func TestValidateSources(t *testing.T) {
	c := Default()
	c.Index.Sources = []string{
		"https://intranet.example/feed.xml fetch_page",
		"https://intranet.example/a poll_interval=soon",
		"https://intranet.example/b header=Authorization",
		"https://intranet.example/c header=Authorization:$FOLIO_TEST_UNSET_VARIABLE",
		"https://user:pw@intranet.example/d",
		" ",
	}
	c.Index.PollInterval = 0
	c.Index.Crawl.Concurrency = 0
	c.Index.Crawl.MaxBytes = 10
	want := `index.sources[0]: unknown option "fetch_page" after the URL (accepted: fetch_pages, poll_interval=DURATION, header=NAME:VALUE (VALUE $VAR or ${VAR} reads the environment variable VAR), groups=NAME,NAME)` + "\n" +
		`index.sources[1]: poll_interval="soon": expected a duration of 1s or more, such as 5m` + "\n" +
		`index.sources[2]: header option "header=Authorization": expected header=NAME:VALUE, such as header=Authorization:${INTRANET_TOKEN}` + "\n" +
		`index.sources[3]: header Authorization: environment variable "FOLIO_TEST_UNSET_VARIABLE" is not set (expected it to hold the header's value)` + "\n" +
		`index.sources[4]: "https://user:xxxxx@intranet.example/d" is not a URL such as https://intranet.example/news/feed.xml (credentials go in a header option, not the URL)` + "\n" +
		"index.sources[5] must not be empty\n" +
		"index.poll_interval must be a duration of 1s or more, such as 15m, got 0s\n" +
		"index.crawl.concurrency must be between 1 and 64, got 0\n" +
		"index.crawl.max_bytes must be >= 1024, got 10"
	err := c.Validate()
	got := ""
	if err != nil {
		got = err.Error()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validate (-want +got):\n%s", diff)
	}
}

func TestLoadCrawlKeys(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "folio.yaml", "index:\n  poll_interval: 2m\n  crawl:\n    concurrency: 3\n    rate: 0.5\n  sources:\n    - https://intranet.example/feed.xml fetch_pages\n")
	t.Setenv("FOLIO_INDEX_CRAWL_TIMEOUT", "5s")
	c, err := Load(LoadOptions{File: path})
	if err != nil {
		t.Fatal(err)
	}
	want := CrawlConfig{Concurrency: 3, Rate: 0.5, Timeout: 5 * time.Second, MaxBytes: 10 << 20, Retries: 2, MaxURLs: 50000}
	if diff := cmp.Diff(want, c.Index.Crawl); diff != "" || c.Index.PollInterval != 2*time.Minute {
		t.Errorf("index.crawl (-want +got):\n%s\npoll interval %s", diff, c.Index.PollInterval)
	}
	if s := c.Index.SourceList(); len(s) != 1 || !s[0].FetchPages {
		t.Errorf("sources %+v", s)
	}
}

func TestSourceGroups(t *testing.T) {
	c := IndexConfig{Sources: []string{
		"/srv/hr groups=HR,finance",
		"/srv/hr/public notes groups=",
		"/srv/all",
		"https://intranet.example/feed.xml fetch_pages groups=eng groups=ops,eng",
	}}
	want := []Source{
		{Path: "/srv/hr", Groups: []string{"hr", "finance"}},
		{Path: "/srv/hr/public notes", Groups: []string{}},
		{Path: "/srv/all"},
		{Path: "https://intranet.example/feed.xml", FetchPages: true, Groups: []string{"eng", "ops"}},
	}
	if diff := cmp.Diff(want, c.SourceList()); diff != "" {
		t.Errorf("SourceList (-want +got):\n%s", diff)
	}
	wantGroups := map[string][]string{"/srv/hr": {"hr", "finance"}, "/srv/hr/public notes": {}, "https://intranet.example/feed.xml": {"eng", "ops"}}
	if diff := cmp.Diff(wantGroups, c.SourceGroups()); diff != "" {
		t.Errorf("SourceGroups (-want +got):\n%s", diff)
	}
}

func TestValidateSourceGroups(t *testing.T) {
	c := Default()
	c.Index.Sources = []string{
		"/srv/hr groups=hr,fin!ance",
		"https://intranet.example/feed.xml groups",
		"/srv/a groups=hr,,eng",
		"/srv/b groups=" + strings.Repeat("g", 65),
	}
	want := `index.sources[0].groups: group name "fin!ance" has the character '!' (expected up to 64 names of letters a-z, digits, '.', '_' and '-', at most 64 bytes (names are lower-cased))` + "\n" +
		`index.sources[1].groups: "groups" needs a value: groups=NAME,NAME (groups= alone for public articles)` + "\n" +
		`index.sources[2].groups: "hr,,eng" has an empty group name (expected NAME,NAME,... of letters a-z, digits, '.', '_' and '-', at most 64 bytes (names are lower-cased))` + "\n" +
		`index.sources[3].groups: group name "gggggggggggggggggggggggggggggggggggggggg…" is 65 bytes, more than the 64 allowed (expected up to 64 names of letters a-z, digits, '.', '_' and '-', at most 64 bytes (names are lower-cased))`
	got := ""
	if err := c.Validate(); err != nil {
		got = err.Error()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validate (-want +got):\n%s", diff)
	}
}

// TestLoadSourceMaps: entries of index.sources written as maps in YAML
// ({path, groups}) load beside string entries, and their problems name
// the file, the entry and the key.
func TestLoadSourceMaps(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "folio.yaml", `index:
  sources:
    - testdata/articles
    - {path: /srv/hr, groups: [hr, Finance]}
    - path: /srv/hr/open
      groups: []
    - {path: "https://intranet.example/feed.xml", fetch_pages: true, poll_interval: 5m, groups: eng}
`)
	c, err := Load(LoadOptions{File: path})
	if err != nil {
		t.Fatal(err)
	}
	want := []Source{
		{Path: "testdata/articles"},
		{Path: "/srv/hr", Groups: []string{"hr", "finance"}},
		{Path: "/srv/hr/open", Groups: []string{}},
		{Path: "https://intranet.example/feed.xml", FetchPages: true, PollInterval: 5 * time.Minute, Groups: []string{"eng"}},
	}
	if diff := cmp.Diff(want, c.Index.SourceList()); diff != "" {
		t.Errorf("SourceList (-want +got):\n%s", diff)
	}

	for _, tc := range []struct{ name, entry, want string }{
		{"bad group", "{path: /srv/hr, groups: [hr, \"fin ance\"]}", `index.sources[1].groups: group name "fin ance" has the character ' ' (expected up to 64 names of letters a-z, digits, '.', '_' and '-', at most 64 bytes (names are lower-cased); [] for public articles)`},
		{"groups not a list", "{path: /srv/hr, groups: {a: b}}", `index.sources[1].groups: expected a list of group names, got map[a:b]`},
		{"unknown key", "{path: /srv/hr, grups: [hr]}", `index.sources[1]: unknown key "grups" (accepted: path, groups, and for a URL fetch_pages, poll_interval, header)`},
		{"no path", "{groups: [hr]}", `index.sources[1]: no path (expected {path: FILE, FOLDER or URL, groups: [NAME, ...]})`},
		{"URL option on a folder", "{path: /srv/hr, fetch_pages: true}", `index.sources[1]: "/srv/hr" is a file or folder: only groups apply (fetch_pages, poll_interval and header are options of URL sources)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "folio.yaml", "index:\n  sources:\n    - testdata/articles\n    - "+tc.entry+"\n")
			_, err := Load(LoadOptions{File: path})
			if err == nil || err.Error() != path+": "+tc.want {
				t.Errorf("error\n got %v\nwant %s: %s", err, path, tc.want)
			}
		})
	}
}
