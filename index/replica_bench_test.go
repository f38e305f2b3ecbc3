package index

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio-search/folio/index/article"
)

// BenchmarkClusterPut: acknowledged single puts per second through one
// node of three (16 writers), the process CPU per put (the three nodes
// run in this process), and the lag from acknowledgement to applied on
// another node (p50, p99).
func BenchmarkClusterPut(b *testing.B) {
	ixs := openReplicas(b)
	ctx := context.Background()
	if _, err := ixs[0].Put(ctx, article.Article{ID: "warm", Title: "warm up"}); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	var mu sync.Mutex
	var lags []time.Duration
	var waiters sync.WaitGroup
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0))) // 16 writers
	cpu := cpuNow()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("p%d", n.Add(1))
			wctx, rec := WithSeqRecorder(ctx)
			if _, err := ixs[0].Put(wctx, article.Article{ID: id, Title: "bench " + id, Body: "a replicated write"}); err != nil {
				b.Error(err)
				return
			}
			acked, seq := time.Now(), rec.Last()
			waiters.Go(func() {
				if ixs[1].WaitApplied(ctx, seq) == nil {
					mu.Lock()
					lags = append(lags, time.Since(acked))
					mu.Unlock()
				}
			})
		}
	})
	b.StopTimer()
	waiters.Wait()
	b.ReportMetric(float64((cpuNow()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	reportLags(b, lags)
}

// BenchmarkClusterBulk: acknowledged articles per second of 1000-line
// bulk requests through one node of three, and the process CPU per
// request (the three nodes run in this process).
func BenchmarkClusterBulk(b *testing.B) {
	ixs := openReplicas(b)
	ctx := context.Background()
	var lines strings.Builder
	cpu := cpuNow()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		lines.Reset()
		for k := range 1000 {
			fmt.Fprintf(&lines, `{"id":"b%d-%d","title":"bulk %d","body":"a replicated bulk line"}`+"\n", i, k, k)
		}
		b.StartTimer()
		if err := ixs[0].Bulk(ctx, strings.NewReader(lines.String()), 1<<20, func([]WriteResult) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuNow()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "articles/s")
}

func reportLags(b *testing.B, lags []time.Duration) {
	if len(lags) == 0 {
		return
	}
	slices.Sort(lags)
	b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "lag-p50-ms")
	b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds())/1000, "lag-p99-ms")
}

// BenchmarkClusterRebuild: a rebuild from the log (replay of the
// compacted stream into a new generation, then the swap) of a one-node
// cluster (R1, fsync always) holding Reuters, loaded through Bulk: seconds
// and CPU per rebuild, articles replayed per second.
func BenchmarkClusterRebuild(b *testing.B) {
	zr := reutersLines(b, "BenchmarkClusterRebuild")
	o := singleNode(b, b.TempDir(), &logLines{})
	ix, err := OpenOrCreate(o)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	if err := ix.Bulk(ctx, zr, 1<<24, func([]WriteResult) error { return nil }); err != nil {
		b.Fatal(err)
	}
	var sum IngestSummary
	cpu := cpuNow()
	b.ResetTimer()
	for b.Loop() {
		if sum, err = ix.Rebuild(ctx, nil, IngestOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuNow()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(sum.Indexed)/(b.Elapsed().Seconds()/float64(b.N)), "articles/s")
	b.ReportMetric(float64(sum.After), "articles")
}
