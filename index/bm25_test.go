package index

import (
	"context"
	"path/filepath"

	"github.com/blevesearch/bleve/v2/search"
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

// TestBM25StatsCounted: the statistics a bulk load into an empty index takes
// from its own analysis equal the ones walked from the postings, with one
// shard and three, with synonym documents in the shards, and after a second
// load that replaces articles (which walks again).
func TestBM25StatsCounted(t *testing.T) {
	for _, shards := range []int{1, 3} {
		opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
		opts.Shards = shards
		opts.Synonyms = [][]string{{"oil", "petroleum"}}
		ix, err := Create(opts)
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		for load := 1; load <= 2; load++ {
			if _, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{}); err != nil {
				t.Fatal(err)
			}
			got := ix.bm25.Load()
			walked, err := ix.computeBM25Stats(context.Background(), false)
			if err != nil {
				t.Fatal(err)
			}
			// Only the token fields and the document count are Folio's;
			// bleve's own figures for the keyword fields (vocabulary per
			// segment) move as its merger runs.
			pick := func(st *search.BM25Stats) []float64 {
				return []float64{st.DocCount, float64(st.FieldCardinality[fieldText]), float64(st.FieldCardinality[fieldTitle])}
			}
			if diff := cmp.Diff(pick(walked), pick(got)); diff != "" {
				t.Errorf("%d shards, load %d: statistics differ (-walked +counted):\n%s", shards, load, diff)
			}
			if got.FieldCardinality[fieldText] < 10000 {
				t.Errorf("%d shards, load %d: text tokens = %d, want the whole testdata", shards, load, got.FieldCardinality[fieldText])
			}
		}
	}
}
