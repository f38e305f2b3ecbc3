package index

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// tiedIndex is an index of many articles with equal scores for "alpha":
// 30 copies of a stronger text, then 150 copies of a weaker one, written in
// an order unlike their ids.
func tiedIndex(t *testing.T, shards int) *Index {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "tied.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	add := func(id, body string) {
		if err := enc.Encode(map[string]string{"id": id, "title": "Report", "body": body}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 150 {
		add(fmt.Sprintf("weak-%03d", i*37%150), "alpha beta gamma delta")
		if i < 30 {
			add(fmt.Sprintf("strong-%02d", i*7%30), "alpha alpha beta")
		}
	}
	add("other", "beta gamma")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions(filepath.Join(dir, "idx"))
	opts.Shards = shards
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Ingest(context.Background(), []string{f.Name()}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestWindowOrdersTies checks that relevance pages come out in score, then
// id order on every path of window: ties settled by the score-only search,
// a run of ties too deep for the slack, and recent ties too deep for any.
func TestWindowOrdersTies(t *testing.T) {
	for _, shards := range []int{1, 3} {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			ix := tiedIndex(t, shards)
			want := func(i int) string { // the exact order: strong, then weak, each by id
				if i < 30 {
					return fmt.Sprintf("strong-%02d", i)
				}
				return fmt.Sprintf("weak-%03d", i-30)
			}
			for _, c := range []struct {
				reach      float64 // of recent ties, before the search
				page, size int
				after      float64 // the reach after it, which tells the path taken
			}{
				{0, 1, 10, 16},         // slack 8: the 30 strong copies run past it: exact search, reach 2×8
				{0, 3, 10, 0},          // slack 8: the page ends at the last strong copy: settled, no tie past the end
				{40, 1, 10, 0.97 * 40}, // slack 68: settled; 20 strong copies past the end, less than the decayed reach
				{40, 5, 10, 136},       // slack 68: 150 weak copies run past it: exact search, reach 2×68
				{40, 4, 40, 0.97 * 40}, // every match fetched: settled
				{1000, 1, 10, 970},     // recent ties too deep for any slack: exact search at once, the reach decays
			} {
				ix.ties.SetReach(c.reach)
				res, err := ix.Search(context.Background(), Query{Text: "alpha", Page: c.page, Size: c.size})
				if err != nil {
					t.Fatal(err)
				}
				if res.Total != 180 {
					t.Fatalf("page %d: total %d, want 180", c.page, res.Total)
				}
				from := (c.page - 1) * c.size
				if wantLen := min(c.size, 180-from); len(res.Hits) != wantLen {
					t.Fatalf("page %d: %d hits, want %d", c.page, len(res.Hits), wantLen)
				}
				for i, h := range res.Hits {
					if h.ID != want(from+i) {
						t.Fatalf("reach %g, page %d size %d: hit %d is %s, want %s", c.reach, c.page, c.size, from+i, h.ID, want(from+i))
					}
				}
				if got := ix.ties.Reach(); math.Abs(got-c.after) > 1e-9 {
					t.Errorf("reach %g, page %d size %d: reach after %g, want %g", c.reach, c.page, c.size, got, c.after)
				}
			}
		})
	}
}
