package engine

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Filtered is q restricted to the matches of filter, each scored as by q
// alone: filter becomes an unscored required clause of q's own required
// conjunction when q has one (inside a recency wrapper (Rescored), and down through a
// conjunction of a single boolean query), else of a new one around q.
//
// Why not always a new conjunction around q: a conjunction moves its
// clauses forward with Advance, and bleve 2.6.3's BooleanSearcher.Advance
// drops a pending match of its optional (should) clauses when they are
// ahead of its required ones, which lost the title boost of some articles
// in index's TestDateFiltersKeepScores. Inside q's required conjunction,
// only leaf searchers are advanced, and the boolean searcher moves by Next
// as usual.
func Filtered(q, filter query.Query) query.Query {
	switch q := q.(type) {
	case *query.BooleanQuery:
		if q.Must == nil {
			break // Advance on a boolean query without required clauses keeps its matches
		}
		cp := *q
		cp.Must = filteredMust(q.Must, filter)
		return &cp
	case rescored:
		cp := *q.CustomScoreQuery
		cp.Query = Filtered(q.q, filter)
		return rescored{CustomScoreQuery: &cp, q: cp.Query}
	}
	return andUnscored(q, filter)
}

// filteredMust is Filtered for the required clauses of a boolean query.
func filteredMust(must, filter query.Query) query.Query {
	c, ok := must.(*query.ConjunctionQuery)
	if !ok {
		return andUnscored(must, filter)
	}
	if len(c.Conjuncts) == 1 {
		switch c.Conjuncts[0].(type) {
		case *query.BooleanQuery, rescored:
			cp := *c
			cp.Conjuncts = []query.Query{Filtered(c.Conjuncts[0], filter)}
			return &cp
		}
	}
	cp := *c
	cp.Conjuncts = append(append(make([]query.Query, 0, len(c.Conjuncts)+1), c.Conjuncts...), unscored{filter})
	return &cp
}

// PostFiltered is q restricted to the matches of filter, scored as by q
// alone, by checking each match of q against filter. A Cached filter is
// checked by looking the match's document number up in its bitmap, or,
// when the bitmap holds few of the shard's documents, drives q's searcher
// from one of them to the next (see bitmapFiltered, driven); any other, or one whose matches cannot be held in a
// bitmap, by bleve's boolean filter (filter's searcher, unscored, is
// advanced to each match in turn). Only Next is ever asked of the
// filtering searcher of a whole request's query, so bleve's Advance of
// boolean searchers (see Filtered) plays no part: put it around the whole
// query, not inside another.
func PostFiltered(q, filter query.Query) query.Query {
	if c, ok := filter.(cachedQuery); ok {
		return bitmapFiltered{q: q, filter: c}
	}
	return booleanFiltered(q, filter)
}

// booleanFiltered is q restricted to the matches of filter by bleve's
// boolean filter. q's structure stays visible to bleve (its synonyms, its
// fields): a boolean query without a filter takes it, anything else
// becomes the required clause of a new boolean query.
func booleanFiltered(q, filter query.Query) query.Query {
	if b, ok := q.(*query.BooleanQuery); ok && b.Filter == nil {
		cp := *b
		cp.Filter = filter
		return &cp
	}
	b := query.NewBooleanQuery(nil, nil, nil)
	b.Must = q
	b.Filter = filter
	return b
}

// andUnscored is a new conjunction of q and filter as an unscored clause.
func andUnscored(q, filter query.Query) query.Query {
	return query.NewConjunctionQuery([]query.Query{q, unscored{filter}})
}

// unscored is a query that matches what its wrapped query matches with a
// score of 0 and a weight of 0, so that as a required clause of a
// conjunction it filters without changing the scores (the conjunction sums
// its clauses' scores and normalises by the sum of their weights: both
// unchanged).
//
// Folio's date and facet filters are such clauses (see Filtered) instead of
// bleve's BooleanQuery filter: that filter checks each match of the query
// against the filter after scoring it, so a query whose words are common
// but whose dates are few scores every match outside the dates too (on the
// 50× corpus, whose copies are dated 50 years apart, that was 29% of all
// search CPU); a conjunction leaps from one filtered document to the next.
type unscored struct{ query.Query }

// Searcher builds the wrapped query's searcher without scoring.
func (q unscored) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	o.Score = "none"
	o.Explain = false
	o.IncludeTermVectors = false
	s, err := q.Query.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	return unscoredSearcher{s}, nil
}

// unscoredSearcher is the searcher of an unscored query.
type unscoredSearcher struct{ search.Searcher }

// Weight is 0: the clause adds nothing to the query norm.
func (unscoredSearcher) Weight() float64 { return 0 }

// SetQueryNorm does nothing: nothing is scored.
func (unscoredSearcher) SetQueryNorm(float64) {}

// Next is the wrapped searcher's next match, scored 0.
func (s unscoredSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return zeroScore(s.Searcher.Next(ctx))
}

// Advance is the wrapped searcher's first match at or after id, scored 0.
func (s unscoredSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	return zeroScore(s.Searcher.Advance(ctx, id))
}

func zeroScore(dm *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	if dm != nil {
		dm.Score = 0
		dm.Expl = nil
	}
	return dm, err
}
