package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// routes registers the whole API surface, one line per route, in groups
// that carry each part's middleware. Every GET route also answers HEAD (see
// group.get). The server-wide middleware, which also sees requests no route
// matches, takes its path sets from the groups: crossOrigin from read,
// rateLimiter's exemptions from ops, bodyLimit's from streamed.
func (s *Server) routes() {
	s.read = s.group(s.requireKey, s.requireToken, s.awaitMinSeq) // the read API: CORS (crossOrigin), search keys, reader tokens, min_seq
	admin := s.group(s.requireAdmin)                              // writes and administration: admin keys
	s.streamed = s.group(s.requireAdmin)                          // admin routes whose body may be of any size: the handler limits each line
	pages := s.group()                                            // the web pages, their assets, the API's own description
	events := s.group()                                           // clicks: the query_id is their credential (events.go); rate limited like every route
	s.ops = s.group()                                             // what monitoring polls: never rate limited

	s.read.get("/api/search", s.handleSearch, s.limitSearches)                   // ?q=&mode=&from=&to=&size=&page=&sort=&cursor=&facets=&facet_size=&filter=&as_you_type=&match=&explain=
	s.read.get("/api/articles/*", s.handleArticle, s.olderRelated)               // the id is the rest of the path; {id}/related lists related articles when no article has that whole id (olderRelated)
	s.read.get("/api/related/*", s.handleRelatedPath, s.limitSearches)           // ?size=&from=&to= → the articles related to the id that is the rest of the path
	s.read.get("/api/suggest", s.handleSuggest, s.limitSearches)                 // ?q=&size= → OpenSearch suggestions JSON
	events.add(http.MethodPost, "/api/events", s.handleEvent)                    // {"query_id","id","position"}: a result opened; 204
	admin.add(http.MethodPut, "/api/articles/*", s.handlePutArticle)             // JSON article; id from the path
	admin.add(http.MethodDelete, "/api/articles/*", s.handleDeleteArticle)       // id from the path
	admin.add(http.MethodPost, "/api/articles", s.handlePostArticles)            // one JSON object or an array
	s.streamed.add(http.MethodPost, "/api/articles/_bulk", s.handleBulk)         // NDJSON in, NDJSON results out
	admin.add(http.MethodPost, "/api/admin/rebuild", s.handleRebuild)            // rebuild from index.sources, swap in
	admin.add(http.MethodPost, "/api/admin/sync", s.handleSync)                  // re-read what changed in index.sources
	admin.add(http.MethodPost, "/api/admin/backup", s.handleBackup)              // {"dest": DIR}
	admin.get("/api/admin/sources", s.handleSources)                             // every input: last sync, counts, last error
	admin.get("/api/admin/analytics/queries", s.handleQueryReport)               // ?from=&to=&limit= → top queries (JSON rows, or CSV for Accept: text/csv)
	admin.get("/api/admin/analytics/zero-results", s.handleZeroReport)           // ?from=&to=&limit= → top queries that found nothing
	admin.get("/api/admin/analytics/volume", s.handleVolumeReport)               // ?from=&to=&interval=day|hour → searches and zero-result share per bucket
	admin.get("/api/admin/analytics/articles", s.handleArticleReport)            // ?from=&to=&limit= → most opened articles and their queries
	admin.add(http.MethodDelete, "/api/admin/analytics", s.handleAnalyticsPurge) // ?before=DATE → delete the older searches and clicks of every node
	pages.get("/", s.handlePage)                                                 // the search page; state in ?q=&from=&to=&sort=&page=
	pages.get("/articles/*", s.handleArticlePage)                                // one article, ?q= marks the query's terms
	pages.get("/admin/analytics", s.handleAnalyticsPage)                         // the search analytics page; the admin key is typed into it
	pages.get("/widget.js", s.handleWidget)                                      // the <folio-search> custom element
	pages.get("/static/*", s.handleAsset)                                        // the page's CSS and ES modules
	pages.get("/opensearch.xml", s.handleOpenSearch)                             // OpenSearch description
	pages.get("/openapi.json", s.handleOpenAPI)                                  // this API's OpenAPI 3 document
	s.ops.get("/healthz", s.handleHealth)                                        // liveness and the article count
	s.ops.get("/readyz", s.handleReady)                                          // 200 once the index answers, else 503
	s.ops.get("/metrics", s.handleMetrics)                                       // Prometheus exposition
}

// group is a set of routes that share middleware, run before each route's
// own. It records its route templates, so that the server-wide middleware
// can tell its requests apart. (echo's Group would also answer 404 for
// every other path under its prefix, and these groups share prefixes.)
type group struct {
	e     *echo.Echo
	m     []echo.MiddlewareFunc
	paths map[string]bool // the route templates registered, e.g. "/api/articles/*"
}

// group returns an empty group of routes that run m.
func (s *Server) group(m ...echo.MiddlewareFunc) *group {
	return &group{e: s.e, m: m, paths: map[string]bool{}}
}

// add registers h for method on path, behind the group's middleware and then m.
func (g *group) add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	g.match([]string{method}, path, h, m...)
}

// get registers h for GET and HEAD on path: HEAD answers exactly as GET
// (status and headers) without a body, as RFC 9110 asks and uptime
// monitors and link checkers expect.
func (g *group) get(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	g.match([]string{http.MethodGet, http.MethodHead}, path, h, append([]echo.MiddlewareFunc{headWithoutBody}, m...)...)
}

func (g *group) match(methods []string, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	g.e.Match(methods, path, h, append(append([]echo.MiddlewareFunc{}, g.m...), m...)...)
	g.paths[path] = true
}

// has reports whether the route template path (echo's c.Path()) is one of the group's.
func (g *group) has(path string) bool { return g.paths[path] }
