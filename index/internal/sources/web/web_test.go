package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/sources"
)

// testExtractors stand in for index/article/extract in the tests of the
// crawl machinery: a page's <title> is its title and its <p> its body; a
// "feed" lists items as lines "id|title|link". (The extraction itself is
// tested in index/article/extract and end to end in index.)
var testExtractors = Extractors{
	HTML: func(r io.Reader, pageURL string, limit int64) (article.Article, error) {
		b, _ := io.ReadAll(io.LimitReader(r, limit))
		title := regexp.MustCompile(`<title>(.*?)</title>`).FindSubmatch(b)
		body := regexp.MustCompile(`<p>(.*?)</p>`).FindSubmatch(b)
		canon := regexp.MustCompile(`<link rel="canonical" href="(.*?)">`).FindSubmatch(b)
		var a article.Article
		if title != nil {
			a.Title = string(title[1])
		}
		if body != nil {
			a.Body = string(body[1])
		}
		if canon != nil {
			a.URL = string(canon[1])
		}
		if a.Title == "" && a.Body == "" {
			return a, &article.InputError{Reason: ReasonNoText, Message: "no article text", Expected: "a page with text"}
		}
		return a, nil
	},
	Feed: func(r io.Reader, feedURL string, limit int64) ([]article.Article, error) {
		b, _ := io.ReadAll(io.LimitReader(r, limit))
		var out []article.Article
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Split(l, "|"); len(f) == 3 {
				out = append(out, article.Article{ID: f[0], Title: f[1], URL: f[2], Body: "summary of " + f[1]})
			}
		}
		return out, nil
	},
}

// site is a test web site: its documents by path, the requests it got.
type site struct {
	t    testing.TB
	srv  *httptest.Server
	mu   sync.Mutex
	docs map[string]doc
	hits map[string][]int // statuses answered per path
	auth []string         // Authorization headers received
	at   []time.Time      // when each request arrived
}

type doc struct {
	body, ctype, etag string
	status            int
	handler           http.HandlerFunc // instead of the body
}

func newSite(t testing.TB) *site {
	s := &site{t: t, docs: map[string]doc{}, hits: map[string][]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d, ok := s.docs[r.URL.Path]
	s.at = append(s.at, time.Now())
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "Folio/") {
		s.t.Errorf("User-Agent %q, want Folio/...", ua)
	}
	status := http.StatusOK
	switch {
	case !ok:
		status = http.StatusNotFound
	case d.status != 0:
		status = d.status
	case d.etag != "" && r.Header.Get("If-None-Match") == d.etag:
		status = http.StatusNotModified
	}
	s.hits[r.URL.Path] = append(s.hits[r.URL.Path], status)
	s.mu.Unlock()
	if ok && d.handler != nil {
		d.handler(w, r)
		return
	}
	if d.etag != "" {
		w.Header().Set("ETag", d.etag)
	}
	if d.ctype != "" {
		w.Header().Set("Content-Type", d.ctype)
	}
	w.WriteHeader(status)
	if status == http.StatusOK {
		io.WriteString(w, strings.ReplaceAll(d.body, "http://intranet.example", s.srv.URL))
	}
}

func (s *site) set(path string, d doc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[path] = d
}

func (s *site) remove(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.docs, path)
}

// hitsOf returns the statuses answered for path and forgets them.
func (s *site) take() map[string][]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hits
	s.hits = map[string][]int{}
	return h
}

func (s *site) url(path string) string { return s.srv.URL + path }

func page(title, body string) doc {
	return doc{body: "<html><head><title>" + title + "</title></head><body><nav>Menu</nav><p>" + body + "</p></body></html>", ctype: "text/html; charset=utf-8"}
}

