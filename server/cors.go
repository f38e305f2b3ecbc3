package server

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// SearchKey is a key that unlocks the read API when Options.SearchKeys is set.
type SearchKey struct {
	Key string
	// Origins, when not empty, bind the key to pages of these origins: a
	// request using it must carry one of them in its Origin header (as
	// browsers send on cross-origin requests), so a key published in an
	// intranet page's <folio-search key="…"> is useless from elsewhere.
	Origins []string
}

// isRead reports whether c is a request of the read API, which CORS
// governs: a GET or HEAD routed to the read group (routes.go), or an
// OPTIONS (a preflight) of a URL whose GET would be.
func (s *Server) isRead(c echo.Context) bool {
	r := c.Request()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return s.read.has(c.Path())
	case http.MethodOptions:
		// c.Path() is the route of the path's first node, which may serve
		// other methods only (POST /api/articles/_bulk beside GET /api/articles/*).
		get := s.e.NewContext(r, nil)
		s.e.Router().Find(http.MethodGet, echo.GetPath(r), get)
		return s.read.has(get.Path())
	}
	return false // writes are guarded by the admin keys instead
}

// crossOrigin is echo's CORS middleware restricted to the read API and to
// Options.AllowedOrigins: other origins, and every other route, get no CORS
// headers, so browsers keep other pages from reading the answers. Credentials
// (cookies) are never allowed: a page sends its key in the Authorization
// header, which preflight allows.
func (s *Server) crossOrigin() echo.MiddlewareFunc {
	allowed := s.opts.AllowedOrigins
	if len(allowed) == 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	anyOrigin := slices.Contains(allowed, "*")
	return middleware.CORSWithConfig(middleware.CORSConfig{
		Skipper: func(c echo.Context) bool { return !s.isRead(c) },
		// An exact comparison: echo's AllowOrigins would also read "*" and
		// "?" inside an origin as wildcards.
		AllowOriginFunc: func(origin string) (bool, error) {
			return anyOrigin || slices.Contains(allowed, origin), nil
		},
		AllowMethods: []string{http.MethodGet, http.MethodHead},
		AllowHeaders: []string{echo.HeaderAuthorization, HeaderToken},
		MaxAge:       600,
	})
}

// requireKey, the middleware of the read group, rejects requests without a
// valid search key when Options.SearchKeys is set: no or an unknown key is
// 401, a key bound to other origins is 403. Preflight requests never reach
// it (browsers send no credentials with them); crossOrigin answers them.
func (s *Server) requireKey(next echo.HandlerFunc) echo.HandlerFunc {
	if len(s.opts.SearchKeys) == 0 {
		return next
	}
	return func(c echo.Context) error {
		r := c.Request()
		c.Response().Header().Add(echo.HeaderVary, echo.HeaderAuthorization)
		given, ok := bearer(r.Header.Get(echo.HeaderAuthorization))
		if !ok {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="folio"`)
			return echo.NewHTTPError(http.StatusUnauthorized, "a search key is required: send it as \"Authorization: Bearer <key>\" (or set the key attribute of <folio-search>)")
		}
		key := s.findKey(given)
		if key == nil {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="folio", error="invalid_token"`)
			return echo.NewHTTPError(http.StatusUnauthorized, "the search key is not valid")
		}
		if len(key.Origins) > 0 {
			origin := r.Header.Get(echo.HeaderOrigin)
			if !slices.Contains(key.Origins, origin) {
				return echo.NewHTTPError(http.StatusForbidden, "this search key may only be used from the pages of its origins, and the request's Origin is "+quoteOrigin(origin))
			}
		}
		return next(c)
	}
}

// findKey returns the configured key equal to given, comparing in constant time.
func (s *Server) findKey(given string) *SearchKey {
	var found *SearchKey
	for i := range s.opts.SearchKeys {
		k := &s.opts.SearchKeys[i]
		if subtle.ConstantTimeCompare([]byte(k.Key), []byte(given)) == 1 {
			found = k
		}
	}
	return found
}

// bearer extracts the token of an "Authorization: Bearer <token>" header.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func quoteOrigin(o string) string {
	if o == "" {
		return "missing"
	}
	return `"` + o + `"`
}
