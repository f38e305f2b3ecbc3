// Package web serves Folio's browser front end from the binary: the search
// page, the article page, their CSS and ES modules, the <folio-search>
// widget and the OpenSearch description. The pages talk to Folio only
// through its public HTTP API, so this package knows nothing of the index;
// server/routes.go says at which paths its handlers answer. It must not
// import index, bleve or the server package.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// staticFiles are the search page, the article page, their CSS and ES
// modules, and the widget's source (served assembled with render.js, see
// assembleWidget), all served from the binary.
//
//go:embed static
var staticFiles embed.FS

// asset is one embedded file, ready to serve: its gzipped form and ETag are
// computed once, by New.
type asset struct {
	body        []byte
	gz          []byte // nil when gzip does not make it smaller
	etag        string
	contentType string
}

// Options say where the front end is served and who may frame its pages.
type Options struct {
	// BasePath is the path prefix everything is served under: "" or a
	// prefix such as "/folio", without a trailing slash.
	BasePath string
	// FrameAncestors are the CSP frame-ancestors sources of the HTML pages;
	// none means 'self'.
	FrameAncestors []string
	// KeywordFields are the index's extra keyword fields, offered as facets
	// by the search page after source, tags and date.
	KeywordFields []string
	// MaxWindow is the largest page × size the API serves by page number
	// (search.max_window); the search page goes past it by cursor.
	MaxWindow int
}

// Site is the embedded front end, built for one Options: its assets are
// read, rendered and compressed once, by New. It is safe for concurrent use.
type Site struct {
	assets   map[string]*asset // by path below static/, e.g. "app.js"
	csp      string
	basePath string
}

// contentType is the Content-Type of an embedded file, by its extension.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return "application/octet-stream"
}

// newAsset is the file name with the body b as served: its ETag and gzipped
// form are of b, so they change whenever b does.
func newAsset(name string, b []byte) *asset {
	sum := sha256.Sum256(b)
	a := &asset{body: b, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`, contentType: contentType(name)}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if buf.Len() < len(b) {
		a.gz = buf.Bytes()
	}
	return a
}

// pageData is what the HTML pages are rendered with, once, by New: their
// links, their scripts and (through data-base on <html>)
// the scripts' API calls all start with Base; the search page reads its
// facet fields and page window from data-keyword-fields and data-max-window.
type pageData struct {
	Base          string // Options.BasePath: "" or a prefix such as "/folio"
	KeywordFields string // Options.KeywordFields, space-separated (data-keyword-fields on <html>)
	MaxWindow     int    // Options.MaxWindow (data-max-window on <html>)
}

// renderPage executes the HTML page src (an html/template, which escapes
// Base for each attribute) with d.
func renderPage(name string, src []byte, d pageData) ([]byte, error) {
	tmpl, err := template.New(name).Parse(string(src))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// New loads and compresses the embedded assets, renders the HTML pages for
// opts.BasePath and builds the Content-Security-Policy from
// opts.FrameAncestors. The assets are part of the binary, so an error (an
// asset that cannot be read or rendered) is a build error.
func New(opts Options) (*Site, error) {
	w := &Site{assets: map[string]*asset{}, basePath: opts.BasePath}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case path.Ext(p) == ".html":
			b, err = renderPage(p, b, pageData{Base: opts.BasePath, KeywordFields: strings.Join(opts.KeywordFields, " "), MaxWindow: opts.MaxWindow})
		case p == "static/widget.js":
			var render []byte
			if render, err = staticFiles.ReadFile("static/render.js"); err == nil {
				b, err = assembleWidget(b, render)
			}
		}
		if err != nil {
			return err
		}
		w.assets[strings.TrimPrefix(p, "static/")] = newAsset(p, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: read embedded assets: %w", err)
	}
	ancestors := "'self'"
	if len(opts.FrameAncestors) > 0 {
		ancestors = strings.Join(opts.FrameAncestors, " ")
	}
	w.csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors " + ancestors
	return w, nil
}

// Page serves GET /: the search page.
func (s *Site) Page(c echo.Context) error {
	return s.serveHTML(c, "index.html")
}

// ArticlePage serves GET /articles/*: the article page, which loads the
// article named by the rest of the path from the API.
func (s *Site) ArticlePage(c echo.Context) error {
	return s.serveHTML(c, "article.html")
}

// AnalyticsPage serves GET /admin/analytics: the search analytics page,
// which asks for the admin key and reads the reports from the API.
func (s *Site) AnalyticsPage(c echo.Context) error {
	return s.serveHTML(c, "analytics.html")
}

// Widget serves GET /widget.js: the <folio-search> custom element, loadable
// by pages of any origin (whether they may then search is up to
// server.cors.allowed_origins).
func (s *Site) Widget(c echo.Context) error {
	c.Response().Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	return s.serveAsset(c, "widget.js")
}

// Asset serves GET /static/*: the pages' CSS and ES modules, named by the
// rest of the path; anything else is 404.
func (s *Site) Asset(c echo.Context) error {
	name := c.Param("*")
	if name == "widget.js" || strings.HasSuffix(name, ".html") {
		return echo.ErrNotFound // served at their own paths, with their own headers
	}
	return s.serveAsset(c, name)
}

// serveHTML serves an embedded page with its security headers.
func (s *Site) serveHTML(c echo.Context, name string) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("Referrer-Policy", "same-origin")
	return s.serveAsset(c, name)
}

// serveAsset writes an embedded asset, gzipped when the client accepts it,
// or 304 when the client's copy is current.
func (s *Site) serveAsset(c echo.Context, name string) error {
	a, ok := s.assets[name]
	if !ok {
		return echo.ErrNotFound
	}
	r, h := c.Request(), c.Response().Header()
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	h.Set("Cache-Control", "no-cache") // revalidate with the ETag: a new binary may change any file
	h.Set("ETag", a.etag)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, a.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	if a.gz != nil && acceptsGzip(r.Header.Get(echo.HeaderAcceptEncoding)) {
		h.Set(echo.HeaderContentEncoding, "gzip")
		return c.Blob(http.StatusOK, a.contentType, a.gz)
	}
	return c.Blob(http.StatusOK, a.contentType, a.body)
}

// acceptsGzip reports whether an Accept-Encoding header value accepts gzip.
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			return strings.ReplaceAll(params, " ", "") != "q=0"
		}
	}
	return false
}

// OpenSearch serves GET /opensearch.xml: the OpenSearch description that
// lets browsers add Folio as a search engine, with this server's own address
// (as the request reached it) and base path in its URL templates.
func (s *Site) OpenSearch(c echo.Context) error {
	var base bytes.Buffer
	xml.EscapeText(&base, []byte(c.Scheme()+"://"+c.Request().Host+s.basePath))
	b := base.String()
	body := `<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>Folio</ShortName>
  <Description>Search the articles of Folio</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Url type="text/html" method="get" template="` + b + `/?q={searchTerms}"/>
  <Url type="application/x-suggestions+json" method="get" template="` + b + `/api/suggest?q={searchTerms}"/>
  <Url type="application/opensearchdescription+xml" rel="self" template="` + b + `/opensearch.xml"/>
</OpenSearchDescription>
`
	c.Response().Header().Set(echo.HeaderXContentTypeOptions, "nosniff")
	return c.Blob(http.StatusOK, "application/opensearchdescription+xml; charset=utf-8", []byte(body))
}
