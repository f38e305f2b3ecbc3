package index

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"

	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/store"
)

// syncPath is the file of the sync state of the current generation.
func (ix *Index) syncPath() string {
	return filepath.Join(store.GenDir(ix.opts.Path, ix.meta.Generation), sources.StateFile)
}

// loadSyncState reads the sync state of the current generation (see sources.LoadState).
func (ix *Index) loadSyncState() (sources.State, error) {
	return sources.LoadState(ix.syncPath())
}

// Sync brings the index in line with the files and folders in paths, as
// they are now, reading only what changed since the last Sync of the same
// paths: new and modified files are (re)indexed, articles of files that
// disappeared (or no longer hold them) are deleted, and unchanged files —
// same size and modification time, or same content hash — are not read.
// The state (paths, sizes, mtimes, hashes, ids) is kept in the index
// directory and saved only when the run succeeds, so an interrupted Sync
// is simply redone. Problems are reported and skipped as by Ingest.
//
// The absolute paths are added to the inputs the index records (see
// InputsOr). An API write over an article of a file that Sync does not
// read again stays; a file read again (its content changed) wins over
// earlier API writes to its articles. A Sync whose deletions would leave
// the index with less than 1-Options.MaxLoss of the articles it held is
// refused with a *LossError (wrapping ErrWouldLose) before deleting
// anything, unless opts.Force; new and changed files are then already
// indexed, and the state is not saved, so the next Sync does it again.
func (ix *Index) Sync(ctx context.Context, paths []string, opts IngestOptions) (IngestSummary, error) {
	ix.mu.RLock()
	st, err := ix.loadSyncState()
	var before uint64
	if err == nil {
		before, err = ix.docCount()
	}
	ix.mu.RUnlock()
	if err != nil {
		return IngestSummary{}, err
	}
	plan := newSyncPlan(st, sources.AbsPaths(paths))
	sum, files, results, err := ix.ingest(ctx, paths, opts, plan.selectChanged)
	sum.Before = int(before)
	if err != nil {
		return sum, err
	}
	reread := plan.recordRead(files, results)
	del, gone := plan.stale()
	reread = append(reread, gone...)
	if sum.After, err = ix.countAfter(del); err != nil {
		return sum, err
	}
	if err := ix.checkLoss("sync", sum.Before, sum.After, plan.next.Inputs, opts.Force); err != nil {
		return sum, err
	}
	if err := ix.deleteStale(ctx, del, &sum); err != nil {
		return sum, err
	}
	if err := ix.dropOverrides(reread); err != nil {
		return sum, err
	}
	return sum, ix.saveSyncState(plan, len(files) > 0 || len(del) > 0)
}

// syncPlan is what one Sync works out from the state of the last one: the
// state to save (next) and what changed.
type syncPlan struct {
	old     sources.State
	roots   []string        // the absolute paths synced
	next    sources.State   // the state once the sync succeeds
	keep    map[string]bool // ids still held by unchanged files
	touched bool            // an unchanged file got a new mtime
	read    map[string]bool // absolute paths of the files read
	written map[string]bool // ids the files read produced
}

func newSyncPlan(old sources.State, roots []string) *syncPlan {
	return &syncPlan{old: old, roots: roots,
		next: sources.State{Inputs: sources.MergeInputs(old.Inputs, roots), Files: map[string]sources.FileState{}},
		keep: map[string]bool{}, read: map[string]bool{}, written: map[string]bool{}}
}

// selectChanged is ingest's selection: the files that are new or changed
// (other size or modification time, and other content). Unchanged files
// keep their state and their ids and are counted in sum.Unchanged.
func (p *syncPlan) selectChanged(files []sources.File, sum *IngestSummary) ([]sources.File, error) {
	var changed []sources.File
	for _, f := range files {
		abs := sources.AbsPath(f.Path)
		old, ok := p.old.Files[abs]
		if ok && old.Size == f.Size && old.MTime == f.MTime {
			p.next.Files[abs] = old
		} else if ok && old.Size == f.Size && old.Hash != "" && sources.HashFile(f.Path) == old.Hash {
			old.MTime = f.MTime
			p.next.Files[abs] = old
			p.touched = true
		} else {
			changed = append(changed, f)
			continue
		}
		sum.Unchanged++
		for _, id := range old.IDs {
			p.keep[id] = true
		}
	}
	return changed, nil
}

// recordRead puts the files read, with what reading them produced, into
// the next state and returns their ids: their file is the later write.
func (p *syncPlan) recordRead(files []sources.File, results []sources.FileResult) []string {
	var reread []string
	for i, f := range files {
		reread = append(reread, results[i].IDs...)
		p.read[sources.AbsPath(f.Path)] = true
		r := results[i]
		fs := sources.FileState{Size: f.Size, MTime: f.MTime, Hash: r.Hash, IDs: r.IDs}
		if r.Problem {
			fs.Size = -1
		}
		p.next.Files[sources.AbsPath(f.Path)] = fs
		for _, id := range r.IDs {
			p.written[id] = true
		}
	}
	return reread
}

// stale returns the deletes of the articles of files that were re-read or
// disappeared and that no current file holds any more, and the ids such
// files held (their file is the later write). Files outside the synced
// paths belong to another Sync's paths and keep their state.
func (p *syncPlan) stale() (del []writeOp, gone []string) {
	for abs, old := range p.old.Files {
		if !sources.Under(abs, p.roots) {
			p.next.Files[abs] = old // another Sync's paths: not ours to judge
			continue
		}
		if _, unchanged := p.next.Files[abs]; unchanged && !p.read[abs] {
			continue
		}
		gone = append(gone, old.IDs...)
		for _, id := range old.IDs {
			if !p.written[id] && !p.keep[id] {
				del = append(del, writeOp{id: id})
			}
		}
	}
	return del, gone
}

// deleteStale deletes the articles of del through the write log, counts
// them in sum and refreshes the BM25 statistics (the deleted tokens left).
func (ix *Index) deleteStale(ctx context.Context, del []writeOp, sum *IngestSummary) error {
	if len(del) == 0 {
		return nil
	}
	if _, err := ix.writes().Append(ctx, del, nil); err != nil {
		return err
	}
	sum.Deleted = len(del)
	return ix.refreshBM25Stats(ctx, false)
}

// saveSyncState saves p's next state and the ids of its files, unless
// nothing changed (wrote: files were read or articles deleted): then the
// saved state is current.
func (ix *Index) saveSyncState(p *syncPlan, wrote bool) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if !wrote && !p.touched && len(p.next.Files) == len(p.old.Files) && slices.Equal(p.next.Inputs, p.old.Inputs) {
		return nil
	}
	b, err := json.Marshal(p.next)
	if err != nil {
		return err
	}
	if err := store.WriteFileAtomic(ix.syncPath(), b); err != nil {
		return err
	}
	ix.fileIDs.Store(newIDSet(p.next))
	return nil
}

// countAfter is the number of articles the index holds once the deletes
// in del are applied.
func (ix *Index) countAfter(del []writeOp) (int, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n, err := ix.docCount()
	if err != nil || len(del) == 0 {
		return int(n), err
	}
	ids := make([]string, len(del))
	for i, op := range del {
		ids[i] = op.id
	}
	have, err := ix.existing(ids)
	return int(n) - len(have), err
}

// syncFile holds the sync state inside the current generation directory
// (for backup.go, until it uses sources.StateFile).
const syncFile = sources.StateFile

// under reports whether path is one of roots or inside one (for backup.go,
// until it uses sources.Under).
func under(path string, roots []string) bool { return sources.Under(path, roots) }
