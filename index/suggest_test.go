package index

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
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
			got, err := ix.Suggest(ctx, c.text, 5)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(got, c.want) {
				t.Fatalf("Suggest(%q) = %q, want it to contain %q", c.text, got, c.want)
			}
		})
	}
	got, err := ix.Suggest(ctx, "zzqqxx", 5)
	if err != nil || len(got) != 0 {
		t.Fatalf("Suggest(no match) = %q, %v; want no titles", got, err)
	}
	got, err = ix.Suggest(ctx, "ch", 3)
	if err != nil || len(got) != 3 {
		t.Fatalf("Suggest(\"ch\", 3) = %q, %v; want 3 titles", got, err)
	}
	got, err = ix.Suggest(ctx, "i", 5) // one letter: a whole word, not a prefix
	if err != nil || slices.Contains(got, "Ironclad friendship with Cambodia hailed") {
		t.Fatalf("Suggest(\"i\") = %q, %v; want no prefix expansion", got, err)
	}
	for _, bad := range []struct {
		text string
		n    int
	}{{"a", 0}, {"a", MaxSuggestions + 1}, {strings.Repeat("a", 101), 5}} {
		var pe *ParamError
		if _, err := ix.Suggest(ctx, bad.text, bad.n); !errors.As(err, &pe) || !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("Suggest(%d bytes, %d) error = %v, want a ParamError wrapping ErrInvalidParameter", len(bad.text), bad.n, err)
		}
	}
}
