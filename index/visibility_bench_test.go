package index

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// reutersWithGroups indexes Reuters-21578 with groups on every third
// article (one or two of hr, eng, legal, finance, ops), or skips.
func reutersWithGroups(b *testing.B) *Index {
	b.Helper()
	zr := reutersLines(b, "the cost of visibility filters is not measured")
	dir := b.TempDir()
	out, err := os.Create(filepath.Join(dir, "reuters.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	groups := [][]string{{"hr"}, {"eng", "ops"}, {"legal"}, {"finance", "hr"}, {"ops"}}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	w := bufio.NewWriter(out)
	for i := 0; sc.Scan(); i++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			b.Fatal(err)
		}
		if i%3 == 0 {
			m["groups"] = groups[(i/3)%len(groups)]
		}
		line, _ := json.Marshal(m)
		w.Write(append(line, '\n'))
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	out.Close()
	o := DefaultOptions(filepath.Join(dir, "idx"))
	o.KeywordFields = []string{"topics", "places"}
	ix, err := Create(o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	if _, err := ix.Ingest(context.Background(), []string{out.Name()}, IngestOptions{}); err != nil {
		b.Fatal(err)
	}
	return ix
}

// BenchmarkVisibility: searches on Reuters with groups on a third of the
// articles, as a reader of 3 groups and with no visibility filter at all
// (AllArticles), for word queries, a browse and a faceted search;
// cpu-ns/op is the process's CPU time per search (GC included), the
// figure the bound is about.
func BenchmarkVisibility(b *testing.B) {
	ix := reutersWithGroups(b)
	readers := []struct {
		name string
		vis  Visibility
	}{
		{"all", AllArticles()},
		{"3groups", Visibility{Groups: []string{"hr", "legal", "finance"}}},
	}
	for _, q := range []Query{
		{Text: "oil prices"},
		{Text: "bank interest rates"},
		{Text: "+coffee +brazil"},
		{},
		{Text: "trade", Facets: []string{"places,topics"}},
	} {
		for _, r := range readers {
			name := "q=" + q.Text + "/" + r.name
			if len(q.Facets) > 0 {
				name = "q=" + q.Text + "+facets/" + r.name
			}
			q := q
			q.Visible = r.vis
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				start := cpuNow()
				for b.Loop() {
					if _, err := ix.Search(context.Background(), q); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
