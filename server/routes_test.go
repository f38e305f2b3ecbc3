package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRouteGroupPolicies pins what the route groups decide at their edges:
// which requests CORS, search keys, the rate limit and the body limit
// govern, including requests no route serves (404, 405, OPTIONS).
func TestRouteGroupPolicies(t *testing.T) {
	const origin, key = "https://intranet.example", "group-search-key-0123"
	opts := DefaultOptions()
	opts.AllowedOrigins = []string{origin}
	opts.SearchKeys = []SearchKey{{Key: key}}
	keyed := New(testIndex(t), opts, nil)

	preflight := map[string]string{"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
	withKey := map[string]string{"Origin": origin, "Authorization": "Bearer " + key}
	tests := []struct {
		name       string
		method     string
		target     string
		headers    map[string]string
		wantStatus int
		wantCORS   bool
	}{
		{"preflight search", http.MethodOptions, "/api/search", preflight, 204, true},
		{"preflight article", http.MethodOptions, "/api/articles/a/b", preflight, 204, true},
		{"preflight older related", http.MethodOptions, "/api/articles/x/related", preflight, 204, true},
		{"preflight related", http.MethodOptions, "/api/related/x", preflight, 204, true},
		{"preflight suggest", http.MethodOptions, "/api/suggest", preflight, 204, true},
		{"preflight article _bulk (its GET reads article _bulk)", http.MethodOptions, "/api/articles/_bulk", preflight, 204, true},
		{"preflight admin", http.MethodOptions, "/api/admin/sync", preflight, 204, false},
		{"preflight article writes", http.MethodOptions, "/api/articles", preflight, 204, false},
		{"preflight health", http.MethodOptions, "/healthz", preflight, 204, false},
		{"preflight unrouted", http.MethodOptions, "/api/searches", preflight, 404, false},

		{"article _bulk is a read", http.MethodGet, "/api/articles/_bulk", map[string]string{"Origin": origin}, 401, true},
		{"HEAD needs a key", http.MethodHead, "/api/search?q=x", map[string]string{"Origin": origin}, 401, true},
		{"HEAD with key", http.MethodHead, "/api/related/ironclad-friendship-cambodia", withKey, 200, true},
		{"older related with key", http.MethodGet, "/api/articles/ironclad-friendship-cambodia/related", withKey, 200, true},
		{"read route, other method", http.MethodPost, "/api/search", map[string]string{"Origin": origin}, 405, false},
		{"write without admin key", http.MethodPut, "/api/articles/x", withKey, 403, false},
		{"unrouted", http.MethodGet, "/api/searches", map[string]string{"Origin": origin}, 404, false},
		{"page needs no key", http.MethodGet, "/", map[string]string{"Origin": origin}, 200, false},
		{"openapi needs no key", http.MethodGet, "/openapi.json", map[string]string{"Origin": origin}, 200, false},
		{"ready needs no key", http.MethodGet, "/readyz", map[string]string{"Origin": origin}, 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := request(t, keyed, tt.method, tt.target, tt.headers)
			if rec.Code != tt.wantStatus {
				t.Fatalf("%s %s: status %d, want %d; body %s", tt.method, tt.target, rec.Code, tt.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin") != ""; got != tt.wantCORS {
				t.Errorf("%s %s: CORS headers %v, want %v (headers %v)", tt.method, tt.target, got, tt.wantCORS, rec.Header())
			}
		})
	}

	t.Run("rate limit", func(t *testing.T) {
		limited := DefaultOptions()
		limited.RateLimit, limited.RateBurst = 0.001, 1
		srv := New(testIndex(t), limited, nil)
		if rec := request(t, srv, http.MethodGet, "/nope", nil); rec.Code != http.StatusNotFound {
			t.Fatalf("first request: status %d, want 404", rec.Code)
		}
		for _, r := range []struct {
			method, target string
			want           int
		}{
			{http.MethodGet, "/nope", 429},         // unrouted requests count too
			{http.MethodPost, "/api/search", 429},  // and methods a route does not serve
			{http.MethodGet, "/openapi.json", 429}, // the API's description is not monitoring
			{http.MethodGet, "/healthz", 200},      // the ops routes are exempt,
			{http.MethodGet, "/readyz", 200},       //
			{http.MethodGet, "/metrics", 200},      //
			{http.MethodHead, "/healthz", 200},     //
			{http.MethodPost, "/readyz", 405},      // whatever the method
		} {
			if rec := request(t, srv, r.method, r.target, nil); rec.Code != r.want {
				t.Errorf("%s %s: status %d, want %d", r.method, r.target, rec.Code, r.want)
			}
		}
	})

	t.Run("body limit", func(t *testing.T) {
		small := DefaultOptions()
		small.MaxBodyBytes = 10
		small.AdminKeys = []string{"group-admin-key-0123"}
		srv := New(testIndex(t), small, nil)
		for _, r := range []struct {
			method, target string
			want           int
		}{
			{http.MethodPost, "/nope", 413},               // unrouted requests are limited too
			{http.MethodPost, "/api/articles", 413},       // a write
			{http.MethodPost, "/api/articles/_bulk", 200}, // a stream: limited by line, and this line is bad
		} {
			req := httptest.NewRequest(r.method, r.target, strings.NewReader(`{"id":"0123456789abcdef"`+"\n"))
			req.Header.Set("Authorization", "Bearer group-admin-key-0123")
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != r.want {
				t.Errorf("%s %s: status %d, want %d; body %s", r.method, r.target, rec.Code, r.want, rec.Body)
			}
		}
	})
}
