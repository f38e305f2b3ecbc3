package index

import (
	"errors"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
)

func TestCheckExpansion(t *testing.T) {
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
		err = checkExpansion(parsed)
		if tt.ok != (err == nil) {
			t.Errorf("checkExpansion(%q) = %v, want ok=%v", tt.q, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("checkExpansion(%q) = %v, not an ErrInvalidQuery", tt.q, err)
		}
	}
}
