package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

// searchParams are the parameters GET /api/search accepts, in the order
// error messages list them.
func searchParams() []string {
	return []string{"q", "mode", "from", "to", "size", "page", "sort", "cursor", "facets", "facet_size", "filter", "as_you_type", "match", "explain", tokenParam, "min_seq"}
}

// repeatable are the search parameters that may be given more than once.
func repeatable(name string) bool { return name == "facets" || name == "filter" }

// checkSearchParams rejects what the index should never see: unknown or
// repeated parameters, text that is not UTF-8 or holds NUL bytes, and a q
// longer than maxQueryLength bytes. Each error names the parameter.
func checkSearchParams(c echo.Context, maxQueryLength int) error {
	known := searchParams()
	for name, values := range c.QueryParams() {
		switch {
		case name == "":
			return &index.ParamError{Kind: index.ErrInvalidParameter, Param: "(empty)",
				Message: fmt.Sprintf("a parameter has an empty name (accepted: %v)", known)}
		case !slices.Contains(known, name):
			return &index.ParamError{Kind: index.ErrInvalidParameter, Param: name,
				Message: fmt.Sprintf("unknown parameter %q (accepted: %v)", clipParam(name), known)}
		case len(values) > 1 && !repeatable(name):
			return &index.ParamError{Kind: index.ErrInvalidParameter, Param: name,
				Message: fmt.Sprintf("%s is given %d times; give it once", name, len(values))}
		}
		for _, v := range values {
			if !utf8.ValidString(v) {
				return &index.ParamError{Kind: index.ErrInvalidParameter, Param: name,
					Message: name + " is not valid UTF-8 (percent-encode UTF-8 text)"}
			}
			if containsNUL(v) {
				return &index.ParamError{Kind: index.ErrInvalidParameter, Param: name,
					Message: name + " contains a NUL character"}
			}
		}
	}
	if q := c.QueryParam("q"); len(q) > maxQueryLength {
		return &index.ParamError{Kind: index.ErrInvalidQuery, Param: "q",
			Message: fmt.Sprintf("q is %d bytes long; at most %d are accepted", len(q), maxQueryLength)}
	}
	return nil
}

// boolParam reads a true/false parameter; absent is false.
func boolParam(c echo.Context, name string) (bool, error) {
	switch v := c.QueryParam(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, &index.ParamError{Kind: index.ErrInvalidParameter, Param: name,
			Message: fmt.Sprintf("%s must be true or false, got %q", name, clipParam(v))}
	}
}

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// clipParam shortens a parameter name for an error message.
func clipParam(s string) string {
	if len(s) > 40 || !utf8.ValidString(s) {
		return fmt.Sprintf("%.40q…", s)
	}
	return s
}

// handleReady serves GET /readyz: 200 when the index is attached and
// answers, 503 not_ready (with Retry-After) otherwise; in cluster mode
// also 503 replaying while the node is more than MaxReadyLag behind the
// log, and 503 log_unreachable while it cannot reach the log and has
// applied nothing from it (a node that has applied writes keeps serving
// reads when the log loses its quorum).
func (s *Server) handleReady(c echo.Context) error {
	ix, err := s.index()
	if err != nil {
		return err
	}
	n, err := ix.Count()
	if err != nil {
		s.logFailure(c, slog.LevelWarn, err)
		return errNotReady
	}
	h := api.Health{Status: "ready", Documents: n}
	if r, ok := ix.(replicated); ok && r.Clustered() {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		st := r.ReplicaStatus(ctx)
		lag := st.Lag()
		h.AppliedSeq, h.LogLastSeq, h.Lag = &st.AppliedSeq, &st.LogLastSeq, &lag
		if st.LogErr != nil && st.AppliedSeq == 0 {
			// A node that has applied nothing and cannot reach the log
			// (just joined, or its disk was lost) would serve an empty
			// index: it stays out of rotation until it reaches the log.
			h.Status, h.LogError = "log_unreachable", "the replicated log cannot be reached and this node has applied nothing from it yet"
			return c.JSON(http.StatusServiceUnavailable, h)
		} else if st.LogErr != nil {
			h.LogError = "the replicated log cannot be reached (no quorum): searches work, writes answer 503"
		} else if lag > s.opts.MaxReadyLag || st.Replaying {
			h.Status = "replaying"
			return c.JSON(http.StatusServiceUnavailable, h)
		}
	}
	return c.JSON(http.StatusOK, h)
}

// replicated is what a cluster replica adds to Index (index.Index in
// cluster mode; test doubles need not have it).
type replicated interface {
	Clustered() bool
	WaitApplied(ctx context.Context, seq uint64) error
	ReplicaStatus(ctx context.Context) index.ReplicaStatus
}

// awaitMinSeq serves min_seq=N on reads: it waits up to MinSeqWait for
// this replica to have applied log sequence N (a write's "seq"), then
// answers 503 replica_behind. A single node has applied every write.
func (s *Server) awaitMinSeq(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		v := c.QueryParam("min_seq")
		if v == "" {
			return next(c)
		}
		seq, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return &index.ParamError{Kind: index.ErrInvalidParameter, Param: "min_seq", Message: fmt.Sprintf("min_seq must be a log sequence (a write's \"seq\", an integer >= 0), got %q", clipParam(v))}
		}
		ix, err := s.index()
		if err != nil {
			return err
		}
		if r, ok := ix.(replicated); ok {
			ctx, cancel := context.WithTimeout(c.Request().Context(), s.minSeqWait())
			defer cancel()
			if err := r.WaitApplied(ctx, seq); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// minSeqWait is how long a read waits for min_seq: MinSeqWait, but at
// most half of WriteTimeout, so that the read still has time to answer
// (503 replica_behind, or its results) before the server cuts the
// connection (a wait of search.timeout 5 s under a write_timeout of 4 s
// answered nothing at all).
func (s *Server) minSeqWait() time.Duration { return min(s.opts.MinSeqWait, s.opts.WriteTimeout/2) }

// handleMetrics serves GET /metrics: the Prometheus exposition, unless
// metrics are served on their own address.
func (s *Server) handleMetrics(c echo.Context) error {
	if s.opts.MetricsElsewhere {
		return echo.NewHTTPError(http.StatusNotFound, "metrics are served on server.metrics_addr")
	}
	s.m.handler.ServeHTTP(c.Response(), c.Request())
	return nil
}

// handleOpenAPI serves GET /openapi.json: the OpenAPI 3 description of the API.
func (s *Server) handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, s.openapi)
}
