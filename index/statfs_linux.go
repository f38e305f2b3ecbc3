package index

import (
	"fmt"
	"syscall"
)

// checkWritable fails fast, before bleve is handed a batch, when the disk
// holding path is mounted read-only or has less than minFree bytes free:
// scorch would otherwise keep the batch in memory and retry persisting it
// indefinitely. minFree < 0 disables the space check.
func checkWritable(path string, minFree int64) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrWriteFailed, path, err)
	}
	if st.Flags&0x1 != 0 { // ST_RDONLY
		return fmt.Errorf("%w: %s is on a read-only file system", ErrWriteFailed, path)
	}
	if free := int64(st.Bavail) * int64(st.Bsize); minFree >= 0 && free < minFree {
		return fmt.Errorf("%w (%d bytes free at %s, at least %d needed)", ErrNoSpace, free, path, minFree)
	}
	return nil
}
