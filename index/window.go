package index

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// window returns the hits [from, from+size) of q's matches in p's order.
//
// The relevance order is score, then id. Asking bleve for that order makes
// its collector load the external id of every match, not only of those
// kept: 6–9% of all search CPU on Reuters, more on a corpus with many
// equal scores. So a relevance window is first searched by score alone, a
// few hits deeper (the slack, see tieRuns), and put in id order among
// equal scores here. That is the exact order whenever the deepest hit
// fetched scores below the window's last hit (every match scoring at least
// as much as the window's last hit was then fetched) or every match was
// fetched. When a run of equal scores crosses the window's end deeper than
// the slack, the window is searched again in the exact order.
func (ix *Index) window(ctx context.Context, p *plan, q query.Query, from, size int) (*bleve.SearchResult, error) {
	exact := func() (*bleve.SearchResult, error) { return ix.searchAll(ctx, ix.request(p, q, from, size)) }
	if size == 0 || (p.sortBy != "" && p.sortBy != SortRelevance) {
		return exact()
	}
	slack, ok := ix.ties.slack()
	if !ok {
		return exact()
	}
	end := from + size
	req := ix.request(p, q, 0, end+slack)
	req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return nil, err
	}
	if !tiesResolved(res.Hits, end, res.Total) {
		ix.ties.observe(2 * slack) // the run goes on past what was fetched
		return exact()
	}
	ix.ties.observe(tieReach(res.Hits, end))
	hits := res.Hits
	slices.SortFunc(hits, func(a, b *search.DocumentMatch) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	res.Hits = hits[min(from, len(hits)):min(end, len(hits))]
	return res, nil
}

// tiesResolved reports whether hits, the highest-scoring of total matches
// in score order with ties in any order, hold every match that belongs in
// the first end positions of the score-then-id order.
func tiesResolved(hits search.DocumentMatchCollection, end int, total uint64) bool {
	if uint64(len(hits)) >= total || len(hits) <= end {
		return uint64(len(hits)) >= total
	}
	return hits[len(hits)-1].Score < hits[end-1].Score
}

// tieReach is how many of hits (in score order) after the first end score
// the same as the last of those: how deep a tie ran past the window's end.
func tieReach(hits search.DocumentMatchCollection, end int) int {
	if end < 1 || end >= len(hits) {
		return 0
	}
	n := 0
	for _, h := range hits[end:] {
		if h.Score != hits[end-1].Score {
			break
		}
		n++
	}
	return n
}

// Bounds of the slack of relevance windows.
const (
	minTieSlack = 8
	maxTieSlack = 512
)

// tieRuns follows how deep runs of equal scores reach past the end of
// relevance windows, to size the slack of the next ones: a few hits on a
// corpus of distinct articles (Reuters needs more than 16 for 0.4% of its
// query log), the number of copies on one that holds each article many
// times. Each slack hit costs the collector its locations, so the slack
// is kept as small as the recent ties allow. The reach is a maximum that
// decays by 3% per search; it is updated without locks, and a lost update
// only costs a search its speed, never its order.
type tieRuns struct{ reach atomic.Uint64 } // float64 bits

// slack is the slack for the next window, and false when recent ties ran
// past the largest slack: then the window is best searched in the exact
// order at once (which still lets the reach decay).
func (t *tieRuns) slack() (int, bool) {
	r := math.Float64frombits(t.reach.Load())
	if r > maxTieSlack {
		t.observe(0)
		return 0, false
	}
	return min(maxTieSlack, max(minTieSlack, int(math.Ceil(1.5*r))+minTieSlack)), true
}

// observe records that a tie reached n hits past a window's end.
func (t *tieRuns) observe(n int) {
	for {
		old := t.reach.Load()
		next := max(float64(n), 0.97*math.Float64frombits(old))
		if t.reach.CompareAndSwap(old, math.Float64bits(next)) {
			return
		}
	}
}
