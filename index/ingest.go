package index

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/folio-search/folio/index/article"

	"github.com/folio-search/folio/index/internal/analysis"
	"github.com/folio-search/folio/index/internal/sources"
	"golang.org/x/sync/errgroup"
)

// errStrict carries the InputError that stopped a strict run.
type errStrict struct{ *article.InputError }

// Ingest reads the files and folders in paths (folders recursively; formats by
// extension: .txt/.md articles, .json, .jsonl/.ndjson, each optionally .gz) and
// writes their articles in batches. Ids come from the article (ID header or id
// field) or else from the file's path relative to the folder given, without
// extension (records of a JSON array or JSON Lines file without an id get
// "<that>/<n>", n counting records or lines from 1). A path that is an
// http(s) URL is a URL source (a feed, a sitemap or a page, see
// WebOptions), read in full (Sync reads only what changed). Bad files and
// records are reported through opts.Problem, counted and skipped, unless
// opts.Strict, which returns the first one (an *InputError). The returned
// error is otherwise nil unless writing failed or ctx ended.
func (ix *Index) Ingest(ctx context.Context, paths []string, opts IngestOptions) (IngestSummary, error) {
	paths, bad := withoutCredentials(paths)
	if err := reportEarly(opts, bad); err != nil {
		return IngestSummary{}, err
	}
	sum, _, _, err := ix.ingest(ctx, paths, opts, nil, nil)
	countEarly(&sum, bad)
	return sum, err
}

// ingest is Ingest with hooks: sel, when set, chooses which of the
// collected files to read (and may count work it did in the summary);
// crawl, when set, reads the URL sources among paths over the state of
// the last sync and keeps what it found. It also returns the files read
// and, per file, what it produced, and logs the outcome per source.
func (ix *Index) ingest(ctx context.Context, paths []string, opts IngestOptions, sel func([]sources.File, *IngestSummary) ([]sources.File, error), crawl *urlCrawl) (IngestSummary, []sources.File, []sources.FileResult, error) {
	filePaths, urls := sources.SplitURLs(paths)
	if crawl == nil && len(urls) > 0 {
		crawl = ix.newCrawl(urls, sources.State{Files: map[string]sources.FileState{}})
	}
	run := newIngestRun(ix, opts)
	run.roots = sources.AbsPaths(filePaths)
	files, err := run.collect(filePaths, sel)
	if err != nil {
		return run.sum, nil, nil, err
	}
	results := make([]sources.FileResult, len(files))
	// Into an empty index, the analysis counts every token, so the true
	// BM25 field lengths need no walk over the postings afterwards.
	var counts *analysis.BulkCounts
	if ix.empty() {
		counts = analysis.NewBulkCounts(len(ix.shards))
	}
	ignored, err := run.pipeline(ctx, files, results, crawl, counts)
	if err != nil {
		run.sum.Elapsed = time.Since(run.start)
		return run.sum, nil, nil, unwrapStrict(err)
	}
	run.sum.IgnoredFields = slices.Sorted(maps.Keys(ignored))
	if crawl != nil {
		crawl.summarise(&run.sum)
	}
	if err := run.finish(ctx, len(files), counts); err != nil {
		return run.sum, nil, nil, err
	}
	if err := ix.recordSources(paths, run.sum, run.found, files, results, run.problems); err != nil {
		return run.sum, nil, nil, err
	}
	return run.sum, files, results, nil
}

// ingestRun is the state of one ingest that its producer and writers
// share: the summary and the progress, guarded by mu once the writers run.
type ingestRun struct {
	ix    *Index
	opts  IngestOptions
	start time.Time

	mu           sync.Mutex
	sum          IngestSummary
	prog         Progress
	lastProgress time.Time
	written      map[int]sources.Batch // batches written before one sent earlier (at most one per writer)
	nextSeq      int                   // the seq of the next batch whose progress counts

	roots    []string                 // the absolute file sources, whose problems are counted per source
	found    map[string]int           // files found per root, before a sync chose those that changed
	problems map[string]*rootProblems // per root
}

func newIngestRun(ix *Index, opts IngestOptions) *ingestRun {
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = time.Second
	}
	now := time.Now()
	return &ingestRun{ix: ix, opts: opts, start: now, lastProgress: now,
		sum: IngestSummary{SkippedByReason: map[string]int{}}, written: map[int]sources.Batch{},
		found: map[string]int{}, problems: map[string]*rootProblems{}}
}

// report sends the progress to opts.Progress, if set. The caller holds
// r.mu while writers run.
func (r *ingestRun) report(done bool) {
	if r.opts.Progress == nil {
		return
	}
	r.prog.Docs = r.sum.Indexed + r.sum.Updated
	r.prog.Skipped = r.sum.Skipped
	r.prog.Elapsed = time.Since(r.start)
	r.prog.Done = done
	r.opts.Progress(r.prog)
}

// skip counts and reports a bad file or record, or, in a strict run,
// returns it as an errStrict. The caller holds r.mu while writers run.
func (r *ingestRun) skip(e *article.InputError) error {
	if r.opts.Strict {
		return errStrict{e}
	}
	r.sum.Skipped++
	r.sum.SkippedByReason[e.Reason]++
	noteProblem(r.problems, r.roots, e)
	if r.opts.Problem != nil {
		r.opts.Problem(e)
	}
	return nil
}

