package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

// TestIndexWhileServing runs `folio index`, `folio index --rebuild` and
// `folio backup` against an index that a running server holds: without an
// admin key they fail fast saying what to do; with one they hand the work
// to the server.
func TestIndexWhileServing(t *testing.T) {
	cfg, src, addr := servingEnv(t)
	key := "handoff-test-admin-key-0123"

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", cfg, "serve"}, io.Discard, &stderr)
	}()
	t.Cleanup(func() { cancel(); <-done })
	waitHealthy(t, "http://"+addr, done)

	// No admin key on this side: a clear message, not a lock timeout.
	_, _, err := runCLI(t, "--config", cfg, "index")
	if !errors.Is(err, index.ErrLocked) || !strings.Contains(err.Error(), "set server.admin_keys") {
		t.Fatalf("index while served, no key: %v", err)
	}

	// The server has no key either: it refuses, and says how to enable writes.
	t.Setenv("FOLIO_SERVER_ADMIN_KEYS", key)
	_, _, err = runCLI(t, "--config", cfg, "index")
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden: writes are disabled") {
		t.Fatalf("hand-off to a server without keys: %v", err)
	}
	cancel()
	<-done

	ctx, cancel = context.WithCancel(t.Context())
	done = make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", cfg, "serve"}, io.Discard, &stderr)
	}()
	waitHealthy(t, "http://"+addr, done)

	if err := os.WriteFile(filepath.Join(src, "added.txt"), []byte("Title: Added while serving\n\nA capybara."), 0o600); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "--config", cfg, "index")
	if want := "server indexed 1, 0 skipped, 0 deleted, 4 unchanged files in "; !strings.HasPrefix(out, want) {
		t.Errorf("hand-off sync output = %q, want prefix %q", out, want)
	}
	if id := firstHit(t, "http://"+addr+"/api/search?q=capybara"); id != "added" {
		t.Errorf("capybara hit = %q", id)
	}
	out = mustRun(t, "--config", cfg, "index", "--rebuild")
	if want := "server indexed 5, 0 skipped"; !strings.HasPrefix(out, want) {
		t.Errorf("hand-off rebuild output = %q, want prefix %q", out, want)
	}
	// Other paths than index.sources cannot be handed off.
	other := t.TempDir()
	if _, _, err := runCLI(t, "--config", cfg, "index", other); !errors.Is(err, index.ErrLocked) || !strings.Contains(err.Error(), "POST /api/articles/_bulk") {
		t.Errorf("index of other paths while served: %v", err)
	} else if lines := strings.Split(err.Error(), "\n"); len(lines) < 2 || !strings.HasPrefix(lines[1], "cannot index "+other+" while the server runs: ") ||
		!strings.Contains(lines[1], other+" is not among them") || strings.Contains(err.Error(), "set server.admin_keys") {
		// Both keys are set: the reason is the path, and it comes first.
		t.Errorf("index of other paths while served says:\n%v", err)
	}

	dest := filepath.Join(t.TempDir(), "copy")
	mustRun(t, "--config", cfg, "backup", dest)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, &stderr)
	}
	done = make(chan error, 1)
	close(done)

	// The copy opens and serves.
	resp := searchJSON(t, "--config", cfg, "--index", dest, "capybara")
	if resp.Total != 1 || resp.Hits[0].ID != "added" {
		t.Errorf("search in the backup = %+v", resp)
	}
	if got := searchJSON(t, "--config", cfg, "--index", dest); got.Total != 5 {
		t.Errorf("backup holds %d articles, want 5", got.Total)
	}
}

// TestServeWatch serves with --watch: a file saved under index.sources
// becomes searchable, and disappears once removed.
func TestServeWatch(t *testing.T) {
	cfg := isolate(t)
	src := copyFiles(t, "../../testdata/articles", testArticles...)
	addr := freeAddr(t)
	t.Setenv("FOLIO_INDEX_SOURCES", src)
	t.Setenv("FOLIO_LOG_LEVEL", "warn")
	ctx, cancel := context.WithCancel(t.Context())
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", cfg, "serve", "--watch", "--addr", addr, "--index", filepath.Join(t.TempDir(), "idx")}, io.Discard, &stderr)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, &stderr)
		}
	}()
	base := "http://" + addr
	waitHealthy(t, base, done)

	total := func() int {
		resp := searchHTTP(t, base+"/api/search?q=pangolin")
		return int(resp.Total)
	}
	if err := os.WriteFile(filepath.Join(src, "pangolin.txt"), []byte("Title: Pangolin seen\n\nA pangolin."), 0o600); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, "the saved file is searchable", func() bool { return total() == 1 })
	if err := os.Remove(filepath.Join(src, "pangolin.txt")); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, "the removed file is gone", func() bool { return total() == 0 })
}

// searchHTTP GETs a search URL and decodes the response.
func searchHTTP(t *testing.T, url string) api.SearchResponse {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body api.SearchResponse
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", url, resp.StatusCode, err)
	}
	return body
}

// pollUntil checks ok every 20ms; the 30s bound only stops a broken test.
func pollUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
