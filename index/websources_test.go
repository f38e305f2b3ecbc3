package index

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index/article"
)

// webSite serves documents by path with an ETag each (a 304 to a matching
// If-None-Match) and counts the statuses it answered per path.
type webSite struct {
	srv  *httptest.Server
	mu   sync.Mutex
	docs map[string]webDoc
	hits map[string][]int
}

type webDoc struct{ body, ctype string }

func newWebSite(t *testing.T) *webSite {
	s := &webSite{docs: map[string]webDoc{}, hits: map[string][]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		d, ok := s.docs[r.URL.Path]
		etag := fmt.Sprintf(`"%x"`, sha256.Sum256([]byte(d.body)))
		status := http.StatusOK
		switch {
		case !ok:
			status = http.StatusNotFound
		case r.Header.Get("If-None-Match") == etag:
			status = http.StatusNotModified
		}
		s.hits[r.URL.Path] = append(s.hits[r.URL.Path], status)
		s.mu.Unlock()
		if ok {
			w.Header().Set("ETag", etag)
			w.Header().Set("Content-Type", d.ctype)
		}
		w.WriteHeader(status)
		if status == http.StatusOK {
			fmt.Fprint(w, d.body)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *webSite) set(path, body, ctype string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[path] = webDoc{strings.ReplaceAll(body, "http://site.test", s.srv.URL), ctype}
}

// take returns the statuses answered per path and forgets them.
func (s *webSite) take() map[string][]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hits
	s.hits = map[string][]int{}
	return h
}

func (s *webSite) url(path string) string { return s.srv.URL + path }

func sitemapOf(paths ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, p := range paths {
		fmt.Fprintf(&b, "<url><loc>http://site.test%s</loc></url>", p)
	}
	b.WriteString("</urlset>")
	return b.String()
}

func rssOf(items ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Staff news</title><link>http://site.test/</link>`)
	for _, it := range items {
		fmt.Fprintf(&b, "<item><title>%s</title><guid isPermaLink=\"false\">%s</guid><link>http://site.test/news/%s</link><pubDate>Tue, 10 Feb 2026 08:00:00 GMT</pubDate><description>&lt;p&gt;The %s announcement for every team.&lt;/p&gt;</description></item>", it, it, it, it)
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

func fixtureText(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join("../testdata/formats", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkIDs fails unless the index holds exactly the articles want.
func checkIDs(t *testing.T, ix *Index, what string, want ...string) {
	t.Helper()
	n, err := ix.Count()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, id := range want {
		if _, err := ix.Article(context.Background(), id, AllArticles()); err != nil {
			missing = append(missing, id)
		}
	}
	if int(n) != len(want) || len(missing) > 0 {
		t.Fatalf("%s: %d articles, want %d: %q; missing %q", what, n, len(want), want, missing)
	}
}

// TestSyncURLSources: a sitemap of HTML pages and an RSS feed are synced
// through the write pipeline: page ids are their canonical URL on the
// site (else the URL fetched), feed items their guid; the seed page is
// found by its words with its title; the second sync of an unchanged site
// is answered 304 and writes nothing; a page that leaves the sitemap is
// deleted, a feed item that leaves the feed stays; Sources reports each.
func TestSyncURLSources(t *testing.T) {
	s := newWebSite(t)
	s.set("/sitemap.xml", sitemapOf("/seed", "/results", "/canteen"), "application/xml")
	s.set("/seed", fixtureText(t, "seed.html"), "text/html; charset=utf-8")
	s.set("/results", fixtureText(t, "jsonld.html"), "text/html")
	s.set("/canteen", fixtureText(t, "intranet.html"), "text/html")
	s.set("/feed.xml", rssOf("alpha", "beta"), "application/rss+xml")
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.Web = WebOptions{UserAgent: "Folio/test (+https://github.com/folio-search/folio)", Rate: 1000, Backoff: time.Millisecond}
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	ctx := context.Background()
	srcs := []string{s.url("/sitemap.xml"), s.url("/feed.xml")}

	sum, err := ix.Sync(ctx, srcs, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkIDs(t, ix, "first sync", "alpha", "beta", s.url("/canteen"), s.url("/press/2025/quarterly-results"), s.url("/seed"))
	if sum.Indexed != 5 || sum.Skipped != 0 || sum.Fetched != 5 { // sitemap, 3 pages, feed
		t.Errorf("first sync %+v; want 5 indexed, 5 fetched, none skipped", sum)
	}
	res := mustSearch(t, ix, Query{Text: `"Diamond Hexagon"`})
	if len(res.Hits) != 1 || res.Hits[0].ID != s.url("/seed") || res.Hits[0].Title != "Ironclad friendship with Cambodia hailed" {
		t.Fatalf("Diamond Hexagon hits %+v; want the seed page with its title", res.Hits)
	}
	s.take()

	// Unchanged: every document answers 304, nothing is written.
	sum, err = ix.Sync(ctx, srcs, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantHits := map[string][]int{"/robots.txt": {404}, "/sitemap.xml": {304}, "/seed": {304}, "/results": {304}, "/canteen": {304}, "/feed.xml": {304}}
	if diff := cmp.Diff(wantHits, s.take()); diff != "" {
		t.Errorf("second sync requests (-want +got):\n%s", diff)
	}
	if sum.Indexed+sum.Updated+sum.Deleted != 0 || sum.NotModified != 5 || sum.Fetched != 0 {
		t.Errorf("second sync %+v; want nothing written, 5 not modified", sum)
	}

	// A page leaves the sitemap (deleted); an item leaves the feed (stays).
	s.set("/sitemap.xml", sitemapOf("/seed", "/results"), "application/xml")
	s.set("/feed.xml", rssOf("gamma", "beta"), "application/rss+xml")
	sum, err = ix.Sync(ctx, srcs, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkIDs(t, ix, "third sync", "alpha", "beta", "gamma", s.url("/press/2025/quarterly-results"), s.url("/seed"))
	if sum.Deleted != 1 {
		t.Errorf("third sync deleted %d, want 1 (the page that left the sitemap)", sum.Deleted)
	}
	if got, _ := ix.InputsOr(nil); !cmp.Equal(got, srcs) {
		t.Errorf("recorded inputs %q, want the URL sources", got)
	}

	st, err := ix.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].Source != srcs[1] || st[1].Source != srcs[0] || !st[0].URL {
		t.Fatalf("sources %+v", st)
	}
	if feed := st[0]; feed.Articles != 2 || feed.Fetched != 1 || feed.Errors != 0 || feed.LastSync.IsZero() {
		t.Errorf("feed status %+v; want 2 articles (gamma, beta) from one fetch", feed)
	}
}

// TestSyncURLSourceProblems: an unreachable host, a 404 and a page without
// text are reported as "URL: problem (expected)", counted in the summary
// and in Sources, and the rest is indexed; a rebuild reads URL sources too.
func TestSyncURLSourceProblems(t *testing.T) {
	s := newWebSite(t)
	s.set("/sitemap.xml", sitemapOf("/ok", "/gone", "/empty"), "application/xml")
	s.set("/ok", fixtureText(t, "seed.html"), "text/html")
	s.set("/empty", "<html><head><script>track()</script></head><body></body></html>", "text/html")
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/feed.xml"
	dead.Close()
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.Web = WebOptions{Rate: 1000, Retries: -1, Timeout: 2 * time.Second}
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	var problems []string
	iopts := IngestOptions{Problem: func(e *article.InputError) { problems = append(problems, e.Error()) }}
	sum, err := ix.Sync(context.Background(), []string{s.url("/sitemap.xml"), deadURL}, iopts)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(problems)
	wantProblems := []string{
		s.url("/empty") + ": page has no extractable text (an HTML page with an article, or a title)",
		s.url("/gone") + ": HTTP 404 Not Found (a page that exists; its articles are deleted)",
		deadURL + ": cannot connect: dial tcp " + strings.TrimPrefix(dead.URL, "http://") + ": connect: connection refused (a reachable host)",
	}
	slices.Sort(wantProblems)
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if sum.Skipped != 3 || sum.SkippedByReason["unreachable"] != 1 || sum.SkippedByReason["not found"] != 1 || sum.Indexed != 1 {
		t.Errorf("summary %+v", sum)
	}
	st, err := ix.Sources()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(st, func(s SourceStatus) bool { return s.Source == deadURL })
	if len(st) != 2 || i < 0 || st[i].Errors != 1 || st[i].ErrorsTotal["unreachable"] != 1 || !strings.HasPrefix(st[i].LastError, deadURL+": cannot connect") {
		t.Errorf("sources %+v", st)
	}

	sum, err = ix.Rebuild(context.Background(), []string{s.url("/sitemap.xml")}, IngestOptions{})
	if err != nil || sum.After != 1 {
		t.Fatalf("rebuild %+v, %v; want the one page", sum, err)
	}
	checkIDs(t, ix, "rebuild", s.url("/ok"))

	// The statuses are kept with the index: through the rebuild and a reopen.
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if ix, err = Open(opts); err != nil {
		t.Fatal(err)
	}
	st, err = ix.Sources()
	if err != nil {
		t.Fatal(err)
	}
	i = slices.IndexFunc(st, func(s SourceStatus) bool { return s.Source == deadURL })
	j := slices.IndexFunc(st, func(st SourceStatus) bool { return st.Source == s.url("/sitemap.xml") })
	if len(st) != 2 || i < 0 || j < 0 || st[i].ErrorsTotal["unreachable"] != 1 || st[j].ErrorsTotal["not found"] != 2 || st[j].Articles != 1 {
		t.Errorf("sources after a rebuild and a reopen %+v", st)
	}
}

// TestURLWithCredentialsRefused: a URL source with user:password@ is
// reported without its password and not read, nor recorded as an input;
// the other sources are synced.
func TestURLWithCredentialsRefused(t *testing.T) {
	ix := newIndex(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "one.txt"), "Title: One\n\nbody")
	var problems []string
	sum, err := ix.Sync(context.Background(), []string{dir, "https://alice:hunter2@intranet.example/feed.xml"},
		IngestOptions{Problem: func(e *article.InputError) { problems = append(problems, e.Error()) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://alice:xxxxx@intranet.example/feed.xml: a URL with credentials is not read (the URL without user:password@, and an Authorization header in the options of its index.sources entry)"}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if sum.Indexed != 1 || sum.Skipped != 1 || sum.SkippedByReason["bad url"] != 1 {
		t.Errorf("summary %+v", sum)
	}
	if got, _ := ix.InputsOr(nil); !cmp.Equal(got, []string{dir}) {
		t.Errorf("inputs %q, want only the folder", got)
	}
	if _, err := ix.Sync(context.Background(), []string{"https://alice:hunter2@intranet.example/feed.xml"}, IngestOptions{Strict: true}); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("strict sync: %v; want the problem, without the password", err)
	}
}

// TestFeedWithABadItem: an item with neither guid nor link is reported as
// a problem of the feed's URL and the other items are indexed; the feed
// is read again next time (not conditionally), so the problem is reported
// again.
func TestFeedWithABadItem(t *testing.T) {
	s := newWebSite(t)
	s.set("/feed.xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Good item</title><guid>good-1</guid><description>The harbour reopens.</description></item>
<item><title>Lost item</title><description>No guid, no link.</description></item>
</channel></rss>`, "application/rss+xml")
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.Web.Rate = -1
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	for run := range 2 {
		var problems []string
		sum, err := ix.Sync(context.Background(), []string{s.url("/feed.xml")}, IngestOptions{Problem: func(e *article.InputError) { problems = append(problems, e.Error()) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) != 1 || !strings.HasPrefix(problems[0], s.url("/feed.xml")) || !strings.Contains(problems[0], "Lost item") || sum.Skipped != 1 {
			t.Errorf("run %d: problems %q, summary %+v", run, problems, sum)
		}
		checkIDs(t, ix, "feed", "good-1")
	}
	if h := s.take()["/feed.xml"]; !cmp.Equal(h, []int{200, 200}) {
		t.Errorf("feed requests %v; want two full reads", h)
	}
}

// TestSyncSinglePage: a URL source that is one HTML page is indexed under
// its canonical URL (on its host), answered 304 when unchanged, and
// deleted once it answers 404.
func TestSyncSinglePage(t *testing.T) {
	s := newWebSite(t)
	s.set("/press/latest", fixtureText(t, "jsonld.html"), "text/html")
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.Web.Rate = -1
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	src := []string{s.url("/press/latest")}
	ctx := context.Background()
	if sum, err := ix.Sync(ctx, src, IngestOptions{}); err != nil || sum.Indexed != 1 {
		t.Fatalf("first sync %+v, %v", sum, err)
	}
	checkIDs(t, ix, "first sync", s.url("/press/2025/quarterly-results"))
	if sum, err := ix.Sync(ctx, src, IngestOptions{}); err != nil || sum.NotModified != 1 || sum.Indexed+sum.Updated != 0 {
		t.Fatalf("second sync %+v, %v; want the page not modified", sum, err)
	}
	s.mu.Lock()
	delete(s.docs, "/press/latest")
	s.mu.Unlock()
	sum, err := ix.Sync(ctx, src, IngestOptions{Force: true}) // all of the index's one article goes
	if err != nil || sum.Deleted != 1 || sum.Skipped != 1 {
		t.Fatalf("third sync %+v, %v; want the gone page deleted and reported", sum, err)
	}
	checkIDs(t, ix, "third sync")
	if h := s.take()["/press/latest"]; !cmp.Equal(h, []int{200, 304, 404}) {
		t.Errorf("page requests %v", h)
	}
}

// TestSyncSitemapDocuments: a sitemap may list PDF, Word and OpenDocument
// files (by content type, else by the URL's extension): each is indexed
// under its URL with its document title; a binary type Folio does not
// read is reported.
func TestSyncSitemapDocuments(t *testing.T) {
	s := newWebSite(t)
	s.set("/sitemap.xml", sitemapOf("/files/report.pdf", "/docs/policy", "/minutes.odt", "/logo.png"), "application/xml")
	s.set("/files/report.pdf", fixtureText(t, "report.pdf"), "application/pdf")
	s.set("/docs/policy", fixtureText(t, "travel-policy.docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	s.set("/minutes.odt", fixtureText(t, "works-council.odt"), "application/octet-stream")
	s.set("/logo.png", "\x89PNG\r\n\x1a\n", "image/png")
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.Web.Rate = -1
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	var problems []string
	sum, err := ix.Sync(context.Background(), []string{s.url("/sitemap.xml")}, IngestOptions{Problem: func(e *article.InputError) { problems = append(problems, e.Error()) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed != 3 || len(problems) != 1 || !strings.HasPrefix(problems[0], s.url("/logo.png")+`: content type "image/png" is neither`) {
		t.Fatalf("summary %+v, problems %q", sum, problems)
	}
	for q, want := range map[string][2]string{
		`"food truck serves lunch"`: {s.url("/files/report.pdf"), "Quarterly facilities report, Q1 2026"},
		`"negotiated rates"`:        {s.url("/docs/policy"), "Travel policy 2026: booking, rail and expenses"},
		`"canteen subsidy"`:         {s.url("/minutes.odt"), "Works council minutes, 5 March 2026"},
	} {
		res := mustSearch(t, ix, Query{Text: q})
		if res.Total != 1 || res.Hits[0].ID != want[0] || res.Hits[0].Title != want[1] {
			t.Errorf("%s: hits %+v, want %s %q", q, res.Hits, want[0], want[1])
		}
	}
}
