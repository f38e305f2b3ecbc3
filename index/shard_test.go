package index

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestShardsAgree checks that splitting the index into shards changes
// nothing a user sees: a 3-shard index returns the same ids in the same
// order with the same scores (to 1e-9, relative) as a single one. BM25's
// document count and field lengths come from Folio's pre-search statistics;
// the document frequency of every term, and the terms a prefix, wildcard or
// fuzzy term expands to, come from all shards (engine.GlobalQuery). The
// indexes have synonyms, which engine.GlobalQuery must keep working.
func TestShardsAgree(t *testing.T) {
	groups := testSynonyms(t)
	build := func(shards int) *Index {
		opts := DefaultOptions("")
		opts.Shards = shards
		opts.Synonyms = groups
		ix := builtIndex(t, opts)
		if ix.Shards() != shards {
			t.Fatalf("Shards() = %d, want %d", ix.Shards(), shards)
		}
		return ix
	}
	one, three := build(1), build(3)
	type hit struct {
		ID    string
		Score float64
	}
	hits := func(r *Result) []hit {
		out := make([]hit, len(r.Hits))
		for i, h := range r.Hits {
			out[i] = hit{h.ID, h.Score}
		}
		return out
	}
	sameScore := cmp.Comparer(func(a, b float64) bool {
		return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
	})
	for _, q := range []Query{
		{Text: "oil prices"},                                // pure OR: all-words tier, then the rest
		{Text: "bank rate"},                                 //
		{Text: "company shares"},                            //
		{Text: "china cambodia"},                            // synonyms (PRC, Kampuchea)
		{Text: "Kampuchea"},                                 // only through its synonym
		{Text: "qtr net payout"},                            // words mostly in titles
		{Text: "stake sells"},                               //
		{Text: "+trade +deficit"},                           // required words
		{Text: "+oil -gas prices"},                          // required, excluded and optional
		{Text: `"Diamond Hexagon"`},                         // phrases
		{Text: `"crude oil" opec`},                          //
		{Text: "syndicated feed"},                           // hand-made articles
		{Text: "maintenance tonight"},                       //
		{Text: "canteen menu"},                              //
		{Text: "oil", From: "1987-03-01", To: "1987-03-31"}, // date filter
		{Text: "oil*"},                                      // prefix (a wildcard in bleve's syntax)
		{Text: "oill~1"},                                    // fuzzy expansion
		{Text: "oil prices", Size: 5, Page: 2},              // paging
		{Text: "oil", Sort: SortDateAsc},                    // by date
		{Sort: SortDateDesc},                                // browsing
	} {
		if q.Size == 0 {
			q.Size = 100
		}
		a, b := mustSearch(t, one, q), mustSearch(t, three, q)
		name := fmt.Sprintf("%+v", q)
		if a.Total != b.Total {
			t.Errorf("%s: total %d with 1 shard, %d with 3", name, a.Total, b.Total)
		}
		if len(a.Hits) == 0 {
			t.Errorf("%s: no hits; the case proves nothing", name)
		}
		if diff := cmp.Diff(hits(a), hits(b), sameScore); diff != "" {
			t.Errorf("%s: hits differ (-1 shard +3 shards):\n%s", name, diff)
		}
	}
	// Paging by cursor (SearchAfter) continues the same way.
	q := Query{Text: "oil prices", Size: 5}
	a, b := mustSearch(t, one, q), mustSearch(t, three, q)
	if a.Cursor == "" || b.Cursor == "" {
		t.Fatalf("%+v: no cursor", q)
	}
	a = mustSearch(t, one, Query{Text: q.Text, Size: q.Size, Cursor: a.Cursor})
	b = mustSearch(t, three, Query{Text: q.Text, Size: q.Size, Cursor: b.Cursor})
	if diff := cmp.Diff(hits(a), hits(b), sameScore); diff != "" {
		t.Errorf("cursor page: hits differ (-1 shard +3 shards):\n%s", diff)
	}
	// Related articles: a weighted query of the article's own terms.
	a, err := one.Related(context.Background(), "ironclad-friendship-cambodia", Query{Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	b, err = three.Related(context.Background(), "ironclad-friendship-cambodia", Query{Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(hits(a), hits(b), sameScore); len(a.Hits) == 0 || diff != "" {
		t.Errorf("Related: hits differ (-1 shard +3 shards):\n%s", diff)
	}
	// Suggestions expand the last word as a bleve prefix query.
	for _, text := range []string{"co", "ba", "ch", "new co", "oil pr"} {
		a, err := one.Suggest(context.Background(), text, MaxSuggestions, Visibility{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := three.Suggest(context.Background(), text, MaxSuggestions, Visibility{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("Suggest(%q) differs (-1 shard +3 shards):\n%s", text, diff)
		}
	}
	c1, _ := one.Count()
	c3, _ := three.Count()
	if c1 != c3 {
		t.Errorf("count %d vs %d", c1, c3)
	}
}
