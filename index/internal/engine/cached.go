package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// FilterCache keeps the documents a filter matches in one shard's
// snapshot (an index reader) as a bitmap, so that the searches of the
// many requests of one reader's groups (and the several searches of each:
// tiers, counts, facets) walk the filter's postings once per snapshot
// instead of once per search. A write makes a new snapshot, whose bitmaps
// are built again on first use; the snapshot is held weakly. It holds at
// most MaxCachedFilters bitmaps of MaxCachedFilterBytes together (then it
// starts over) and is safe for concurrent use.
type FilterCache struct {
	mu         sync.Mutex
	entries    map[filterKey]*roaring.Bitmap
	bytes      uint64 // the entries' bitmaps' sizes
	maxEntries int
	maxBytes   uint64
	sparse     atomic.Uint64 // float64 bits: see SetSparseShare
}

// Bounds of a FilterCache: a bitmap takes at most about one bit per
// document of its shard (a few kB on Reuters, 1.25 MB for 10 million
// documents).
const (
	MaxCachedFilters     = 256
	MaxCachedFilterBytes = 64 << 20
)

// filterKey is one filter in one snapshot, held weakly: a cached bitmap
// does not keep its snapshot (and the segments it refers to) alive.
type filterKey struct {
	r   weak.Pointer[scorch.IndexSnapshot]
	key string
}

// NewFilterCache returns an empty cache.
func NewFilterCache() *FilterCache { return newFilterCache(MaxCachedFilters, MaxCachedFilterBytes) }

// newFilterCache is an empty cache of the given bounds.
func newFilterCache(maxEntries int, maxBytes uint64) *FilterCache {
	c := &FilterCache{entries: map[filterKey]*roaring.Bitmap{}, maxEntries: maxEntries, maxBytes: maxBytes}
	c.SetSparseShare(DefaultSparseShare)
	return c
}

// put keeps bm under k, starting over when it would exceed the bounds (a
// bitmap larger than all of them is not kept).
func (c *FilterCache) put(k filterKey, bm *roaring.Bitmap) {
	size := bm.GetSizeInBytes()
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.maxBytes {
		return
	}
	if len(c.entries) >= c.maxEntries || c.bytes+size > c.maxBytes {
		clear(c.entries)
		c.bytes = 0
	}
	if old := c.entries[k]; old != nil {
		c.bytes -= old.GetSizeInBytes()
	}
	c.entries[k] = bm
	c.bytes += size
}

// Cached is filter, matching what it matches, its matches held in c per
// snapshot under key (which must name what filter matches: equal keys,
// equal filters). It is meant as a filter (see PostFiltered): its matches
// score 0.
func Cached(c *FilterCache, key string, filter query.Query) query.Query {
	return cachedQuery{Query: filter, c: c, key: key}
}

// cachedQuery is the query of Cached.
type cachedQuery struct {
	query.Query
	c   *FilterCache
	key string
}

// Searcher is the filter's own searcher, unscored: the bitmap is read
// where a Cached query is a PostFiltered filter or counted in
// (Dict.CountIn), not where it is searched on its own.
func (q cachedQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	return unscored{q.Query}.Searcher(ctx, r, m, o)
}

// bitmap is the bitmap of the filter's matches in r, from the cache or
// built and kept there; nil when they cannot be held in one.
func (q cachedQuery) bitmap(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping) (*roaring.Bitmap, error) {
	snap := snapshotOf(r)
	if snap == nil { // not a snapshot to key on
		return nil, nil
	}
	k := filterKey{weak.Make(snap), q.key}
	q.c.mu.Lock()
	bm := q.c.entries[k]
	q.c.mu.Unlock()
	if bm != nil {
		return bm, nil
	}
	bm, err := q.build(ctx, r, m)
	if err != nil || bm == nil {
		return nil, err
	}
	q.c.put(k, bm)
	return bm, nil
}

// snapshotOf is the scorch snapshot r reads (itself, or the shard's
// snapshot of a GlobalQuery's reader: the same documents and numbers), or
// nil.
func snapshotOf(r bleveindex.IndexReader) *scorch.IndexSnapshot {
	switch r := r.(type) {
	case *scorch.IndexSnapshot:
		return r
	case *globalReader:
		return r.IndexSnapshot
	}
	return nil
}

// CountIn is the number of documents of the shards that hold term in
// field among the matches of filter, a Cached query, counting up to limit
// (a walk of term's postings, each checked against the filter's bitmap);
// ok is false, and nothing counted, when filter is not Cached or its
// matches cannot be held in a bitmap. The walk also learns how many
// documents hold term at all (Count then answers without reading the
// postings again), and the Dict remembers its answer: a later question
// about the same term and filter up to at most limit (or about a term
// counted to the end) walks nothing.
func (d *Dict) CountIn(field, term string, filter query.Query, limit uint64) (n uint64, ok bool, err error) {
	q, isCached := filter.(cachedQuery)
	if !isCached {
		return 0, false, nil
	}
	k := countKey{fieldTerm{field, term}, q.key}
	if c, seen := d.within[k]; seen && (c.n < c.limit || c.limit >= limit) {
		return min(c.n, limit), true, nil
	}
	if err := d.open(); err != nil {
		return 0, false, err
	}
	ctx := context.Background()
	var all uint64
	for i, r := range d.readers {
		bm, err := q.bitmap(ctx, r, d.shards[i].Mapping())
		if err != nil || bm == nil {
			return 0, false, err
		}
		// Past limit, the walk only counts (the reader is open anyway).
		c, held, err := countInBitmap(r, field, term, bm, limit-min(n, limit))
		if err != nil {
			return 0, true, err
		}
		n, all = n+c, all+held
	}
	d.counts = remember(d.counts, fieldTerm{field, term}, all)
	d.within = remember(d.within, k, counted{n, limit})
	return n, true, nil
}

