package index

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/analysis"
	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/store"
)

// writeOp is one write: a put (article set) or a delete of id; or, with
// dropOverride, only the removal of id's override (its file was read again).
type writeOp struct {
	id           string
	article      *article.Article
	api          bool   // made through the API: over an id from a file, it records an override
	dropOverride bool   // removes id's override key and nothing else
	seq          uint64 // in cluster mode, the log sequence of the op's entry (0 otherwise)
}

// applyLocked is the apply stage of the write path and the one place that
// writes bleve batches: it turns ops into one batch per shard (articles
// analysed with their token counts, override keys of API writes over file
// ids in the same batch) and persists each (scorch's Batch returns after
// fsync) before it returns, per op, whether its id existed before. During
// a rebuild the puts and deletes are logged for replay into the new
// generation. counts, when set, gets the token counts of the puts. The
// caller holds ix.mu (a rebuild replaying into its new generation holds
// the live index's lock and applies to the new one directly).
func (ix *Index) applyLocked(ops []writeOp, counts *analysis.BulkCounts) ([]bool, error) {
	return ix.applyAt(ops, counts, 0)
}

// applyAt is applyLocked for the replicated log: with seq > 0 every
// shard's batch also records seq as the shard's applied log sequence
// (appliedSeqKey), so a crash never separates a write from its sequence.
func (ix *Index) applyAt(ops []writeOp, counts *analysis.BulkCounts, seq uint64) ([]bool, error) {
	// Every write path calls noteGroups first (under no lock); this only
	// backs it up, so a path that forgets leaves no lasting gap.
	if !ix.mayHaveGroups() && hasGroups(ops) {
		ix.grouped.Store(true)
	}
	if writesArticles(ops) {
		if err := checkWritable(ix.opts.Path, ix.opts.MinFreeBytes); err != nil {
			return nil, err
		}
	}
	existed, err := ix.existedBefore(ops)
	if err != nil {
		return nil, err
	}
	docs, lens, err := ix.analyzeOps(ops)
	if err != nil {
		return nil, err
	}
	batches, err := ix.shardBatches(ops, docs)
	if err != nil {
		return nil, err
	}
	if seq > 0 {
		for s := range batches {
			if batches[s] == nil {
				batches[s] = ix.shards[s].NewBatch()
			}
			batches[s].SetInternal(appliedSeqKey, []byte(strconv.FormatUint(seq, 10)))
		}
	}
	for s, b := range batches {
		if b == nil {
			continue
		}
		if err := ix.shards[s].Batch(b); err != nil {
			return nil, persistError(err, store.ShardPath(store.GenDir(ix.opts.Path, ix.meta.Generation), s))
		}
	}
	ix.frequent.Changed()
	ix.logApplied(ops, lens, counts, seq)
	return existed, nil
}

// writesArticles reports whether ops put or delete an article (dropping
// overrides alone only frees space, so it needs none).
func writesArticles(ops []writeOp) bool {
	for _, op := range ops {
		if !op.dropOverride {
			return true
		}
	}
	return false
}

// existedBefore returns, per op, whether its id existed before it: in the
// index, or put by an earlier op of ops.
func (ix *Index) existedBefore(ops []writeOp) ([]bool, error) {
	existed := make([]bool, len(ops))
	ids := make([]string, 0, len(ops))
	for _, op := range ops {
		if !op.dropOverride {
			ids = append(ids, op.id)
		}
	}
	if len(ids) == 0 {
		return existed, nil
	}
	present, err := engine.Existing(ix.alias, ids)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, op := range ops {
		if op.dropOverride {
			continue
		}
		existed[i] = present[op.id] || seen[op.id]
		seen[op.id] = op.article != nil
		if op.article == nil {
			present[op.id] = false
		}
	}
	return existed, nil
}

// analyzeOps maps and analyses the articles of the puts in ops on every
// core (analysis.Article), returning per op its document and token counts
// (nil and zero for the other ops).
func (ix *Index) analyzeOps(ops []writeOp) ([]*document.Document, []analysis.TokenCounts, error) {
	docs := make([]*document.Document, len(ops))
	lens := make([]analysis.TokenCounts, len(ops))
	errs := make([]error, len(ops))
	m := ix.shards[0].Mapping()
	analysis.All(&ix.analysis, len(ops), func(w *analysis.Worker, i int) {
		if a := ops[i].article; a != nil && !ops[i].dropOverride {
			docs[i], lens[i], errs[i] = analysis.Article(m, w, a)
		}
	})
	for i, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("index article %q: %w", ops[i].id, err)
		}
	}
	return docs, lens, nil
}

// shardBatches groups ops into one bleve batch per shard (nil for a shard
// no op touches), with the override keys of API writes over file ids in
// the same batch; docs are the analysed documents of the puts.
func (ix *Index) shardBatches(ops []writeOp, docs []*document.Document) ([]*bleve.Batch, error) {
	bops := make([]engine.BatchOp, len(ops))
	for i, op := range ops {
		bops[i] = engine.BatchOp{ID: op.id, Doc: docs[i], KeyOnly: op.dropOverride}
		switch {
		case op.dropOverride:
			bops[i].Key = sources.OverrideKey(op.id)
		case op.api && ix.fromFile(op.id):
			bops[i].Key, bops[i].Value = sources.OverrideKey(op.id), sources.OverrideOf(op.article == nil)
		}
	}
	batches, err := engine.ShardBatches(ix.shards, bops)
	if err != nil {
		return nil, fmt.Errorf("index article %w", err)
	}
	return batches, nil
}

// logApplied records persisted ops: their puts and deletes for a running
// rebuild to replay (with seq, the log sequence applied, in cluster
// mode), and the token counts of the puts in counts (if set).
func (ix *Index) logApplied(ops []writeOp, lens []analysis.TokenCounts, counts *analysis.BulkCounts, seq uint64) {
	if ix.rebuilding != nil && (writesArticles(ops) || seq > 0) {
		ix.rebuilding.add(seq, slices.DeleteFunc(slices.Clone(ops), func(op writeOp) bool { return op.dropOverride })...)
	}
	if counts != nil {
		for i, op := range ops {
			if op.article != nil && !op.dropOverride {
				counts.Add(ix.shardOf(op.id), lens[i])
			}
		}
	}
}
