package index

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestShardsAgree checks that a sharded index finds exactly what a single
// one finds, in the same order where the order is decided by the text. Exact
// score equality is not possible with bleve 2.6: its global scoring shares
// the document count and field lengths across shards, but each shard still
// uses its own count of documents containing a term (the idf's df), so
// near-equal scores may swap.
func TestShardsAgree(t *testing.T) {
	build := func(shards int) *Index {
		opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
		opts.Shards = shards
		ix, err := Create(opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		if _, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{}); err != nil {
			t.Fatal(err)
		}
		if ix.Shards() != shards {
			t.Fatalf("Shards() = %d, want %d", ix.Shards(), shards)
		}
		return ix
	}
	one, three := build(1), build(3)
	sorted := func(r *Result) []string {
		out := ids(r)
		slices.Sort(out)
		return out
	}
	for _, q := range []Query{
		{Text: "oil prices"},
		{Text: "bank rate"},
		{Text: "+trade +deficit"},
		{Text: "company shares"},
		{Text: "china cambodia"},
		{Text: "oil", From: "1987-03-01", To: "1987-03-31"},
	} {
		q.Size = 100
		a, b := mustSearch(t, one, q), mustSearch(t, three, q)
		if a.Total != b.Total {
			t.Errorf("%+v: total %d with 1 shard, %d with 3", q, a.Total, b.Total)
		}
		if diff := cmp.Diff(sorted(a), sorted(b)); diff != "" {
			t.Errorf("%+v: matches differ (-1 shard +3 shards):\n%s", q, diff)
		}
	}
	// A clear best match is the same; orders by date are identical.
	for _, q := range []string{`"Diamond Hexagon"`, "syndicated feed", "maintenance tonight", "canteen menu"} {
		a, b := mustSearch(t, one, Query{Text: q}), mustSearch(t, three, Query{Text: q})
		if len(a.Hits) == 0 || len(b.Hits) == 0 || a.Hits[0].ID != b.Hits[0].ID {
			t.Errorf("%q: best match %v with 1 shard, %v with 3", q, ids(a), ids(b))
		}
	}
	for _, q := range []Query{
		{Sort: SortDateDesc, Size: 100},
		{Text: "oil", Sort: SortDateAsc, Size: 100},
	} {
		if diff := cmp.Diff(ids(mustSearch(t, one, q)), ids(mustSearch(t, three, q))); diff != "" {
			t.Errorf("%+v: order differs (-1 shard +3 shards):\n%s", q, diff)
		}
	}
	c1, _ := one.Count()
	c3, _ := three.Count()
	if c1 != c3 {
		t.Errorf("count %d vs %d", c1, c3)
	}
}
