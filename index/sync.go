package index

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"

	"github.com/folio-search/folio/index/internal/sources"
)

// syncFile holds the sync state inside the current generation directory.
const syncFile = sources.StateFile

// syncState is what Sync remembers about the files it read.
type syncState = sources.State

// fileState is one file as last read.
type fileState = sources.FileState

func (ix *Index) syncPath() string {
	return filepath.Join(genDir(ix.opts.Path, ix.meta.Generation), syncFile)
}

func (ix *Index) loadSyncState() (syncState, error) {
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
	roots := sources.AbsPaths(paths)
	next := syncState{Inputs: sources.MergeInputs(st.Inputs, roots), Files: map[string]fileState{}}
	keep := map[string]bool{} // ids still held by unchanged files
	touched := false          // an unchanged file got a new mtime
	sel := func(files []inputFile, sum *IngestSummary) ([]inputFile, error) {
		var changed []inputFile
		for _, f := range files {
			abs := sources.AbsPath(f.Path)
			old, ok := st.Files[abs]
			if ok && old.Size == f.Size && old.MTime == f.MTime {
				next.Files[abs] = old
			} else if ok && old.Size == f.Size && old.Hash != "" && sources.HashFile(f.Path) == old.Hash {
				old.MTime = f.MTime
				next.Files[abs] = old
				touched = true
			} else {
				changed = append(changed, f)
				continue
			}
			sum.Unchanged++
			for _, id := range old.IDs {
				keep[id] = true
			}
		}
		return changed, nil
	}
	sum, files, results, err := ix.ingest(ctx, paths, opts, sel)
	sum.Before = int(before)
	if err != nil {
		return sum, err
	}
	written := map[string]bool{}
	read := make(map[string]bool, len(files))
	var reread []string // ids of files read again or gone: their file is the later write
	for i, f := range files {
		reread = append(reread, results[i].ids...)
		read[sources.AbsPath(f.Path)] = true
		r := results[i]
		fs := fileState{Size: f.Size, MTime: f.MTime, Hash: r.hash, IDs: r.ids}
		if r.problem {
			fs.Size = -1
		}
		next.Files[sources.AbsPath(f.Path)] = fs
		for _, id := range r.ids {
			written[id] = true
		}
	}
	// Articles of files that were re-read or disappeared, and that no
	// current file holds any more, are deleted.
	var del []writeOp
	for abs, old := range st.Files {
		if !sources.Under(abs, roots) {
			next.Files[abs] = old // another Sync's paths: not ours to judge
			continue
		}
		if _, unchanged := next.Files[abs]; unchanged && !read[abs] {
			continue
		}
		reread = append(reread, old.IDs...)
		for _, id := range old.IDs {
			if !written[id] && !keep[id] {
				del = append(del, writeOp{id: id})
			}
		}
	}
	if sum.After, err = ix.countAfter(del); err != nil {
		return sum, err
	}
	if err := ix.checkLoss("sync", sum.Before, sum.After, next.Inputs, opts.Force); err != nil {
		return sum, err
	}
	if len(del) > 0 {
		if _, err := ix.writes().Append(ctx, del, nil); err != nil {
			return sum, err
		}
		sum.Deleted = len(del)
		if err := ix.refreshBM25Stats(ctx, false); err != nil { // the deleted tokens left
			return sum, err
		}
	}
	if err := ix.dropOverrides(reread); err != nil {
		return sum, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if len(files) == 0 && len(del) == 0 && !touched && len(next.Files) == len(st.Files) && slices.Equal(next.Inputs, st.Inputs) {
		return sum, nil // nothing changed: the saved state is current
	}
	b, err := json.Marshal(next)
	if err != nil {
		return sum, err
	}
	if err := writeFileAtomic(ix.syncPath(), b); err != nil {
		return sum, err
	}
	ix.fileIDs.Store(newIDSet(next))
	return sum, nil
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

// under reports whether path is one of roots or inside one.
func under(path string, roots []string) bool { return sources.Under(path, roots) }
