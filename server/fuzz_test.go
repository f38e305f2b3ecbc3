package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/folio-search/folio/server/api"
)

// FuzzSearchParams sends arbitrary query strings to GET /api/search through
// the real server and index. The property: no panic, no 5xx, and every error
// is a 400 whose JSON body has a typed code, a message and the parameter at
// fault. Seeds are in testdata/fuzz/FuzzSearchParams/ and below.
func FuzzSearchParams(f *testing.F) {
	for _, s := range []string{
		"q=oil", "q=%22Diamond+Hexagon%22", "q=oil+-gold+%2Btitle%3Aprice", "q=oil*&sort=-date",
		"q=oil&from=1987-03-01&to=Mar+31%2C+1987&size=3&page=2", "q=", "size=100&page=100",
		"q=*", "q=%2F.*%2F", "q=oil~2", "q=title%3A", "q=date%3A%3E%3D%221987-01-01%22",
		"q=a&q=b", "q=%ff", "q=%00", "size=1e9", "page=-1", "sort=x", "x=1", "q=oil&&&", "%zz=1",
		"q=" + strings.Repeat("(", 300), "from=01%2F02%2F1987", "q=%5Ba+TO+b%5D", "q=oil%5E-1",
	} {
		f.Add(s)
	}
	srv := realServer(f)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := httptest.NewRequest(http.MethodGet, "/api/search", nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var r api.SearchResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatalf("?%s: 200 with a body that is not a search response: %v", rawQuery, err)
			}
		case http.StatusBadRequest:
			var e api.ErrorResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("?%s: 400 with a body that is not an error: %v: %s", rawQuery, err, rec.Body)
			}
			if (e.Error.Code != "invalid_query" && e.Error.Code != "invalid_parameter") || e.Error.Message == "" || e.Error.Param == "" {
				t.Fatalf("?%s: untyped 400 error %+v", rawQuery, e.Error)
			}
		default:
			t.Fatalf("?%s: status %d, want 200 or 400; body %.300s", rawQuery, rec.Code, rec.Body)
		}
	})
}
