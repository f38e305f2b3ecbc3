package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/internal/engine"
)

// Aliases and wrappers of what moved to index/internal/engine, so that the
// rest of the package compiles unchanged; the next commit retires them.

type (
	shardStats    = engine.ShardStats
	globalQuery   = engine.GlobalQuery
	tieRuns       = engine.TieRuns
	readOnlyShard = engine.ReadOnlyShard
	closedShard   = engine.ClosedShard
)

func (ix *Index) openShardStats() (*shardStats, error) { return engine.OpenShardStats(ix.shards) }

func (ix *Index) readers() ([]bleveindex.IndexReader, func() error, error) {
	return engine.Readers(ix.shards)
}

func docFreq(ctx context.Context, readers []bleveindex.IndexReader, field, term string) (uint64, error) {
	return engine.DocFreq(ctx, readers, field, term)
}

func filtered(q, filter query.Query) query.Query { return engine.Filtered(q, filter) }

func tiesResolved(hits search.DocumentMatchCollection, end int, total uint64) bool {
	return engine.TiesResolved(hits, end, total)
}

func tieReach(hits search.DocumentMatchCollection, end int) int { return engine.TieReach(hits, end) }

func addShardStats(ctx context.Context, r bleveindex.IndexReader, st *search.BM25Stats, known *tokenCounts) error {
	var k []int
	if known != nil {
		k = known[:]
	}
	return engine.AddShardStats(ctx, r, st, tokenFields, k)
}

func setBM25(k1, b float64) error { return engine.SetBM25(k1, b) }

func tooManyTerms(err error) bool { return engine.TooManyTerms(err) }

func tooComplex(err error) bool { return engine.TooComplex(err) }
