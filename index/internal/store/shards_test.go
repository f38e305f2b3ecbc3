package store

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestShardsFor: a small input gets one shard, a large one (by its size,
// gzip counted three times) one per core up to 4; other files do not count.
func TestShardsFor(t *testing.T) {
	if got := ShardsFor([]string{"../../../testdata/articles"}); got != 1 {
		t.Errorf("ShardsFor(testdata) = %d, want 1", got)
	}
	dir := t.TempDir()
	sparse := func(name string, size int64) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil { // sparse: no disk space used
			t.Fatal(err)
		}
		return p
	}
	many := max(1, min(runtime.NumCPU(), maxAutoShards))
	for _, tt := range []struct {
		name string
		size int64
		want int
	}{
		{"big.jsonl", autoShardBytes, many},
		{"small.jsonl", autoShardBytes - 1, 1},
		{"big.jsonl.gz", autoShardBytes/3 + 1, many},
		{"small.json.gz", autoShardBytes / 4, 1},
		{"video.mp4", 4 * autoShardBytes, 1},
	} {
		if got := ShardsFor([]string{sparse(tt.name, tt.size)}); got != tt.want {
			t.Errorf("ShardsFor(%s of %d bytes) = %d, want %d", tt.name, tt.size, got, tt.want)
		}
	}
}
