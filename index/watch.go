package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
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
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	defer w.Close()
	for _, p := range paths {
		if err := addTree(w, p); err != nil {
			return fmt.Errorf("watch %s: %w", p, err)
		}
	}
	sync := func() {
		sum, err := ix.Sync(ctx, paths, opts.Ingest)
		if opts.Synced != nil && ctx.Err() == nil {
			opts.Synced(sum, err)
		}
	}
	sync()
	timer := time.NewTimer(0)
	<-timer.C
	pending := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("watch: watcher closed")
			}
			if ev.Has(fsnotify.Create) {
				fi, err := os.Stat(ev.Name)
				if err == nil && fi.IsDir() && !ignored(ev.Name) {
					addTree(w, ev.Name) // a new folder: watch it (and sync finds its files)
				} else if err == nil && !fi.Mode().IsRegular() {
					continue // a named pipe, socket or device: never read (a sync reports it)
				}
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
				continue
			}
			timer.Reset(opts.Quiet)
			pending = true
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("watch: watcher closed")
			}
			if opts.Synced != nil {
				opts.Synced(IngestSummary{}, fmt.Errorf("watch: %w", err))
			}
			timer.Reset(opts.Quiet) // events may have been lost: sync
			pending = true
		case <-timer.C:
			if pending {
				pending = false
				sync()
			}
		}
	}
}

// ignored reports whether a path's base name is hidden or an editor's backup.
func ignored(path string) bool {
	name := filepath.Base(path)
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~")
}

// addTree watches root and, if it is a folder, every folder under it that
// is not hidden.
func addTree(w *fsnotify.Watcher, root string) error {
	fi, err := os.Stat(root)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return w.Add(filepath.Dir(root)) // editors replace files by renaming: watch the folder
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != root && ignored(p) {
			return filepath.SkipDir
		}
		return w.Add(p)
	})
}
