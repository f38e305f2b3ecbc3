package index

import (
	"io/fs"
	"path/filepath"
)

// DiskSize returns the total size in bytes of the files under the index
// directory. It returns an error when the directory cannot be walked.
func (ix *Index) DiskSize() (int64, error) {
	var total int64
	err := filepath.WalkDir(ix.opts.Path, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return nil // removed by a merge while we walked
			}
			total += info.Size()
		}
		return nil
	})
	return total, err
}
