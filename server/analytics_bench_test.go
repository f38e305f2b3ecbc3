package server

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/analytics"
)

// reuters is the Reuters-21578 index of the recording benchmark, built
// once per test binary from ../shared beside the repository.
var reuters struct {
	once    sync.Once
	dir     string
	ix      *index.Index
	queries []string // /api/search targets from the shared query log
	err     error
}

// reutersIndex returns the Reuters index and the search targets of the
// shared query log, or skips when the corpus is not beside the repository.
func reutersIndex(b *testing.B) (*index.Index, []string) {
	b.Helper()
	var shared string
	for _, up := range []string{"../..", "../../.."} {
		if p, _ := filepath.Abs(filepath.Join(up, "shared")); p != "" {
			if _, err := os.Stat(filepath.Join(p, "corpora", "reuters21578", "articles.jsonl.gz")); err == nil {
				shared = p
				break
			}
		}
	}
	if shared == "" {
		b.Skip("SKIPPED: ../shared/corpora/reuters21578 is not beside the repository")
	}
	reuters.once.Do(func() {
		if reuters.dir, reuters.err = os.MkdirTemp("", "folio-bench-reuters-"); reuters.err != nil {
			return
		}
		o := index.DefaultOptions(filepath.Join(reuters.dir, "idx"))
		o.Timeout = time.Minute // CPU is measured, not latency: a loaded machine must not time searches out
		if reuters.ix, reuters.err = index.Create(o); reuters.err != nil {
			return
		}
		corpus := filepath.Join(shared, "corpora", "reuters21578", "articles.jsonl.gz")
		if _, reuters.err = reuters.ix.Ingest(context.Background(), []string{corpus}, index.IngestOptions{}); reuters.err != nil {
			return
		}
		f, err := os.Open(filepath.Join(shared, "bench", "queries-reuters.tsv"))
		if err != nil {
			reuters.err = err
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() && len(reuters.queries) < 200 {
			fields := strings.Split(sc.Text(), "\t")
			v := url.Values{"q": {fields[0]}}
			if len(fields) == 3 && fields[1] != "" {
				v.Set("from", fields[1])
				v.Set("to", fields[2])
			}
			reuters.queries = append(reuters.queries, "/api/search?"+v.Encode())
		}
		reuters.err = sc.Err()
	})
	if reuters.err != nil {
		b.Fatal(reuters.err)
	}
	return reuters.ix, reuters.queries
}

// recordingRounds is how many times BenchmarkSearchRecording alternates
// off and on in one run, so that the two are measured interleaved under
// the same load (-count repeats each sub-benchmark back to back instead).
const recordingRounds = 3

// BenchmarkSearchRecording measures GET /api/search through echo on the
// Reuters index, cycling through 200 queries of the shared query log, with
// analytics off and on (a bbolt store in a temporary directory),
// alternately recordingRounds times (analytics=off, analytics=on,
// analytics=off#01, ...). Besides ns/op (wall clock) it reports
// cpu-ns/op, the process's CPU time per search, which also counts the
// recorder's writer goroutine.
func BenchmarkSearchRecording(b *testing.B) {
	ix, queries := reutersIndex(b)
	for range recordingRounds {
		for _, on := range []bool{false, true} {
			benchRecording(b, ix, queries, on)
		}
	}
}

// benchRecording is one sub-benchmark of BenchmarkSearchRecording.
func benchRecording(b *testing.B, ix *index.Index, queries []string, on bool) {
	name := "analytics=off"
	if on {
		name = "analytics=on"
	}
	b.Run(name, func(b *testing.B) {
		opts := DefaultOptions()
		var rec *analytics.Recorder
		if on {
			db, err := analytics.Open(analytics.File(b.TempDir()), time.Second)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			rec = analytics.NewRecorder(db, analytics.Options{})
			defer rec.Close()
			opts.Analytics = rec
		}
		srv := New(ix, opts, nil)
		reqs := make([]*http.Request, len(queries))
		for i, q := range queries {
			reqs[i] = httptest.NewRequest(http.MethodGet, q, nil)
		}
		b.ReportAllocs()
		start, n := cpuTime(), 0
		for b.Loop() {
			rw := httptest.NewRecorder()
			srv.ServeHTTP(rw, reqs[n%len(reqs)])
			if rw.Code != http.StatusOK {
				b.Fatalf("%s: status %d: %s", queries[n%len(queries)], rw.Code, rw.Body)
			}
			n++
		}
		if rec != nil { // the writer's work is part of the cost
			if err := rec.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			if c := rec.Counts(); c.Dropped > 0 {
				b.Logf("%d records dropped (buffer full)", c.Dropped)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
	})
}
