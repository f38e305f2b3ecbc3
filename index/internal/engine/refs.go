package engine

import (
	"errors"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
)

// Refs is the reference count of a set of shards that readers share (the
// live generation: the Index holds one reference while it is current, a
// backup one while it copies, a build of its Frequent list one while it
// reads). The shards are closed, and the cleanup
// that Retire set runs, when the last reference is released.
type Refs struct {
	shards []bleve.Index

	refs atomic.Int64
	// cleanup runs after the shards are closed; set by Retire.
	cleanup func() error
	// handlesClosed is set when the shards were already closed (a reopen
	// after a failed write closes them before it reopens the same
	// directories).
	handlesClosed atomic.Bool
	done          chan struct{} // closed once the shards are closed
	err           error         // the error of closing, readable after done
}

// NewRefs counts the references to shards, holding one (the owner's).
func NewRefs(shards []bleve.Index) *Refs {
	r := &Refs{shards: shards, done: make(chan struct{})}
	r.refs.Store(1)
	return r
}

// Acquire takes a reference. The caller holds the owner's lock (for
// reading) and r is current, so its shards are not yet closed.
func (r *Refs) Acquire() { r.refs.Add(1) }

// Release drops a reference. The last one closes the shards and runs the
// cleanup; that call returns their errors, every other returns nil.
func (r *Refs) Release() error {
	if r.refs.Add(-1) > 0 {
		return nil
	}
	var errs []error
	if !r.handlesClosed.Load() {
		for _, s := range r.shards {
			errs = append(errs, s.Close())
		}
	}
	if r.cleanup != nil {
		errs = append(errs, r.cleanup())
	}
	r.err = errors.Join(errs...)
	close(r.done)
	return r.err
}

// Retire drops the owner's reference to shards it no longer serves;
// cleanup (may be nil) runs once the last reader is done with them, which
// is now unless a backup is still copying them.
func (r *Refs) Retire(cleanup func() error) error {
	r.cleanup = cleanup
	return r.Release()
}

// MarkClosed records that the shards were closed already: the last
// Release does not close them again.
func (r *Refs) MarkClosed() { r.handlesClosed.Store(true) }

// Wait waits until the shards are closed and returns the error of closing
// them.
func (r *Refs) Wait() error {
	<-r.done
	return r.err
}
