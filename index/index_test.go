package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/folio-search/folio/index/article"
	"github.com/google/go-cmp/cmp"
)

const testArticles = "../testdata/articles"

var shared struct {
	once sync.Once
	ix   *Index
	err  error
	dir  string
}

// builtIndex creates an index with opts (at a temporary path when
// opts.Path is empty) and ingests testdata/articles; it is closed when the
// test ends.
func builtIndex(t *testing.T, opts Options) *Index {
	t.Helper()
	return builtIndexFrom(t, opts, testArticles)
}

// builtIndexFrom is builtIndex ingesting paths instead of testdata/articles.
func builtIndexFrom(t *testing.T, opts Options, paths ...string) *Index {
	t.Helper()
	if opts.Path == "" {
		opts.Path = filepath.Join(t.TempDir(), "idx")
	}
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Ingest(context.Background(), paths, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	return ix
}

// testSynonyms are the synonym groups of testdata/synonyms/synonyms.txt.
func testSynonyms(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("../testdata/synonyms/synonyms.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	groups, err := article.ReadSynonyms(f, "synonyms.txt")
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

// testIndex is one index built from testdata/articles, shared by the read-only tests.
func testIndex(t *testing.T) *Index {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "folio-index-test-")
		if shared.err != nil {
			return
		}
		shared.ix, shared.err = Create(DefaultOptions(filepath.Join(shared.dir, "idx")))
		if shared.err != nil {
			return
		}
		_, shared.err = shared.ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.ix
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.ix != nil {
		shared.ix.Close()
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func mustSearch(t *testing.T, ix *Index, q Query) *Result {
	t.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func ids(res *Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func TestIngestTwiceKeepsCount(t *testing.T) {
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	n := countFiles(t, testArticles)
	first, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if first.Indexed != n || first.Updated != 0 || first.Skipped != 0 || first.Files != n {
		t.Errorf("first run: %+v, want %d indexed", first, n)
	}
	second, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if second.Indexed != 0 || second.Updated != n {
		t.Errorf("second run: %+v, want 0 indexed, %d updated", second, n)
	}
	if c, _ := ix.Count(); c != uint64(n) {
		t.Errorf("count after two runs = %d, want %d", c, n)
	}
}

func TestIngestBadInputIsReportedAndSkipped(t *testing.T) {
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var problems []string
	var last Progress
	sum, err := ix.Ingest(context.Background(), []string{"../testdata/bad", "../testdata/does-not-exist"}, IngestOptions{
		Problem:  func(e *article.InputError) { problems = append(problems, e.Error()) },
		Progress: func(p Progress) { last = p },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"../testdata/does-not-exist: cannot read: no such file or directory",
		`../testdata/bad/ambiguous-date.txt:2: ambiguous date "01/02/2024": day and month order is unknown (use 2024-12-04, or configure index.date_layouts such as 01/02/2006)`,
		`../testdata/bad/missing-title.txt:1: missing or empty Title header (a "Title: …" header before the first blank line)`,
		"../testdata/bad/mixed.jsonl:2: invalid JSON: invalid character 'o' looking for beginning of value (one JSON object)",
		`../testdata/bad/mixed.jsonl:4: article "bad-2": unrecognised date "yesterday" (accepted: 2024-12-04, Dec 4, 2024, December 4, 2024, 4 Dec 2024, 4 December 2024, RFC 3339 (2024-12-04T10:00:00Z), RFC 1123 (Wed, 04 Dec 2024 10:00:00 GMT), 04-DEC-2024 10:00:00)`,
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if sum.Indexed != 2 || sum.Skipped != 5 {
		t.Errorf("summary %+v, want 2 indexed, 5 skipped", sum)
	}
	if diff := cmp.Diff(map[string]int{"bad date": 2, "missing title": 1, "invalid JSON": 1, "unreadable file": 1}, sum.SkippedByReason); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"topics"}, sum.IgnoredFields); diff != "" {
		t.Errorf("ignored (-want +got):\n%s", diff)
	}
	if !last.Done || last.Docs != 2 || last.FilesDone != 3 || last.BytesDone != last.Bytes {
		t.Errorf("final progress %+v", last)
	}
	for _, id := range []string{"good-1", "good-2"} {
		if _, err := ix.Article(context.Background(), id, AllArticles()); err != nil {
			t.Errorf("article %s: %v", id, err)
		}
	}
}

func TestIngestStrictStopsAtFirstProblem(t *testing.T) {
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	_, err = ix.Ingest(context.Background(), []string{"../testdata/bad"}, IngestOptions{Strict: true})
	var ie *article.InputError
	if !errors.As(err, &ie) || ie.Path != "../testdata/bad/ambiguous-date.txt" || ie.Line != 2 {
		t.Fatalf("strict error = %v, want the ambiguous date at line 2", err)
	}
}

func TestSearchDiamondHexagon(t *testing.T) {
	ix := testIndex(t)
	for _, q := range []string{`"Diamond Hexagon"`, `Diamond Hexagon`, `diamond hexagon`} {
		res := mustSearch(t, ix, Query{Text: q})
		if len(res.Hits) == 0 || res.Hits[0].ID != "ironclad-friendship-cambodia" {
			t.Fatalf("%s: hits %v, want ironclad-friendship-cambodia first", q, ids(res))
		}
		body := strings.Join(res.Hits[0].Highlights.Body, " ")
		if !strings.Contains(body, "enrich the <mark>Diamond</mark> <mark>Hexagon</mark> bilateral cooperation framework") {
			t.Errorf("%s: body snippet %q lacks the marked phrase", q, body)
		}
		if len(res.Hits[0].Highlights.Title) != 0 {
			t.Errorf("%s: title highlight %q, want none", q, res.Hits[0].Highlights.Title)
		}
	}
}

func TestSearchDateFilters(t *testing.T) {
	ix := testIndex(t)
	const id = "ironclad-friendship-cambodia"
	tests := []struct {
		from, to string
		want     bool
	}{
		{"2024-12-05", "", false},
		{"", "2024-12-04", true},
		{"", "2024-12-03", false},
		{"Dec 4, 2024", "Dec 4, 2024", true},
		{"2024-12-04T00:00:01Z", "", false},
		{"1987-01-01", "1987-12-31", false},
	}
	for _, tt := range tests {
		res := mustSearch(t, ix, Query{Text: `"Diamond Hexagon"`, From: tt.from, To: tt.to})
		got := len(res.Hits) > 0 && res.Hits[0].ID == id
		if got != tt.want || (!tt.want && res.Total != 0) {
			t.Errorf("from=%q to=%q: hits %v, want found=%v", tt.from, tt.to, ids(res), tt.want)
		}
	}
	// The filter does not score: the order of the remaining hits is unchanged.
	all := mustSearch(t, ix, Query{Text: "oil prices", Size: 100})
	var in1987 []string
	for _, h := range all.Hits {
		if h.Date.Year() == 1987 && h.Date.Month() == 3 {
			in1987 = append(in1987, h.ID)
		}
	}
	filtered := mustSearch(t, ix, Query{Text: "oil prices", From: "1987-03-01", To: "1987-03-31", Size: 100})
	if diff := cmp.Diff(in1987, ids(filtered)); diff != "" || len(in1987) < 3 {
		t.Errorf("date filter changed the order (-unfiltered +filtered):\n%s", diff)
	}
}

func TestAllWordsRankAboveSome(t *testing.T) {
	ix := testIndex(t)
	for _, q := range []string{"oil prices", "bank rate", "trade deficit", "china cambodia", "company shares"} {
		words := strings.Fields(q)
		and := mustSearch(t, ix, Query{Text: "+" + strings.Join(words, " +"), Size: 100})
		or := mustSearch(t, ix, Query{Text: q, Size: 100})
		if and.Total == 0 || or.Total <= and.Total {
			t.Fatalf("%q: and %d, or %d hits: not a useful case", q, and.Total, or.Total)
		}
		top := map[string]bool{}
		for _, id := range ids(or)[:len(and.Hits)] {
			top[id] = true
		}
		for _, id := range ids(and) {
			if !top[id] {
				t.Errorf("%q: %s has all the words but ranks below a document with only some: and=%v or=%v", q, id, ids(and), ids(or)[:len(and.Hits)])
				break
			}
		}
	}
}

func TestTitleMatchesWeighMore(t *testing.T) {
	dir := t.TempDir()
	filler := strings.Repeat("The committee met again and discussed several routine matters at length. ", 5)
	write := func(name, title, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("Title: "+title+"\nDate: 2024-01-01\n\n"+body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("in-title.txt", "Budget approved", filler+"It closed the session.")
	write("in-body.txt", "Session closed", filler+"It approved the budget.")
	write("other.txt", "Unrelated notice", filler)
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Ingest(context.Background(), []string{dir}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	res := mustSearch(t, ix, Query{Text: "budget"})
	if diff := cmp.Diff([]string{"in-title", "in-body"}, ids(res)); diff != "" {
		t.Errorf("budget (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"<mark>Budget</mark> approved"}, res.Hits[0].Highlights.Title); diff != "" {
		t.Errorf("title highlight (-want +got):\n%s", diff)
	}
}

var onlyMarks = regexp.MustCompile(`<[^>]*>`)

// checkOnlyMarks fails for every tag in a hit's snippets but <mark> and </mark>.
func checkOnlyMarks(t *testing.T, q string, res *Result) {
	t.Helper()
	for _, h := range res.Hits {
		for _, s := range append(h.Highlights.Title, h.Highlights.Body...) {
			for _, tag := range onlyMarks.FindAllString(s, -1) {
				if tag != "<mark>" && tag != "</mark>" {
					t.Errorf("%q: %s snippet has markup %q: %s", q, h.ID, tag, s)
				}
			}
		}
	}
}

// TestSnippetsAreEscaped: the security advisory's body holds HTML (a
// script, an image with an onerror handler, <b>), so it is indexed as its
// text: the script's content and the handler are not searchable, the text
// around them is, and every snippet is escaped text plus <mark>. Its title
// is no body and keeps its "<script>" as text, shown escaped.
func TestSnippetsAreEscaped(t *testing.T) {
	ix := testIndex(t)
	for _, q := range []string{"syndicated feed", "script", "renderers escape markup", "bold entities"} {
		res := mustSearch(t, ix, Query{Text: q})
		if len(res.Hits) == 0 || res.Hits[0].ID != "security-advisory-script-tags" {
			t.Fatalf("%q: hits %v", q, ids(res))
		}
		checkOnlyMarks(t, q, res)
	}
	for _, q := range []string{"alert", "onerror", "img"} {
		res := mustSearch(t, ix, Query{Text: q})
		if slices.Contains(ids(res), "security-advisory-script-tags") {
			t.Errorf("%q: markup of the body is searchable: hits %v", q, ids(res))
		}
	}
	res := mustSearch(t, ix, Query{Text: "script"})
	if title := strings.Join(res.Hits[0].Highlights.Title, " "); title != "Portal security advisory: &lt;<mark>script</mark>&gt; tags in syndicated feeds" {
		t.Errorf("title snippet %q should show the escaped <script> of the title", title)
	}
	res = mustSearch(t, ix, Query{Text: "bold"})
	if body := strings.Join(res.Hits[0].Highlights.Body, " "); !strings.Contains(body, "such as <mark>bold</mark> &amp; entities like &amp; before") {
		t.Errorf("body snippet %q should be the text of the HTML, & escaped", body)
	}
	a, err := ix.Article(context.Background(), "security-advisory-script-tags", AllArticles())
	if err != nil {
		t.Fatal(err)
	}
	if a.Body != "A syndicated feed delivered this body verbatim: and an image tag that must never run. Renderers must escape markup such as bold & entities like & before showing any snippet." ||
		a.Title != "Portal security advisory: <script> tags in syndicated feeds" {
		t.Errorf("stored article must be the body's text and the raw title: %+v", a)
	}
}

// TestPlainTextMarkupShownEscaped: a plain-text body (no HTML element in
// it) keeps its "<", ">", "&" and a literal "<mark>", which snippets show
// escaped; an HTML body's entities decode to text ("&lt;script&gt;" becomes
// the words "<script>"), shown escaped too, never as an element.
func TestPlainTextMarkupShownEscaped(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("Title: "+name+"\nDate: 2024-01-01\n\n"+body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("plain.txt", "Quorrel holds when a < b && b > c; write <mark>quorrel</mark> to fake a mark.")
	write("entities.txt", "<p>Vexillum pages show &lt;script&gt;vexillum()&lt;/script&gt; as words.</p>")
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Ingest(context.Background(), []string{dir}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ q, id, body string }{
		{"quorrel", "plain", "<mark>Quorrel</mark> holds when a &lt; b &amp;&amp; b &gt; c; write &lt;mark&gt;<mark>quorrel</mark>&lt;/mark&gt; to fake a mark."},
		{"vexillum", "entities", "<mark>Vexillum</mark> pages show &lt;script&gt;<mark>vexillum</mark>()&lt;/script&gt; as words."},
	} {
		res := mustSearch(t, ix, Query{Text: tc.q})
		if diff := cmp.Diff([]string{tc.id}, ids(res)); diff != "" {
			t.Fatalf("%q (-want +got):\n%s", tc.q, diff)
		}
		if diff := cmp.Diff([]string{tc.body}, res.Hits[0].Highlights.Body); diff != "" {
			t.Errorf("%q body snippet (-want +got):\n%s", tc.q, diff)
		}
		checkOnlyMarks(t, tc.q, res)
	}
}

func TestFallbackSnippetAndTitleOnly(t *testing.T) {
	ix := testIndex(t)
	res := mustSearch(t, ix, Query{Text: "title:cambodia"})
	if len(res.Hits) == 0 || res.Hits[0].ID != "ironclad-friendship-cambodia" {
		t.Fatalf("title:cambodia: %v", ids(res))
	}
	h := res.Hits[0]
	if diff := cmp.Diff([]string{"Ironclad friendship with <mark>Cambodia</mark> hailed"}, h.Highlights.Title); diff != "" {
		t.Errorf("title highlight (-want +got):\n%s", diff)
	}
	if len(h.Highlights.Body) != 1 || !strings.HasPrefix(h.Highlights.Body[0], "Xi Jinping, general secretary") || strings.Contains(h.Highlights.Body[0], "<mark>") {
		t.Errorf("fallback body snippet: %q", h.Highlights.Body)
	}
	res = mustSearch(t, ix, Query{Text: "body:hexagon"})
	if len(res.Hits) != 1 || res.Hits[0].ID != "ironclad-friendship-cambodia" || !strings.Contains(res.Hits[0].Highlights.Body[0], "<mark>Hexagon</mark>") {
		t.Errorf("body:hexagon: %+v", res.Hits)
	}
	res = mustSearch(t, ix, Query{Text: "maintenance tonight"})
	if len(res.Hits) == 0 || res.Hits[0].ID != "network-maintenance-brief" || len(res.Hits[0].Highlights.Body) != 0 {
		t.Errorf("title-only brief: %+v", res.Hits)
	}
}

func TestBrowseAndSort(t *testing.T) {
	ix := testIndex(t)
	n := countFiles(t, testArticles)
	res := mustSearch(t, ix, Query{Size: 100, Page: 3})
	if res.Total != uint64(n) {
		t.Errorf("browse total %d, want %d", res.Total, n)
	}
	last := res.Hits[len(res.Hits)-1]
	if last.ID != "archive-migration-undated" || !last.Date.IsZero() {
		t.Errorf("undated article should come last when browsing, got %s", last.ID)
	}
	first := mustSearch(t, ix, Query{Size: 3})
	if diff := cmp.Diff([]string{"ironclad-friendship-cambodia", "network-maintenance-brief", "security-advisory-script-tags"}, ids(first)); diff != "" {
		t.Errorf("newest first (-want +got):\n%s", diff)
	}
	asc := mustSearch(t, ix, Query{Text: "oil", Sort: SortDateAsc, Size: 50})
	for i := 1; i < len(asc.Hits); i++ {
		if asc.Hits[i].Date.Before(asc.Hits[i-1].Date) {
			t.Fatalf("sort=date not ascending at %d: %v then %v", i, asc.Hits[i-1].Date, asc.Hits[i].Date)
		}
	}
	p1 := mustSearch(t, ix, Query{Text: "oil", Size: 5})
	p2 := mustSearch(t, ix, Query{Text: "oil", Size: 5, Page: 2})
	both := mustSearch(t, ix, Query{Text: "oil", Size: 10})
	if diff := cmp.Diff(ids(both), append(ids(p1), ids(p2)...)); diff != "" || p2.Page != 2 {
		t.Errorf("pages 1+2 differ from one page of 10 (-want +got):\n%s", diff)
	}
}

func TestSearchParameterErrors(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		q     Query
		kind  error
		param string
		msg   string
	}{
		{Query{Size: -1}, ErrInvalidParameter, "size", "size must be between 1 and 100, got -1"},
		{Query{Size: 101}, ErrInvalidParameter, "size", "size must be between 1 and 100, got 101"},
		{Query{Page: -2}, ErrInvalidParameter, "page", "page must be 1 or more, got -2"},
		{Query{Page: 1 << 40}, ErrInvalidParameter, "page", "page × size must not exceed 10000"},
		{Query{Sort: "newest"}, ErrInvalidParameter, "sort", `unknown sort "newest" (accepted: relevance, date, -date)`},
		{Query{From: "yesterday"}, ErrInvalidParameter, "from", `unrecognised date "yesterday"`},
		{Query{To: "01/02/2024"}, ErrInvalidParameter, "to", `ambiguous date "01/02/2024"`},
		{Query{From: "2024-12-05", To: "2024-12-04"}, ErrInvalidParameter, "from", "from (2024-12-05) is after to (2024-12-04)"},
		{Query{Text: `title:`}, ErrInvalidQuery, "q", `cannot parse query "title:": syntax error`},
		{Query{Text: `colour:red`}, ErrInvalidQuery, "q", `unknown field "colour" in query (fields: title, body, source, author, tags, url)`},
		{Query{Text: `/[a/`}, ErrInvalidQuery, "q", "invalid regular expression /[a/: error parsing regexp: missing closing ]"},
		{Query{Text: `"unclosed`}, ErrInvalidQuery, "q", `cannot parse query "\"unclosed"`},
		{Query{Text: strings.Repeat("a ", 3000)}, ErrInvalidQuery, "q", "query is 5999 bytes long; the limit is 4096"},
	}
	for _, tt := range tests {
		_, err := ix.Search(context.Background(), tt.q)
		var pe *ParamError
		if !errors.Is(err, tt.kind) || !errors.As(err, &pe) || pe.Param != tt.param || !strings.HasPrefix(pe.Message, tt.msg) {
			t.Errorf("%+v: error %v, want %v on %s: %s", tt.q, err, tt.kind, tt.param, tt.msg)
		}
	}
}

func TestArticleNotFound(t *testing.T) {
	_, err := testIndex(t).Article(context.Background(), "no-such-article", AllArticles())
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("error %v, want ErrNotFound", err)
	}
}

func TestOpenChecksCompatibility(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idx")
	if _, err := Open(DefaultOptions(path)); !errors.Is(err, ErrNoIndex) {
		t.Errorf("open missing: %v, want ErrNoIndex", err)
	}
	ix, err := Create(DefaultOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	opts := DefaultOptions(path)
	opts.Language = "standard"
	_, err = Open(opts)
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), `built with index.language "en", the configuration says "standard"`) || !strings.Contains(err.Error(), "folio index --rebuild") {
		t.Errorf("language change: %v", err)
	}
	ix, err = Open(DefaultOptions(path))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	ix.Close()
}

func TestDatesShownInConfiguredZone(t *testing.T) {
	dates, err := article.NewDateParser("America/New_York", nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.Dates = dates
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Ingest(context.Background(), []string{filepath.Join(testArticles, "ironclad-friendship-cambodia.txt")}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	a, err := ix.Article(context.Background(), "ironclad-friendship-cambodia", AllArticles())
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Date.Format("2006-01-02 15:04 MST"); got != "2024-12-04 00:00 EST" {
		t.Errorf("date = %s, want midnight Dec 4 in New York", got)
	}
	res := mustSearch(t, ix, Query{Text: "hexagon", From: "2024-12-04", To: "2024-12-04"})
	if res.Total != 1 {
		t.Errorf("whole-day filter in the configured zone: %d hits", res.Total)
	}
}

func TestOpenLockedIndex(t *testing.T) {
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.LockTimeout = 50 * time.Millisecond
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	_, err = Open(opts)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "is open in another process (a running `folio serve` or `folio index`)") {
		t.Errorf("second open: %v, want ErrLocked", err)
	}
}

func TestIngestMergeLeavesOneSegment(t *testing.T) {
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.BatchSize = 20 // many batches, many segments
	opts.Shards = 2
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	sum, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{Merge: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 1}, ix.Segments()); diff != "" || sum.Merge <= 0 {
		t.Errorf("segments per shard after a merged ingest (-want +got):\n%s (merge took %v)", diff, sum.Merge)
	}
	res := mustSearch(t, ix, Query{Text: `"Diamond Hexagon"`})
	if len(res.Hits) != 1 || res.Hits[0].ID != "ironclad-friendship-cambodia" {
		t.Errorf("after merge: %v", ids(res))
	}
}

func TestPlanShape(t *testing.T) {
	ix := testIndex(t)
	p, err := ix.plan(context.Background(), Query{Text: `+Oil +"crude prices" -gas`})
	if err != nil {
		t.Fatal(err)
	}
	bq, ok := p.Main.(*query.BooleanQuery)
	if !ok || bq.Should == nil || bq.MustNot == nil {
		t.Fatalf("main = %#v, want one boolean with the title clause as its should part", p.Main)
	}
	conj := bq.Must.(*query.ConjunctionQuery)
	tq, ok := conj.Conjuncts[0].(*query.TermQuery)
	if !ok || tq.Term != "oil" || tq.FieldVal != "" {
		t.Errorf("+Oil became %#v, want the analysed term query \"oil\"", conj.Conjuncts[0])
	}
	if _, ok := conj.Conjuncts[1].(*query.MatchPhraseQuery); !ok {
		t.Errorf("phrase became %#v", conj.Conjuncts[1])
	}
	if p.All != nil {
		t.Error("a query with required clauses needs no all-words tier")
	}
	// Fuzzy words keep their MatchQuery.
	p, err = ix.plan(context.Background(), Query{Text: "oil~1 prices"})
	if err != nil {
		t.Fatal(err)
	}
	if p.All == nil {
		t.Error("a pure OR query of two clauses has an all-words tier")
	}
	res := mustSearch(t, ix, Query{Text: "oli~1"})
	if res.Total == 0 {
		t.Error("oli~1 found nothing")
	}
}
