// Package server is Folio's HTTP API. It serves searches, single articles,
// writes, liveness and readiness checks, Prometheus metrics and its own
// OpenAPI document as JSON over echo, against the Index interface that
// *index.Index satisfies, bounded by timeouts, body, query, concurrency and
// rate limits (middleware.go). routes.go is the only place that knows paths:
// one line per route, in groups that carry their middleware. The JSON types
// are in server/api. Every error is rendered by one handler (errors.go) as
// {"error": {"code", "message", "param"}}. It never imports bleve (it sees
// index.Hit, never a bleve result), config or cmd.
package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/folio-search/folio/server/analytics"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server/web"
)

// Index is what the server needs from the index; *index.Index satisfies
// it. The server asks for everything through this one interface: an index
// that lacks a part (a test double, a read-only index) returns an error
// wrapping ErrUnsupported from its methods, and then GET
// /api/suggest answers 404, an article's ?q= answers the plain article,
// the write and admin routes answer 501, and /metrics leaves out the size
// on disk.
type Index interface {
	// Search returns one page of hits among the articles q.Visible may
	// see, a *index.ParamError for bad parameters, or an error wrapping
	// index.ErrTimeout.
	Search(ctx context.Context, q index.Query) (*index.Result, error)
	// Article returns the stored article, or an error wrapping
	// index.ErrNotFound (also when vis may not see it).
	Article(ctx context.Context, id string, vis index.Visibility) (*article.Article, error)
	// Related returns the articles most like the article id (q.Size, q.From,
	// q.To, q.Visible apply), or an error wrapping index.ErrNotFound.
	Related(ctx context.Context, id string, q index.Query) (*index.Result, error)
	// Count returns the number of indexed articles.
	Count() (uint64, error)
	// Suggest returns up to n titles of articles vis may see completing
	// text, or a *index.ParamError.
	Suggest(ctx context.Context, text string, n int, vis index.Visibility) ([]string, error)
	// MarkedArticle returns the article with the matches of text marked, an
	// error wrapping index.ErrNotFound (also when vis may not see it), or a
	// *index.ParamError.
	MarkedArticle(ctx context.Context, id, text string, vis index.Visibility) (*index.MarkedArticle, error)
	// DiskSize returns the bytes the index's files take.
	DiskSize() (int64, error)
	Writer
}

var _ Index = (*index.Index)(nil)

// ErrUnsupported is what an Index returns (wrapped or not) from a method it
// does not support. The server's own sentinel rather than
// errors.ErrUnsupported, which system calls also match (ENOTSUP), so that
// a real failure of the index is never mistaken for a missing part.
var ErrUnsupported = errors.New("not supported by this index")

