package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

// writeArticles writes n JSON Lines articles r1..rn to path.
func writeArticles(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"id":"r%d","title":"File article %d","body":"From the file."}`+"\n", i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sourcesServer is a write server over an index synced from a JSON Lines
// file of n articles, while index.sources names testdata/articles (as
// the default configuration does).
func sourcesServer(t *testing.T, n int) (*Server, *index.Index, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "articles.jsonl")
	writeArticles(t, file, n)
	ix, err := index.Create(index.DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Sync(context.Background(), []string{file}, index.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	return New(ix, Options{AdminKeys: []string{adminKey}, Sources: []string{articlesDir}}, nil), ix, file
}

func count(t *testing.T, ix *index.Index) int {
	t.Helper()
	n, err := ix.Count()
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// refreshed decodes a 200 answer of rebuild or sync.
func refreshed(t *testing.T, body string) api.RebuildResponse {
	t.Helper()
	var r api.RebuildResponse
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return r
}

// TestRebuildAndSyncUseRecordedInputs: an index built from other inputs
// than index.sources is rebuilt and synced from its own inputs, not
// replaced by (or merged with) index.sources.
func TestRebuildAndSyncUseRecordedInputs(t *testing.T) {
	srv, ix, _ := sourcesServer(t, 30)
	for _, route := range []string{"/api/admin/rebuild", "/api/admin/sync"} {
		rec := send(t, srv, http.MethodPost, route, adminKey, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", route, rec.Code, rec.Body)
		}
		if r := refreshed(t, rec.Body.String()); r.Before != 30 || r.After != 30 {
			t.Errorf("%s counts before %d after %d, want 30 and 30", route, r.Before, r.After)
		}
		if n := count(t, ix); n != 30 {
			t.Errorf("after %s the index holds %d articles, want the 30 of its own input", route, n)
		}
	}
	if got := search(t, srv, "q=%22Diamond+Hexagon%22").Total; got != 0 {
		t.Errorf("an article of index.sources was merged in (%d hits)", got)
	}
}

// TestRefreshRefusesLoss: a sync or rebuild that would lose more than half
// of the articles answers 409 with the counts and changes nothing; with
// ?force=true it goes ahead and answers the counts.
func TestRefreshRefusesLoss(t *testing.T) {
	srv, ix, file := sourcesServer(t, 30)
	writeArticles(t, file, 5) // the file lost most of its articles
	for _, route := range []string{"/api/admin/sync", "/api/admin/rebuild"} {
		rec := send(t, srv, http.MethodPost, route, adminKey, "")
		wantError(t, rec, http.StatusConflict, "would_lose_articles", "would leave 5 of the 30 articles")
		if !strings.Contains(rec.Body.String(), "force=true") {
			t.Errorf("%s refusal does not say how to force: %s", route, rec.Body)
		}
		if n := count(t, ix); n != 30 {
			t.Errorf("after a refused %s the index holds %d articles, want 30", route, n)
		}
	}
	wantError(t, send(t, srv, http.MethodPost, "/api/admin/sync?force=yes-please", adminKey, ""), http.StatusBadRequest, "invalid_parameter", "want true or false")
	rec := send(t, srv, http.MethodPost, "/api/admin/sync?force=true", adminKey, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("forced sync: %d %s", rec.Code, rec.Body)
	}
	if r := refreshed(t, rec.Body.String()); r.Before != 30 || r.After != 5 || r.Deleted != 25 || count(t, ix) != 5 {
		t.Errorf("forced sync = %+v, index holds %d", r, count(t, ix))
	}
}

// TestRebuildKeepsAPIWritesOverFiles: PUT and DELETE of ids that came from
// a file survive a rebuild (and a sync) while the file is unchanged.
func TestRebuildKeepsAPIWritesOverFiles(t *testing.T) {
	srv, _, _ := sourcesServer(t, 4)
	if rec := send(t, srv, http.MethodPut, "/api/articles/r1", adminKey, `{"title":"Edited over the API"}`); rec.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	if rec := send(t, srv, http.MethodDelete, "/api/articles/r2", adminKey, ""); rec.Code != http.StatusOK {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
	}
	for _, route := range []string{"/api/admin/rebuild", "/api/admin/sync", "/api/admin/rebuild"} {
		if rec := send(t, srv, http.MethodPost, route, adminKey, ""); rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", route, rec.Code, rec.Body)
		}
		rec := do(t, srv, http.MethodGet, "/api/articles/r1")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Edited over the API") {
			t.Errorf("r1 after %s: %d %s; want the API edit", route, rec.Code, rec.Body)
		}
		if rec := do(t, srv, http.MethodGet, "/api/articles/r2"); rec.Code != http.StatusNotFound {
			t.Errorf("r2 after %s: %d; want the API delete to hold", route, rec.Code)
		}
	}
}
