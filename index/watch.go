package index

import (
	"context"
	"time"

	"github.com/folio-search/folio/index/internal/sources"
)

// WatchOptions control Watch.
type WatchOptions struct {
	// Quiet is how long the sources must be still, after a change, before
	// it is applied (default 200ms): a file being written produces events
	// until it is complete, so it is not indexed half-written.
	Quiet time.Duration
	// Synced, when set, is called after each sync with its summary or error.
	Synced func(IngestSummary, error)
	// Ingest are the options of each sync (Problem reporting).
	Ingest IngestOptions
}

// Watch keeps the index in line with paths (files and folders, watched
// recursively with fsnotify) until ctx ends: it syncs once at the start,
// then again whenever something under paths changed and has been quiet for
// opts.Quiet. Each sync is a Sync: saved files are (re)indexed, removed ones
// deleted; hidden files and names ending in "~" (editors' temporary and
// backup files) are ignored. It returns ctx's error when ctx ends, or an
// error if the watcher cannot be set up.
func (ix *Index) Watch(ctx context.Context, paths []string, opts WatchOptions) error {
	if opts.Quiet <= 0 {
		opts.Quiet = 200 * time.Millisecond
	}
	sync := func() {
		sum, err := ix.Sync(ctx, paths, opts.Ingest)
		if opts.Synced != nil && ctx.Err() == nil {
			opts.Synced(sum, err)
		}
	}
	lost := func(err error) {
		if opts.Synced != nil {
			opts.Synced(IngestSummary{}, err)
		}
	}
	return sources.Watch(ctx, paths, opts.Quiet, sync, lost)
}
