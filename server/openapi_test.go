package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/folio-search/folio/index"
)

// openAPIDoc loads and validates the document a server serves at /openapi.json.
func openAPIDoc(t *testing.T, srv http.Handler) *openapi3.T {
	t.Helper()
	rec := do(t, srv, http.MethodGet, "/openapi.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d %s", rec.Code, rec.Body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	return doc
}

// TestOpenAPI sends requests that produce every documented route and status
// through real servers and validates each response (status, headers, body)
// against the document, so that the document cannot drift from the code.
func TestOpenAPI(t *testing.T) {
	real := realServer(t)
	doc := openAPIDoc(t, real)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}

	timeout := New(&fakeIndex{search: func(context.Context, index.Query) (*index.Result, error) {
		return nil, fmt.Errorf("%w after 5s", index.ErrTimeout)
	}}, DefaultOptions(), nil)
	broken := New(&fakeIndex{
		search:  func(context.Context, index.Query) (*index.Result, error) { return nil, fmt.Errorf("disk on fire") },
		article: func(context.Context, string) (*index.Article, error) { return nil, fmt.Errorf("disk on fire") },
		count:   func() (uint64, error) { return 0, fmt.Errorf("disk on fire") },
	}, DefaultOptions(), nil)
	notReady := New(nil, DefaultOptions(), nil)
	noIndex := New(&fakeIndex{count: func() (uint64, error) { return 0, fmt.Errorf("%w at /x", index.ErrNoIndex) }}, DefaultOptions(), nil)
	separate := DefaultOptions()
	separate.MetricsElsewhere = true
	metricsElsewhere := New(testIndex(t), separate, nil)
	limited := DefaultOptions()
	limited.RateLimit, limited.RateBurst = 0.001, 1
	rateLimited := New(testIndex(t), limited, nil)
	small := DefaultOptions()
	small.MaxBodyBytes = 10
	smallBodies := New(testIndex(t), small, nil)

	type tc struct {
		name   string
		srv    http.Handler
		method string
		target string
		body   string
		status int
	}
	tests := []tc{
		{"search", real, "GET", "/api/search?q=oil&size=3", "", 200},
		{"browse", real, "GET", "/api/search", "", 200},
		{"bad query", real, "GET", "/api/search?q=%22unclosed", "", 400},
		{"unknown parameter", real, "GET", "/api/search?q=oil&colour=red", "", 400},
		{"bad size", real, "GET", "/api/search?size=-1", "", 400},
		{"search timeout", timeout, "GET", "/api/search?q=x", "", 504},
		{"search internal", broken, "GET", "/api/search?q=x", "", 500},
		{"search not ready", notReady, "GET", "/api/search?q=x", "", 503},
		{"body too large", smallBodies, "GET", "/api/search?q=x", strings.Repeat("x", 100), 413},
		{"article", real, "GET", "/api/articles/ironclad-friendship-cambodia", "", 200},
		{"article missing", real, "GET", "/api/articles/nope", "", 404},
		{"article not ready", notReady, "GET", "/api/articles/x", "", 503},
		{"health", real, "GET", "/healthz", "", 200},
		{"health starting", notReady, "GET", "/healthz", "", 200},
		{"health broken", broken, "GET", "/healthz", "", 500},
		{"health no index", noIndex, "GET", "/healthz", "", 503},
		{"article internal", broken, "GET", "/api/articles/x", "", 500},
		{"ready", real, "GET", "/readyz", "", 200},
		{"not ready", notReady, "GET", "/readyz", "", 503},
		{"ready broken", broken, "GET", "/readyz", "", 503},
		{"metrics", real, "GET", "/metrics", "", 200},
		{"metrics elsewhere", metricsElsewhere, "GET", "/metrics", "", 404},
		{"openapi", real, "GET", "/openapi.json", "", 200},
	}
	// Rate limiting: the first request passes, the second is refused.
	tests = append(tests,
		tc{"rate limit first", rateLimited, "GET", "/api/articles/nope", "", 404},
		tc{"rate limited", rateLimited, "GET", "/api/articles/nope", "", 429},
		tc{"search rate limited", rateLimited, "GET", "/api/search?q=x", "", 429},
		tc{"health rate limit exempt", rateLimited, "GET", "/healthz", "", 200},
	)
	for _, path := range []string{"/api/search", "/api/articles/x", "/healthz", "/readyz", "/metrics", "/openapi.json"} {
		tests = append(tests, tc{"POST " + path, real, "POST", path, "", 405})
	}

	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.target, body)
			rec := httptest.NewRecorder()
			tt.srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", tt.method, tt.target, rec.Code, tt.status, rec.Body)
			}
			validateResponse(t, doc, router, req, rec)
			covered[fmt.Sprint(routeKey(t, router, req), " ", rec.Code)] = true
		})
	}

	// The overloaded answer: one search holds the only slot, the next waits
	// in the queue for 1ns and is refused.
	t.Run("overloaded", func(t *testing.T) {
		ix, entered, release := blockingIndex()
		opts := DefaultOptions()
		opts.MaxSearches, opts.SearchQueue, opts.QueueTimeout = 1, 1, time.Nanosecond
		srv := New(ix, opts, nil)
		done := make(chan struct{})
		go func() {
			defer close(done)
			do(t, srv, http.MethodGet, "/api/search?q=first")
		}()
		<-entered
		req := httptest.NewRequest(http.MethodGet, "/api/search?q=second", nil)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		close(release)
		<-done
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After; body %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
		validateResponse(t, doc, router, req, rec)
		covered[fmt.Sprint(routeKey(t, router, req), " ", rec.Code)] = true
	})

	// Every documented route and status was produced by some request.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status := range op.Responses.Map() {
				if key := method + " " + path + " " + status; !covered[key] {
					t.Errorf("no test produced the documented response %s", key)
				}
			}
		}
	}
	// Every route the server has is documented.
	for _, r := range real.e.Routes() {
		p := strings.Replace(r.Path, "*", "{id}", 1)
		if doc.Paths.Find(p) == nil || doc.Paths.Find(p).GetOperation(r.Method) == nil {
			t.Errorf("route %s %s is not in the OpenAPI document", r.Method, r.Path)
		}
	}
}

// routeKey names the documented operation req matches: "GET /api/search",
// using the path's template; for a method the document does not list, the
// path with the request's method.
func routeKey(t *testing.T, router routers.Router, req *http.Request) string {
	t.Helper()
	route, _, err := router.FindRoute(req)
	if err != nil {
		r2 := req.Clone(req.Context())
		r2.Method = http.MethodGet
		route, _, err = router.FindRoute(r2)
		if err != nil {
			t.Fatalf("%s %s: no documented path: %v", req.Method, req.URL, err)
		}
		return req.Method + " " + route.Path
	}
	return route.Method + " " + route.Path
}

// validateResponse checks rec against the document. A method the document
// does not list (405) must still carry the documented Error body.
func validateResponse(t *testing.T, doc *openapi3.T, router routers.Router, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	route, params, err := router.FindRoute(req)
	if err != nil {
		if rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		var v any
		if err := jsonUnmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("405 body is not JSON: %v: %s", err, rec.Body)
		}
		if err := doc.Components.Schemas["Error"].Value.VisitJSON(v); err != nil {
			t.Fatalf("405 body does not match the Error schema: %v: %s", err, rec.Body)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(strings.NewReader(rec.Body.String())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s → %d does not match the OpenAPI document: %v\nbody: %.500s", req.Method, req.URL, rec.Code, err, rec.Body)
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
