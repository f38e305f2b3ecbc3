package engine

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestFilterCache: a cached filter finds exactly what the filter finds,
// before and after a write (a new snapshot); the cache never holds more
// bitmaps or bytes than its bounds, however many filters are asked for.
func TestFilterCache(t *testing.T) {
	s, err := bleve.New(filepath.Join(t.TempDir(), "idx"), bleve.NewIndexMapping()) // scorch (NewMemOnly is not)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := s.NewBatch()
	for i := range 200 {
		if err := b.Index(fmt.Sprintf("d%03d", i), map[string]any{"g": fmt.Sprintf("g%d", i%20), "w": "word"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Batch(b); err != nil {
		t.Fatal(err)
	}
	c := newFilterCache(4, 1<<20)
	count := func(group string) uint64 {
		t.Helper()
		tq := query.NewTermQuery(group)
		tq.SetField("g")
		w := query.NewTermQuery("word")
		w.SetField("w")
		res, err := s.SearchInContext(context.Background(), bleve.NewSearchRequest(PostFiltered(w, Cached(c, group, tq))))
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if count("g0"); len(c.entries) != 1 {
		t.Fatalf("after one search the cache holds %d bitmaps, want 1 (is the reader a scorch snapshot?)", len(c.entries))
	}
	for round := range 3 {
		for g := range 20 {
			if n := count(fmt.Sprintf("g%d", g)); n != 10 {
				t.Fatalf("round %d: group g%d finds %d, want 10", round, g, n)
			}
			if len(c.entries) > 4 || c.bytes > 1<<20 {
				t.Fatalf("the cache holds %d bitmaps, %d bytes: over its bounds", len(c.entries), c.bytes)
			}
		}
	}
	if err := s.Index("d999", map[string]any{"g": "g3", "w": "word"}); err != nil {
		t.Fatal(err)
	}
	if n := count("g3"); n != 11 {
		t.Errorf("after a write, g3 finds %d, want 11", n)
	}
	tiny := newFilterCache(4, 1)
	c = tiny
	if n := count("g5"); n != 10 || len(tiny.entries) != 0 {
		t.Errorf("a bitmap over the byte bound: %d found, %d kept; want 10 found, none kept", n, len(tiny.entries))
	}
}

// TestFilterCacheAcrossShards: a scored search over two shards (each
// shard's reader wrapped for global scoring, see GlobalQuery) filters by
// the bitmaps of the cache, one per shard, and finds what the filter
// finds, scored as without it.
func TestFilterCacheAcrossShards(t *testing.T) {
	var shards []bleve.Index
	for s := range 2 {
		sh, err := bleve.New(filepath.Join(t.TempDir(), fmt.Sprint("shard", s)), bleve.NewIndexMapping())
		if err != nil {
			t.Fatal(err)
		}
		defer sh.Close()
		b := sh.NewBatch()
		for i := range 100 {
			words := "word"
			if i%7 == 0 {
				words = "word word other"
			}
			if err := b.Index(fmt.Sprintf("s%dd%03d", s, i), map[string]any{"g": fmt.Sprintf("g%d", i%4), "w": words}); err != nil {
				t.Fatal(err)
			}
		}
		if err := sh.Batch(b); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, sh)
	}
	alias := bleve.NewIndexAlias(shards...)
	st := &search.BM25Stats{DocCount: 200, FieldCardinality: map[string]int{"w": 2}}
	w := query.NewTermQuery("word")
	w.SetField("w")
	g := query.NewTermQuery("g1")
	g.SetField("g")
	c := newFilterCache(4, 1<<20)
	filtered, err := Search(context.Background(), alias, shards, bleve.NewSearchRequestOptions(PostFiltered(w, Cached(c, "g1", g)), 200, 0, false), st, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.entries) != 2 {
		t.Errorf("after a scored search of two shards the cache holds %d bitmaps, want 2 (one per shard's snapshot)", len(c.entries))
	}
	all, err := Search(context.Background(), alias, shards, bleve.NewSearchRequestOptions(w, 200, 0, false), st, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for _, h := range all.Hits {
		var n int
		if _, err := fmt.Sscanf(h.ID[3:], "%d", &n); err == nil && n%4 == 1 {
			want[h.ID] = h.Score
		}
	}
	got := map[string]float64{}
	for _, h := range filtered.Hits {
		got[h.ID] = h.Score
	}
	if filtered.Total != 50 || !maps.Equal(got, want) {
		t.Errorf("filtered: total %d, hits %v; want 50, %v", filtered.Total, got, want)
	}
}
