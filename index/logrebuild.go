package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/folio-search/folio/index/internal/cluster"
	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/store"
)

// In cluster mode the log is the truth: a rebuild (Rebuild, or the
// replay from scratch of checkLog) fills the node's next generation by
// replaying the compacted stream from seq 1 through a one-off read
// (cluster.Log.Replay), while searches go on against the current
// generation, and swaps it in as the local rebuild does (folio.json names
// the new generation only once it is complete: a crash before leaves the
// old one serving, and the next rebuild removes the leftover).

// replayStall is how long a replay of the log may receive nothing before
// it fails (the log has lost its quorum).
const replayStall = 30 * time.Second

// rebuildFromLog builds the next generation from the log and swaps it in.
// following: the live applier keeps applying the log to the current
// generation meanwhile (a Rebuild); its writes after the stream's last
// seq at the start are recorded and applied to the new generation before
// the swap, which then holds the same sequence as the live one. Else
// (checkLog: the applier is the caller and applies nothing meanwhile) the
// replica's applied seq becomes the replay's. A new generation that would
// lose more than Options.MaxLoss of the live articles is refused unless
// force. The caller holds rebuildMu.
func (ix *Index) rebuildFromLog(ctx context.Context, following, force bool) (IngestSummary, error) {
	r := ix.replica
	begin := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	defer context.AfterFunc(r.ctx, func() { cancel(errClosed) })()
	stall := time.AfterFunc(replayStall, func() {
		cancel(fmt.Errorf("%w: the log delivered nothing for %s", ErrNoQuorum, replayStall))
	})
	defer stall.Stop()
	failed := func(err error) error {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
		return fmt.Errorf("%w: %w", ErrRebuildFailed, err)
	}

	st, err := r.log.State(ctx)
	for err != nil && ctx.Err() == nil { // a node just started may not reach the log's leader yet
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
			st, err = r.log.State(ctx)
		}
	}
	if err != nil {
		return IngestSummary{}, failed(err)
	}
	old, stop := ix.recordWrites(following)
	defer stop()
	nx, m, err := ix.nextGeneration(old)
	if err != nil {
		return IngestSummary{}, failed(err)
	}
	discard := func() error { return ix.discardGeneration(nx, m) }
	fail := func(err error) error {
		return errors.Join(failed(err), discard())
	}
	if err := nx.applySynonyms(); err != nil {
		return IngestSummary{}, fail(err)
	}
	ix.mu.RLock()
	err = ix.copySyncState(nx) // which ids came from files: their API writes record overrides
	ix.mu.RUnlock()
	if err != nil {
		return IngestSummary{}, fail(err)
	}

	var sum IngestSummary
	seq, err := r.log.Replay(ctx, 1, st.LastSeq, maxApplyBatch, func(es []cluster.Entry) error {
		stall.Reset(replayStall)
		n, err := nx.replayEntries(es, r.logf)
		sum.Indexed += n
		return err
	})
	if err != nil {
		return sum, fail(err)
	}
	if following {
		// The applier went on meanwhile: apply what it applied (outside
		// the lock, most of it), and let it reach what the replay read.
		if seq, err = nx.applyRecorded(ix.rebuilding, seq); err == nil {
			err = r.wait(ctx, seq)
		}
		if err != nil {
			return sum, fail(err)
		}
	}
	if err := nx.refreshBM25Stats(ctx, false); err != nil {
		return sum, fail(err)
	}
	if ix.hooks.beforeSwap != nil {
		ix.hooks.beforeSwap()
	}
	replaced, seq, err := ix.swapInReplayed(nx, m, seq, following, force, &sum)
	if errors.Is(err, ErrWouldLose) {
		return sum, errors.Join(err, discard())
	}
	if err != nil {
		return sum, fail(err)
	}
	if !following {
		r.restart(seq)
	}
	sum.Elapsed = time.Since(begin)
	if err := ix.retireGeneration(replaced, old); err != nil {
		return sum, fmt.Errorf("new index in place, but removing the old one failed: %w", err)
	}
	return sum, nil
}

// replayEntries applies log entries of a replay to nx, a generation being
// built (no reader, no applier), recording the last one's sequence; a
// tombstone of an article nx does not hold is skipped. It returns the
// number of puts.
func (nx *Index) replayEntries(es []cluster.Entry, logf func(string, ...any)) (int, error) {
	ops := opsOf(es, logf)
	var dels []string
	for _, op := range ops {
		if op.article == nil {
			dels = append(dels, op.id)
		}
	}
	nx.mu.RLock()
	defer nx.mu.RUnlock()
	if len(dels) > 0 {
		held, err := engine.Existing(nx.alias, dels)
		if err != nil {
			return 0, err
		}
		put := map[string]bool{}
		kept := ops[:0]
		for _, op := range ops {
			if op.article != nil {
				put[op.id] = true
			} else if !held[op.id] && !put[op.id] {
				continue
			}
			kept = append(kept, op)
		}
		ops = kept
	}
	puts := 0
	for _, op := range ops {
		if op.article != nil {
			puts++
		}
	}
	_, err := nx.applyAt(ops, nil, es[len(es)-1].Seq)
	return puts, err
}

