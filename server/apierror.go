package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/server/api"
)

// apiError is an error the server itself decides on (not ready, overloaded,
// rate limited): its status, code and message go to the client as they are,
// with a Retry-After header when RetryAfter is set.
type apiError struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration // rounded up to whole seconds; 0 for no header
}

// Error returns the message.
func (e *apiError) Error() string { return e.Message }

// errNotReady is returned while the index is being built or opened.
var errNotReady = &apiError{Status: http.StatusServiceUnavailable, Code: "not_ready",
	Message: "index not ready: it is being built or opened; retry after the time in Retry-After", RetryAfter: 5 * time.Second}

// render sets the Retry-After header of e and returns its status and body.
func (e *apiError) render(c echo.Context) (int, api.ErrorBody) {
	if e.RetryAfter > 0 {
		secs := int64((e.RetryAfter + time.Second - 1) / time.Second)
		c.Response().Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	return e.Status, api.ErrorBody{Code: e.Code, Message: e.Message}
}
