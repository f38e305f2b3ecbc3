package index

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
)

// feedback expands p, a natural-language query (p.Feedback), by the words
// of its best matches: it runs p for its first plan.FeedbackDocs hits,
// analyses their titles and bodies (at most plan.FeedbackScan bytes each)
// and adds the plan.FeedbackCount terms they use most (plan.FeedbackTerms)
// that at most plan.FeedbackMaxShare of the articles hold,
// text being the query as typed.
// The caller holds ix.mu for reading.
func (ix *Index) feedback(ctx context.Context, p *plan.Plan, text string) error {
	an := ix.planner.Analyzers[""]
	if an == nil {
		return nil
	}
	first := *p
	first.From, first.Size, first.After, first.Locations = 0, plan.FeedbackDocs, nil, false
	hits, _, err := first.Run(ctx, ix.searchAll, &ix.ties)
	if err != nil || len(hits) == 0 {
		return err
	}
	docs := make([]plan.FeedbackDoc, 0, len(hits))
	for _, h := range hits {
		doc, err := ix.document(h.Match.ID)
		if err != nil {
			return fmt.Errorf("load article %q: %w", h.Match.ID, err)
		}
		if doc == nil { // deleted since the search
			continue
		}
		a := ix.article(doc)
		body := a.Title + "\n" + a.Body
		if len(body) > plan.FeedbackScan {
			body = body[:plan.FeedbackScan]
		}
		tokens := an.Analyze([]byte(body))
		terms := make([]string, len(tokens))
		for i, t := range tokens {
			terms[i] = string(t.Term)
		}
		docs = append(docs, plan.FeedbackDoc{Score: h.Match.Score, Terms: terms})
	}
	dict := engine.NewDict(ix.shards)
	n, err := dict.Docs()
	maxDF := uint64(float64(n) * plan.FeedbackMaxShare)
	var terms []plan.WeightedTerm
	if err == nil {
		terms, err = plan.FeedbackTerms(docs, plan.FeedbackCount, func(term string) (bool, error) {
			df, err := dict.Count(schema.Text, term)
			return df <= maxDF, err
		})
	}
	if cerr := dict.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	p.Expand(terms)
	return nil
}

// markFeedback gives the hits of a query that feedback expanded the term
// locations of the query's own words (plan.MarkRequest), which the
// expanded search did not collect: snippets mark only what was searched.
func (ix *Index) markFeedback(ctx context.Context, p *plan.Plan, hits []plan.Hit) error {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.Match.ID
	}
	req := p.MarkRequest(ids)
	if req == nil {
		return nil
	}
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return err
	}
	marked := make(map[string]search.FieldTermLocationMap, len(res.Hits))
	for _, m := range res.Hits {
		marked[m.ID] = m.Locations
	}
	for _, h := range hits {
		h.Match.Locations = marked[h.Match.ID]
	}
	return nil
}
