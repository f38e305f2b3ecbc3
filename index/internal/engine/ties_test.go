package engine

import (
	"testing"

	"github.com/blevesearch/bleve/v2/search"
)

func TestTieSlack(t *testing.T) {
	var r TieRuns
	for _, c := range []struct {
		observe []int
		slack   int
		ok      bool
	}{
		{nil, minTieSlack, true},
		{[]int{10}, 23, true},                     // 1.5×10 + 8
		{[]int{0, 0}, 23, true},                   // 10 × 0.97² = 9.409: ceil(14.1) + 8
		{[]int{600}, 0, false},                    // past the largest slack
		{[]int{0, 0, 0, 0, 0}, maxTieSlack, true}, // 600 × 0.97⁶ ≈ 500: below the largest slack again
	} {
		for _, n := range c.observe {
			r.Observe(n)
		}
		if s, ok := r.Slack(); s != c.slack || ok != c.ok {
			t.Errorf("after %v: slack %d, %v; want %d, %v", c.observe, s, ok, c.slack, c.ok)
		}
	}
}

func TestTiesResolved(t *testing.T) {
	hits := func(scores ...float64) search.DocumentMatchCollection {
		out := make(search.DocumentMatchCollection, len(scores))
		for i, s := range scores {
			out[i] = &search.DocumentMatch{Score: s}
		}
		return out
	}
	for _, c := range []struct {
		hits  search.DocumentMatchCollection
		end   int
		total uint64
		want  bool
	}{
		{hits(3, 2, 2, 1), 2, 9, true},  // the deepest hit scores below the window's last
		{hits(3, 2, 2, 2), 2, 9, false}, // a tie may go on past what was fetched
		{hits(3, 2, 2, 2), 2, 4, true},  // everything was fetched
		{hits(3, 2), 5, 2, true},        // fewer matches than the window
		{hits(2, 2, 2, 2), 4, 9, false}, // nothing beyond the window
	} {
		if got := TiesResolved(c.hits, c.end, c.total); got != c.want {
			t.Errorf("TiesResolved(%d hits, end %d, total %d) = %v, want %v", len(c.hits), c.end, c.total, got, c.want)
		}
	}
}