// applyRecorded applies to nx the writes rec recorded (the live applier's)
// after seq, nx's applied sequence, and returns nx's new one: the last the
// live index applied, when later. The caller holds no lock of nx.
func (nx *Index) applyRecorded(rec *replayLog, seq uint64) (uint64, error) {
	ops, live := rec.take()
	kept := ops[:0]
	for _, op := range ops {
		if op.seq > seq {
			kept = append(kept, op)
		}
	}
	if live <= seq {
		return seq, nil
	}
	nx.mu.RLock()
	defer nx.mu.RUnlock()
	if _, err := nx.applyAt(kept, nil, live); err != nil {
		return seq, fmt.Errorf("apply the writes made during the rebuild: %w", err)
	}
	return live, nil
}

// swapInReplayed installs nx, the generation m replayed from the log up to
// seq, under ix's lock: it first applies the writes the live applier made
// since (following), checks the loss (a *LossError unless force), copies
// the sync state, and names m in folio.json. It returns the generation it
// replaced and nx's applied sequence; the counts go to sum.
func (ix *Index) swapInReplayed(nx *Index, m store.Meta, seq uint64, following, force bool, sum *IngestSummary) (*generation, uint64, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if following {
		var err error
		if seq, err = nx.applyRecorded(ix.rebuilding, seq); err != nil {
			return nil, seq, err
		}
	}
	err := ix.checkRebuildLoss(nx, nil, force, sum)
	if le := (*LossError)(nil); errors.As(err, &le) {
		le.FromLog = true
	}
	if err == nil {
		err = ix.copySyncState(nx) // syncs during the rebuild changed it
	}
	if err == nil {
		err = store.WriteMeta(ix.opts.Path, m)
	}
	if err != nil {
		return nil, seq, err
	}
	replaced := ix.generation
	nx.generation.grouped.Store(engine.HasTermBesides(nx.shards, schema.Groups, schema.PublicGroup))
	ix.generation = nx.generation
	ix.serve()
	ix.bm25.Store(nx.bm25.Load())
	return replaced, seq, nil
}

// copySyncState copies ix's sync state (which files the articles came
// from) into nx's generation; none is no error. The caller holds ix.mu.
func (ix *Index) copySyncState(nx *Index) error {
	b, err := os.ReadFile(ix.syncPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = store.WriteFileAtomic(nx.syncPath(), b)
	}
	if err != nil {
		return fmt.Errorf("copy the sync state: %w", err)
	}
	nx.fileIDs.Store(nil) // read again from the copy
	return nil
}

// checkLog compares the node's applied sequence with the stream before
// the applier starts: when the stream ends before it (the stream was
// deleted or purged and created again: the sequences name messages of
// another stream) or no longer reaches back to the sequence after it (a
// backup older than what the stream keeps), following would serve a gap;
// the node says so and replays the log from scratch into a new generation
// instead, serving its current one (and /readyz answering 503) meanwhile.
// An error (the log cannot be asked) is retried by the caller.
func (ix *Index) checkLog(ctx context.Context) error {
	r := ix.replica
	st, err := r.log.State(ctx)
	if err != nil {
		return err
	}
	applied := r.appliedSeq()
	switch {
	case r.isReplaying(): // an earlier attempt failed
	case applied > st.LastSeq:
		r.logf("cluster: this node has applied log seq %d but the stream ends at seq %d: it was deleted or purged and created again; replaying the log from scratch into a new generation", applied, st.LastSeq)
		r.restart(0) // the old sequences mean nothing in this stream
	case applied > 0 && applied+1 < st.FirstSeq:
		r.logf("cluster: this node has applied log seq %d but the stream now starts at seq %d (it no longer reaches back to seq %d): replaying the log from scratch into a new generation instead of serving a gap", applied, st.FirstSeq, applied+1)
	default:
		return nil
	}
	r.setReplaying(true) // until the replay is in place, also across failed attempts
	ix.rebuildMu.Lock()
	defer ix.rebuildMu.Unlock()
	sum, err := ix.rebuildFromLog(ctx, false, true)
	if err != nil {
		return fmt.Errorf("replay the log from scratch: %w", err)
	}
	r.setReplaying(false)
	r.logf("cluster: replayed the log from scratch in %s: %d articles, applied seq %d", sum.Elapsed.Round(time.Millisecond), sum.After, r.appliedSeq())
	return nil
}
