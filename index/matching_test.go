package index

import (
	"slices"
	"strings"
	"testing"
)

// TestTypoTransposition: two swapped letters count as one edit, so a
// 7-letter word finds its spelling, and the hits mark the words the
// article really holds.
func TestTypoTransposition(t *testing.T) {
	ix := testIndex(t)
	seed := "ironclad-friendship-cambodia"
	for _, q := range []string{"Diamnod Hexagon", "diamond hexagn", "Diamnod hexagn"} {
		res := mustSearch(t, ix, Query{Text: q})
		if len(res.Hits) == 0 || res.Hits[0].ID != seed {
			t.Errorf("%q: ids %v, want %s first", q, ids(res), seed)
			continue
		}
		body := strings.Join(res.Hits[0].Highlights.Body, " … ")
		for _, w := range []string{"<mark>Diamond</mark>", "<mark>Hexagon</mark>"} {
			if !strings.Contains(body, w) {
				t.Errorf("%q: body snippets %q lack %s", q, body, w)
			}
		}
	}
	// A word too short for two edits finds only its transposition.
	if res := mustSearch(t, ix, Query{Text: "cambodai"}); len(res.Hits) == 0 || res.Hits[0].ID != seed {
		t.Errorf("cambodai: ids %v, want %s first", ids(res), seed)
	}
}

// TestAsYouType: the last word being typed also matches the words it
// begins, below whole words; without as_you_type it is searched as typed.
func TestAsYouType(t *testing.T) {
	ix := testIndex(t)
	seed := "ironclad-friendship-cambodia"
	for _, q := range []string{"Diamond Hexa", "diamond hex", "Ironclad friendsh"} {
		res := mustSearch(t, ix, Query{Text: q, AsYouType: true})
		if len(res.Hits) == 0 || res.Hits[0].ID != seed {
			t.Errorf("%q as you type: ids %v, want %s first", q, ids(res), seed)
		}
		if !strings.Contains(strings.Join(res.Hits[0].Highlights.Body, " "), "<mark>Hexagon</mark>") && strings.HasPrefix(strings.ToLower(q), "diamond") {
			t.Errorf("%q as you type: body %q does not mark Hexagon", q, res.Hits[0].Highlights.Body)
		}
	}
	if res := mustSearch(t, ix, Query{Text: "hexa"}); res.Total != 0 {
		t.Errorf("hexa without as_you_type: total %d, want 0", res.Total)
	}
	// Not completed: a quoted, fielded or excluded last word, a one-letter word.
	for _, q := range []string{`"diamond hexa"`, "title:hexa", "diamond -hexa", "hexa*x", "h"} {
		res := mustSearch(t, ix, Query{Text: q, AsYouType: true})
		for _, h := range res.Hits {
			if strings.Contains(strings.Join(h.Highlights.Body, " "), "<mark>Hexagon</mark>") {
				t.Errorf("%q as you type: %s marks Hexagon: the last word must not be completed", q, h.ID)
			}
		}
	}
	// The word is still searched as typed: every article holding "oil" is
	// found, and those holding only "oilseed" too.
	res := mustSearch(t, ix, Query{Text: "oil", AsYouType: true, Size: 100})
	plain := mustSearch(t, ix, Query{Text: "oil", Size: 100})
	if res.Total <= plain.Total {
		t.Errorf("oil as you type: total %d, want more than the %d of oil alone (oilseed…)", res.Total, plain.Total)
	}
	for _, id := range ids(plain) {
		if !slices.Contains(ids(res), id) {
			t.Errorf("oil as you type: misses %s, which oil finds", id)
		}
	}
}
