package server

import (
	"errors"
	"fmt"
	"github.com/folio-search/folio/server/analytics"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

// handleSearch serves GET /api/search: one page of ranked, highlighted hits.
func (s *Server) handleSearch(c echo.Context) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	q, err := bindQuery(c, s.opts.MaxQueryLength)
	if err != nil {
		return err
	}
	q.Visible = visibility(c)
	start := time.Now()
	res, err := ix.Search(c.Request().Context(), q)
	if err != nil {
		return err
	}
	s.m.search.Observe(time.Since(start).Seconds())
	resp := NewSearchResponse(res)
	if resp.Total == 0 {
		s.m.zeroResults.Inc()
	}
	if s.opts.Analytics != nil {
		resp.QueryID = s.opts.Analytics.Search(analytics.Search{
			Query: analytics.Normalise(q.Text), Mode: q.Mode, From: q.From, To: q.To,
			Filters: q.Filters, Sort: q.Sort, Total: resp.Total, Page: resp.Page,
			TookMS: resp.TookMS, Suggestion: resp.Suggestion, Typing: q.AsYouType, Sub: readerSub(c),
		})
	}
	return c.JSON(http.StatusOK, resp)
}

// handleArticle serves GET /api/articles/*: the stored article whose id is
// the rest of the path (for {id}/related, see olderRelated). A marked
// article (?q=) is a search, and waits for a slot of the search limiter; a
// plain read does not.
func (s *Server) handleArticle(c echo.Context) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	id, err := articleID(c)
	if err != nil {
		return err
	}
	if q := c.QueryParam("q"); q != "" {
		return s.withSearchSlot(c, func() error { return s.markedArticle(c, id, q) }) // webapi.go
	}
	a, err := ix.Article(c.Request().Context(), id, visibility(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newArticleResponse(a))
}

// handleHealth serves GET /healthz: liveness and the number of indexed
// articles. It answers 200 "starting" while the index is not attached yet.
func (s *Server) handleHealth(c echo.Context) error {
	ix, err := s.index()
	if err != nil {
		return c.JSON(http.StatusOK, api.Health{Status: "starting"})
	}
	n, err := ix.Count()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.Health{Status: "ok", Documents: n})
}

// bindQuery reads the search parameters. Strings pass through unchanged:
// index.Search validates them. Only the integer syntax of size and page is
// checked here, and an explicit 0, which index.Query cannot tell from "absent".
func bindQuery(c echo.Context, maxQueryLength int) (index.Query, error) {
	if err := checkSearchParams(c, maxQueryLength); err != nil {
		return index.Query{}, err
	}
	q := index.Query{
		Text: c.QueryParam("q"),
		From: c.QueryParam("from"),
		To:   c.QueryParam("to"),
		Sort: c.QueryParam("sort"),
		Mode: c.QueryParam("mode"),

		Cursor:  c.QueryParam("cursor"),
		Facets:  c.QueryParams()["facets"],
		Filters: c.QueryParams()["filter"],
	}
	b := echo.QueryParamsBinder(c)
	b.ErrorFunc = bindingError
	if err := b.Int("size", &q.Size).Int("page", &q.Page).Int("facet_size", &q.FacetSize).BindError(); err != nil {
		return q, err
	}
	if err := explicitZero(c, "size", q.Size); err != nil {
		return q, err
	}
	if err := explicitZero(c, "page", q.Page); err != nil {
		return q, err
	}
	var err error
	if q.AsYouType, err = boolParam(c, "as_you_type"); err != nil {
		return q, err
	}
	if q.FacetSize == 0 && c.QueryParam("facet_size") != "" {
		return q, &index.ParamError{Kind: index.ErrInvalidParameter, Param: "facet_size",
			Message: fmt.Sprintf("facet_size must be between 1 and %d, got 0 (omit it for %d)", index.MaxFacetSize, index.DefaultFacetSize)}
	}
	return q, nil
}

// explicitZero rejects a parameter given as 0: index.Query reads 0 as "use
// the default", which is right only when the parameter is absent.
func explicitZero(c echo.Context, param string, v int) error {
	if v == 0 && c.QueryParam(param) != "" {
		return &index.ParamError{Kind: index.ErrInvalidParameter, Param: param,
			Message: param + " must be 1 or more, got 0 (omit it for the default)"}
	}
	return nil
}

// bindingError is the echo.ValueBinder ErrorFunc for integer parameters.
func bindingError(param string, values []string, _ any, err error) error {
	v := ""
	if len(values) > 0 {
		v = values[0]
	}
	msg := fmt.Sprintf("%s must be an integer, got %q", param, v)
	if errors.Is(err, strconv.ErrRange) {
		msg = fmt.Sprintf("%s is out of range, got %q", param, v)
	}
	return &index.ParamError{Kind: index.ErrInvalidParameter, Param: param, Message: msg}
}

// articleID is the path after /api/articles/, unescaped. echo matches on the
// escaped path (URL.RawPath) only when the client escaped something such as
// %2F, and then the parameter is still escaped.
func articleID(c echo.Context) (string, error) {
	id := c.Param("*")
	if c.Request().URL.RawPath != "" {
		u, err := url.PathUnescape(id)
		if err != nil {
			return "", &index.ParamError{Kind: index.ErrInvalidParameter, Param: "id", Message: "article id is not a valid escaped path: " + err.Error()}
		}
		id = u
	}
	if id == "" {
		return "", fmt.Errorf("%w: the path names no article id", index.ErrNotFound)
	}
	return id, nil
}
