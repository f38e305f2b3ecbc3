package suggest

import (
	"context"
	"errors"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
)

// Term is a term of an article with its weight in a more-like-this query.
type Term struct {
	Text   string
	Weight float64
}

// Distinctive returns up to limit terms of text, as analyzer gives them, by
// weight, most distinctive first: tf × idf, with the document frequency of
// field over shards and docs documents in all; terms found in one document
// only are left out. Equal weights go in term order.
func Distinctive(ctx context.Context, shards []bleve.Index, analyzer analysis.Analyzer, field, text string, docs uint64, limit int) ([]Term, error) {
	tf := map[string]int{}
	for _, tok := range analyzer.Analyze([]byte(text)) {
		tf[string(tok.Term)]++
	}
	readers, closeAll, err := engine.Readers(shards)
	if err != nil {
		return nil, err
	}
	var terms []Term
	for t, f := range tf {
		df, err := engine.DocFreq(ctx, readers, field, t)
		if err != nil {
			return nil, errors.Join(err, closeAll())
		}
		if df < 2 { // in this article only
			continue
		}
		terms = append(terms, Term{t, float64(f) * math.Log(float64(docs)/float64(df))})
	}
	if err := closeAll(); err != nil {
		return nil, err
	}
	sort.Slice(terms, func(i, j int) bool {
		return terms[i].Weight > terms[j].Weight || terms[i].Weight == terms[j].Weight && terms[i].Text < terms[j].Text
	})
	return terms[:min(len(terms), limit)], nil
}

// MoreLikeThis is the query of the documents like id: any of terms in field,
// each boosted by its weight relative to the first, id itself excluded. It
// is nil when there are no terms or the first weighs nothing.
func MoreLikeThis(terms []Term, field, id string) query.Query {
	if len(terms) == 0 || terms[0].Weight <= 0 {
		return nil
	}
	clauses := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := query.NewTermQuery(t.Text)
		tq.SetField(field)
		tq.SetBoost(t.Weight / terms[0].Weight)
		clauses[i] = tq
	}
	return query.NewBooleanQuery(nil, []query.Query{query.NewDisjunctionQuery(clauses)}, []query.Query{query.NewDocIDQuery([]string{id})})
}
