package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/suggest"
)

// suggestBelow: a query with fewer matches than this gets a "did you mean".
const suggestBelow = 3

// suggest returns a corrected query, made of the index's own words, for a
// query that found fewer than suggestBelow articles; "" when no word can be
// corrected or no article holds all the corrected words (within p's filters). Each word whose
// analysed term is not in the index is replaced by the closest indexed term
// (edit distance 1, or 2 for words over 5 letters; ties go to the most
// frequent), written as it appears in an article that contains it (the index
// holds stems such as "cambodia" → "cambodia", "prices" → "price"). What
// vis may not see plays no part: a word is known, and a correction counted
// and written, only as the articles vis may see hold it.
func (ix *Index) suggest(ctx context.Context, p *plan.Plan, text string, vis Visibility) (string, error) {
	analyzer := ix.shards[0].Mapping().AnalyzerNamed(schema.Analyzer(ix.meta.Language))
	var count suggest.Count
	if !vis.All {
		count = func(ctx context.Context, term string) (uint64, error) {
			return ix.termCount(ctx, vis, schema.Text, term)
		}
	}
	surface := func(ctx context.Context, term string) (string, error) { return ix.surfaceForm(ctx, term, vis) }
	s, err := suggest.Correct(ctx, ix.shards, analyzer, schema.Text, text, plan.MaxClauses, count, surface)
	if err != nil || s == "" {
		return "", err
	}
	all := query.NewMatchQuery(s) // every corrected word must occur together
	all.SetOperator(query.MatchQueryOperatorAnd)
	n, err := p.Count(ctx, ix.searchAll, all)
	if err != nil || n == 0 {
		return "", err
	}
	return s, nil
}

// surfaceForm is the word of an article vis may see that the analysed term came from.
func (ix *Index) surfaceForm(ctx context.Context, term string, vis Visibility) (string, error) {
	tq := query.NewTermQuery(term)
	tq.SetField(schema.Text)
	req := (&plan.Plan{Locations: true, Filter: vis.Filter()}).SearchRequest(tq, 0, 1)
	req.IncludeLocations = true
	res, err := ix.searchAll(ctx, req)
	if err != nil || len(res.Hits) == 0 {
		return "", err
	}
	dm := res.Hits[0]
	locs := dm.Locations[schema.Text][term]
	if len(locs) == 0 {
		return "", nil
	}
	doc, err := ix.document(dm.ID)
	if err != nil || doc == nil {
		return "", err
	}
	a := ix.article(doc)
	return suggest.Surface(a.Title+schema.TextSeparator+a.Body, locs[0]), nil
}
