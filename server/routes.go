package server

// routes registers the whole API surface, one line per route.
func (s *Server) routes() {
	s.e.GET("/api/search", s.handleSearch, s.limitSearches) // ?q=&mode=&from=&to=&size=&page=&sort=&cursor=&facets=&filter=
	s.e.GET("/api/articles/*", s.handleArticle)             // the id is the rest of the path; {id}/related?size=&from=&to= lists related articles
	s.e.GET("/healthz", s.handleHealth)
	s.e.GET("/api/suggest", s.handleSuggest, s.limitSearches)            // ?q=&size= → OpenSearch suggestions JSON
	s.e.GET("/", s.handlePage)                                           // the search page; state in ?q=&from=&to=&sort=&page=
	s.e.GET("/articles/*", s.handleArticlePage)                          // one article, ?q= marks the query's terms
	s.e.GET("/widget.js", s.handleWidget)                                // the <folio-search> custom element
	s.e.GET("/static/*", s.handleAsset)                                  // the page's CSS and ES modules
	s.e.GET("/opensearch.xml", s.handleOpenSearch)                       // OpenSearch description
	s.e.PUT("/api/articles/*", s.handlePutArticle, s.requireAdmin)       // JSON article; id from the path
	s.e.DELETE("/api/articles/*", s.handleDeleteArticle, s.requireAdmin) // id from the path
	s.e.POST("/api/articles", s.handlePostArticles, s.requireAdmin)      // one JSON object or an array
	s.e.POST("/api/articles/_bulk", s.handleBulk, s.requireAdmin)        // NDJSON in, NDJSON results out
	s.e.POST("/api/admin/rebuild", s.handleRebuild, s.requireAdmin)      // rebuild from index.sources, swap in
	s.e.POST("/api/admin/sync", s.handleSync, s.requireAdmin)            // re-read what changed in index.sources
	s.e.POST("/api/admin/backup", s.handleBackup, s.requireAdmin)        // {"dest": DIR}
	s.e.GET("/readyz", s.handleReady)
	s.e.GET("/metrics", s.handleMetrics)
	s.e.GET("/openapi.json", s.handleOpenAPI)
}
