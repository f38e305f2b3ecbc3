// Package api holds the JSON wire types of Folio's HTTP API: the bodies the
// server sends (searches, articles, write results, rebuild, sync and backup
// answers, errors) and the ones it reads (backup requests). The server's
// handlers build them, `folio search --json` prints SearchResponse, and the
// CLI's hand-off client decodes the admin answers and errors with them, so
// that every side agrees on one shape. Field order and omitempty are part of
// the API: responses are compared byte for byte (apart from took_ms) with the
// README and validated against server/openapi.json. It imports only the
// standard library.
package api

import "time"

// SearchResponse is the JSON body of GET /api/search and of the related
// articles (GET /api/related/{id}), and what `folio search --json` prints.
type SearchResponse struct {
	Query  string  `json:"query"`
	Total  uint64  `json:"total"`
	TookMS float64 `json:"took_ms"` // milliseconds, 3 decimals
	Page   int     `json:"page"`
	Size   int     `json:"size"`
	Hits   []Hit   `json:"hits"` // never null
	// Cursor fetches the next page (?cursor=…, same q, mode and sort); "" on the last page.
	Cursor string `json:"cursor"`
	// Suggestion is a corrected query when this one found little, else "".
	Suggestion string  `json:"suggestion"`
	Facets     []Facet `json:"facets,omitempty"` // present when ?facets= asked for them
	// QueryID names this search in the analytics (POST /api/events); "" when analytics are off.
	QueryID string `json:"query_id,omitempty"`
}

// Facet counts the values of one field over all matches.
type Facet struct {
	Field    string        `json:"field"`
	Interval string        `json:"interval,omitempty"` // month or year for date
	Buckets  []FacetBucket `json:"buckets"`
}

// FacetBucket is one value of a facet with its number of articles.
type FacetBucket struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Hit is one hit of a SearchResponse.
type Hit struct {
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
	Highlights Highlights          `json:"highlights"`
	// Explain is what Score is made of: asked with explain=true (admin key only).
	Explain *Explanation `json:"explain,omitempty"`
}

// Explanation is one part of a score, with the parts it is computed from.
type Explanation struct {
	Score   float64       `json:"score"`
	Message string        `json:"message"`
	Parts   []Explanation `json:"parts,omitempty"`
}

// Highlights are a hit's snippets: HTML-escaped text where only <mark>…</mark> is markup.
type Highlights struct {
	Title []string `json:"title"` // never null
	Body  []string `json:"body"`  // never null
}

// Article is the JSON body of GET /api/articles/{id}.
type Article struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Date     string   `json:"date"`     // YYYY-MM-DD in the date's own zone, or ""
	Datetime string   `json:"datetime"` // RFC 3339, or ""
	Body     string   `json:"body"`
	URL      string   `json:"url"`
	Source   string   `json:"source"`
	Author   string   `json:"author"`
	Tags     []string `json:"tags"` // never null
	// Marked is present when the request gave ?q=: the whole title and body
	// as HTML-escaped text where only <mark>…</mark> is markup.
	Marked *Marked `json:"marked,omitempty"`

	Keywords map[string][]string `json:"keywords,omitempty"`
}

// Marked is an article's title and body with a query's matches marked.
type Marked struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Health is the JSON body of GET /healthz and GET /readyz.
type Health struct {
	Status    string `json:"status"` // starting, ok, ready, or replaying (a replica too far behind its log)
	Documents uint64 `json:"documents"`
	// Cluster mode (/readyz): the last log sequence applied here, the
	// log's last one, the difference, and why the log cannot be reached.
	AppliedSeq *uint64 `json:"applied_seq,omitempty"`
	LogLastSeq *uint64 `json:"log_last_seq,omitempty"`
	Lag        *uint64 `json:"lag,omitempty"`
	LogError   string  `json:"log_error,omitempty"`
}

// WriteResult is one result of a write: the body of a single write, one
// element of an ArrayResponse's results and one line of a bulk response.
// Array results carry Index (0-based), bulk results Line (1-based), and an
// error message starts with the same position ("request[3]: …", "request:7: …").
type WriteResult struct {
	Index   *int     `json:"index,omitempty"`
	Line    int      `json:"line,omitempty"`
	ID      string   `json:"id,omitempty"` // when known, also for most errors
	Status  string   `json:"status"`       // created, updated, deleted or error
	Error   string   `json:"error,omitempty"`
	Ignored []string `json:"ignored,omitempty"` // fields sent that Folio does not index
	// Seq, in cluster mode, is the log sequence of the write (each array
	// element and bulk line its own); min_seq=Seq on a read of any node
	// sees it.
	Seq uint64 `json:"seq,omitempty"`
}

