package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
)

// TestLongWordsCostLittle: an article with one very long word must not make
// ingest or reads allocate gigabytes (vellum's dictionary builder costs a few
// hundred times a term's length). A title of a 1 MiB word is refused with an
// error naming the file, the field and the limit, and the rest is indexed;
// a 1 MiB word in a body is stored but not indexed, so the requests that walk
// the term dictionary near it (prefix, regexp, suggestions, marked articles)
// each allocate less than 100 MB.
func TestLongWordsCostLittle(t *testing.T) {
	extra := t.TempDir()
	word := func(c string) string { return strings.Repeat(c, 1<<20) }
	files := map[string]string{
		"long-title.txt":     "Title: " + word("h") + "\n\nA body.\n",
		"long-word-body.txt": "Title: Long word\n\nShort words first: zebrafinch. " + word("a") + " Then more.\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(extra, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := index.Create(index.DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	var problems []string
	if _, err := ix.Ingest(context.Background(), []string{articlesDir, extra}, index.IngestOptions{
		Problem: func(e *article.InputError) { problems = append(problems, e.Error()) },
	}); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(extra, "long-title.txt") + ":1: title is 1048576 bytes, more than the 4096 allowed"
	found := false
	for _, p := range problems {
		found = found || p == want
	}
	if !found {
		t.Errorf("ingest problems %q, want one %q", problems, want)
	}
	n, err := ix.Count()
	if err != nil {
		t.Fatal(err)
	}
	shared, err := testIndex(t).Count()
	if err != nil {
		t.Fatal(err)
	}
	if n != shared+1 {
		t.Errorf("%d articles indexed, want the %d of testdata and long-word-body", n, shared)
	}
	srv := New(ix, DefaultOptions(), nil)
	if got := ids(search(t, srv, "q=zebrafinch").Hits); len(got) != 1 || got[0] != "long-word-body" {
		t.Errorf("q=zebrafinch: hits %q, want [long-word-body]", got)
	}
	for _, target := range []string{
		"/api/search?q=aa*",
		"/api/search?q=" + url.QueryEscape("/aa.*/"),
		"/api/suggest?q=aa",
		"/api/suggest?q=hh",
		"/api/articles/long-word-body?q=aa*",
		"/api/articles/long-word-body?q=" + url.QueryEscape("/aa.*/"),
	} {
		var rec *httptest.ResponseRecorder
		if n := allocated(func() { rec = do(t, srv, http.MethodGet, target) }); n > 100<<20 {
			t.Errorf("GET %s allocated %d MB, want < 100 MB", target, n>>20)
		}
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d, body %.300s", target, rec.Code, rec.Body)
		}
	}
}

// allocated is the number of bytes the process allocated while fn ran
// (TotalAlloc: every allocation counts, also what was freed again).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLongFieldsRefusedByWrites: the HTTP write API refuses over-long fields
// with the same message as ingest.
func TestLongFieldsRefusedByWrites(t *testing.T) {
	srv, _ := writableServer(t, Options{})
	for _, tc := range []struct{ body, want string }{
		{`{"title":"` + strings.Repeat("t", 5000) + `"}`, "title is 5000 bytes, more than the 4096 allowed"},
		{`{"title":"x","url":"https://example.com/` + strings.Repeat("u", 3000) + `"}`, "url is 3020 bytes, more than the 2048 allowed"},
		{`{"title":"x","source":"` + strings.Repeat("s", 2049) + `"}`, "source is 2049 bytes, more than the 2048 allowed"},
		{`{"title":"x","author":"` + strings.Repeat("a", 2049) + `"}`, "author is 2049 bytes, more than the 2048 allowed"},
		{`{"title":"x","tags":["ok","` + strings.Repeat("g", 2049) + `"]}`, "tags value 2 is 2049 bytes, more than the 2048 allowed"},
		{`{"title":"x","tags":[` + strings.TrimSuffix(strings.Repeat(`"t",`, 101), ",") + `]}`, "tags has 101 values, more than the 100 allowed"},
	} {
		wantError(t, send(t, srv, http.MethodPut, "/api/articles/x", adminKey, tc.body), http.StatusBadRequest, "invalid_article", tc.want)
	}
	long := strings.Repeat("i", 1025)
	wantError(t, send(t, srv, http.MethodPut, "/api/articles/"+long, adminKey, `{"title":"x"}`), http.StatusBadRequest, "invalid_article", "id is 1025 bytes, more than the 1024 allowed")
	// A body of one long word (within server.max_body_bytes) is written,
	// without indexing the word: cheaply.
	var rec *httptest.ResponseRecorder
	body := `{"title":"Long word","body":"` + strings.Repeat("w", 1<<20) + `"}`
	if n := allocated(func() { rec = send(t, srv, http.MethodPut, "/api/articles/long", adminKey, body) }); n > 100<<20 {
		t.Errorf("PUT of a 1 MiB word allocated %d MB, want < 100 MB", n>>20)
	}
	if rec.Code/100 != 2 {
		t.Errorf("PUT of a 1 MiB word: status %d, body %.300s", rec.Code, rec.Body)
	}
	// At the limits, the article is written.
	if rec := send(t, srv, http.MethodPut, "/api/articles/x", adminKey, `{"title":"`+strings.Repeat("t", 4096)+`","tags":["`+strings.Repeat("g", 2048)+`"]}`); rec.Code/100 != 2 {
		t.Errorf("PUT at the limits: status %d, body %.300s", rec.Code, rec.Body)
	}
}

