package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blevesearch/bleve/v2"

	"github.com/folio-search/folio/index/internal/param"
	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/store"
)

// Backup writes a consistent copy of the index to dest while the index
// keeps serving and accepting writes: the copy is of one generation (a
// rebuild that swaps meanwhile does not disturb it, and searches never wait
// for the backup), each shard copied from one snapshot with bleve's
// CopyTo, with that generation's sync state, and folio.json written last,
// so dest is an index only once complete. The copy opens with Open like
// any index. On failure what Backup wrote to dest is removed.
//
// dest must be an absolute path whose parent directory exists, outside the
// live index, on a real file system (not /proc, /sys and the like), and it
// must not exist or be an empty directory. Otherwise, and when dest cannot
// be created (permissions, a read-only file system, a name too long), the
// error is a *ParamError for "dest" (wrapping ErrInvalidParameter); when
// another backup is writing to dest it wraps ErrBusy.
func (ix *Index) Backup(dest string) (err error) {
	dest, created, err := ix.claimBackupDest(dest)
	if err != nil {
		return err
	}
	ix.mu.RLock()
	g := ix.generation
	if g.shards == nil {
		ix.mu.RUnlock()
		return errors.Join(fmt.Errorf("backup to %s: the index is closed", dest), store.RemoveBackup(dest, "", created))
	}
	g.Acquire() // the lock is needed only for this: the copy works on g
	ix.mu.RUnlock()
	defer func() {
		if rerr := g.Release(); rerr != nil { // a rebuild replaced g meanwhile
			err = errors.Join(err, fmt.Errorf("closing the generation a rebuild replaced during the backup: %w", rerr))
		}
	}()

	m := g.meta
	if m.Generation == "" { // the layout without generations is copied into one
		m.Generation = "gen-1"
	}
	dir := store.GenDir(dest, m.Generation)
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("backup to %s: %w", dest, err), store.RemoveBackup(dest, dir, created))
		}
	}()
	// The sync state is read before the shards are copied: an older state
	// than the shards makes a later sync re-read a few files, a newer one
	// would make it skip files whose articles the copy lacks.
	state, err := os.ReadFile(filepath.Join(store.GenDir(ix.opts.Path, g.meta.Generation), sources.StateFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return destError(dest, "create", err)
	}
	for i, s := range g.shards {
		c, ok := s.(bleve.IndexCopyable)
		if !ok {
			return fmt.Errorf("shard %d cannot be copied online", i)
		}
		if err := c.CopyTo(bleve.FileSystemDirectory(store.ShardPath(dir, i))); err != nil {
			return fmt.Errorf("copy shard %d: %w", i, err)
		}
		if ix.hooks.backupCopied != nil {
			ix.hooks.backupCopied(i)
		}
	}
	if state != nil {
		if err := store.WriteFileAtomic(filepath.Join(dir, sources.StateFile), state); err != nil {
			return err
		}
	}
	if err := store.WriteMeta(dest, m); err != nil {
		return err
	}
	return os.Remove(filepath.Join(dest, store.BackupMarker))
}

// claimBackupDest checks dest (see Backup), creates it unless it is an
// existing empty directory, and claims it with the backup marker. It
// returns dest with symbolic links resolved and whether it created it.
func (ix *Index) claimBackupDest(dest string) (string, bool, error) {
	real, created, err := store.ClaimBackupDest(dest, ix.opts.Path)
	return real, created, destParam(err)
}

// destError is a *ParamError for "dest" saying why op failed on path
// (permission denied, read-only file system, not a directory, ...).
func destError(path, op string, err error) error {
	return destParam(store.DestFailure(path, op, err))
}

// destParam is the facade's error for store's refusal of a backup
// destination (a *store.DestError): a *ParamError for "dest", or ErrBusy
// when another backup is writing there. Other errors are returned as they are.
func destParam(err error) error {
	var de *store.DestError
	if !errors.As(err, &de) {
		return err
	}
	if de.Busy {
		err = fmt.Errorf("%w: %s", ErrBusy, de.Reason)
	} else {
		err = param.Errorf("dest", "%s", de.Reason)
	}
	if de.Cleanup != nil {
		return errors.Join(err, de.Cleanup)
	}
	return err
}
