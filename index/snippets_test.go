package index

import (
	"strings"
	"testing"
	"unicode"
)

// TestMultipleFragments: a word that occurs all over a long article gets
// MaxFragments (3) separate snippets, none overlapping, each starting and
// ending at a word boundary, and the title is marked in full.
func TestMultipleFragments(t *testing.T) {
	ix := testIndex(t)
	res := mustSearch(t, ix, Query{Text: "Cambodia"})
	if len(res.Hits) == 0 || res.Hits[0].ID != "ironclad-friendship-cambodia" {
		t.Fatalf("hits %v", ids(res))
	}
	h := res.Hits[0]
	if got, want := h.Highlights.Title, []string{"Ironclad friendship with <mark>Cambodia</mark> hailed"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("title highlight %q, want %q", got, want)
	}
	body := h.Highlights.Body
	if len(body) != 3 {
		t.Fatalf("%d body fragments, want 3 (search.max_fragments): %q", len(body), body)
	}
	a, err := ix.Article(t.Context(), h.ID, AllArticles())
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range body {
		if !strings.Contains(f, "<mark>Cambodia") {
			t.Errorf("fragment %d has no match: %q", i, f)
		}
		plain := strings.Trim(strings.NewReplacer("<mark>", "", "</mark>", "", "&#39;", "'").Replace(f), "…")
		if !strings.Contains(a.Body, plain) {
			t.Errorf("fragment %d is not a piece of the body: %q", i, plain)
			continue
		}
		at := strings.Index(a.Body, plain)
		if at > 0 && !unicode.IsSpace(rune(a.Body[at-1])) {
			t.Errorf("fragment %d starts inside a word: %q", i, plain)
		}
		if end := at + len(plain); end < len(a.Body) && !unicode.IsSpace(rune(a.Body[end])) && !unicode.IsPunct(rune(a.Body[end])) {
			t.Errorf("fragment %d ends inside a word: %q", i, plain)
		}
		for j := range i {
			if strings.Contains(body[j], plain) || strings.Contains(plain, strings.Trim(body[j], "…")) {
				t.Errorf("fragments %d and %d overlap", j, i)
			}
		}
	}
}
