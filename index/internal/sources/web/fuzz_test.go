package web

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseSitemap: any input either parses into at most max entries, each
// with a non-empty <loc> and both fields within maxLocBytes, or is one
// problem naming the sitemap and a line; it never panics.
func FuzzParseSitemap(f *testing.F) {
	for _, name := range []string{"sitemap_index.xml", "sitemap-news.xml", "sitemap-pages.xml", "sitemap-malformed.xml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<urlset><url><loc>a</loc><x><y/></x></url></urlset>"))
	f.Add([]byte("<urlset>" + strings.Repeat("<a>", 40)))
	f.Fuzz(func(t *testing.T, b []byte) {
		const max = 20
		sm, err := ParseSitemap(b, "fuzz.xml", max)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.xml:") || err.Line < 1 || err.Reason != ReasonBadSitemap {
				t.Fatalf("problem %q (line %d, reason %q)", err.Error(), err.Line, err.Reason)
			}
			return
		}
		if len(sm.Entries) > max {
			t.Fatalf("%d entries, more than %d", len(sm.Entries), max)
		}
		for _, e := range sm.Entries {
			if e.Loc == "" || len(e.Loc) > maxLocBytes || len(e.Lastmod) > maxLocBytes {
				t.Fatalf("entry %+v", e)
			}
		}
	})
}
