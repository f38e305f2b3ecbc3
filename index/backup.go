package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blevesearch/bleve/v2"
)

// Backup writes a consistent copy of the index to dest, which must not
// exist, while the index keeps serving and accepting writes: each shard is
// copied from one snapshot with bleve's CopyTo, and folio.json (plus the
// sync state) is written last, so dest is an index only once complete. The
// copy opens with Open like any index. On failure dest is removed.
func (ix *Index) Backup(dest string) (err error) {
	if Exists(dest) {
		return &ParamError{Kind: ErrInvalidParameter, Param: "dest", Message: fmt.Sprintf("%s already exists; give a new directory", dest)}
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("backup to %s: %w", dest, err), os.RemoveAll(dest))
		}
	}()
	dir := genDir(dest, ix.meta.Generation)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, s := range ix.shards {
		c, ok := s.(bleve.IndexCopyable)
		if !ok {
			return fmt.Errorf("shard %d cannot be copied online", i)
		}
		if err := c.CopyTo(bleve.FileSystemDirectory(shardPath(dir, i))); err != nil {
			return fmt.Errorf("copy shard %d: %w", i, err)
		}
	}
	if b, err := os.ReadFile(ix.syncPath()); err == nil {
		if err := writeFileAtomic(filepath.Join(dir, syncFile), b); err != nil {
			return err
		}
	}
	return writeMeta(dest, ix.meta)
}
