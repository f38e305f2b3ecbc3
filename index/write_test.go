package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/sources"
	"github.com/google/go-cmp/cmp"
)

// newIndex creates an empty index in a temporary directory.
func newIndex(t *testing.T) *Index {
	t.Helper()
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestPutSearchDelete(t *testing.T) {
	ix := newIndex(t)
	ctx := context.Background()
	a, err := ix.DecodeArticle([]byte(`{"title":"Quarterly zeppelin report","date":"2024-03-05","body":"Zeppelins flew."}`), "z1")
	if err != nil {
		t.Fatal(err)
	}
	created, err := ix.Put(ctx, a)
	if err != nil || !created {
		t.Fatalf("Put = %v, %v; want created", created, err)
	}
	if got := ids(mustSearch(t, ix, Query{Text: "zeppelin"})); !cmp.Equal(got, []string{"z1"}) {
		t.Errorf("search after put = %v", got)
	}
	a.Title = "Quarterly airship report"
	if created, err := ix.Put(ctx, a); err != nil || created {
		t.Fatalf("second Put = %v, %v; want updated", created, err)
	}
	if got := mustSearch(t, ix, Query{Text: "airship"}).Total; got != 1 {
		t.Errorf("airship total = %d, want 1", got)
	}
	if err := ix.Delete(ctx, "z1"); err != nil {
		t.Fatal(err)
	}
	if got := mustSearch(t, ix, Query{Text: "airship"}).Total; got != 0 {
		t.Errorf("total after delete = %d, want 0", got)
	}
	if err := ix.Delete(ctx, "z1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of a missing id = %v, want ErrNotFound", err)
	}
}

