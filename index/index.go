package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/highlight"
	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/store"
)

// Index is an open Folio index: a directory holding folio.json (what built
// it) and one bleve index per shard (shard-00, shard-01, ...), searched
// together through a bleve IndexAlias. Documents are routed to a shard by a
// hash of their id. It is safe for concurrent use.
type Index struct {
	opts Options
	hl   *highlight.Highlighter

	// mu guards which generation is current: searches, reads and writes
	// hold it for reading while they use it; a rebuild holds it for
	// writing only while it swaps the new generation in. A backup holds it
	// only to take a reference to the generation (see livegen.go).
	mu sync.RWMutex
	// *generation is the current one, embedded so that ix.meta, ix.shards
	// and ix.alias read it (under mu); it is replaced, never modified.
	*generation
	// planner turns queries into bleve queries; built once at Open.
	planner *plan.Planner

	// rebuildMu allows one rebuild at a time; rebuilding, when set, logs
	// the writes made during a rebuild to replay them into the new index.
	rebuildMu sync.Mutex
	// syncMu makes Syncs run one at a time.
	syncMu     sync.Mutex
	rebuilding *replayLog
	// bm25 holds the true BM25 statistics (see bm25.go); nil until computed.
	bm25 atomic.Pointer[search.BM25Stats]
	// analysis holds the *analysis.Workers of bulk ingest (analysis.Article).
	analysis sync.Pool
	// ties sizes the slack of relevance windows (see window.go).
	ties engine.TieRuns
	// fileIDs are the ids that came from files (see fromFile); nil until loaded.
	fileIDs atomic.Pointer[sources.IDSet]
	// sourceLog is what the syncs of this process did per source (Sources).
	sourceLog *sourceLog
	// replica, in cluster mode, applies the replicated log (see replica.go).
	replica *replica
	// hooks are set only by tests.
	hooks hooks
}

// Exists reports whether an index directory exists at path.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Open opens the existing index at opts.Path. It returns an error wrapping
// ErrNoIndex when there is none, and ErrIncompatible when it was built by
// another Folio version or with a different mapping (language), and
// ErrLocked when another process holds it open longer than opts.LockTimeout.
// The shard
// count is the one the index was built with; opts.Shards is ignored.
func Open(opts Options) (*Index, error) {
	opts, err := opts.withDefaults()
	if err == nil {
		err = engine.SetBM25(opts.BM25K1, opts.BM25B)
	}
	if err != nil {
		return nil, err
	}
	if !Exists(opts.Path) {
		return nil, fmt.Errorf("%w at %s", ErrNoIndex, opts.Path)
	}
	m, err := readMeta(opts)
	if err != nil {
		return nil, err
	}
	store.RemoveStaleGenerations(opts.Path, m.Generation)
	ix := &Index{opts: opts, hl: highlight.New(opts.FragmentSize), generation: &generation{meta: m}, sourceLog: &sourceLog{}}
	locked := fmt.Errorf("%w: %s is open in another process (a running `folio serve` or `folio index`); stop that process first, or search through the server's HTTP API", ErrLocked, opts.Path)
	shards, err := engine.OpenShards(store.ShardPaths(store.GenDir(opts.Path, m.Generation), m.Shards), opts.LockTimeout, locked)
	if err != nil {
		return nil, err
	}
	ix.generation = newGeneration(m, shards)
	ix.planner = ix.newPlanner()
	if err := ix.applySynonyms(); err != nil {
		ix.Close()
		return nil, err
	}
	if err := ix.refreshBM25Stats(context.Background(), true); err != nil {
		ix.Close()
		return nil, err
	}
	ix.serve() // the list of frequent terms is built meanwhile, off the search path
	return ix.joinCluster()
}

