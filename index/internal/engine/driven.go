package engine

import (
	"context"
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// A reader who sees few of a shard's documents (a small group's, a token
// limited to a few days) would make the post-filter of bitmapFilter find
// and score every match of the query only to drop nearly all of them. For
// such a reader the bitmap drives the query's searcher instead: after a
// match the bitmap does not hold, the searcher is advanced to the next
// document number the bitmap holds, so that its postings are skipped, not
// scored (drivenFilter). Advance is only asked of searchers whose Advance
// keeps every match (see advanceable): bleve 2.6.3's BooleanSearcher with
// both required and optional clauses may drop a pending optional match on
// Advance (see Filtered), so in such a query the bitmap drives its
// required clauses and the boolean searcher moves by Next as usual.

// DefaultSparseShare is the share of a shard's documents up to which a
// reader's bitmap drives the query's searcher (see FilterCache.SetSparseShare).
// Measured on Reuters (index's BenchmarkVisibilityShare, docs/access.md):
// driven, a reader of 1% to 10% of the articles costs 3% to 53% less CPU
// per search than post-filtered; of 20%, from 14% less to 10% more; of a
// third or a half, about as much or up to 16% more (each hop an Advance,
// where the post-filter's Next is cheaper).
const DefaultSparseShare = 0.1

// SetSparseShare sets the share of a shard's documents (0 to 1) up to
// which a bitmap of c drives the query's searcher rather than filtering
// its matches after they are found: 0 never, 1 always (tests and
// benchmarks compare the two ways so). Results are the same either way.
func (c *FilterCache) SetSparseShare(share float64) {
	c.sparse.Store(math.Float64bits(share))
}

// drives reports whether bm, the bitmap of a filter in r, is sparse
// enough to drive the query's searcher.
func (c *FilterCache) drives(bm *roaring.Bitmap, r bleveindex.IndexReader) (bool, error) {
	share := math.Float64frombits(c.sparse.Load())
	if share <= 0 {
		return false, nil
	}
	docs, err := r.DocCount()
	if err != nil {
		return false, err
	}
	return float64(bm.GetCardinality()) <= share*float64(docs), nil
}

// driven is q with the parts of it whose searchers may be driven by bm
// (advanceable) so wrapped: q whole, or where that is not safe, its
// required clauses (through recency wrappers, conjunctions and boolean
// queries); nil when q has no such part, so that it is post-filtered.
// Every match of the result is a match of q that bm holds, scored as by q.
func driven(q query.Query, bm *roaring.Bitmap) query.Query {
	if advanceable(q) {
		return bitmapDriven{q: q, bm: bm}
	}
	switch q := q.(type) {
	case *query.BooleanQuery:
		if q.Must == nil {
			return nil
		}
		must := driven(q.Must, bm)
		if must == nil {
			return nil
		}
		cp := *q
		cp.Must = must
		return &cp
	case *query.ConjunctionQuery:
		// Only a conjunction of one: one of several would be advanced by
		// the conjunction to the others' matches, and the others are not
		// all advanceable (else the conjunction would be).
		if len(q.Conjuncts) != 1 {
			return nil
		}
		c := driven(q.Conjuncts[0], bm)
		if c == nil {
			return nil
		}
		cp := *q
		cp.Conjuncts = []query.Query{c}
		return &cp
	case rescored:
		inner := driven(q.q, bm)
		if inner == nil {
			return nil
		}
		cp := *q.CustomScoreQuery
		cp.Query = inner
		return rescored{CustomScoreQuery: &cp, q: q.q} // the synonyms are q.q's
	}
	return nil
}

// advanceable reports whether the searcher of q keeps every match when it
// is advanced (to a document after the last it returned) at any point of
// its walk: leaf searchers, conjunctions and disjunctions of such, and
// boolean queries that do not have both required and optional clauses.
// Queries it does not know are not.
func advanceable(q query.Query) bool {
	switch q := q.(type) {
	case *query.TermQuery, *query.MatchQuery, *query.MatchPhraseQuery, *query.PhraseQuery,
		*query.MultiPhraseQuery, *query.PrefixQuery, *query.FuzzyQuery, *query.WildcardQuery,
		*query.RegexpQuery, *query.MatchAllQuery, *query.MatchNoneQuery, *query.DocIDQuery,
		*query.DateRangeQuery, *query.NumericRangeQuery, *query.TermRangeQuery, *query.BoolFieldQuery:
		return true
	case *query.ConjunctionQuery:
		return !slices.ContainsFunc(q.Conjuncts, notAdvanceable)
	case *query.DisjunctionQuery:
		return !slices.ContainsFunc(q.Disjuncts, notAdvanceable)
	case *query.BooleanQuery:
		if q.Must != nil && q.Should != nil {
			return false
		}
		return !slices.ContainsFunc([]query.Query{q.Must, q.Should, q.MustNot, q.Filter}, func(c query.Query) bool {
			return c != nil && !advanceable(c)
		})
	case rescored:
		return advanceable(q.q)
	case ending: // moves as the query it wraps until that ends, then stays ended
		return advanceable(q.Query)
	case unscored:
		return advanceable(q.Query)
	case cachedQuery:
		return advanceable(q.Query)
	}
	return false
}

func notAdvanceable(q query.Query) bool { return !advanceable(q) }

// bitmapDriven is an advanceable query whose searcher is driven by bm.
type bitmapDriven struct {
	q  query.Query
	bm *roaring.Bitmap
}

// Searcher is q's searcher driven by bm; a searcher matching nothing is
// left as it is (bleve's boolean and conjunction queries recognise it). A
// conjunction is driven from inside (see alignedSearcher).
func (q bitmapDriven) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	if c, ok := q.q.(*query.ConjunctionQuery); ok {
		s, err := q.alignedSearcher(ctx, c, r, m, o)
		if s != nil || err != nil {
			return s, err
		}
	}
	s, err := q.q.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	if _, none := s.(*searcher.MatchNoneSearcher); none {
		return s, nil
	}
	return &drivenFilter{Searcher: s, bm: q.bm, held: q.bm.Iterator()}, nil
}

