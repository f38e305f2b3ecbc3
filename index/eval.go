package index

import (
	"context"
	"errors"

	"github.com/folio-search/folio/index/eval"
)

// Evaluate runs every query of a test collection through Search (the code
// GET /api/search runs: the same parsing, planning, tiers and boosts, minus
// highlighting) and scores the ranked ids against qrels with eval.Run.
// base carries every parameter but the text and the window: its zero value
// is what a request with only q= asks for (the shipped defaults: query
// syntax, relevance order). Queries with no relevant judgment are skipped,
// as trec_eval does. A query Search refuses as bad input (ErrInvalidQuery:
// text that is not valid query syntax) ranks nothing and is counted in
// Metrics.Refused, as a user would get no results for it.
func (ix *Index) Evaluate(ctx context.Context, base Query, queries []eval.Query, qrels eval.Qrels) (eval.Metrics, error) {
	return eval.Run(queries, qrels, func(text string) ([]string, error) {
		q := base
		q.Text = text
		ids, err := ix.rankedIDs(ctx, q, eval.MAPDepth)
		if errors.Is(err, ErrInvalidQuery) {
			return nil, eval.Refused(err)
		}
		return ids, err
	})
}

// rankedIDs pages through search (without snippets) until depth ids or the end.
func (ix *Index) rankedIDs(ctx context.Context, q Query, depth int) ([]string, error) {
	var ids []string
	q.Size = min(ix.opts.MaxSize, depth)
	for q.Page = 1; len(ids) < depth; q.Page++ {
		res, err := ix.search(ctx, q, false)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) < q.Size || uint64(len(ids)) >= res.Total {
			break
		}
	}
	if len(ids) > depth {
		ids = ids[:depth]
	}
	return ids, nil
}
