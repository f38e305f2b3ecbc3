package index

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// crawlPages is the size of the generated site of BenchmarkSyncSitemap.
const crawlPages = 2000

// generatedSite serves a sitemap of n generated news pages (navigation, a
// cookie banner, a script and an article of a few paragraphs each) on a
// loopback httptest server.
func generatedSite(b *testing.B, n int, requests *atomic.Int64) *httptest.Server {
	var sm strings.Builder
	sm.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range n {
		fmt.Fprintf(&sm, "<url><loc>http://HOST/news/%d</loc><lastmod>2026-11-%02dT09:00:00Z</lastmod></url>", i, 1+i%28)
	}
	sm.WriteString("</urlset>")
	page := func(i int) string {
		var p strings.Builder
		fmt.Fprintf(&p, `<!doctype html><html><head><title>Staff news %d: the canteen, the harbour office and the quarterly plan</title>
<meta property="article:published_time" content="2026-11-%02dT09:00:00Z"><meta name="author" content="Newsroom">
<script>window.tracker = {page: %d};</script></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/people">People</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve this intranet. <button>Accept</button></div>
<article><h1>Staff news %d</h1>`, i, 1+i%28, i, i)
		for j := range 6 {
			fmt.Fprintf(&p, "<p>Paragraph %d of article %d: the harbour office reopens after the works, the canteen serves a new menu from Monday, and the quarterly plan for every team is published on the intranet with its budget and milestones.</p>\n", j, i)
		}
		p.WriteString(`</article><footer>© Example Corp · <a href="/privacy">Privacy</a></footer></body></html>`)
		return p.String()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch {
		case r.URL.Path == "/sitemap.xml":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, strings.ReplaceAll(sm.String(), "HOST", r.Host))
		case strings.HasPrefix(r.URL.Path, "/news/"):
			i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/news/"))
			if err != nil || i < 0 || i >= n {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page(i))
		default:
			http.NotFound(w, r)
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkSyncSitemap crawls a loopback sitemap of 2,000 generated HTML
// pages into a new index per iteration, end to end: fetch (robots.txt,
// index.crawl.concurrency 2, no rate limit), readability extraction and
// the index writes. It reports pages per second.
//
//	make bench-crawl
func BenchmarkSyncSitemap(b *testing.B) {
	var requests atomic.Int64
	srv := generatedSite(b, crawlPages, &requests)
	ctx := context.Background()
	for i := range b.N {
		b.StopTimer()
		opts := DefaultOptions(filepath.Join(b.TempDir(), fmt.Sprint("idx", i)))
		opts.Web.Rate = -1 // no rate limit: the figure is Folio's own speed
		ix, err := Create(opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := ix.Sync(ctx, []string{srv.URL + "/sitemap.xml"}, IngestOptions{})
		b.StopTimer()
		if err != nil || sum.Indexed != crawlPages || sum.Skipped != 0 {
			b.Fatalf("sync %+v, %v; want %d pages indexed", sum, err, crawlPages)
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(crawlPages*b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkSyncSitemapUnchanged is the sync after BenchmarkSyncSitemap's
// when nothing changed: the pages' lastmods are the same, so only
// robots.txt and the sitemap are requested. It reports the requests and
// the articles written per sync (0).
func BenchmarkSyncSitemapUnchanged(b *testing.B) {
	var requests atomic.Int64
	srv := generatedSite(b, crawlPages, &requests)
	ctx := context.Background()
	opts := DefaultOptions(filepath.Join(b.TempDir(), "idx"))
	opts.Web.Rate = -1
	ix, err := Create(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	srcs := []string{srv.URL + "/sitemap.xml"}
	if _, err := ix.Sync(ctx, srcs, IngestOptions{}); err != nil {
		b.Fatal(err)
	}
	requests.Store(0)
	written := 0
	b.ResetTimer()
	for range b.N {
		sum, err := ix.Sync(ctx, srcs, IngestOptions{})
		if err != nil || sum.NotModified != crawlPages {
			b.Fatalf("sync %+v, %v; want every page not modified", sum, err)
		}
		written += sum.Indexed + sum.Updated + sum.Deleted
	}
	b.ReportMetric(float64(requests.Load())/float64(b.N), "requests/sync")
	b.ReportMetric(float64(written)/float64(b.N), "written/sync")
}
