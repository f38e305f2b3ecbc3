package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio-search/folio/index/article"
)

// The benchmarks run on testdata/articles (212 articles, in the repository),
// so their figures compare across machines and commits with benchstat.

func readTestArticles(b testing.TB) [][]byte {
	b.Helper()
	entries, err := os.ReadDir(testArticles)
	if err != nil {
		b.Fatal(err)
	}
	var files [][]byte
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(testArticles, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	return files
}

func BenchmarkParseText(b *testing.B) {
	files := readTestArticles(b)
	p := &article.Parser{Dates: article.DefaultDateParser()}
	var n int64
	for _, f := range files {
		n += int64(len(f))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			if _, err := p.ParseText(f, "x.txt", "x"); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkParseJSONL(b *testing.B) {
	var sb strings.Builder
	for i := range 200 {
		fmt.Fprintf(&sb, `{"id":"r-%d","title":"OIL PRICES RISE %d","date":"1987-03-%02dT10:00:00Z","body":"Crude oil prices rose on the spot market today, traders said, as OPEC output fell.","topics":["crude"],"places":["usa"]}`+"\n", i, i, i%28+1)
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		fr := &article.Reader{Parser: &article.Parser{Dates: article.DefaultDateParser()}, Path: "x.jsonl", ID: "x", Ignored: map[string]struct{}{}}
		if err := fr.Read(strings.NewReader(in), article.FormatJSONL, false, func(r article.Record) error {
			if r.Err != nil {
				return r.Err
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIngestTestdata(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		ix, err := Create(DefaultOptions(filepath.Join(dir, "idx")))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{}); err != nil {
			b.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlan(b *testing.B) {
	ix := testIndex(&testing.T{})
	q := Query{Text: `+oil +"crude prices" -gas`, From: "Mar 1, 1987", To: "1987-03-31"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ix.plan(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	ix := testIndex(&testing.T{})
	for _, q := range []Query{
		{Text: `"Diamond Hexagon"`},
		{Text: "oil prices"},
		{Text: "+oil +prices", From: "1987-03-01", To: "1987-03-31"},
		{},
	} {
		b.Run(strings.NewReplacer(" ", "_", `"`, "").Replace(fmt.Sprintf("q=%s", q.Text)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ix.Search(context.Background(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
