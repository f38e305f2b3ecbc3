package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
)

// relatedSuffix ends the path of GET /api/articles/{id}/related, the older
// form of GET /api/related/{id}: it lists related articles only when no
// article has the whole path as its id (handleArticle).
const relatedSuffix = "/related"

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
	q := index.Query{From: c.QueryParam("from"), To: c.QueryParam("to")}
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
