package index

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSearchPastDeadline checks that the deadline reaches bleve: a search
// whose context has expired stops with ErrTimeout instead of running.
func TestSearchPastDeadline(t *testing.T) {
	ix := testIndex(t)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	res, err := ix.Search(ctx, Query{Text: "oil"})
	if !errors.Is(err, ErrTimeout) || res != nil {
		t.Errorf("Search past its deadline = %v, %v; want ErrTimeout", res, err)
	}
}
