package index

import (
	"context"
	"fmt"
	"html"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/folio-search/folio/index/article"

	"github.com/folio-search/folio/index/internal/highlight"
)

// MarkedArticle is a whole article with the matches of a query marked: Title
// and Body hold the article's title and body as HTML-escaped text in which
// only <mark>…</mark> is markup.
type MarkedArticle struct {
	article.Article
	TitleHTML string
	BodyHTML  string
}

// MarkedArticle returns the stored article with the given id, its whole
// title and body marked where they match the query text (the same query
// syntax and analysis as Search, so stemmed forms are marked too). An empty
// text, or a query the article does not match, marks nothing. It returns an
// error wrapping ErrNotFound when there is no such article, a *ParamError
// wrapping ErrInvalidQuery for a query Search would reject, and ErrTimeout
// past the search deadline. An article vis may not see is ErrNotFound, as
// a missing one.
func (ix *Index) MarkedArticle(ctx context.Context, id, text string, vis Visibility) (*MarkedArticle, error) {
	ix.mu.RLock() // no rebuild swaps the shards while they are read
	defer ix.mu.RUnlock()
	ctx, cancel := context.WithTimeout(ctx, ix.opts.Timeout)
	defer cancel()
	a, err := ix.storedArticle(ctx, id, vis)
	if err != nil {
		return nil, err
	}
	m := &MarkedArticle{Article: *a, TitleHTML: html.EscapeString(a.Title), BodyHTML: html.EscapeString(a.Body)}
	p, err := ix.plan(ctx, Query{Text: text, Size: 1, Visible: vis})
	if err != nil || !p.Locations { // a bad query, or none (browse all)
		return m, err
	}
	q := query.NewBooleanQuery([]query.Query{p.Main, query.NewDocIDQuery([]string{id})}, nil, nil)
	req := bleve.NewSearchRequestOptions(q, 1, 0, false)
	req.IncludeLocations = true
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return nil, ix.searchErr(ctx, err)
	}
	if len(res.Hits) == 0 {
		return m, nil
	}
	doc, err := ix.document(id)
	if err != nil {
		return nil, fmt.Errorf("load article %q: %w", id, err)
	}
	if doc == nil {
		return nil, fmt.Errorf("%w: no article with id %q", ErrNotFound, id)
	}
	dm := res.Hits[0]
	highlight.SplitLocations(dm, len(a.Title))
	if t := ix.hl.TitleFragments(dm, doc); len(t) > 0 {
		m.TitleHTML = t[0]
	}
	if b := ix.hl.WholeBody(dm, doc); len(b) > 0 {
		m.BodyHTML = b[0]
	}
	return m, nil
}
