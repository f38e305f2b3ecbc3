package index

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestExpansionLimit: a wildcard or fuzzy term that expands to more index
// terms than MaxTerms is ErrInvalidQuery naming the limit, not a search.
// With shards, a shard's failure is the search's, not a partial answer.
func TestExpansionLimit(t *testing.T) {
	for _, shards := range []int{1, 3} {
		o := DefaultOptions("")
		o.MaxTerms = 5
		o.Shards = shards
		ix := builtIndex(t, o)
		for _, q := range []string{"co*", "compani~2"} {
			_, err := ix.Search(context.Background(), Query{Text: q})
			if !errors.Is(err, ErrInvalidQuery) || !strings.Contains(err.Error(), "expands to more than 5 index terms (search.max_terms") {
				t.Errorf("%d shards, %s: got %v, want ErrInvalidQuery about the 5-term limit", shards, q, err)
			}
		}
		// A specific one stays within the limit.
		if res := mustSearch(t, ix, Query{Text: "cambod*"}); res.Total == 0 {
			t.Errorf("%d shards, cambod*: no hits", shards)
		}
		// A search past its deadline fails as a whole.
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel()
		if res, err := ix.Search(ctx, Query{Text: "oil"}); !errors.Is(err, ErrTimeout) || res != nil {
			t.Errorf("%d shards: search past its deadline = %v, %v; want ErrTimeout", shards, res, err)
		}
	}
}
