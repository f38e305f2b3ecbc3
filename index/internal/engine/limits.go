package engine

import (
	"context"
	"errors"
	"strings"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/vellum/levenshtein"
	vellumre "github.com/blevesearch/vellum/regexp"
)

// LimitTerms returns ctx with bleve's per-search cap on leaf term searchers
// (search.MaxTermSearchersKey, counted per shard) set to max: an expansion
// past it fails the search with an error TooManyTerms recognises.
func LimitTerms(ctx context.Context, max int) context.Context {
	return context.WithValue(ctx, search.MaxTermSearchersKey, max)
}

// TooManyTerms reports whether err is bleve's term-searcher limit.
func TooManyTerms(err error) bool {
	return err != nil && strings.Contains(err.Error(), "TooManyTermSearchers")
}

// TooComplex reports whether err is vellum's refusal of an automaton (a
// regexp or fuzzy term) with too many states; bleve passes some on as
// text only.
func TooComplex(err error) bool {
	return err != nil && (errors.Is(err, vellumre.ErrTooManyStates) || errors.Is(err, levenshtein.ErrTooManyStates) ||
		strings.Contains(err.Error(), "dfa contains more than"))
}
