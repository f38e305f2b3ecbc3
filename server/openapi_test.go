package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
)

// openAPIDoc loads and validates the document a server serves at /openapi.json.
func openAPIDoc(t *testing.T, srv http.Handler) *openapi3.T {
	t.Helper()
	rec := do(t, srv, http.MethodGet, "/openapi.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d %s", rec.Code, rec.Body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	return doc
}

// openAPIKey is the admin key of the write servers of TestOpenAPI.
const openAPIKey = "openapi-admin-key-0123"

// openAPISources are the few files the write servers of TestOpenAPI index.
var openAPISources = []string{
	filepath.Join(articlesDir, "ironclad-friendship-cambodia.txt"),
	filepath.Join(articlesDir, "handbook-travel.txt"),
	filepath.Join(articlesDir, "reuters-10113.txt"),
}

// openAPIIndex creates a throwaway index in a temporary directory from
// openAPISources (through Sync, so that it has a sync state), reopened with
// minFree as index.Options.MinFreeBytes when that is not 0. It returns the
// index and its directory.
func openAPIIndex(t *testing.T, minFree int64) (*index.Index, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "idx")
	ix, err := index.Create(index.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), openAPISources, index.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	if minFree != 0 {
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
		o := index.DefaultOptions(dir)
		o.MinFreeBytes = minFree
		if ix, err = index.Open(o); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { ix.Close() })
	return ix, dir
}

