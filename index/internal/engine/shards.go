package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	bleveindex "github.com/blevesearch/bleve_index_api"
	bolterrors "go.etcd.io/bbolt/errors"
)

// PartialError is the error of a search over several shards that some of
// them failed: bleve's alias reports a shard's failure (a deadline, too
// many terms) in the status and answers with the other shards' hits, and a
// partial answer must not pass for a whole one. It is nil for a whole
// answer.
func PartialError(res *bleve.SearchResult) error {
	if res == nil || res.Status == nil || res.Status.Failed == 0 {
		return nil
	}
	errs := make([]error, 0, len(res.Status.Errors))
	for _, e := range res.Status.Errors {
		errs = append(errs, e)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return fmt.Errorf("search: %d of %d shards failed", res.Status.Failed, res.Status.Total)
}

// OpenShards opens the bleve indexes at paths, each waiting at most
// lockTimeout for its lock; the error of one whose lock another process
// holds is locked. On an error the shards already open are closed, and the
// error names the path.
func OpenShards(paths []string, lockTimeout time.Duration, locked error) ([]bleve.Index, error) {
	var shards []bleve.Index
	for _, path := range paths {
		bi, err := bleve.OpenUsing(path, map[string]interface{}{"bolt_timeout": lockTimeout.String()})
		if errors.Is(err, bolterrors.ErrTimeout) {
			err = locked
		}
		if err != nil {
			for _, s := range shards {
				s.Close()
			}
			return nil, fmt.Errorf("open index %s: %w", path, err)
		}
		shards = append(shards, bi)
	}
	return shards, nil
}

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
// not be reopened: it fails every call with bleve's "index closed" error
// (Closed), Advanced included (bleve hands out the closed scorch index,
// whose reader panics on its first dictionary read), and a second Close
// (which panics in scorch) is a no-op.
type ClosedShard struct{ Shard }

// Close does nothing: the shard is closed already.
func (ClosedShard) Close() error { return nil }

// Advanced refuses: the shard is closed.
func (ClosedShard) Advanced() (bleveindex.Index, error) {
	return nil, fmt.Errorf("%w: closed after a failed write and not reopened", bleve.ErrorIndexClosed)
}

// Closed reports whether err says a shard is closed (a ClosedShard's calls).
func Closed(err error) bool { return errors.Is(err, bleve.ErrorIndexClosed) }

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