func TestDecodeArticleErrorsMatchFileIngest(t *testing.T) {
	ix := newIndex(t)
	for name, tc := range map[string]struct{ body, id, want string }{
		"bad date":    {`{"title":"x","date":"31/31/2024"}`, "a", `request: article "a": invalid date "31/31/2024": no such day`},
		"no title":    {`{"body":" "}`, "a", `request: article "a" has neither title nor body (a title or a body)`},
		"id mismatch": {`{"id":"b","title":"x"}`, "a", `request: body id "b" differs from the id "a" in the path`},
		"not object":  {`[1]`, "a", `request: expected a JSON object, got array`},
		"bad field":   {`{"title":3}`, "a", `request: field "title" is a number (a string)`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ix.DecodeArticle([]byte(tc.body), tc.id)
			if err == nil || !errors.Is(err, article.ErrInvalidArticle) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestBulkPerLineResults(t *testing.T) {
	ix := newIndex(t)
	in := `{"id":"a","title":"alpha"}
not json
{"id":"b","title":"beta","date":"yesterday-ish"}

{"id":"a","title":"alpha again"}
{"id":"c","body":"gamma"}
` + `{"id":"d","title":"` + strings.Repeat("x", 200) + `"}` + "\n"
	var got []string
	err := ix.Bulk(context.Background(), strings.NewReader(in), 100, func(rs []WriteResult) error {
		for _, r := range rs {
			s := fmt.Sprintf("%d %s %s", r.Line, r.ID, r.Status)
			if r.Err != nil {
				s += " " + strings.SplitN(r.Err.Error(), ":", 3)[0]
			}
			got = append(got, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1 a created", "2  error request", "3 b error request", "5 a updated", "6 c created", "7  error input too large"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if n, _ := ix.Count(); n != 2 {
		t.Errorf("count = %d, want 2", n)
	}
}

func TestWriteRefusedWhenDiskFull(t *testing.T) {
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	opts.MinFreeBytes = 1 << 62 // more than any disk has: the index must refuse
	ix, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	_, err = ix.Put(context.Background(), article.Article{ID: "x", Title: "x"})
	if !errors.Is(err, ErrNoSpace) || !errors.Is(err, ErrWriteFailed) {
		t.Fatalf("Put on a full disk = %v, want ErrNoSpace", err)
	}
	if res := mustSearch(t, ix, Query{}); res.Total != 0 {
		t.Errorf("total = %d, want 0 (reads work, nothing written)", res.Total)
	}
}

// An ingest whose batches hold only bad records writes nothing, so (as
// a sync with nothing to do) it needs no free space: the problems are
// reported and the run succeeds. A batch with an article still refuses.
func TestIngestOfBadRecordsNeedsNoSpace(t *testing.T) {
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	opts.MinFreeBytes = 1 << 62 // more than any disk has
	if ix, err = Open(opts); err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "bad.jsonl"), "{\n{\"id\": 3}\n")
	var problems []string
	sum, err := ix.Ingest(context.Background(), []string{src}, IngestOptions{Problem: func(e *article.InputError) { problems = append(problems, e.Reason) }})
	if err != nil {
		t.Fatalf("ingest of bad records only = %v, want no error", err)
	}
	if diff := cmp.Diff([]string{"invalid JSON", "invalid field"}, problems); diff != "" || sum.Skipped != 2 || sum.Indexed != 0 {
		t.Errorf("summary %+v, problems (-want +got):\n%s", sum, diff)
	}
	writeFile(t, filepath.Join(src, "good.jsonl"), `{"id": "g", "title": "Good"}`+"\n")
	if _, err := ix.Ingest(context.Background(), []string{src}, IngestOptions{}); !errors.Is(err, ErrNoSpace) {
		t.Errorf("ingest with an article = %v, want ErrNoSpace", err)
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

func TestSyncReadsOnlyChanges(t *testing.T) {
	ix := newIndex(t)
	ctx := context.Background()
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a.txt"), "Title: Alpha walrus\n\nbody a")
	writeFile(t, filepath.Join(src, "b.txt"), "Title: Beta walrus\n\nbody b")
	writeFile(t, filepath.Join(src, "sub/c.jsonl"), `{"id":"c1","title":"Gamma walrus"}`+"\n"+`{"id":"c2","title":"Delta walrus"}`+"\n")

	sum, err := ix.Sync(ctx, []string{src}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed != 4 || sum.Files != 3 || sum.Unchanged != 0 {
		t.Fatalf("first sync = %+v", sum)
	}
	sum, err = ix.Sync(ctx, []string{src}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed+sum.Updated != 0 || sum.Unchanged != 3 || sum.Deleted != 0 {
		t.Fatalf("unchanged sync = %+v, want no work", sum)
	}

	// A file saved again with the same content (new mtime) is not re-indexed.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(src, "a.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	sum, err = ix.Sync(ctx, []string{src}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed+sum.Updated != 0 || sum.Unchanged != 3 {
		t.Fatalf("sync after touching a file = %+v, want no work", sum)
	}

	writeFile(t, filepath.Join(src, "b.txt"), "Title: Beta narwhal, longer now\n\nbody b")
	writeFile(t, filepath.Join(src, "sub/c.jsonl"), `{"id":"c1","title":"Gamma walrus"}`+"\n")
	if err := os.Remove(filepath.Join(src, "a.txt")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(src, "d.md"), "Title: Epsilon walrus\n\nbody d")
	sum, err = ix.Sync(ctx, []string{src}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed != 1 || sum.Updated != 2 || sum.Deleted != 2 || sum.Unchanged != 0 {
		t.Errorf("sync after changes = %+v, want 1 new, 2 updated, 2 deleted", sum)
	}
	got := ids(mustSearch(t, ix, Query{Text: "walrus", Sort: SortDateAsc}))
	if diff := cmp.Diff([]string{"c1", "d"}, sortedStrings(got)); diff != "" {
		t.Errorf("walrus hits (-want +got):\n%s", diff)
	}
	if got := ids(mustSearch(t, ix, Query{Text: "narwhal"})); !cmp.Equal(got, []string{"b"}) {
		t.Errorf("narwhal hits = %v", got)
	}
	if _, err := os.Stat(filepath.Join(ix.Path(), "gen-1", sources.StateFile)); err != nil {
		t.Errorf("sync state is not inside the index directory: %v", err)
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestRebuildSwapsAndKeepsWrites(t *testing.T) {
	ix := newIndex(t)
	ctx := context.Background()
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "gone.txt"), "Title: Removed before the rebuild\n\nbody")
	if _, err := ix.Sync(ctx, []string{src}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(src, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Put(ctx, article.Article{ID: "api-1", Title: "Written over the API"}); err != nil {
		t.Fatal(err)
	}
	var during bool
	sum, err := ix.Rebuild(ctx, []string{testArticles}, IngestOptions{Progress: func(p Progress) {
		if p.Done || during {
			return
		}
		during = true
		// A write during the rebuild reaches the new index too.
		if _, err := ix.Put(ctx, article.Article{ID: "api-2", Title: "Written during the rebuild"}); err != nil {
			t.Error(err)
		}
		if _, err := ix.Search(ctx, Query{Text: "rebuild"}); err != nil {
			t.Error(err)
		}
	}, ProgressEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.Count(); sum.Indexed != countFiles(t, testArticles) || int(n) != sum.Indexed+2 {
		t.Errorf("rebuild indexed %d", sum.Indexed)
	}
	if a, err := ix.Article(ctx, "api-1", AllArticles()); err != nil || a.Title != "Written over the API" {
		t.Errorf("api-1 after rebuild: %+v, %v; an acknowledged API write was lost", a, err)
	}
	if _, err := ix.Article(ctx, "api-2", AllArticles()); err != nil {
		t.Errorf("write made during the rebuild lost: %v", err)
	}
	if _, err := ix.Article(ctx, "gone", AllArticles()); !errors.Is(err, ErrNotFound) {
		t.Errorf("article of a removed file after rebuild: %v, want not found", err)
	}
	if got := ids(mustSearch(t, ix, Query{Text: `"Diamond Hexagon"`})); len(got) == 0 || got[0] != "ironclad-friendship-cambodia" {
		t.Errorf("after rebuild: %v", got)
	}
	entries, _ := os.ReadDir(ix.Path())
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"folio.json", "gen-2"}, names); diff != "" {
		t.Errorf("index directory (-want +got):\n%s", diff)
	}
	// A restart opens the new generation.
	want, _ := ix.Count()
	ix.Close()
	ix2, err := Open(DefaultOptions(ix.Path()))
	if err != nil {
		t.Fatal(err)
	}
	defer ix2.Close()
	if got, _ := ix2.Count(); got != want {
		t.Errorf("count after reopen = %d, want %d", got, want)
	}
}

func TestFailedRebuildLeavesLiveIndex(t *testing.T) {
	ix := newIndex(t)
	ctx := context.Background()
	if _, err := ix.Ingest(ctx, []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := ix.Count()
	_, err := ix.Rebuild(ctx, []string{"../testdata/bad"}, IngestOptions{Strict: true})
	if err == nil || !strings.Contains(err.Error(), "the live index is unchanged") {
		t.Fatalf("Rebuild = %v, want a failure", err)
	}
	if after, _ := ix.Count(); after != before {
		t.Errorf("count %d → %d", before, after)
	}
	if _, err := os.Stat(filepath.Join(ix.Path(), "gen-2")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed generation left behind: %v", err)
	}
}

func TestBackupOpens(t *testing.T) {
	ix := newIndex(t)
	ctx := context.Background()
	if _, err := ix.Ingest(ctx, []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy")
	if err := ix.Backup(dest); err != nil {
		t.Fatal(err)
	}
	if err := ix.Backup(dest); err == nil {
		t.Error("second backup to the same place succeeded")
	}
	cp, err := Open(DefaultOptions(dest))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	want, _ := ix.Count()
	if got, _ := cp.Count(); got != want || got == 0 {
		t.Errorf("backup count = %d, want %d", got, want)
	}
	if got := ids(mustSearch(t, cp, Query{Text: `"Diamond Hexagon"`})); len(got) == 0 || got[0] != "ironclad-friendship-cambodia" {
		t.Errorf("backup search: %v", got)
	}
}
