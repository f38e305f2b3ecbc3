package index

import (
	"context"
	"fmt"
	"time"

	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/suggest"
)

// relatedTerms is how many of an article's most distinctive terms a
// more-like-this query uses.
const relatedTerms = 25

// Related returns the articles most like the article id (more like this):
// its relatedTerms most distinctive terms (tf × idf over the title and body,
// terms found in no other article left out) are searched as one weighted
// query, the article itself excluded. q.Size, q.From, q.To and q.Visible
// apply as in Search; its other fields are ignored. An unknown id, or one
// q.Visible may not see, is ErrNotFound; only articles q.Visible may see
// are related. (The terms' weights are counted over the whole index.)
func (ix *Index) Related(ctx context.Context, id string, q Query) (*Result, error) {
	ix.mu.RLock() // no rebuild swaps the shards while they are read
	defer ix.mu.RUnlock()
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, ix.opts.Timeout)
	defer cancel()
	seen, err := ix.visible(ctx, id, q.Visible)
	if err != nil {
		return nil, ix.searchErr(ctx, err)
	}
	doc, err := ix.document(id)
	if err != nil {
		return nil, fmt.Errorf("load article %q: %w", id, err)
	}
	if doc == nil || !seen {
		return nil, fmt.Errorf("%w: no article with id %q", ErrNotFound, id)
	}
	p, err := ix.plan(ctx, Query{From: q.From, To: q.To, Size: q.Size, Visible: q.Visible})
	if err != nil {
		return nil, ix.planErr(ctx, err)
	}
	p.SortBy, p.Locations = SortRelevance, true
	a := ix.article(doc)
	analyzer := ix.shards[0].Mapping().AnalyzerNamed(schema.Analyzer(ix.meta.Language))
	n, err := ix.docCount()
	if err != nil {
		return nil, err
	}
	terms, err := suggest.Distinctive(ctx, ix.shards, analyzer, schema.Text, a.Title+schema.TextSeparator+a.Body, n, relatedTerms)
	if err != nil {
		return nil, err
	}
	out := &Result{Page: 1, Size: p.Size, Hits: []Hit{}}
	mlt := suggest.MoreLikeThis(terms, schema.Text, id)
	if mlt == nil {
		out.Took = time.Since(start)
		return out, nil
	}
	res, err := ix.searchAll(ctx, p.SearchRequest(mlt, 0, p.Size))
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
