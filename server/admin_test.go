package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index"
)

const adminKey = "s3cret-admin-key"

// writableServer is a Server with an admin key over a fresh index built from testdata/articles.
func writableServer(t *testing.T, opts Options) (*Server, *index.Index) {
	t.Helper()
	ix, err := index.Create(index.DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	inputs := opts.Sources // the index is built from them, and records them
	if len(inputs) == 0 {
		inputs = []string{articlesDir}
	}
	if _, err := ix.Sync(context.Background(), inputs, index.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	if opts.AdminKeys == nil {
		opts.AdminKeys = []string{"other-key", adminKey}
	}
	return New(ix, opts, nil), ix
}

func send(t *testing.T, srv http.Handler, method, target, key, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code, msgPart string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	var e errorJSON
	decodeJSON(t, rec, &e)
	if e.Error.Code != code || !strings.Contains(e.Error.Message, msgPart) {
		t.Errorf("error = %+v, want code %q and a message containing %q", e.Error, code, msgPart)
	}
}

func TestWritesNeedAdminKey(t *testing.T) {
	closed := New(testIndex(t), DefaultOptions(), nil)
	wantError(t, send(t, closed, http.MethodPut, "/api/articles/x", adminKey, `{"title":"x"}`), http.StatusForbidden, "forbidden", "server.admin_keys")
	wantError(t, send(t, closed, http.MethodPost, "/api/admin/rebuild", "", ``), http.StatusForbidden, "forbidden", "server.admin_keys")

	srv, _ := writableServer(t, Options{})
	for name, key := range map[string]string{"missing": "", "wrong": "s3cret-admin-kez", "prefix": "s3cret"} {
		t.Run(name, func(t *testing.T) {
			rec := send(t, srv, http.MethodDelete, "/api/articles/handbook-travel-2024", key, "")
			wantError(t, rec, http.StatusUnauthorized, "unauthorized", "Authorization: Bearer")
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate header")
			}
		})
	}
	if rec := do(t, srv, http.MethodGet, "/api/articles/handbook-travel-2024"); rec.Code != http.StatusOK {
		t.Errorf("article deleted without a key: %d", rec.Code)
	}
}

func TestPutPostDelete(t *testing.T) {
	srv, _ := writableServer(t, Options{})
	rec := send(t, srv, http.MethodPut, "/api/articles/notes%2Fzeppelin", adminKey, `{"title":"Zeppelin <b>landing</b>","date":"2025-01-02","body":"The zeppelin landed."}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	if got := ids(search(t, srv, "q=zeppelin").Hits); !cmp.Equal(got, []string{"notes/zeppelin"}) {
		t.Errorf("search after PUT = %v", got)
	}
	if rec := send(t, srv, http.MethodPut, "/api/articles/notes%2Fzeppelin", adminKey, `{"title":"Airship landing"}`); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"updated"`) {
		t.Fatalf("second PUT: %d %s", rec.Code, rec.Body)
	}
	wantError(t, send(t, srv, http.MethodPut, "/api/articles/x", adminKey, `{"title":"x","date":"2024-13-45"}`), http.StatusBadRequest, "invalid_article", "request: article \"x\"")
	wantError(t, send(t, srv, http.MethodPut, "/api/articles/x", adminKey, `{"title":`), http.StatusBadRequest, "invalid_article", "invalid JSON")
	wantError(t, send(t, srv, http.MethodPost, "/api/articles", adminKey, `{"title":"no id"}`), http.StatusBadRequest, "invalid_article", "has no id")

	rec = send(t, srv, http.MethodPost, "/api/articles", adminKey, `{"id":"p1","title":"Posted walrus"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST one: %d %s", rec.Code, rec.Body)
	}
	rec = send(t, srv, http.MethodPost, "/api/articles", adminKey, `[{"id":"p1","title":"Posted walrus again"},{"id":"p2","date":"never","title":"x"},{"id":"p3","body":"walrus"}]`)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST array: %d %s", rec.Code, rec.Body)
	}
	var arr arrayJSON
	decodeJSON(t, rec, &arr)
	var got []string
	for _, r := range arr.Results {
		got = append(got, fmt.Sprint(*r.Index, " ", r.ID, " ", r.Status))
	}
	if diff := cmp.Diff([]string{"0 p1 updated", "1 p2 error", "2 p3 created"}, got); diff != "" || !strings.HasPrefix(arr.Results[1].Error, `request[1]: article "p2": unrecognised date "never"`) {
		t.Errorf("POST array results (-want +got):\n%s\n%+v", diff, arr.Results)
	}
	if want := (summaryJSON{Errors: true, Created: 1, Updated: 1, Failed: 1}); arr.summaryJSON != want {
		t.Errorf("POST array summary = %+v, want %+v", arr.summaryJSON, want)
	}
	if got := search(t, srv, "q=walrus").Total; got != 2 {
		t.Errorf("walrus total = %d, want 2", got)
	}

	if rec := send(t, srv, http.MethodDelete, "/api/articles/p1", adminKey, ""); rec.Code != http.StatusOK {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
	}
	wantError(t, send(t, srv, http.MethodDelete, "/api/articles/p1", adminKey, ""), http.StatusNotFound, "not_found", "p1")
	if got := ids(search(t, srv, "q=walrus").Hits); !cmp.Equal(got, []string{"p3"}) {
		t.Errorf("after DELETE = %v", got)
	}
}

func TestBodyLimit(t *testing.T) {
	srv, _ := writableServer(t, Options{MaxBodyBytes: 100})
	wantError(t, send(t, srv, http.MethodPut, "/api/articles/x", adminKey, `{"title":"`+strings.Repeat("a", 200)+`"}`), http.StatusRequestEntityTooLarge, "payload_too_large", "server.max_body_bytes")
}

func TestBulkStreamsPerLineResults(t *testing.T) {
	srv, _ := writableServer(t, Options{})
	var in strings.Builder
	for i := range 2500 {
		if i == 1200 {
			in.WriteString("{broken\n")
		}
		in.WriteString(`{"id":"bulk-` + strconv.Itoa(i) + `","title":"Bulk walrus ` + strconv.Itoa(i) + `"}` + "\n")
	}
	rec := send(t, srv, http.MethodPost, "/api/articles/_bulk", adminKey, in.String())
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("bulk: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	results, sum := bulkLines(t, rec.Body)
	counts := map[string]int{}
	lines := 0
	for _, r := range results {
		lines++
		if r.Line != lines {
			t.Fatalf("result %d is for line %d", lines, r.Line)
		}
		counts[r.Status]++
		if r.Status == "error" && (r.Line != 1201 || !strings.Contains(r.Error, "request:1201: invalid JSON")) {
			t.Errorf("error result %+v", r)
		}
	}
	if diff := cmp.Diff(map[string]int{"created": 2500, "error": 1}, counts); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if want := (summaryJSON{Status: "done", Errors: true, Created: 2500, Failed: 1}); sum != want {
		t.Errorf("summary line = %+v, want %+v", sum, want)
	}
	if got := search(t, srv, "q=walrus&size=1").Total; got != 2500 {
		t.Errorf("walrus total = %d, want 2500", got)
	}
}

func TestWriteOnFullDiskIs507(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	ix, err := index.Create(index.DefaultOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	o := index.DefaultOptions(dir)
	o.MinFreeBytes = 1 << 62
	ix, err = index.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	srv := New(ix, Options{AdminKeys: []string{adminKey}}, nil)
	wantError(t, send(t, srv, http.MethodPut, "/api/articles/x", adminKey, `{"title":"x"}`), http.StatusInsufficientStorage, "insufficient_storage", "disk is full")
	wantError(t, send(t, srv, http.MethodPost, "/api/articles/_bulk", adminKey, `{"id":"x","title":"x"}`+"\n"), http.StatusInsufficientStorage, "insufficient_storage", "disk is full")
	if got := search(t, srv, "q=x").Total; got != 0 {
		t.Errorf("total = %d", got)
	}
}

// TestRebuildWhileSearching runs searches without pause during a rebuild
// over HTTP: none may fail, and after the swap the new index answers.
func TestRebuildWhileSearching(t *testing.T) {
	// The rebuild reads a copy of the sources that got one more file.
	src := t.TempDir()
	entries, err := os.ReadDir(articlesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(articlesDir, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(src, e.Name()), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	srv, _ := writableServer(t, Options{Sources: []string{src}})
	if err := os.WriteFile(filepath.Join(src, "new-okapi.txt"), []byte("Title: Okapi sighted\n\nAn okapi."), 0o644); err != nil {
		t.Fatal(err)
	}
	if rec := send(t, srv, http.MethodPut, "/api/articles/api-walrus", adminKey, `{"title":"Walrus written over the API"}`); rec.Code != http.StatusCreated {
		t.Fatal(rec.Code)
	}
	var stop atomic.Bool
	var failures, searches atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/search?q=%22Diamond+Hexagon%22", nil))
				searches.Add(1)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "ironclad-friendship-cambodia") {
					failures.Add(1)
				}
			}
		}()
	}
	rec := send(t, srv, http.MethodPost, "/api/admin/rebuild", adminKey, "")
	stop.Store(true)
	wg.Wait()
	if rec.Code != http.StatusOK {
		t.Fatalf("rebuild: %d %s", rec.Code, rec.Body)
	}
	if failures.Load() != 0 {
		t.Errorf("%d of %d searches failed during the rebuild", failures.Load(), searches.Load())
	}
	if got := ids(search(t, srv, "q=okapi").Hits); !cmp.Equal(got, []string{"new-okapi"}) {
		t.Errorf("okapi hits after the rebuild = %v: the new index does not answer", got)
	}
	if got := ids(search(t, srv, "q=walrus").Hits); !cmp.Equal(got, []string{"api-walrus"}) {
		t.Errorf("walrus hits after the rebuild = %v: an API write was lost", got)
	}
	wantError(t, send(t, srv, http.MethodPost, "/api/admin/backup", adminKey, `{}`), http.StatusBadRequest, "invalid_parameter", "dest")
	dest := filepath.Join(t.TempDir(), "backup")
	if rec := send(t, srv, http.MethodPost, "/api/admin/backup", adminKey, `{"dest":"`+dest+`"}`); rec.Code != http.StatusOK {
		t.Fatalf("backup: %d %s", rec.Code, rec.Body)
	}
	cp, err := index.Open(index.DefaultOptions(dest))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if n, _ := cp.Count(); n != 209 {
		t.Errorf("backup holds %d articles, want 209", n)
	}
	wantError(t, send(t, srv, http.MethodPost, "/api/admin/backup", adminKey, `{"dest":"`+dest+`"}`), http.StatusBadRequest, "invalid_parameter", "not empty")
}

// TestBackupDestinationsAnswer4xx: a destination that cannot hold a backup
// is the client's error, named "dest", never a 500; of three backups sent
// at once to one new directory exactly one succeeds and the others are 409.
func TestBackupDestinationsAnswer4xx(t *testing.T) {
	srv, ix := writableServer(t, Options{})
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, dest, want string }{
		{"relative", "relative-dir", "relative path"},
		{"stale generation name", filepath.Join(ix.Path(), "gen-7"), "inside the live index"},
		{"inside the index", filepath.Join(ix.Path(), "inside"), "inside the live index"},
		{"below a file", filepath.Join(file, "backup"), "not a directory"},
		{"long name", filepath.Join(tmp, strings.Repeat("n", 300)), "file name too long"},
		{"proc", "/proc/folio-backup", "kernel"},
		{"sys", "/sys/folio-backup", "kernel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := send(t, srv, http.MethodPost, "/api/admin/backup", adminKey, `{"dest":`+strconv.Quote(tt.dest)+`}`)
			wantError(t, rec, http.StatusBadRequest, "invalid_parameter", tt.want)
			if !strings.Contains(rec.Body.String(), `"param":"dest"`) {
				t.Errorf("error does not name dest: %s", rec.Body)
			}
		})
	}
	if _, err := os.Stat("relative-dir"); err == nil {
		t.Error("a relative destination was created in the working directory")
	}

	dest := filepath.Join(tmp, "backup")
	codes := make([]int, 3)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = send(t, srv, http.MethodPost, "/api/admin/backup", adminKey, `{"dest":`+strconv.Quote(dest)+`}`).Code
		}()
	}
	wg.Wait()
	slices.Sort(codes)
	if codes[0] != http.StatusOK || codes[1] == http.StatusOK || codes[1]/100 != 4 || codes[2]/100 != 4 {
		t.Errorf("three backups to one new directory answered %v; want one 200 and two 4xx (409 while the first is copying)", codes)
	}
	cp, err := index.Open(index.DefaultOptions(dest))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if n, _ := cp.Count(); n != 207 {
		t.Errorf("backup holds %d articles, want the 207 of testdata/articles", n)
	}
}

func TestFailedRebuildSaysWhy(t *testing.T) {
	src := filepath.Join(t.TempDir(), "folder")
	if err := os.CopyFS(src, os.DirFS(articlesDir)); err != nil {
		t.Fatal(err)
	}
	_, ix := writableServer(t, Options{Sources: []string{src}})
	if err := os.RemoveAll(src); err != nil { // the index's input is gone
		t.Fatal(err)
	}
	var log strings.Builder
	srv := New(ix, Options{AdminKeys: []string{adminKey}, Sources: []string{src}}, slog.New(slog.NewTextHandler(&log, nil)))
	before := search(t, srv, "q=travel").Total
	rec := send(t, srv, http.MethodPost, "/api/admin/rebuild", adminKey, "")
	wantError(t, rec, http.StatusInternalServerError, "rebuild_failed", "the live index is unchanged; the server's log has the cause")
	// The cause (server paths, OS errors) is for the log, not for the client.
	if strings.Contains(rec.Body.String(), src) {
		t.Errorf("the response shows the internal error: %s", rec.Body)
	}
	if id := rec.Header().Get("X-Request-Id"); !strings.Contains(log.String(), "source "+src+": no such file or directory") || !strings.Contains(log.String(), "request_id="+id) {
		t.Errorf("the log lacks the cause under request id %s:\n%s", id, log.String())
	}
	if got := search(t, srv, "q=travel").Total; got != before {
		t.Errorf("travel total %d → %d", before, got)
	}
}

// TestWritesWithSearchKeysConfigured: search keys guard reads only; a write
// needs the admin key, not a search key.
func TestWritesWithSearchKeysConfigured(t *testing.T) {
	srv, _ := writableServer(t, Options{SearchKeys: []SearchKey{{Key: "search-key-0123456789"}}})
	body := `{"title":"Canteen closed","date":"2024-12-05","body":"The canteen is closed today."}`
	if rec := send(t, srv, http.MethodPut, "/api/articles/canteen-closed", adminKey, body); rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
		t.Fatalf("PUT with the admin key: %d %s", rec.Code, rec.Body)
	}
	if rec := send(t, srv, http.MethodPost, "/api/articles/_bulk", adminKey, `{"id":"b1","title":"Bulk one"}`+"\n"); rec.Code != http.StatusOK {
		t.Errorf("bulk with the admin key: %d %s", rec.Code, rec.Body)
	}
	if rec := send(t, srv, http.MethodDelete, "/api/articles/canteen-closed", adminKey, ""); rec.Code/100 != 2 {
		t.Errorf("DELETE with the admin key: %d %s", rec.Code, rec.Body)
	}
	wantError(t, send(t, srv, http.MethodPut, "/api/articles/x", "search-key-0123456789", body), http.StatusUnauthorized, "unauthorized", "admin key")
	wantError(t, send(t, srv, http.MethodGet, "/api/articles/b1", adminKey, ""), http.StatusUnauthorized, "unauthorized", "search key")
	if rec := send(t, srv, http.MethodGet, "/api/articles/b1", "search-key-0123456789", ""); rec.Code != http.StatusOK {
		t.Errorf("GET with the search key: %d %s", rec.Code, rec.Body)
	}
}
