package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

func TestReadyOnlyOnceTheIndexIsAttached(t *testing.T) {
	srv := New(nil, DefaultOptions(), nil)
	for _, target := range []string{"/readyz", "/api/search?q=oil", "/api/articles/reuters-10113"} {
		rec := do(t, srv, http.MethodGet, target)
		var e errorJSON
		decodeJSON(t, rec, &e)
		if rec.Code != http.StatusServiceUnavailable || e.Error.Code != "not_ready" || rec.Header().Get("Retry-After") != "5" {
			t.Errorf("before SetIndex GET %s = %d %+v, Retry-After %q; want 503 not_ready, Retry-After 5", target, rec.Code, e.Error, rec.Header().Get("Retry-After"))
		}
	}
	if rec := do(t, srv, http.MethodGet, "/healthz"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"starting"`) {
		t.Errorf("before SetIndex GET /healthz = %d %s, want 200 starting", rec.Code, rec.Body)
	}
	if rec := do(t, srv, http.MethodGet, "/metrics"); !strings.Contains(rec.Body.String(), "folio_index_ready 0\n") {
		t.Errorf("before SetIndex /metrics lacks folio_index_ready 0")
	}

	srv.SetIndex(testIndex(t))
	rec := do(t, srv, http.MethodGet, "/readyz")
	var got api.Health
	decodeJSON(t, rec, &got)
	if rec.Code != http.StatusOK || got != (api.Health{Status: "ready", Documents: uint64(countArticleFiles(t))}) {
		t.Errorf("after SetIndex GET /readyz = %d %+v", rec.Code, got)
	}
	if r := search(t, srv, "q=%22Diamond+Hexagon%22"); len(r.Hits) == 0 || r.Hits[0].ID != "ironclad-friendship-cambodia" {
		t.Errorf("after SetIndex the search returned %v", ids(r.Hits))
	}
}

func TestRequestID(t *testing.T) {
	var buf bytes.Buffer
	srv := New(testIndex(t), DefaultOptions(), slog.New(slog.NewJSONHandler(&buf, nil)))
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"honoured", "abc-123_x.y:z", true},
		{"generated", "", false},
		{"too long", strings.Repeat("a", 129), false},
		{"forged log line", "a\nlevel=ERROR", false},
		{"spaces", "a b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf.Reset()
			req := httptest.NewRequest(http.MethodGet, "/api/search?q=%22unclosed", nil)
			if tt.sent != "" {
				req.Header.Set("X-Request-Id", tt.sent)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			id := rec.Header().Get("X-Request-Id")
			if tt.kept && id != tt.sent || !tt.kept && (id == tt.sent || len(id) != 32) {
				t.Fatalf("X-Request-Id %q for %q sent", id, tt.sent)
			}
			lines := logLines(t, &buf)
			if len(lines) != 1 || lines[0]["msg"] != "request" || lines[0]["request_id"] != id || lines[0]["status"] != float64(400) {
				t.Errorf("want one access line with request_id %q and status 400, got %v", id, lines)
			}
		})
	}
}

func TestServerFailureLoggedOnceWithRequestID(t *testing.T) {
	var buf bytes.Buffer
	srv := New(&fakeIndex{count: func() (uint64, error) { return 0, fmt.Errorf("disk on fire") }}, DefaultOptions(), slog.New(slog.NewJSONHandler(&buf, nil)))
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("X-Request-Id", "req-1")
	srv.ServeHTTP(httptest.NewRecorder(), req)
	var msgs []string
	for _, l := range logLines(t, &buf) {
		if l["request_id"] != "req-1" {
			t.Errorf("log line without the request id: %v", l)
		}
		msgs = append(msgs, fmt.Sprint(l["msg"]))
	}
	if strings.Join(msgs, ",") != "request failed,request" {
		t.Errorf("log messages %q, want the failure once, then the access line", msgs)
	}
}

func TestMetrics(t *testing.T) {
	srv := realServer(t)
	do(t, srv, http.MethodGet, "/api/search?q=oil")
	do(t, srv, http.MethodGet, "/api/search?q=oil")
	do(t, srv, http.MethodGet, "/api/search?q=%22unclosed")
	do(t, srv, http.MethodGet, "/api/articles/nope")
	do(t, srv, http.MethodGet, "/no/such/route/42")
	rec := do(t, srv, http.MethodGet, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`folio_http_requests_total{method="GET",route="/api/search",status="200"} 2`,
		`folio_http_requests_total{method="GET",route="/api/search",status="400"} 1`,
		`folio_http_requests_total{method="GET",route="/api/articles/*",status="404"} 1`,
		`folio_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`folio_http_request_duration_seconds_count{route="/api/search",status="200"} 2`,
		`folio_search_duration_seconds_count 2`,
		`folio_http_rejected_requests_total{reason="invalid_query"} 1`,
		`folio_http_rejected_requests_total{reason="not_found"} 2`,
		fmt.Sprintf("folio_index_documents %d", countArticleFiles(t)),
		"folio_index_ready 1",
		"folio_index_size_bytes ",
		"folio_search_in_flight 0",
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want+"\n") && !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "/no/such/route") {
		t.Errorf("an unrouted path became a metrics label")
	}
}