// statusCorrupted is an index synced from openAPISources whose file of
// source statuses was then damaged.
func statusCorrupted(t *testing.T) *index.Index {
	t.Helper()
	ix, dir := openAPIIndex(t, 0)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "sources-status.json"))
	if len(files) != 1 {
		t.Fatalf("status files in %s: %v", dir, files)
	}
	if err := os.WriteFile(files[0], []byte("[{corrupt"), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(index.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// openAPIFaulty is an index whose related articles, suggestions and marked
// articles fail with a server fault.
type openAPIFaulty struct{ *fakeIndex }

func (openAPIFaulty) Related(context.Context, string, index.Query) (*index.Result, error) {
	return nil, errors.New("disk on fire")
}

func (openAPIFaulty) Suggest(context.Context, string, int, index.Visibility) ([]string, error) {
	return nil, errors.New("disk on fire")
}

func (openAPIFaulty) MarkedArticle(context.Context, string, string, index.Visibility) (*index.MarkedArticle, error) {
	return nil, errors.New("disk on fire")
}

// failingBackup is a writable index whose backups fail with a server fault.
type failingBackup struct{ *index.Index }

func (failingBackup) Backup(string) error { return errors.New("disk on fire") }

// ndjsonDecoder decodes an NDJSON response body for openapi3filter: every
// line must match schema (the schema of one line); it returns the first line.
func ndjsonDecoder(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	var first any
	sc := bufio.NewScanner(body)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var v any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("NDJSON line %d: %w", n, err)
		}
		if err := schema.Value.VisitJSON(v); err != nil {
			return nil, fmt.Errorf("NDJSON line %d: %w", n, err)
		}
		if n == 1 {
			first = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("empty NDJSON body")
	}
	return first, nil
}

// registerBodyDecoders teaches openapi3filter the media types the server
// sends beyond JSON and plain text, for the duration of t.
func registerBodyDecoders(t *testing.T) {
	decoders := map[string]openapi3filter.BodyDecoder{
		"application/x-suggestions+json":        openapi3filter.JSONBodyDecoder,
		"application/x-ndjson":                  ndjsonDecoder,
		"text/html":                             openapi3filter.FileBodyDecoder,
		"text/csv":                              openapi3filter.FileBodyDecoder,
		"text/javascript":                       openapi3filter.FileBodyDecoder,
		"text/css":                              openapi3filter.FileBodyDecoder,
		"image/svg+xml":                         openapi3filter.FileBodyDecoder,
		"application/opensearchdescription+xml": openapi3filter.FileBodyDecoder,
	}
	for ct, d := range decoders {
		if openapi3filter.RegisteredBodyDecoder(ct) != nil {
			continue
		}
		openapi3filter.RegisterBodyDecoder(ct, d)
		t.Cleanup(func() { openapi3filter.UnregisterBodyDecoder(ct) })
	}
}

// TestOpenAPI sends requests that produce every documented route and status
// through real servers and validates each response (status, headers, body)
// against the document, so that the document cannot drift from the code.
func TestOpenAPI(t *testing.T) {
	registerBodyDecoders(t)
	real := realServer(t)
	doc := openAPIDoc(t, real)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}

	timeout := New(&fakeIndex{search: func(context.Context, index.Query) (*index.Result, error) {
		return nil, fmt.Errorf("%w after 5s", index.ErrTimeout)
	}}, DefaultOptions(), nil)
	broken := New(&fakeIndex{
		search:  func(context.Context, index.Query) (*index.Result, error) { return nil, fmt.Errorf("disk on fire") },
		article: func(context.Context, string) (*article.Article, error) { return nil, fmt.Errorf("disk on fire") },
		count:   func() (uint64, error) { return 0, fmt.Errorf("disk on fire") },
	}, DefaultOptions(), nil)
	faulty := New(openAPIFaulty{&fakeIndex{article: func(_ context.Context, id string) (*article.Article, error) {
		if strings.HasSuffix(id, "/related") { // so that .../related lists related articles
			return nil, index.ErrNotFound
		}
		return &article.Article{ID: id, Title: "t"}, nil
	}}}, DefaultOptions(), nil)
	notReady := New(nil, DefaultOptions(), nil)
	noIndex := New(&fakeIndex{count: func() (uint64, error) { return 0, fmt.Errorf("%w at /x", index.ErrNoIndex) }}, DefaultOptions(), nil)
	noSuggest := New(&fakeIndex{}, DefaultOptions(), nil) // cannot suggest
	separate := DefaultOptions()
	separate.MetricsElsewhere = true
	metricsElsewhere := New(testIndex(t), separate, nil)
	limited := DefaultOptions()
	limited.RateLimit, limited.RateBurst = 0.001, 1
	rateLimited := New(testIndex(t), limited, nil)
	small := DefaultOptions()
	small.MaxBodyBytes = 10
	smallBodies := New(testIndex(t), small, nil)
	keyedOpts := DefaultOptions()
	keyedOpts.SearchKeys = []SearchKey{{Key: "open-search-key-0123"}, {Key: "bound-search-key-0123", Origins: []string{"https://intranet.example"}}}
	keyed := New(testIndex(t), keyedOpts, nil)

	// Write servers, over throwaway indexes so that the shared one stays as it is.
	admin := func(ix Index, sources ...string) *Server {
		return New(ix, Options{AdminKeys: []string{"another-admin-key-0123", openAPIKey}, Sources: sources}, nil)
	}
	wix, _ := openAPIIndex(t, 0)
	writable := admin(wix, openAPISources...)
	// An index built by Ingest records no inputs: index.sources are used.
	iix, err := index.Create(index.DefaultOptions(filepath.Join(t.TempDir(), "ingested")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { iix.Close() })
	if _, err := iix.Ingest(context.Background(), openAPISources, index.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	noSources := admin(iix)
	badSources := admin(iix, "/nonexistent/folder")
	lossy := admin(iix, openAPISources[0]) // 1 of the 3 articles
	cix, cdir := openAPIIndex(t, 0)
	states, _ := filepath.Glob(filepath.Join(cdir, "*", "sources.json"))
	if len(states) != 1 {
		t.Fatalf("sync states in %s: %v", cdir, states)
	}
	if err := os.WriteFile(states[0], []byte("{corrupt"), 0o644); err != nil {
		t.Fatal(err)
	}
	corruptSync := admin(cix, openAPISources...)
	corruptStatus := admin(statusCorrupted(t), openAPISources...)
	fix, _ := openAPIIndex(t, 1<<62)
	fullDisk := admin(fix)
	readOnly := admin(&fakeIndex{}) // not a Writer
	adminNotReady := admin(nil)
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	busyDest := t.TempDir() // what another backup's claim looks like while it copies
	if err := os.WriteFile(filepath.Join(busyDest, "folio-backup.incomplete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}

	// A server that records its searches, with some recorded.
	recorded, _, _, _ := analyticsServer(t)
	scriptedAnalytics(t, recorded)

	// The values of earlier responses that requests send back.
	var page1 searchJSON
	decodeJSON(t, do(t, real, http.MethodGet, "/api/search?q=oil&size=2"), &page1)
	if page1.Cursor == "" {
		t.Fatal("q=oil&size=2 returned no cursor")
	}
	etag := func(target string) string {
		rec := do(t, real, http.MethodGet, target)
		if rec.Header().Get("ETag") == "" {
			t.Fatalf("GET %s: no ETag; status %d", target, rec.Code)
		}
		return rec.Header().Get("ETag")
	}

	type tc struct {
		name   string
		srv    http.Handler
		method string
		target string
		body   string
		status int
		header map[string]string
	}
	bearer := func(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }
	auth := bearer(openAPIKey)
	tests := []tc{
		{"search", real, "GET", "/api/search?q=oil&size=3", "", 200, nil},
		{"browse", real, "GET", "/api/search", "", 200, nil},
		{"search text mode by date", real, "GET", "/api/search?q=Cambodia+-China&mode=text&sort=-date", "", 200, nil},
		{"search facets and filters", real, "GET", "/api/search?q=&size=1&facets=date,source&facets=tags&filter=source:Facilities", "", 200, nil},
		{"search cursor", real, "GET", "/api/search?q=oil&size=2&cursor=" + page1.Cursor, "", 200, nil},
		{"search suggestion", real, "GET", "/api/search?q=Cambodai", "", 200, nil},
		{"search with key", keyed, "GET", "/api/search?q=oil", "", 200, bearer("open-search-key-0123")},
		{"bad query", real, "GET", "/api/search?q=%22unclosed", "", 400, nil},
		{"unknown parameter", real, "GET", "/api/search?q=oil&colour=red", "", 400, nil},
		{"bad size", real, "GET", "/api/search?size=-1", "", 400, nil},
		{"bad facet", real, "GET", "/api/search?q=x&facets=body", "", 400, nil},
		{"search facet size", real, "GET", "/api/search?q=&size=1&facets=tags&facet_size=2", "", 200, nil},
		{"bad facet size", real, "GET", "/api/search?q=&facets=tags&facet_size=201", "", 400, nil},
		{"bad cursor", real, "GET", "/api/search?q=x&cursor=nope", "", 400, nil},
		{"search without key", keyed, "GET", "/api/search?q=x", "", 401, nil},
		{"search key from elsewhere", keyed, "GET", "/api/search?q=x", "", 403, map[string]string{"Authorization": "Bearer bound-search-key-0123", "Origin": "https://evil.example"}},
		{"search timeout", timeout, "GET", "/api/search?q=x", "", 504, nil},
		{"search internal", broken, "GET", "/api/search?q=x", "", 500, nil},
		{"search not ready", notReady, "GET", "/api/search?q=x", "", 503, nil},
		{"body too large", smallBodies, "GET", "/api/search?q=x", strings.Repeat("x", 100), 413, nil},

		{"article", real, "GET", "/api/articles/ironclad-friendship-cambodia", "", 200, nil},
		{"article marked", real, "GET", "/api/articles/ironclad-friendship-cambodia?q=Cambodia", "", 200, nil},
		{"article marked bad query", real, "GET", "/api/articles/ironclad-friendship-cambodia?q=%22unclosed", "", 400, nil},
		{"article without key", keyed, "GET", "/api/articles/ironclad-friendship-cambodia", "", 401, bearer("wrong-key")},
		{"article key from elsewhere", keyed, "GET", "/api/articles/ironclad-friendship-cambodia", "", 403, bearer("bound-search-key-0123")},
		{"article missing", real, "GET", "/api/articles/nope", "", 404, nil},
		{"article not ready", notReady, "GET", "/api/articles/x", "", 503, nil},
		{"article internal", broken, "GET", "/api/articles/x", "", 500, nil},

		{"related", real, "GET", "/api/articles/ironclad-friendship-cambodia/related?size=3&from=2000-01-01", "", 200, nil},
		{"related bad size", real, "GET", "/api/articles/ironclad-friendship-cambodia/related?size=x", "", 400, nil},
		{"related without key", keyed, "GET", "/api/articles/ironclad-friendship-cambodia/related", "", 401, nil},
		{"related key from elsewhere", keyed, "GET", "/api/articles/ironclad-friendship-cambodia/related", "", 403, bearer("bound-search-key-0123")},
		{"related missing", real, "GET", "/api/articles/no-such-article/related", "", 404, nil},
		{"related internal", faulty, "GET", "/api/articles/x/related", "", 500, nil},
		{"related not ready", notReady, "GET", "/api/articles/x/related", "", 503, nil},
		{"related by path", real, "GET", "/api/related/ironclad-friendship-cambodia?size=3&from=2000-01-01", "", 200, nil},
		{"related by path bad size", real, "GET", "/api/related/ironclad-friendship-cambodia?size=x", "", 400, nil},
		{"related by path without key", keyed, "GET", "/api/related/ironclad-friendship-cambodia", "", 401, nil},
		{"related by path key from elsewhere", keyed, "GET", "/api/related/ironclad-friendship-cambodia", "", 403, bearer("bound-search-key-0123")},
		{"related by path missing", real, "GET", "/api/related/no-such-article", "", 404, nil},
		{"related by path internal", faulty, "GET", "/api/related/x", "", 500, nil},
		{"related by path not ready", notReady, "GET", "/api/related/x", "", 503, nil},

		{"suggest", real, "GET", "/api/suggest?q=Camb", "", 200, nil},
		{"suggest bad size", real, "GET", "/api/suggest?q=Camb&size=99", "", 400, nil},
		{"suggest without key", keyed, "GET", "/api/suggest?q=Camb", "", 401, nil},
		{"suggest key from elsewhere", keyed, "GET", "/api/suggest?q=Camb", "", 403, map[string]string{"Authorization": "Bearer bound-search-key-0123", "Origin": "https://evil.example"}},
		{"suggest unsupported", noSuggest, "GET", "/api/suggest?q=Camb", "", 404, nil},
		{"suggest internal", faulty, "GET", "/api/suggest?q=Camb", "", 500, nil},
		{"suggest not ready", notReady, "GET", "/api/suggest?q=Camb", "", 503, nil},
		{"event", real, "POST", "/api/events", `{"query_id":"00000000000000000000000000000000","id":"x","position":1}`, 204, nil},
		{"analytics queries", recorded, "GET", "/api/admin/analytics/queries", "", 200, bearer(adminKey)},
		{"analytics queries as CSV", recorded, "GET", "/api/admin/analytics/queries?from=2024-12-04", "", 200, map[string]string{"Authorization": "Bearer " + adminKey, "Accept": "text/csv"}},
		{"analytics queries bad parameter", recorded, "GET", "/api/admin/analytics/queries?from=someday", "", 400, bearer(adminKey)},
		{"analytics queries without key", recorded, "GET", "/api/admin/analytics/queries", "", 401, nil},
		{"analytics queries without admin keys", real, "GET", "/api/admin/analytics/queries", "", 403, bearer(adminKey)},
		{"analytics queries disabled", writable, "GET", "/api/admin/analytics/queries", "", 404, bearer(openAPIKey)},
		{"analytics zero-results", recorded, "GET", "/api/admin/analytics/zero-results", "", 200, bearer(adminKey)},
		{"analytics zero-results as CSV", recorded, "GET", "/api/admin/analytics/zero-results?from=2024-12-04", "", 200, map[string]string{"Authorization": "Bearer " + adminKey, "Accept": "text/csv"}},
		{"analytics zero-results bad parameter", recorded, "GET", "/api/admin/analytics/zero-results?from=someday", "", 400, bearer(adminKey)},
		{"analytics zero-results without key", recorded, "GET", "/api/admin/analytics/zero-results", "", 401, nil},
		{"analytics zero-results without admin keys", real, "GET", "/api/admin/analytics/zero-results", "", 403, bearer(adminKey)},
		{"analytics zero-results disabled", writable, "GET", "/api/admin/analytics/zero-results", "", 404, bearer(openAPIKey)},
		{"analytics purge", recorded, "DELETE", "/api/admin/analytics?before=2020-01-01", "", 200, bearer(adminKey)},
		{"analytics purge without before", recorded, "DELETE", "/api/admin/analytics", "", 400, bearer(adminKey)},
		{"analytics purge without key", recorded, "DELETE", "/api/admin/analytics?before=2020-01-01", "", 401, nil},
		{"analytics purge without admin keys", real, "DELETE", "/api/admin/analytics?before=2020-01-01", "", 403, bearer(adminKey)},
		{"analytics purge disabled", writable, "DELETE", "/api/admin/analytics?before=2020-01-01", "", 404, bearer(openAPIKey)},
		{"analytics volume", recorded, "GET", "/api/admin/analytics/volume", "", 200, bearer(adminKey)},
		{"analytics volume as CSV", recorded, "GET", "/api/admin/analytics/volume?from=2024-12-04", "", 200, map[string]string{"Authorization": "Bearer " + adminKey, "Accept": "text/csv"}},
		{"analytics volume bad parameter", recorded, "GET", "/api/admin/analytics/volume?from=someday", "", 400, bearer(adminKey)},
		{"analytics volume without key", recorded, "GET", "/api/admin/analytics/volume", "", 401, nil},
		{"analytics volume without admin keys", real, "GET", "/api/admin/analytics/volume", "", 403, bearer(adminKey)},
		{"analytics volume disabled", writable, "GET", "/api/admin/analytics/volume", "", 404, bearer(openAPIKey)},
		{"analytics articles", recorded, "GET", "/api/admin/analytics/articles", "", 200, bearer(adminKey)},
		{"analytics articles as CSV", recorded, "GET", "/api/admin/analytics/articles?from=2024-12-04", "", 200, map[string]string{"Authorization": "Bearer " + adminKey, "Accept": "text/csv"}},
		{"analytics articles bad parameter", recorded, "GET", "/api/admin/analytics/articles?from=someday", "", 400, bearer(adminKey)},
		{"analytics articles without key", recorded, "GET", "/api/admin/analytics/articles", "", 401, nil},
		{"analytics articles without admin keys", real, "GET", "/api/admin/analytics/articles", "", 403, bearer(adminKey)},
		{"analytics articles disabled", writable, "GET", "/api/admin/analytics/articles", "", 404, bearer(openAPIKey)},
		{"event bad position", real, "POST", "/api/events", `{"query_id":"00000000000000000000000000000000","id":"x","position":0}`, 400, nil},
		{"event without key (a beacon: the query_id is the credential)", keyed, "POST", "/api/events", `{"query_id":"00000000000000000000000000000000","id":"x","position":1}`, 204, nil},
		{"event too large", real, "POST", "/api/events", `{"query_id":"00000000000000000000000000000000","id":"` + strings.Repeat("x", 2000) + `","position":1}`, 413, nil},

		{"page", real, "GET", "/?q=oil", "", 200, nil},
		{"page gzipped", real, "GET", "/", "", 200, map[string]string{"Accept-Encoding": "gzip"}},
		{"page current", real, "GET", "/", "", 304, map[string]string{"If-None-Match": etag("/")}},
		{"article page", real, "GET", "/articles/ironclad-friendship-cambodia?q=Cambodia", "", 200, nil},
		{"analytics page", real, "GET", "/admin/analytics", "", 200, nil},
		{"analytics page current", real, "GET", "/admin/analytics", "", 304, map[string]string{"If-None-Match": etag("/admin/analytics")}},
		{"article page current", real, "GET", "/articles/x", "", 304, map[string]string{"If-None-Match": etag("/articles/y")}},
		{"widget", real, "GET", "/widget.js", "", 200, nil},
		{"widget current", real, "GET", "/widget.js", "", 304, map[string]string{"If-None-Match": etag("/widget.js")}},
		{"asset js", real, "GET", "/static/app.js", "", 200, nil},
		{"asset css", real, "GET", "/static/style.css", "", 200, map[string]string{"Accept-Encoding": "gzip"}},
		{"asset current", real, "GET", "/static/app.js", "", 304, map[string]string{"If-None-Match": etag("/static/app.js")}},
		{"asset missing", real, "GET", "/static/nope.js", "", 404, nil},
		{"asset widget elsewhere", real, "GET", "/static/widget.js", "", 404, nil},
		{"asset page elsewhere", real, "GET", "/static/index.html", "", 404, nil},
		{"opensearch", real, "GET", "/opensearch.xml", "", 200, nil},

		{"health", real, "GET", "/healthz", "", 200, nil},
		{"health starting", notReady, "GET", "/healthz", "", 200, nil},
		{"health broken", broken, "GET", "/healthz", "", 500, nil},
		{"health no index", noIndex, "GET", "/healthz", "", 503, nil},
		{"ready", real, "GET", "/readyz", "", 200, nil},
		{"not ready", notReady, "GET", "/readyz", "", 503, nil},
		{"ready broken", broken, "GET", "/readyz", "", 503, nil},
		{"metrics", real, "GET", "/metrics", "", 200, nil},
		{"metrics elsewhere", metricsElsewhere, "GET", "/metrics", "", 404, nil},
		{"openapi", real, "GET", "/openapi.json", "", 200, nil},

		// Writes.
		{"put new", writable, "PUT", "/api/articles/openapi-walrus", `{"title":"Walrus","date":"2025-01-02","body":"A walrus.","tags":["zoo"]}`, 201, auth},
		{"put again", writable, "PUT", "/api/articles/openapi-walrus", `{"title":"Walrus again","tags":"zoo, sea"}`, 200, auth},
		{"put bad date", writable, "PUT", "/api/articles/x", `{"title":"x","date":"2024-13-45"}`, 400, auth},
		{"put id mismatch", writable, "PUT", "/api/articles/x", `{"id":"y","title":"x"}`, 400, auth},
		{"put without key", writable, "PUT", "/api/articles/x", `{"title":"x"}`, 401, nil},
		{"put wrong key", writable, "PUT", "/api/articles/x", `{"title":"x"}`, 401, bearer("openapi-admin-key-0124")},
		{"put writes disabled", real, "PUT", "/api/articles/x", `{"title":"x"}`, 403, auth},
		{"put too large", smallBodies, "PUT", "/api/articles/x", `{"title":"` + strings.Repeat("a", 100) + `"}`, 413, auth},
		{"put read-only", readOnly, "PUT", "/api/articles/x", `{"title":"x"}`, 501, auth},
		{"put not ready", adminNotReady, "PUT", "/api/articles/x", `{"title":"x"}`, 503, auth},
		{"put disk full", fullDisk, "PUT", "/api/articles/x", `{"title":"x"}`, 507, auth},

		{"post new", writable, "POST", "/api/articles", `{"id":"openapi-okapi","title":"Okapi"}`, 201, auth},
		{"post again", writable, "POST", "/api/articles", `{"id":"openapi-okapi","title":"Okapi again"}`, 200, auth},
		{"post array", writable, "POST", "/api/articles", `[{"id":"openapi-okapi","title":"Okapi"},{"id":"openapi-p2","date":"never","title":"x"},{"title":"no id"},{"id":"openapi-p3","body":"b"}]`, 200, auth},
		{"post no id", writable, "POST", "/api/articles", `{"title":"no id"}`, 400, auth},
		{"post without key", writable, "POST", "/api/articles", `{"id":"x"}`, 401, nil},
		{"post writes disabled", real, "POST", "/api/articles", `{"id":"x"}`, 403, auth},
		{"post too large", smallBodies, "POST", "/api/articles", `{"id":"x","title":"` + strings.Repeat("a", 100) + `"}`, 413, auth},
		{"post read-only", readOnly, "POST", "/api/articles", `{"id":"x"}`, 501, auth},
		{"post not ready", adminNotReady, "POST", "/api/articles", `{"id":"x"}`, 503, auth},
		{"post disk full", fullDisk, "POST", "/api/articles", `{"id":"x","title":"x"}`, 507, auth},

		{"bulk", writable, "POST", "/api/articles/_bulk", `{"id":"openapi-b1","title":"One"}` + "\n\n{broken\n" + `{"id":"openapi-okapi","title":"Okapi"}` + "\n", 200, auth},
		{"bulk without key", writable, "POST", "/api/articles/_bulk", `{"id":"x"}`, 401, nil},
		{"bulk writes disabled", real, "POST", "/api/articles/_bulk", `{"id":"x"}`, 403, auth},
		{"bulk read-only", readOnly, "POST", "/api/articles/_bulk", `{"id":"x"}`, 501, auth},
		{"bulk not ready", adminNotReady, "POST", "/api/articles/_bulk", `{"id":"x"}`, 503, auth},
		{"bulk disk full", fullDisk, "POST", "/api/articles/_bulk", `{"id":"x","title":"x"}` + "\n", 507, auth},

		{"delete", writable, "DELETE", "/api/articles/openapi-walrus", "", 200, auth},
		{"delete missing", writable, "DELETE", "/api/articles/openapi-walrus", "", 404, auth},
		{"delete without key", writable, "DELETE", "/api/articles/openapi-okapi", "", 401, nil},
		{"delete writes disabled", real, "DELETE", "/api/articles/ironclad-friendship-cambodia", "", 403, auth},
		{"delete read-only", readOnly, "DELETE", "/api/articles/x", "", 501, auth},
		{"delete not ready", adminNotReady, "DELETE", "/api/articles/x", "", 503, auth},
		{"delete disk full", fullDisk, "DELETE", "/api/articles/ironclad-friendship-cambodia", "", 507, auth},

		{"sync", writable, "POST", "/api/admin/sync", "", 200, auth},
		{"sync without key", writable, "POST", "/api/admin/sync", "", 401, nil},
		{"sync writes disabled", real, "POST", "/api/admin/sync", "", 403, auth},
		{"sync no sources", noSources, "POST", "/api/admin/sync", "", 409, auth},
		{"sync corrupt state", corruptSync, "POST", "/api/admin/sync", "", 500, auth},
		{"sync read-only", readOnly, "POST", "/api/admin/sync", "", 501, auth},
		{"sync not ready", adminNotReady, "POST", "/api/admin/sync", "", 503, auth},

		{"rebuild", writable, "POST", "/api/admin/rebuild", "", 200, auth},
		{"rebuild without key", writable, "POST", "/api/admin/rebuild", "", 401, nil},
		{"rebuild writes disabled", real, "POST", "/api/admin/rebuild", "", 403, auth},
		{"rebuild no sources", noSources, "POST", "/api/admin/rebuild", "", 409, auth},
		{"rebuild failed", badSources, "POST", "/api/admin/rebuild", "", 500, auth},
		{"rebuild would lose articles", lossy, "POST", "/api/admin/rebuild", "", 409, auth},
		{"rebuild bad force", writable, "POST", "/api/admin/rebuild?force=maybe", "", 400, auth},
		{"sync bad force", writable, "POST", "/api/admin/sync?force=maybe", "", 400, auth},
		{"rebuild read-only", readOnly, "POST", "/api/admin/rebuild", "", 501, auth},
		{"rebuild not ready", adminNotReady, "POST", "/api/admin/rebuild", "", 503, auth},

		{"backup", writable, "POST", "/api/admin/backup", `{"dest":` + jsonString(filepath.Join(t.TempDir(), "backup")) + `}`, 200, auth},
		{"backup no dest", writable, "POST", "/api/admin/backup", `{}`, 400, auth},
		{"backup non-empty dest", writable, "POST", "/api/admin/backup", `{"dest":` + jsonString(filepath.Dir(notDir)) + `}`, 400, auth},
		{"backup relative dest", writable, "POST", "/api/admin/backup", `{"dest":"relative-dir"}`, 400, auth},
		{"backup dest being written", writable, "POST", "/api/admin/backup", `{"dest":` + jsonString(busyDest) + `}`, 409, auth},
		{"backup without key", writable, "POST", "/api/admin/backup", `{}`, 401, nil},
		{"backup writes disabled", real, "POST", "/api/admin/backup", `{}`, 403, auth},
		{"backup too large", smallBodies, "POST", "/api/admin/backup", `{"dest":"/tmp/some/where"}`, 413, auth},
		{"backup below a file", writable, "POST", "/api/admin/backup", `{"dest":` + jsonString(filepath.Join(notDir, "backup")) + `}`, 400, auth},
		{"backup fails", admin(failingBackup{wix}), "POST", "/api/admin/backup", `{"dest":` + jsonString(filepath.Join(t.TempDir(), "backup")) + `}`, 500, auth},
		{"backup read-only", readOnly, "POST", "/api/admin/backup", `{"dest":"/x"}`, 501, auth},
		{"sources", writable, "GET", "/api/admin/sources", "", 200, auth},
		{"sources without key", writable, "GET", "/api/admin/sources", "", 401, nil},
		{"sources writes disabled", real, "GET", "/api/admin/sources", "", 403, auth},
		{"sources corrupt status", corruptStatus, "GET", "/api/admin/sources", "", 500, auth},
		{"sources read-only", readOnly, "GET", "/api/admin/sources", "", 501, auth},
		{"sources not ready", adminNotReady, "GET", "/api/admin/sources", "", 503, auth},
		{"backup not ready", adminNotReady, "POST", "/api/admin/backup", `{"dest":"/x"}`, 503, auth},
	}
	// Rate limiting: the first request passes, every later one is refused,
	// except on the monitoring routes.
	tests = append(tests, tc{"rate limit first", rateLimited, "GET", "/api/articles/nope", "", 404, nil})
	for _, r := range []struct{ method, target string }{
		{"GET", "/api/articles/nope"}, {"GET", "/api/search?q=x"}, {"GET", "/api/articles/x/related"}, {"GET", "/api/related/x"},
		{"GET", "/api/suggest?q=x"}, {"GET", "/"}, {"GET", "/articles/x"}, {"GET", "/widget.js"},
		{"GET", "/static/app.js"}, {"GET", "/opensearch.xml"}, {"GET", "/openapi.json"},
		{"PUT", "/api/articles/x"}, {"DELETE", "/api/articles/x"}, {"POST", "/api/articles"},
		{"POST", "/api/articles/_bulk"}, {"POST", "/api/admin/rebuild"}, {"POST", "/api/admin/sync"},
		{"POST", "/api/admin/backup"}, {"GET", "/api/admin/sources"}, {"GET", "/admin/analytics"},
		{"POST", "/api/events"},
	} {
		tests = append(tests, tc{"rate limited " + r.method + " " + r.target, rateLimited, r.method, r.target, "", 429, auth})
	}
	tests = append(tests, tc{"health rate limit exempt", rateLimited, "GET", "/healthz", "", 200, nil})
	// Methods a path does not serve.
	for _, r := range []struct{ method, target string }{
		{"POST", "/api/search"}, {"POST", "/api/articles/x"}, {"POST", "/healthz"}, {"POST", "/readyz"},
		{"POST", "/metrics"}, {"POST", "/openapi.json"}, {"POST", "/api/suggest"}, {"POST", "/"},
		{"POST", "/widget.js"}, {"DELETE", "/static/app.js"}, {"PUT", "/opensearch.xml"},
		{"GET", "/api/articles"}, {"GET", "/api/admin/rebuild"}, {"GET", "/api/admin/sync"}, {"DELETE", "/api/admin/backup"},
	} {
		tests = append(tests, tc{r.method + " " + r.target, writable, r.method, r.target, "", 405, auth})
	}

	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.target, body)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			tt.srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", tt.method, tt.target, rec.Code, tt.status, rec.Body)
			}
			if rec.Code == http.StatusMethodNotAllowed && rec.Header().Get("Allow") == "" {
				t.Errorf("405 without an Allow header")
			}
			validateResponse(t, doc, router, req, rec)
			covered[routeKey(router, req)+" "+fmt.Sprint(rec.Code)] = true
		})
	}

	// The overloaded answer: one search holds the only slot, the next waits
	// in the queue for 1ns and is refused.
	t.Run("overloaded", func(t *testing.T) {
		ix, entered, release := blockingIndex()
		opts := DefaultOptions()
		opts.MaxSearches, opts.SearchQueue, opts.QueueTimeout = 1, 1, time.Nanosecond
		srv := New(ix, opts, nil)
		done := make(chan struct{})
		go func() {
			defer close(done)
			do(t, srv, http.MethodGet, "/api/search?q=first")
		}()
		<-entered
		req := httptest.NewRequest(http.MethodGet, "/api/search?q=second", nil)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		close(release)
		<-done
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After; body %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
		validateResponse(t, doc, router, req, rec)
		covered[routeKey(router, req)+" "+fmt.Sprint(rec.Code)] = true
	})

	// Every documented route and status was produced by some request.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status := range op.Responses.Map() {
				if key := method + " " + path + " " + status; !covered[key] {
					t.Errorf("no test produced the documented response %s", key)
				}
			}
		}
	}
	// Every route the server has is documented.
	for _, r := range real.e.Routes() {
		p := strings.Replace(r.Path, "*", "{id}", 1)
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet // HEAD answers as GET (the document says so once, in info)
		}
		if doc.Paths.Find(p) == nil || doc.Paths.Find(p).GetOperation(method) == nil {
			t.Errorf("route %s %s is not in the OpenAPI document", r.Method, r.Path)
		}
	}
}