// collect is the source stage: the input files of paths, those sel
// chooses when it is set; their count and size go to the summary and the
// progress.
func (r *ingestRun) collect(paths []string, sel func([]sources.File, *IngestSummary) ([]sources.File, error)) ([]sources.File, error) {
	files, rejected, err := sources.CollectFiles(paths, r.skip)
	if err != nil {
		return nil, unwrapStrict(err)
	}
	for i, f := range files {
		abs := sources.AbsPath(f.Path)
		if len(r.ix.opts.SourceGroups) > 0 {
			files[i].Groups = sources.GroupsOf(abs, r.ix.opts.SourceGroups)
		}
		for _, root := range r.roots {
			if sources.Under(abs, []string{root}) {
				r.found[root]++
				break
			}
		}
	}
	if sel != nil {
		if files, err = sel(files, &r.sum); err != nil {
			return nil, err
		}
	}
	r.sum.Files = len(files) + rejected
	r.prog.Files = len(files)
	for _, f := range files {
		r.prog.Bytes += f.Size
	}
	return files, nil
}

// pipeline reads files into results, then the URL sources of crawl (if
// any), and writes their articles: a producer reads and parses while two writers send batches through the write log,
// so decompression and parsing overlap with bleve's analysis, and one
// batch's segment is built while the next is analysed. It returns the
// ignored JSON fields, or the first error of the producer or a writer
// (the others then stop).
func (r *ingestRun) pipeline(ctx context.Context, files []sources.File, results []sources.FileResult, crawl *urlCrawl, counts *analysis.BulkCounts) (map[string]struct{}, error) {
	batches := make(chan sources.Batch, 2)
	g, gctx := errgroup.WithContext(ctx)
	ignored := map[string]struct{}{}
	g.Go(func() error {
		defer close(batches)
		reader := article.Reader{Parser: &article.Parser{Dates: r.ix.opts.Dates, Keywords: r.ix.opts.KeywordFields},
			Ignored: ignored, Max: r.ix.opts.MaxArticleBytes}
		b := sources.NewBatcher(batches, r.ix.opts.BatchSize)
		if err := sources.ReadFiles(gctx, files, reader, results, b); err != nil {
			return err
		}
		if crawl != nil {
			if err := crawl.run(gctx, r.ix, b); err != nil {
				return err
			}
		}
		return b.Flush(gctx) // the last batch, possibly empty, carries the progress
	})
	var failed atomic.Bool
	for range r.ix.opts.writers() {
		g.Go(func() error {
			for b := range batches {
				if failed.Load() {
					continue // drained, so the producer is not left blocked
				}
				if len(b.Recs) > 0 { // the last batch may be empty: it only carries progress
					if err := r.writeBatch(gctx, b.Recs, counts); err != nil {
						failed.Store(true)
						return err
					}
				}
				r.wrote(b)
			}
			return nil
		})
	}
	return ignored, g.Wait()
}

// wrote advances the progress past b and the batches before it that are
// written: progress counts the input of the batches written, in order, not
// what the producer has read ahead of them.
func (r *ingestRun) wrote(b sources.Batch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written[b.Seq] = b
	for w, ok := r.written[r.nextSeq]; ok; w, ok = r.written[r.nextSeq] {
		r.prog.BytesDone, r.prog.FilesDone = w.BytesRead, w.FilesRead
		delete(r.written, r.nextSeq)
		r.nextSeq++
	}
	if time.Since(r.lastProgress) >= r.opts.ProgressEvery {
		r.lastProgress = time.Now()
		r.report(false)
	}
}

// writeBatch is the article stage of one batch: it sends the articles of
// recs through the write log and counts new versus replaced documents;
// problems go to skip.
func (r *ingestRun) writeBatch(ctx context.Context, recs []article.Record, counts *analysis.BulkCounts) error {
	ops := make([]writeOp, 0, len(recs))
	for i := range recs {
		rec := &recs[i]
		if rec.Err != nil {
			r.mu.Lock()
			err := r.skip(rec.Err)
			r.mu.Unlock()
			if err != nil {
				return err
			}
			continue
		}
		ops = append(ops, writeOp{id: rec.Article.ID, article: &rec.Article})
	}
	if len(ops) == 0 {
		return nil
	}
	existed, _, err := r.ix.writes().Append(ctx, ops, counts)
	if err != nil {
		return err
	}
	r.mu.Lock()
	for _, e := range existed {
		if e {
			r.sum.Updated++
		} else {
			r.sum.Indexed++
		}
	}
	r.mu.Unlock()
	return nil
}

// finish merges the shards if asked, reports the last progress and stores
// the BM25 statistics of what was written (counts: the token counts of a
// bulk load into an empty index, or nil).
func (r *ingestRun) finish(ctx context.Context, files int, counts *analysis.BulkCounts) error {
	if r.opts.Merge && r.sum.Indexed+r.sum.Updated > 0 {
		t := time.Now()
		if err := r.ix.Optimize(ctx); err != nil {
			return err
		}
		r.sum.Merge = time.Since(t)
	}
	r.sum.Elapsed = time.Since(r.start)
	r.prog.FilesDone, r.prog.BytesDone = files, r.prog.Bytes // an oversized file is not read to its end
	r.report(true)
	if r.sum.Indexed+r.sum.Updated == 0 {
		return nil
	}
	// The true field lengths changed.
	if r.sum.Updated > 0 {
		counts = nil // replaced articles: their old tokens are not known
	}
	return r.ix.storeBM25Stats(ctx, counts)
}

func unwrapStrict(err error) error {
	var s errStrict
	if errors.As(err, &s) {
		return s.InputError
	}
	return err
}
