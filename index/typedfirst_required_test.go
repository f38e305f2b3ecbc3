package index

import "testing"

// TestTypedFirstRequired: in a query with a required word, the articles
// matching an optional word as typed come before every article that
// matches the optional words only through a typo (or only the required
// word), whatever the scores; without typos the ranking is the score's.
func TestTypedFirstRequired(t *testing.T) {
	ix := testIndex(t)
	for _, c := range []struct {
		text  string
		typed []string // the optional words of text the index holds as typed
	}{
		{"+oil pricez markets", []string{"markets"}},
		{"+oil markets pricez", []string{"markets"}},
		{"+prices crued trade", []string{"trade"}},
		{"+trade goverment surplus", []string{"goverment", "surplus"}},
	} {
		typed := map[string]bool{}
		for _, w := range c.typed {
			for id := range holding(t, ix, `"`+w+`"`) { // a phrase: as typed, no typos
				typed[id] = true
			}
		}
		got := allHits(t, ix, Query{Text: c.text})
		// The first article not matching an optional word as typed.
		if first := typedBefore(t, c.text, got, typed); first == 0 || first == len(got) {
			t.Errorf("%q: %d hits, first without a typed optional word at %d: the query shows nothing", c.text, len(got), first)
		}
	}
}
