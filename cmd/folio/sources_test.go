package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio-search/folio/index"
)

// deadPID is the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestStaleBuildDirsRemovedAtStart: the <index>.rebuild-<pid> directory of
// a killed build is removed when `folio index --rebuild` or `folio serve`
// starts; that of a running process, and anything else, is kept.
func TestStaleBuildDirsRemovedAtStart(t *testing.T) {
	cfg := isolate(t)
	t.Setenv("FOLIO_INDEX_SOURCES", copyFiles(t, "../../testdata/articles", testArticles...))
	t.Setenv("FOLIO_LOG_LEVEL", "warn")
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	stale := func() string {
		d := fmt.Sprintf("%s.rebuild-%d", ix, deadPID(t))
		writeFile(t, filepath.Join(d, "gen-1", "shard-00", "root.bolt"), "half a build")
		return d
	}
	running := fmt.Sprintf("%s.rebuild-%d", ix, os.Getppid())
	other := ix + ".rebuild-notes"
	writeFile(t, filepath.Join(running, "folio.json"), "{}")
	writeFile(t, filepath.Join(other, "keep"), "mine")
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }

	dead := stale()
	mustRun(t, "--config", cfg, "index", "--rebuild", "--index", ix)
	if exists(dead) {
		t.Errorf("%s left behind by `folio index --rebuild`", dead)
	}
	if !exists(running) || !exists(other) {
		t.Errorf("a running build or another directory was removed")
	}

	dead = stale()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", cfg, "serve", "--addr", addr, "--index", ix}, io.Discard, &stderr)
	}()
	waitHealthy(t, "http://"+addr, done)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, &stderr)
	}
	if exists(dead) {
		t.Errorf("%s left behind by `folio serve`", dead)
	}
	if !exists(running) || !exists(other) {
		t.Errorf("a running build or another directory was removed by serve")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIndexUsesRecordedInputs: without PATH, `folio index --rebuild`
// rebuilds from what the index was built from, not from index.sources; a
// rebuild from PATHs that would lose most articles is refused until --force.
func TestIndexUsesRecordedInputs(t *testing.T) {
	cfg := isolate(t)
	built := copyFiles(t, "../../testdata/articles", testArticles...)
	t.Setenv("FOLIO_INDEX_SOURCES", copyFiles(t, "../../testdata/articles", testArticles[0]))
	t.Setenv("FOLIO_LOG_LEVEL", "warn")
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	total := func() uint64 { return searchJSON(t, "--config", cfg, "--index", ix).Total }

	mustRun(t, "--config", cfg, "index", "--index", ix, built)
	mustRun(t, "--config", cfg, "index", "--rebuild", "--index", ix)
	mustRun(t, "--config", cfg, "index", "--index", ix)
	if n := total(); n != 4 {
		t.Errorf("after a rebuild and a sync without PATH the index holds %d articles, want the 4 it was built from", n)
	}
	other := copyFiles(t, "../../testdata/articles", testArticles[1])
	_, _, err := runCLI(t, "--config", cfg, "index", "--rebuild", "--index", ix, other)
	if !errors.Is(err, index.ErrWouldLose) || !strings.Contains(err.Error(), "would leave 1 of the 4 articles") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("rebuild from one file = %v, want a refusal naming --force", err)
	}
	if n := total(); n != 4 {
		t.Errorf("after a refused rebuild the index holds %d articles", n)
	}
	// An index built with other settings is rebuilt from its own inputs too.
	t.Setenv("FOLIO_INDEX_LANGUAGE", "standard")
	if _, _, err := runCLI(t, "--config", cfg, "search", "--index", ix, "x"); !errors.Is(err, index.ErrIncompatible) {
		t.Fatalf("search after changing index.language = %v, want ErrIncompatible", err)
	}
	mustRun(t, "--config", cfg, "index", "--rebuild", "--index", ix)
	if n := total(); n != 4 {
		t.Errorf("after rebuilding an incompatible index it holds %d articles, want the 4 it was built from", n)
	}

	mustRun(t, "--config", cfg, "index", "--rebuild", "--force", "--index", ix, other)
	if n := total(); n != 1 {
		t.Errorf("after a forced rebuild the index holds %d articles, want 1", n)
	}
}