func fixture(t *testing.T, name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testOptions() Options {
	return Options{UserAgent: "Folio/test (+https://github.com/folio-search/folio)", Concurrency: 2, Timeout: 2 * time.Second,
		MaxBytes: 1 << 20, Retries: 2, Backoff: 5 * time.Millisecond, MaxURLs: 1000}
}

// crawl is one sync of srcs over the state st: the articles and problems
// it emitted, the next state, and the ids it deletes.
type crawl struct {
	ids      []string
	problems []string
	reasons  []string
	next     sources.State
	del      []string
	stats    []Stats
}

func runSync(t *testing.T, opts Options, st sources.State, srcs ...Source) crawl {
	t.Helper()
	var c crawl
	docs, stats, err := Run(context.Background(), opts, testExtractors, srcs, st, 1<<20, func(r article.Record) error {
		if r.Err != nil {
			c.problems = append(c.problems, r.Err.Error())
			c.reasons = append(c.reasons, r.Err.Reason)
			return nil
		}
		c.ids = append(c.ids, r.Article.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	roots := make([]string, len(srcs))
	for i, s := range srcs {
		roots[i] = s.URL
	}
	p := sources.NewPlan(st, roots)
	Record(p, docs)
	c.del, _ = p.Stale()
	slices.Sort(c.ids)
	slices.Sort(c.del)
	slices.Sort(c.problems)
	slices.Sort(c.reasons)
	c.next, c.stats = p.Next, stats
	return c
}

func empty() sources.State { return sources.State{Files: map[string]sources.FileState{}} }

// indexSite serves the sitemap index fixture, its two sitemaps and their pages.
func indexSite(t *testing.T) *site {
	s := newSite(t)
	s.set("/sitemap.xml", doc{body: fixture(t, "sitemap_index.xml"), ctype: "application/xml"})
	s.set("/sitemap-news.xml", doc{body: fixture(t, "sitemap-news.xml"), ctype: "application/xml", etag: `"n1"`})
	s.set("/sitemap-pages.xml", doc{body: fixture(t, "sitemap-pages.xml"), ctype: "application/xml", etag: `"p1"`})
	for _, p := range []string{"/news/diamond-hexagon", "/news/canteen-menu", "/about", "/private/salaries"} {
		d := page("Page "+p, "The text of "+p)
		d.etag = `"` + p + `"`
		s.set(p, d)
	}
	s.set("/robots.txt", doc{body: "User-agent: *\nDisallow: /nothing\n\nUser-agent: Folio\nDisallow: /private/\n", ctype: "text/plain"})
	return s
}

func TestCrawlSitemapIndexRobotsAndConditionalRequests(t *testing.T) {
	s := indexSite(t)
	src := Source{URL: s.url("/sitemap.xml")}
	first := runSync(t, testOptions(), empty(), src)
	want := []string{s.url("/about"), s.url("/news/canteen-menu"), s.url("/news/diamond-hexagon")}
	if diff := cmp.Diff(want, first.ids); diff != "" {
		t.Errorf("first sync ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{s.url("/private/salaries") + ": disallowed by robots.txt, not fetched (a URL that robots.txt allows for Folio)"}, first.problems); diff != "" {
		t.Errorf("first sync problems (-want +got):\n%s", diff)
	}
	hits := s.take()
	if _, ok := hits["/private/salaries"]; ok {
		t.Error("a page robots.txt disallows was requested")
	}
	if n := len(hits["/robots.txt"]); n != 1 {
		t.Errorf("robots.txt read %d times, want once per sync", n)
	}

	// Second sync, nothing changed: the news sitemap's lastmod is the same
	// (not requested), so are its pages' (not requested); the other
	// sitemap and its page answer 304.
	second := runSync(t, testOptions(), first.next, src)
	if len(second.ids) != 0 || len(second.del) != 0 {
		t.Errorf("unchanged site: wrote %v, deleted %v; want nothing", second.ids, second.del)
	}
	hits = s.take()
	wantHits := map[string][]int{"/robots.txt": {200}, "/sitemap.xml": {200}, "/sitemap-pages.xml": {304}, "/about": {304}}
	if diff := cmp.Diff(wantHits, hits); diff != "" {
		t.Errorf("second sync requests (-want +got):\n%s", diff)
	}
	if second.stats[0].NotModified != 5 { // news sitemap, its 2 pages (lastmod), pages sitemap and about (304)
		t.Errorf("not modified %d, want 5", second.stats[0].NotModified)
	}

	// The page /about leaves its sitemap: it is deleted at the next sync.
	s.set("/sitemap-pages.xml", doc{body: strings.Replace(fixture(t, "sitemap-pages.xml"), "<url><loc>http://intranet.example/about</loc></url>", "", 1), ctype: "application/xml", etag: `"p2"`})
	third := runSync(t, testOptions(), second.next, src)
	if diff := cmp.Diff([]string{s.url("/about")}, third.del); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
	if _, ok := third.next.Files[s.url("/news/diamond-hexagon")]; !ok {
		t.Error("a page still listed lost its state")
	}
}

func TestFeedItemsThatLeaveStay(t *testing.T) {
	s := newSite(t)
	s.set("/feed", doc{body: "<rss version=\"2.0\">\na|Alpha|http://intranet.example/a\nb|Beta|http://intranet.example/b\n</rss>", ctype: "application/rss+xml", etag: `"1"`})
	src := Source{URL: s.url("/feed")}
	first := runSync(t, testOptions(), empty(), src)
	if diff := cmp.Diff([]string{"a", "b"}, first.ids); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	s.set("/feed", doc{body: "<rss version=\"2.0\">\nc|Gamma|http://intranet.example/c\nb|Beta|http://intranet.example/b\n</rss>", ctype: "application/rss+xml", etag: `"2"`})
	second := runSync(t, testOptions(), first.next, src)
	if diff := cmp.Diff([]string{"b", "c"}, second.ids); diff != "" {
		t.Errorf("second sync (-want +got):\n%s", diff)
	}
	if len(second.del) != 0 {
		t.Errorf("deleted %v; an item that left the feed must stay", second.del)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, second.next.Files[src.URL].IDs); diff != "" {
		t.Errorf("the feed's ids (-want +got):\n%s", diff)
	}
	third := runSync(t, testOptions(), second.next, src)
	if len(third.ids) != 0 || !slices.Equal(s.take()["/feed"], []int{200, 200, 304}) {
		t.Errorf("unchanged feed: wrote %v; want a 304 and nothing written", third.ids)
	}
}

func TestFetchPagesOfAFeed(t *testing.T) {
	s := newSite(t)
	s.set("/feed", doc{body: "<rss version=\"2.0\">\na|Alpha|http://intranet.example/a\nx|Elsewhere|http://elsewhere.example/x\n</rss>", ctype: "application/rss+xml"})
	s.set("/a", page("Alpha page", "the whole text of alpha"))
	var got []article.Article
	_, _, err := Run(context.Background(), testOptions(), testExtractors, []Source{{URL: s.url("/feed"), FetchPages: true}}, empty(), 1<<20, func(r article.Record) error {
		if r.Err != nil {
			t.Errorf("problem %v", r.Err)
		}
		got = append(got, r.Article)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Body != "the whole text of alpha" || got[1].Body != "summary of Elsewhere" {
		t.Errorf("items %+v; want alpha with its page's text, the off-host item with the feed's", got)
	}
}

func TestOffHostRedirectRefused(t *testing.T) {
	other := newSite(t)
	other.set("/landing", page("Elsewhere", "should never be read"))
	s := newSite(t)
	s.set("/sitemap.xml", doc{body: `<urlset><url><loc>http://intranet.example/moved</loc></url><url><loc>http://intranet.example/inside</loc></url><url><loc>` + other.url("/landing") + `</loc></url></urlset>`})
	s.set("/moved", doc{handler: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.url("/landing"), http.StatusFound)
	}})
	s.set("/inside", doc{handler: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/about", http.StatusMovedPermanently)
	}})
	s.set("/about", page("About", "we are here"))
	c := runSync(t, testOptions(), empty(), Source{URL: s.url("/sitemap.xml")})
	if diff := cmp.Diff([]string{s.url("/about")}, c.ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	want := []string{
		other.url("/landing") + ": not on an allowed host, not fetched (a URL on a host of index.sources)",
		s.url("/moved") + ": redirected to " + other.url("/landing") + ", which is not on an allowed host, not followed (redirects within the hosts of index.sources)",
	}
	slices.Sort(want) // the two servers' ports order them
	if diff := cmp.Diff(want, c.problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if h := other.take(); len(h) != 0 {
		t.Errorf("the other host got requests %v", h)
	}
}

func TestRateLimitPerHost(t *testing.T) {
	s := newSite(t)
	var urls strings.Builder
	for i := range 24 {
		fmt.Fprintf(&urls, "<url><loc>http://intranet.example/p%d</loc></url>", i)
		s.set(fmt.Sprintf("/p%d", i), page(fmt.Sprint("P", i), "text"))
	}
	s.set("/sitemap.xml", doc{body: "<urlset>" + urls.String() + "</urlset>"})
	opts := testOptions()
	opts.Rate, opts.Concurrency = 20, 4
	c := runSync(t, opts, empty(), Source{URL: s.url("/sitemap.xml")})
	if len(c.ids) != 24 {
		t.Fatalf("indexed %d pages, want 24 (problems %v)", len(c.ids), c.problems)
	}
	s.mu.Lock()
	at := slices.Clone(s.at)
	s.mu.Unlock()
	// 26 requests (robots.txt, the sitemap, 24 pages): in no second more
	// than the rate and the burst of one.
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < time.Second; j++ {
			n++
		}
		if n > 21 {
			t.Fatalf("%d requests within a second from request %d; the limit is 20 per second", n, i)
		}
	}
	if len(at) != 26 {
		t.Errorf("%d requests, want 26", len(at))
	}
}

func TestErrorsAreReportedAndTheRestIndexed(t *testing.T) {
	s := newSite(t)
	s.set("/sitemap.xml", doc{body: `<sitemapindex><sitemap><loc>http://intranet.example/good.xml</loc></sitemap><sitemap><loc>http://intranet.example/bad.xml</loc></sitemap></sitemapindex>`})
	s.set("/good.xml", doc{body: `<urlset><url><loc>http://intranet.example/ok</loc></url><url><loc>http://intranet.example/missing</loc></url><url><loc>http://intranet.example/broken</loc></url><url><loc>http://intranet.example/empty</loc></url><url><loc>http://intranet.example/pdf</loc></url></urlset>`})
	s.set("/bad.xml", doc{body: fixture(t, "sitemap-malformed.xml")})
	s.set("/ok", page("OK", "fine"))
	s.set("/broken", doc{status: http.StatusServiceUnavailable})
	s.set("/empty", doc{body: "<html><body><nav>Menu</nav></body></html>", ctype: "text/html"})
	s.set("/pdf", doc{body: "%PDF-1.4", ctype: "application/pdf"})
	c := runSync(t, testOptions(), empty(), Source{URL: s.url("/sitemap.xml")})
	if diff := cmp.Diff([]string{s.url("/ok")}, c.ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	want := []string{
		s.url("/bad.xml") + ":4: not well-formed XML: element <loc> closed by </url> (a sitemap)",
		s.url("/broken") + ": HTTP 503 Service Unavailable, 3 attempts (a 2xx response)",
		s.url("/empty") + ": no article text (a page with text)",
		s.url("/missing") + ": HTTP 404 Not Found (a page that exists; its articles are deleted)",
		s.url("/pdf") + `: content type "application/pdf" is neither an HTML page, a feed nor a sitemap (an HTML page, an RSS, Atom or JSON feed, a sitemap, or a document Folio reads (PDF, .docx, .odt))`,
	}
	if diff := cmp.Diff(want, c.problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if n := len(s.take()["/broken"]); n != 3 {
		t.Errorf("a 503 was tried %d times, want 3 (2 retries)", n)
	}
	if got := c.stats[0].Errors; got[ReasonHTTP] != 1 || got[ReasonNotFound] != 1 || got[ReasonBadSitemap] != 1 {
		t.Errorf("errors by reason %v", got)
	}
}

func TestHostileServerBoundedByTheLimits(t *testing.T) {
	s := newSite(t)
	endless := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := []byte(strings.Repeat("<p>endless ", 1000))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	slowHeaders := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	slowBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(200)
		for r.Context().Err() == nil {
			w.Write([]byte("<"))
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	}
	s.set("/sitemap.xml", doc{body: `<urlset><url><loc>http://intranet.example/endless</loc></url><url><loc>http://intranet.example/slow-headers</loc></url><url><loc>http://intranet.example/slow-body</loc></url><url><loc>http://intranet.example/ok</loc></url></urlset>`})
	s.set("/endless", doc{handler: endless})
	s.set("/slow-headers", doc{handler: slowHeaders})
	s.set("/slow-body", doc{handler: slowBody})
	s.set("/ok", page("OK", "fine"))
	opts := testOptions()
	opts.Timeout, opts.MaxBytes, opts.Retries = 300*time.Millisecond, 64<<10, 0
	start := time.Now()
	c := runSync(t, opts, empty(), Source{URL: s.url("/sitemap.xml")})
	if diff := cmp.Diff([]string{s.url("/ok")}, c.ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	want := []string{
		s.url("/endless") + ": response larger than 65536 bytes, not read (at most index.crawl.max_bytes)",
		s.url("/slow-body") + ": response not complete within 300ms (a response within index.crawl.timeout)",
		s.url("/slow-headers") + ": no response within 300ms (a response within index.crawl.timeout)",
	}
	if diff := cmp.Diff(want, c.problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("the crawl took %s: the limits did not bound it", d)
	}
}

func TestHeadersSentAndNeverInProblems(t *testing.T) {
	s := newSite(t)
	s.set("/page", doc{status: http.StatusForbidden})
	const token = "Bearer s3cret-intranet-token"
	c := runSync(t, testOptions(), empty(), Source{URL: s.url("/page"), Headers: map[string]string{"Authorization": token}})
	s.mu.Lock()
	auth := slices.Clone(s.auth)
	s.mu.Unlock()
	if diff := cmp.Diff([]string{"", token}, auth); diff != "" { // robots.txt is read without the source's headers
		t.Errorf("Authorization received (-want +got):\n%s", diff)
	}
	if len(c.problems) != 1 || strings.Contains(c.problems[0], "s3cret") {
		t.Errorf("problems %v; want one, without the header", c.problems)
	}
}

func TestParseSitemap(t *testing.T) {
	sm, err := ParseSitemap([]byte(fixture(t, "sitemap_index.xml")), "sitemap_index.xml", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := Sitemap{Index: true, Entries: []Entry{
		{Loc: "http://intranet.example/sitemap-news.xml", Lastmod: "2026-11-30T09:00:00+00:00"},
		{Loc: "http://intranet.example/sitemap-pages.xml"},
	}}
	if diff := cmp.Diff(want, sm); diff != "" {
		t.Errorf("index (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"not a sitemap", `<html></html>`, "x:1: root element <html> is not a sitemap (<urlset> or <sitemapindex>)"},
		{"truncated", "<urlset>\n<url><loc>a</loc></url>", "x:2: not well-formed XML: unexpected EOF (a sitemap (<urlset> or <sitemapindex>))"},
		{"no loc", "<urlset><url></url></urlset>", "x:1: <url> without <loc> (a <loc> in every <url>)"},
		{"too many", "<urlset>" + strings.Repeat("<url><loc>a</loc></url>", 11) + "</urlset>", "x:1: more than 10 entries (at most 50,000 URLs per sitemap, and index.crawl.max_urls per source)"},
		{"huge loc", "<urlset><url><loc>" + strings.Repeat("a", 5000) + "</loc></url></urlset>", "x:1: <loc> or <lastmod> longer than 4096 bytes (URLs of at most 2,048 characters)"},
		{"empty", "", "x:1: not well-formed XML: no root element (a sitemap (<urlset> or <sitemapindex>))"},
		{"deep", "<urlset>\n<x>" + strings.Repeat("<a>", 1_000_000), "x:2: elements nested more than 32 levels deep (a sitemap (<url> elements inside <urlset>))"},
		{"deep in a url", "<urlset><url><loc>a</loc>" + strings.Repeat("<a>", 100_000) + "</url></urlset>", "x:1: elements nested more than 32 levels deep (a sitemap (<url> elements inside <urlset>))"},
		{"element in a loc", "<urlset><url><loc>a<b/></loc></url></urlset>", "x:1: not well-formed XML: element <b> inside <loc> or <lastmod> (a sitemap)"},
	} {
		_, err := ParseSitemap([]byte(tc.in), "x", 10)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}
}

// TestRobotsCrawlDelay: a robots.txt Crawl-delay slower than Options.Rate
// spaces the host's requests by it.
func TestRobotsCrawlDelay(t *testing.T) {
	s := newSite(t)
	var urls strings.Builder
	for i := range 4 {
		fmt.Fprintf(&urls, "<url><loc>http://intranet.example/p%d</loc></url>", i)
		s.set(fmt.Sprintf("/p%d", i), page(fmt.Sprint("P", i), "text"))
	}
	s.set("/sitemap.xml", doc{body: "<urlset>" + urls.String() + "</urlset>"})
	s.set("/robots.txt", doc{body: "User-agent: *\nCrawl-delay: 0.2\n", ctype: "text/plain"})
	opts := testOptions()
	opts.Rate, opts.Concurrency = 1000, 4
	c := runSync(t, opts, empty(), Source{URL: s.url("/sitemap.xml")})
	if len(c.ids) != 4 {
		t.Fatalf("indexed %v, problems %v", c.ids, c.problems)
	}
	s.mu.Lock()
	at := slices.Clone(s.at)
	s.mu.Unlock()
	if len(at) != 6 { // robots.txt, the sitemap, 4 pages
		t.Fatalf("%d requests, want 6", len(at))
	}
	// After robots.txt, the sitemap and the 4 pages go at most one per 0.2s:
	// 0.8s at least from the first to the last (measured over the span, as
	// one request's delay in transit can shorten the gap after it).
	if d := at[5].Sub(at[1]); d < 700*time.Millisecond {
		t.Errorf("the sitemap and 4 pages came within %s; robots.txt asks for 0.2s between requests", d)
	}
}

// TestHeadersOnlyToTheSourcesHost: a sitemap that lists a page on the host
// of another configured source does not send its headers there.
func TestHeadersOnlyToTheSourcesHost(t *testing.T) {
	other := newSite(t)
	other.set("/page", page("Elsewhere", "another team's page"))
	other.set("/feed", doc{body: "<rss version=\"2.0\">\n", ctype: "application/rss+xml"})
	s := newSite(t)
	s.set("/sitemap.xml", doc{body: `<urlset><url><loc>http://intranet.example/mine</loc></url><url><loc>` + other.url("/page") + `</loc></url></urlset>`})
	s.set("/mine", page("Mine", "our page"))
	const token = "Bearer only-for-s"
	c := runSync(t, testOptions(), empty(), Source{URL: s.url("/sitemap.xml"), Headers: map[string]string{"Authorization": token}}, Source{URL: other.url("/feed")})
	if len(c.ids) != 2 || len(c.problems) != 0 {
		t.Fatalf("ids %v, problems %v", c.ids, c.problems)
	}
	other.mu.Lock()
	defer other.mu.Unlock()
	for _, a := range other.auth {
		if a != "" {
			t.Errorf("the other host got Authorization %q", a)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.auth, token) {
		t.Errorf("the source's own host did not get its header: %q", s.auth)
	}
}
