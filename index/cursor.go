package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/folio-search/folio/index/article"

	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
)

// hitPhase is a match with the phase of the ranking it came from.
type hitPhase struct {
	dm    *search.DocumentMatch
	phase int
}

// runAfter executes p from cursor c: the page after c's position.
func (ix *Index) runAfter(ctx context.Context, p *plan.Plan, c *plan.Cursor) ([]hitPhase, uint64, error) {
	page := func(q query.Query, after []string, size int, phase int) ([]hitPhase, uint64, error) {
		req := p.SearchRequest(q, 0, size)
		req.SearchAfter = after
		res, err := ix.searchAll(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		out := make([]hitPhase, len(res.Hits))
		for i, dm := range res.Hits {
			out[i] = hitPhase{dm, phase}
		}
		return out, res.Total, nil
	}
	if c.Undated {
		return ix.undatedAfter(ctx, p, c.After[1])
	}
	if p.All == nil {
		return page(p.Main, c.After, p.Size, plan.PhaseAll)
	}
	rest := p.Rest()
	if c.Phase == plan.PhaseRest {
		hits, restTotal, err := page(rest, c.After, p.Size, plan.PhaseRest)
		if err != nil {
			return nil, 0, err
		}
		tierTotal, err := ix.count(ctx, p, p.All)
		return hits, tierTotal + restTotal, err
	}
	hits, tierTotal, err := page(p.All, c.After, p.Size, plan.PhaseTier)
	if err != nil {
		return nil, 0, err
	}
	more, restTotal, err := page(rest, nil, p.Size-len(hits), plan.PhaseRest)
	if err != nil {
		return nil, 0, err
	}
	return append(hits, more...), tierTotal + restTotal, nil
}

// undatedAfter is the page of p's undated matches after id, in id order
// (as date sorts order them among themselves), and p's total.
func (ix *Index) undatedAfter(ctx context.Context, p *plan.Plan, id string) ([]hitPhase, uint64, error) {
	incl := true
	dated := query.NewDateRangeInclusiveQuery(article.MinDate, article.MaxDate, &incl, &incl)
	dated.SetField(schema.Date)
	req := p.SearchRequest(query.NewBooleanQuery([]query.Query{p.Main}, nil, []query.Query{dated}), 0, p.Size)
	req.SortByCustom(search.SortOrder{&search.SortDocID{}})
	req.SearchAfter = []string{id}
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	out := make([]hitPhase, len(res.Hits))
	for i, dm := range res.Hits {
		out[i] = hitPhase{dm, plan.PhaseAll}
	}
	total, err := ix.count(ctx, p, p.Main)
	return out, total, err
}

// count is the number of documents q matches within p's filter.
func (ix *Index) count(ctx context.Context, p *plan.Plan, q query.Query) (uint64, error) {
	res, err := ix.searchAll(ctx, p.SearchRequest(q, 0, 0))
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}
