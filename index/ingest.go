package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/sources"
	"golang.org/x/sync/errgroup"
)

// inputFile is one file to read, with the default id of its articles.
type inputFile = sources.File

// fileResult is what reading one input file produced: the ids of its
// articles, its content hash and whether any of it was skipped.
type fileResult struct {
	ids     []string
	hash    string
	problem bool
}

// errStrict carries the InputError that stopped a strict run.
type errStrict struct{ *article.InputError }

// Ingest reads the files and folders in paths (folders recursively; formats by
// extension: .txt/.md articles, .json, .jsonl/.ndjson, each optionally .gz) and
// writes their articles in batches. Ids come from the article (ID header or id
// field) or else from the file's path relative to the folder given, without
// extension (records of a JSON array or JSON Lines file without an id get
// "<that>/<n>", n counting records or lines from 1). Bad files and records are
// reported through opts.Problem, counted and skipped, unless opts.Strict,
// which returns the first one (an *InputError). The returned error is
// otherwise nil unless writing failed or ctx ended.
func (ix *Index) Ingest(ctx context.Context, paths []string, opts IngestOptions) (IngestSummary, error) {
	sum, _, _, err := ix.ingest(ctx, paths, opts, nil)
	return sum, err
}

// ingest is Ingest with a hook: sel, when set, chooses which of the
// collected files to read (and may count work it did in the summary). It
// also returns the files read and, per file, what it produced.
func (ix *Index) ingest(ctx context.Context, paths []string, opts IngestOptions, sel func([]inputFile, *IngestSummary) ([]inputFile, error)) (IngestSummary, []inputFile, []fileResult, error) {
	start := time.Now()
	sum := IngestSummary{SkippedByReason: map[string]int{}}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = time.Second
	}
	var prog Progress
	lastProgress := start
	report := func(done bool) {
		if opts.Progress == nil {
			return
		}
		prog.Docs = sum.Indexed + sum.Updated
		prog.Skipped = sum.Skipped
		prog.Elapsed = time.Since(start)
		prog.Done = done
		opts.Progress(prog)
	}
	skip := func(e *article.InputError) error {
		if opts.Strict {
			return errStrict{e}
		}
		sum.Skipped++
		sum.SkippedByReason[e.Reason]++
		if opts.Problem != nil {
			opts.Problem(e)
		}
		return nil
	}

	files, rejected, err := sources.CollectFiles(paths, skip)
	if err != nil {
		return sum, nil, nil, unwrapStrict(err)
	}
	if sel != nil {
		if files, err = sel(files, &sum); err != nil {
			return sum, nil, nil, err
		}
	}
	results := make([]fileResult, len(files))
	sum.Files = len(files) + rejected
	prog.Files = len(files)
	for _, f := range files {
		prog.Bytes += f.Size
	}

	// Into an empty index, the analysis counts every token, so the true
	// BM25 field lengths need no walk over the postings afterwards.
	var counts *bulkCounts
	if ix.empty() {
		counts = newBulkCounts(len(ix.shards))
	}

	// A producer reads and parses while two writers send batches through
	// the write log, so decompression and parsing overlap with bleve's
	// analysis, and one batch's segment is built while the next is analysed.
	batches := make(chan recordBatch, 2)
	g, gctx := errgroup.WithContext(ctx)
	ignored := map[string]struct{}{}
	g.Go(func() error {
		defer close(batches)
		return ix.produce(gctx, files, results, ignored, batches)
	})
	var mu sync.Mutex
	written := map[int]recordBatch{} // batches written before one sent earlier (at most one per writer)
	nextSeq := 0
	var failed atomic.Bool
	for range ix.opts.writers() {
		g.Go(func() error {
			for b := range batches {
				if failed.Load() {
					continue // drained, so the producer is not left blocked
				}
				if len(b.recs) > 0 { // the last batch may be empty: it only carries progress
					if err := ix.writeBatch(gctx, b.recs, &mu, &sum, skip, counts); err != nil {
						failed.Store(true)
						return err
					}
				}
				mu.Lock()
				// Progress counts the input of the batches written, in
				// order, not what the producer has read ahead of them.
				written[b.seq] = b
				for w, ok := written[nextSeq]; ok; w, ok = written[nextSeq] {
					prog.BytesDone, prog.FilesDone = w.bytesRead, w.filesRead
					delete(written, nextSeq)
					nextSeq++
				}
				if time.Since(lastProgress) >= opts.ProgressEvery {
					lastProgress = time.Now()
					report(false)
				}
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		sum.Elapsed = time.Since(start)
		return sum, nil, nil, unwrapStrict(err)
	}
	sum.IgnoredFields = slices.Sorted(maps.Keys(ignored))
	if opts.Merge && sum.Indexed+sum.Updated > 0 {
		t := time.Now()
		if err := ix.Optimize(ctx); err != nil {
			return sum, nil, nil, err
		}
		sum.Merge = time.Since(t)
	}
	sum.Elapsed = time.Since(start)
	prog.FilesDone, prog.BytesDone = len(files), prog.Bytes // an oversized file is not read to its end
	report(true)
	if sum.Indexed+sum.Updated > 0 { // the true field lengths changed
		if sum.Updated > 0 {
			counts = nil // replaced articles: their old tokens are not known
		}
		if err := ix.storeBM25Stats(ctx, counts); err != nil {
			return sum, nil, nil, err
		}
	}
	return sum, files, results, nil
}

func unwrapStrict(err error) error {
	var s errStrict
	if errors.As(err, &s) {
		return s.InputError
	}
	return err
}

// recordBatch is a group of records with how far the producer had read
// when it sent them: files completely read and bytes read (compressed bytes
// for .gz), every record of that input being in this batch or an earlier one.
type recordBatch struct {
	seq       int // 0, 1, ... in the order sent
	recs      []article.Record
	filesRead int
	bytesRead int64
}

// produce reads files in order and sends records in groups of BatchSize;
// the last group may be empty.
func (ix *Index) produce(ctx context.Context, files []inputFile, results []fileResult, ignored map[string]struct{}, out chan<- recordBatch) error {
	p := &article.Parser{Dates: ix.opts.Dates, Keywords: ix.opts.KeywordFields}
	batch := make([]article.Record, 0, ix.opts.BatchSize)
	var bytesRead int64
	filesRead, seq := 0, 0
	send := func() error {
		select {
		case out <- recordBatch{seq: seq, recs: batch, filesRead: filesRead, bytesRead: bytesRead}:
		case <-ctx.Done():
			return ctx.Err()
		}
		seq++
		batch = make([]article.Record, 0, ix.opts.BatchSize)
		return nil
	}
	for i, f := range files {
		if err := ctx.Err(); err != nil { // a cancelled sync (shutdown) stops between files
			return err
		}
		fr := &article.Reader{Parser: p, Path: f.Path, ID: f.ID, Ignored: ignored, Max: ix.opts.MaxArticleBytes}
		res := &results[i]
		err := func() error {
			fh, err := sources.Open(f.Path)
			if err != nil {
				res.problem = true
				var nr sources.ErrNotRegular
				if errors.As(err, &nr) {
					batch = append(batch, article.Record{Err: nr.Input(f.Path)})
				} else {
					batch = append(batch, article.Record{Err: fr.ReadErr(err)})
				}
				return nil
			}
			defer fh.Close()
			kind, gz := article.FormatOf(f.Path)
			h := sha256.New()
			defer func() { res.hash = hex.EncodeToString(h.Sum(nil)) }()
			return fr.Read(io.TeeReader(&sources.CountingReader{R: fh, N: &bytesRead}, h), kind, gz, func(r article.Record) error {
				if r.Err != nil {
					res.problem = true
				} else {
					res.ids = append(res.ids, r.Article.ID)
				}
				batch = append(batch, r)
				if len(batch) >= ix.opts.BatchSize {
					return send()
				}
				return nil
			})
		}()
		if err != nil {
			return err
		}
		filesRead++
	}
	return send()
}

// writeBatch sends the articles of recs through the write log and counts
// new versus replaced documents; problems go to skip.
func (ix *Index) writeBatch(ctx context.Context, recs []article.Record, mu *sync.Mutex, sum *IngestSummary, skip func(*article.InputError) error, counts *bulkCounts) error {
	ops := make([]writeOp, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		if r.Err != nil {
			mu.Lock()
			err := skip(r.Err)
			mu.Unlock()
			if err != nil {
				return err
			}
			continue
		}
		ops = append(ops, writeOp{id: r.Article.ID, article: &r.Article})
	}
	if len(ops) == 0 {
		return nil
	}
	existed, err := ix.writes().Append(ctx, ops, counts)
	if err != nil {
		return err
	}
	mu.Lock()
	for _, e := range existed {
		if e {
			sum.Updated++
		} else {
			sum.Indexed++
		}
	}
	mu.Unlock()
	return nil
}
