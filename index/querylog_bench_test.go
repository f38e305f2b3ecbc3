package index

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// queryLog is the perf harness's query log (../shared/bench), each query
// with every clause required, as its load generator sends them to Folio
// (-plus: oil "crude price" becomes +oil +"crude price").
func queryLog(tb testing.TB) []Query {
	tb.Helper()
	corpus := reutersCorpus()
	if corpus == "" {
		tb.Skip("SKIPPED: ../shared is not beside the repository")
	}
	path := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(corpus))), "bench", "queries-reuters.tsv")
	f, err := os.Open(path)
	if err != nil {
		tb.Skip("SKIPPED: " + err.Error())
	}
	defer f.Close()
	var qs []Query
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(qs) < 1000 {
		fields := strings.Split(sc.Text(), "\t")
		q := Query{Text: requireAll(fields[0])}
		if len(fields) == 3 {
			q.From, q.To = fields[1], fields[2]
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return qs
}

// requireAll prefixes every word and quoted phrase of q with +.
func requireAll(q string) string {
	var parts []string
	for len(q) > 0 {
		q = strings.TrimLeft(q, " ")
		if q == "" {
			break
		}
		end := strings.IndexByte(q, ' ')
		if q[0] == '"' {
			if i := strings.IndexByte(q[1:], '"'); i >= 0 {
				end = i + 2
			}
		}
		if end < 0 {
			end = len(q)
		}
		parts = append(parts, "+"+q[:end])
		q = q[end:]
	}
	return strings.Join(parts, " ")
}

// BenchmarkQueryLog runs the perf harness's 1,000 queries (every clause
// required, dates as logged) through Search on the Reuters index
// (or FOLIO_BENCH_CORPUS, see matchingIndex),
// reporting CPU time per query beside wall time.
func BenchmarkQueryLog(b *testing.B) {
	ix := matchingIndex(b)
	qs := queryLog(b)
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := cpuNow()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, qs[i%len(qs)]); err != nil {
			b.Fatalf("%+v: %v", qs[i%len(qs)], err)
		}
		i++
	}
	b.ReportMetric(float64(cpuNow()-cpu0)/float64(i), "cpu-ns/op")
}
