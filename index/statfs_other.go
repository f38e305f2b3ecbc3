//go:build !linux

package index

// checkWritable is a no-op where statfs is not available.
func checkWritable(path string, minFree int64) error { return nil }

// pseudoFS is "" where statfs is not available.
func pseudoFS(dir string) string { return "" }
