package sources

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

// Watch watches paths (files and folders, recursively with fsnotify) until
// ctx ends: it calls changed once at the start, then again whenever
// something under paths changed and has been quiet for quiet; lost events
// are reported to lost (then changed follows). Hidden files and names
// ending in "~" (editors' temporary and backup files) are ignored by the
// sync that changed runs, and their folders are not watched. It returns
// ctx's error when ctx ends, or an error if the watcher cannot be set up.
func Watch(ctx context.Context, paths []string, quiet time.Duration, changed func(), lost func(error)) error {
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
	changed()
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
					if err := addTree(w, ev.Name); err != nil { // a new folder: watch it (and sync finds its files)
						lost(fmt.Errorf("watch %s: %w", ev.Name, err))
					}
				} else if err == nil && !fi.Mode().IsRegular() {
					continue // a named pipe, socket or device: never read (a sync reports it)
				}
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
				continue
			}
			timer.Reset(quiet)
			pending = true
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("watch: watcher closed")
			}
			lost(fmt.Errorf("watch: %w", err))
			timer.Reset(quiet) // events may have been lost: sync
			pending = true
		case <-timer.C:
			if pending {
				pending = false
				changed()
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