// jsonString is s as a JSON string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// routeKey names the documented operation req matches: "GET /api/search",
// using the path's template; for a request the document has no operation
// for (405), the method and the request's path.
func routeKey(router routers.Router, req *http.Request) string {
	route, _, err := router.FindRoute(req)
	if err != nil {
		return req.Method + " " + req.URL.Path
	}
	return route.Method + " " + route.Path
}

// validateResponse checks rec against the document. A method a path does not
// serve (405, described in info and components but listed by no operation)
// must carry the documented Error body.
func validateResponse(t *testing.T, doc *openapi3.T, router routers.Router, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	route, params, err := router.FindRoute(req)
	if err != nil && rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	if rec.Code == http.StatusMethodNotAllowed {
		var v any
		if err := jsonUnmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("405 body is not JSON: %v: %s", err, rec.Body)
		}
		if err := doc.Components.Schemas["Error"].Value.VisitJSON(v); err != nil {
			t.Fatalf("405 body does not match the Error schema: %v: %s", err, rec.Body)
		}
		return
	}
	body := rec.Body.Bytes()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		body = openAPIGunzip(t, body)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s → %d does not match the OpenAPI document: %v\nbody: %.500s", req.Method, req.URL, rec.Code, err, body)
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// openAPIGunzip decompresses a gzipped response body.
func openAPIGunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzipped body: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzipped body: %v", err)
	}
	return out
}
