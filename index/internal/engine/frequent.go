package engine

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Frequent is the list of one field's frequent terms (those at least Min
// documents hold), built from the dictionaries on first use and kept for
// the life of a generation. Did you mean asks it for the terms near a word
// the index holds in a few articles only: a correction of such a word has
// to be far more frequent than the word, so it is one of these, and
// looking through a list of frequent terms costs a fraction of a fuzzy
// walk over the whole dictionary. After writes (Changed) the list is built
// again, at most once per Refresh, on the next use: the counts of its
// terms may be that old, and a term that became frequent since then is
// missed until then (callers count the terms they keep again). It is safe
// for concurrent use.
type Frequent struct {
	Field   string
	Min     uint64        // the fewest documents holding a listed term
	Refresh time.Duration // the least time between two builds after writes

	writes  atomic.Uint64 // Changed calls
	buildMu sync.Mutex    // one build at a time
	list    atomic.Pointer[frequentList]
}

// frequentList is one build of a Frequent list.
type frequentList struct {
	terms []frequentTerm // most frequent first
	// starts are the indexes in terms of the terms of each first letter
	// and length (in runes), in the order of terms.
	starts map[start][]int
	// floor: every term at least floor documents held at the build is
	// listed; 0 when the list may lack some (the dictionary read was cut).
	floor  uint64
	writes uint64 // Frequent.writes when the build began
	built  time.Time
}

// start is a term's first letter and length.
type start struct {
	first rune
	n     int
}

type frequentTerm struct {
	runes []rune
	Correction
}

// maxFrequentTerms bounds a Frequent list (the most frequent are kept).
const maxFrequentTerms = 50_000

// Changed records a write: the list is built again on a use at least
// Refresh after the last build.
func (f *Frequent) Changed() { f.writes.Add(1) }

// Near are the listed terms other than term within edits (1 or 2) of it
// (an adjacent swap is one edit), with their distance, most frequent first.
func (f *Frequent) Near(d *Dict, term string, edits int) ([]Near, error) {
	l, err := f.current(d)
	if err != nil {
		return nil, err
	}
	tr := []rune(term)
	var out []Near
	rows := make([]int, 3*(len(tr)+1))
	for _, t := range l.terms {
		if n := len(t.runes); n < len(tr)-edits || n > len(tr)+edits || t.Term == term {
			continue
		}
		if e := withinTwo(tr, t.runes, rows); e <= edits {
			out = append(out, Near{Correction: t.Correction, Edits: e})
		}
	}
	return out, nil
}

// Respellings are the listed terms other than term one edit away from it
// (an adjacent swap is one edit) that begin with its first letter, most
// frequent first: what Near(d, term, 1) has of them, looked up among the
// terms of that letter and of a length one edit allows, not over the list.
func (f *Frequent) Respellings(d *Dict, term string) ([]Near, error) {
	l, err := f.current(d)
	if err != nil || term == "" {
		return nil, err
	}
	tr := []rune(term)
	var at []int // indexes of the candidates in l.terms
	for n := len(tr) - 1; n <= len(tr)+1; n++ {
		at = append(at, l.starts[start{tr[0], n}]...)
	}
	slices.Sort(at) // most frequent first, as l.terms
	var out []Near
	rows := make([]int, 3*(len(tr)+1))
	for _, i := range at {
		t := l.terms[i]
		if t.Term != term && withinTwo(tr, t.runes, rows) <= 1 {
			out = append(out, Near{Correction: t.Correction, Edits: 1})
		}
	}
	return out, nil
}

// Floor is the fewest documents that make a term listed: every term that
// at least Floor documents held when the list in use was built is in it;
// 0 when the list may lack some (its bound on the terms read was reached).
func (f *Frequent) Floor(d *Dict) (uint64, error) {
	l, err := f.current(d)
	if err != nil {
		return 0, err
	}
	return l.floor, nil
}

// Near is a term near another one.
type Near struct {
	Correction
	Edits int // 1 or 2; an adjacent swap is 1
}

