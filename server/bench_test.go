package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkSearchHandler measures a whole GET /api/search through echo
// (routing, binding, search, highlighting, JSON) on testdata/articles.
func BenchmarkSearchHandler(b *testing.B) {
	srv := New(testIndex(&testing.T{}), DefaultOptions(), nil)
	for _, target := range []string{
		"/api/search?q=%22Diamond+Hexagon%22",
		"/api/search?q=%2Boil+%2Bprices&from=1987-03-01&to=1987-03-31",
		"/api/search?q=oil+prices",
	} {
		b.Run(target[len("/api/search?"):], func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
