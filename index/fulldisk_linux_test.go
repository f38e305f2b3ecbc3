package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/folio-search/folio/index/article"
)

// TestWriteOnRealFullDisk fills a small tmpfs (it needs the right to mount
// one, e.g. root; skipped otherwise) under an index whose free-space check
// is disabled, so bleve itself meets ENOSPC: the write must fail with
// ErrNoSpace, searches must keep working on what was acknowledged, and
// writes must work again once space is freed.
func TestWriteOnRealFullDisk(t *testing.T) {
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=16m"); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (%v)", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, 0) })
	opts := DefaultOptions(filepath.Join(mnt, "idx"))
	opts.MinFreeBytes = -1
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	if _, err := ix.Put(ctx, article.Article{ID: "before", Title: "Written before the disk filled"}); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()

	_, err = ix.Put(ctx, article.Article{ID: "after", Title: "Written on a full disk"})
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Put on a full disk = %v, want ErrNoSpace", err)
	}
	if got := ids(mustSearch(t, ix, Query{Text: "written"})); len(got) != 1 || got[0] != "before" {
		t.Errorf("search after the failed write = %v, want [before]", got)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Put(ctx, article.Article{ID: "later", Title: "Written once space was freed"}); err != nil {
		t.Fatalf("Put after freeing space: %v", err)
	}
	if got := mustSearch(t, ix, Query{Text: "written"}).Total; got != 2 {
		t.Errorf("total = %d, want 2", got)
	}
}
