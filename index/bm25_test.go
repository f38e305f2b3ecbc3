package index

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
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
	if got := fresh.FieldCardinality[schema.Title]; got != 17 {
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
				return []float64{st.DocCount, float64(st.FieldCardinality[schema.Text]), float64(st.FieldCardinality[schema.Title])}
			}
			if diff := cmp.Diff(pick(walked), pick(got)); diff != "" {
				t.Errorf("%d shards, load %d: statistics differ (-walked +counted):\n%s", shards, load, diff)
			}
			if got.FieldCardinality[schema.Text] < 10000 {
				t.Errorf("%d shards, load %d: text tokens = %d, want the whole testdata", shards, load, got.FieldCardinality[schema.Text])
			}
		}
	}
}

// TestOpenAppliesBM25: Create and Open set bleve's process-wide k1 and b from
// Options (BM25K1 0 means both defaults; b 0 is kept as no length
// normalisation), and refuse parameters out of range.
func TestOpenAppliesBM25(t *testing.T) {
	t.Cleanup(func() {
		if err := engine.SetBM25(DefaultBM25K1, DefaultBM25B); err != nil {
			t.Error(err)
		}
	})
	params := func() [2]float64 { return [2]float64{search.BM25_k1, search.BM25_b} }
	path := filepath.Join(t.TempDir(), "idx")
	o := DefaultOptions(path)
	o.BM25K1, o.BM25B = 2, 0
	ix, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := params(), [2]float64{2, 0}; got != want {
		t.Errorf("after Create with k1 2, b 0: k1, b = %v, want %v", got, want)
	}
	if ix, err = Open(Options{Path: path}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := params(), [2]float64{DefaultBM25K1, DefaultBM25B}; got != want {
		t.Errorf("after Open with zero BM25 options: k1, b = %v, want the defaults %v", got, want)
	}
	o.BM25K1, o.BM25B = 1, 1.5
	if _, err := Open(o); err == nil || !strings.Contains(err.Error(), "b between 0 and 1 (got 1.5)") {
		t.Errorf("Open with b 1.5: %v, want an out-of-range error", err)
	}
}
