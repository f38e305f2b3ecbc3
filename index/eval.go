package index

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/folio-search/folio/index/eval"
)

// EvalQuery is one query of a relevance test collection (moved to eval.Query).
type EvalQuery = eval.Query

// Qrels are graded relevance judgments (moved to eval.Qrels).
type Qrels = eval.Qrels

// Metrics are averaged relevance metrics (moved to eval.Metrics).
type Metrics = eval.Metrics

// ReadQueries reads "id<TAB>text" lines with eval.ReadQueries; a bad line
// is an *InputError naming name:line.
func ReadQueries(r io.Reader, name string) ([]EvalQuery, error) {
	qs, err := eval.ReadQueries(r, name)
	return qs, asInputError(err)
}

// ReadQrels reads judgments with eval.ReadQrels; a bad line is an
// *InputError naming name:line.
func ReadQrels(r io.Reader, name string) (Qrels, error) {
	qr, err := eval.ReadQrels(r, name)
	return qr, asInputError(err)
}

// asInputError turns an *eval.LineError into the *InputError these
// readers returned before they moved to eval.
func asInputError(err error) error {
	var le *eval.LineError
	if errors.As(err, &le) {
		return &InputError{Path: le.Path, Line: le.Line, Reason: le.Reason, Message: le.Message, Expected: le.Expected}
	}
	return err
}

// ScoreRanking computes one query's metrics (moved to eval.ScoreRanking).
func ScoreRanking(ranked []string, rel map[string]int) Metrics {
	return eval.ScoreRanking(ranked, rel)
}

// Evaluate runs every query through Search in text mode (the same parsing,
// boosts and analyzers as GET /api/search?mode=text) and scores the ranked
// ids against qrels. Queries with no relevant judgment are skipped, as
// trec_eval does.
func (ix *Index) Evaluate(ctx context.Context, queries []EvalQuery, qrels Qrels) (Metrics, error) {
	var m Metrics
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
