package engine

import (
	"math"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/search"
)

// TiesResolved reports whether hits, the highest-scoring of total matches
// in score order with ties in any order, hold every match that belongs in
// the first end positions of the score-then-id order.
func TiesResolved(hits search.DocumentMatchCollection, end int, total uint64) bool {
	if uint64(len(hits)) >= total || len(hits) <= end {
		return uint64(len(hits)) >= total
	}
	return hits[len(hits)-1].Score < hits[end-1].Score
}

// TieReach is how many of hits (in score order) after the first end score
// the same as the last of those: how deep a tie ran past the window's end.
func TieReach(hits search.DocumentMatchCollection, end int) int {
	if end < 1 || end >= len(hits) {
		return 0
	}
	n := 0
	for _, h := range hits[end:] {
		if h.Score != hits[end-1].Score {
			break
		}
		n++
	}
	return n
}

// Bounds of the slack of relevance windows.
const (
	minTieSlack = 8
	maxTieSlack = 512
)

// TieRuns follows how deep runs of equal scores reach past the end of
// relevance windows, to size the slack of the next ones: a few hits on a
// corpus of distinct articles (Reuters needs more than 16 for 0.4% of its
// query log), the number of copies on one that holds each article many
// times. Each slack hit costs the collector its locations, so the slack
// is kept as small as the recent ties allow. The reach is a maximum that
// decays by 3% per search; it is updated without locks, and a lost update
// only costs a search its speed, never its order. The zero value is ready
// to use.
type TieRuns struct{ reach atomic.Uint64 } // float64 bits

// Slack is the slack for the next window, and false when recent ties ran
// past the largest slack: then the window is best searched in the exact
// order at once (which still lets the reach decay).
func (t *TieRuns) Slack() (int, bool) {
	r := math.Float64frombits(t.reach.Load())
	if r > maxTieSlack {
		t.Observe(0)
		return 0, false
	}
	return min(maxTieSlack, max(minTieSlack, int(math.Ceil(1.5*r))+minTieSlack)), true
}

// Observe records that a tie reached n hits past a window's end.
func (t *TieRuns) Observe(n int) {
	for {
		old := t.reach.Load()
		next := max(float64(n), 0.97*math.Float64frombits(old))
		if t.reach.CompareAndSwap(old, math.Float64bits(next)) {
			return
		}
	}
}

// Reach is the current (decayed) reach of recent ties.
func (t *TieRuns) Reach() float64 { return math.Float64frombits(t.reach.Load()) }

// SetReach replaces the reach of recent ties with r (tests choose the path
// of the next window with it).
func (t *TieRuns) SetReach(r float64) { t.reach.Store(math.Float64bits(r)) }
