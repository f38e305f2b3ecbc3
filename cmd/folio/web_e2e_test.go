package main

import (
	"net/http"
	"strings"
	"testing"
)

// checkWeb checks, on a running `folio serve` started with
// FOLIO_SERVER_CORS_ALLOWED_ORIGINS=https://intranet.example, that the search
// page is served with its CSP and that the CORS setting reached the server.
func checkWeb(t *testing.T, base string) {
	t.Helper()
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
		t.Errorf("GET /: status %d, CSP %q", res.StatusCode, res.Header.Get("Content-Security-Policy"))
	}
	for origin, want := range map[string]string{"https://intranet.example": "https://intranet.example", "https://elsewhere.example": ""} {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/search?q=cambodia", nil)
		req.Header.Set("Origin", origin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("Origin %s: Access-Control-Allow-Origin %q, want %q", origin, got, want)
		}
	}
}