// TestBadQueriesAre400: boosts that are not finite positive numbers (which
// made NaN scores, and a 500 from JSON encoding) and regular expressions or
// wildcards too complex for bleve's automaton are 400 invalid_query saying
// why, from every route that takes a query.
func TestBadQueriesAre400(t *testing.T) {
	srv := realServer(t)
	boost := "a boost must be a number from 0.001 to 1000"
	complexRe := "is too complex"
	for _, tc := range []struct{ q, want string }{
		{"oil^0", "boost ^0 is out of range: " + boost},
		{"oil^-0", "boost ^-0 is out of range"},
		{"oil^1e308", "boost ^1e+308 is out of range"},
		{"oil^Inf", "boost ^+Inf is out of range"},
		{"oil^NaN", "boost ^NaN is out of range"},
		{"title:oil^NaN", "boost ^NaN is out of range"},
		{`"crude oil"^NaN`, "boost ^NaN is out of range"},
		{"oil prices^0.0001", "boost ^0.0001 is out of range"},
		{"/ab.{0,1000}/", "regular expression /ab.{0,1000}/ " + complexRe},
		{`/ab\p{L}{200}/`, complexRe},
		{"ab" + strings.Repeat("?", 2000), "is too complex to search"},
		{"/oil$/", "regular expression /oil$/ is not supported: zero width assertions not allowed"},
		{"/oi.+?/", "lazy quantifiers are not allowed"},
	} {
		for _, path := range []string{"/api/search?q=", "/api/articles/reuters-10113?q="} {
			t.Run(path+tc.q, func(t *testing.T) {
				rec := do(t, srv, http.MethodGet, path+url.QueryEscape(tc.q))
				wantError(t, rec, http.StatusBadRequest, "invalid_query", tc.want)
			})
		}
	}
	// Sane boosts and regular expressions still search.
	for _, q := range []string{"oil^2 prices^0.5", "title:oil^1000", "/pri.e/"} {
		if r := search(t, srv, "q="+url.QueryEscape(q)); r.Total == 0 {
			t.Errorf("q=%s: no hits", q)
		}
	}
}

// TestSuggestionsAndMarkedArticlesAreLimited: suggestions, marked articles
// and related articles wait for a slot of the search limiter like searches
// (one with a very long word cost gigabytes); a plain article read does not.
func TestSuggestionsAndMarkedArticlesAreLimited(t *testing.T) {
	srv := New(testIndex(t), Options{MaxSearches: 1, SearchQueue: 1, QueueTimeout: 1}, nil)
	if err := srv.limit.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.limit.release()
	for _, target := range []string{
		"/api/search?q=oil",
		"/api/suggest?q=oi",
		"/api/articles/reuters-10113?q=oil",
		"/api/articles/reuters-10113/related",
	} {
		wantError(t, do(t, srv, http.MethodGet, target), http.StatusServiceUnavailable, "overloaded", "too many searches")
	}
	if rec := do(t, srv, http.MethodGet, "/api/articles/reuters-10113"); rec.Code != http.StatusOK {
		t.Errorf("GET /api/articles/reuters-10113 with every search slot taken: status %d, want 200", rec.Code)
	}
}
