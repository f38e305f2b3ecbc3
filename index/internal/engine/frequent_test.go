package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/google/go-cmp/cmp"
)

func TestWithinTwo(t *testing.T) {
	rows := make([]int, 64)
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"govern", "govern", 0},
		{"gover", "govern", 1},    // an insertion
		{"diamnod", "diamond", 1}, // an adjacent swap
		{"pricez", "price", 1},
		{"pricez", "pric", 2},
		{"oill", "oil", 1},
		{"abcd", "badc", 2}, // two swaps
		{"beetl", "meet", 2},
		{"sico", "said", 3},
		{"a", "zzzz", 3},
		{"", "ab", 2},
	} {
		if got := withinTwo([]rune(c.a), []rune(c.b), rows); got != c.want {
			t.Errorf("withinTwo(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestFrequentNear: the list holds the terms Min documents of all shards
// hold (also one each shard holds below Min), is kept while there are no
// writes or for Refresh after one, and built again after that.
func TestFrequentNear(t *testing.T) {
	shards := memShards(t, bleve.NewIndexMapping(), 2)
	put := func(shard int, id, text string) {
		t.Helper()
		if err := shards[shard].Index(id, map[string]any{"text": text}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 { // "govern" in 4 documents, 2 per shard
		put(i%2, fmt.Sprint("g", i), "govern price")
	}
	put(0, "x1", "gover price prices") // "gover" once; "price" in 5, "prices" once
	f := &Frequent{Field: "text", Min: 3, Refresh: time.Hour}
	near := func(term string, edits int) []Near {
		t.Helper()
		d := NewDict(shards)
		defer d.Close()
		got, err := f.Near(d, term, edits)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []Near{{Correction{"govern", 4}, 1}}
	if diff := cmp.Diff(want, near("gover", 1)); diff != "" {
		t.Errorf("near gover (-want +got):\n%s", diff)
	}
	want = []Near{{Correction{"price", 5}, 2}}
	if diff := cmp.Diff(want, near("prizes", 2)); diff != "" {
		t.Errorf("near prizes (-want +got):\n%s", diff)
	}
	if got := near("prizes", 1); len(got) != 0 {
		t.Errorf("near prizes within one edit: %v, want none", got)
	}
	// "prices" becomes frequent: not listed until a write and Refresh.
	put(1, "p1", "prices")
	put(1, "p2", "prices")
	if got := near("pricez", 1); len(got) != 1 || got[0].Term != "price" {
		t.Errorf("near pricez before Changed: %v, want only price", got)
	}
	f.Changed()
	if got := near("pricez", 1); len(got) != 1 {
		t.Errorf("near pricez within Refresh of the build: %v, want only price", got)
	}
	f.Refresh = 0
	want = []Near{{Correction{"price", 5}, 1}, {Correction{"prices", 3}, 1}}
	if diff := cmp.Diff(want, near("pricez", 1)); diff != "" {
		t.Errorf("near pricez after a write and Refresh (-want +got):\n%s", diff)
	}
	// Respellings: those of Near within one edit with the same first letter.
	for i := range 3 {
		put(i%2, fmt.Sprint("r", i), "rice")
	}
	d := NewDict(shards)
	defer d.Close()
	for _, term := range []string{"pricez", "price", "prcie", "rices", "gover", "p", ""} {
		var want []Near
		for _, n := range near(term, 1) {
			if term != "" && n.Term[0] == term[0] {
				want = append(want, n)
			}
		}
		got, err := f.Respellings(d, term)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("respellings of %q (-want +got):\n%s", term, diff)
		}
	}
}
