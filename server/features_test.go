package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCursorPagingOverHTTP follows "cursor" through every page and gets
// the same ids, in the same order, as page numbers do.
func TestCursorPagingOverHTTP(t *testing.T) {
	srv := realServer(t)
	base := url.Values{"q": {"oil prices"}, "size": {"4"}}
	var paged []string
	total := 0
	for page := 1; ; page++ {
		v := url.Values{"q": base["q"], "size": base["size"], "page": {strconv.Itoa(page)}}
		r := search(t, srv, v.Encode())
		total = int(r.Total)
		paged = append(paged, ids(r.Hits)...)
		if len(paged) >= total || len(r.Hits) == 0 {
			break
		}
	}
	var cursored []string
	v := base
	for i := 0; i < 100; i++ {
		r := search(t, srv, v.Encode())
		cursored = append(cursored, ids(r.Hits)...)
		if r.Cursor == "" {
			break
		}
		v = url.Values{"q": base["q"], "size": base["size"], "cursor": {r.Cursor}}
	}
	if len(paged) < 8 || !slices.Equal(paged, cursored) {
		t.Errorf("cursor pages differ from numbered pages (total %d):\n page:   %v\n cursor: %v", total, paged, cursored)
	}
}

// assertError checks a JSON error response: status, parameter and message.
func assertError(t *testing.T, rec *httptest.ResponseRecorder, status int, param, msg string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	var e errorJSON
	decodeJSON(t, rec, &e)
	if e.Error.Param != param || !strings.Contains(e.Error.Message, msg) {
		t.Errorf("error %+v, want param %q and a message containing %q", e.Error, param, msg)
	}
}

func TestModeTextIgnoresSyntax(t *testing.T) {
	srv := realServer(t)
	// In syntax mode this is a parse error; as text it is words.
	q := `Diamond Hexagon: (cooperation "framework`
	rec := do(t, srv, http.MethodGet, "/api/search?"+url.Values{"q": {q}}.Encode())
	if rec.Code != http.StatusBadRequest {
		t.Errorf("syntax mode: status %d, want 400", rec.Code)
	}
	r := search(t, srv, url.Values{"q": {q}, "mode": {"text"}}.Encode())
	if len(r.Hits) == 0 || r.Hits[0].ID != ironclad {
		t.Errorf("mode=text: ids %v, want %s first", ids(r.Hits), ironclad)
	}
	// "-date" would exclude in syntax mode; as text it is a word like any other.
	r = search(t, srv, url.Values{"q": {"Cambodia -China"}, "mode": {"text"}}.Encode())
	if len(r.Hits) == 0 || r.Hits[0].ID != ironclad {
		t.Errorf("mode=text with -China: ids %v, want %s first", ids(r.Hits), ironclad)
	}
	rec = do(t, srv, http.MethodGet, "/api/search?q=x&mode=fancy")
	assertError(t, rec, http.StatusBadRequest, "mode", `unknown mode "fancy" (accepted: syntax, text)`)
}

func TestFacetsAndFiltersOverHTTP(t *testing.T) {
	srv := realServer(t)
	r := search(t, srv, "q=&size=1&facets=date,source")
	if len(r.Facets) != 3 || r.Facets[0].Interval != "month" || r.Facets[1].Interval != "year" || r.Facets[2].Field != "source" {
		t.Fatalf("facets %+v, want date months, date years, source", r.Facets)
	}
	sum := 0
	for _, b := range r.Facets[1].Buckets {
		sum += b.Count
	}
	if sum != int(r.Total)-1 { // one article has no date
		t.Errorf("year buckets add up to %d, want %d (every dated article)", sum, r.Total-1)
	}
	f := search(t, srv, "q=&filter=source:Facilities")
	if f.Total != 1 || f.Hits[0].Source != "Facilities" {
		t.Errorf("filter=source:Facilities: total %d, ids %v", f.Total, ids(f.Hits))
	}
	rec := do(t, srv, http.MethodGet, "/api/search?q=x&facets=body")
	assertError(t, rec, http.StatusBadRequest, "facets", `cannot facet on "body"`)

	// A chosen source keeps the other sources' counts (disjunctive facets).
	all := search(t, srv, "q=&size=1&facets=source&facet_size=200")
	chosen := search(t, srv, "q=&size=1&facets=source&facet_size=200&filter=source:Facilities")
	if chosen.Total != 1 || len(all.Facets[0].Buckets) < 2 {
		t.Fatalf("filter=source:Facilities: total %d; unfiltered sources %+v", chosen.Total, all.Facets)
	}
	if !reflect.DeepEqual(chosen.Facets, all.Facets) {
		t.Errorf("source facet with source:Facilities chosen %+v, want the unfiltered counts %+v", chosen.Facets, all.Facets)
	}
	one := search(t, srv, "q=&size=1&facets=source&facet_size=1")
	if len(one.Facets[0].Buckets) != 1 || one.Facets[0].Buckets[0] != all.Facets[0].Buckets[0] {
		t.Errorf("facet_size=1: %+v, want the most frequent source %+v", one.Facets[0].Buckets, all.Facets[0].Buckets[0])
	}
	for _, v := range []string{"0", "201", "-3", "ten", "99999999999999999999"} {
		rec := do(t, srv, http.MethodGet, "/api/search?q=&facets=source&facet_size="+v)
		want := "facet_size must be between 1 and 200"
		if v == "ten" {
			want = `facet_size must be an integer, got "ten"`
		} else if len(v) > 10 {
			want = "facet_size is out of range"
		}
		assertError(t, rec, http.StatusBadRequest, "facet_size", want)
	}
}

