package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/internal/analysis"
	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
)

// BLEVE-NOTES: bleve's BM25 takes avgdl as the field's vocabulary size
// divided by the document count, not the average number of tokens per
// document; on SciFact that is 6 instead of ~150, so every abstract looks 25
// times longer than average. bm25Stats gathers the true figures — the
// document count and, for the analysed text fields, the total number of
// tokens (the sum of every term's frequencies) — and requests carry them as
// pre-search data, which bleve uses in place of its own.

// computeBM25Stats walks every shard's term dictionaries. Fields other than
// schema.TokenFields keep bleve's own cardinality (keyword fields; their scores do
// not matter for ranking).
//
// Walking the dictionaries reads every posting (seconds for 100k articles),
// so each shard keeps its figures under the internal key bm25StatsKey;
// with cached true they are reused while the shard's document count is
// unchanged (Open), and recomputed otherwise (after every ingest).
func (ix *Index) computeBM25Stats(ctx context.Context, cached bool) (*search.BM25Stats, error) {
	return ix.computeBM25StatsCounted(ctx, cached, nil)
}

// computeBM25StatsCounted is computeBM25Stats with the token counts of a
// bulk load into an empty index: a shard whose document count matches what
// counts saw takes its token totals from counts instead of walking.
func (ix *Index) computeBM25StatsCounted(ctx context.Context, cached bool, counts *analysis.BulkCounts) (*search.BM25Stats, error) {
	synonyms := uint64(len(ix.opts.Synonyms))
	st, err := engine.BM25Stats(ctx, ix.shards, bm25StatsKey, cached, schema.TokenFields, func(i int, r bleveindex.IndexReader) []int {
		return counts.ForShard(i, r, synonyms)
	})
	if err != nil {
		return nil, err
	}
	// A field no document has yet, and "*" (the non-scoring parts of date
	// filters ask for it): bleve needs an entry, and falls back to TF-IDF for 0.
	for _, f := range plan.Fields() {
		st.FieldCardinality[f] += 0
	}
	st.FieldCardinality["*"] += 0
	st.FieldCardinality[schema.Day] += 0
	st.FieldCardinality[schema.Groups] += 0 // every read's visibility filter
	st.DocCount = max(1, st.DocCount-float64(ix.synonymDocs()))
	return st, nil
}

// bm25StatsKey is the bleve internal key of a shard's cached statistics.
const bm25StatsKey = "folio_bm25_stats"

// refreshBM25Stats recomputes the statistics after the index changed (or,
// with cached, loads them from the shards when they are current).
func (ix *Index) refreshBM25Stats(ctx context.Context, cached bool) error {
	if ix.opts.BleveAvgDL {
		return nil
	}
	st, err := ix.computeBM25Stats(ctx, cached)
	if err != nil {
		return err
	}
	ix.bm25.Store(st)
	return nil
}

// storeBM25Stats recomputes the statistics after an ingest; counts, when
// not nil, are the token counts of a bulk load into an empty index.
func (ix *Index) storeBM25Stats(ctx context.Context, counts *analysis.BulkCounts) error {
	if ix.opts.BleveAvgDL {
		return nil
	}
	st, err := ix.computeBM25StatsCounted(ctx, false, counts)
	if err != nil {
		return err
	}
	ix.bm25.Store(st)
	return nil
}

// empty reports whether the index holds no articles.
func (ix *Index) empty() bool {
	for _, s := range ix.shards {
		n, err := s.DocCount()
		if err != nil || n > uint64(len(ix.opts.Synonyms)) {
			return false
		}
	}
	return true
}

// Folio's BM25 parameters (see testdata/relevance/RESULTS.md).
const (
	DefaultBM25K1 = 1.2
	DefaultBM25B  = 0.9
)
