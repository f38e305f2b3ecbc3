package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/server/api"
)

// defaultSuggestions is the number of suggestions when the request gives no size.
const defaultSuggestions = 8

// handleSuggest serves GET /api/suggest: title completions of q in the
// OpenSearch suggestions format, ["q", ["title", ...]].
func (s *Server) handleSuggest(c echo.Context) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	q := c.QueryParam("q")
	n := defaultSuggestions
	b := echo.QueryParamsBinder(c)
	b.ErrorFunc = bindingError
	if err := b.Int("size", &n).BindError(); err != nil {
		return err
	}
	titles, err := ix.Suggest(c.Request().Context(), q, n, visibility(c))
	if errors.Is(err, ErrUnsupported) {
		return echo.ErrNotFound // an index that cannot suggest has no suggestions endpoint
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/x-suggestions+json; charset=utf-8")
	return c.JSON(http.StatusOK, []any{q, titles})
}

// markedArticle answers GET /api/articles/*?q=: the article with the
// matches of q marked in its title and body (as "marked"), or the plain
// article when the index cannot mark.
func (s *Server) markedArticle(c echo.Context, id, q string) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	m, err := ix.MarkedArticle(c.Request().Context(), id, q, visibility(c))
	if errors.Is(err, ErrUnsupported) {
		a, err := ix.Article(c.Request().Context(), id, visibility(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, newArticleResponse(a))
	}
	if err != nil {
		return err
	}
	resp := newArticleResponse(&m.Article)
	resp.Marked = &api.Marked{Title: m.TitleHTML, Body: m.BodyHTML}
	return c.JSON(http.StatusOK, resp)
}
