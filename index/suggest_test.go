package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/suggest"
)

func TestSuggest(t *testing.T) {
	ix := testIndex(t)
	ctx := context.Background()
	cases := []struct {
		name, text string
		want       string // a title that must be among the suggestions
	}{
		{"prefix of one word", "ironcl", "Ironclad friendship with Cambodia hailed"},
		{"whole words then a prefix", "friendship cambo", "Ironclad friendship with Cambodia hailed"},
		{"stemmed whole word", "friendships", "Ironclad friendship with Cambodia hailed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ix.Suggest(ctx, c.text, 5, Visibility{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(got, c.want) {
				t.Fatalf("Suggest(%q) = %q, want it to contain %q", c.text, got, c.want)
			}
		})
	}
	got, err := ix.Suggest(ctx, "zzqqxx", 5, Visibility{})
	if err != nil || len(got) != 0 {
		t.Fatalf("Suggest(no match) = %q, %v; want no titles", got, err)
	}
	got, err = ix.Suggest(ctx, "ch", 3, Visibility{})
	if err != nil || len(got) != 3 {
		t.Fatalf("Suggest(\"ch\", 3) = %q, %v; want 3 titles", got, err)
	}
	got, err = ix.Suggest(ctx, "i", 5, Visibility{}) // one letter: a whole word, not a prefix
	if err != nil || slices.Contains(got, "Ironclad friendship with Cambodia hailed") {
		t.Fatalf("Suggest(\"i\") = %q, %v; want no prefix expansion", got, err)
	}
	for _, bad := range []struct {
		text string
		n    int
	}{{"a", 0}, {"a", MaxSuggestions + 1}, {strings.Repeat("a", 101), 5}} {
		var pe *ParamError
		if _, err := ix.Suggest(ctx, bad.text, bad.n, Visibility{}); !errors.As(err, &pe) || !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("Suggest(%d bytes, %d) error = %v, want a ParamError wrapping ErrInvalidParameter", len(bad.text), bad.n, err)
		}
	}
}

// TestSuggestManyCompletions: a prefix that starts more title words than a
// search may expand to (search.max_terms) still completes, to titles with
// the most frequent of them (then in term order), instead of failing.
func TestSuggestManyCompletions(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf(`{"id":"w%d","title":"Zq%03d report","body":"b"}`, i, i))
	}
	for i := range 3 {
		lines = append(lines, fmt.Sprintf(`{"id":"f%d","title":"Zqfrequent report %d","body":"b"}`, i, i))
	}
	if err := os.WriteFile(filepath.Join(dir, "many.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions("")
	o.MaxTerms = 100
	ix := builtIndexFrom(t, o, dir)
	got, err := ix.Suggest(context.Background(), "zq", 3, Visibility{})
	if err != nil {
		t.Fatalf("Suggest(zq): %v", err)
	}
	if len(got) != 3 || !strings.HasSuffix(got[0], " report") {
		t.Fatalf("Suggest(zq) = %q, want 3 titles", got)
	}
	ix.mu.RLock()
	terms, err := suggest.Completions(ix.shards, schema.Title, "zq")
	ix.mu.RUnlock()
	if err != nil || len(terms) != suggest.MaxCompletions || terms[0] != "zqfrequent" || terms[1] != "zq000" {
		t.Fatalf("completions(zq) = %.80q (%d), %v; want %d terms, zqfrequent (3 titles) first", terms, len(terms), err, suggest.MaxCompletions)
	}
}
