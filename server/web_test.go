package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPagesHaveSecurityHeaders(t *testing.T) {
	srv := realServer(t)
	opts := DefaultOptions()
	opts.FrameAncestors = []string{"'self'", "https://portal.example"}
	framed := New(testIndex(t), opts, nil)
	inlineScript := regexp.MustCompile(`<script(?:\s[^>]*)?>`)

	for _, tt := range []struct {
		srv       http.Handler
		path      string
		ancestors string
	}{
		{srv, "/", "frame-ancestors 'self'"},
		{srv, "/?q=cambodia&from=2024-01-01", "frame-ancestors 'self'"},
		{srv, "/articles/ironclad-friendship-cambodia?q=cambodia", "frame-ancestors 'self'"},
		{framed, "/", "frame-ancestors 'self' https://portal.example"},
	} {
		rec := do(t, tt.srv, http.MethodGet, tt.path)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: status %d, Content-Type %q", tt.path, rec.Code, rec.Header().Get("Content-Type"))
		}
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "default-src 'none'", "base-uri 'none'", tt.ancestors} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", tt.path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("GET %s: CSP allows inline code: %q", tt.path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("GET %s: X-Content-Type-Options %q, Referrer-Policy %q", tt.path, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
		body := rec.Body.String()
		for _, tag := range inlineScript.FindAllString(body, -1) {
			if !strings.Contains(tag, ` src="/static/`) {
				t.Errorf("GET %s: script tag without a same-origin src: %s", tt.path, tag)
			}
		}
		if strings.Contains(body, "style=") || strings.Contains(body, "<style") || regexp.MustCompile(`(?i)\son[a-z]+=`).MatchString(body) {
			t.Errorf("GET %s: inline style or event handler attribute in the page", tt.path)
		}
		if !strings.Contains(body, `<link rel="search" type="application/opensearchdescription+xml" title="Folio" href="/opensearch.xml">`) {
			t.Errorf("GET %s: no OpenSearch <link rel=\"search\">", tt.path)
		}
		if regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(body) {
			t.Errorf("GET %s: the page loads something from another host", tt.path)
		}
	}
}

func TestAssets(t *testing.T) {
	srv := realServer(t)
	for _, tt := range []struct{ path, contentType, contains string }{
		{"/static/app.js", "text/javascript; charset=utf-8", "function readState"},
		{"/static/render.js", "text/javascript; charset=utf-8", "export function appendMarked"},
		{"/static/page.js", "text/javascript; charset=utf-8", "export async function api"},
		{"/static/article.js", "text/javascript; charset=utf-8", "/api/articles/"},
		{"/static/style.css", "text/css; charset=utf-8", "prefers-color-scheme: dark"},
		{"/widget.js", "text/javascript; charset=utf-8", "customElements.define('folio-search'"},
	} {
		rec := do(t, srv, http.MethodGet, tt.path)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != tt.contentType || !strings.Contains(rec.Body.String(), tt.contains) {
			t.Errorf("GET %s: status %d, Content-Type %q, contains %q: %v", tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.contains, strings.Contains(rec.Body.String(), tt.contains))
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("ETag") == "" {
			t.Errorf("GET %s: nosniff %q, ETag %q", tt.path, rec.Header().Get("X-Content-Type-Options"), rec.Header().Get("ETag"))
		}
		plain := rec.Body.Bytes()

		gz := request(t, srv, http.MethodGet, tt.path, map[string]string{"Accept-Encoding": "br, gzip"})
		if gz.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s with Accept-Encoding gzip: Content-Encoding %q", tt.path, gz.Header().Get("Content-Encoding"))
		} else if zr, err := gzip.NewReader(gz.Body); err != nil {
			t.Errorf("GET %s: bad gzip: %v", tt.path, err)
		} else if b, _ := io.ReadAll(zr); !bytes.Equal(b, plain) {
			t.Errorf("GET %s: gzipped body differs from the plain one", tt.path)
		}

		again := request(t, srv, http.MethodGet, tt.path, map[string]string{"If-None-Match": rec.Header().Get("ETag")})
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("GET %s with If-None-Match: status %d, %d bytes; want 304, empty", tt.path, again.Code, again.Body.Len())
		}
	}
	if rec := do(t, srv, http.MethodGet, "/widget.js"); rec.Header().Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Errorf("widget.js: Cross-Origin-Resource-Policy %q, want cross-origin", rec.Header().Get("Cross-Origin-Resource-Policy"))
	}
	for _, p := range []string{"/static/nope.js", "/static/index.html", "/static/../server.go"} {
		if rec := do(t, srv, http.MethodGet, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, rec.Code)
		}
	}
}

