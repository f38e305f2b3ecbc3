package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// TestEnding: a term searcher that has ended and is advanced again (as
// bleve's BooleanSearcher does with its must-not searcher) finds matches
// once more; wrapped by Ending it stays ended, and until then it matches
// what the term matches.
func TestEnding(t *testing.T) {
	ix, err := bleve.New(filepath.Join(t.TempDir(), "shard"), bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	// A cleanup, so that it runs after its reader's (shardReader).
	t.Cleanup(func() { ix.Close() })
	b := ix.NewBatch()
	for i := range 10 {
		if err := b.Index(fmt.Sprintf("d%d", i), map[string]any{"w": "common"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Batch(b); err != nil {
		t.Fatal(err)
	}
	r := shardReader(t, ix)
	tq := query.NewTermQuery("common")
	tq.SetField("w")
	drain := func(q query.Query) (n int, again *search.DocumentMatch) {
		s, err := q.Searcher(context.Background(), r, ix.Mapping(), search.SearcherOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
		var first bleveindex.IndexInternalID
		for {
			m, err := s.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if m == nil {
				break
			}
			if first == nil {
				first = append(first, m.IndexInternalID...)
			}
			n++
		}
		again, err = s.Advance(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		return n, again
	}
	if n, again := drain(tq); n != 10 || again == nil {
		t.Logf("bleve's term searcher: %d matches, advanced again after its end: %v (the reason for Ending; if nil, bleve changed)", n, again)
	}
	if n, again := drain(Ending(tq)); n != 10 || again != nil {
		t.Errorf("Ending: %d matches (want 10), advanced again after its end: %v (want none)", n, again)
	}
}

// shardReader is a reader of shard s, closed when the test ends.
func shardReader(t *testing.T, s bleve.Index) bleveindex.IndexReader {
	t.Helper()
	adv, err := s.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
