package index

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio-search/folio/index/article"
	"github.com/google/go-cmp/cmp"
)

// TestRebuildUsesRecordedInputs: an index built from two folders records
// both (absolute), and a rebuild from the recorded inputs keeps every
// article; a configured fallback is used only by an index that records none.
func TestRebuildUsesRecordedInputs(t *testing.T) {
	ix := newIndex(t)
	ctx := context.Background()
	a, b := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(a, "one.txt"), "Title: One\n\nbody")
	writeFile(t, filepath.Join(a, "sub/two.txt"), "Title: Two\n\nbody")
	writeFile(t, filepath.Join(b, "three.txt"), "Title: Three\n\nbody")
	if got, err := ix.InputsOr([]string{"fallback"}); err != nil || !cmp.Equal(got, []string{"fallback"}) {
		t.Fatalf("inputs of a new index = %q, %v; want the fallback", got, err)
	}
	for _, p := range []string{a, filepath.Join(a, "sub"), b} {
		if _, err := ix.Sync(ctx, []string{p}, IngestOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ix.InputsOr([]string{"fallback"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{a, b}, got); diff != "" {
		t.Errorf("recorded inputs (-want +got):\n%s", diff)
	}
	sum, err := ix.Rebuild(ctx, got, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Before != 3 || sum.After != 3 {
		t.Errorf("rebuild counts before %d after %d, want 3 and 3", sum.Before, sum.After)
	}
	// Explicit paths replace the recorded inputs.
	if _, err := ix.Rebuild(ctx, []string{a}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := ix.InputsOr(nil); !cmp.Equal(got, []string{a}) {
		t.Errorf("inputs after a rebuild from %s = %q", a, got)
	}

	// The sync state of an older Folio records files but no inputs: the
	// fallback (index.sources) is used, and a sync records its paths.
	ix.mu.RLock()
	state := ix.syncPath()
	ix.mu.RUnlock()
	raw, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	var old map[string]any
	if err := json.Unmarshal(raw, &old); err != nil || old["inputs"] == nil {
		t.Fatalf("sync state %s: %v, inputs %v", raw, err, old["inputs"])
	}
	delete(old, "inputs")
	if raw, err = json.Marshal(old); err == nil {
		err = os.WriteFile(state, raw, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := ix.InputsOr([]string{"fallback"}); !cmp.Equal(got, []string{"fallback"}) {
		t.Errorf("inputs of an older state = %q, want the fallback", got)
	}
	if sum, err := ix.Sync(ctx, []string{a}, IngestOptions{}); err != nil || sum.Unchanged != 2 {
		t.Errorf("sync of an older state = %+v, %v; want its files unchanged", sum, err)
	}
	if got, _ := ix.InputsOr(nil); !cmp.Equal(got, []string{a}) {
		t.Errorf("inputs after syncing an older state = %q", got)
	}
}

// TestLossGuard: a rebuild or sync that would lose more than MaxLoss of
// the articles is refused, changes nothing, and goes ahead with Force.
func TestLossGuard(t *testing.T) {
	ix := newIndex(t)
	ctx := context.Background()
	src, other := t.TempDir(), t.TempDir()
	for _, n := range []string{"a", "b", "c", "d"} {
		writeFile(t, filepath.Join(src, n+".txt"), "Title: article.Article "+n+"\n\nbody")
	}
	writeFile(t, filepath.Join(other, "x.txt"), "Title: Other\n\nbody")
	if _, err := ix.Sync(ctx, []string{src}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		n, err := ix.Count()
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}

	sum, err := ix.Rebuild(ctx, []string{other}, IngestOptions{})
	var le *LossError
	if !errors.Is(err, ErrWouldLose) || !errors.As(err, &le) || le.Before != 4 || le.After != 1 {
		t.Fatalf("rebuild from another folder = %v, want a LossError 4 → 1", err)
	}
	if !strings.Contains(err.Error(), "would leave 1 of the 4 articles") || sum.Before != 4 || sum.After != 1 {
		t.Errorf("refusal %q, summary %+v", err, sum)
	}
	if n := count(); n != 4 {
		t.Errorf("count after a refused rebuild = %d, want 4", n)
	}
	if got, _ := ix.InputsOr(nil); !cmp.Equal(got, []string{src}) {
		t.Errorf("inputs after a refused rebuild = %q", got)
	}
	if entries, _ := os.ReadDir(ix.Path()); len(entries) != 2 {
		t.Errorf("index directory after a refused rebuild holds %d entries, want folio.json and one generation", len(entries))
	}

	// A sync whose deletes lose 3 of 4 is refused before deleting.
	for _, n := range []string{"a", "b", "c"} {
		if err := os.Remove(filepath.Join(src, n+".txt")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ix.Sync(ctx, []string{src}, IngestOptions{}); !errors.Is(err, ErrWouldLose) {
		t.Fatalf("sync losing 3 of 4 = %v, want ErrWouldLose", err)
	}
	if n := count(); n != 4 {
		t.Errorf("count after a refused sync = %d, want 4", n)
	}
	sum, err = ix.Sync(ctx, []string{src}, IngestOptions{Force: true})
	if err != nil || sum.Deleted != 3 || sum.Before != 4 || sum.After != 1 || count() != 1 {
		t.Errorf("forced sync = %+v, %v; count %d", sum, err, count())
	}
	// Losing half is within the default share.
	writeFile(t, filepath.Join(src, "e.txt"), "Title: article.Article e\n\nbody")
	if _, err := ix.Sync(ctx, []string{src}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(src, "e.txt"))
	if sum, err := ix.Sync(ctx, []string{src}, IngestOptions{}); err != nil || sum.Deleted != 1 {
		t.Errorf("sync losing half = %+v, %v", sum, err)
	}
	if _, err := ix.Rebuild(ctx, []string{other}, IngestOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if a, err := ix.Article(ctx, "x", AllArticles()); err != nil || a.Title != "Other" {
		t.Errorf("after a forced rebuild: %+v, %v", a, err)
	}
}

// TestAPIWritesOverFilesLaterWins: a PUT and a DELETE over ids that came
// from files stay through a sync and a rebuild while their file is
// unchanged; once the file changes, its content wins, in both.
func TestAPIWritesOverFilesLaterWins(t *testing.T) {
	for _, how := range []string{"sync", "rebuild"} {
		t.Run(how, func(t *testing.T) {
			ix := newIndex(t)
			ctx := context.Background()
			src := t.TempDir()
			for _, n := range []string{"a", "b", "c", "d"} {
				writeFile(t, filepath.Join(src, n+".txt"), "Title: File "+n+"\n\nbody")
			}
			refresh := func() {
				t.Helper()
				var err error
				if how == "sync" {
					_, err = ix.Sync(ctx, []string{src}, IngestOptions{})
				} else {
					_, err = ix.Rebuild(ctx, []string{src}, IngestOptions{})
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			title := func(id string) string {
				t.Helper()
				a, err := ix.Article(ctx, id, AllArticles())
				if errors.Is(err, ErrNotFound) {
					return "(deleted)"
				}
				if err != nil {
					t.Fatal(err)
				}
				return a.Title
			}
			if _, err := ix.Sync(ctx, []string{src}, IngestOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := ix.Put(ctx, article.Article{ID: "a", Title: "Edited a"}); err != nil {
				t.Fatal(err)
			}
			if err := ix.Delete(ctx, "b"); err != nil {
				t.Fatal(err)
			}
			refresh()
			refresh() // twice: the rule holds across generations
			if got := []string{title("a"), title("b"), title("c")}; !cmp.Equal(got, []string{"Edited a", "(deleted)", "File c"}) {
				t.Fatalf("after a %s with unchanged files: %q, want the API writes kept", how, got)
			}
			// The files change after the API writes: their content wins.
			writeFile(t, filepath.Join(src, "a.txt"), "Title: File a, edited\n\nbody")
			writeFile(t, filepath.Join(src, "b.txt"), "Title: File b, edited\n\nbody")
			refresh()
			if got := []string{title("a"), title("b")}; !cmp.Equal(got, []string{"File a, edited", "File b, edited"}) {
				t.Errorf("after a %s of changed files: %q, want the files' content", how, got)
			}
			// And a later API write wins again.
			if err := ix.Delete(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			refresh()
			if got := title("a"); got != "(deleted)" {
				t.Errorf("a after a later delete and a %s: %q", how, got)
			}
		})
	}
}
