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
		if !strings.Contains(body, "<mark>Diamond Hexagon</mark>") {
			t.Errorf("%q: body snippets %q do not mark the words the article holds", q, body)
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
		if !strings.Contains(strings.Join(res.Hits[0].Highlights.Body, " "), "<mark>Diamond Hexagon</mark>") && strings.HasPrefix(strings.ToLower(q), "diamond") {
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
			if strings.Contains(strings.Join(h.Highlights.Body, " "), "Hexagon</mark>") {
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
	// ... and the articles holding the whole word come first (those holding
	// oilseed as well may rank higher among them).
	first := ids(res)[:min(len(res.Hits), len(plain.Hits))]
	slices.Sort(first)
	want := slices.Sorted(slices.Values(ids(plain)))
	if !slices.Equal(first, want) {
		t.Errorf("oil as you type: first hits %v, want the articles holding oil %v", first, want)
	}
}

// TestAsYouTypeLong: a long query being typed keeps the ranking of a
// natural-language query (feedback) and completes its last word only when
// the index lacks it as typed: a partial word finds the article holding
// its completion first, and a finished query ranks exactly as submitted.
func TestAsYouTypeLong(t *testing.T) {
	ix := testIndex(t)
	seed := "ironclad-friendship-cambodia"
	typing := "what did the president say in the talks with the cambo"
	res := mustSearch(t, ix, Query{Text: typing, AsYouType: true})
	plain := mustSearch(t, ix, Query{Text: typing})
	if len(res.Hits) == 0 || res.Hits[0].ID != seed {
		t.Errorf("%q as you type: ids %v, want %s first (it holds Cambodia)", typing, ids(res), seed)
	} else if body := strings.Join(res.Hits[0].Highlights.Body, " "); !strings.Contains(body, "<mark>Cambodia") {
		t.Errorf("%q as you type: body %q does not mark Cambodia", typing, body)
	}
	if len(plain.Hits) == 0 || plain.Hits[0].ID == seed {
		t.Errorf("%q submitted: ids %v, want another article first (cambo is no word)", typing, ids(plain))
	}
	for _, q := range []string{
		"what did the president say in the talks with the cambodian",
		"oil prices rose on world markets after the opec meeting in vienna",
	} {
		typed := mustSearch(t, ix, Query{Text: q, AsYouType: true, Size: 50})
		done := mustSearch(t, ix, Query{Text: q, Size: 50})
		if !slices.Equal(ids(typed), ids(done)) || typed.Total != done.Total {
			t.Errorf("%q: as you type %d %v, submitted %d %v; want the same", q, typed.Total, ids(typed), done.Total, ids(done))
		}
	}
}

// allHits pages through every hit of q, size 7 at a time (tiers cross pages).
func allHits(t *testing.T, ix *Index, q Query) []string {
	t.Helper()
	q.Size = 7
	var out []string
	for q.Page = 1; q.Page <= 50; q.Page++ {
		res := mustSearch(t, ix, q)
		out = append(out, ids(res)...)
		if len(res.Hits) < q.Size {
			return out
		}
	}
	t.Fatalf("%q: more than 350 hits", q.Text)
	return nil
}

// holding is the set of articles a one-word query finds.
func holding(t *testing.T, ix *Index, word string) map[string]bool {
	t.Helper()
	set := map[string]bool{}
	for _, id := range allHits(t, ix, Query{Text: word}) {
		set[id] = true
	}
	return set
}

// TestGradedMatching: articles matching more distinct words of a short
// query come first, whatever their scores; among as many words, those
// matching them as typed come before those matching through a typo;
// total counts every article listed, and pages, cursors and match=all
// agree with it.
func TestGradedMatching(t *testing.T) {
	ix := testIndex(t)
	type check struct {
		text  string
		words []string // the words as the index holds them (corrected)
		typed []bool   // whether each is typed as the index holds it
	}
	for _, c := range []check{
		{"japan trade surplus", []string{"japan", "trade", "surplus"}, []bool{true, true, true}},
		{"oil pricez", []string{"oil", "prices"}, []bool{true, false}},
		{"bank rates the", []string{"bank", "rates"}, []bool{true, true}}, // a stop word counts for nothing
	} {
		sets := make([]map[string]bool, len(c.words))
		for i, w := range c.words {
			sets[i] = holding(t, ix, w)
		}
		got := allHits(t, ix, Query{Text: c.text})
		res := mustSearch(t, ix, Query{Text: c.text})
		if uint64(len(got)) != res.Total || len(got) == 0 {
			t.Errorf("%q: %d hits paged, total %d", c.text, len(got), res.Total)
		}
		prev := [2]int{len(c.words) + 1, 0}
		for rank, id := range got {
			k, e := 0, 0
			for i := range c.words {
				if sets[i][id] {
					k++
					if c.typed[i] {
						e++
					}
				}
			}
			if k == 0 {
				t.Errorf("%q: %s matches none of %v", c.text, id, c.words)
			}
			if k > prev[0] || k == prev[0] && e > prev[1] {
				t.Errorf("%q: hit %d (%s) matches %d words (%d as typed), after one matching %d (%d as typed)", c.text, rank, id, k, e, prev[0], prev[1])
				break
			}
			prev = [2]int{k, e}
		}
		// A cursor walks the same ranking.
		var walked []string
		q := Query{Text: c.text, Size: 7}
		for i := 0; i < 50; i++ {
			r := mustSearch(t, ix, q)
			walked = append(walked, ids(r)...)
			if r.Total != res.Total {
				t.Errorf("%q: a cursor page's total is %d, want %d", c.text, r.Total, res.Total)
			}
			if q.Cursor = r.Cursor; q.Cursor == "" {
				break
			}
		}
		if !slices.Equal(walked, got) {
			t.Errorf("%q: cursor pages %v, numbered pages %v", c.text, walked, got)
		}
		// match=all: only the articles matching every word, the same first ones.
		all := allHits(t, ix, Query{Text: c.text, Match: MatchAll})
		n := 0
		for _, id := range got {
			every := true
			for i := range c.words {
				every = every && sets[i][id]
			}
			if every {
				n++
			}
		}
		if n == 0 || len(all) != n || !slices.Equal(all, got[:n]) {
			t.Errorf("%q match=all: %v, want the %d articles of all words first in the graded ranking %v", c.text, all, n, got)
		}
		// Date sorts default to match=all; match=any lists all articles.
		if r := mustSearch(t, ix, Query{Text: c.text, Sort: SortDateDesc}); r.Total != uint64(n) {
			t.Errorf("%q sort=-date: total %d, want %d (match=all)", c.text, r.Total, n)
		}
		if r := mustSearch(t, ix, Query{Text: c.text, Sort: SortDateDesc, Match: MatchAny}); r.Total != res.Total {
			t.Errorf("%q sort=-date match=any: total %d, want %d", c.text, r.Total, res.Total)
		}
	}
	if _, err := ix.Search(t.Context(), Query{Text: "oil", Match: "most"}); err == nil || !strings.Contains(err.Error(), "accepted: any, all") {
		t.Errorf("match=most: error %v, want one naming any and all", err)
	}

	// More words than search.graded_max_words, or grading off: by score alone.
	o := DefaultOptions("")
	o.GradedMaxWords = 2
	short := builtIndex(t, o)
	res := mustSearch(t, short, Query{Text: "japan trade surplus", Size: 50})
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Score > res.Hits[i-1].Score {
			t.Errorf("3 words, graded_max_words 2: hit %d scores %g above hit %d's %g: want score order", i, res.Hits[i].Score, i-1, res.Hits[i-1].Score)
			break
		}
	}
	if g := allHits(t, ix, Query{Text: "japan trade surplus"}); uint64(len(g)) != res.Total {
		t.Errorf("japan trade surplus: graded lists %d, ungraded total %d: the same articles must be listed", len(g), res.Total)
	}
}

// TestPhraseOneSpan: a phrase is marked as one span in snippets and on the
// article page, where the marks count the phrase's occurrences.
func TestPhraseOneSpan(t *testing.T) {
	ix := testIndex(t)
	seed := "ironclad-friendship-cambodia"
	res := mustSearch(t, ix, Query{Text: `"Diamond Hexagon"`})
	if len(res.Hits) == 0 || res.Hits[0].ID != seed {
		t.Fatalf(`"Diamond Hexagon": ids %v, want %s`, ids(res), seed)
	}
	body := strings.Join(res.Hits[0].Highlights.Body, " ")
	if !strings.Contains(body, "<mark>Diamond Hexagon</mark>") || strings.Contains(body, "<mark>Diamond</mark>") {
		t.Errorf("snippets %q: want the phrase as one <mark>", body)
	}
	m, err := ix.MarkedArticle(t.Context(), seed, `"Diamond Hexagon"`, AllArticles())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Count(m.BodyHTML, "<mark>"), strings.Count(m.Body, "Diamond Hexagon"); got != want || got == 0 {
		t.Errorf("article page: %d marks, want one per occurrence of the phrase (%d)", got, want)
	}
	if n := strings.Count(m.BodyHTML, "<mark>Diamond Hexagon</mark>"); n != strings.Count(m.Body, "Diamond Hexagon") {
		t.Errorf("article page: the phrase is marked whole %d times", n)
	}
}
