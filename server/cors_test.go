package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// request sends one request with headers through srv.ServeHTTP.
func request(t *testing.T, srv http.Handler, method, target string, headers map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func TestCORS(t *testing.T) {
	opts := DefaultOptions()
	opts.AllowedOrigins = []string{"https://intranet.example"}
	srv := New(testIndex(t), opts, nil)
	closed := realServer(t) // no allowed origins

	tests := []struct {
		name       string
		srv        http.Handler
		method     string
		target     string
		headers    map[string]string
		wantStatus int
		wantOrigin string // Access-Control-Allow-Origin, "" for none
	}{
		{"allowed origin, search", srv, http.MethodGet, "/api/search?q=cambodia", map[string]string{"Origin": "https://intranet.example"}, 200, "https://intranet.example"},
		{"allowed origin, article", srv, http.MethodGet, "/api/articles/ironclad-friendship-cambodia", map[string]string{"Origin": "https://intranet.example"}, 200, "https://intranet.example"},
		{"allowed origin, suggest", srv, http.MethodGet, "/api/suggest?q=iron", map[string]string{"Origin": "https://intranet.example"}, 200, "https://intranet.example"},
		{"allowed origin, error answer keeps the headers", srv, http.MethodGet, "/api/search?size=x", map[string]string{"Origin": "https://intranet.example"}, 400, "https://intranet.example"},
		{"other origin", srv, http.MethodGet, "/api/search?q=cambodia", map[string]string{"Origin": "https://evil.example"}, 200, ""},
		{"look-alike origin", srv, http.MethodGet, "/api/search?q=cambodia", map[string]string{"Origin": "https://intranet.example.evil.example"}, 200, ""},
		{"allowed origin, not a read route", srv, http.MethodGet, "/healthz", map[string]string{"Origin": "https://intranet.example"}, 200, ""},
		{"no origins configured", closed, http.MethodGet, "/api/search?q=cambodia", map[string]string{"Origin": "https://intranet.example"}, 200, ""},
		{"preflight, allowed", srv, http.MethodOptions, "/api/search?q=x", map[string]string{"Origin": "https://intranet.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}, 204, "https://intranet.example"},
		{"preflight, other origin", srv, http.MethodOptions, "/api/search?q=x", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}, 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := request(t, tt.srv, tt.method, tt.target, tt.headers)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			h := rec.Header()
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.wantOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.wantOrigin)
			}
			if got := h.Get("Access-Control-Allow-Credentials"); got != "" {
				t.Errorf("Access-Control-Allow-Credentials = %q, want none (keys travel in a header, not cookies)", got)
			}
			if tt.method == http.MethodOptions && tt.wantOrigin != "" {
				if got := h.Get("Access-Control-Allow-Headers"); got != "Authorization,X-Folio-Token" {
					t.Errorf("Access-Control-Allow-Headers = %q, want Authorization,X-Folio-Token (search key, reader token)", got)
				}
				if got := h.Get("Access-Control-Allow-Methods"); got != "GET,HEAD" {
					t.Errorf("Access-Control-Allow-Methods = %q, want GET,HEAD", got)
				}
			}
		})
	}
}

func TestSearchKeys(t *testing.T) {
	const open, bound = "open-key-0123456789", "bound-key-0123456789"
	opts := DefaultOptions()
	opts.AllowedOrigins = []string{"https://intranet.example", "https://other.example"}
	opts.SearchKeys = []SearchKey{{Key: open}, {Key: bound, Origins: []string{"https://intranet.example"}}}
	srv := New(testIndex(t), opts, nil)

	tests := []struct {
		name       string
		target     string
		headers    map[string]string
		wantStatus int
		wantCode   string // error code for 4xx
	}{
		{"no key", "/api/search?q=cambodia", nil, 401, "unauthorized"},
		{"no key, article", "/api/articles/ironclad-friendship-cambodia", nil, 401, "unauthorized"},
		{"no key, suggest", "/api/suggest?q=iron", nil, 401, "unauthorized"},
		{"wrong key", "/api/search?q=cambodia", map[string]string{"Authorization": "Bearer nope-0123456789"}, 401, "unauthorized"},
		{"not bearer", "/api/search?q=cambodia", map[string]string{"Authorization": "Basic " + open}, 401, "unauthorized"},
		{"key", "/api/search?q=cambodia", map[string]string{"Authorization": "Bearer " + open}, 200, ""},
		{"key, lower-case scheme", "/api/articles/ironclad-friendship-cambodia", map[string]string{"Authorization": "bearer " + open}, 200, ""},
		{"bound key from its origin", "/api/search?q=cambodia", map[string]string{"Authorization": "Bearer " + bound, "Origin": "https://intranet.example"}, 200, ""},
		{"bound key from another origin", "/api/search?q=cambodia", map[string]string{"Authorization": "Bearer " + bound, "Origin": "https://other.example"}, 403, "forbidden"},
		{"bound key without an origin", "/api/search?q=cambodia", map[string]string{"Authorization": "Bearer " + bound}, 403, "forbidden"},
		{"health stays open", "/healthz", nil, 200, ""},
		{"the page stays open", "/", nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := request(t, srv, http.MethodGet, tt.target, tt.headers)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantCode == "" {
				return
			}
			var e errorJSON
			decodeJSON(t, rec, &e)
			if e.Error.Code != tt.wantCode || e.Error.Message == "" {
				t.Errorf("error = %+v, want code %q and a message", e.Error, tt.wantCode)
			}
			if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}

	t.Run("preflight needs no key", func(t *testing.T) {
		rec := request(t, srv, http.MethodOptions, "/api/search", map[string]string{"Origin": "https://intranet.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})
		if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://intranet.example" {
			t.Fatalf("preflight: status %d, headers %v", rec.Code, rec.Header())
		}
	})
	t.Run("401 carries CORS headers for allowed origins", func(t *testing.T) {
		rec := request(t, srv, http.MethodGet, "/api/search?q=x", map[string]string{"Origin": "https://intranet.example"})
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("Access-Control-Allow-Origin") != "https://intranet.example" {
			t.Fatalf("status %d, Access-Control-Allow-Origin %q; the widget could not read the error", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
		}
	})
}
