package index

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestRecencyBoost: three articles with the same text tie without the boost
// (ids decide); with a half-life the newest comes first, the undated last.
func TestRecencyBoost(t *testing.T) {
	build := func(halfLife time.Duration) *Index {
		o := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
		o.RecencyHalfLife = halfLife
		ix, err := Create(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		if _, err := ix.Ingest(context.Background(), []string{"../testdata/recency"}, IngestOptions{Strict: true}); err != nil {
			t.Fatal(err)
		}
		return ix
	}
	q := Query{Text: "harbour bridge"}
	off := mustSearch(t, build(0), q)
	if got, want := ids(off), []string{"a-old", "b-new", "c-undated"}; !slices.Equal(got, want) {
		t.Errorf("without recency: %v, want %v (equal scores ordered by id)", got, want)
	}
	on := build(5 * 365 * 24 * time.Hour)
	res := mustSearch(t, on, q)
	if got, want := ids(res), []string{"b-new", "a-old", "c-undated"}; !slices.Equal(got, want) {
		t.Errorf("with a 5-year half-life: %v, want %v", got, want)
	}
	// Cursor paging agrees with the boosted order.
	if got := allByCursor(t, on, Query{Text: "harbour bridge", Size: 1}); !slices.Equal(got, ids(res)) {
		t.Errorf("cursor pages %v, want %v", got, ids(res))
	}
}
