package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/folio-search/folio/index/article"
)

// BenchmarkCrawl2000Pages crawls a sitemap of 2,000 generated pages on a
// loopback httptest server (no rate limit, index.crawl.concurrency 2) and
// reports pages per second (fetching and the test extractors, not the
// index writes).
func BenchmarkCrawl2000Pages(b *testing.B) {
	s := newSite(b)
	var urls strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&urls, "<url><loc>http://intranet.example/p%d</loc></url>", i)
		s.set(fmt.Sprintf("/p%d", i), page(fmt.Sprint("Page ", i), strings.Repeat("Some article text. ", 200)))
	}
	s.set("/sitemap.xml", doc{body: "<urlset>" + urls.String() + "</urlset>"})
	opts := testOptions()
	opts.MaxURLs = 5000
	b.ResetTimer()
	for range b.N {
		n := 0
		_, _, err := Run(context.Background(), opts, testExtractors, []Source{{URL: s.url("/sitemap.xml")}}, empty(), 1<<20, func(r article.Record) error {
			if r.Err == nil {
				n++
			}
			return nil
		})
		if err != nil || n != 2000 {
			b.Fatalf("indexed %d pages, err %v", n, err)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "pages/s")
}
