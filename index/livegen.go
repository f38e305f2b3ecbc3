package index

import (
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/store"
)

// generation is one set of live shards with the metadata that describes
// them: what a search, a write or a backup works on. It is never modified
// once installed; a rebuild (or the reopen after a failed write) installs a
// new one. It is reference counted (engine.Refs): the Index holds one
// reference while it is current, a backup holds one while it copies and a
// build of its list of frequent terms one while it reads (stopped before
// the Index releases its own: see stopBuilds), so
// a backup needs the Index's lock only for the moment it takes its
// reference, and a rebuild's swap never waits for a backup. The shards are
// closed (and a replaced generation's directory removed) when the last
// reference is released.
type generation struct {
	meta   store.Meta
	shards []bleve.Index
	alias  bleve.IndexAlias
	*engine.Refs
	// grouped is set when an article of the generation may have groups
	// (see effective); once set it stays set. The only field that changes
	// besides frequent's list.
	grouped *atomic.Bool
	// frequent lists the frequent words did you mean corrects rare ones to
	// (see correction); writes mark it changed. It is built in the
	// background, holding a reference: serve starts the first build when
	// the generation is opened or swapped in, and the owner stops it
	// (stopBuilds) before it releases its own reference.
	frequent *engine.Frequent
}

// newGeneration makes the generation of shards, holding one reference (the
// Index's); whether it holds articles with groups is read from their
// dictionaries (set also when that fails).
func newGeneration(m store.Meta, shards []bleve.Index) *generation {
	refs := engine.NewRefs(shards)
	g := &generation{meta: m, shards: shards, alias: bleve.NewIndexAlias(shards...), Refs: refs, grouped: &atomic.Bool{},
		frequent: engine.NewFrequent(schema.Text, heldRatio, frequentRefresh, shards, refs)}
	g.grouped.Store(engine.HasTermBesides(shards, schema.Groups, schema.PublicGroup))
	return g
}

// serve starts what g does in the background once it is live: building
// its list of frequent terms, so that no search waits for it. The caller
// holds the Index's lock with g current, or no one else has g yet.
func (g *generation) serve() { g.frequent.Warm() }

// stopBuilds stops g's background work (a build of its list of frequent
// terms) and waits for it to end; the owner calls it before releasing its
// reference, so the shards are never closed under a build.
func (g *generation) stopBuilds() { g.frequent.Stop() }

// mayHaveGroups reports whether an article of g may have groups (true
// for a closed generation: nothing is skipped on a guess).
func (g *generation) mayHaveGroups() bool { return g.grouped == nil || g.grouped.Load() }

// hooks are called at fixed points so that tests can order concurrent
// operations; nil (the default) outside tests.
type hooks struct {
	backupCopied func(shard int) // a backup copied shard (and still holds its generation)
	beforeSwap   func()          // a rebuild is about to take the lock to swap its generation in
}
