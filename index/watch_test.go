package index

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWatchAppliesChanges(t *testing.T) {
	ix := newIndex(t)
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a.txt"), "Title: Alpha okapi\n\nfirst")
	waitFor, stop := startWatch(t, ix, src)
	defer stop()
	total := func(q string) uint64 { return mustSearch(t, ix, Query{Text: q}).Total }
	waitFor("the initial sync", func() bool { return total("okapi") == 1 })

	// An editor's temporary file is not indexed; the saved file is.
	writeFile(t, filepath.Join(src, ".b.txt.swp"), "Title: Swap okapi\n\nnot me")
	writeFile(t, filepath.Join(src, "b.txt~"), "Title: Backup okapi\n\nnot me")
	writeFile(t, filepath.Join(src, "sub", "b.txt"), "Title: Beta okapi\n\nsecond")
	waitFor("the new file", func() bool { return total("beta") == 1 })
	if got := total("okapi"); got != 2 {
		t.Errorf("okapi total = %d, want 2 (temporary files indexed?)", got)
	}

	// Saving through a temporary file and a rename, as editors do.
	tmp := filepath.Join(src, ".a.txt.tmp")
	writeFile(t, tmp, "Title: Alpha giraffe\n\nedited")
	if err := os.Rename(tmp, filepath.Join(src, "a.txt")); err != nil {
		t.Fatal(err)
	}
	waitFor("the edit", func() bool { return total("giraffe") == 1 })

	if err := os.Remove(filepath.Join(src, "sub", "b.txt")); err != nil {
		t.Fatal(err)
	}
	waitFor("the removal", func() bool { return total("beta") == 0 })
	if got := total("okapi"); got != 0 {
		t.Errorf("okapi total = %d after edit and removal, want 0", got)
	}
}

// startWatch runs ix.Watch on src until stop, which cancels it and returns
// Watch's error (failing the test if Watch does not return). waitFor
// consumes sync summaries until the index satisfies ok; its deadline only
// bounds a broken test, it does not measure anything.
func startWatch(t *testing.T, ix *Index, src string) (waitFor func(what string, ok func() bool), stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	synced := make(chan IngestSummary, 100)
	done := make(chan error, 1)
	go func() {
		done <- ix.Watch(ctx, []string{src}, WatchOptions{Quiet: 50 * time.Millisecond, Synced: func(s IngestSummary, err error) {
			if err != nil {
				t.Errorf("sync: %v", err)
			}
			synced <- s
		}})
	}()
	waitFor = func(what string, ok func() bool) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for !ok() {
			select {
			case <-synced:
			case <-deadline:
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	var stopped bool
	var err error
	stop = func() error {
		if stopped {
			return err
		}
		stopped = true
		cancel()
		select {
		case err = <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("Watch did not stop when its context was cancelled")
		}
		return err
	}
	return waitFor, stop
}
