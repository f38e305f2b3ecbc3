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
	"syscall"
	"testing"
	"time"
)

// TestServeNotReadyWhileBuilding serves with a missing index whose only
// source is a FIFO, so that the start-up build blocks until the test feeds
// it: meanwhile /healthz is 200, /readyz and searches 503 not_ready; once the
// build is done the index is attached and searches answer.
func TestServeNotReadyWhileBuilding(t *testing.T) {
	cfg := isolate(t)
	fifo := filepath.Join(t.TempDir(), "feed.jsonl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	addr := freeAddr(t)
	t.Setenv("FOLIO_INDEX_SOURCES", fifo)
	t.Setenv("FOLIO_LOG_LEVEL", "warn")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", cfg, "serve", "--index", ix, "--addr", addr}, io.Discard, &stderr)
	}()
	base := "http://" + addr

	waitStatus(t, base+"/healthz", http.StatusOK, done)
	for _, target := range []string{"/readyz", "/api/search?q=hello"} {
		status, code := getError(t, base+target)
		if status != http.StatusServiceUnavailable || code != "not_ready" {
			t.Errorf("GET %s during the build = %d %q, want 503 not_ready", target, status, code)
		}
	}

	fed := make(chan error, 1)
	go func() { // opening a FIFO for writing blocks until the build opens it
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(`{"id":"a","title":"Hello from the pipe","body":"hello world"}` + "\n")
			err = errors.Join(err, f.Close())
		}
		fed <- err
	}()
	select {
	case err := <-fed:
		if err != nil {
			t.Fatal(err)
		}
	case err := <-done:
		t.Fatalf("serve exited during the build: %v\n%s", err, &stderr)
	}
	waitStatus(t, base+"/readyz", http.StatusOK, done)
	if id := firstHit(t, base+"/api/search?q=hello"); id != "a" {
		t.Errorf("first hit %q, want a", id)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v\n%s", err, &stderr)
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
