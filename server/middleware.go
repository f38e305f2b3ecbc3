package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// requestIDKey is the context key of a request's id.
type requestIDKey struct{}

// maxRequestIDLen is the longest X-Request-Id honoured; longer ones are replaced.
const maxRequestIDLen = 128

// requestID is the first middleware: it takes the client's X-Request-Id when
// it is short and printable, or makes one, echoes it in the response and
// puts it in the request's context for the log.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		id := r.Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		return next(c)
	}
}

// validRequestID reports whether id is 1 to 128 characters of letters,
// digits and - _ . : / + =, so that it cannot forge log lines or headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.:/+=", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// newRequestID returns 16 random bytes in hex.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather)
	return hex.EncodeToString(b[:])
}

// requestIDHandler adds the request id found in a record's context to the record.
type requestIDHandler struct{ slog.Handler }

// Handle adds request_id when ctx carries one.
func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around the derived handler.
func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

// WithGroup keeps the wrapper around the derived handler.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// stripBasePath serves the API under Options.BasePath: it removes the
// prefix before routing, and answers 404 for paths outside it.
func (s *Server) stripBasePath(next echo.HandlerFunc) echo.HandlerFunc {
	prefix := s.opts.BasePath
	if prefix == "" {
		return next
	}
	return func(c echo.Context) error {
		r := c.Request()
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || rest != "" && rest[0] != '/' {
			return echo.NewHTTPError(http.StatusNotFound, "not found: this server serves paths under "+prefix+"/")
		}
		if rest == "" {
			rest = "/"
		}
		r.URL.Path = rest
		if r.URL.RawPath != "" {
			raw, ok := strings.CutPrefix(r.URL.RawPath, prefix)
			if !ok || raw == "" {
				raw = rest
			}
			r.URL.RawPath = raw
		}
		return next(c)
	}
}

// rateLimiter limits each client to Options.RateLimit requests per second
// (x/time/rate token buckets, through echo's memory store, which forgets
// clients idle for 3 minutes) on every path, routed or not, but the ops
// routes, which monitoring polls: a client is its search or admin key when it
// sends a valid one, else its address. Excess requests get 429 with
// Retry-After. It does nothing when RateLimit is 0.
func (s *Server) rateLimiter() echo.MiddlewareFunc {
	if s.opts.RateLimit <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	burst := s.opts.RateBurst
	if burst <= 0 {
		burst = int(math.Ceil(s.opts.RateLimit))
	}
	retry := time.Duration(math.Ceil(1/s.opts.RateLimit)) * time.Second
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Skipper: func(c echo.Context) bool { return s.ops.has(c.Path()) },
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(s.opts.RateLimit), Burst: burst, ExpiresIn: 3 * time.Minute,
		}),
		IdentifierExtractor: s.rateClient,
		DenyHandler: func(echo.Context, string, error) error {
			return &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited",
				Message:    "too many requests from this client; retry after the time in Retry-After",
				RetryAfter: max(retry, time.Second)}
		},
	})
}

// bodyLimit refuses request bodies over Options.MaxBodyBytes with 413: at
// once when Content-Length says so, else when a handler reads past the
// limit (see bodyError). The streamed routes (a bulk write) take bodies of
// any size: their handlers limit each line instead.
func (s *Server) bodyLimit() echo.MiddlewareFunc {
	limit := s.opts.MaxBodyBytes
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if s.streamed.has(c.Path()) {
				return next(c)
			}
			r := c.Request()
			if r.ContentLength > limit {
				return bodyError(&http.MaxBytesError{Limit: limit})
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			return next(c)
		}
	}
}

// searchLimiter bounds the searches running at once, with a short queue:
// a search waits at most the queue timeout for a slot, and when the queue is
// full it is refused at once, so that overload costs no memory.
type searchLimiter struct {
	slots chan struct{} // a token per running search
	queue chan struct{} // a token per waiting search
	wait  time.Duration
}

func newSearchLimiter(running, queued int, wait time.Duration) *searchLimiter {
	return &searchLimiter{slots: make(chan struct{}, running), queue: make(chan struct{}, queued), wait: wait}
}

// errOverloaded is returned to searches that find the queue full or wait too long.
var errOverloaded = &apiError{Status: http.StatusServiceUnavailable, Code: "overloaded",
	Message: "too many searches are running; retry after the time in Retry-After", RetryAfter: time.Second}

// acquire takes a slot, waiting in the queue if needed. It returns
// errOverloaded or ctx's error when it gets none; otherwise the caller must
// call release.
func (l *searchLimiter) acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case l.queue <- struct{}{}:
	default:
		return errOverloaded
	}
	defer func() { <-l.queue }()
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-t.C:
		return errOverloaded
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *searchLimiter) release() { <-l.slots }

// limitSearches is the route middleware of the search and suggestion
// endpoints: it runs the handler within the search limiter.
func (s *Server) limitSearches(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { return s.withSearchSlot(c, func() error { return next(c) }) }
}

// withSearchSlot runs fn within the search limiter: everything that
// searches the index (searches, suggestions, marked and related articles)
// shares its slots, since any of them may walk large parts of the term
// dictionary.
func (s *Server) withSearchSlot(c echo.Context, fn func() error) error {
	if err := s.limit.acquire(c.Request().Context()); err != nil {
		return err
	}
	defer s.limit.release()
	return fn()
}

// rateClient names the client a request is counted against: a valid search
// or admin key (so that one portal's widget, behind one proxy address, does
// not starve another's), else the client address. An unknown token counts
// against the address, so inventing tokens does not escape the limit.
func (s *Server) rateClient(c echo.Context) (string, error) {
	if token, ok := bearer(c.Request().Header.Get(echo.HeaderAuthorization)); ok && (s.findKey(token) != nil || s.isAdminKey(token)) {
		sum := sha256.Sum256([]byte(token))
		return "key:" + hex.EncodeToString(sum[:8]), nil
	}
	return "addr:" + c.RealIP(), nil
}

// headWithoutBody is the route middleware of every GET route for its HEAD
// requests: the GET handler runs, so status and headers are the same, and
// the body it writes is dropped (net/http drops it too; this also holds for
// other writers, such as httptest's recorder).
func headWithoutBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodHead {
			resp := c.Response()
			resp.Writer = bodyless{resp.Writer}
		}
		return next(c)
	}
}

// bodyless is a ResponseWriter that keeps headers and status and discards the body.
type bodyless struct{ http.ResponseWriter }

// Write discards p.
func (bodyless) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap returns the underlying writer, for http.ResponseController.
func (b bodyless) Unwrap() http.ResponseWriter { return b.ResponseWriter }
