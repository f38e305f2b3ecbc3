package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// errReadOnlyShard is the error of a batch on a ReadOnlyShard.
var errReadOnlyShard = errors.New("shard reopened read-only after a failed write; retry once the storage is writable")

// ReadOnlyShard is a shard reopened read-only after a failed write. It
// refuses batches, which a read-only scorch would otherwise accept into
// memory and never persist (Batch would wait forever); the refusal is a
// persist failure, so the next write tries a read-write reopen again.
type ReadOnlyShard struct{ Shard }

// Batch refuses b: the shard cannot persist it.
func (ReadOnlyShard) Batch(*bleve.Batch) error { return errReadOnlyShard }

// ClosedShard is a shard that was closed after a failed write and could
// not be reopened: it fails every call with bleve's "index closed" error,
// and a second Close (which panics in scorch) is a no-op.
type ClosedShard struct{ Shard }

// Close does nothing: the shard is closed already.
func (ClosedShard) Close() error { return nil }

// Shard is bleve.Index under a name that can be embedded (bleve.Index
// has a method named Index).
type Shard interface{ bleve.Index }

// MergeToOneSegment merges shard sh down to a single segment (a bulk load
// leaves many; one answers queries faster). It returns ctx's error if ctx
// ends first, and an error when sh is not a scorch index.
func MergeToOneSegment(ctx context.Context, sh bleve.Index) error {
	adv, err := sh.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return fmt.Errorf("index is %T, not scorch", adv)
	}
	// One ForceMerge call merges at most SegmentsPerMergeTask segments
	// per task, so repeat until one is left.
	for round := 0; round < 20 && segmentCount(s) > 1; round++ {
		if err := s.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
			return err
		}
	}
	return nil
}

// Segments is the number of segments of shard sh; 0 when it is not a
// scorch index (or its handle fails).
func Segments(sh bleve.Index) int {
	if adv, err := sh.Advanced(); err == nil {
		if s, ok := adv.(*scorch.Scorch); ok {
			return int(segmentCount(s))
		}
	}
	return 0
}

func segmentCount(s *scorch.Scorch) uint64 {
	m := s.StatsMap()
	n, _ := m["TotFileSegmentsAtRoot"].(uint64)
	k, _ := m["TotMemorySegmentsAtRoot"].(uint64)
	return n + k
}

// Reopen reopens shards after a failed persist, so that searches keep
// working from what is on disk (a failed batch is not recorded there):
// shard i is closed and reopened read-write at path(i), else read-only as
// a ReadOnlyShard, else kept as a ClosedShard. It returns the new handles.
func Reopen(shards []bleve.Index, path func(i int) string) []bleve.Index {
	fresh := make([]bleve.Index, len(shards))
	for i, s := range shards {
		// The old handle must be closed first (bolt's file lock), so it
		// cannot be kept if the reopen fails.
		s.Close()
		bi, oerr := bleve.Open(path(i))
		if oerr != nil {
			// Storage that refuses writes (read-only) refuses a read-write
			// open too: serve reads from a read-only handle.
			if ro, rerr := bleve.OpenUsing(path(i), map[string]interface{}{"read_only": true}); rerr == nil {
				bi = ReadOnlyShard{Shard: ro}
			} else {
				bi = ClosedShard{Shard: s}
			}
		}
		fresh[i] = bi
	}
	return fresh
}

// IsNoSpace reports whether err, an error of a shard's Batch, means the
// disk is full: bleve keeps only the text of the os error, so the text is
// matched too.
func IsNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), syscall.ENOSPC.Error())
}
