package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// serve answers GET path from site through an echo instance with the routes
// server/routes.go gives these handlers.
func serve(t *testing.T, site *Site, target string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	e := echo.New()
	e.GET("/widget.js", site.Widget)
	e.GET("/static/*", site.Asset)
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d", target, rec.Code)
	}
	return rec
}

func newSite(t *testing.T) *Site {
	t.Helper()
	site, err := New(Options{BasePath: "/folio"})
	if err != nil {
		t.Fatal(err)
	}
	return site
}

// TestWidgetHasTheOneRenderer: the served widget.js is the widget source
// with the served render.js inlined once, as a classic script, in place of
// the marker; and its ETag and gzipped form are of that assembled file.
func TestWidgetHasTheOneRenderer(t *testing.T) {
	site := newSite(t)
	widget := serve(t, site, "/widget.js", nil)
	render := serve(t, site, "/static/render.js", nil).Body.Bytes()
	script, err := classicScript("render.js", render)
	if err != nil {
		t.Fatal(err)
	}
	got := widget.Body.String()
	if n := strings.Count(got, string(script)); n != 1 {
		t.Fatalf("widget.js holds render.js %d times, want 1", n)
	}
	for _, name := range declarations(t, render) {
		if n := len(regexp.MustCompile(`\b(function|const|let|var|class)\s+`+name+`\b`).FindAllString(got, -1)); n != 1 {
			t.Errorf("widget.js declares %s %d times, want 1 (render.js's)", name, n)
		}
	}
	if strings.Contains(got, renderMarker) || regexp.MustCompile(`(?m)^\s*(import|export)\b`).MatchString(got) {
		t.Errorf("widget.js keeps the marker or an import/export: it is not a classic script")
	}
	if !strings.HasPrefix(got, "/*\n * <folio-search>") || !strings.HasSuffix(got, "customElements.define('folio-search', FolioSearch);\n})();\n") {
		t.Errorf("widget.js does not start with its header comment and end with its IIFE")
	}

	src, err := staticFiles.ReadFile("static/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	if etag := widget.Header().Get("ETag"); etag == "" || etag == newAsset("widget.js", src).etag || etag != newAsset("widget.js", widget.Body.Bytes()).etag {
		t.Errorf("widget.js ETag %q is not the ETag of the assembled file", etag)
	}
	gz := serve(t, site, "/widget.js", map[string]string{"Accept-Encoding": "gzip"})
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatalf("widget.js gzipped: %v", err)
	}
	if b, _ := io.ReadAll(zr); !bytes.Equal(b, widget.Body.Bytes()) {
		t.Errorf("the gzipped widget.js is not the assembled one")
	}
}

// declarations are the names of render.js's top-level declarations.
func declarations(t *testing.T, render []byte) []string {
	t.Helper()
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^(?:export )?(?:async )?(?:function|const|let|class) (\w+)`).FindAllSubmatch(render, -1) {
		names = append(names, string(m[1]))
	}
	for _, want := range []string{"decodeEntities", "appendMarked", "safeHref", "el"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+want+" ") {
			t.Fatalf("render.js does not declare %s (it declares %q)", want, names)
		}
	}
	return names
}

// TestWebSourcesHaveOneRenderer: no script source but render.js declares any of
// render.js's names, so the pages and the widget cannot drift apart again;
// the widget source names the place of render.js once.
func TestWebSourcesHaveOneRenderer(t *testing.T) {
	render, err := staticFiles.ReadFile("static/render.js")
	if err != nil {
		t.Fatal(err)
	}
	names := declarations(t, render)
	decl := regexp.MustCompile(`\b(?:function|const|let|var|class)\s+(` + strings.Join(names, "|") + `)\b`)
	err = fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".js" || p == "static/render.js" {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		for _, m := range decl.FindAllSubmatch(b, -1) {
			t.Errorf("%s declares its own %s: use the one of render.js", p, m[1])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	widget, err := staticFiles.ReadFile("static/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(markerLines(widget)); n != 1 {
		t.Errorf("static/widget.js has %d marker lines %q, want 1", n, renderMarker)
	}
}

func TestAssembleWidgetErrors(t *testing.T) {
	const fn = "export function f() {}\n"
	for _, tt := range []struct {
		name, widget, render, want string
	}{
		{"no marker", "(() => {\n})();\n", fn, `static/widget.js: want 1 line "/* render.js */" where static/render.js goes, found 0`},
		{"two markers", "(() => {\n/* render.js */\n/* render.js */\n})();\n", fn, "found 2"},
		{"import", "(() => {\n/* render.js */\n})();\n", fn + "import { x } from './x.js';\n", `static/render.js:2: only top-level "export function"`},
		{"export list", "(() => {\n/* render.js */\n})();\n", fn + "\nexport { f as g };\n", "static/render.js:3:"},
		{"export default", "(() => {\n/* render.js */\n})();\n", "export default function f() {}\n", "static/render.js:1: only top-level"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := assembleWidget([]byte(tt.widget), []byte(tt.render))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	got, err := assembleWidget([]byte("(() => {\n/* render.js */\n  g();\n})();\n"), []byte("// f.\nexport function f() {}\nexport const g = () => f();\nexport async function h() {}\n"))
	want := "(() => {\n// f.\nfunction f() {}\nconst g = () => f();\nasync function h() {}\n  g();\n})();\n"
	if err != nil || string(got) != want {
		t.Errorf("assembled %q, %v; want %q", got, err, want)
	}
}
