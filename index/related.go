package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
)

// relatedTerms is how many of an article's most distinctive terms a
// more-like-this query uses.
const relatedTerms = 25

// Related returns the articles most like the article id (more like this):
// its relatedTerms most distinctive terms (tf × idf over the title and body,
// terms found in no other article left out) are searched as one weighted
// query, the article itself excluded. q.Size, q.From and q.To apply as in
// Search; its other fields are ignored. An unknown id is ErrNotFound.
func (ix *Index) Related(ctx context.Context, id string, q Query) (*Result, error) {
	ix.mu.RLock() // no rebuild swaps the shards while they are read
	defer ix.mu.RUnlock()
	start := time.Now()
	doc, err := ix.document(id)
	if err != nil {
		return nil, fmt.Errorf("load article %q: %w", id, err)
	}
	if doc == nil {
		return nil, fmt.Errorf("%w: no article with id %q", ErrNotFound, id)
	}
	p, err := ix.plan(Query{From: q.From, To: q.To, Size: q.Size})
	if err != nil {
		return nil, err
	}
	p.SortBy, p.Locations = SortRelevance, true
	a := ix.article(doc)
	analyzer := ix.shards[0].Mapping().AnalyzerNamed(schema.Analyzer(ix.meta.Language))
	tf := map[string]int{}
	for _, tok := range analyzer.Analyze([]byte(a.Title + schema.TextSeparator + a.Body)) {
		tf[string(tok.Term)]++
	}
	readers, closeAll, err := engine.Readers(ix.shards)
	if err != nil {
		return nil, err
	}
	n, err := ix.docCount()
	if err != nil {
		return nil, errors.Join(err, closeAll())
	}
	type weighted struct {
		term string
		w    float64
	}
	var terms []weighted
	for t, f := range tf {
		df, err := engine.DocFreq(ctx, readers, schema.Text, t)
		if err != nil {
			return nil, errors.Join(err, closeAll())
		}
		if df < 2 { // in this article only
			continue
		}
		terms = append(terms, weighted{t, float64(f) * math.Log(float64(n)/float64(df))})
	}
	if err := closeAll(); err != nil {
		return nil, err
	}
	sort.Slice(terms, func(i, j int) bool {
		return terms[i].w > terms[j].w || terms[i].w == terms[j].w && terms[i].term < terms[j].term
	})
	terms = terms[:min(len(terms), relatedTerms)]
	out := &Result{Page: 1, Size: p.Size, Hits: []Hit{}}
	if len(terms) == 0 || terms[0].w <= 0 {
		out.Took = time.Since(start)
		return out, nil
	}
	clauses := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := query.NewTermQuery(t.term)
		tq.SetField(schema.Text)
		tq.SetBoost(t.w / terms[0].w)
		clauses[i] = tq
	}
	mlt := query.NewBooleanQuery(nil, []query.Query{query.NewDisjunctionQuery(clauses)}, []query.Query{query.NewDocIDQuery([]string{id})})
	ctx, cancel := context.WithTimeout(ctx, ix.opts.Timeout)
	defer cancel()
	res, err := ix.searchAll(ctx, ix.request(p, mlt, 0, p.Size))
	if err != nil {
		return nil, ix.searchErr(ctx, err)
	}
	out.Total = res.Total
	for _, dm := range res.Hits {
		d, err := ix.document(dm.ID)
		if err != nil {
			return nil, fmt.Errorf("load article %q: %w", dm.ID, err)
		}
		if d != nil {
			out.Hits = append(out.Hits, ix.hit(dm, d))
		}
	}
	out.Took = time.Since(start)
	return out, nil
}