// alignedSearcher is the conjunction c with bm as one more clause, unscored
// (bitmapSearcher), or nil when that would not match what c matches
// (bleve leaves out clauses matching nothing in some conjunctions; nested
// fields), or Explain would show the clause. A driven conjunction would
// find its next match among the documents the bitmap does not hold (its
// clauses aligned on one another), and only then be advanced to the next
// the bitmap holds: with the bitmap as a clause, every alignment leaps to
// the bitmap's next document. The clause adds 0 to the sum of scores and
// to the sum of weights, and bleve orders a conjunction's clauses by a
// stable sort of their Counts (insertion sort under 12 clauses), so the
// others are summed in the same order: the scores are the same.
func (q bitmapDriven) alignedSearcher(ctx context.Context, c *query.ConjunctionQuery, r bleveindex.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	if o.Explain || len(c.Conjuncts) == 0 || len(c.Conjuncts) >= 11 {
		return nil, nil
	}
	if nested, _ := ctx.Value(search.NestedSearchKey).(bool); nested {
		return nil, nil
	}
	ss := make([]search.Searcher, 0, len(c.Conjuncts)+1)
	closeAll := func() {
		for _, s := range ss {
			_ = s.Close()
		}
	}
	for _, cq := range c.Conjuncts {
		s, err := cq.Searcher(ctx, r, m, o)
		if err != nil {
			closeAll()
			return nil, err
		}
		ss = append(ss, s)
		if _, none := s.(*searcher.MatchNoneSearcher); none {
			closeAll()
			return nil, nil
		}
	}
	ss = append(ss, &bitmapSearcher{bm: q.bm, held: q.bm.Iterator()})
	s, err := searcher.NewConjunctionSearcher(ctx, r, ss, o)
	if err != nil {
		closeAll()
	}
	return s, err
}