func TestOpenSearch(t *testing.T) {
	srv := realServer(t)
	rec := do(t, srv, http.MethodGet, "http://folio.example:8080/opensearch.xml")
	body := rec.Body.String()
	if !strings.Contains(body, `template="http://folio.example:8080/?q={searchTerms}"`) ||
		!strings.Contains(body, `type="application/x-suggestions+json" method="get" template="http://folio.example:8080/api/suggest?q={searchTerms}"`) {
		t.Errorf("opensearch.xml lacks the search or suggestion templates:\n%s", body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/opensearchdescription+xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	req := httptest.NewRequest(http.MethodGet, "/opensearch.xml", nil)
	req.Host = `x"/><script>`
	evil := httptest.NewRecorder()
	srv.ServeHTTP(evil, req)
	if strings.Contains(evil.Body.String(), "<script>") || !strings.Contains(evil.Body.String(), "x&#34;/&gt;&lt;script&gt;") {
		t.Errorf("the Host header is not escaped in opensearch.xml:\n%s", evil.Body)
	}
}

func TestSuggestEndpoint(t *testing.T) {
	srv := realServer(t)
	rec := do(t, srv, http.MethodGet, "/api/suggest?q=ironclad+friend")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/x-suggestions+json; charset=utf-8" {
		t.Fatalf("status %d, Content-Type %q, body %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var got []any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []any{"ironclad friend", []any{"Ironclad friendship with Cambodia hailed"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suggestions (-want +got):\n%s", diff)
	}
	if rec := do(t, srv, http.MethodGet, "/api/suggest?q=ch&size=3"); !strings.HasPrefix(rec.Body.String(), `["ch",[`) || strings.Count(rec.Body.String(), `",`) < 3 {
		t.Errorf("size=3: %s", rec.Body)
	}
	for _, bad := range []string{"size=0", "size=11", "size=x", "q=" + strings.Repeat("a", 101)} {
		rec := do(t, srv, http.MethodGet, "/api/suggest?"+bad)
		var e errorJSON
		decodeJSON(t, rec, &e)
		if rec.Code != http.StatusBadRequest || e.Error.Param == "" {
			t.Errorf("/api/suggest?%.20s: status %d, error %+v; want 400 naming the parameter", bad, rec.Code, e.Error)
		}
	}
}

func TestArticleMarked(t *testing.T) {
	srv := realServer(t)
	type marked struct {
		articleJSON
		Marked *struct {
			Title string `json:"title"`
			Body  string `json:"body"`
		} `json:"marked"`
	}
	var m marked
	decodeJSON(t, do(t, srv, http.MethodGet, "/api/articles/ironclad-friendship-cambodia?q=cambodia"), &m)
	if m.Marked == nil || m.Marked.Title != "Ironclad friendship with <mark>Cambodia</mark> hailed" || !strings.Contains(m.Marked.Body, "between China and <mark>Cambodia</mark>") {
		t.Fatalf("marked = %+v", m.Marked)
	}
	if m.Title != "Ironclad friendship with Cambodia hailed" {
		t.Errorf("title = %q, want the plain title", m.Title)
	}
	m = marked{}
	decodeJSON(t, do(t, srv, http.MethodGet, "/api/articles/security-advisory-script-tags?q=script+bold"), &m)
	if m.Marked == nil || strings.Contains(m.Marked.Title, "<script>") || !strings.Contains(m.Marked.Title, "&lt;<mark>script</mark>&gt;") {
		t.Errorf("hostile title not escaped around the marks: %+v", m.Marked)
	}
	// The body was HTML: its text, with & escaped and no element but <mark>.
	if m.Marked == nil || !strings.Contains(m.Marked.Body, "such as <mark>bold</mark> &amp; entities like &amp; before") ||
		strings.Count(m.Marked.Body, "<") != strings.Count(m.Marked.Body, "<mark>")+strings.Count(m.Marked.Body, "</mark>") {
		t.Errorf("hostile body not escaped text plus marks: %+v", m.Marked)
	}
	rec := do(t, srv, http.MethodGet, "/api/articles/ironclad-friendship-cambodia?q=nosuchfield:x")
	if rec.Code != http.StatusBadRequest {
		t.Errorf("bad q: status %d, want 400", rec.Code)
	}
	if rec := do(t, srv, http.MethodGet, "/api/articles/ironclad-friendship-cambodia"); strings.Contains(rec.Body.String(), `"marked"`) {
		t.Errorf("marked without q: %s", rec.Body)
	}
}

// TestPagesUnderBasePath: with server.base_path set, every path the HTML
// pages link or load (style, scripts, OpenSearch, home link, form action)
// is below the prefix and answers, the pages tell their scripts the prefix,
// and opensearch.xml's search, suggestions and self URLs carry it.
func TestPagesUnderBasePath(t *testing.T) {
	opts := DefaultOptions()
	opts.BasePath = "/folio"
	srv := New(testIndex(t), opts, nil)
	attr := regexp.MustCompile(`\s(?:src|href|action)="([^"]*)"`)
	for _, page := range []string{"/folio/", "/folio", "/folio/?q=cambodia", "/folio/articles/ironclad-friendship-cambodia?q=cambodia"} {
		rec := do(t, srv, http.MethodGet, page)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d", page, rec.Code)
		}
		body := rec.Body.String()
		if !strings.Contains(body, `<html lang="en" data-base="/folio"`) {
			t.Errorf("GET %s: the page does not give its scripts the base path (data-base)", page)
		}
		var paths []string
		for _, m := range attr.FindAllStringSubmatch(body, -1) {
			if m[1] == "data:," || strings.HasPrefix(m[1], "#") {
				continue
			}
			paths = append(paths, m[1])
			if !strings.HasPrefix(m[1], "/folio/") {
				t.Errorf("GET %s: %q is not below the base path", page, m[0])
				continue
			}
			if p := m[1]; p != "/folio/" {
				if rec := do(t, srv, http.MethodGet, p); rec.Code != http.StatusOK {
					t.Errorf("GET %s links %s, which answers %d", page, p, rec.Code)
				}
			}
		}
		if len(paths) < 4 {
			t.Errorf("GET %s: links %q; want the style, OpenSearch, script and home links", page, paths)
		}
	}
	if rec := do(t, srv, http.MethodGet, "/folio/widget.js"); rec.Code != http.StatusOK {
		t.Errorf("GET /folio/widget.js: status %d", rec.Code)
	}

	body := do(t, srv, http.MethodGet, "http://folio.example/folio/opensearch.xml").Body.String()
	for _, want := range []string{
		`type="text/html" method="get" template="http://folio.example/folio/?q={searchTerms}"`,
		`type="application/x-suggestions+json" method="get" template="http://folio.example/folio/api/suggest?q={searchTerms}"`,
		`rel="self" template="http://folio.example/folio/opensearch.xml"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("opensearch.xml lacks %s:\n%s", want, body)
		}
	}
	if rec := do(t, srv, http.MethodGet, "/folio/api/suggest?q=ironclad"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Ironclad friendship") {
		t.Errorf("the suggestions URL under the base path: status %d, %s", rec.Code, rec.Body)
	}
}