// WriteSummary counts the results of a write of many articles: the head of
// an ArrayResponse and the last line of a bulk response. Errors is true
// when some record was not written; the status is 200 all the same (as
// Elasticsearch's _bulk does), so clients check Errors or each result.
type WriteSummary struct {
	// Status ends a bulk response: "done" when every line was read and
	// answered, "aborted" (with Error) when the stream stopped early. A
	// bulk response whose last line is neither was cut off.
	Status  string `json:"status,omitempty"`
	Error   string `json:"error,omitempty"`
	Errors  bool   `json:"errors"`
	Created int    `json:"created"`
	Updated int    `json:"updated"`
	Failed  int    `json:"failed"`
	// Seq, in cluster mode, is the log sequence of the last write.
	Seq uint64 `json:"seq,omitempty"`
}

// ArrayResponse is the JSON body of POST /api/articles with an array.
type ArrayResponse struct {
	WriteSummary
	Results []WriteResult `json:"results"`
}

// RebuildResponse is the JSON body of POST /api/admin/rebuild and POST /api/admin/sync.
type RebuildResponse struct {
	Indexed   int   `json:"indexed"` // new and replaced articles
	Skipped   int   `json:"skipped"`
	Deleted   int   `json:"deleted"`
	Unchanged int   `json:"unchanged_files"`
	Before    int   `json:"before"` // articles before and after
	After     int   `json:"after"`
	TookMS    int64 `json:"took_ms"`
	// Fetched and NotModified count the documents of URL sources: answered
	// 200, and answered 304 (or not requested: an unchanged sitemap lastmod).
	Fetched     int `json:"fetched"`
	NotModified int `json:"not_modified"`
}

// SourcesResponse is the JSON body of GET /api/admin/sources.
type SourcesResponse struct {
	Sources []SourceStatus `json:"sources"`
}

// SourceStatus is one input of the index (a file, a folder or a URL
// source) with what its last sync did and the problems of all of them.
type SourceStatus struct {
	Source      string         `json:"source"`          // the absolute path or the URL
	Kind        string         `json:"kind"`            // "files" or "url"
	LastSync    *time.Time     `json:"last_sync"`       // null: not synced yet
	TookMS      int64          `json:"took_ms"`         // of the last sync
	Articles    int            `json:"articles"`        // written by the last sync
	Files       int            `json:"files"`           // files found (file sources)
	Unchanged   int            `json:"unchanged_files"` // files not read because unchanged (file sources)
	Fetched     int            `json:"fetched"`         // documents fetched (URL sources)
	NotModified int            `json:"not_modified"`    // documents not modified: 304, or an unchanged sitemap lastmod (URL sources)
	Errors      int            `json:"errors"`          // problems of the last sync
	ErrorsTotal map[string]int `json:"errors_total"`    // problems of every sync, by reason
	LastError   string         `json:"last_error"`      // the last problem ("URL: what is wrong (expected)"), "" if none
	LastErrorAt *time.Time     `json:"last_error_at"`   // when it was found
}

// BackupRequest is the JSON body of POST /api/admin/backup.
type BackupRequest struct {
	Dest string `json:"dest"` // a new directory on the server's disk
}

// BackupResponse is the JSON body of a successful POST /api/admin/backup.
type BackupResponse struct {
	Dest   string `json:"dest"`
	TookMS int64  `json:"took_ms"`
}

// ErrorResponse is the JSON body of every error: {"error": {...}}.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody says what went wrong; Param names the parameter at fault.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

// Event is the body of POST /api/events: the result id at position (from
// 1) was opened from the search query_id.
type Event struct {
	QueryID  string `json:"query_id"`
	ID       string `json:"id"`
	Position int    `json:"position"`
}

// AnalyticsReport is the answer of GET /api/admin/analytics/{report}: the
// report's rows (objects named by their fields) for the range [from, to)
// the request asked (null for an open bound).
type AnalyticsReport struct {
	Report    string     `json:"report"`             // queries, zero-results, volume or articles
	From      *time.Time `json:"from"`               // the first instant counted, or null
	To        *time.Time `json:"to"`                 // the first instant no longer counted, or null
	Interval  string     `json:"interval,omitempty"` // volume: day or hour
	Truncated bool       `json:"truncated"`          // more distinct queries or articles than a report keeps
	// Nodes, in a cluster, are the nodes whose searches the report counts
	// and those it could not (absent on a single node).
	Nodes *ReportNodes `json:"nodes,omitempty"`
	Rows  any          `json:"rows"`
}

// AnalyticsPurge is the answer of DELETE /api/admin/analytics?before=DATE.
type AnalyticsPurge struct {
	Before  time.Time `json:"before"`  // the searches recorded before this instant were deleted
	Deleted int       `json:"deleted"` // how many (with their clicks), on every node that answered
	// Nodes, in a cluster, are the nodes whose stores were purged (nil on
	// a single node).
	Nodes *ReportNodes `json:"nodes,omitempty"`
}

// ReportNodes say which nodes of a cluster an analytics report counts.
type ReportNodes struct {
	Answered []string          `json:"answered"`         // counted: this node and those that answered in time
	Missing  []string          `json:"missing"`          // known to the cluster, not answered in time (down?)
	Failed   map[string]string `json:"failed,omitempty"` // answered that they could not: node → why
	Error    string            `json:"error,omitempty"`  // the nodes could not all be asked: why
}
