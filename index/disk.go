package index

import (
	"fmt"

	"github.com/folio-search/folio/index/internal/store"
)

// checkWritable fails fast, before bleve is handed a batch, when the disk
// holding path is mounted read-only or has less than minFree bytes free:
// scorch would otherwise keep the batch in memory and retry persisting it
// indefinitely. minFree < 0 disables the space check.
func checkWritable(path string, minFree int64) error {
	readOnly, free, err := store.DiskSpace(path)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrWriteFailed, path, err)
	}
	if readOnly {
		return fmt.Errorf("%w: %s is on a read-only file system", ErrWriteFailed, path)
	}
	if minFree >= 0 && free < minFree {
		return fmt.Errorf("%w (%d bytes free at %s, at least %d needed)", ErrNoSpace, free, path, minFree)
	}
	return nil
}
