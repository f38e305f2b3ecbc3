package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
)

// relatedSuffix ends the path of GET /api/articles/{id}/related, the older
// form of GET /api/related/{id} (see olderRelated).
const relatedSuffix = "/related"

// olderRelated is the route middleware of GET /api/articles/* that keeps
// its older form GET /api/articles/{id}/related: when the path ends in
// /related and no article has the whole path as its id, it answers the
// articles related to the id before /related, as GET /api/related/{id}
// does (within a search slot); otherwise the article handler runs, so an
// article whose id ends in /related stays readable.
func (s *Server) olderRelated(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := articleID(c)
		rel, ok := strings.CutSuffix(id, relatedSuffix)
		if err != nil || !ok || rel == "" {
			return next(c)
		}
		ix, err := s.index()
		if err != nil {
			return err
		}
		if _, err := ix.Article(c.Request().Context(), id, visibility(c)); !errors.Is(err, index.ErrNotFound) {
			return next(c)
		}
		return s.withSearchSlot(c, func() error { return s.handleRelated(c, rel) })
	}
}

// handleRelatedPath serves GET /api/related/*?size=&from=&to=: the articles
// most like the article whose id is the rest of the path. Unlike
// /api/articles/{id}/related it cannot collide with an article id.
func (s *Server) handleRelatedPath(c echo.Context) error {
	id, err := articleID(c)
	if err != nil {
		return err
	}
	return s.handleRelated(c, id)
}

// handleRelated answers the articles most like article id, in the shape of
// a search response.
func (s *Server) handleRelated(c echo.Context, id string) error {
	q := index.Query{From: c.QueryParam("from"), To: c.QueryParam("to"), Visible: visibility(c)}
	b := echo.QueryParamsBinder(c)
	b.ErrorFunc = bindingError
	if err := b.Int("size", &q.Size).BindError(); err != nil {
		return err
	}
	if err := explicitZero(c, "size", q.Size); err != nil {
		return err
	}
	ix, err := s.index()
	if err != nil {
		return err
	}
	res, err := ix.Related(c.Request().Context(), id, q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, NewSearchResponse(res))
}
