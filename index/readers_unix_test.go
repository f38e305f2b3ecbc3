//go:build unix

package index

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/sources"
	"github.com/google/go-cmp/cmp"
)

// mkfifo makes a named pipe at path. If a reader is still waiting on it
// when the test ends (the bug), a writer is opened and closed to free it.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}

// A named pipe, a link to a device and a link to a folder are reported and
// skipped without being opened for reading (a pipe would block forever);
// the sibling file is indexed and every rejected file is counted.
func TestIngestSkipsNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "b-good.txt"), "Title: Good okapi\n\nfine")
	mkfifo(t, filepath.Join(dir, "a-pipe.jsonl"))
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "c-zero.txt")); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	writeFile(t, filepath.Join(other, "linked.txt"), "Title: Linked\n\nvia a link")
	if err := os.Symlink(filepath.Join(other, "linked.txt"), filepath.Join(dir, "d-link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, filepath.Join(dir, "e-folder.json")); err != nil {
		t.Fatal(err)
	}

	type outcome struct {
		sum      IngestSummary
		problems []string
		ids      []string
		err      error
	}
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	done := make(chan outcome, 1)
	go func() {
		sum, problems, ids, err := ingestInto(opts, dir)
		done <- outcome{sum, problems, ids, err}
	}()
	var got outcome
	select {
	case got = <-done:
	case <-time.After(20 * time.Second): // bounds the broken case only
		t.Fatal("ingest did not return: blocked on the named pipe")
	}
	if got.err != nil {
		t.Fatal(got.err)
	}
	if diff := cmp.Diff([]string{"b-good", "d-link"}, got.ids); diff != "" {
		t.Errorf("indexed ids (-want +got):\n%s", diff)
	}
	want := []string{
		filepath.Join(dir, "a-pipe.jsonl") + ": not a regular file: a named pipe (only regular files and links to them are read)",
		filepath.Join(dir, "c-zero.txt") + ": not a regular file: a link to a character device (only regular files and links to them are read)",
		filepath.Join(dir, "e-folder.json") + ": not a regular file: a link to a folder, which is not followed (only regular files and links to them are read)",
	}
	if diff := cmp.Diff(want, got.problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got.sum.Files != 5 || got.sum.SkippedByReason["not a regular file"] != 3 {
		t.Errorf("summary %+v, want 5 files, 3 not regular", got.sum)
	}

	// Given directly, a pipe is refused the same way.
	ix := newIndex(t)
	var problems []string
	if _, err := ix.Ingest(context.Background(), []string{filepath.Join(dir, "a-pipe.jsonl")}, IngestOptions{Problem: func(e *article.InputError) { problems = append(problems, e.Error()) }}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:1], problems); diff != "" {
		t.Errorf("pipe given directly (-want +got):\n%s", diff)
	}
}

// A file that became a named pipe after the walk is refused when opened,
// without blocking.
func TestOpenRefusesPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.txt")
	mkfifo(t, p)
	done := make(chan error, 1)
	go func() {
		f, err := sources.Open(p)
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || err.Error() != "not a regular file: a named pipe" {
			t.Errorf("sources.Open = %v, want not a regular file", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("sources.Open blocked on a named pipe")
	}
}

// A named pipe created in a watched folder does not stop the watcher: a
// regular file created afterwards is still indexed, and the watcher ends
// when its context is cancelled.
func TestWatchSkipsNamedPipe(t *testing.T) {
	ix := newIndex(t)
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a.txt"), "Title: Alpha okapi\n\nfirst")
	waitFor, stop := startWatch(t, ix, src)
	defer stop()
	total := func(q string) uint64 { return mustSearch(t, ix, Query{Text: q}).Total }
	waitFor("the initial sync", func() bool { return total("okapi") == 1 })
	mkfifo(t, filepath.Join(src, "pipe.txt"))
	writeFile(t, filepath.Join(src, "b.txt"), "Title: Beta okapi\n\nsecond")
	waitFor("the file after the pipe", func() bool { return total("beta") == 1 })
	if err := stop(); err != context.Canceled {
		t.Errorf("Watch = %v, want context.Canceled", err)
	}
}
