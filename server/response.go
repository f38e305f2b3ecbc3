package server

import (
	"math"
	"time"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server/api"
)

// NewSearchResponse converts r into the API's JSON shape, so that the CLI can
// print exactly what the API returns.
func NewSearchResponse(r *index.Result) api.SearchResponse {
	resp := api.SearchResponse{
		Query:  r.Query,
		Total:  r.Total,
		TookMS: math.Round(float64(r.Took)/float64(time.Microsecond)) / 1000,
		Page:   r.Page,
		Size:   r.Size,
		Hits:   make([]api.Hit, len(r.Hits)),
		Cursor: r.Cursor,

		Suggestion: r.Suggestion,
	}
	for _, f := range r.Facets {
		sf := api.Facet{Field: f.Field, Interval: f.Interval, Buckets: make([]api.FacetBucket, len(f.Buckets))}
		for i, b := range f.Buckets {
			sf.Buckets[i] = api.FacetBucket{Value: b.Value, Count: b.Count}
		}
		resp.Facets = append(resp.Facets, sf)
	}
	for i := range r.Hits {
		h := &r.Hits[i]
		date, datetime := formatDate(h.Date)
		resp.Hits[i] = api.Hit{
			ID:       h.ID,
			Title:    h.Title,
			Date:     date,
			Datetime: datetime,
			URL:      h.URL,
			Source:   h.Source,
			Author:   h.Author,
			Tags:     nonNil(h.Tags),
			Keywords: h.Keywords,
			Score:    h.Score,
			Highlights: api.Highlights{
				Title: nonNil(h.Highlights.Title),
				Body:  nonNil(h.Highlights.Body),
			},
			Explain: newExplanation(h.Explanation),
		}
	}
	return resp
}

// newArticleResponse converts a into the body of GET /api/articles/{id}.
func newArticleResponse(a *article.Article) api.Article {
	date, datetime := formatDate(a.Date)
	return api.Article{
		ID:       a.ID,
		Title:    a.Title,
		Date:     date,
		Datetime: datetime,
		Body:     a.Body,
		URL:      a.URL,
		Source:   a.Source,
		Author:   a.Author,
		Tags:     nonNil(a.Tags),
		Keywords: a.Keywords,
	}
}

// formatDate returns t as YYYY-MM-DD and RFC 3339 in t's own location, or
// two empty strings for the zero time (an undated article).
func formatDate(t time.Time) (date, datetime string) {
	if t.IsZero() {
		return "", ""
	}
	return t.Format(time.DateOnly), t.Format(time.RFC3339)
}

// nonNil returns s, or an empty slice (no allocation) when s is nil, so that
// JSON has [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// newExplanation converts an index explanation; nil stays nil.
func newExplanation(e *index.Explanation) *api.Explanation {
	if e == nil {
		return nil
	}
	out := &api.Explanation{Score: e.Score, Message: e.Message}
	for i := range e.Parts {
		out.Parts = append(out.Parts, *newExplanation(&e.Parts[i]))
	}
	return out
}
