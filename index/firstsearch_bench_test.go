package index

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// firstSearchIndex is the path of a closed index of the Reuters corpus:
// FOLIO_BENCH_INDEX when set (built there by the first run, opened by the
// next), else one built in a temporary directory.
func firstSearchIndex(b *testing.B) string {
	b.Helper()
	path := os.Getenv("FOLIO_BENCH_INDEX")
	if path != "" && Exists(path) {
		return path
	}
	corpus := needReuters(b, "the first search after Open is not measured")
	if path == "" {
		path = filepath.Join(b.TempDir(), "idx")
	}
	ix, err := Create(DefaultOptions(path))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ix.Ingest(context.Background(), []string{corpus}, IngestOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkFirstSearchAfterOpen measures the first search of a did you
// mean or typo query after Open (each op opens the Reuters index, searches
// once, and closes it): p50/max of that search's latency.
func BenchmarkFirstSearchAfterOpen(b *testing.B) {
	path := firstSearchIndex(b)
	for _, c := range []struct{ name, q string }{
		{"goverment", "goverment"}, // a rare misspelling the index holds: respelt
		{"oill", "oill"},           // a word the index lacks: did you mean
	} {
		b.Run(c.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				b.StopTimer()
				ix, err := Open(DefaultOptions(path))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				if _, err := ix.Search(context.Background(), Query{Text: c.q}); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
				b.StopTimer()
				if err := ix.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
		})
	}
}
