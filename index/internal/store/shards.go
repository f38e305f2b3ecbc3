package store

import (
	"io/fs"
	"path/filepath"
	"runtime"

	"github.com/folio-search/folio/index/article"
)

// Measured on a 2-core machine with Reuters expanded 50× (1.08 million
// articles, README "Shards"): 2 shards ingest 10% faster than 1 and answer
// one client 1.7× as fast (each shard searched on its own core), at the same
// throughput under 16 clients; 4 shards were no better than 2. On the
// 21,577 articles of Reuters itself, 2 shards cost 10% of the throughput
// under load (a search per shard, and the global statistics, for little
// work each). So a large input gets a shard per core, a small one a single
// shard.

// autoShardBytes is the input size (uncompressed, estimated) from which
// ShardsFor splits a new index: about 100,000 articles of Reuters' size.
const autoShardBytes = 96 << 20

// maxAutoShards caps ShardsFor on machines with many cores (only up to 4
// shards were measured).
const maxAutoShards = 4

// ShardsFor chooses the shard count of a new index built from paths (the
// "auto" setting of index.shards): one shard per core, up to 4, when the
// inputs hold about 96 MiB of text or more (gzip-compressed files count
// three times their size), else one.
func ShardsFor(paths []string) int {
	var total int64
	for _, root := range paths {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil // unreadable parts are reported by the ingest itself
			}
			kind, gz := article.FormatOf(path)
			if kind == article.FormatUnknown {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			n := info.Size()
			if gz {
				n *= 3 // Reuters' JSON Lines compress 2.9:1
			}
			total += n
			return nil
		})
	}
	if total < autoShardBytes {
		return 1
	}
	return max(1, min(runtime.NumCPU(), maxAutoShards))
}
