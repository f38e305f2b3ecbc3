package index

import (
	"context"
	"sync"

	"github.com/folio-search/folio/index/internal/analysis"
)

// The write path is one pipeline with named stages:
//
//	source  → article → log → apply
//
// Sources are where articles come from: the folders of `folio index` and
// `serve --watch` (internal/sources, read by ingest's producer), the
// bodies of the HTTP write API (Put, PutJSON, Bulk, Delete; their
// decoding into records is sources.APIBody and sources.APILines) and the live
// index a rebuild carries over. The article stage parses and validates
// them (index/article) into writeOps. The log (writeLog) takes the ops in
// order and acknowledges them once they are applied and durable. Apply
// (applyLocked, apply.go) is the one place that writes bleve batches.

// writeLog is the log stage of the write path: Append takes ops in order
// and returns once they are applied and durable (persisted, fsynced), with,
// per op, whether its id existed before and its sequence in the log (seqs
// is nil for the local log, which has none). counts, when set, receives the
// token counts of the puts (a bulk load into an empty index, see
// bulkCounts). On an error nothing of ops is acknowledged. The local log
// (localLog) applies them at once; a replicated log (the cluster's) fits
// behind the same interface: ops appended in order, each acknowledged once
// applied.
type writeLog interface {
	Append(ctx context.Context, ops []writeOp, counts *analysis.BulkCounts) (existed []bool, seqs []uint64, err error)
}

// localLog is the log of a single node: Append applies the ops to the
// current generation directly.
type localLog struct{ ix *Index }

// writes is the index's write log: the replicated one in cluster mode.
func (ix *Index) writes() writeLog {
	if ix.replica != nil {
		return clusterLog{ix}
	}
	return localLog{ix}
}

// Append applies ops under the index's read lock (a rebuild's swap waits
// for it) and, after a failed persist, reopens the shards (afterWrite). A
// local apply is not interrupted half-way: ctx is not consulted.
func (l localLog) Append(_ context.Context, ops []writeOp, counts *analysis.BulkCounts) ([]bool, []uint64, error) {
	ix := l.ix
	ix.noteGroups(ops)
	ix.mu.RLock()
	existed, err := ix.applyLocked(ops, counts)
	ix.mu.RUnlock()
	ix.afterWrite(err)
	return existed, nil, err
}

// replayLog records the writes made to the live index during a rebuild,
// to replay them into the new generation before it is swapped in; in
// cluster mode also the last log sequence the live index applied.
type replayLog struct {
	mu  sync.Mutex
	ops []writeOp
	seq uint64
}

func (l *replayLog) add(seq uint64, ops ...writeOp) {
	l.mu.Lock()
	l.ops = append(l.ops, ops...)
	l.seq = max(l.seq, seq)
	l.mu.Unlock()
}

// take returns the ops recorded so far and the last sequence applied,
// and forgets the ops.
func (l *replayLog) take() ([]writeOp, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ops := l.ops
	l.ops = nil
	return ops, l.seq
}
