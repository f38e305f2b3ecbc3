package index

import (
	"errors"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"

	"github.com/folio-search/folio/index/internal/store"
)

// generation is one set of live shards with the metadata that describes
// them: what a search, a write or a backup works on. It is never modified
// once installed; a rebuild (or the reopen after a failed write) installs a
// new one. It is reference counted: the Index holds one reference while it
// is current and a backup holds one while it copies, so a backup needs the
// Index's lock only for the moment it takes its reference, and a rebuild's
// swap never waits for a backup. The shards are closed (and a replaced
// generation's directory removed) when the last reference is released.
type generation struct {
	meta   store.Meta
	shards []bleve.Index
	alias  bleve.IndexAlias

	refs atomic.Int64
	// cleanup runs after the shards are closed; set by retire.
	cleanup func() error
	// handlesClosed is set when the shards were already closed (afterWrite
	// closes them before it reopens the same directories).
	handlesClosed atomic.Bool
	done          chan struct{} // closed once the shards are closed
	err           error         // the error of closing, readable after done
}

// newGeneration makes the generation of shards, holding one reference (the Index's).
func newGeneration(m store.Meta, shards []bleve.Index) *generation {
	g := &generation{meta: m, shards: shards, alias: bleve.NewIndexAlias(shards...), done: make(chan struct{})}
	g.refs.Store(1)
	return g
}

// acquire takes a reference. The caller holds the Index's lock (for
// reading) and g is the current generation, so g is not yet closed.
func (g *generation) acquire() { g.refs.Add(1) }

// release drops a reference. The last one closes the shards and runs the
// cleanup; that call returns their errors, every other returns nil.
func (g *generation) release() error {
	if g.refs.Add(-1) > 0 {
		return nil
	}
	var errs []error
	if !g.handlesClosed.Load() {
		for _, s := range g.shards {
			errs = append(errs, s.Close())
		}
	}
	if g.cleanup != nil {
		errs = append(errs, g.cleanup())
	}
	g.err = errors.Join(errs...)
	close(g.done)
	return g.err
}

// retire drops the Index's reference to a generation it no longer serves;
// cleanup (may be nil) runs once the last reader is done with it, which is
// now unless a backup is still copying it.
func (g *generation) retire(cleanup func() error) error {
	g.cleanup = cleanup
	return g.release()
}

// hooks are called at fixed points so that tests can order concurrent
// operations; nil (the default) outside tests.
type hooks struct {
	backupCopied func(shard int) // a backup copied shard (and still holds its generation)
	beforeSwap   func()          // a rebuild is about to take the lock to swap its generation in
}
