package suggest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
)

// memShards returns n in-memory shards; title i goes to shard i%n.
func memShards(t *testing.T, n int, titles []string) []bleve.Index {
	t.Helper()
	shards := make([]bleve.Index, n)
	for i := range shards {
		s, err := bleve.NewMemOnly(bleve.NewIndexMapping())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		shards[i] = s
	}
	for i, title := range titles {
		if err := shards[i%n].Index(fmt.Sprint(i), map[string]any{"title": title}); err != nil {
			t.Fatal(err)
		}
	}
	return shards
}

// Completions counts a term over every shard, keeps the MaxCompletions most
// frequent (then in term order) and reads nothing without the prefix.
func TestCompletions(t *testing.T) {
	var titles []string
	for i := range 100 {
		titles = append(titles, fmt.Sprintf("zq%03d", i))
	}
	titles = append(titles, "zqb zqa", "zqb zqa", "zqb", "other")
	shards := memShards(t, 3, titles)
	got, err := Completions(shards, "title", "zq")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxCompletions || got[0] != "zqb" || got[1] != "zqa" || got[2] != "zq000" || got[MaxCompletions-1] != "zq061" {
		t.Fatalf("Completions(zq) = %q (%d), want zqb, zqa, zq000 … zq061", got, len(got))
	}
	if got, err := Completions(shards, "title", "none"); err != nil || len(got) != 0 {
		t.Fatalf("Completions(none) = %q, %v; want none", got, err)
	}
}

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		text, last string
		words      []string
	}{
		{"", "", nil},
		{"   ", "", nil},
		{"Oil", "oil", nil},
		{"Oil ", "", []string{"Oil"}},
		{"crude Oil", "oil", []string{"crude"}},
		{" crude  oil\t", "", []string{"crude", "oil"}},
	} {
		words, last := Split(c.text)
		if !slices.Equal(words, c.words) || last != c.last {
			t.Errorf("Split(%q) = %q, %q; want %q, %q", c.text, words, last, c.words, c.last)
		}
	}
}

func TestTitles(t *testing.T) {
	hit := func(title any) *search.DocumentMatch {
		return &search.DocumentMatch{Fields: map[string]any{"title": title}}
	}
	hits := search.DocumentMatchCollection{hit("Oil"), hit(" oil "), hit(""), hit(7), hit("Gold"), hit("Wheat")}
	if got := Titles(hits, "title", 2); !slices.Equal(got, []string{"Oil", "Gold"}) {
		t.Fatalf("Titles = %q, want Oil, Gold", got)
	}
	if got := Titles(nil, "title", 3); got == nil || len(got) != 0 {
		t.Fatalf("Titles(nil) = %#v, want an empty list", got)
	}
}

func TestSurface(t *testing.T) {
	for _, c := range []struct {
		start, end uint64
		want       string
	}{{0, 6, "Prices"}, {7, 11, "rose"}, {7, 12, ""}, {3, 3, ""}, {4, 2, ""}} {
		if got := Surface("Prices rose", &search.Location{Start: c.start, End: c.end}); got != c.want {
			t.Errorf("Surface(%d, %d) = %q, want %q", c.start, c.end, got, c.want)
		}
	}
}

// Distinctive weighs an article's terms by tf × idf over every shard and
// leaves out the terms no other document holds; MoreLikeThis searches them
// boosted by weight, the article itself excluded.
func TestDistinctiveAndMoreLikeThis(t *testing.T) {
	shards := memShards(t, 2, []string{"oil crude unique", "oil", "crude gold", "gold"})
	an := shards[0].Mapping().AnalyzerNamed("standard")
	ctx := context.Background()
	terms, err := Distinctive(ctx, shards, an, "title", "Oil oil crude unique", 4, 5)
	want := []Term{{"oil", 2 * math.Log(2)}, {"crude", math.Log(2)}}
	if err != nil || !slices.Equal(terms, want) {
		t.Fatalf("Distinctive = %v, %v; want %v", terms, err, want)
	}
	if terms, err := Distinctive(ctx, shards, an, "title", "Oil oil crude unique", 4, 1); err != nil || !slices.Equal(terms, want[:1]) {
		t.Fatalf("Distinctive(limit 1) = %v, %v; want %v", terms, err, want[:1])
	}
	res, err := bleve.NewIndexAlias(shards...).Search(bleve.NewSearchRequest(MoreLikeThis(want, "title", "0")))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	if !slices.Equal(ids, []string{"1", "2"}) {
		t.Fatalf("MoreLikeThis found %q, want 1 (oil), 2 (crude)", ids)
	}
	if q := MoreLikeThis(nil, "title", "0"); q != nil {
		t.Fatalf("MoreLikeThis(no terms) = %v, want nil", q)
	}
	if q := MoreLikeThis([]Term{{"oil", 0}}, "title", "0"); q != nil {
		t.Fatalf("MoreLikeThis(weightless) = %v, want nil", q)
	}
}

func TestCorrectionWords(t *testing.T) {
	text := `+oill "oil pricez" -gas title:crude pric* fuel~1 Goverment`
	var got []string
	for _, w := range Words(text, true, 64) {
		got = append(got, text[w.Start:w.End])
	}
	if want := []string{"oill", "oil", "pricez", "crude", "Goverment"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Words = %q, want %q", got, want)
	}
	forms := map[string]int{"price": 9, "prices": 5, "priced": 1}
	if got := Nearest("pricez", forms); got != "prices" {
		t.Errorf("Nearest(pricez) = %q, want prices (z is next to s)", got)
	}
	if got := Nearest("oill", map[string]int{"oil": 9, "oils": 2}); got != "oil" {
		t.Errorf("Nearest(oill) = %q, want oil (a doubled letter)", got)
	}
	if got := Cased("government", "Goverment"); got != "Government" {
		t.Errorf("Cased = %q", got)
	}
	if d := EditDistance("diamnod", "diamond"); d != 1 {
		t.Errorf("EditDistance(diamnod, diamond) = %d, want 1 (a swap)", d)
	}
}