// Options configure a Server. New replaces zero fields with DefaultOptions values.
type Options struct {
	ShutdownTimeout   time.Duration // how long Serve waits for in-flight requests once its context ends
	ReadHeaderTimeout time.Duration // how long a client may take to send request headers
	// AllowedOrigins are the origins (scheme://host[:port], or "*" for any)
	// whose pages may read searches, articles and suggestions cross-origin;
	// empty allows none.
	AllowedOrigins []string
	// SearchKeys, when not empty, make searches, articles and suggestions
	// require one of these keys as "Authorization: Bearer <key>".
	SearchKeys []SearchKey
	// FrameAncestors are the CSP frame-ancestors sources of the HTML pages
	// (default 'self').
	FrameAncestors []string
	// KeywordFields are the index's extra keyword fields
	// (index.keyword_fields), which the search page offers as facets after
	// source, tags and date.
	KeywordFields []string
	// MaxWindow is the index's largest page × size (search.max_window):
	// the search page links pages by number within it and pages past it by
	// cursor (default 10,000, as search.max_window's).
	MaxWindow int
	// AdminKeys are the bearer tokens that may write; none means writes are refused (403).
	AdminKeys []string
	// MaxBodyBytes limits a request body, and each line of a bulk request,
	// whose body may be of any size (413 past it; default 10 MiB).
	MaxBodyBytes int64
	// Sources are the files and folders POST /api/admin/rebuild and sync read when the index records no inputs (index.sources).
	Sources []string

	ReadTimeout    time.Duration // how long a client may take to send a whole request
	WriteTimeout   time.Duration // how long the server may take to write a response (above the search timeout)
	IdleTimeout    time.Duration // how long a keep-alive connection may stay idle
	MaxQueryLength int           // longest q parameter in bytes; longer gets 400
	MaxSearches    int           // searches run at once; more wait in the queue
	SearchQueue    int           // searches that may wait for a slot; more get 503 at once
	QueueTimeout   time.Duration // longest wait in the queue before 503
	// MinSeqWait is how long a read with min_seq waits for this replica to
	// apply that log sequence before 503 replica_behind (search.timeout;
	// at most half of WriteTimeout, see minSeqWait).
	MinSeqWait time.Duration
	// MaxReadyLag is how many log messages a replica may be behind and
	// still answer /readyz 200 (cluster.max_ready_lag).
	MaxReadyLag uint64
	RateLimit   float64 // requests per second per client address; 0 disables rate limiting
	RateBurst   int     // requests a client may send at once above RateLimit (default: RateLimit rounded up)
	TrustProxy  bool    // take the client address from X-Forwarded-For when the peer is a private or loopback proxy
	BasePath    string  // path prefix everything is served under, e.g. "/folio"; "" for none
	// MetricsElsewhere hides GET /metrics from the API: metrics are served
	// only by ServeMetrics (on server.metrics_addr).
	MetricsElsewhere bool
	// Analytics records every search (and returns its query_id); nil records nothing.
	Analytics *analytics.Recorder

	// TokenKeys verify reader tokens (selected by their kid); none means
	// a request with a token is refused (401) and every reader sees only
	// the articles without groups.
	TokenKeys []TokenKey
	// TokenMaxTTL is the longest life of a token, exp − iat (0: DefaultTokenMaxTTL).
	TokenMaxTTL time.Duration
	// TokenAudience, when not "", must be one of a token's aud values.
	TokenAudience string
	// RequireToken refuses (401) read requests without a token.
	RequireToken bool
	// Dates reads the from and to of the analytics reports (default: article.DefaultDateParser).
	Dates *article.DateParser
}

// DefaultOptions returns the defaults, the same as config.Default's (a test
// in cmd/folio keeps them equal): a 10s shutdown timeout, a 10s read-header
// timeout, 30s read and write timeouts, a 120s idle timeout, 10 MiB bodies,
// 2048-byte queries, 8 concurrent searches with 32 more queued for at most
// 1s, no rate limit, pages that only Folio's own origin may frame, and
// reader tokens living at most 12h.
func DefaultOptions() Options {
	return Options{
		ShutdownTimeout:   10 * time.Second,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxBodyBytes:      10 << 20,
		MaxQueryLength:    2048,
		MaxSearches:       8,
		SearchQueue:       32,
		QueueTimeout:      time.Second,
		FrameAncestors:    []string{"'self'"},
		TokenMaxTTL:       DefaultTokenMaxTTL,
		MaxWindow:         10000,
		MinSeqWait:        5 * time.Second,
		MaxReadyLag:       1000,
	}
}

// withDefaults replaces zero fields of o with their DefaultOptions values.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	fill := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	fill(&o.ShutdownTimeout, d.ShutdownTimeout)
	fill(&o.ReadHeaderTimeout, d.ReadHeaderTimeout)
	fill(&o.ReadTimeout, d.ReadTimeout)
	fill(&o.WriteTimeout, d.WriteTimeout)
	fill(&o.IdleTimeout, d.IdleTimeout)
	fill(&o.QueueTimeout, d.QueueTimeout)
	fill(&o.MinSeqWait, d.MinSeqWait)
	fill(&o.TokenMaxTTL, d.TokenMaxTTL)
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = d.MaxBodyBytes
	}
	if o.MaxQueryLength == 0 {
		o.MaxQueryLength = d.MaxQueryLength
	}
	if o.MaxSearches == 0 {
		o.MaxSearches = d.MaxSearches
	}
	if o.SearchQueue == 0 {
		o.SearchQueue = d.SearchQueue
	}
	if o.MaxWindow == 0 {
		o.MaxWindow = d.MaxWindow
	}
	if len(o.FrameAncestors) == 0 {
		o.FrameAncestors = d.FrameAncestors
	}
	o.BasePath = strings.TrimRight(o.BasePath, "/")
	return o
}

