// Package eval measures ranking quality: it reads a relevance test
// collection (queries and graded judgments) and scores ranked document ids
// with trec_eval's definitions of nDCG@10, MAP, Recall@100 and MRR@10.
//
// It owns the metrics, the queries and qrels readers and the scoring of one
// ranking. It is pure: it imports the standard library and index/article's
// line reader only, never bleve nor any other Folio package (the Makefile's
// pure-check target enforces it). Running
// the queries against an index is the job of index.Index.Evaluate, which
// hands the rankings to this package.
package eval

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/folio-search/folio/index/article"
)

// Query is one query of a relevance test collection.
type Query struct {
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
	Queries int     `json:"queries"`
	NDCG10  float64 `json:"ndcg@10"`
	MAP     float64 `json:"map@1000"`
	Recall  float64 `json:"recall@100"`
	MRR10   float64 `json:"mrr@10"`
	Skipped int     `json:"skipped"` // queries without any relevant judgment (trec_eval ignores them)
	// Refused counts the queries the ranker refused as bad input (see
	// Refused): each is scored as an empty ranking, as a user gets nothing.
	Refused int `json:"refused"`
	// FirstRefusal is "query ID: error" of the first refused query, or "".
	FirstRefusal string `json:"first_refusal,omitempty"`
}

// Cut-offs of the metrics: MAPDepth is also how many ranked ids a query needs.
const (
	NDCGDepth   = 10
	MAPDepth    = 1000
	RecallDepth = 100
	MRRDepth    = 10
)

// LineError is a bad line of a queries or qrels file: the input error of
// index/article, whose text has the form "path:line: what is wrong (what
// was expected)".
type LineError = article.InputError

// ReadQueries reads "id<TAB>text" lines. Blank lines are skipped; a line
// without a tab is a *LineError naming name:line; a line over 1 MiB is
// bufio.ErrTooLong.
func ReadQueries(r io.Reader, name string) ([]Query, error) {
	var out []Query
	err := article.EachLine(r, func(line string, n int) error {
		id, text, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(id) == "" || strings.TrimSpace(text) == "" {
			return &LineError{Path: name, Line: n, Reason: "bad query line", Message: fmt.Sprintf("cannot read %q", article.Clip(line, 60)), Expected: "query_id<TAB>text"}
		}
		out = append(out, Query{ID: strings.TrimSpace(id), Text: text})
		return nil
	})
	return out, err
}

// ReadQrels reads "query_id<TAB>doc_id<TAB>grade" lines (TREC's four-column
// "query_id 0 doc_id grade" form is accepted too). Blank lines are skipped; a
// bad line is a *LineError naming name:line; a line over 1 MiB is
// bufio.ErrTooLong.
func ReadQrels(r io.Reader, name string) (Qrels, error) {
	out := Qrels{}
	err := article.EachLine(r, func(line string, n int) error {
		f := strings.Fields(line)
		if len(f) == 4 {
			f = []string{f[0], f[2], f[3]}
		}
		bad := func(msg string) error {
			return &LineError{Path: name, Line: n, Reason: "bad qrels line", Message: msg, Expected: "query_id<TAB>doc_id<TAB>grade with an integer grade"}
		}
		if len(f) != 3 {
			return bad(fmt.Sprintf("%d fields in %q", len(f), article.Clip(line, 60)))
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

// Ranker returns the ranked document ids for one query's text, best first;
// MAPDepth ids are enough.
type Ranker func(text string) ([]string, error)

// refusal is the error of a query its ranker refused (see Refused).
type refusal struct{ err error }

func (r refusal) Error() string { return r.err.Error() }
func (r refusal) Unwrap() error { return r.err }

// Refused wraps err, the reason a Ranker refuses a query as bad input (a
// search service answering 400): Run then scores the query as an empty
// ranking and counts it in Metrics.Refused instead of stopping.
func Refused(err error) error { return refusal{err} }

// Run ranks every judged query with rank and averages ScoreRanking over
// them. Queries without a relevant judgment are counted in Skipped and not
// ranked, as trec_eval does. A query rank refuses (an error made by
// Refused) counts as an empty ranking and in Refused; any other error of
// rank stops the run and is returned as "query ID: error".
func Run(queries []Query, qrels Qrels, rank Ranker) (Metrics, error) {
	var m Metrics
	for _, q := range queries {
		rel := qrels[q.ID]
		if !hasRelevant(rel) {
			m.Skipped++
			continue
		}
		ranked, err := rank(q.Text)
		var r refusal
		if errors.As(err, &r) {
			if m.Refused == 0 {
				m.FirstRefusal = fmt.Sprintf("query %s: %v", q.ID, err)
			}
			m.Refused++
			ranked, err = nil, nil
		}
		if err != nil {
			return m, fmt.Errorf("query %s: %w", q.ID, err)
		}
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

// hasRelevant reports whether the judgments hold a relevant (grade > 0) document.
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
	for i, id := range ranked[:min(len(ranked), NDCGDepth)] {
		if g := rel[id]; g > 0 {
			dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(grades)))
	idcg := 0.0
	for i, g := range grades[:min(len(grades), NDCGDepth)] {
		idcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	m.NDCG10 = dcg / idcg
	// MAP: mean of the precisions at each relevant hit, over all relevant docs.
	found, sumPrec := 0, 0.0
	for i, id := range ranked[:min(len(ranked), MAPDepth)] {
		if rel[id] > 0 {
			found++
			sumPrec += float64(found) / float64(i+1)
		}
	}
	m.MAP = sumPrec / float64(nRel)
	found = 0
	for _, id := range ranked[:min(len(ranked), RecallDepth)] {
		if rel[id] > 0 {
			found++
		}
	}
	m.Recall = float64(found) / float64(nRel)
	for i, id := range ranked[:min(len(ranked), MRRDepth)] {
		if rel[id] > 0 {
			m.MRR10 = 1 / float64(i+1)
			break
		}
	}
	return m
}

// Words is text as its words: lower-cased, with every run of characters
// that are neither letters nor digits replaced by one space. It is how the
// reference figures of ../shared/relevance were measured through the
// default search path, where characters such as ( ) / ? + - " : are query
// syntax (and a claim like "T-lymphotropic virus / tropical …" would be a
// regular expression).
func Words(text string) string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(f, " ")
}
