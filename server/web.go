package server

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/server/web"
)

// newWeb builds the embedded front end for opts. Its assets are part of the
// binary, so failing to build it is a build error: it panics.
func newWeb(opts Options) *web.Site {
	site, err := web.New(web.Options{BasePath: opts.BasePath, FrameAncestors: opts.FrameAncestors,
		KeywordFields: opts.KeywordFields, MaxWindow: opts.MaxWindow})
	if err != nil {
		panic(fmt.Sprintf("server: %v", err))
	}
	return site
}

// handlePage serves GET /: the search page.
func (s *Server) handlePage(c echo.Context) error { return s.web.Page(c) }

// handleArticlePage serves GET /articles/*: the article page.
func (s *Server) handleArticlePage(c echo.Context) error { return s.web.ArticlePage(c) }

// handleAnalyticsPage serves GET /admin/analytics: the search analytics page.
func (s *Server) handleAnalyticsPage(c echo.Context) error { return s.web.AnalyticsPage(c) }

// handleWidget serves GET /widget.js: the <folio-search> custom element.
func (s *Server) handleWidget(c echo.Context) error { return s.web.Widget(c) }

// handleAsset serves GET /static/*: the pages' CSS and ES modules.
func (s *Server) handleAsset(c echo.Context) error { return s.web.Asset(c) }

// handleOpenSearch serves GET /opensearch.xml: the OpenSearch description.
func (s *Server) handleOpenSearch(c echo.Context) error { return s.web.OpenSearch(c) }