// current is the list to use now: built when there is none, or when there
// were writes since the last build and it is Refresh old (a search that
// finds another building it uses the old one meanwhile).
func (f *Frequent) current(d *Dict) (*frequentList, error) {
	l := f.list.Load()
	if l != nil && (l.writes == f.writes.Load() || time.Since(l.built) < f.Refresh) {
		return l, nil
	}
	if l != nil {
		if !f.buildMu.TryLock() {
			return l, nil
		}
	} else {
		f.buildMu.Lock()
	}
	defer f.buildMu.Unlock()
	if n := f.list.Load(); n != l { // another built it meanwhile
		return n, nil
	}
	n, err := f.build(d)
	if err != nil {
		return nil, err
	}
	f.list.Store(n)
	return n, nil
}

// build reads the field's dictionaries: a term at least Min documents of
// all shards hold has at least Min/shards in one of them; those are
// counted again over all shards when there are several.
func (f *Frequent) build(d *Dict) (*frequentList, error) {
	l := &frequentList{writes: f.writes.Load(), built: time.Now()}
	if err := d.open(); err != nil {
		return nil, err
	}
	shards := uint64(len(d.readers))
	perShard := max((f.Min+shards-1)/max(shards, 1), 1)
	counts := map[string]uint64{}
	whole := true // every shard's dictionary was read to its end
	for _, r := range d.readers {
		all, err := frequentTerms(r, f.Field, perShard, counts)
		if err != nil {
			return nil, err
		}
		whole = whole && all
	}
	for t, n := range counts {
		if shards > 1 {
			var err error
			if n, err = DocFreq(context.Background(), d.readers, f.Field, t); err != nil {
				return nil, err
			}
		}
		if n >= f.Min {
			l.terms = append(l.terms, frequentTerm{runes: []rune(t), Correction: Correction{Term: t, Count: n}})
		}
	}
	slices.SortFunc(l.terms, func(a, b frequentTerm) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Term, b.Term))
	})
	if whole {
		l.floor = f.Min
		if len(l.terms) > maxFrequentTerms { // terms as frequent as the last kept may be left out
			l.floor = l.terms[maxFrequentTerms-1].Count + 1
		}
	}
	l.terms = l.terms[:min(len(l.terms), maxFrequentTerms)]
	l.starts = map[start][]int{}
	for i, t := range l.terms {
		if len(t.runes) > 0 {
			k := start{t.runes[0], len(t.runes)}
			l.starts[k] = append(l.starts[k], i)
		}
	}
	return l, nil
}

// frequentTerms adds to counts the terms of r's field that at least min of
// its documents hold (at most 4×maxFrequentTerms terms in all), and
// reports whether it read the whole dictionary (not stopped by that bound).
func frequentTerms(r bleveindex.IndexReader, field string, min uint64, counts map[string]uint64) (whole bool, err error) {
	fd, err := r.FieldDict(field)
	if err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, fd.Close()) }()
	for len(counts) < 4*maxFrequentTerms {
		e, err := fd.Next()
		if err != nil || e == nil {
			return err == nil, err
		}
		if e.Count >= min {
			counts[e.Term] += e.Count
		}
	}
	return false, nil
}

// withinTwo is the edit distance of a and b (an adjacent swap is one
// edit) when it is at most 2, else 3; rows is scratch space of at least
// 3×(len(a)+1) ints.
func withinTwo(a, b []rune, rows []int) int {
	n := len(a) + 1
	prev2, prev, cur := rows[:n], rows[n:2*n], rows[2*n:3*n]
	for i := range prev {
		prev[i] = i
	}
	for j := 1; j <= len(b); j++ {
		cur[0] = j
		best := j
		for i := 1; i < n; i++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[i]+1, cur[i-1]+1, prev[i-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[i-2]+1)
			}
			cur[i] = v
			best = min(best, v)
		}
		if best > 2 {
			return 3
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[n-1], 3)
}