// Create makes a new, empty index at opts.Path with opts.Shards shards. It
// fails if something exists there.
func Create(opts Options) (*Index, error) {
	opts, err := opts.withDefaults()
	if err == nil {
		err = engine.SetBM25(opts.BM25K1, opts.BM25B)
	}
	if err != nil {
		return nil, err
	}
	if Exists(opts.Path) {
		return nil, fmt.Errorf("create index: %s already exists", opts.Path)
	}
	if err := os.MkdirAll(opts.Path, 0o755); err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	m := store.Meta{MappingVersion: schema.MappingVersion, Language: opts.Language, Shards: opts.Shards, Generation: "gen-1", KeywordFields: opts.KeywordFields}
	shards, err := schema.CreateShards(store.GenDir(opts.Path, m.Generation), m.Shards, opts.Language, opts.KeywordFields)
	if err != nil {
		return nil, err
	}
	ix := &Index{opts: opts, hl: highlight.New(opts.FragmentSize), generation: newGeneration(m, shards), sourceLog: &sourceLog{}}
	ix.planner = ix.newPlanner()
	if err := ix.applySynonyms(); err != nil {
		ix.Close()
		return nil, err
	}
	// folio.json is written last: a directory without it is not an index.
	if err := store.WriteMeta(opts.Path, m); err != nil {
		ix.Close()
		return nil, fmt.Errorf("create index: %w", err)
	}
	return ix.joinCluster()
}

// OpenOrCreate opens the index at opts.Path, creating an empty one if none exists.
func OpenOrCreate(opts Options) (*Index, error) {
	ix, err := Open(opts)
	if errors.Is(err, ErrNoIndex) {
		return Create(opts)
	}
	return ix, err
}

// readMeta reads and checks folio.json at opts.Path; a folio.json that
// does not fit opts is an error wrapping ErrIncompatible.
func readMeta(opts Options) (store.Meta, error) {
	m, err := store.ReadMeta(opts.Path, store.Meta{MappingVersion: schema.MappingVersion, Language: opts.Language, KeywordFields: opts.KeywordFields})
	var ie *store.IncompatibleError
	if errors.As(err, &ie) {
		return m, fmt.Errorf("%w: %s: rebuild it with `folio index --rebuild` (index.path %s)", ErrIncompatible, ie.Reason, opts.Path)
	}
	return m, err
}

// Close flushes and closes every shard, once running backups are done
// with them. A second Close is a no-op.
func (ix *Index) Close() error {
	ix.leaveCluster()
	ix.mu.Lock()
	g := ix.generation
	if g.shards == nil {
		ix.mu.Unlock()
		return nil
	}
	ix.generation = &generation{meta: g.meta} // closed: no shards
	ix.mu.Unlock()
	g.stopBuilds()
	if err := g.Release(); err != nil {
		return err
	}
	return g.Wait()
}

// Path is the index directory.
func (ix *Index) Path() string { return ix.opts.Path }

// Shards is the number of shards the index was built with.
func (ix *Index) Shards() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.shards)
}

// Count returns the number of articles in the index.
func (ix *Index) Count() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.docCount()
}

// docCount is Count for a caller holding ix.mu for reading.
func (ix *Index) docCount() (uint64, error) {
	n, err := ix.alias.DocCount()
	return n - min(n, ix.synonymDocs()), err
}

// shardOf returns the shard that holds (or will hold) id.
func (ix *Index) shardOf(id string) int { return engine.ShardOf(id, len(ix.shards)) }

// document loads the stored fields of id from its shard; nil if absent.
// The caller holds ix.mu for reading.
func (ix *Index) document(id string) (bleveindex.Document, error) {
	d, err := ix.shards[ix.shardOf(id)].Document(id)
	if engine.Closed(err) {
		return nil, closedErr(err)
	}
	return d, err
}

// searchAll runs req over every shard of the current generation with
// Folio's BM25 statistics and the query-term limit (see engine.Search).
// The caller holds ix.mu for reading.
func (ix *Index) searchAll(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	return engine.Search(ctx, ix.alias, ix.shards, req, ix.bm25.Load(), ix.opts.MaxTerms)
}
