package analytics

import (
	"context"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Recorder.
type Options struct {
	// Buffer is the number of records waiting to be written; a record that
	// finds it full is dropped and counted (default 4096).
	Buffer int
	// Retention is how long records are kept; the sweep deletes older ones
	// (0 keeps them for ever).
	Retention time.Duration
	// SweepEvery is the interval of the retention sweep (default 1h).
	SweepEvery time.Duration
	// Linger is how long the writer gathers records into one write
	// transaction before committing them (default 200ms); a Flush, a full
	// batch or Close commits at once.
	Linger time.Duration
	// RecordUsers keeps a search's Sub; without it Sub is never stored.
	RecordUsers bool
	// Now is the clock (default time.Now); tests move it.
	Now    func() time.Time
	Logger *slog.Logger
}

// maxBatch is the most records one write transaction takes.
const maxBatch = 512

// event is one item of the buffer: a search, a click, or a flush marker.
type event struct {
	search *Search
	click  *Click
	done   chan struct{} // a flush: closed once everything before it is written
}

// Recorder takes records on the request path without ever blocking it: it
// puts them in a bounded buffer that one goroutine writes to the Store in
// batches; a full buffer drops the record and counts it. It also runs the
// retention sweep. It is safe for concurrent use.
type Recorder struct {
	store Store
	opts  Options
	ch    chan event

	searches, clicks, dropped, failed atomic.Uint64

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// NewRecorder starts a Recorder writing to store.
func NewRecorder(store Store, opts Options) *Recorder {
	if opts.Buffer <= 0 {
		opts.Buffer = 4096
	}
	if opts.SweepEvery <= 0 {
		opts.SweepEvery = time.Hour
	}
	if opts.Linger <= 0 {
		opts.Linger = 200 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Recorder{store: store, opts: opts, ch: make(chan event, opts.Buffer), stop: make(chan struct{})}
	r.wg.Go(r.write)
	if opts.Retention > 0 {
		r.wg.Go(r.sweepLoop)
	}
	return r
}

// Store is the store the recorder writes to, which the reports read.
func (r *Recorder) Store() Store { return r.store }

// Search records s and returns its query_id. It sets s's ID and Time, and
// clears Sub unless users are recorded. It never blocks: with the buffer
// full, the record is dropped (and counted) and the id is still returned,
// so that clicks on its results are later ignored.
func (r *Recorder) Search(s Search) string {
	s.Time = r.opts.Now().UTC()
	k := newKey(s.Time)
	s.ID = hex.EncodeToString(k[:])
	if !r.opts.RecordUsers {
		s.Sub = ""
	}
	r.put(event{search: &s})
	return s.ID
}

// Click records that the result id at position was opened from the search
// queryID; it never blocks. A click on an unknown or expired search is
// ignored when written.
func (r *Recorder) Click(queryID, id string, position int) {
	r.put(event{click: &Click{QueryID: queryID, ID: id, Position: position, Time: r.opts.Now().UTC()}})
}

func (r *Recorder) put(e event) {
	select {
	case r.ch <- e:
	default:
		r.dropped.Add(1)
	}
}

// Flush waits until every record taken before it is written, or ctx ends.
// Unlike Search and Click it blocks: it is for tests, reports and shutdown.
func (r *Recorder) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case r.ch <- event{done: done}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Counts are the recorder's counters since it started.
type Counts struct {
	Searches, Clicks uint64 // records written
	Dropped          uint64 // records dropped because the buffer was full
	Failed           uint64 // records lost because the store failed
}

// Counts returns the counters.
func (r *Recorder) Counts() Counts {
	return Counts{Searches: r.searches.Load(), Clicks: r.clicks.Load(), Dropped: r.dropped.Load(), Failed: r.failed.Load()}
}

// Close writes what the buffer holds and stops the recorder's goroutines.
// It does not close the store.
func (r *Recorder) Close() {
	r.once.Do(func() { close(r.stop) })
	r.wg.Wait()
}

// write is the writer goroutine: it takes what the buffer holds, up to
// maxBatch records, and writes it in one transaction.
func (r *Recorder) write() {
	var searches []Search
	var clicks []Click
	var flushes []chan struct{}
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	take := func(e event) {
		switch {
		case e.search != nil:
			searches = append(searches, *e.search)
		case e.click != nil:
			clicks = append(clicks, *e.click)
		default:
			flushes = append(flushes, e.done)
		}
	}
	for {
		select {
		case e := <-r.ch:
			take(e)
		case <-r.stop:
			for {
				select {
				case e := <-r.ch:
					take(e)
					if len(searches)+len(clicks) >= maxBatch {
						r.commit(searches, clicks, nil)
						searches, clicks = searches[:0], clicks[:0]
					}
					continue
				default:
				}
				r.commit(searches, clicks, flushes)
				return
			}
		}
		// Gather a batch for up to Linger: one transaction (and one fsync)
		// per batch rather than per search is most of the recording cost.
		linger.Reset(r.opts.Linger)
	more:
		for len(searches)+len(clicks) < maxBatch && len(flushes) == 0 {
			select {
			case e := <-r.ch:
				take(e)
			case <-linger.C:
				break more
			case <-r.stop:
				break more
			}
		}
		linger.Stop()
		r.commit(searches, clicks, flushes)
		searches, clicks, flushes = searches[:0], clicks[:0], flushes[:0]
	}
}

// commit writes one batch and then releases the flushes waiting on it.
func (r *Recorder) commit(searches []Search, clicks []Click, flushes []chan struct{}) {
	if len(searches)+len(clicks) > 0 {
		ns, nc, err := r.store.Write(searches, clicks)
		if err != nil {
			r.failed.Add(uint64(len(searches) + len(clicks)))
			r.opts.Logger.Error("analytics: write failed; records lost", "records", len(searches)+len(clicks), "err", err)
		}
		r.searches.Add(uint64(ns))
		r.clicks.Add(uint64(nc))
	}
	for _, f := range flushes {
		close(f)
	}
}

// sweepLoop deletes expired records at start and every SweepEvery.
func (r *Recorder) sweepLoop() {
	t := time.NewTicker(r.opts.SweepEvery)
	defer t.Stop()
	for {
		r.Sweep()
		select {
		case <-t.C:
		case <-r.stop:
			return
		}
	}
}

// Sweep deletes the records older than the retention now and returns the
// number of searches deleted.
func (r *Recorder) Sweep() int {
	if r.opts.Retention <= 0 {
		return 0
	}
	n, err := r.store.Delete(r.opts.Now().Add(-r.opts.Retention))
	if err != nil {
		r.opts.Logger.Error("analytics: retention sweep failed", "err", err)
	}
	if n > 0 {
		r.opts.Logger.Info("analytics: retention sweep", "deleted_searches", n, "retention", r.opts.Retention)
	}
	return n
}
