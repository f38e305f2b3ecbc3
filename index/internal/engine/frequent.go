package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Frequent is the list of one field's frequent terms (those at least min
// documents hold: see NewFrequent) of a generation. Did you mean asks it for
// the terms near a word the index holds in a few articles only: a
// correction of such a word has to be far more frequent than the word, so
// it is one of these, and looking through a list of frequent terms costs a
// fraction of a fuzzy walk over the whole dictionary.
//
// The list is built off the search path, in the background, one build at a
// time (a read of the field's dictionaries: about 60 ms on Reuters): Warm
// starts the first build when the generation is opened or swapped in;
// after writes (Changed) a use (List) that finds the list in use built at
// least refresh ago starts the next one, so at most one build runs per
// refresh. Searches never wait for a build: they keep using the previous
// list meanwhile (the counts of its terms may be that old, and a term that
// became frequent since is missed until the build is done: callers count
// the terms they keep again), and before the first build is done List is
// nil and callers do without the list (did you mean walks the dictionary
// instead: the same answers within the walk's bounds, a few milliseconds
// more). A build that fails (or panics) leaves the list as it was; the
// next is tried a refresh later.
//
// A build holds a reference to the generation's shards (Refs) and reads
// them through readers of its own; Stop cancels it and waits for it to end,
// and the owner calls Stop before it releases its own reference, so that
// closing a generation never waits for a build nor leaves one running. It is
// safe for concurrent use.
type Frequent struct {
	field  string
	min    uint64 // the fewest documents holding a listed term
	shards []bleve.Index
	refs   *Refs // held by a running build

	refresh atomic.Int64  // the least time between two builds after writes
	writes  atomic.Uint64 // Changed calls
	list    atomic.Pointer[FrequentList]
	ready   chan struct{} // closed when the first list is in use

	ctx    context.Context // ends at Stop: cancels the running build
	cancel context.CancelFunc
	wg     sync.WaitGroup // the running build's goroutine

	mu       sync.Mutex // guards what follows
	building bool       // a build runs
	stopped  bool       // Stop was called: no build starts
	failed   time.Time  // when the last build failed; zero after a success
	hooks    FrequentHooks
}

// FrequentHooks are called by the builds of a Frequent at fixed points so
// that tests can order them; zero (no calls) outside tests.
type FrequentHooks struct {
	// Building is called when a build starts, with its context (cancelled by
	// Stop), before it reads the dictionaries.
	Building func(ctx context.Context)
	// Built is called when a build ends, with its error (nil: its list is
	// in use), before Stop can return.
	Built func(err error)
}

// FrequentList is one build of a Frequent list. Its methods answer as an
// empty list (and Floor 0) on a nil list: no list is built yet.
type FrequentList struct {
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

// NewFrequent is the (not yet built) list of the terms of field that at
// least min documents of shards hold, built again at most every refresh
// after writes; builds hold a reference of refs, the shards' count.
func NewFrequent(field string, min uint64, refresh time.Duration, shards []bleve.Index, refs *Refs) *Frequent {
	f := &Frequent{field: field, min: min, shards: shards, refs: refs, ready: make(chan struct{})}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	f.refresh.Store(int64(refresh))
	return f
}

// SetRefresh sets the least time between two builds after writes.
func (f *Frequent) SetRefresh(d time.Duration) { f.refresh.Store(int64(d)) }

// SetHooks sets the hooks of the builds started from now on.
func (f *Frequent) SetHooks(h FrequentHooks) {
	f.mu.Lock()
	f.hooks = h
	f.mu.Unlock()
}

// Changed records a write: the list is built again, in the background, on
// a use at least refresh after the last build.
func (f *Frequent) Changed() { f.writes.Add(1) }

// Warm starts building the list in the background unless a build runs or
// f was stopped. The caller holds the owner's lock and the shards are
// current (see Refs.Acquire), or no one else has them yet.
func (f *Frequent) Warm() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.startLocked()
}

