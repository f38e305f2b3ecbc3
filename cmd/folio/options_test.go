package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/config"
	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server"
)

func TestIndexOptions(t *testing.T) {
	c := config.Default()
	c.Index.Timezone = "Europe/Paris"
	c.Index.DateLayouts = []string{"01/02/2006"}
	opts, err := indexOptions(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := opts.Dates.Location().String(); got != "Europe/Paris" {
		t.Errorf("Dates.Location() = %q, want Europe/Paris", got)
	}
	d, err := opts.Dates.Parse("12/04/2024")
	if err != nil || d.Month() != time.December || d.Day() != 4 {
		t.Errorf("Dates.Parse(12/04/2024) = %v, %v; want 4 December (layout 01/02/2006)", d, err)
	}
	opts.Dates = nil
	want := struct {
		Path, Language                 string
		TitleBoost                     float64
		FragmentSize, Default, Max, BS int
		Timeout                        time.Duration
	}{"data/folio.bleve", "en", 0.6, 200, 10, 100, 3000, 5 * time.Second}
	got := want
	got.Path, got.Language, got.TitleBoost = opts.Path, opts.Language, opts.TitleBoost
	got.FragmentSize, got.Default, got.Max, got.BS = opts.FragmentSize, opts.DefaultSize, opts.MaxSize, opts.BatchSize
	got.Timeout = opts.Timeout
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("indexOptions mismatch (-want +got):\n%s", diff)
	}

	c.Index.Timezone = "Nowhere/Town"
	if _, err := indexOptions(c); err == nil {
		t.Error("indexOptions with an unknown time zone succeeded")
	}
}

func TestIndexOptionsSynonymsFile(t *testing.T) {
	c := config.Default()
	c.Search.SynonymsFile = "../../testdata/synonyms/synonyms.txt"
	opts, err := indexOptions(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.Synonyms) != 2 || opts.Synonyms[0][0] != "Kampuchea" {
		t.Errorf("Synonyms = %q", opts.Synonyms)
	}
	bad := filepath.Join(t.TempDir(), "syn.txt")
	if err := os.WriteFile(bad, []byte("a, b\nalone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Search.SynonymsFile = bad
	if _, err := indexOptions(c); err == nil || !strings.Contains(err.Error(), "search.synonyms_file: "+bad+":2: ") {
		t.Errorf("bad file: %v, want search.synonyms_file: %s:2: ...", err, bad)
	}
}

// TestDefaultOptionsAgree: converting config.Default() gives the packages'
// own defaults field by field, so config.Default (the product's defaults)
// and index.DefaultOptions / server.DefaultOptions (the libraries') cannot
// drift apart. Only the fields listed, each with its reason, may differ.
func TestDefaultOptionsAgree(t *testing.T) {
	cfg := config.Default()
	ixOpts, err := indexOptions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	compareFields(t, "index.Options", ixOpts, index.DefaultOptions(cfg.Index.Path), map[string]string{
		"Shards":        "index.shards 0 means by the size of the inputs (cmd resolves it with index.ShardsFor)",
		"Writers":       "not a configuration key: zero takes the package default",
		"LockTimeout":   "not a configuration key: zero takes the package default",
		"KeywordFields": "the product's default corpus fields (Reuters' topics, places); a library index has none",
		"Web":           "compared field by field below",
	})
	compareFields(t, "index.WebOptions", ixOpts.Web, index.DefaultWebOptions(), map[string]string{
		"UserAgent": "names the binary's version",
	})
	compareFields(t, "server.Options", serverOptions(cfg), server.DefaultOptions(), map[string]string{
		"Sources":       "the product's default inputs (index.sources); a library server has none",
		"KeywordFields": "the product's default corpus fields (Reuters' topics, places); a library index has none",
	})
}

// compareFields reports every field of got that differs from want, except
// those in differ; empty and nil slices are equal.
func compareFields[T any](t *testing.T, name string, got, want T, differ map[string]string) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	seen := map[string]bool{}
	for i := range g.NumField() {
		f := g.Type().Field(i).Name
		seen[f] = true
		if _, ok := differ[f]; ok {
			continue
		}
		gf, wf := g.Field(i), w.Field(i)
		if gf.Kind() == reflect.Slice && gf.Len() == 0 && wf.Len() == 0 {
			continue
		}
		if !reflect.DeepEqual(gf.Interface(), wf.Interface()) {
			t.Errorf("%s.%s: config.Default converts to %v, the package default is %v", name, f, gf.Interface(), wf.Interface())
		}
	}
	for f := range differ {
		if !seen[f] {
			t.Errorf("%s has no field %s (stale exception)", name, f)
		}
	}
}

// TestWebOptions: index.crawl and the options of the URL entries of
// index.sources reach index.WebOptions; retries 0 means none.
func TestWebOptions(t *testing.T) {
	t.Setenv("FOLIO_TEST_WEB_TOKEN", "Bearer t0ken")
	c := config.Default().Index
	c.Sources = []string{"testdata/articles", "https://intranet.example/feed.xml fetch_pages header=Authorization:${FOLIO_TEST_WEB_TOKEN}", "https://intranet.example/page"}
	c.Crawl = config.CrawlConfig{Concurrency: 3, Rate: 0.5, Timeout: 7 * time.Second, MaxBytes: 4096, Retries: 0, MaxURLs: 10}
	w := webOptions(c)
	want := index.WebOptions{UserAgent: "Folio/" + version + " (+https://github.com/folio-search/folio)", Concurrency: 3, Rate: 0.5,
		Timeout: 7 * time.Second, MaxBytes: 4096, Retries: -1, Backoff: time.Second, MaxURLs: 10,
		Sources: map[string]index.URLSource{"https://intranet.example/feed.xml": {FetchPages: true, Headers: map[string]string{"Authorization": "Bearer t0ken"}}}}
	if !reflect.DeepEqual(want, w) {
		t.Errorf("webOptions = %+v\nwant %+v", w, want)
	}
}

// TestSourceGroupsOption: the groups of index.sources entries (string and
// map forms alike) reach index.Options.SourceGroups by path or URL.
func TestSourceGroupsOption(t *testing.T) {
	c := config.Default()
	c.Index.Sources = []string{"testdata/articles", "/srv/hr groups=hr,finance", "/srv/hr/open groups=", "https://intranet.example/feed.xml fetch_pages groups=eng"}
	o, err := indexOptions(c)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"/srv/hr": {"hr", "finance"}, "/srv/hr/open": {}, "https://intranet.example/feed.xml": {"eng"}}
	if !reflect.DeepEqual(want, o.SourceGroups) {
		t.Errorf("SourceGroups = %#v, want %#v", o.SourceGroups, want)
	}
}
