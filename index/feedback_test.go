package index

import (
	"context"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFeedback: a natural-language query (7+ plain words) is reranked by
// the words of its best matches, with the same matches and total as
// without feedback, and snippets mark only the words searched for; a short
// query is untouched.
func TestFeedback(t *testing.T) {
	on := testIndex(t)
	o := DefaultOptions("")
	o.Feedback = "off"
	off := builtIndex(t, o)

	long := "what did the government say about oil prices and crude output this year"
	a := mustSearch(t, on, Query{Text: long, Size: 100})
	b := mustSearch(t, off, Query{Text: long, Size: 100})
	if a.Total == 0 || a.Total != b.Total {
		t.Fatalf("total %d with feedback, %d without: want the same, > 0", a.Total, b.Total)
	}
	idsOn, idsOff := allIDs(t, on, long, a.Total), allIDs(t, off, long, b.Total)
	slices.Sort(idsOn)
	slices.Sort(idsOff)
	if !slices.Equal(idsOn, idsOff) {
		t.Errorf("feedback changed the matches:\n on  %v\n off %v", idsOn, idsOff)
	}
	// The added terms score: some hit's score differs.
	scores := map[string]float64{}
	for _, h := range b.Hits {
		scores[h.ID] = h.Score
	}
	changed := false
	for _, h := range a.Hits {
		changed = changed || h.Score != scores[h.ID]
	}
	if !changed {
		t.Error("every score is the same with feedback as without: the query was not expanded")
	}
	// Snippets are those of the query without feedback: the added terms
	// are not marked, the query's words are.
	snippets := map[string]Highlights{}
	for _, h := range b.Hits {
		snippets[h.ID] = h.Highlights
	}
	compared := 0
	for _, h := range a.Hits {
		if want, ok := snippets[h.ID]; ok {
			compared++
			if diff := cmp.Diff(want, h.Highlights); diff != "" {
				t.Errorf("%s: snippets with feedback differ from those without (-without +with):\n%s", h.ID, diff)
			}
		}
	}
	if compared < 50 || !strings.Contains(strings.Join(a.Hits[0].Highlights.Body, ""), "<mark>") {
		t.Errorf("compared the snippets of %d hits (want 50+); first hit's body snippets %q must mark a query word", compared, a.Hits[0].Highlights.Body)
	}
	// Snippets mark only what the query's words analyse to.
	an := on.planner.Analyzers[""]
	want := map[string]bool{}
	for _, tok := range an.Analyze([]byte(long)) {
		want[string(tok.Term)] = true
	}
	mark := regexp.MustCompile(`<mark>([^<]*)</mark>`)
	for _, h := range a.Hits {
		for _, s := range append(slices.Clone(h.Highlights.Title), h.Highlights.Body...) {
			for _, m := range mark.FindAllStringSubmatch(s, -1) {
				for _, tok := range an.Analyze([]byte(html.UnescapeString(m[1]))) {
					if !want[string(tok.Term)] {
						t.Errorf("%s: snippet marks %q, which the query does not hold: %s", h.ID, m[1], s)
					}
				}
			}
		}
	}

	// Short queries: the same ids and scores with feedback on or off.
	for _, q := range []string{"oil prices", "government crude output this year"} {
		x, y := mustSearch(t, on, Query{Text: q, Size: 50}), mustSearch(t, off, Query{Text: q, Size: 50})
		if x.Total != y.Total || len(x.Hits) != len(y.Hits) {
			t.Fatalf("%q: total %d vs %d", q, x.Total, y.Total)
		}
		for i := range x.Hits {
			if x.Hits[i].ID != y.Hits[i].ID || x.Hits[i].Score != y.Hits[i].Score {
				t.Errorf("%q: hit %d is %s %g with feedback, %s %g without", q, i, x.Hits[i].ID, x.Hits[i].Score, y.Hits[i].ID, y.Hits[i].Score)
			}
		}
	}
}

// allIDs pages through every match of text (total of them).
func allIDs(t *testing.T, ix *Index, text string, total uint64) []string {
	var out []string
	for page := 1; uint64(len(out)) < total && page <= 100; page++ {
		out = append(out, ids(mustSearch(t, ix, Query{Text: text, Size: 100, Page: page}))...)
	}
	return out
}

// BenchmarkFeedbackReuters measures what feedback costs a natural-language
// query on the Reuters-21578 collection: the same 7+ word question with
// feedback on and off, and a short query (never expanded) for scale.
func BenchmarkFeedbackReuters(b *testing.B) {
	ix := keywordIndex(b, 1, needReuters(b, "nothing to measure"))
	for _, mode := range []string{"on", "off"} {
		ix.planner.Feedback.On = mode == "on" // between runs only: no search is running
		for _, c := range []struct{ name, q string }{
			{"question", "why did the opec countries decide to cut crude oil output in march"},
			{"keywords", "opec crude output"},
		} {
			b.Run(c.name+"_feedback_"+mode, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ix.Search(context.Background(), Query{Text: c.q}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
