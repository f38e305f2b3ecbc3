package server

import (
	"math"
	"time"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
)

// SearchResponse is the JSON body of GET /api/search.
type SearchResponse struct {
	Query  string      `json:"query"`
	Total  uint64      `json:"total"`
	TookMS float64     `json:"took_ms"` // milliseconds, 3 decimals
	Page   int         `json:"page"`
	Size   int         `json:"size"`
	Hits   []SearchHit `json:"hits"` // never null
	// Cursor fetches the next page (?cursor=…, same q, mode and sort); "" on the last page.
	Cursor string `json:"cursor"`
	// Suggestion is a corrected query when this one found little, else "".
	Suggestion string        `json:"suggestion"`
	Facets     []SearchFacet `json:"facets,omitempty"` // present when ?facets= asked for them
}

// SearchFacet counts the values of one field over all matches.
type SearchFacet struct {
	Field    string        `json:"field"`
	Interval string        `json:"interval,omitempty"` // month or year for date
	Buckets  []FacetBucket `json:"buckets"`
}

// FacetBucket is one value of a facet with its number of articles.
type FacetBucket struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// SearchHit is one hit of a SearchResponse.
type SearchHit struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Date     string   `json:"date"`     // YYYY-MM-DD in the date's own zone, or ""
	Datetime string   `json:"datetime"` // RFC 3339, or ""
	URL      string   `json:"url"`
	Source   string   `json:"source"`
	Author   string   `json:"author"`
	Tags     []string `json:"tags"` // never null
	// Keywords are the extra keyword fields (index.keyword_fields) the article has.
	Keywords   map[string][]string `json:"keywords,omitempty"`
	Score      float64             `json:"score"`
	Highlights SearchHighlights    `json:"highlights"`
}

// SearchHighlights are a hit's snippets: HTML-escaped text where only <mark>…</mark> is markup.
type SearchHighlights struct {
	Title []string `json:"title"` // never null
	Body  []string `json:"body"`  // never null
}

// NewSearchResponse converts r into the API's JSON shape, so that the CLI can
// print exactly what the API returns.
func NewSearchResponse(r *index.Result) SearchResponse {
	resp := SearchResponse{
		Query:  r.Query,
		Total:  r.Total,
		TookMS: math.Round(float64(r.Took)/float64(time.Microsecond)) / 1000,
		Page:   r.Page,
		Size:   r.Size,
		Hits:   make([]SearchHit, len(r.Hits)),
		Cursor: r.Cursor,

		Suggestion: r.Suggestion,
	}
	for _, f := range r.Facets {
		sf := SearchFacet{Field: f.Field, Interval: f.Interval, Buckets: make([]FacetBucket, len(f.Buckets))}
		for i, b := range f.Buckets {
			sf.Buckets[i] = FacetBucket{Value: b.Value, Count: b.Count}
		}
		resp.Facets = append(resp.Facets, sf)
	}
	for i := range r.Hits {
		h := &r.Hits[i]
		date, datetime := formatDate(h.Date)
		resp.Hits[i] = SearchHit{
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
			Highlights: SearchHighlights{
				Title: nonNil(h.Highlights.Title),
				Body:  nonNil(h.Highlights.Body),
			},
		}
	}
	return resp
}

// articleResponse is the JSON body of GET /api/articles/*.
type articleResponse struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Date     string   `json:"date"`
	Datetime string   `json:"datetime"`
	Body     string   `json:"body"`
	URL      string   `json:"url"`
	Source   string   `json:"source"`
	Author   string   `json:"author"`
	Tags     []string `json:"tags"`
	// Marked is present when the request gave ?q=: the whole title and body
	// as HTML-escaped text where only <mark>…</mark> is markup.
	Marked *markedText `json:"marked,omitempty"`

	Keywords map[string][]string `json:"keywords,omitempty"`
}

// markedText is an article's title and body with a query's matches marked.
type markedText struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

func newArticleResponse(a *article.Article) articleResponse {
	date, datetime := formatDate(a.Date)
	return articleResponse{
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

// healthResponse is the JSON body of GET /healthz.
type healthResponse struct {
	Status    string `json:"status"`
	Documents uint64 `json:"documents"`
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
