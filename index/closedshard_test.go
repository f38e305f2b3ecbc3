package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/store"
)

// TestShardGoneAfterFailedWrite: a shard whose directory disappears fails
// its next write, cannot be reopened (read-write or read-only) and stays
// closed; every read then says the index is unavailable (ErrNoIndex: 503)
// instead of panicking in bleve's closed reader.
func TestShardGoneAfterFailedWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idx")
	ix, _ := populatedIndex(t, path)
	shard := store.ShardPath(store.GenDir(path, ix.meta.Generation), 0)
	if err := os.Rename(shard, shard+".gone"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Rename(shard+".gone", shard) })
	ctx := context.Background()
	if _, err := ix.Put(ctx, article.Article{ID: "lost", Title: "Written after the shard went away"}); !errors.Is(err, ErrWriteFailed) {
		t.Fatalf("Put with the shard directory gone = %v, want ErrWriteFailed", err)
	}
	for name, read := range map[string]func() error{
		"search":      func() error { _, err := ix.Search(ctx, Query{Text: "kestrel"}); return err },
		"typo search": func() error { _, err := ix.Search(ctx, Query{Text: "kestrle survey"}); return err },
		"browse":      func() error { _, err := ix.Search(ctx, Query{}); return err },
		"article":     func() error { _, err := ix.Article(ctx, "api-1", AllArticles()); return err },
		"related":     func() error { _, err := ix.Related(ctx, "api-1", Query{}); return err },
	} {
		if err := read(); !errors.Is(err, ErrNoIndex) {
			t.Errorf("%s on a shard that could not be reopened: %v, want ErrNoIndex", name, err)
		}
	}
}