func TestExpensiveQueriesAre400(t *testing.T) {
	srv := realServer(t)
	for _, tt := range []struct{ q, want string }{
		{"*il", "starts with a pattern"},
		{"o*", `wildcard "o*" starts with a pattern`},
		{"/.*il/", "must start with at least 2 literal letters"},
		{strings.Repeat("word ", 65), "query has 65 clauses; the limit is 64"},
	} {
		rec := do(t, srv, http.MethodGet, "/api/search?"+url.Values{"q": {tt.q}}.Encode())
		assertError(t, rec, http.StatusBadRequest, "q", tt.want)
	}
}

func TestSuggestionOverHTTP(t *testing.T) {
	srv := realServer(t)
	r := search(t, srv, url.Values{"q": {"Cambodai"}}.Encode())
	// Cambodai is two edits from Cambodia (a transposition), so only a
	// typo match one edit away may be found; below 3 hits the answer offers
	// the correction.
	if r.Total >= 3 || r.Suggestion != "Cambodia" {
		t.Errorf("q=Cambodai: total %d, suggestion %q; want fewer than 3 and \"Cambodia\"", r.Total, r.Suggestion)
	}
}

func TestRelatedOverHTTP(t *testing.T) {
	srv := realServer(t)
	rec := do(t, srv, http.MethodGet, "/api/articles/"+ironclad+"/related?size=3")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	var rel searchJSON
	decodeJSON(t, rec, &rel)
	if len(rel.Hits) == 0 || len(rel.Hits) > 3 || slices.Contains(ids(rel.Hits), ironclad) {
		t.Errorf("related ids %v: want 1 to 3 articles other than %s", ids(rel.Hits), ironclad)
	}
	rec = do(t, srv, http.MethodGet, "/api/articles/no-such-article/related")
	if rec.Code != http.StatusNotFound {
		t.Errorf("unknown article: status %d, want 404", rec.Code)
	}
	rec = do(t, srv, http.MethodGet, "/api/articles/"+ironclad+"/related?size=x")
	assertError(t, rec, http.StatusBadRequest, "size", `size must be an integer, got "x"`)
}

// TestRelatedCannotHideAnArticle: an article whose id ends in /related is
// readable at /api/articles/{id}; /api/related/{id} lists the related
// articles of any id; the older {id}/related still lists them when no
// article has the whole id.
func TestRelatedCannotHideAnArticle(t *testing.T) {
	srv, _ := writableServer(t, Options{})
	for id, title := range map[string]string{"news": "Cambodia news", "news/related": "Related Cambodia news"} {
		if rec := send(t, srv, http.MethodPut, "/api/articles/"+id, adminKey, `{"title":"`+title+`","body":"Cambodia friendship treaty news."}`); rec.Code != http.StatusCreated {
			t.Fatalf("PUT %s: %d %s", id, rec.Code, rec.Body)
		}
	}
	rec := do(t, srv, http.MethodGet, "/api/articles/news/related")
	var a struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &a) != nil || a.ID != "news/related" || a.Title != "Related Cambodia news" {
		t.Fatalf("GET /api/articles/news/related: %d %s; want the article news/related", rec.Code, rec.Body)
	}
	for target, self := range map[string]string{
		"/api/related/news/related":              "news/related",
		"/api/related/news":                      "news",
		"/api/articles/" + ironclad + "/related": ironclad, // the older form, no article has that id
	} {
		rec := do(t, srv, http.MethodGet, target)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d %s", target, rec.Code, rec.Body)
			continue
		}
		var rel searchJSON
		decodeJSON(t, rec, &rel)
		if len(rel.Hits) == 0 || slices.Contains(ids(rel.Hits), self) {
			t.Errorf("GET %s: ids %v, want related articles other than %s", target, ids(rel.Hits), self)
		}
	}
	if rec := do(t, srv, http.MethodGet, "/api/related/no-such-article"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /api/related/no-such-article: %d, want 404", rec.Code)
	}
}
