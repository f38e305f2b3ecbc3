package analytics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPartsAddUp: searches and clicks spread at random over three stores
// give, once each store's part is encoded, decoded and the parts merged,
// exactly the reports of one store holding them all.
func TestPartsAddUp(t *testing.T) {
	dir := t.TempDir()
	open := func(name string) (*DB, *Recorder, *time.Time) {
		db, err := Open(filepath.Join(dir, name), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		at := new(time.Time)
		r := NewRecorder(db, Options{Now: func() time.Time { return *at }})
		t.Cleanup(r.Close)
		return db, r, at
	}
	allDB, all, allAt := open("all.db")
	var nodes []*Recorder
	var clocks []*time.Time
	var dbs []Store
	for i := range 3 {
		db, r, at := open(fmt.Sprintf("n%d.db", i))
		nodes, clocks, dbs = append(nodes, r), append(clocks, at), append(dbs, db)
	}
	rng := rand.New(rand.NewPCG(18, 3))
	queries := []string{"oil", "oil prices", "zzqx", "cocoa", "gold"}
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 400 {
		at := start.Add(time.Duration(i) * 7 * time.Minute)
		q := queries[rng.IntN(len(queries))]
		s := Search{Query: q, Total: uint64(rng.IntN(3) * rng.IntN(50))}
		if s.Total == 0 && rng.IntN(2) == 0 {
			s.Suggestion = fmt.Sprintf("fix-%d", i) // the last one offered must win
		}
		n := rng.IntN(3)
		*allAt, *clocks[n] = at, at
		a, b := all.Search(s), nodes[n].Search(s)
		for range rng.IntN(3) {
			id, pos := fmt.Sprintf("reuters-%d", rng.IntN(6)), 1+rng.IntN(10)
			all.Click(a, id, pos)
			nodes[n].Click(b, id, pos)
		}
	}
	for _, r := range append(nodes, all) {
		if err := r.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for _, rg := range []Range{{}, {From: start.Add(10 * time.Hour), To: start.Add(30 * time.Hour)}} {
		for _, rep := range []string{ReportQueries, ReportZeroResults, ReportVolume, ReportArticles} {
			q := Request{Report: rep, From: rg.From, To: rg.To, Step: time.Hour}
			one, err := Compute(allDB, q)
			if err != nil {
				t.Fatal(err)
			}
			var parts []Part
			for _, db := range dbs {
				p, err := Compute(db, q)
				if err != nil {
					t.Fatal(err)
				}
				b, err := p.Encode()
				if err != nil {
					t.Fatal(err)
				}
				if p, err = DecodePart(b); err != nil {
					t.Fatal(err)
				}
				parts = append(parts, p)
			}
			var want, got any
			switch rep {
			case ReportQueries:
				want, got = QueryRows([]Part{one}, 100), QueryRows(parts, 100)
			case ReportZeroResults:
				want, got = ZeroRows([]Part{one}, 100), ZeroRows(parts, 100)
			case ReportArticles:
				want, got = ArticleRows([]Part{one}, 100), ArticleRows(parts, 100)
			case ReportVolume:
				w, err1 := VolumeRows([]Part{one}, rg, time.Hour)
				g, err2 := VolumeRows(parts, rg, time.Hour)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				want, got = w, g
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s of %v: the merged parts of 3 stores differ from one store (-one +merged):\n%s", rep, rg, d)
			}
		}
	}
	z := ZeroRows([]Part{mustCompute(t, allDB, ReportZeroResults)}, 100)
	if len(z.Rows) == 0 || !strings.HasPrefix(z.Rows[0].Suggestion, "fix-") {
		t.Errorf("zero results without the suggestions recorded: %+v", z.Rows)
	}
}

func mustCompute(t *testing.T, st Store, rep string) Part {
	t.Helper()
	p, err := Compute(st, Request{Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPartEncodeBounded: a part larger than MaxPartBytes keeps its most
// searched queries that fit and says Truncated; one that fits is whole.
func TestPartEncodeBounded(t *testing.T) {
	var p Part
	for i := range 20000 {
		p.Queries = append(p.Queries, QueryPart{Query: fmt.Sprintf("%s %d", strings.Repeat("q", 60), i), Count: i + 1})
	}
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodePart(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Queries) == 0 {
		t.Fatalf("encoded %d bytes, truncated %v: no query kept; want the most searched that fit", len(b), d.Truncated)
	}
	if len(b) > MaxPartBytes || !d.Truncated || len(d.Queries) == len(p.Queries) || d.Queries[0].Count != 20000 {
		t.Errorf("encoded %d bytes (max %d), truncated %v, %d of %d queries, first %+v: want the most searched that fit, truncated",
			len(b), MaxPartBytes, d.Truncated, len(d.Queries), len(p.Queries), d.Queries[0])
	}
	small := Part{Queries: p.Queries[:10]}
	b, _ = small.Encode()
	if d, _ := DecodePart(b); d.Truncated || len(d.Queries) != 10 {
		t.Errorf("a small part came back truncated %v with %d queries", d.Truncated, len(d.Queries))
	}
}
