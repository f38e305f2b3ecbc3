package index

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBM25Stats: the statistics count tokens, not distinct terms, and the
// figures cached in the shards equal freshly computed ones.
func TestBM25Stats(t *testing.T) {
	ix := facetIndex(t)
	fresh, err := ix.computeBM25Stats(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	cached, err := ix.computeBM25Stats(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fresh, cached); diff != "" {
		t.Errorf("cached statistics differ (-fresh +cached):\n%s", diff)
	}
	if fresh.DocCount != 6 {
		t.Errorf("DocCount = %v, want 6", fresh.DocCount)
	}
	// Titles of testdata/facets: "Oil prices rise" (3 tokens), "Oil output
	// cut" (3), "Oil demand outlook" (3), "Oil tanker delayed" (3), "Wheat
	// harvest" (2), "Oil and gas merger" (3: "and" is a stop word).
	if got := fresh.FieldCardinality[fieldTitle]; got != 17 {
		t.Errorf("title tokens = %d, want 17", got)
	}
}
