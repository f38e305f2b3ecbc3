package server

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
)

const articlesDir = "../testdata/articles"

// shared is the real index built once per test binary from testdata/articles.
var shared struct {
	once     sync.Once
	dir      string
	ix       *index.Index
	problems []string
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()          // browser_test.go
	if reuters.ix != nil { // analytics_bench_test.go
		reuters.ix.Close()
	}
	if reuters.dir != "" {
		os.RemoveAll(reuters.dir)
	}
	if shared.ix != nil {
		shared.ix.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// testIndex returns the shared real index, building it on first use.
func testIndex(t testing.TB) *index.Index {
	t.Helper()
	shared.once.Do(func() {
		if shared.dir, shared.err = os.MkdirTemp("", "folio-server-test-"); shared.err != nil {
			return
		}
		if shared.ix, shared.err = index.Create(index.DefaultOptions(filepath.Join(shared.dir, "idx"))); shared.err != nil {
			return
		}
		_, shared.err = shared.ix.Ingest(context.Background(), []string{articlesDir}, index.IngestOptions{
			Problem: func(e *article.InputError) { shared.problems = append(shared.problems, e.Error()) },
		})
	})
	if shared.err != nil {
		t.Fatalf("build the test index from %s: %v", articlesDir, shared.err)
	}
	return shared.ix
}

// realServer is a Server over the shared real index.
func realServer(t testing.TB) *Server {
	t.Helper()
	return New(testIndex(t), DefaultOptions(), nil)
}

// do sends one request through srv.ServeHTTP.
func do(t *testing.T, srv http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

// decodeJSON checks that rec holds JSON and decodes it strictly into v, so
// that a renamed or extra field fails the test.
func decodeJSON(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	ct := rec.Header().Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json; body %s", ct, rec.Body)
	}
	dec := json.NewDecoder(strings.NewReader(rec.Body.String()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v; body %s", v, err, rec.Body)
	}
}

// The wire shapes, spelled out independently of the server's own types.
type (
	searchJSON struct {
		Query  string    `json:"query"`
		Total  uint64    `json:"total"`
		TookMS float64   `json:"took_ms"`
		Page   int       `json:"page"`
		Size   int       `json:"size"`
		Hits   []hitJSON `json:"hits"`

		Cursor     string      `json:"cursor"`
		Suggestion string      `json:"suggestion"`
		Facets     []facetJSON `json:"facets"`
		QueryID    string      `json:"query_id"`
	}
	facetJSON struct {
		Field    string `json:"field"`
		Interval string `json:"interval"`
		Buckets  []struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		} `json:"buckets"`
	}
	hitJSON struct {
		ID         string   `json:"id"`
		Title      string   `json:"title"`
		Date       string   `json:"date"`
		Datetime   string   `json:"datetime"`
		URL        string   `json:"url"`
		Source     string   `json:"source"`
		Author     string   `json:"author"`
		Tags       []string `json:"tags"`
		Score      float64  `json:"score"`
		Highlights struct {
			Title []string `json:"title"`
			Body  []string `json:"body"`
		} `json:"highlights"`
	}
	articleJSON struct {
		ID       string   `json:"id"`
		Title    string   `json:"title"`
		Date     string   `json:"date"`
		Datetime string   `json:"datetime"`
		Body     string   `json:"body"`
		URL      string   `json:"url"`
		Source   string   `json:"source"`
		Author   string   `json:"author"`
		Tags     []string `json:"tags"`
	}
	errorJSON struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Param   string `json:"param"`
		} `json:"error"`
	}
)

// search runs GET /api/search?<query> on srv, expects 200 and checks that
// every array of the response is [] rather than null.
func search(t *testing.T, srv http.Handler, query string) searchJSON {
	t.Helper()
	rec := do(t, srv, http.MethodGet, "/api/search?"+query)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/search?%s: status %d, body %s", query, rec.Code, rec.Body)
	}
	var r searchJSON
	decodeJSON(t, rec, &r)
	if r.Hits == nil {
		t.Fatalf("GET /api/search?%s: hits is null, want an array", query)
	}
	for _, h := range r.Hits {
		if h.Tags == nil || h.Highlights.Title == nil || h.Highlights.Body == nil {
			t.Fatalf("GET /api/search?%s: hit %s has a null array (tags, highlights.title or highlights.body): %s", query, h.ID, rec.Body)
		}
	}
	return r
}

func ids(hits []hitJSON) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}
