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
// backup files) are ignored. URL sources among paths are left out (they
// are polled: see Sync). It returns ctx's error when ctx ends, or an
// error if the watcher cannot be set up.
func (ix *Index) Watch(ctx context.Context, paths []string, opts WatchOptions) error {
	paths, _ = sources.SplitURLs(paths)
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

// PollOptions control Poll.
type PollOptions struct {
	// Every is the interval of each URL source (index.poll_interval, or
	// the source's own); a URL it has none for (0) uses Default.
	Every   map[string]time.Duration
	Default time.Duration
	// Synced, when set, is called after each sync with its summary or error.
	Synced func(IngestSummary, error)
	// Ingest are the options of each sync (Problem reporting).
	Ingest IngestOptions
}

// Poll re-reads the URL sources among paths until ctx ends, each every
// opts.Every[url] (else opts.Default), first one interval after the
// start: each time, the sources due are synced together by one Sync
// (conditional requests, so an unchanged site costs a few requests). A
// sync ends with ctx. It returns ctx's error when ctx ends, at once when
// paths hold no URL source.
func (ix *Index) Poll(ctx context.Context, paths []string, opts PollOptions) error {
	_, urls := sources.SplitURLs(paths)
	if len(urls) == 0 {
		return nil
	}
	every := func(u string) time.Duration {
		if d := opts.Every[u]; d > 0 {
			return d
		}
		return max(opts.Default, time.Second)
	}
	next := make(map[string]time.Time, len(urls))
	for _, u := range urls {
		next[u] = time.Now().Add(every(u))
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		first := next[urls[0]]
		for _, u := range urls[1:] {
			if next[u].Before(first) {
				first = next[u]
			}
		}
		timer.Reset(time.Until(first))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		var due []string
		now := time.Now()
		for _, u := range urls {
			if !next[u].After(now) {
				due = append(due, u)
			}
		}
		sum, err := ix.Sync(ctx, due, opts.Ingest)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if opts.Synced != nil {
			opts.Synced(sum, err)
		}
		for _, u := range due {
			next[u] = time.Now().Add(every(u))
		}
	}
}
