package index

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
)

func TestCheckCost(t *testing.T) {
	tests := []struct {
		q  string
		ok bool
	}{
		{"oil", true},
		{"oil*", true},
		{"oi?", true},
		{"/oil.*/", true},
		{"title:pr*", true},
		{"*", false},
		{"*il", false},
		{"o*", false},
		{"?il", false},
		{"/.*/", false},
		{"/o.*/", false},
		{"oil +gold /.+/", false},
		{"oil~2", true},
		{"oil~3", false},
		{"title:o!l~10", false},
		{"oil~-1", false},
	}
	for _, tt := range tests {
		parsed, err := query.NewQueryStringQuery(tt.q).Parse()
		if err != nil {
			t.Fatalf("parse %q: %v", tt.q, err)
		}
		err = checkCost(parsed)
		if tt.ok != (err == nil) {
			t.Errorf("checkCost(%q) = %v, want ok=%v", tt.q, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("checkCost(%q) = %v, not an ErrInvalidQuery", tt.q, err)
		}
	}
}

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
