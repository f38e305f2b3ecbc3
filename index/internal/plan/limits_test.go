package plan

import (
	"errors"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/param"
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
		if err != nil && !errors.Is(err, param.ErrInvalidQuery) {
			t.Errorf("checkCost(%q) = %v, not an param.ErrInvalidQuery", tt.q, err)
		}
	}
}
