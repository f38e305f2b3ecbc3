package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/store"
)

var (
	// ErrBusy means the operation cannot start because a conflicting one (a rebuild) is running.
	ErrBusy = errors.New("busy")
	// ErrRebuildFailed means a rebuild did not complete; the live index was left unchanged.
	ErrRebuildFailed = errors.New("rebuild failed, the live index is unchanged")
)

// Rebuild builds a complete new index from paths beside the live one (a new
// generation directory inside the index directory), then swaps it in
// atomically; paths become the inputs the index records (see InputsOr).
// Articles that did not come from files (written over the API) are copied
// into the new index, and so are API writes (puts and deletes) over
// articles of files whose content is the same as when Sync last read them:
// the later write wins, as with Sync, so a rebuild loses no acknowledged
// write. Articles from files that no longer exist are dropped. The swap is
// atomic: searches run on the old shards until the swap and on the new
// ones after it, and never fail because of it. Writes made through Put,
// Delete, Bulk or Ingest while it runs are replayed into the new index
// before the swap. folio.json is rewritten atomically to name the new
// generation, so a restart opens it; the old generation is then closed
// and removed (once a Backup still copying it is done: the swap never waits
// for a backup).
// A new index that would hold less than 1-Options.MaxLoss of the articles
// of the live one is not swapped in: Rebuild returns a *LossError
// (wrapping ErrWouldLose) unless opts.Force. The summary's Before and
// After are the live and the new counts.
// On failure (a source path that cannot be read, bad inputs with
// opts.Strict, a write error, ctx ending; an error wrapping
// ErrRebuildFailed) the
// new generation is removed and the live index is left as it was. It returns
// an error wrapping ErrBusy if another rebuild is running.
//
// In cluster mode the log is the truth and paths are not read: the new
// generation replays the compacted log from seq 1 (the latest write of
// every article) while this node goes on applying it to the live one,
// then takes the writes applied meanwhile and the applied sequence, and is
// swapped in as above (rebuildFromLog). A log without quorum fails it
// (an error wrapping ErrRebuildFailed and ErrNoQuorum).
func (ix *Index) Rebuild(ctx context.Context, paths []string, opts IngestOptions) (IngestSummary, error) {
	if !ix.rebuildMu.TryLock() {
		return IngestSummary{}, fmt.Errorf("%w: a rebuild is already running", ErrBusy)
	}
	defer ix.rebuildMu.Unlock()
	if ix.replica != nil {
		return ix.rebuildFromLog(ctx, true, opts.Force)
	}

	for _, p := range paths {
		if sources.IsURL(p) {
			continue // read by the rebuild; an unreachable one is a reported problem
		}
		if _, err := os.Stat(p); err != nil {
			return IngestSummary{}, fmt.Errorf("%w: source %s: %w", ErrRebuildFailed, p, errors.Unwrap(err))
		}
	}
	old, stop := ix.recordWrites(true)
	defer stop()

	ix.Sources() // load the statuses the new generation carries on (an unreadable file: it starts over)
	nx, m, err := ix.nextGeneration(old)
	if err != nil {
		return IngestSummary{}, fmt.Errorf("rebuild: %w", err)
	}
	discard := func() error { return ix.discardGeneration(nx, m) }
	fail := func(err error) error {
		if rerr := discard(); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("%w: %w", ErrRebuildFailed, err)
	}
	sum, err := ix.build(ctx, nx, paths, opts)
	if err != nil {
		return sum, fail(err)
	}
	if ix.hooks.beforeSwap != nil {
		ix.hooks.beforeSwap()
	}
	replaced, err := ix.swapIn(nx, m, paths, opts, &sum)
	if errors.Is(err, ErrWouldLose) {
		return sum, errors.Join(err, discard())
	}
	if err != nil {
		return sum, fail(err)
	}
	if err := ix.retireGeneration(replaced, old); err != nil {
		return sum, fmt.Errorf("new index in place, but removing the old one failed: %w", err)
	}
	return sum, nil
}

