package index

import (
	"time"

	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
)

// Sort orders of a Query.
const (
	SortRelevance = plan.SortRelevance // "relevance": best match first (default)
	SortDateAsc   = plan.SortDateAsc   // "date": oldest first
	SortDateDesc  = plan.SortDateDesc  // "-date": newest first
)

// Query is one search: the raw parameters as a user gave them. Search
// validates and parses them, so the API and the CLI share the same rules.
type Query struct {
	Text string // query-string syntax; empty browses all articles, newest first
	From string // inclusive lower date bound in any accepted layout; empty for none
	To   string // inclusive upper date bound; a bare day includes that whole day
	Size int    // hits per page; 0 means the configured default
	Page int    // 1-based page; 0 means 1
	Sort string // SortRelevance, SortDateAsc or SortDateDesc; empty means relevance
	Mode string // ModeSyntax (default) or ModeText: Text is plain words, no query syntax
	// Cursor continues after the last hit of the response that returned it
	// (Result.Cursor); Text and Sort must be the same. Page must be 0 or 1.
	Cursor string
	// Facets names the fields whose values are counted over all matches
	// ("date" for month and year buckets, or a keyword field: source,
	// author, tags); an element may hold several, comma-separated.
	Facets []string
	// Filters narrow the matches without changing scores, each
	// "field:value" on a keyword field; values of one field are
	// alternatives, different fields must all match.
	Filters []string
	// FacetSize is the number of top values counted per keyword facet,
	// 1 to MaxFacetSize; 0 means DefaultFacetSize.
	FacetSize int
	// AsYouType says the query is still being typed: its last plain word
	// (unquoted, unfielded, not excluded, 2+ letters) also matches the
	// index words it begins, ranked below the word itself (syntax mode).
	AsYouType bool
	// Visible is what the reader may see: hits, total, facet counts,
	// cursors and the suggestion come from those articles only. The zero
	// value sees the articles without groups; AllArticles sees every one.
	Visible Visibility
}

// Visibility is what one reader may see: the zero value sees only the
// articles without groups; All sees every article; otherwise the articles
// without groups and those sharing one of Groups, narrowed by Sources, Tags
// and [Start, End) when given. Reads of articles the reader may not see
// answer exactly as for a missing article (ErrNotFound). It is bound to
// cursors: a cursor continues only for a reader who sees the same.
type Visibility = plan.Visibility

// AllArticles is the Visibility of administration and of operators' own
// tools: every article.
func AllArticles() Visibility { return Visibility{All: true} }

// MaxVisibilityValues bounds each list of a Visibility (groups, sources,
// tags); more is a *ParamError for parameter "token".
const MaxVisibilityValues = plan.MaxVisibilityValues

// Bounds of Query.FacetSize.
const (
	DefaultFacetSize = plan.DefaultFacetSize // 10 values per keyword facet
	MaxFacetSize     = plan.MaxFacetSize     // at most 200
)

// Query modes.
const (
	ModeSyntax = plan.ModeSyntax // "syntax": query-string syntax: "phrases", +must, -not, field:word, prefix*, fuzzy~
	ModeText   = plan.ModeText   // "text": natural-language text: every character is searched as text
)

// MaxTokenRunes is the longest word of analysed text that is indexed
// (schema.MaxTokenRunes); longer ones are left out of the index, the
// article is still stored and shown whole.
const MaxTokenRunes = schema.MaxTokenRunes

// Result is one page of ranked hits.
type Result struct {
	Query string        // the query text as given
	Total uint64        // number of matching articles
	Took  time.Duration // time spent searching and highlighting
	Page  int           // the page returned (1-based), also when fetched by cursor; 0 for a cursor of an older version
	Size  int           // the page size used
	Hits  []Hit         // at most Size hits, in rank order
	// Cursor fetches the next page (Query.Cursor) with memory proportional
	// to Size however deep; "" when this page is the last.
	Cursor string
	Facets []Facet // one per requested facet (two for date: months, then years)
	// Suggestion is a corrected query built from the index's own words when
	// this one found nothing or very little; "" otherwise.
	Suggestion string
}

// Hit is one ranked article with its highlighted snippets.
type Hit struct {
	ID     string
	Title  string
	Date   time.Time // zero when the article has no date
	URL    string
	Source string
	Author string
	Tags   []string
	// Keywords are the extra keyword fields (Options.KeywordFields) that the article has.
	Keywords map[string][]string
	Score    float64
	// Highlights holds HTML-escaped article text where only <mark>…</mark> is markup.
	Highlights Highlights
}

// Highlights are the snippets of one hit: Title is the whole title with its
// matches marked (empty when the title has none); Body holds fragments around
// the matches, or the article's opening (escaped, unmarked) when the body has none.
type Highlights struct {
	Title []string
	Body  []string
}
