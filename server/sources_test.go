package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

// TestAdminSources: GET /api/admin/sources lists the index's inputs in
// order — a folder and a sitemap URL whose second page is missing — with
// their last sync, counts and last error, never the source's header; an
// input not synced yet has a null last_sync; /metrics counts the URL's
// problem in folio_source_errors_total.
func TestAdminSources(t *testing.T) {
	const secret = "Bearer very-secret-intranet-token"
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sitemap.xml":
			fmt.Fprintf(w, `<urlset><url><loc>http://%s/ok</loc></url><url><loc>http://%[1]s/missing</loc></url></urlset>`, r.Host)
		case "/ok":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><head><title>Canteen reopens</title></head><body><article><p>The canteen reopens on Monday with a new menu for every team.</p></article></body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer site.Close()
	sitemap := site.URL + "/sitemap.xml"
	dir := filepath.Join(t.TempDir(), "idx")
	opts := index.DefaultOptions(dir)
	opts.Web.Sources = map[string]index.URLSource{sitemap: {Headers: map[string]string{"Authorization": secret}}}
	ix, err := index.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	articles, err := filepath.Abs(articlesDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), []string{articles, sitemap}, index.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(articles)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(ix, Options{AdminKeys: []string{adminKey}, Sources: []string{"/not/used"}}, nil)

	rec := send(t, srv, http.MethodGet, "/api/admin/sources", adminKey, "")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "very-secret") {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	var got api.SourcesResponse
	decodeJSON(t, rec, &got)
	missing := site.URL + "/missing"
	want := api.SourcesResponse{Sources: []api.SourceStatus{
		{Source: articles, Kind: "files", Articles: len(entries), Files: len(entries), ErrorsTotal: map[string]int{}},
		{Source: sitemap, Kind: "url", Articles: 1, Fetched: 2, Errors: 1, ErrorsTotal: map[string]int{"not found": 1},
			LastError: missing + ": HTTP 404 Not Found (a page that exists; its articles are deleted)"},
	}}
	ignore := cmpopts.IgnoreFields(api.SourceStatus{}, "LastSync", "LastErrorAt", "TookMS")
	if diff := cmp.Diff(want, got, ignore); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	for _, s := range got.Sources {
		if s.LastSync == nil || (s.Errors > 0) != (s.LastErrorAt != nil) {
			t.Errorf("%s: last_sync %v, last_error_at %v", s.Source, s.LastSync, s.LastErrorAt)
		}
	}

	// An input not synced yet: the fallback of an index that records none.
	fresh, err := index.Create(index.DefaultOptions(filepath.Join(t.TempDir(), "fresh")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fresh.Close() })
	rec = send(t, New(fresh, Options{AdminKeys: []string{adminKey}, Sources: []string{sitemap}}, nil), http.MethodGet, "/api/admin/sources", adminKey, "")
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, `"last_sync":null`) || !strings.Contains(body, `"kind":"url"`) {
		t.Errorf("unsynced source: status %d, body %s", rec.Code, body)
	}

	// A sync over the API counts the URL source's documents: the sitemap
	// and the page are fetched again (no validators), the missing page is
	// reported again and nothing changes.
	rec = send(t, srv, http.MethodPost, "/api/admin/sync", adminKey, "")
	var synced api.RebuildResponse
	decodeJSON(t, rec, &synced)
	if rec.Code != http.StatusOK || synced.Fetched != 2 || synced.NotModified != 0 || synced.Skipped != 1 || synced.Indexed != 0 {
		t.Errorf("sync: status %d, %+v", rec.Code, synced)
	}

	metrics := do(t, srv, http.MethodGet, "/metrics").Body.String()
	if line := fmt.Sprintf("folio_source_errors_total{reason=\"not found\",source=%q} 2\n", sitemap); !strings.Contains(metrics, line) {
		t.Errorf("/metrics lacks %q", line)
	}
}
