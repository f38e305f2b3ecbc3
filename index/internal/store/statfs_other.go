//go:build !linux

package store

import "math"

// DiskSpace reports a writable file system with unbounded free space where
// statfs is not available: the checks that use it pass.
func DiskSpace(path string) (readOnly bool, free int64, err error) { return false, math.MaxInt64, nil }

// PseudoFS is "" where statfs is not available.
func PseudoFS(dir string) string { return "" }
