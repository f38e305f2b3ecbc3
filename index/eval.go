package index

import (
	"context"

	"github.com/folio-search/folio/index/eval"
)

// Evaluate runs every query through Search in text mode (the same parsing,
// boosts and analyzers as GET /api/search?mode=text) and scores the ranked
// ids against qrels with eval.Run. Queries with no relevant judgment are
// skipped, as trec_eval does.
func (ix *Index) Evaluate(ctx context.Context, queries []eval.Query, qrels eval.Qrels) (eval.Metrics, error) {
	return eval.Run(queries, qrels, func(text string) ([]string, error) {
		return ix.rankedIDs(ctx, text, eval.MAPDepth)
	})
}

// rankedIDs pages through Search (mode text, without snippets) until depth ids or the end.
func (ix *Index) rankedIDs(ctx context.Context, text string, depth int) ([]string, error) {
	var ids []string
	size := min(ix.opts.MaxSize, depth)
	for page := 1; len(ids) < depth; page++ {
		res, err := ix.search(ctx, Query{Text: text, Mode: ModeText, Size: size, Page: page}, false)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) < size || uint64(len(ids)) >= res.Total {
			break
		}
	}
	if len(ids) > depth {
		ids = ids[:depth]
	}
	return ids, nil
}
