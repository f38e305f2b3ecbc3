package index

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"
)

// reutersWithGroups indexes Reuters-21578 with groups on every third
// article (one or two of hr, eng, legal, finance, ops), merged to one
// segment as `folio index` leaves it (so no merge runs in the background
// while searches are measured), or skips.
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
	if _, err := ix.Ingest(context.Background(), []string{out.Name()}, IngestOptions{Merge: true}); err != nil {
		b.Fatal(err)
	}
	return ix
}

// BenchmarkVisibility: searches on Reuters with groups on a third of the
// articles, as a reader of 3 groups (87% of the articles visible) and with
// no visibility filter at all (AllArticles), for word queries, a browse
// and a faceted search. The two readers' searches of a query alternate
// (each iteration searches as both, in turns first), so that both meet
// the same load of a shared machine; all-cpu-ns/op and 3groups-cpu-ns/op
// are the process's CPU time per search of each (GC included), overhead-%
// the second over the first: the figure the bound is about. Each
// query is searched once by each reader and the heap collected (and its
// free memory returned) first, so that no sub-benchmark pays for what the
// indexing left to do or for a first search's one-off work (the reader's
// bitmap, did you mean's list of frequent words).
func BenchmarkVisibility(b *testing.B) {
	ix := reutersWithGroups(b)
	readers := [2]Visibility{AllArticles(), {Groups: []string{"hr", "legal", "finance"}}}
	queries := []Query{
		{Text: "oil prices"},
		{Text: "bank interest rates"},
		{Text: "+coffee +brazil"},
		{},
		{Text: "trade", Facets: []string{"places,topics"}},
	}
	search := func(q Query, vis Visibility) {
		q.Visible = vis
		if _, err := ix.Search(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range queries {
		for _, vis := range readers {
			search(q, vis)
		}
	}
	debug.FreeOSMemory() // a collection and the memory returned now, not by the scavenger during the first sub-benchmark
	for _, q := range queries {
		name := "q=" + q.Text
		if len(q.Facets) > 0 {
			name += "+facets"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var cpu [2]time.Duration
			for i := 0; b.Loop(); i++ {
				for k := range readers {
					r := (i + k) % len(readers)
					start := cpuNow()
					search(q, readers[r])
					cpu[r] += cpuNow() - start
				}
			}
			b.ReportMetric(float64(cpu[0])/float64(b.N), "all-cpu-ns/op")
			b.ReportMetric(float64(cpu[1])/float64(b.N), "3groups-cpu-ns/op")
			b.ReportMetric(100*(float64(cpu[1])/float64(cpu[0])-1), "overhead-%")
		})
	}
}
