package index

import (
	"cmp"
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/plan"
)

// window returns the hits [from, from+size) of q's matches in p's order.
//
// The relevance order is score, then id. Asking bleve for that order makes
// its collector load the external id of every match, not only of those
// kept: 6–9% of all search CPU on Reuters, more on a corpus with many
// equal scores. So a relevance window is first searched by score alone, a
// few hits deeper (the slack, see engine.TieRuns), and put in id order among
// equal scores here. That is the exact order whenever the deepest hit
// fetched scores below the window's last hit (every match scoring at least
// as much as the window's last hit was then fetched) or every match was
// fetched. When a run of equal scores crosses the window's end deeper than
// the slack, the window is searched again in the exact order.
func (ix *Index) window(ctx context.Context, p *plan.Plan, q query.Query, from, size int) (*bleve.SearchResult, error) {
	exact := func() (*bleve.SearchResult, error) { return ix.searchAll(ctx, p.SearchRequest(q, from, size)) }
	if size == 0 || (p.SortBy != "" && p.SortBy != SortRelevance) {
		return exact()
	}
	slack, ok := ix.ties.Slack()
	if !ok {
		return exact()
	}
	end := from + size
	req := p.SearchRequest(q, 0, end+slack)
	req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return nil, err
	}
	if !engine.TiesResolved(res.Hits, end, res.Total) {
		ix.ties.Observe(2 * slack) // the run goes on past what was fetched
		return exact()
	}
	ix.ties.Observe(engine.TieReach(res.Hits, end))
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
