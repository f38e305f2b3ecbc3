package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

// suggester is implemented by indexes that complete titles (*index.Index does).
type suggester interface {
	// Suggest returns up to n titles completing text, or a *index.ParamError.
	Suggest(ctx context.Context, text string, n int) ([]string, error)
}

// marker is implemented by indexes that mark a query's matches in a whole
// article (*index.Index does).
type marker interface {
	// MarkedArticle returns the article with the matches of text marked, an
	// error wrapping index.ErrNotFound, or a *index.ParamError.
	MarkedArticle(ctx context.Context, id, text string) (*index.MarkedArticle, error)
}

var (
	_ suggester = (*index.Index)(nil)
	_ marker    = (*index.Index)(nil)
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
	sg, ok := ix.(suggester)
	if !ok {
		return echo.ErrNotFound
	}
	q := c.QueryParam("q")
	n := defaultSuggestions
	b := echo.QueryParamsBinder(c)
	b.ErrorFunc = bindingError
	if err := b.Int("size", &n).BindError(); err != nil {
		return err
	}
	titles, err := sg.Suggest(c.Request().Context(), q, n)
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
	mk, ok := ix.(marker)
	if !ok {
		a, err := ix.Article(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, newArticleResponse(a))
	}
	m, err := mk.MarkedArticle(c.Request().Context(), id, q)
	if err != nil {
		return err
	}
	resp := newArticleResponse(&m.Article)
	resp.Marked = &api.Marked{Title: m.TitleHTML, Body: m.BodyHTML}
	return c.JSON(http.StatusOK, resp)
}
