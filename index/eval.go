package index

import (
	"context"
	"fmt"

	"github.com/folio-search/folio/index/eval"
)

// Evaluate runs every query through Search in text mode (the same parsing,
// boosts and analyzers as GET /api/search?mode=text) and scores the ranked
// ids against qrels. Queries with no relevant judgment are skipped, as
// trec_eval does.
func (ix *Index) Evaluate(ctx context.Context, queries []eval.Query, qrels eval.Qrels) (eval.Metrics, error) {
	var m eval.Metrics
	for _, q := range queries {
		rel := qrels[q.ID]
		if !eval.HasRelevant(rel) {
			m.Skipped++
			continue
		}
		ranked, searches, err := ix.rankedIDs(ctx, q.Text, eval.MAPDepth)
		if err != nil {
			return m, fmt.Errorf("query %s: %w", q.ID, err)
		}
		m.Searches += searches
		s := eval.ScoreRanking(ranked, rel)
		m.Queries++
		m.NDCG10 += s.NDCG10
		m.MAP += s.MAP
		m.Recall += s.Recall
		m.MRR10 += s.MRR10
	}
	if m.Queries > 0 {
		n := float64(m.Queries)
		m.NDCG10 /= n
		m.MAP /= n
		m.Recall /= n
		m.MRR10 /= n
	}
	return m, nil
}

// rankedIDs pages through Search (mode text, without snippets) until depth ids or the end.
func (ix *Index) rankedIDs(ctx context.Context, text string, depth int) ([]string, int, error) {
	var ids []string
	size := min(ix.opts.MaxSize, depth)
	searches := 0
	for page := 1; len(ids) < depth; page++ {
		res, err := ix.search(ctx, Query{Text: text, Mode: ModeText, Size: size, Page: page}, false)
		if err != nil {
			return nil, searches, err
		}
		searches++
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
	return ids, searches, nil
}
