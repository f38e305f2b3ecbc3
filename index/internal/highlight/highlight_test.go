package highlight

import (
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/folio-search/folio/index/internal/schema"
)

// TestOpening: the opening is escaped and cut at a space near n runes.
func TestOpening(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		n          int
		want       string
	}{
		{"short", "Tom & Jerry", 20, "Tom &amp; Jerry"},
		{"exact", "abcde", 5, "abcde"},
		{"cut at a space", "one two three four", 10, "one two…"},
		{"cut at the last space before n", "one two   three", 9, "one two…"},
		{"no space in the second half", "one " + strings.Repeat("x", 20), 10, "one xxxxxx…"},
		{"runes, not bytes", "éé éé éé", 6, "éé éé…"},
		{"escaped after the cut", "<b> <i> <u>", 8, "&lt;b&gt; &lt;i&gt;…"},
		{"one rune more than n", "abcdef", 5, "abcde…"},
		{"wide space in the second half", "一二三四\u3000五六七八九", 7, "一二三四…"},
		{"long body, only its start read", "word " + strings.Repeat("é", 1<<20), 8, "word ééé…"},
	} {
		if got := Opening(tt.body, tt.n); got != tt.want {
			t.Errorf("%s: Opening(%q, %d) = %q, want %q", tt.name, tt.body, tt.n, got, tt.want)
		}
	}
}

// TestSplitLocations: locations in the text go to the title before the
// separator and to the body, shifted, after it.
func TestSplitLocations(t *testing.T) {
	title := "Oil prices" // the text is "Oil prices\nOil rose"
	dm := &search.DocumentMatch{Locations: search.FieldTermLocationMap{schema.Text: {
		"oil": {{Start: 0, End: 3}, {Start: 11, End: 14}},
	}}}
	SplitLocations(dm, len(title))
	if _, ok := dm.Locations[schema.Text]; ok {
		t.Error("text locations left in place")
	}
	if l := dm.Locations[schema.Title]["oil"]; len(l) != 1 || l[0].Start != 0 || l[0].End != 3 {
		t.Errorf("title locations %+v, want [0, 3)", l)
	}
	if l := dm.Locations[schema.Body]["oil"]; len(l) != 1 || l[0].Start != 0 || l[0].End != 3 {
		t.Errorf("body locations %+v, want [0, 3)", l)
	}
}

// TestLastSentenceEnd finds the space after the last sentence end.
func TestLastSentenceEnd(t *testing.T) {
	for b, want := range map[string]int{"": -1, "no end": -1, "One. Two! Three": 9, "Why? x": 4, "a.b": -1} {
		if got := lastSentenceEnd([]byte(b)); got != want {
			t.Errorf("lastSentenceEnd(%q) = %d, want %d", b, got, want)
		}
	}
}

func TestJoinAdjacent(t *testing.T) {
	for in, want := range map[string]string{
		"the <mark>Diamond</mark> <mark>Hexagon</mark> plan":       "the <mark>Diamond Hexagon</mark> plan",
		"<mark>a</mark>  <mark>b</mark>\t<mark>c</mark>":           "<mark>a  b\tc</mark>",
		"<mark>Diamond</mark>, <mark>Hexagon</mark>":               "<mark>Diamond</mark>, <mark>Hexagon</mark>",
		"<mark>Diamond</mark><mark>Hexagon</mark>":                 "<mark>Diamond</mark><mark>Hexagon</mark>",
		"<mark>one</mark> and <mark>two</mark> <mark>three</mark>": "<mark>one</mark> and <mark>two three</mark>",
		"no marks":        "no marks",
		"<mark>x</mark> ": "<mark>x</mark> ",
	} {
		if got := JoinAdjacent(in); got != want {
			t.Errorf("JoinAdjacent(%q) = %q, want %q", in, got, want)
		}
	}
}
