package server

import (
	"net/http"
	"strings"
	"testing"
)

// A single node has applied every write: min_seq answers at once; a
// min_seq that is no sequence is 400 naming the parameter.
func TestMinSeqParameter(t *testing.T) {
	srv := realServer(t)
	for _, target := range []string{"/api/search?q=cambodia&min_seq=123", "/api/search?q=cambodia&min_seq=0"} {
		if rec := do(t, srv, http.MethodGet, target); rec.Code != http.StatusOK {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
	for _, bad := range []string{"-1", "x", "1.5", strings.Repeat("9", 30)} {
		rec := do(t, srv, http.MethodGet, "/api/search?q=cambodia&min_seq="+bad)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"param":"min_seq"`) {
			t.Errorf("min_seq=%s: %d %s, want 400 naming min_seq", bad, rec.Code, rec.Body)
		}
	}
	// /readyz of a single node has no cluster fields.
	rec := do(t, srv, http.MethodGet, "/readyz")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "applied_seq") {
		t.Errorf("/readyz of a single node: %d %s", rec.Code, rec.Body)
	}
}