// countKey names one CountIn question: a term and a filter's key.
type countKey struct {
	fieldTerm
	filter string
}

// counted is a CountIn answer: n documents, counted up to limit.
type counted struct{ n, limit uint64 }

// countInBitmap is Dict.CountIn for one shard's reader and its bitmap: n
// up to limit, and held, the documents holding term in the shard.
func countInBitmap(r bleveindex.IndexReader, field, term string, bm *roaring.Bitmap, limit uint64) (n, held uint64, err error) {
	tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
	if err != nil {
		return 0, 0, err
	}
	defer func() { err = errors.Join(err, tfr.Close()) }()
	held = tfr.Count()
	var doc bleveindex.TermFieldDoc
	for n < limit {
		d, err := tfr.Next(doc.Reset())
		if err != nil || d == nil {
			return n, held, err
		}
		if id, ok := docNum(d.ID); ok && bm.Contains(id) {
			n++
		}
	}
	return n, held, nil
}

// build is the bitmap of the filter's matches in r, or nil when its ids
// cannot be held in one.
func (q cachedQuery) build(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping) (*roaring.Bitmap, error) {
	s, err := unscored{q.Query}.Searcher(ctx, r, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	bm := roaring.New()
	for {
		dm, err := s.Next(sctx)
		if err != nil || dm == nil {
			bm.RunOptimize()
			return bm, err
		}
		id, ok := docNum(dm.IndexInternalID)
		if !ok {
			return nil, nil
		}
		bm.Add(id)
		sctx.DocumentMatchPool.Put(dm)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// bitmapFiltered is the query of PostFiltered with a Cached filter.
type bitmapFiltered struct {
	q      query.Query
	filter cachedQuery
}

// Searcher is q's searcher, letting through the matches the filter's
// bitmap of r holds: one lookup per match, no searcher of the filter to
// move along, no match to compare with. When the bitmap holds few of the
// shard's documents, it drives q's searcher instead (see driven), so that
// the documents it does not hold are skipped rather than scored. Where the
// filter's matches cannot be held in a bitmap, it is bleve's boolean
// filter. bleve looks up the synonyms of the query's terms in the query
// tree before it asks for the searcher; it cannot see inside this query,
// so that is done here.
func (q bitmapFiltered) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	bm, err := q.filter.bitmap(ctx, r, m)
	if err != nil {
		return nil, err
	}
	if ctx, err = withSynonyms(ctx, r, m, q.q); err != nil {
		return nil, err
	}
	if bm == nil {
		return booleanFiltered(q.q, q.filter.Query).Searcher(ctx, r, m, o)
	}
	sparse, err := q.filter.c.drives(bm, r)
	if err != nil {
		return nil, err
	}
	if sparse {
		if d := driven(q.q, bm); d != nil {
			return d.Searcher(ctx, r, m, o)
		}
	}
	s, err := q.q.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	return &bitmapFilter{Searcher: s, bm: bm}, nil
}

// bitmapFilter is a searcher whose matches are those of the searcher it
// wraps that bm holds, scored as that searcher scores them.
type bitmapFilter struct {
	search.Searcher
	bm *roaring.Bitmap
}

// Next is the wrapped searcher's next match that bm holds.
func (s *bitmapFilter) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	dm, err := s.Searcher.Next(ctx)
	return s.held(ctx, dm, err)
}

// Advance is the wrapped searcher's first match at or after id that bm holds.
func (s *bitmapFilter) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	dm, err := s.Searcher.Advance(ctx, id)
	return s.held(ctx, dm, err)
}

// held is dm if bm holds it, else the wrapped searcher's next match bm
// holds; the matches passed over go back to the pool.
func (s *bitmapFilter) held(ctx *search.SearchContext, dm *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	for ; dm != nil && err == nil; dm, err = s.Searcher.Next(ctx) {
		if n, ok := docNum(dm.IndexInternalID); ok && s.bm.Contains(n) {
			return dm, nil
		}
		ctx.DocumentMatchPool.Put(dm)
	}
	return nil, err
}

// Size is the searcher's size with the wrapped one's (the bitmap belongs to the cache).
func (s *bitmapFilter) Size() int { return 64 + s.Searcher.Size() }

// docNum is the document number of a scorch internal id (8 bytes, big
// endian); ok is false when id is not one or does not fit a bitmap's 32 bits.
func docNum(id bleveindex.IndexInternalID) (n uint32, ok bool) {
	if len(id) != 8 {
		return 0, false
	}
	v := binary.BigEndian.Uint64(id)
	return uint32(v), v <= math.MaxUint32
}