// List is the list in use, nil before the first build is done; it never
// waits for a build. When there is none, or there were writes since the
// one in use was built at least refresh ago, it starts a build in the
// background (unless one runs, or one failed within refresh). The caller holds the
// owner's lock and the shards are current (see Refs.Acquire).
func (f *Frequent) List() *FrequentList {
	if f == nil { // a closed generation's
		return nil
	}
	l := f.list.Load()
	if l != nil && (l.writes == f.writes.Load() || time.Since(l.built) < f.refreshEvery()) {
		return l
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed.IsZero() || time.Since(f.failed) >= f.refreshEvery() {
		f.startLocked()
	}
	return l
}

// Ready is closed once a list is in use.
func (f *Frequent) Ready() <-chan struct{} { return f.ready }

// Stop cancels the running build, waits for it to end, and starts none
// from then on. The owner calls it before releasing its reference to the
// shards.
func (f *Frequent) Stop() {
	f.mu.Lock()
	f.stopped = true
	f.mu.Unlock()
	f.cancel()
	f.wg.Wait()
}

// refreshEvery is the least time between two builds after writes.
func (f *Frequent) refreshEvery() time.Duration { return time.Duration(f.refresh.Load()) }

// startLocked starts a build in the background unless one runs or f was
// stopped; the build holds a reference to the shards. The caller holds f.mu.
func (f *Frequent) startLocked() {
	if f.building || f.stopped {
		return
	}
	f.building = true
	f.refs.Acquire()
	f.wg.Add(1)
	hooks := f.hooks
	go func() {
		defer f.wg.Done()
		l, err := f.build(f.ctx, hooks.Building)
		f.refs.Release() // never the last: the owner releases its own after Stop
		f.mu.Lock()
		f.building = false
		f.failed = time.Time{}
		if err != nil {
			f.failed = time.Now()
		} else if f.list.Swap(l) == nil {
			close(f.ready)
		}
		f.mu.Unlock()
		if hooks.Built != nil {
			hooks.Built(err)
		}
	}()
}

// Near are the listed terms other than term within edits (1 or 2) of it
// (an adjacent swap is one edit), with their distance, most frequent first.
func (l *FrequentList) Near(term string, edits int) []Near {
	if l == nil {
		return nil
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
	return out
}

// Respellings are the listed terms other than term one edit away from it
// (an adjacent swap is one edit) that begin with its first letter, most
// frequent first: what Near(term, 1) has of them, looked up among the
// terms of that letter and of a length one edit allows, not over the list.
func (l *FrequentList) Respellings(term string) []Near {
	if l == nil || term == "" {
		return nil
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
	return out
}

// Floor is the fewest documents that make a term listed: every term that
// at least Floor documents held when l was built is in it; 0 when it may
// lack some (its bound on the terms read was reached) or l is nil.
func (l *FrequentList) Floor() uint64 {
	if l == nil {
		return 0
	}
	return l.floor
}

// Near is a term near another one.
type Near struct {
	Correction
	Edits int // 1 or 2; an adjacent swap is 1
}

// build reads the field's dictionaries through readers of its own (hook,
// when not nil, is called first): a term at least min documents of all
// shards hold has at least min/shards in one of them; those are counted
// again over all shards when there are several. It stops with ctx's error
// when ctx ends. A panic of bleve (scorch's readers of a closed shard, kept
// as a ClosedShard after a failed write, panic) is its error: it runs in
// the background, where a panic would end the process.
func (f *Frequent) build(ctx context.Context, hook func(context.Context)) (_ *FrequentList, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("build the list of frequent terms of %s: %v", f.field, r)
		}
	}()
	l := &FrequentList{writes: f.writes.Load(), built: time.Now()}
	if hook != nil {
		hook(ctx)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := NewDict(f.shards)
	defer func() { err = errors.Join(err, d.Close()) }()
	if err := d.open(); err != nil {
		return nil, err
	}
	shards := uint64(len(d.readers))
	perShard := max((f.min+shards-1)/max(shards, 1), 1)
	counts := map[string]uint64{}
	whole := true // every shard's dictionary was read to its end
	for _, r := range d.readers {
		all, err := frequentTerms(ctx, r, f.field, perShard, counts)
		if err != nil {
			return nil, err
		}
		whole = whole && all
	}
	for t, n := range counts {
		if shards > 1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			var err error
			if n, err = DocFreq(ctx, d.readers, f.field, t); err != nil {
				return nil, err
			}
		}
		if n >= f.min {
			l.terms = append(l.terms, frequentTerm{runes: []rune(t), Correction: Correction{Term: t, Count: n}})
		}
	}
	slices.SortFunc(l.terms, func(a, b frequentTerm) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Term, b.Term))
	})
	if whole {
		l.floor = f.min
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
// It stops with ctx's error when ctx ends.
func frequentTerms(ctx context.Context, r bleveindex.IndexReader, field string, min uint64, counts map[string]uint64) (whole bool, err error) {
	fd, err := r.FieldDict(field)
	if err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, fd.Close()) }()
	for i := 0; len(counts) < 4*maxFrequentTerms; i++ {
		if i%1024 == 0 && ctx.Err() != nil {
			return false, ctx.Err()
		}
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
