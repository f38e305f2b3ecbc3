package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// routes registers the whole API surface, one line per route. Every GET
// route also answers HEAD (see get).
func (s *Server) routes() {
	s.get("/api/search", s.handleSearch, s.limitSearches)         // ?q=&mode=&from=&to=&size=&page=&sort=&cursor=&facets=&filter=
	s.get("/api/articles/*", s.handleArticle)                     // the id is the rest of the path; {id}/related also lists related articles when no article has that whole id
	s.get("/api/related/*", s.handleRelatedPath, s.limitSearches) // ?size=&from=&to= → the articles related to the id that is the rest of the path
	s.get("/healthz", s.handleHealth)
	s.get("/api/suggest", s.handleSuggest, s.limitSearches)              // ?q=&size= → OpenSearch suggestions JSON
	s.get("/", s.handlePage)                                             // the search page; state in ?q=&from=&to=&sort=&page=
	s.get("/articles/*", s.handleArticlePage)                            // one article, ?q= marks the query's terms
	s.get("/widget.js", s.handleWidget)                                  // the <folio-search> custom element
	s.get("/static/*", s.handleAsset)                                    // the page's CSS and ES modules
	s.get("/opensearch.xml", s.handleOpenSearch)                         // OpenSearch description
	s.e.PUT("/api/articles/*", s.handlePutArticle, s.requireAdmin)       // JSON article; id from the path
	s.e.DELETE("/api/articles/*", s.handleDeleteArticle, s.requireAdmin) // id from the path
	s.e.POST("/api/articles", s.handlePostArticles, s.requireAdmin)      // one JSON object or an array
	s.e.POST("/api/articles/_bulk", s.handleBulk, s.requireAdmin)        // NDJSON in, NDJSON results out
	s.e.POST("/api/admin/rebuild", s.handleRebuild, s.requireAdmin)      // rebuild from index.sources, swap in
	s.e.POST("/api/admin/sync", s.handleSync, s.requireAdmin)            // re-read what changed in index.sources
	s.e.POST("/api/admin/backup", s.handleBackup, s.requireAdmin)        // {"dest": DIR}
	s.get("/readyz", s.handleReady)
	s.get("/metrics", s.handleMetrics)
	s.get("/openapi.json", s.handleOpenAPI)
}

// get registers h for GET and HEAD on path: HEAD answers exactly as GET
// (status and headers) without a body, as RFC 9110 asks and uptime
// monitors and link checkers expect.
func (s *Server) get(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	s.e.Match([]string{http.MethodGet, http.MethodHead}, path, h, append([]echo.MiddlewareFunc{headWithoutBody}, m...)...)
}
