package server

// routes registers the whole API surface, one line per route.
func (s *Server) routes() {
	s.e.GET("/api/search", s.handleSearch)      // ?q=&mode=&from=&to=&size=&page=&sort=&cursor=&facets=&filter=
	s.e.GET("/api/articles/*", s.handleArticle) // the id is the rest of the path; {id}/related?size=&from=&to= lists related articles
	s.e.GET("/healthz", s.handleHealth)
}
