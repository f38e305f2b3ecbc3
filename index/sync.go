package index

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/sources/web"
	"github.com/folio-search/folio/index/internal/store"
)

// syncPath is the file of the sync state of the current generation.
func (ix *Index) syncPath() string {
	return filepath.Join(store.GenDir(ix.opts.Path, ix.meta.Generation), sources.StateFile)
}

// loadSyncState reads the sync state of the current generation (see sources.LoadState).
func (ix *Index) loadSyncState() (sources.State, error) {
	return sources.LoadState(ix.syncPath())
}

// Sync brings the index in line with the files and folders in paths, as
// they are now, reading only what changed since the last Sync of the same
// paths: new and modified files are (re)indexed, articles of files that
// disappeared (or no longer hold them) are deleted, and unchanged files —
// same size and modification time, or same content hash — are not read.
// The state (paths, sizes, mtimes, hashes, ids) is kept in the index
// directory and saved only when the run succeeds, so an interrupted Sync
// is simply redone. Problems are reported and skipped as by Ingest.
//
// A path that is an http(s) URL is a URL source (see WebOptions): a
// feed, a sitemap (or sitemap index) or a page. Its documents are fetched
// with conditional requests (the ETag and Last-Modified of the last sync)
// and a sitemap page whose lastmod is unchanged is not requested, so an
// unchanged site costs a few requests. Page ids are their canonical URL,
// feed items' their guid. A page that leaves its sitemap (or answers 404)
// is deleted like a deleted file; a feed item that leaves the feed stays.
//
// The absolute paths are added to the inputs the index records (see
// InputsOr). An API write over an article of a file that Sync does not
// read again stays; a file read again (its content changed) wins over
// earlier API writes to its articles. A Sync whose deletions would leave
// the index with less than 1-Options.MaxLoss of the articles it held is
// refused with a *LossError (wrapping ErrWouldLose) before deleting
// anything, unless opts.Force; new and changed files are then already
// indexed, and the state is not saved, so the next Sync does it again.
// Syncs of one Index run one at a time.
func (ix *Index) Sync(ctx context.Context, paths []string, opts IngestOptions) (IngestSummary, error) {
	ix.syncMu.Lock() // one sync at a time (watch, poll, the admin API): each saves the state it read
	defer ix.syncMu.Unlock()
	paths, bad := withoutCredentials(paths)
	if err := reportEarly(opts, bad); err != nil {
		return IngestSummary{}, err
	}
	ix.mu.RLock()
	st, err := ix.loadSyncState()
	var before uint64
	if err == nil {
		before, err = ix.docCount()
	}
	ix.mu.RUnlock()
	if err != nil {
		return IngestSummary{}, err
	}
	plan := sources.NewPlan(st, sources.AbsPaths(paths))
	_, urls := sources.SplitURLs(paths)
	crawl := ix.newCrawl(urls, st)
	sum, files, results, err := ix.ingest(ctx, paths, opts, func(files []sources.File, sum *IngestSummary) ([]sources.File, error) {
		changed, unchanged := plan.SelectChanged(files)
		sum.Unchanged += unchanged
		return changed, nil
	}, crawl)
	sum.Before = int(before)
	countEarly(&sum, bad)
	if err != nil {
		return sum, err
	}
	reread := plan.RecordRead(files, results)
	reread = append(reread, web.Record(plan, crawl.docs)...)
	del, gone := plan.Stale()
	reread = append(reread, gone...)
	if sum.After, err = ix.countAfter(del); err != nil {
		return sum, err
	}
	if err := ix.checkLoss("sync", sum.Before, sum.After, plan.Next.Inputs, opts.Force); err != nil {
		return sum, err
	}
	if err := ix.deleteStale(ctx, del, &sum); err != nil {
		return sum, err
	}
	if err := ix.dropOverrides(reread); err != nil {
		return sum, err
	}
	return sum, ix.saveSyncState(plan, len(files) > 0 || len(del) > 0 || len(urls) > 0)
}

// deleteStale deletes the articles of the ids in del through the write
// log, counts them in sum and refreshes the BM25 statistics (the deleted
// tokens left).
func (ix *Index) deleteStale(ctx context.Context, del []string, sum *IngestSummary) error {
	if len(del) == 0 {
		return nil
	}
	ops := make([]writeOp, len(del))
	for i, id := range del {
		ops[i] = writeOp{id: id}
	}
	if _, _, err := ix.writes().Append(ctx, ops, nil); err != nil {
		return err
	}
	sum.Deleted = len(del)
	return ix.refreshBM25Stats(ctx, false)
}

// saveSyncState saves p's next state and the ids of its files, unless
// nothing changed (wrote: files were read or articles deleted): then the
// saved state is current.
func (ix *Index) saveSyncState(p *sources.Plan, wrote bool) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if !wrote && !p.Touched && len(p.Next.Files) == len(p.Old.Files) && slices.Equal(p.Next.Inputs, p.Old.Inputs) {
		return nil
	}
	b, err := json.Marshal(p.Next)
	if err != nil {
		return err
	}
	if err := store.WriteFileAtomic(ix.syncPath(), b); err != nil {
		return err
	}
	ix.fileIDs.Store(sources.NewIDSet(p.Next))
	return nil
}

// countAfter is the number of articles the index holds once the ids in
// del are deleted.
func (ix *Index) countAfter(del []string) (int, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n, err := ix.docCount()
	if err != nil || len(del) == 0 {
		return int(n), err
	}
	have, err := engine.Existing(ix.alias, del)
	return int(n) - len(have), err
}
