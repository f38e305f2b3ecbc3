package index

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"

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
func (ix *Index) computeBM25StatsCounted(ctx context.Context, cached bool, counts *bulkCounts) (*search.BM25Stats, error) {
	st := &search.BM25Stats{FieldCardinality: map[string]int{}}
	for i, s := range ix.shards {
		adv, err := s.Advanced()
		if err != nil {
			return nil, err
		}
		r, err := adv.Reader()
		if err != nil {
			return nil, err
		}
		shard := &search.BM25Stats{FieldCardinality: map[string]int{}}
		fresh := true
		if cached {
			if b, err := s.GetInternal([]byte(bm25StatsKey)); err == nil && b != nil {
				n, err := r.DocCount()
				if json.Unmarshal(b, shard) == nil && err == nil && shard.DocCount == float64(n) {
					fresh = false
				} else {
					shard = &search.BM25Stats{FieldCardinality: map[string]int{}}
				}
			}
		}
		if fresh {
			err = engine.AddShardStats(ctx, r, shard, schema.TokenFields, counts.forShard(i, r, uint64(len(ix.opts.Synonyms))))
		}
		if cerr := r.Close(); err == nil {
			err = cerr
		}
		if err == nil && fresh {
			var b []byte
			if b, err = json.Marshal(shard); err == nil {
				err = s.SetInternal([]byte(bm25StatsKey), b)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("bm25 statistics of shard %d: %w", i, err)
		}
		st.DocCount += shard.DocCount
		for f, c := range shard.FieldCardinality {
			st.FieldCardinality[f] += c
		}
	}
	// A field no document has yet, and "*" (the non-scoring parts of date
	// filters ask for it): bleve needs an entry, and falls back to TF-IDF for 0.
	for _, f := range plan.Fields() {
		st.FieldCardinality[f] += 0
	}
	st.FieldCardinality["*"] += 0
	st.FieldCardinality[schema.Day] += 0
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
func (ix *Index) storeBM25Stats(ctx context.Context, counts *bulkCounts) error {
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

// bulkCounts sums, per shard, the documents and tokens written by a bulk
// load into an empty index. It is safe for concurrent use.
type bulkCounts struct {
	mu     sync.Mutex
	docs   []uint64
	tokens []tokenCounts
}

func newBulkCounts(shards int) *bulkCounts {
	return &bulkCounts{docs: make([]uint64, shards), tokens: make([]tokenCounts, shards)}
}

func (c *bulkCounts) add(shard int, n tokenCounts) {
	c.mu.Lock()
	c.docs[shard]++
	for i := range n {
		c.tokens[shard][i] += n[i]
	}
	c.mu.Unlock()
}

// forShard returns shard i's token totals when they describe the whole
// shard (its document count, less its synonym documents, is what was
// counted), in schema.TokenFields' order, else nil.
func (c *bulkCounts) forShard(i int, r bleveindex.IndexReader, synonyms uint64) []int {
	if c == nil {
		return nil
	}
	n, err := r.DocCount()
	if err != nil || n != c.docs[i]+synonyms {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.tokens[i]
	return t[:]
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
