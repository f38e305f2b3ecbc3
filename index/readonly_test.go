//go:build linux

package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/store"
	"github.com/google/go-cmp/cmp"
)

// The tests in this file make (part of) an open index's directory read-only
// with a read-only bind mount: chmod does not stop root, and remounting a
// whole tmpfs read-only fails with EBUSY while the index holds files open
// for writing. A bind mount of D onto itself, remounted read-only, is a new
// mount: files opened earlier through the old mount stay writable, but
// nothing new can be created under D (as after a read-only remount). They
// need the right to mount (root); they are skipped otherwise.

// mountTmpfs mounts a tmpfs large enough for the default MinFreeBytes at a
// new temporary directory, unmounted at cleanup.
func mountTmpfs(t *testing.T) string {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=256m"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v); needs root or CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { unmount(t, mnt) })
	return mnt
}

// unmount unmounts dir, lazily if it is busy.
func unmount(t *testing.T, dir string) {
	if err := syscall.Unmount(dir, 0); err != nil {
		t.Logf("unmount %s: %v; detaching lazily", dir, err)
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("lazy unmount %s: %v", dir, err)
		}
	}
}

// bindReadOnly makes dir read-only (mount --bind dir dir; mount -o
// remount,bind,ro dir) and returns a function that makes it writable again
// (mount -o remount,bind,rw dir). The bind mount is removed at cleanup.
func bindReadOnly(t *testing.T, dir string) (remountRW func()) {
	t.Helper()
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("cannot bind-mount %s (%v); needs root or CAP_SYS_ADMIN", dir, err)
	}
	t.Cleanup(func() { unmount(t, dir) })
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount the bind mount %s read-only (%v)", dir, err)
	}
	// The mount really is read-only, even for root.
	if f, err := os.CreateTemp(dir, "probe-"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Fatalf("created %s on the read-only bind mount", f.Name())
	} else if !errors.Is(err, syscall.EROFS) {
		t.Fatalf("creating a file on the read-only bind mount: %v, want EROFS", err)
	}
	return func() {
		t.Helper()
		if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND, ""); err != nil {
			t.Fatalf("remount %s read-write: %v", dir, err)
		}
	}
}

// allArticles returns every article of ix by id, paging with the cursor.
func allArticles(t *testing.T, ix *Index) map[string]article.Article {
	t.Helper()
	ctx := context.Background()
	out := map[string]article.Article{}
	q := Query{Size: 100}
	for {
		res := mustSearch(t, ix, q)
		for _, h := range res.Hits {
			a, err := ix.Article(ctx, h.ID, AllArticles())
			if err != nil {
				t.Fatalf("Article(%q) of a hit: %v", h.ID, err)
			}
			out[h.ID] = *a
		}
		if res.Cursor == "" {
			if uint64(len(out)) != res.Total {
				t.Fatalf("paged through %d articles, total is %d", len(out), res.Total)
			}
			return out
		}
		q.Cursor = res.Cursor
	}
}

