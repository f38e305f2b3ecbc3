package index

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/store"
)

// ErrWouldLose means a Sync or Rebuild was refused because its result
// would hold too few of the articles the index holds now (see
// Options.MaxLoss); it is returned as a *LossError. IngestOptions.Force
// skips the check.
var ErrWouldLose = errors.New("would lose articles")

// LossError is the refusal of a Sync or Rebuild by the loss guard: the
// index holds Before articles and the result would hold After.
type LossError struct {
	Op      string  // "sync" or "rebuild"
	Before  int     // articles in the index now
	After   int     // articles the result would hold
	MaxLoss float64 // the share that may be lost (Options.MaxLoss)
	Inputs  []string
	FromLog bool // a cluster node's rebuild, from the replicated log (no Inputs)
}

// Error says what would be lost, that nothing was, and how to go ahead anyway.
func (e *LossError) Error() string {
	lost := float64(e.Before-e.After) / float64(e.Before)
	done := "the live index is unchanged"
	if e.Op == "sync" {
		done = "nothing was deleted"
	}
	from, check := fmt.Sprintf("%q", e.Inputs), "check that these are the right inputs"
	if e.FromLog {
		from, check = "the replicated log", "the log holds fewer articles than this node (was the stream purged?)"
	}
	return fmt.Sprintf("%s from %s would leave %d of the %d articles (%.1f%% lost, more than the %g%% index.max_rebuild_loss allows); %s: %s, or force it",
		e.Op, from, e.After, e.Before, 100*lost, 100*e.MaxLoss, done, check)
}

// Unwrap returns ErrWouldLose.
func (e *LossError) Unwrap() error { return ErrWouldLose }

// checkLoss returns a *LossError when going from before to after articles
// loses more than ix.opts.MaxLoss of them, unless force.
func (ix *Index) checkLoss(op string, before, after int, inputs []string, force bool) error {
	if force || before <= 0 || after >= before || float64(before-after) <= ix.opts.MaxLoss*float64(before) {
		return nil
	}
	return &LossError{Op: op, Before: before, After: after, MaxLoss: ix.opts.MaxLoss, Inputs: inputs}
}

// InputsOr returns the inputs the index was built from: the absolute paths
// of the files and folders given to Sync (`folio index PATH`) and to the
// last Rebuild, in the order they were first given. An index that records
// none (built before Folio recorded them, or only written over the API)
// returns fallback. An unreadable sync state is an error.
func (ix *Index) InputsOr(fallback []string) ([]string, error) {
	ix.mu.RLock()
	st, err := ix.loadSyncState()
	ix.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if len(st.Inputs) == 0 {
		return fallback, nil
	}
	return st.Inputs, nil
}

// RecordedInputs returns the inputs recorded by the index at path, read
// without opening it: it may be incompatible with this Folio (to be
// rebuilt from them) or held by another process. It returns nil when there
// is no index there, it records no inputs, or its files cannot be read.
func RecordedInputs(path string) []string {
	m, err := store.LoadMeta(path)
	if err != nil {
		return nil
	}
	return sources.RecordedInputs(filepath.Join(store.GenDir(path, m.Generation), sources.StateFile))
}

// fromFile reports whether id came from a file of the sync state, loading
// the set of such ids on first use. The caller holds ix.mu.
func (ix *Index) fromFile(id string) bool {
	s := ix.fileIDs.Load()
	if s == nil {
		// An unreadable state (Sync and Rebuild fail until it is deleted)
		// counts as no files: recording would only pile up keys.
		st, _ := ix.loadSyncState()
		s = sources.NewIDSet(st)
		ix.fileIDs.Store(s)
	}
	return s.Has(id)
}

// override returns the recorded API write over id (sources.OverridePut,
// sources.OverrideDelete) or nil. The caller holds ix.mu.
func (ix *Index) override(id string) ([]byte, error) {
	return ix.shards[ix.shardOf(id)].GetInternal(sources.OverrideKey(id))
}

// dropOverrides deletes the overrides recorded for ids: their file was
// read again, so its content is the later write. The caller must not hold ix.mu.
func (ix *Index) dropOverrides(ids []string) error {
	ix.mu.RLock()
	var ops []writeOp
	for _, id := range ids {
		v, err := ix.override(id)
		if err != nil {
			ix.mu.RUnlock()
			return err
		}
		if v != nil {
			ops = append(ops, writeOp{id: id, dropOverride: true})
		}
	}
	var err error
	if len(ops) > 0 {
		_, err = ix.applyLocked(ops, nil)
	}
	ix.mu.RUnlock()
	ix.afterWrite(err)
	return err
}
