package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/folio-search/folio/config"
	"github.com/folio-search/folio/index"
)

// TestServeNotReadyWhileBuilding serves with a missing index whose start-up
// build waits until the test lets it go: meanwhile /healthz is 200, /readyz
// and searches 503 not_ready; once the build is done the index is attached
// and searches answer.
func TestServeNotReadyWhileBuilding(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "feed.jsonl"), []byte(`{"id":"a","title":"Hello from the feed","body":"hello world"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Index.Path = filepath.Join(t.TempDir(), "folio.bleve")
	cfg.Index.Sources = []string{src}
	cfg.Server.Addr = freeAddr(t)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	started, release := make(chan struct{}), make(chan struct{})
	gated := func(ctx context.Context, opts index.Options, paths []string, logger *slog.Logger) (index.IngestSummary, error) {
		close(started)
		select {
		case <-release:
		case <-ctx.Done():
			return index.IngestSummary{}, ctx.Err()
		}
		return buildMissing(ctx, opts, paths, logger)
	}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.DiscardHandler), gated) }()
	base := "http://" + cfg.Server.Addr

	waitStatus(t, base+"/healthz", http.StatusOK, done)
	<-started
	for _, target := range []string{"/readyz", "/api/search?q=hello"} {
		status, code := getError(t, base+target)
		if status != http.StatusServiceUnavailable || code != "not_ready" {
			t.Errorf("GET %s during the build = %d %q, want 503 not_ready", target, status, code)
		}
	}
	close(release)
	waitStatus(t, base+"/readyz", http.StatusOK, done)
	if id := firstHit(t, base+"/api/search?q=hello"); id != "a" {
		t.Errorf("first hit %q, want a", id)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
}

// getError GETs url and returns the status and the error code of the body.
func getError(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error struct{ Code string } `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error.Code
}

// waitStatus polls url until it answers status, failing if exited delivers
// first or after about 30s.
func waitStatus(t *testing.T, url string, status int, exited <-chan error) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	for range 300 {
		select {
		case err := <-exited:
			t.Fatalf("server exited while waiting for %s: %v", url, err)
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == status {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %d within 30s", url, status)
}