// populatedIndex creates an index at path with testdata/articles and two
// API writes, and returns it (closed at cleanup) with its articles.
func populatedIndex(t *testing.T, path string) (*Index, map[string]article.Article) {
	t.Helper()
	ctx := context.Background()
	ix, err := Create(DefaultOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Ingest(ctx, []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []article.Article{
		{ID: "api-1", Title: "Kestrel survey results", Body: "Kestrels were counted."},
		{ID: "api-2", Title: "Written over the API", Body: "Second write."},
	} {
		if _, err := ix.Put(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	before := allArticles(t, ix)
	if len(before) < countFiles(t, testArticles) {
		t.Fatalf("index holds %d articles, want at least %d", len(before), countFiles(t, testArticles))
	}
	return ix, before
}

// checkWritesFail runs every write API against ix and requires each to
// fail with ErrWriteFailed; it returns the error text of the Put.
func checkWritesFail(t *testing.T, ix *Index) string {
	t.Helper()
	ctx := context.Background()
	_, putErr := ix.Put(ctx, article.Article{ID: "ro-new", Title: "Kestrel written on a read-only disk"})
	if !errors.Is(putErr, ErrWriteFailed) {
		t.Fatalf("Put on a read-only index = %v, want ErrWriteFailed", putErr)
	}
	t.Logf("Put error: %v", putErr)
	if _, err := ix.Put(ctx, article.Article{ID: "api-1", Title: "Replaced on a read-only disk"}); !errors.Is(err, ErrWriteFailed) {
		t.Errorf("Put replacing an article = %v, want ErrWriteFailed", err)
	}
	if _, err := ix.PutJSON(ctx, []byte(`[{"id":"ro-json","title":"x"}]`)); !errors.Is(err, ErrWriteFailed) {
		t.Errorf("PutJSON = %v, want ErrWriteFailed", err)
	}
	if err := ix.Delete(ctx, "api-2"); !errors.Is(err, ErrWriteFailed) {
		t.Errorf("Delete = %v, want ErrWriteFailed", err)
	}
	emitted := 0
	err := ix.Bulk(ctx, strings.NewReader(`{"id":"ro-bulk","title":"x"}`+"\n"), 1<<20, func(rs []WriteResult) error {
		emitted += len(rs)
		return nil
	})
	if !errors.Is(err, ErrWriteFailed) || emitted != 0 {
		t.Errorf("Bulk = %v with %d results emitted, want ErrWriteFailed and none", err, emitted)
	}
	return putErr.Error()
}

// checkReadsWork requires searches and article lookups on ix to return
// exactly the articles of want.
func checkReadsWork(t *testing.T, ix *Index, want map[string]article.Article) {
	t.Helper()
	ctx := context.Background()
	if got := ids(mustSearch(t, ix, Query{Text: "kestrel"})); !cmp.Equal(got, []string{"api-1"}) {
		t.Errorf("search kestrel = %v, want [api-1]", got)
	}
	if got := ids(mustSearch(t, ix, Query{Text: `"Diamond Hexagon"`})); len(got) == 0 || got[0] != "ironclad-friendship-cambodia" {
		t.Errorf(`search "Diamond Hexagon" = %v`, got)
	}
	if a, err := ix.Article(ctx, "api-2", AllArticles()); err != nil || a.Title != "Written over the API" {
		t.Errorf("Article(api-2) = %+v, %v", a, err)
	}
	if _, err := ix.Article(ctx, "ro-new", AllArticles()); !errors.Is(err, ErrNotFound) {
		t.Errorf("article.Article of the failed write = %v, want ErrNotFound", err)
	}
	if n, err := ix.Count(); err != nil || n != uint64(len(want)) {
		t.Errorf("Count = %d, %v; want %d", n, err, len(want))
	}
	if diff := cmp.Diff(want, allArticles(t, ix)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
}

// checkReopens closes ix, opens the index at path again and requires it to
// hold exactly want and to accept a write.
func checkReopens(t *testing.T, ix *Index, path string, want map[string]article.Article) {
	t.Helper()
	ctx := context.Background()
	if err := ix.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	ix2, err := Open(DefaultOptions(path))
	if err != nil {
		t.Fatalf("reopen after the read-only period: %v", err)
	}
	defer ix2.Close()
	if diff := cmp.Diff(want, allArticles(t, ix2)); diff != "" {
		t.Errorf("articles after reopening (-want +got):\n%s", diff)
	}
	if created, err := ix2.Put(ctx, article.Article{ID: "after-rw", Title: "Kestrel written once writable again"}); err != nil || !created {
		t.Fatalf("Put after reopening = %v, %v; want created", created, err)
	}
	if got := sortedStrings(ids(mustSearch(t, ix2, Query{Text: "kestrel"}))); !cmp.Equal(got, []string{"after-rw", "api-1"}) {
		t.Errorf("search kestrel after the new write = %v", got)
	}
}

// TestWriteOnReadOnlyIndexDir makes the directory holding an open index
// read-only: every write must fail with ErrWriteFailed (the server's 503)
// saying so, reads must keep returning what was written before, and once
// the directory is writable again the reopened index must hold every
// earlier article and accept writes.
func TestWriteOnReadOnlyIndexDir(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts file systems; skipped in -short mode")
	}
	mnt := mountTmpfs(t)
	dir := filepath.Join(mnt, "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "idx")
	ix, before := populatedIndex(t, path)

	remountRW := bindReadOnly(t, dir)
	msg := checkWritesFail(t, ix)
	if !strings.Contains(msg, "read-only") {
		t.Errorf("Put error %q does not say the index is read-only", msg)
	}
	checkReadsWork(t, ix, before)

	remountRW()
	checkReopens(t, ix, path, before)
}

// TestWriteOnReadOnlyShardDir makes only the shard directory read-only, so
// the pre-write check (which looks at the index directory) passes and bleve
// itself meets EROFS while persisting: the path taken when storage turns
// read-only between the check and the write. The same guarantees hold.
func TestWriteOnReadOnlyShardDir(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts file systems; skipped in -short mode")
	}
	mnt := mountTmpfs(t)
	path := filepath.Join(mnt, "idx")
	ix, before := populatedIndex(t, path)
	if ix.Shards() != 1 {
		t.Fatalf("shards = %d, want 1", ix.Shards())
	}

	remountRW := bindReadOnly(t, store.ShardPath(store.GenDir(path, ix.meta.Generation), 0))
	if err := checkWritable(path, ix.opts.MinFreeBytes); err != nil {
		t.Fatalf("the index directory itself must look writable: %v", err)
	}
	msg := checkWritesFail(t, ix)
	if !strings.Contains(msg, syscall.EROFS.Error()) {
		t.Errorf("Put error %q does not carry the EROFS cause", msg)
	}
	checkReadsWork(t, ix, before)

	// Writable again: the open index recovers without a restart. The
	// shard was reopened read-only, so the first write fails (and reopens
	// it read-write), the next one succeeds.
	remountRW()
	ctx := context.Background()
	recovered := article.Article{ID: "recovered", Title: "Written after the storage recovered"}
	if _, err := ix.Put(ctx, recovered); err != nil && !errors.Is(err, ErrWriteFailed) {
		t.Fatalf("first Put once writable = %v, want success or ErrWriteFailed", err)
	} else if err != nil {
		t.Logf("first Put once writable: %v", err)
	}
	if _, err := ix.Put(ctx, recovered); err != nil {
		t.Fatalf("second Put once writable: %v", err)
	}
	a, err := ix.Article(ctx, "recovered", AllArticles())
	if err != nil {
		t.Fatal(err)
	}
	before["recovered"] = *a
	checkReopens(t, ix, path, before)
}
