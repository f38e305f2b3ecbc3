package plan

import (
	"cmp"
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
)

// Searcher runs one bleve request over an index's shards (the facade's
// searchAll: global statistics, limits, every shard).
type Searcher func(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error)

// Hit is a match with the phase of the ranking it came from: PhaseAll
// (a ranking without tiers) or 1 + the index of its tier in Plan.Tiers.
type Hit struct {
	Match *search.DocumentMatch
	Phase int
}

// tagged are hits with their phase.
func tagged(hits search.DocumentMatchCollection, phase int) []Hit {
	out := make([]Hit, len(hits))
	for i, dm := range hits {
		out[i] = Hit{dm, phase}
	}
	return out
}

// Run executes p with s, sizing relevance windows by ties. When p has
// tiers, they are ranked one after the other (see graded.go): each tier
// is searched for the part of the window it covers, until the window is
// full; the total is the number of Main's matches.
func (p *Plan) Run(ctx context.Context, s Searcher, ties *engine.TieRuns) ([]Hit, uint64, error) {
	if len(p.Tiers) == 0 {
		res, err := p.window(ctx, s, ties, p.Main, p.From, p.Size)
		if err != nil {
			return nil, 0, err
		}
		return tagged(res.Hits, PhaseAll), res.Total, nil
	}
	var hits []Hit
	end, before := p.From+p.Size, 0 // before: the matches of the tiers searched so far
	for i, tq := range p.Tiers {
		if before >= end {
			total, err := p.Count(ctx, s, p.Main)
			return hits, total, err
		}
		res, err := p.window(ctx, s, ties, tq, max(0, p.From-before), end-max(p.From, before))
		if err != nil {
			return nil, 0, err
		}
		hits = append(hits, tagged(res.Hits, i+1)...)
		before += int(res.Total)
	}
	return hits, uint64(before), nil
}

// RunAfter executes p with s from cursor c: the page after c's position.
func (p *Plan) RunAfter(ctx context.Context, s Searcher, ties *engine.TieRuns, c *Cursor) ([]Hit, uint64, error) {
	page := func(q query.Query, after []string, size int, phase int) ([]Hit, uint64, error) {
		req := p.SearchRequest(q, 0, size)
		req.SearchAfter = after
		res, err := s(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		return tagged(res.Hits, phase), res.Total, nil
	}
	if c.Undated {
		return p.undatedAfter(ctx, s, c.After[1])
	}
	if len(p.Tiers) == 0 {
		if c.Phase != PhaseAll {
			return nil, 0, errCursorPhase
		}
		return page(p.Main, c.After, p.Size, PhaseAll)
	}
	if c.Phase < 1 || c.Phase > len(p.Tiers) {
		return nil, 0, errCursorPhase
	}
	var hits []Hit
	after := c.After
	for i := c.Phase - 1; i < len(p.Tiers) && len(hits) < p.Size; i++ {
		more, _, err := page(p.Tiers[i], after, p.Size-len(hits), i+1)
		if err != nil {
			return nil, 0, err
		}
		hits, after = append(hits, more...), nil
	}
	total, err := p.Count(ctx, s, p.Main)
	return hits, total, err
}

// undatedAfter is the page of p's undated matches after id, in id order
// (as date sorts order them among themselves), and p's total.
func (p *Plan) undatedAfter(ctx context.Context, s Searcher, id string) ([]Hit, uint64, error) {
	incl := true
	dated := query.NewDateRangeInclusiveQuery(article.MinDate, article.MaxDate, &incl, &incl)
	dated.SetField(schema.Date)
	req := p.SearchRequest(query.NewBooleanQuery([]query.Query{p.Main}, nil, []query.Query{engine.Ending(dated)}), 0, p.Size)
	req.SortByCustom(search.SortOrder{&search.SortDocID{}})
	req.SearchAfter = []string{id}
	res, err := s(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Hit, len(res.Hits))
	for i, dm := range res.Hits {
		out[i] = Hit{dm, PhaseAll}
	}
	total, err := p.Count(ctx, s, p.Main)
	return out, total, err
}

// Count is the number of documents q matches within p's filter.
func (p *Plan) Count(ctx context.Context, s Searcher, q query.Query) (uint64, error) {
	res, err := s(ctx, p.SearchRequest(q, 0, 0))
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

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
func (p *Plan) window(ctx context.Context, s Searcher, ties *engine.TieRuns, q query.Query, from, size int) (*bleve.SearchResult, error) {
	exact := func() (*bleve.SearchResult, error) { return s(ctx, p.SearchRequest(q, from, size)) }
	if size == 0 || (p.SortBy != "" && p.SortBy != SortRelevance) {
		return exact()
	}
	slack, ok := ties.Slack()
	if !ok {
		return exact()
	}
	end := from + size
	req := p.SearchRequest(q, 0, end+slack)
	req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
	res, err := s(ctx, req)
	if err != nil {
		return nil, err
	}
	if !engine.TiesResolved(res.Hits, end, res.Total) {
		ties.Observe(2 * slack) // the run goes on past what was fetched
		return exact()
	}
	ties.Observe(engine.TieReach(res.Hits, end))
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
