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
	"strings"
)

// syncFile holds the sync state inside the current generation directory.
const syncFile = "sources.json"

// syncState is what Sync remembers about the files it read: per absolute
// path, its size, modification time, content hash and article ids.
type syncState struct {
	Files map[string]fileState `json:"files"`
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
func (ix *Index) Sync(ctx context.Context, paths []string, opts IngestOptions) (IngestSummary, error) {
	ix.mu.RLock()
	st, err := ix.loadSyncState()
	ix.mu.RUnlock()
	if err != nil {
		return IngestSummary{}, err
	}
	roots := make([]string, len(paths))
	for i, p := range paths {
		roots[i] = absPath(p)
	}
	next := syncState{Files: map[string]fileState{}}
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
	if err != nil {
		return sum, err
	}
	written := map[string]bool{}
	read := make(map[string]bool, len(files))
	for i, f := range files {
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
		for _, id := range old.IDs {
			if !written[id] && !keep[id] {
				del = append(del, writeOp{id: id})
			}
		}
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
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if len(files) == 0 && len(del) == 0 && !touched && len(next.Files) == len(st.Files) {
		return sum, nil // nothing changed: the saved state is current
	}
	b, err := json.Marshal(next)
	if err != nil {
		return sum, err
	}
	return sum, writeFileAtomic(ix.syncPath(), b)
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
