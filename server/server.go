// Package server is Folio's HTTP API. It serves searches, single articles and
// a health check as JSON over echo, against the small Index interface that
// *index.Index satisfies. Every error is rendered by one handler (errors.go)
// as {"error": {"code", "message", "param"}}; the route table is routes.go.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/folio-search/folio/index"
)

// Index is what the server needs from the index; *index.Index satisfies it.
type Index interface {
	// Search returns one page of hits, a *index.ParamError for bad
	// parameters, or an error wrapping index.ErrTimeout.
	Search(ctx context.Context, q index.Query) (*index.Result, error)
	// Article returns the stored article, or an error wrapping index.ErrNotFound.
	Article(ctx context.Context, id string) (*index.Article, error)
	// Related returns the articles most like the article id (q.Size, q.From,
	// q.To apply), or an error wrapping index.ErrNotFound.
	Related(ctx context.Context, id string, q index.Query) (*index.Result, error)
	// Count returns the number of indexed articles.
	Count() (uint64, error)
}

var _ Index = (*index.Index)(nil)

// Options configure a Server. New replaces zero fields with DefaultOptions values.
type Options struct {
	ShutdownTimeout   time.Duration // how long Serve waits for in-flight requests once its context ends
	ReadHeaderTimeout time.Duration // how long a client may take to send request headers
}

// DefaultOptions returns the defaults: a 10s shutdown timeout and a 5s read-header timeout.
func DefaultOptions() Options {
	return Options{
		ShutdownTimeout:   10 * time.Second,
		ReadHeaderTimeout: 5 * time.Second,
	}
}

// Server is Folio's HTTP API. It is an http.Handler and safe for concurrent use.
type Server struct {
	ix   Index
	opts Options
	log  *slog.Logger
	e    *echo.Echo
}

// New returns a Server answering from ix. Zero fields of opts take their
// DefaultOptions values; a nil logger discards all logs.
func New(ix Index, opts Options, logger *slog.Logger) *Server {
	d := DefaultOptions()
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = d.ShutdownTimeout
	}
	if opts.ReadHeaderTimeout == 0 {
		opts.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{ix: ix, opts: opts, log: logger, e: echo.New()}
	s.e.HideBanner = true
	s.e.HidePort = true
	s.e.HTTPErrorHandler = s.handleError
	s.e.Use(
		middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
			LogMethod:     true,
			LogURIPath:    true,
			LogStatus:     true,
			LogLatency:    true,
			HandleError:   true, // render the error first, so the logged status is the one sent
			LogValuesFunc: s.logRequest,
		}),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			DisableStackAll: true, // the panicking goroutine is the one that matters
			// Hand the panic and its stack to handleError, which logs it once as a 500.
			LogErrorFunc: func(_ echo.Context, err error, stack []byte) error {
				return fmt.Errorf("panic: %w\n%s", err, stack)
			},
		}),
	)
	s.routes()
	return s
}

// logRequest writes the access log line of one request.
func (s *Server) logRequest(c echo.Context, v middleware.RequestLoggerValues) error {
	s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
		slog.String("method", v.Method),
		slog.String("path", v.URIPath),
		slog.Int("status", v.Status),
		slog.Duration("duration", v.Latency),
	)
	return nil
}

// ServeHTTP routes r through the middleware, the handlers and the error handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.e.ServeHTTP(w, r)
}

// Serve accepts connections on ln until ctx ends, then shuts down gracefully:
// it stops accepting, waits up to ShutdownTimeout for in-flight requests and
// returns nil. It closes ln. It returns an error if serving fails or if the
// shutdown timeout passes before the requests finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		<-served
		return fmt.Errorf("shutdown after %s: %w", s.opts.ShutdownTimeout, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
