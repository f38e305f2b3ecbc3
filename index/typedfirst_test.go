package index

import (
	"slices"
	"testing"
)

// TestTypedFirstLong: a query of more words than search.graded_max_words
// is ranked by score, except that every article matching a word of it as
// typed is listed before every article matching only through a typo,
// although the typo's article scores more than some of them (a rare word
// one edit away); total counts both, and cursor pages walk the same list.
func TestTypedFirstLong(t *testing.T) {
	ix := testIndex(t)
	for _, c := range []struct {
		text  string
		typed []string // the words of text the index holds as typed
		only  string   // an article matching only through the typo
	}{
		{"vegetarain oil prices trade", []string{"oil", "prices", "trade"}, "canteen-menu-crlf"},
		{"vegetarain oil prices trade year", []string{"oil", "prices", "trade", "year"}, "canteen-menu-crlf"},
		{"Vegetarain lasagne oil prices trade year", []string{"lasagne", "oil", "prices", "trade", "year"}, ""},
	} {
		typed := map[string]bool{}
		for _, w := range c.typed {
			for id := range holding(t, ix, w) {
				typed[id] = true
			}
		}
		got := allHits(t, ix, Query{Text: c.text})
		score := map[string]float64{}
		for page := 1; page <= 5; page++ {
			res := mustSearch(t, ix, Query{Text: c.text, Size: 100, Page: page})
			if page == 1 && uint64(len(got)) != res.Total {
				t.Errorf("%q: %d hits paged, total %d", c.text, len(got), res.Total)
			}
			for _, h := range res.Hits {
				score[h.ID] = h.Score
			}
		}
		first := typedBefore(t, c.text, got, typed) // the first article matching only through a typo
		if c.only == "" {
			continue
		}
		at := slices.Index(got, c.only)
		if at < 0 || at < first {
			t.Fatalf("%q: %s at %d, want it among the typo's articles from %d (%v)", c.text, c.only, at, first, got)
		}
		// ... although score alone would rank it above articles matching as typed.
		if s, last := score[c.only], score[got[first-1]]; s <= last {
			t.Errorf("%q: %s scores %g, not above the last typed article's %g: the test shows nothing", c.text, c.only, s, last)
		}
		var walked []string
		q := Query{Text: c.text, Size: 7}
		for range 50 {
			r := mustSearch(t, ix, q)
			walked = append(walked, ids(r)...)
			if q.Cursor = r.Cursor; q.Cursor == "" {
				break
			}
		}
		if !slices.Equal(walked, got) {
			t.Errorf("%q: cursor pages %v, numbered pages %v", c.text, walked, got)
		}
	}
}

// typedBefore reports an error unless every article of got in typed (those
// matching a word as typed) comes before every other one of got, and
// returns where the others begin (len(got) when there are none).
func typedBefore(t *testing.T, text string, got []string, typed map[string]bool) int {
	t.Helper()
	first := len(got)
	for i, id := range got {
		if !typed[id] && first == len(got) {
			first = i
		}
		if typed[id] && first < len(got) {
			t.Errorf("%q: hit %d (%s) matches a word as typed, after %s (hit %d), which does not", text, i, id, got[first], first)
			break
		}
	}
	return first
}
