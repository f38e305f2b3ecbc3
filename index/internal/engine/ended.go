package engine

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Ending is q for an excluded clause (a boolean query's MustNot): its
// searcher, once it has no more matches, answers none from then on.
//
// bleve 2.6.3's BooleanSearcher advances its must-not searcher again on
// every Advance once that searcher has no current match, ended or not,
// and an ended term searcher advanced again seeks its postings and finds
// matches once more: a disjunction with a minimum (a tier's "at least k
// of the words"), asked again, then reads the rest of its most frequent
// word's postings each time, looking for documents holding enough words.
// For a rare word beside a common one that was quadratic: `sandoz year`
// on Reuters read the 7,235 postings of `year` once for each of its 7,240
// matches (0.3 s a search). Searchers only move forward within a search,
// so an ended one can stay ended.
func Ending(q query.Query) query.Query { return ending{q} }

// ending is the query of Ending.
type ending struct{ query.Query }

// Searcher is the wrapped query's searcher, ending once.
func (q ending) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	s, err := q.Query.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	return &endingSearcher{Searcher: s}, nil
}

// endingSearcher is a searcher that, once it has returned no match,
// returns none again without asking the searcher it wraps.
type endingSearcher struct {
	search.Searcher
	ended bool
}

// Next is the wrapped searcher's next match, none once it ended.
func (s *endingSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.ended {
		return nil, nil
	}
	return s.end(s.Searcher.Next(ctx))
}

// Advance is the wrapped searcher's first match at or after id, none once it ended.
func (s *endingSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	if s.ended {
		return nil, nil
	}
	return s.end(s.Searcher.Advance(ctx, id))
}

// end records that the searcher ended when m is nil without an error.
func (s *endingSearcher) end(m *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	if m == nil && err == nil {
		s.ended = true
	}
	return m, err
}
