package index

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestExpansionLimit: a wildcard or fuzzy term that expands to more index
// terms than MaxTerms is ErrInvalidQuery naming the limit, not a search.
func TestExpansionLimit(t *testing.T) {
	o := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	o.MaxTerms = 5
	ix, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"co*", "compani~2"} {
		_, err := ix.Search(context.Background(), Query{Text: q})
		if !errors.Is(err, ErrInvalidQuery) || !strings.Contains(err.Error(), "expands to more than 5 index terms (search.max_terms") {
			t.Errorf("%s: got %v, want ErrInvalidQuery about the 5-term limit", q, err)
		}
	}
	// A specific one stays within the limit.
	if res := mustSearch(t, ix, Query{Text: "cambod*"}); res.Total == 0 {
		t.Error("cambod*: no hits")
	}
}
