package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// BackupMarker claims a backup's destination while the copy is written
// (created exclusively, removed last): a second backup to the same
// directory finds it and is refused.
const BackupMarker = "folio-backup.incomplete"

// maxBackupPath is the longest destination accepted: bleve's files lie up
// to ~60 bytes deeper (gen-N/shard-NN/store/…zap), and Linux refuses
// paths of 4096 bytes and more.
const maxBackupPath = 4096 - 256

// DestError says why a backup destination is refused: a bad or unusable
// path (the facade's *ParamError for "dest"), or, with Busy, a destination
// another backup is writing to (the facade's ErrBusy).
type DestError struct {
	// Reason names the destination and what is wrong with it.
	Reason string
	// Busy is set when another backup claims the destination.
	Busy bool
	// Cleanup is the error of removing what the claim had made, if any.
	Cleanup error
}

// Error is the reason.
func (e *DestError) Error() string { return e.Reason }

// DestFailure is the *DestError saying why op failed on path (permission
// denied, read-only file system, not a directory, ...).
func DestFailure(path, op string, err error) *DestError {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &DestError{Reason: fmt.Sprintf("cannot %s %s: %v", op, path, err)}
}

func refuse(format string, args ...any) *DestError {
	return &DestError{Reason: fmt.Sprintf(format, args...)}
}

// ClaimBackupDest checks dest: an absolute path whose parent directory
// exists, outside the live index directory live, on a real file system
// (not /proc, /sys and the like), that does not exist or is an empty
// directory. It creates dest unless it is an existing empty directory, and
// claims it with the backup marker. It returns dest with symbolic links
// resolved and whether it created it; a refused destination is a
// *DestError.
func ClaimBackupDest(dest, live string) (string, bool, error) {
	switch {
	case strings.TrimSpace(dest) == "":
		return "", false, refuse("give the absolute path of a new (or empty) directory")
	case !filepath.IsAbs(dest):
		return "", false, refuse("%q is a relative path; give an absolute one (a relative path would be resolved against the server's working directory)", dest)
	case len(dest) > maxBackupPath:
		return "", false, refuse("the path is %d bytes long; at most %d are accepted", len(dest), maxBackupPath)
	}
	dest = filepath.Clean(dest)
	parent, err := filepath.EvalSymlinks(filepath.Dir(dest))
	if err != nil {
		return "", false, DestFailure(filepath.Dir(dest), "use the parent directory", err)
	}
	if fi, err := os.Stat(parent); err != nil || !fi.IsDir() {
		return "", false, refuse("%s is not a directory", parent)
	}
	// Where Linux mounts its interfaces, whatever file system is there.
	if kernel := []string{"/proc", "/sys", "/dev"}; under(parent, kernel) {
		return "", false, refuse("%s is under /proc, /sys or /dev, the kernel's interfaces, not storage", dest)
	}
	if fsType := PseudoFS(parent); fsType != "" {
		return "", false, refuse("%s is on a kernel file system (%s), not storage", dest, fsType)
	}
	real := filepath.Join(parent, filepath.Base(dest))
	if fi, err := os.Lstat(real); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if real, err = filepath.EvalSymlinks(real); err != nil {
			return "", false, DestFailure(dest, "follow", err)
		}
	}
	live, err = filepath.Abs(live)
	if err == nil {
		live, err = filepath.EvalSymlinks(live)
	}
	if err != nil {
		return "", false, fmt.Errorf("backup: resolve the index directory: %w", err)
	}
	if under(real, []string{live}) {
		return "", false, refuse("%s is inside the live index %s; choose a directory outside it", dest, live)
	}
	created := true
	if err := os.Mkdir(real, 0o755); errors.Is(err, fs.ErrExist) {
		created = false
	} else if err != nil {
		return "", false, DestFailure(dest, "create", err)
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		return "", false, DestFailure(dest, "read", err)
	}
	if len(entries) == 1 && entries[0].Name() == BackupMarker {
		return "", false, &DestError{Busy: true, Reason: fmt.Sprintf("another backup is writing to %s (if none is running, an interrupted one left %s: remove it)", dest, BackupMarker)}
	}
	if len(entries) > 0 {
		return "", false, refuse("%s exists and is not empty; give a new or empty directory", dest)
	}
	f, err := os.OpenFile(filepath.Join(real, BackupMarker), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return "", false, &DestError{Busy: true, Reason: fmt.Sprintf("another backup is writing to %s", dest)}
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		de := DestFailure(dest, "write to", err)
		de.Cleanup = RemoveBackup(real, "", created)
		return "", false, de
	}
	return real, created, nil
}

// RemoveBackup removes what a failed backup wrote to dest: the generation
// directory dir (if any), folio.json and the marker, and dest itself if
// the backup created it.
func RemoveBackup(dest, dir string, created bool) error {
	var errs []error
	if dir != "" {
		errs = append(errs, os.RemoveAll(dir))
	}
	for _, name := range []string{MetaFile + ".tmp", MetaFile, BackupMarker} {
		if err := os.Remove(filepath.Join(dest, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if created {
		errs = append(errs, os.Remove(dest))
	}
	return errors.Join(errs...)
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
