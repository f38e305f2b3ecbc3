package plan

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
)

// Pseudo-relevance feedback for natural-language queries: a question or a
// pasted sentence names its subject in words that the best matching
// articles share with others on the same subject. The articles ranked
// first are read, the words they use most (weighted by each article's
// score, RM3-style) are added as optional, lightly weighted terms, and the
// query runs again. The query itself stays required, so the matches and
// total are those of the words as typed; only their order changes.
// testdata/relevance/RESULTS.md has the figures these constants were chosen by.
const (
	FeedbackDocs   = 10   // top articles read
	FeedbackCount  = 15   // terms added
	FeedbackWeight = 0.08 // mean boost of an added term (a query word's is 1)
	// FeedbackMaxShare leaves out terms that more than this share of the
	// articles hold: they tell little about the subject and cost the most
	// to search (each is read for every match of the query).
	FeedbackMaxShare = 0.3
	// FeedbackScan bounds the bytes of an article's title and body analysed for feedback.
	FeedbackScan = 64 << 10
)

// Feedback configures pseudo-relevance feedback: on for queries of
// plain words (no quotes, operators, fields or wildcards), at least
// MinWords of them, in relevance order.
type Feedback struct {
	On       bool
	MinWords int
}

// FeedbackDoc is one article read for feedback: its score in the first
// search and the analysed terms of its title and body.
type FeedbackDoc struct {
	Score float64
	Terms []string
}

// WeightedTerm is an index term with a weight.
type WeightedTerm struct {
	Term   string
	Weight float64
}

// FeedbackTerms picks the n terms that the docs use most, each doc's
// relative term frequencies weighted by its share of the docs' total score
// (a relevance model, RM1), of those keep accepts. Terms of one character
// and numbers are left out. The result is ordered by weight, then term, so
// it is deterministic.
func FeedbackTerms(docs []FeedbackDoc, n int, keep func(term string) (bool, error)) ([]WeightedTerm, error) {
	var sum float64
	for _, d := range docs {
		sum += d.Score
	}
	if sum <= 0 || n <= 0 {
		return nil, nil
	}
	weights := map[string]float64{}
	tf := map[string]int{}
	for _, d := range docs {
		if len(d.Terms) == 0 {
			continue
		}
		clear(tf)
		for _, t := range d.Terms {
			tf[t]++
		}
		share := d.Score / sum / float64(len(d.Terms))
		for t, c := range tf {
			weights[t] += float64(c) * share
		}
	}
	out := make([]WeightedTerm, 0, len(weights))
	for t, w := range weights {
		if len(t) < 2 {
			continue
		}
		if _, err := strconv.ParseFloat(t, 64); err == nil {
			continue
		}
		out = append(out, WeightedTerm{t, w})
	}
	slices.SortFunc(out, func(a, b WeightedTerm) int {
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		return cmp.Compare(a.Term, b.Term)
	})
	kept := out[:0]
	for _, t := range out {
		if len(kept) == n {
			break
		}
		ok, err := keep(t.Term)
		if err != nil {
			return nil, err
		}
		if ok {
			kept = append(kept, t)
		}
	}
	return kept, nil
}

// Expand adds terms to p's query as optional clauses of the title+body
// text, boosted so that their mean boost is FeedbackWeight, and keeps the
// query itself required. The expanded search needs no term locations:
// snippets mark only the words searched for, located by MarkRequest.
func (p *Plan) Expand(terms []WeightedTerm) {
	if len(terms) == 0 {
		return
	}
	var total float64
	for _, t := range terms {
		total += t.Weight
	}
	clauses := make([]query.Query, 0, len(terms))
	for _, t := range terms {
		tq := query.NewTermQuery(t.Term)
		tq.SetField(schema.Text)
		tq.SetBoost(FeedbackWeight * t.Weight / total * float64(len(terms)))
		clauses = append(clauses, tq)
	}
	p.marks = p.Main
	p.Locations = false
	// bleve ignores a DisjunctionQuery's own boost: the boosts are on the leaves.
	p.Main = query.NewBooleanQuery([]query.Query{p.Main}, []query.Query{query.NewDisjunctionQuery(clauses)}, nil)
}

// MarkRequest is, for a query that Expand expanded, the search that
// locates the query's own words in the articles ids (a page of hits), for
// their snippets; nil for any other query.
func (p *Plan) MarkRequest(ids []string) *bleve.SearchRequest {
	if p.marks == nil || len(ids) == 0 {
		return nil
	}
	req := bleve.NewSearchRequestOptions(engine.Filtered(p.marks, query.NewDocIDQuery(ids)), len(ids), 0, false)
	req.IncludeLocations = true
	return req
}

// plainWords counts the clauses of a parsed syntax query made only of
// optional unfielded words without boosts (no phrases, required or excluded
// clauses, fields, wildcards or fuzzy terms); ok is false for any other query.
func plainWords(q query.Query) (n int, ok bool) {
	bq, isBool := q.(*query.BooleanQuery)
	if !isBool || bq.MustNot != nil {
		return 0, false
	}
	if bq.Must != nil {
		if c, isConj := bq.Must.(*query.ConjunctionQuery); !isConj || len(c.Conjuncts) > 0 {
			return 0, false
		}
	}
	d, isDisj := bq.Should.(*query.DisjunctionQuery)
	if !isDisj {
		return 0, false
	}
	for _, c := range d.Disjuncts {
		if !plainWord(c) {
			return 0, false
		}
	}
	return len(d.Disjuncts), true
}

// plainWord reports whether q is an unfielded word without boost or fuzziness
// as the query-string parser makes it: a MatchQuery, or for a number the
// disjunction of its MatchQuery and a numeric range.
func plainWord(q query.Query) bool {
	if d, ok := q.(*query.DisjunctionQuery); ok && len(d.Disjuncts) == 2 {
		if _, ok := d.Disjuncts[1].(*query.NumericRangeQuery); ok {
			q = d.Disjuncts[0]
		}
	}
	m, ok := q.(*query.MatchQuery)
	return ok && m.FieldVal == "" && m.BoostVal == nil && m.Fuzziness == 0 && m.Prefix == 0
}
