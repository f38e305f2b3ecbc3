package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server/api"
)

// statusClientClosed is the status logged for a request whose client went away.
const statusClientClosed = 499

// handleError is echo's HTTPErrorHandler, the only place that turns errors
// into statuses. Client errors go back as they are; server errors are logged
// here, once, and shown to the user as "internal error".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return // already rendered (the request logger runs the handler first)
	}
	status, body := s.classify(c, err)
	if status != http.StatusInternalServerError {
		s.m.rejected.WithLabelValues(body.Code).Inc()
	}
	var werr error
	if c.Request().Method == http.MethodHead { // the headers of the GET, no body
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		werr = c.NoContent(status)
	} else {
		werr = c.JSON(status, api.ErrorResponse{Error: body})
	}
	if werr != nil {
		s.log.LogAttrs(c.Request().Context(), slog.LevelDebug, "write error response", slog.Any("err", werr))
	}
}

// classify maps err to a status and an error body, logging the server's own failures.
func (s *Server) classify(c echo.Context, err error) (int, api.ErrorBody) {
	var he *echo.HTTPError
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.render(c)
	case errors.Is(err, index.ErrInvalidQuery):
		return http.StatusBadRequest, clientError("invalid_query", err)
	case errors.Is(err, index.ErrInvalidParameter):
		return http.StatusBadRequest, clientError("invalid_parameter", err)
	case errors.Is(err, article.ErrInvalidArticle):
		return http.StatusBadRequest, clientError("invalid_article", err)
	case errors.Is(err, index.ErrBusy):
		return http.StatusConflict, clientError("busy", err)
	case errors.Is(err, index.ErrWouldLose):
		b := clientError("would_lose_articles", err)
		b.Message += " with ?force=true"
		return http.StatusConflict, b
	case errors.Is(err, index.ErrRebuildFailed) && errors.Is(err, index.ErrNoQuorum):
		s.logFailure(c, slog.LevelWarn, err)
		return http.StatusServiceUnavailable, api.ErrorBody{Code: "no_quorum", Message: "the replicated log has no quorum (too few cluster nodes are up): the rebuild could not read it and the live index is unchanged; retry it later; searches still work"}
	case errors.Is(err, index.ErrRebuildFailed):
		s.logFailure(c, slog.LevelError, err)
		return http.StatusInternalServerError, api.ErrorBody{Code: "rebuild_failed", Message: "the rebuild failed and the live index is unchanged; the server's log has the cause (look up this response's X-Request-Id)"}
	case errors.Is(err, index.ErrNoQuorum):
		s.logFailure(c, slog.LevelWarn, err)
		return http.StatusServiceUnavailable, api.ErrorBody{Code: "no_quorum", Message: "the replicated write log has no quorum (too few cluster nodes are up): the write was not acknowledged and may or may not appear once; retry it later; searches still work"}
	case errors.Is(err, index.ErrReplicaBehind):
		return http.StatusServiceUnavailable, clientError("replica_behind", err)
	case errors.Is(err, index.ErrNoSpace):
		s.logFailure(c, slog.LevelError, err)
		return http.StatusInsufficientStorage, api.ErrorBody{Code: "insufficient_storage", Message: "the index's disk is full; nothing was written"}
	case errors.Is(err, index.ErrWriteFailed):
		s.logFailure(c, slog.LevelError, err)
		return http.StatusServiceUnavailable, api.ErrorBody{Code: "unavailable", Message: "the index cannot be written right now; nothing was written; searches still work"}
	case errors.Is(err, index.ErrNotFound):
		return http.StatusNotFound, clientError("not_found", err)
	case errors.Is(err, index.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		s.logFailure(c, slog.LevelWarn, err)
		return http.StatusGatewayTimeout, api.ErrorBody{Code: "timeout", Message: "the search took too long; try a narrower query"}
	case errors.Is(err, context.Canceled):
		// The client went away (http.Server.Shutdown does not cancel
		// requests); nobody reads this. 499 is nginx's "client closed
		// request", so that logs and metrics do not count it as a failure.
		return statusClientClosed, api.ErrorBody{Code: "canceled", Message: "request canceled by the client"}
	case errors.Is(err, ErrUnsupported): // a write to an index that takes none
		return http.StatusNotImplemented, api.ErrorBody{Code: "not_implemented", Message: "this index does not accept writes"}
	case errors.Is(err, index.ErrNoIndex), errors.Is(err, index.ErrIncompatible):
		s.logFailure(c, slog.LevelError, err)
		return http.StatusServiceUnavailable, api.ErrorBody{Code: "unavailable", Message: "the index is unavailable"}
	case errors.As(err, &he):
		if he.Code >= http.StatusInternalServerError {
			s.logFailure(c, slog.LevelError, err)
			return he.Code, api.ErrorBody{Code: statusCode(he.Code), Message: "internal error"}
		}
		msg, ok := he.Message.(string)
		if !ok {
			msg = http.StatusText(he.Code)
		}
		return he.Code, api.ErrorBody{Code: statusCode(he.Code), Message: msg}
	default:
		s.logFailure(c, slog.LevelError, err)
		return http.StatusInternalServerError, api.ErrorBody{Code: "internal", Message: "internal error"}
	}
}

// clientError is the body of an error the client caused, naming the
// parameter at fault when err carries a *index.ParamError.
func clientError(code string, err error) api.ErrorBody {
	var pe *index.ParamError
	if errors.As(err, &pe) {
		return api.ErrorBody{Code: code, Message: pe.Message, Param: pe.Param}
	}
	return api.ErrorBody{Code: code, Message: err.Error()}
}

// statusCode is the error code of an echo.HTTPError's status.
func statusCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestTimeout:
		return "request_timeout"
	case http.StatusRequestEntityTooLarge:
		return "payload_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusTooManyRequests:
		return "too_many_requests"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusConflict:
		return "conflict"
	case http.StatusNotImplemented:
		return "not_implemented"
	case http.StatusGatewayTimeout:
		return "timeout"
	}
	if status >= http.StatusInternalServerError {
		return "internal"
	}
	return "bad_request"
}

// logFailure logs a request that failed on the server's side.
func (s *Server) logFailure(c echo.Context, level slog.Level, err error) {
	r := c.Request()
	s.log.LogAttrs(r.Context(), level, "request failed",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Any("err", err),
	)
}
