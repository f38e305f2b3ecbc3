package index

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// EvalQuery is one query of a relevance test collection.
type EvalQuery struct {
	ID   string
	Text string
}

// Qrels are graded relevance judgments: query id → document id → grade
// (0 means judged not relevant).
type Qrels map[string]map[string]int

// Metrics are the averages over the evaluated queries, with trec_eval's
// definitions: nDCG@10 (gain 2^grade−1, log2 discount), MAP over the top
// 1000 hits, Recall@100 and MRR@10 (reciprocal rank of the first relevant
// hit within the top 10).
type Metrics struct {
	Queries  int     `json:"queries"`
	NDCG10   float64 `json:"ndcg@10"`
	MAP      float64 `json:"map@1000"`
	Recall   float64 `json:"recall@100"`
	MRR10    float64 `json:"mrr@10"`
	Skipped  int     `json:"skipped"` // queries without any relevant judgment (trec_eval ignores them)
	Searches int     `json:"-"`
}

// Cut-offs of the metrics.
const (
	evalNDCGDepth   = 10
	evalMAPDepth    = 1000
	evalRecallDepth = 100
	evalMRRDepth    = 10
)

// ReadQueries reads "id<TAB>text" lines. Blank lines are skipped; a line
// without a tab is an *InputError naming name:line.
func ReadQueries(r io.Reader, name string) ([]EvalQuery, error) {
	var out []EvalQuery
	err := eachLine(r, func(line string, n int) error {
		id, text, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(id) == "" || strings.TrimSpace(text) == "" {
			return &InputError{Path: name, Line: n, Reason: "bad query line", Message: fmt.Sprintf("cannot read %q", clip(line, 60)), Expected: "query_id<TAB>text"}
		}
		out = append(out, EvalQuery{ID: strings.TrimSpace(id), Text: text})
		return nil
	})
	return out, err
}

// ReadQrels reads "query_id<TAB>doc_id<TAB>grade" lines (TREC's four-column
// "query_id 0 doc_id grade" form is accepted too). Blank lines are skipped; a
// bad line is an *InputError naming name:line.
func ReadQrels(r io.Reader, name string) (Qrels, error) {
	out := Qrels{}
	err := eachLine(r, func(line string, n int) error {
		f := strings.Fields(line)
		if len(f) == 4 {
			f = []string{f[0], f[2], f[3]}
		}
		bad := func(msg string) error {
			return &InputError{Path: name, Line: n, Reason: "bad qrels line", Message: msg, Expected: "query_id<TAB>doc_id<TAB>grade with an integer grade"}
		}
		if len(f) != 3 {
			return bad(fmt.Sprintf("%d fields in %q", len(f), clip(line, 60)))
		}
		g, err := strconv.Atoi(f[2])
		if err != nil {
			return bad(fmt.Sprintf("grade %q is not an integer", f[2]))
		}
		if out[f[0]] == nil {
			out[f[0]] = map[string]int{}
		}
		out[f[0]][f[1]] = g
		return nil
	})
	return out, err
}

func eachLine(r io.Reader, fn func(line string, n int) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := fn(line, n); err != nil {
			return err
		}
	}
	return sc.Err()
}

// Evaluate runs every query through Search in text mode (the same parsing,
// boosts and analyzers as GET /api/search?mode=text) and scores the ranked
// ids against qrels. Queries with no relevant judgment are skipped, as
// trec_eval does.
func (ix *Index) Evaluate(ctx context.Context, queries []EvalQuery, qrels Qrels) (Metrics, error) {
	var m Metrics
	for _, q := range queries {
		rel := qrels[q.ID]
		if !hasRelevant(rel) {
			m.Skipped++
			continue
		}
		ranked, searches, err := ix.rankedIDs(ctx, q.Text, evalMAPDepth)
		if err != nil {
			return m, fmt.Errorf("query %s: %w", q.ID, err)
		}
		m.Searches += searches
		s := ScoreRanking(ranked, rel)
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

func hasRelevant(rel map[string]int) bool {
	for _, g := range rel {
		if g > 0 {
			return true
		}
	}
	return false
}

// ScoreRanking computes one query's metrics for the ranked document ids
// against its judgments (doc id → grade), with Metrics' definitions.
func ScoreRanking(ranked []string, rel map[string]int) Metrics {
	var m Metrics
	nRel := 0
	var grades []int
	for _, g := range rel {
		if g > 0 {
			nRel++
			grades = append(grades, g)
		}
	}
	if nRel == 0 {
		return m
	}
	m.Queries = 1
	// nDCG@10: DCG of the ranking over the ideal DCG of the judged grades.
	dcg := 0.0
	for i, id := range ranked[:min(len(ranked), evalNDCGDepth)] {
		if g := rel[id]; g > 0 {
			dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(grades)))
	idcg := 0.0
	for i, g := range grades[:min(len(grades), evalNDCGDepth)] {
		idcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	m.NDCG10 = dcg / idcg
	// MAP: mean of the precisions at each relevant hit, over all relevant docs.
	found, sumPrec := 0, 0.0
	for i, id := range ranked[:min(len(ranked), evalMAPDepth)] {
		if rel[id] > 0 {
			found++
			sumPrec += float64(found) / float64(i+1)
		}
	}
	m.MAP = sumPrec / float64(nRel)
	found = 0
	for _, id := range ranked[:min(len(ranked), evalRecallDepth)] {
		if rel[id] > 0 {
			found++
		}
	}
	m.Recall = float64(found) / float64(nRel)
	for i, id := range ranked[:min(len(ranked), evalMRRDepth)] {
		if rel[id] > 0 {
			m.MRR10 = 1 / float64(i+1)
			break
		}
	}
	return m
}
