package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// syncFile holds the sync state inside the current generation directory.
const syncFile = "sources.json"

// syncState is what Sync remembers about the files it read: per absolute
// path, its size, modification time, content hash and article ids.
type syncState struct {
	// Inputs are the absolute paths of the files and folders the index was
	// built from (see InputsOr); empty in the state of an older Folio.
	Inputs []string             `json:"inputs,omitempty"`
	Files  map[string]fileState `json:"files"`
}

// fileState is one file as last read. Size -1 marks a file that had
// problems: it is read again on every run, so its problems are reported again.
type fileState struct {
	Size  int64    `json:"size"`
	MTime int64    `json:"mtime"`
	Hash  string   `json:"sha256"`
	IDs   []string `json:"ids"`
}

func (ix *Index) syncPath() string {
	return filepath.Join(genDir(ix.opts.Path, ix.meta.Generation), syncFile)
}

func (ix *Index) loadSyncState() (syncState, error) {
	st := syncState{Files: map[string]fileState{}}
	b, err := os.ReadFile(ix.syncPath())
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil {
		return syncState{Files: map[string]fileState{}}, fmt.Errorf("read sync state %s: %w (delete it to re-read every file)", ix.syncPath(), err)
	}
	if st.Files == nil {
		st.Files = map[string]fileState{}
	}
	return st, nil
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
	roots := absPaths(paths)
	next := syncState{Inputs: mergeInputs(st.Inputs, roots), Files: map[string]fileState{}}
	keep := map[string]bool{} // ids still held by unchanged files
	touched := false          // an unchanged file got a new mtime
	sel := func(files []inputFile, sum *IngestSummary) ([]inputFile, error) {
		var changed []inputFile
		for _, f := range files {
			abs := absPath(f.path)
			old, ok := st.Files[abs]
			if ok && old.Size == f.size && old.MTime == f.mtime {
				next.Files[abs] = old
			} else if ok && old.Size == f.size && old.Hash != "" && hashFile(f.path) == old.Hash {
				old.MTime = f.mtime
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
		read[absPath(f.path)] = true
		r := results[i]
		fs := fileState{Size: f.size, MTime: f.mtime, Hash: r.hash, IDs: r.ids}
		if r.problem {
			fs.Size = -1
		}
		next.Files[absPath(f.path)] = fs
		for _, id := range r.ids {
			written[id] = true
		}
	}
	// Articles of files that were re-read or disappeared, and that no
	// current file holds any more, are deleted.
	var del []writeOp
	for abs, old := range st.Files {
		if !under(abs, roots) {
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
		if _, err := ix.apply(del); err != nil {
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

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// under reports whether path is one of roots or inside one.
func under(path string, roots []string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// hashFile is the hex SHA-256 of the file's bytes, "" if it cannot be read.
func hashFile(path string) string {
	f, err := openInput(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