// bitmapSearcher is an unscored searcher of the documents bm holds.
type bitmapSearcher struct {
	bm   *roaring.Bitmap
	held roaring.IntPeekable // bm's documents from the next one to return
}

// Next is bm's next document, scored 0.
func (s *bitmapSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.held.HasNext() {
		return nil, nil
	}
	n := s.held.Next()
	dm := ctx.DocumentMatchPool.Get()
	dm.IndexInternalID = bleveindex.NewIndexInternalID(dm.IndexInternalID, uint64(n))
	return dm, nil
}

// Advance is bm's first document at or after id, scored 0.
func (s *bitmapSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	n, ok := docNum(id)
	if !ok {
		return nil, nil
	}
	s.held.AdvanceIfNeeded(n)
	return s.Next(ctx)
}

// Close does nothing: the bitmap belongs to the cache.
func (s *bitmapSearcher) Close() error { return nil }

// Weight is 0: the clause adds nothing to the query norm.
func (s *bitmapSearcher) Weight() float64 { return 0 }

// SetQueryNorm does nothing: nothing is scored.
func (s *bitmapSearcher) SetQueryNorm(float64) {}

// Count is the number of documents bm holds.
func (s *bitmapSearcher) Count() uint64 { return s.bm.GetCardinality() }

// Min is 0: the searcher has no optional clauses.
func (s *bitmapSearcher) Min() int { return 0 }

// Size is the searcher's own size (the bitmap belongs to the cache).
func (s *bitmapSearcher) Size() int { return 64 }

// DocumentMatchPoolSize is 1: one match at a time.
func (s *bitmapSearcher) DocumentMatchPoolSize() int { return 1 }

// drivenFilter is a searcher whose matches are those of the searcher it
// wraps that bm holds, scored as that searcher scores them, found by
// advancing the wrapped searcher to bm's documents in turn.
type drivenFilter struct {
	search.Searcher
	bm   *roaring.Bitmap
	held roaring.IntPeekable        // bm's documents, from the last one looked for
	from uint32                     // the first document a next match may be
	done bool                       // no match left
	id   bleveindex.IndexInternalID // the buffer of the id the wrapped searcher is advanced to
}

// Next is the wrapped searcher's next match that bm holds.
func (s *drivenFilter) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.at(ctx, s.from)
}

// Advance is the wrapped searcher's first match at or after id that bm holds.
func (s *drivenFilter) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	n, ok := docNum(id)
	if !ok { // past every document a bitmap can hold
		s.done = true
		return nil, nil
	}
	return s.at(ctx, max(n, s.from))
}

// at is the wrapped searcher's first match at or after document n that
// bm holds. The wrapped searcher is only ever advanced past the last
// match it returned (n is at least s.from), as bleve's term readers need
// (advancing one to its current document restarts it).
func (s *drivenFilter) at(ctx *search.SearchContext, n uint32) (*search.DocumentMatch, error) {
	for !s.done {
		s.held.AdvanceIfNeeded(n)
		if !s.held.HasNext() {
			break
		}
		next := s.held.PeekNext()
		s.id = bleveindex.NewIndexInternalID(s.id, uint64(next)) // no searcher keeps the id it is advanced to
		dm, err := s.Searcher.Advance(ctx, s.id)
		if err != nil || dm == nil {
			s.done = true
			return nil, err
		}
		d, ok := docNum(dm.IndexInternalID)
		if !ok { // past every document a bitmap can hold
			ctx.DocumentMatchPool.Put(dm)
			break
		}
		if d == math.MaxUint32 {
			s.done = true // nothing may follow it
		} else {
			s.from = d + 1
		}
		if d == next || s.bm.Contains(d) {
			return dm, nil
		}
		ctx.DocumentMatchPool.Put(dm)
		n = s.from
	}
	s.done = true
	return nil, nil
}

// Size is the searcher's size with the wrapped one's (the bitmap belongs to the cache).
func (s *drivenFilter) Size() int { return 96 + s.Searcher.Size() }
