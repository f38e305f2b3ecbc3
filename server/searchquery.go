package server

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
)

// SearchQuery reads the parameters of GET /api/search from params exactly
// as the search handler does (the same names, checks and errors), for
// tools that run searches without HTTP: `folio eval` measures rankings
// with it, so what it measures is what a request with these parameters gets.
func SearchQuery(params url.Values, maxQueryLength int) (index.Query, error) {
	req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/api/search", RawQuery: params.Encode()}}
	return bindQuery(echo.New().NewContext(req, nil), maxQueryLength)
}