// recordWrites returns the live generation's metadata and, with record,
// starts recording the writes applied to it (ix.rebuilding) until stop.
func (ix *Index) recordWrites(record bool) (old store.Meta, stop func()) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if record {
		ix.rebuilding = &replayLog{}
	}
	return ix.meta, func() {
		ix.mu.Lock()
		ix.rebuilding = nil
		ix.mu.Unlock()
	}
}

// discardGeneration closes nx, a generation m that was not swapped in, and removes its directory.
func (ix *Index) discardGeneration(nx *Index, m store.Meta) error {
	nx.Close()
	return os.RemoveAll(store.GenDir(ix.opts.Path, m.Generation))
}

// nextGeneration creates the empty shards of the generation after old's
// (removing a leftover of a crashed rebuild) and an Index over them with
// ix's options; it returns that Index and the generation's metadata.
func (ix *Index) nextGeneration(old store.Meta) (*Index, store.Meta, error) {
	m := old
	m.MappingVersion, m.Language = schema.MappingVersion, ix.opts.Language
	m.Generation = fmt.Sprintf("gen-%d", store.GenNumber(old.Generation)+1)
	dir := store.GenDir(ix.opts.Path, m.Generation)
	if err := os.RemoveAll(dir); err != nil {
		return nil, m, err
	}
	shards, err := schema.CreateShards(dir, m.Shards, m.Language, m.KeywordFields)
	if err != nil {
		return nil, m, err
	}
	nx := &Index{opts: ix.opts, hl: ix.hl, planner: ix.planner, generation: newGeneration(m, shards), sourceLog: ix.sourceLog}
	nx.opts.Path = ix.opts.Path
	return nx, m, nil
}

// build fills the new generation nx: it syncs paths into it and copies the
// articles written over the API (carryOver).
func (ix *Index) build(ctx context.Context, nx *Index, paths []string, opts IngestOptions) (IngestSummary, error) {
	if err := nx.applySynonyms(); err != nil {
		return IngestSummary{}, err
	}
	sum, err := nx.Sync(ctx, paths, opts)
	if err != nil {
		return sum, err
	}
	if err := ix.carryOver(nx); err != nil {
		return sum, fmt.Errorf("copy the articles written over the API: %w", err)
	}
	return sum, nil
}

// swapIn replays into nx the writes made during the rebuild, checks that
// nx loses no more than Options.MaxLoss of ix's articles (a *LossError),
// names nx's generation m in folio.json and installs it, all under ix's
// lock, so no write falls between the replay and the swap. It returns the
// generation it replaced; the counts go to sum.
func (ix *Index) swapIn(nx *Index, m store.Meta, paths []string, opts IngestOptions, sum *IngestSummary) (*generation, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if _, err := nx.applyLocked(ix.rebuilding.ops, nil); err != nil {
		return nil, fmt.Errorf("replay writes made during the rebuild: %w", err)
	}
	read, _ := withoutCredentials(paths) // those with credentials were reported, not read
	err := ix.checkRebuildLoss(nx, sources.AbsPaths(read), opts.Force, sum)
	if err != nil {
		return nil, err
	}
	if err := store.WriteMeta(ix.opts.Path, m); err != nil {
		return nil, err
	}
	replaced := ix.generation
	// nx was written without readers (its ingest, the replay above, the
	// carried overrides): read whether it holds groups from its dictionaries.
	nx.generation.grouped.Store(engine.HasTermBesides(nx.shards, schema.Groups, schema.PublicGroup))
	ix.generation = nx.generation
	ix.serve()
	ix.bm25.Store(nx.bm25.Load()) // computed by nx.Sync for the new shards
	ix.fileIDs.Store(nx.fileIDs.Load())
	return replaced, nil
}

// checkRebuildLoss puts ix's and nx's article counts in sum and returns a
// *LossError when nx, rebuilt from inputs, would lose more than
// Options.MaxLoss of them (unless force). The caller holds ix.mu.
func (ix *Index) checkRebuildLoss(nx *Index, inputs []string, force bool, sum *IngestSummary) error {
	before, err := ix.docCount()
	if err != nil {
		return err
	}
	after, err := nx.docCount()
	if err != nil {
		return err
	}
	sum.Before, sum.After = int(before), int(after)
	return ix.checkLoss("rebuild", sum.Before, sum.After, inputs, force)
}

