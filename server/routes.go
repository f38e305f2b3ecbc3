package server

// routes registers the whole API surface, one line per route.
func (s *Server) routes() {
	s.e.GET("/api/search", s.handleSearch, s.limitSearches) // ?q=&from=&to=&size=&page=&sort=
	s.e.GET("/api/articles/*", s.handleArticle)             // the id is the rest of the path
	s.e.GET("/healthz", s.handleHealth)
	s.e.GET("/readyz", s.handleReady)
	s.e.GET("/metrics", s.handleMetrics)
	s.e.GET("/openapi.json", s.handleOpenAPI)
}
