package index

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/blevesearch/bleve/v2"
)

// backupMarker claims a backup's destination while the copy is written
// (created exclusively, removed last): a second backup to the same
// directory finds it and is refused.
const backupMarker = "folio-backup.incomplete"

// maxBackupPath is the longest destination accepted: bleve's files lie up
// to ~60 bytes deeper (gen-N/shard-NN/store/…zap), and Linux refuses
// paths of 4096 bytes and more.
const maxBackupPath = 4096 - 256

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
		return errors.Join(fmt.Errorf("backup to %s: the index is closed", dest), removeBackup(dest, "", created))
	}
	g.acquire() // the lock is needed only for this: the copy works on g
	ix.mu.RUnlock()
	defer func() {
		if rerr := g.release(); rerr != nil { // a rebuild replaced g meanwhile
			err = errors.Join(err, fmt.Errorf("closing the generation a rebuild replaced during the backup: %w", rerr))
		}
	}()

	m := g.meta
	if m.Generation == "" { // the layout without generations is copied into one
		m.Generation = "gen-1"
	}
	dir := genDir(dest, m.Generation)
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("backup to %s: %w", dest, err), removeBackup(dest, dir, created))
		}
	}()
	// The sync state is read before the shards are copied: an older state
	// than the shards makes a later sync re-read a few files, a newer one
	// would make it skip files whose articles the copy lacks.
	state, err := os.ReadFile(filepath.Join(genDir(ix.opts.Path, g.meta.Generation), syncFile))
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
		if err := c.CopyTo(bleve.FileSystemDirectory(shardPath(dir, i))); err != nil {
			return fmt.Errorf("copy shard %d: %w", i, err)
		}
		if ix.hooks.backupCopied != nil {
			ix.hooks.backupCopied(i)
		}
	}
	if state != nil {
		if err := writeFileAtomic(filepath.Join(dir, syncFile), state); err != nil {
			return err
		}
	}
	if err := writeMeta(dest, m); err != nil {
		return err
	}
	return os.Remove(filepath.Join(dest, backupMarker))
}

// claimBackupDest checks dest (see Backup), creates it unless it is an
// existing empty directory, and claims it with the backup marker. It
// returns dest with symbolic links resolved and whether it created it.
func (ix *Index) claimBackupDest(dest string) (string, bool, error) {
	switch {
	case strings.TrimSpace(dest) == "":
		return "", false, paramErr("dest", "give the absolute path of a new (or empty) directory")
	case !filepath.IsAbs(dest):
		return "", false, paramErr("dest", "%q is a relative path; give an absolute one (a relative path would be resolved against the server's working directory)", dest)
	case len(dest) > maxBackupPath:
		return "", false, paramErr("dest", "the path is %d bytes long; at most %d are accepted", len(dest), maxBackupPath)
	}
	dest = filepath.Clean(dest)
	parent, err := filepath.EvalSymlinks(filepath.Dir(dest))
	if err != nil {
		return "", false, destError(filepath.Dir(dest), "use the parent directory", err)
	}
	if fi, err := os.Stat(parent); err != nil || !fi.IsDir() {
		return "", false, paramErr("dest", "%s is not a directory", parent)
	}
	// Where Linux mounts its interfaces, whatever file system is there.
	if kernel := []string{"/proc", "/sys", "/dev"}; under(parent, kernel) {
		return "", false, paramErr("dest", "%s is under /proc, /sys or /dev, the kernel's interfaces, not storage", dest)
	}
	if fsType := pseudoFS(parent); fsType != "" {
		return "", false, paramErr("dest", "%s is on a kernel file system (%s), not storage", dest, fsType)
	}
	real := filepath.Join(parent, filepath.Base(dest))
	if fi, err := os.Lstat(real); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if real, err = filepath.EvalSymlinks(real); err != nil {
			return "", false, destError(dest, "follow", err)
		}
	}
	live, err := filepath.Abs(ix.opts.Path)
	if err == nil {
		live, err = filepath.EvalSymlinks(live)
	}
	if err != nil {
		return "", false, fmt.Errorf("backup: resolve the index directory: %w", err)
	}
	if under(real, []string{live}) {
		return "", false, paramErr("dest", "%s is inside the live index %s; choose a directory outside it", dest, live)
	}
	created := true
	if err := os.Mkdir(real, 0o755); errors.Is(err, fs.ErrExist) {
		created = false
	} else if err != nil {
		return "", false, destError(dest, "create", err)
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		return "", false, destError(dest, "read", err)
	}
	if len(entries) == 1 && entries[0].Name() == backupMarker {
		return "", false, fmt.Errorf("%w: another backup is writing to %s (if none is running, an interrupted one left %s: remove it)", ErrBusy, dest, backupMarker)
	}
	if len(entries) > 0 {
		return "", false, paramErr("dest", "%s exists and is not empty; give a new or empty directory", dest)
	}
	f, err := os.OpenFile(filepath.Join(real, backupMarker), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return "", false, fmt.Errorf("%w: another backup is writing to %s", ErrBusy, dest)
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return "", false, errors.Join(destError(dest, "write to", err), removeBackup(real, "", created))
	}
	return real, created, nil
}

// removeBackup removes what a failed backup wrote to dest: the generation
// directory dir (if any), folio.json and the marker, and dest itself if
// the backup created it.
func removeBackup(dest, dir string, created bool) error {
	var errs []error
	if dir != "" {
		errs = append(errs, os.RemoveAll(dir))
	}
	for _, name := range []string{metaFile + ".tmp", metaFile, backupMarker} {
		if err := os.Remove(filepath.Join(dest, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if created {
		errs = append(errs, os.Remove(dest))
	}
	return errors.Join(errs...)
}

// destError is a *ParamError for "dest" saying why op failed on path
// (permission denied, read-only file system, not a directory, ...).
func destError(path, op string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return paramErr("dest", "cannot %s %s: %v", op, path, err)
}