// retireGeneration drops the replaced generation: its shards are closed
// and its directory (old's) removed now, or when a backup still copying
// them is done (it then reports the errors). A directory already gone is
// no error.
func (ix *Index) retireGeneration(replaced *generation, old store.Meta) error {
	replaced.stopBuilds()
	err := replaced.Retire(func() error {
		return store.RemoveGeneration(ix.opts.Path, old, sources.StateFile)
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// carryOver copies into nx the articles of ix that no file of ix's sync
// state produced and that nx does not hold: those written through Put,
// PutJSON or Bulk; and it re-applies the API writes over articles of files
// (carryOverrides). An index without sync state (built by Ingest alone)
// cannot tell them apart, and nothing is copied.
func (ix *Index) carryOver(nx *Index) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if _, err := os.Stat(ix.syncPath()); err != nil {
		return nil
	}
	st, err := ix.loadSyncState()
	if err != nil {
		return err
	}
	fromFiles := st.FileOfIDs()
	if err := ix.carryOverrides(nx, st, fromFiles); err != nil {
		return err
	}
	var after []string
	for {
		ids, last, err := ix.notFromFiles(after, fromFiles)
		if err != nil || last == "" {
			return err
		}
		after = []string{last}
		if err := ix.copyMissing(nx, ids); err != nil {
			return err
		}
	}
}

// notFromFiles returns, of the next page of ix's ids in order after
// after (the start when nil), those that are not in fromFiles, and the
// page's last id ("" when there are no more). The caller holds ix.mu.
func (ix *Index) notFromFiles(after []string, fromFiles map[string]string) ([]string, string, error) {
	page, err := engine.IDPage(ix.alias, after, 1000)
	if err != nil || len(page) == 0 {
		return nil, "", err
	}
	last := page[len(page)-1]
	return slices.DeleteFunc(page, func(id string) bool { _, ok := fromFiles[id]; return ok }), last, nil
}

// copyMissing puts into nx, as API writes, ix's articles of ids that nx
// does not hold. The caller holds ix.mu.
func (ix *Index) copyMissing(nx *Index, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	have, err := engine.Existing(nx.alias, ids)
	if err != nil {
		return err
	}
	var ops []writeOp
	for _, id := range ids {
		if have[id] {
			continue
		}
		op, err := ix.putOp(id)
		if err != nil {
			return err
		}
		if op.article != nil {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return nil
	}
	_, err = nx.applyLocked(ops, nil)
	return err
}

// carryOverrides re-applies into nx the API writes recorded over ids of
// files (overrides) whose file nx read with the content it had when ix
// last read it: the API write is the later one. Where the file changed,
// its content wins and the override is not carried. The caller holds ix.mu.
func (ix *Index) carryOverrides(nx *Index, st sources.State, fromFiles map[string]string) error {
	nst, err := nx.loadSyncState()
	if err != nil {
		return err
	}
	var ops []writeOp
	flush := func() error {
		if len(ops) == 0 {
			return nil
		}
		_, err := nx.applyLocked(ops, nil)
		ops = ops[:0]
		return err
	}
	for id, abs := range fromFiles {
		v, err := ix.override(id)
		if err != nil {
			return err
		}
		if v == nil {
			continue
		}
		if !st.Unchanged(nst, abs) {
			continue // the file changed since the API write: it wins
		}
		op := writeOp{id: id, api: true} // a delete, unless the API put it
		if !bytes.Equal(v, sources.OverrideDelete) {
			if op, err = ix.putOp(id); err != nil {
				return err
			}
			if op.article == nil {
				continue
			}
		}
		if ops = append(ops, op); len(ops) >= 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// putOp is an API put of ix's stored article id; its article is nil when ix
// does not hold id. The caller holds ix.mu.
func (ix *Index) putOp(id string) (writeOp, error) {
	doc, err := ix.document(id)
	if err != nil || doc == nil {
		return writeOp{id: id}, err
	}
	a := ix.article(doc)
	return writeOp{id: id, article: &a, api: true}, nil
}