// Server is Folio's HTTP API. It is an http.Handler and safe for concurrent use.
type Server struct {
	ix atomic.Pointer[Index] // nil until the index is attached
	// adminKeys are the SHA-256 digests of Options.AdminKeys.
	adminKeys  [][32]byte
	opts       Options
	log        *slog.Logger
	e          *echo.Echo
	web        *web.Site // the embedded pages, widget and their headers, built once
	m          *metrics
	limit      *searchLimiter
	tokens     *tokenVerifier  // nil when no token key is configured
	openapi    []byte          // the OpenAPI document, with BasePath as its server URL
	routePaths map[string]bool // the registered route templates, for metrics labels
	// The route groups whose paths the server-wide middleware asks about (routes.go).
	read, streamed, ops *group
}

// New returns a Server answering from ix. A nil ix starts the server not
// ready: /healthz answers, /readyz and the API answer 503 until SetIndex.
// Zero fields of opts take their DefaultOptions values; a nil logger
// discards all logs. Log records made with a request's context carry its
// request id.
func New(ix Index, opts Options, logger *slog.Logger) *Server {
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = slog.New(requestIDHandler{logger.Handler()})
	s := &Server{opts: opts, log: logger, e: echo.New()}
	if ix != nil {
		s.SetIndex(ix)
	}
	for _, k := range opts.AdminKeys {
		if k != "" {
			s.adminKeys = append(s.adminKeys, sha256.Sum256([]byte(k)))
		}
	}
	s.web = newWeb(opts)
	s.m = newMetrics(s)
	s.limit = newSearchLimiter(opts.MaxSearches, opts.SearchQueue, opts.QueueTimeout)
	s.tokens = newTokenVerifier(opts)
	s.openapi = openAPIDocument(opts.BasePath)
	s.e.HideBanner = true
	s.e.HidePort = true
	s.e.HTTPErrorHandler = s.handleError
	s.e.IPExtractor = echo.ExtractIPDirect()
	if opts.TrustProxy {
		s.e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	// Pre middleware runs around routing, so the access log, the metrics and
	// the recovery also see requests outside BasePath and unrouted ones.
	s.e.Pre(
		s.requestID,
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
		s.stripBasePath,
	)
	// Middleware for every request, routed or not; each part's own
	// middleware is in its route group (routes.go).
	s.e.Use(s.rateLimiter(), s.bodyLimit(), s.crossOrigin())
	s.routes()
	s.routePaths = make(map[string]bool)
	for _, r := range s.e.Routes() {
		s.routePaths[r.Path] = true
	}
	return s
}

// SetIndex attaches the index once it is open (or replaces it): the server
// becomes ready.
func (s *Server) SetIndex(ix Index) { s.ix.Store(&ix) }

// index returns the attached index, or errNotReady before SetIndex.
func (s *Server) index() (Index, error) {
	p := s.ix.Load()
	if p == nil {
		return nil, errNotReady
	}
	return *p, nil
}

// logRequest writes the access log line of one request and records its metrics.
func (s *Server) logRequest(c echo.Context, v middleware.RequestLoggerValues) error {
	s.m.observeRequest(s.route(c), v.Method, v.Status, v.Latency)
	path := v.URIPath
	if s.opts.BasePath != "" { // stripBasePath changed URL.Path: log the path as sent
		path, _, _ = strings.Cut(c.Request().RequestURI, "?")
	}
	s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
		slog.String("method", v.Method),
		slog.String("path", path),
		slog.Int("status", v.Status),
		slog.Duration("duration", v.Latency),
		slog.Int64("bytes", c.Response().Size),
		slog.String("remote", c.RealIP()),
	)
	return nil
}

// route is the route template that served c ("/api/search"), or
// "unmatched", so that metrics labels stay few whatever paths clients send.
func (s *Server) route(c echo.Context) string {
	if p := c.Path(); s.routePaths[p] {
		return p
	}
	return "unmatched"
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
	return s.serve(ctx, ln, s)
}

// ServeMetrics serves GET /metrics (at the root, whatever BasePath) on ln
// until ctx ends, shutting down like Serve.
func (s *Server) ServeMetrics(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.m.handler)
	return s.serve(ctx, ln, mux)
}

// serve runs h on ln with the server's timeouts until ctx ends.
func (s *Server) serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
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
