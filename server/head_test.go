package server

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestHeadAnswersAsGet: every GET route answers HEAD with the GET's status
// and headers and no body, also for errors and unknown paths.
func TestHeadAnswersAsGet(t *testing.T) {
	srv := realServer(t)
	for _, target := range []string{
		"/", "/healthz", "/readyz", "/api/search?q=cambodia", "/api/search?size=x", "/widget.js",
		"/api/articles/" + ironclad, "/api/related/" + ironclad, "/api/suggest?q=iron",
		"/articles/" + ironclad, "/static/app.js", "/opensearch.xml", "/openapi.json", "/metrics", "/no/such/path",
	} {
		get := do(t, srv, http.MethodGet, target)
		head := do(t, srv, http.MethodHead, target)
		if head.Code != get.Code {
			t.Errorf("HEAD %s: status %d, GET answers %d", target, head.Code, get.Code)
		}
		if head.Body.Len() != 0 {
			t.Errorf("HEAD %s: body %.80q, want none", target, head.Body)
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "Content-Security-Policy", "ETag"} {
			if g, hd := get.Header().Get(h), head.Header().Get(h); g != hd {
				t.Errorf("HEAD %s: %s %q, GET has %q", target, h, hd, g)
			}
		}
	}
	// Writes stay writes: HEAD does not reach them.
	if rec := do(t, srv, http.MethodHead, "/api/admin/rebuild"); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("HEAD /api/admin/rebuild: %d, want 405", rec.Code)
	}
}

// TestCORSPreflightForHeadIsTrue: preflight advertises HEAD, and a
// cross-origin HEAD then gets what it was promised.
func TestCORSPreflightForHeadIsTrue(t *testing.T) {
	opts := DefaultOptions()
	opts.AllowedOrigins = []string{"https://intranet.example"}
	srv := New(testIndex(t), opts, nil)
	origin := map[string]string{"Origin": "https://intranet.example"}
	pre := request(t, srv, http.MethodOptions, "/api/search?q=cambodia", map[string]string{"Origin": "https://intranet.example", "Access-Control-Request-Method": "HEAD"})
	methods := strings.Split(strings.ReplaceAll(pre.Header().Get("Access-Control-Allow-Methods"), " ", ""), ",")
	if pre.Code != http.StatusNoContent || !slices.Contains(methods, "HEAD") {
		t.Fatalf("preflight: %d, Allow-Methods %v; want 204 with HEAD", pre.Code, methods)
	}
	rec := request(t, srv, http.MethodHead, "/api/search?q=cambodia", origin)
	if rec.Code != http.StatusOK || rec.Header().Get("Access-Control-Allow-Origin") != "https://intranet.example" || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d, Allow-Origin %q, %d body bytes; want 200 with the origin and no body", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Body.Len())
	}
}
