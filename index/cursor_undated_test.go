package index

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestCursorAcrossUndated pages by date through several undated articles
// (sorted last), one per page.
func TestCursorAcrossUndated(t *testing.T) {
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Ingest(context.Background(), []string{"../testdata/facets", "../testdata/recency"}, IngestOptions{Strict: true}); err != nil {
		t.Fatal(err)
	}
	for _, sort := range []string{SortDateDesc, SortDateAsc} {
		q := Query{Size: 1, Sort: sort}
		paged, cursored := allPages(t, ix, q), allByCursor(t, ix, q)
		if len(paged) != 9 || !slices.Equal(paged, cursored) {
			t.Errorf("sort %s: by page %v, by cursor %v", sort, paged, cursored)
		}
	}
}