func TestBasePath(t *testing.T) {
	opts := DefaultOptions()
	opts.BasePath = "/tools/folio/"
	var buf bytes.Buffer
	srv := New(testIndex(t), opts, slog.New(slog.NewJSONHandler(&buf, nil)))
	tests := []struct {
		target string
		status int
	}{
		{"/tools/folio/api/search?q=%22Diamond+Hexagon%22", 200},
		{"/tools/folio/api/articles/news%2F2024", 404},
		{"/tools/folio/api/articles/ironclad-friendship-cambodia", 200},
		{"/tools/folio/healthz", 200},
		{"/tools/folio/readyz", 200},
		{"/tools/folio/metrics", 200},
		{"/tools/folio/openapi.json", 200},
		{"/api/search?q=oil", 404},
		{"/tools/folioX/healthz", 404},
		{"/healthz", 404},
	}
	for _, tt := range tests {
		buf.Reset()
		if rec := do(t, srv, http.MethodGet, tt.target); rec.Code != tt.status {
			t.Errorf("GET %s = %d, want %d; body %.200s", tt.target, rec.Code, tt.status, rec.Body)
		}
		path, _, _ := strings.Cut(tt.target, "?")
		if l := logLines(t, &buf); len(l) != 1 || l[0]["path"] != path {
			t.Errorf("GET %s logged %v, want the path as sent", tt.target, l)
		}
	}
	if rec := do(t, srv, http.MethodGet, "/tools/folio/api/search?q=%22Diamond+Hexagon%22"); !strings.Contains(rec.Body.String(), `"id":"ironclad-friendship-cambodia"`) {
		t.Errorf("the search under the base path did not find the article: %.200s", rec.Body)
	}
	rec := do(t, srv, http.MethodGet, "/tools/folio/openapi.json")
	if !strings.Contains(rec.Body.String(), `"servers":[{"url":"/tools/folio"}]`) {
		t.Errorf("the OpenAPI document does not name the base path as its server: %.300s", rec.Body)
	}
}

func TestRateLimitIsPerClient(t *testing.T) {
	opts := DefaultOptions()
	opts.RateLimit, opts.RateBurst = 0.001, 2
	srv := New(testIndex(t), opts, nil)
	get := func(remote string) int {
		req := httptest.NewRequest(http.MethodGet, "/api/articles/ironclad-friendship-cambodia", nil)
		req.RemoteAddr = remote
		req.Header.Set("X-Forwarded-For", "10.9.9.9") // not trusted by default
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	got := []int{get("10.0.0.1:1"), get("10.0.0.1:2"), get("10.0.0.1:3"), get("10.0.0.2:1"), get("10.0.0.1:4")}
	want := []int{200, 200, 429, 200, 429}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses %v, want %v (burst 2 per address)", got, want)
	}
}

func TestRateLimitIsPerKey(t *testing.T) {
	opts := DefaultOptions()
	opts.RateLimit, opts.RateBurst = 0.001, 1
	opts.SearchKeys = []SearchKey{{Key: "portal-a-0123456789"}, {Key: "portal-b-0123456789"}}
	srv := New(testIndex(t), opts, nil)
	get := func(key string) int {
		req := httptest.NewRequest(http.MethodGet, "/api/articles/ironclad-friendship-cambodia", nil)
		req.RemoteAddr = "10.0.0.7:1" // one proxy in front of every portal
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	// Each valid key has its own bucket; an invented token counts against
	// the address (and is then refused as unauthorised).
	got := []int{get("portal-a-0123456789"), get("portal-a-0123456789"), get("portal-b-0123456789"), get("invented-token-1"), get("invented-token-2")}
	want := []int{200, 429, 200, 401, 429}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses %v, want %v (burst 1 per key, then per address)", got, want)
	}
}

func TestClientGoneIsNotAServerFailure(t *testing.T) {
	var buf bytes.Buffer
	srv := New(&fakeIndex{search: func(ctx context.Context, _ index.Query) (*index.Result, error) {
		return nil, fmt.Errorf("search: %w", context.Canceled)
	}}, DefaultOptions(), slog.New(slog.NewJSONHandler(&buf, nil)))
	do(t, srv, http.MethodGet, "/api/search?q=oil")
	lines := logLines(t, &buf)
	if len(lines) != 1 || lines[0]["status"] != float64(499) {
		t.Errorf("log %v, want one access line with status 499", lines)
	}
	rec := do(t, srv, http.MethodGet, "/metrics")
	if !strings.Contains(rec.Body.String(), `folio_http_requests_total{method="GET",route="/api/search",status="499"} 1`) {
		t.Errorf("/metrics does not count the canceled search as 499")
	}
}

func TestServeMetricsOnItsOwnAddress(t *testing.T) {
	opts := DefaultOptions()
	opts.MetricsElsewhere = true
	srv := New(testIndex(t), opts, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.ServeMetrics(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "folio_index_ready 1\n") {
		t.Errorf("GET /metrics on the metrics address = %d, body lacks folio_index_ready 1", resp.StatusCode)
	}
	if rec := do(t, srv, http.MethodGet, "/metrics"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /metrics on the API = %d, want 404", rec.Code)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("ServeMetrics = %v", err)
	}
}
