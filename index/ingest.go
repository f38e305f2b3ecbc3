package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/folio-search/folio/index/article"

	"github.com/folio-search/folio/index/internal/analysis"
)

// inputFile is one file to read, with the default id of its articles.
type inputFile struct {
	path  string // as shown in messages
	id    string // path relative to the folder given, without extension
	size  int64
	mtime int64 // modification time, Unix nanoseconds
}

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

	files, rejected, err := collectFiles(paths, skip)
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
		prog.Bytes += f.size
	}

	// Into an empty index, the analysis counts every token, so the true
	// BM25 field lengths need no walk over the postings afterwards.
	var counts *bulkCounts
	if ix.empty() {
		counts = newBulkCounts(len(ix.shards))
	}

	// A producer goroutine reads and parses while this one writes batches, so
	// decompression and parsing overlap with bleve's analysis.
	batches := make(chan recordBatch, 2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ignored := map[string]struct{}{}
	prodErr := make(chan error, 1)
	go func() {
		defer close(batches)
		prodErr <- ix.produce(ctx, files, results, ignored, batches)
	}()

	// Two writers: while one batch's segment is built, the next is analysed.
	var mu sync.Mutex
	written := map[int]recordBatch{} // batches written before one sent earlier (at most one per writer)
	nextSeq := 0
	var werr error
	var wg sync.WaitGroup
	for range ix.opts.writers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				mu.Lock()
				failed := werr != nil
				mu.Unlock()
				if failed {
					continue
				}
				var err error
				if len(b.recs) > 0 { // the last batch may be empty: it only carries progress
					err = ix.writeBatch(b.recs, &mu, &sum, skip, counts)
				}
				if err != nil {
					mu.Lock()
					if werr == nil {
						werr = err
					}
					mu.Unlock()
					cancel()
					continue
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
		}()
	}
	wg.Wait()
	if werr != nil {
		<-prodErr
		sum.Elapsed = time.Since(start)
		return sum, nil, nil, unwrapStrict(werr)
	}
	if err := <-prodErr; err != nil {
		sum.Elapsed = time.Since(start)
		return sum, nil, nil, err
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
		fr := &article.Reader{Parser: p, Path: f.path, ID: f.id, Ignored: ignored, Max: ix.opts.MaxArticleBytes}
		res := &results[i]
		err := func() error {
			fh, err := openInput(f.path)
			if err != nil {
				res.problem = true
				var nr errNotRegular
				if errors.As(err, &nr) {
					batch = append(batch, article.Record{Err: nr.input(f.path)})
				} else {
					batch = append(batch, article.Record{Err: fr.ReadErr(err)})
				}
				return nil
			}
			defer fh.Close()
			kind, gz := article.FormatOf(f.path)
			h := sha256.New()
			defer func() { res.hash = hex.EncodeToString(h.Sum(nil)) }()
			return fr.Read(io.TeeReader(&countingReader{r: fh, n: &bytesRead}, h), kind, gz, func(r article.Record) error {
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

// writeBatch writes the articles of recs, one bleve batch per shard, and
// counts new versus replaced documents; problems go to skip.
func (ix *Index) writeBatch(recs []article.Record, mu *sync.Mutex, sum *IngestSummary, skip func(*article.InputError) error, counts *bulkCounts) error {
	ix.mu.RLock()
	err := ix.writeBatchLocked(recs, mu, sum, skip, counts)
	ix.mu.RUnlock()
	ix.afterWrite(err)
	return err
}

// writeBatchLocked is writeBatch for a caller holding ix.mu for reading.
func (ix *Index) writeBatchLocked(recs []article.Record, mu *sync.Mutex, sum *IngestSummary, skip func(*article.InputError) error, counts *bulkCounts) error {
	if err := checkWritable(ix.opts.Path, ix.opts.MinFreeBytes); err != nil {
		return err
	}
	ids := make([]string, 0, len(recs))
	valid := make([]*article.Article, 0, len(recs))
	inBatch := make(map[string]struct{}, len(recs))
	dupes := 0
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
		if _, dup := inBatch[r.Article.ID]; dup {
			dupes++
		} else {
			inBatch[r.Article.ID] = struct{}{}
			ids = append(ids, r.Article.ID)
		}
		valid = append(valid, &r.Article)
	}
	if len(ids) == 0 {
		return nil
	}
	docs := make([]*document.Document, len(valid))
	lens := make([]tokenCounts, len(valid))
	errs := make([]error, len(valid))
	m := ix.shards[0].Mapping()
	analysis.All(&ix.analysis, len(valid), func(w *analysis.Worker, i int) {
		docs[i], lens[i], errs[i] = analyzeArticle(m, w, valid[i])
	})
	batches := make([]*bleve.Batch, len(ix.shards))
	for i, a := range valid {
		if errs[i] != nil {
			return fmt.Errorf("index article %q: %w", a.ID, errs[i])
		}
		s := ix.shardOf(a.ID)
		if batches[s] == nil {
			batches[s] = ix.shards[s].NewBatch()
		}
		if err := batches[s].IndexAdvanced(docs[i]); err != nil {
			return fmt.Errorf("index article %q: %w", a.ID, err)
		}
	}
	existing, err := ix.countExisting(ids)
	if err != nil {
		return err
	}
	for s, b := range batches {
		if b == nil {
			continue
		}
		if err := ix.shards[s].Batch(b); err != nil {
			return persistError(err, shardPath(genDir(ix.opts.Path, ix.meta.Generation), s))
		}
	}
	if ix.rebuilding != nil {
		for _, a := range valid {
			ix.rebuilding.add(writeOp{id: a.ID, article: a})
		}
	}
	if counts != nil {
		for i, a := range valid {
			counts.add(ix.shardOf(a.ID), lens[i])
		}
	}
	mu.Lock()
	sum.Updated += existing + dupes
	sum.Indexed += len(ids) - existing
	mu.Unlock()
	return nil
}

// countExisting returns how many of ids are already in the index.
func (ix *Index) countExisting(ids []string) (int, error) {
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), 0, 0, false)
	res, err := ix.alias.Search(req)
	if err != nil {
		return 0, fmt.Errorf("look up existing ids: %w", err)
	}
	return int(res.Total), nil
}

// collectFiles expands paths into the input files, sorted within each
// folder, and counts the files it rejected. Hidden files and folders are
// passed over; other files of an unknown type, and anything but regular
// files and links to them (named pipes, devices, sockets, links to
// folders), are reported to skip.
func collectFiles(paths []string, skip func(*article.InputError) error) ([]inputFile, int, error) {
	var files []inputFile
	rejected := 0
	reject := func(e *article.InputError) error {
		rejected++
		return skip(e)
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			if e := reject(&article.InputError{Path: root, Reason: "unreadable file", Message: fmt.Sprintf("cannot read: %v", errors.Unwrap(err))}); e != nil {
				return nil, rejected, e
			}
			continue
		}
		if !info.IsDir() {
			if ie := checkInput(root, info, isLink(root)); ie != nil {
				if e := reject(ie); e != nil {
					return nil, rejected, e
				}
				continue
			}
			files = append(files, inputFile{path: root, id: article.Stem(filepath.Base(root)), size: info.Size(), mtime: info.ModTime().UnixNano()})
			continue
		}
		var found []inputFile
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return reject(&article.InputError{Path: p, Reason: "unreadable file", Message: fmt.Sprintf("cannot read: %v", err)})
			}
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~")) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			fi, err := os.Stat(p) // follows a link, which WalkDir does not
			if err != nil {
				return reject(&article.InputError{Path: p, Reason: "unreadable file", Message: fmt.Sprintf("cannot read: %v", errors.Unwrap(err))})
			}
			if ie := checkInput(p, fi, d.Type()&fs.ModeSymlink != 0); ie != nil {
				return reject(ie)
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				rel = name
			}
			found = append(found, inputFile{path: p, id: article.Stem(rel), size: fi.Size(), mtime: fi.ModTime().UnixNano()})
			return nil
		})
		if err != nil {
			return nil, rejected, err
		}
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		files = append(files, found...)
	}
	return files, rejected, nil
}

// checkInput is the problem of reading path, of the type fi (the target's
// when link says path is a symbolic link), or nil when it is a regular file
// of a known format.
func checkInput(path string, fi fs.FileInfo, link bool) *article.InputError {
	if !fi.Mode().IsRegular() {
		what := fileKind(fi.Mode())
		if link {
			what = "a link to " + what
			if fi.IsDir() {
				what += ", which is not followed"
			}
		}
		return errNotRegular{what}.input(path)
	}
	if k, _ := article.FormatOf(path); k == article.FormatUnknown {
		return &article.InputError{Path: path, Reason: "unsupported format", Message: "unsupported file type", Expected: "one of " + article.AcceptedFormats}
	}
	return nil
}

func isLink(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

// errNotRegular is the error of opening something other than a regular
// file for reading; what names it ("a named pipe").
type errNotRegular struct{ what string }

func (e errNotRegular) Error() string { return "not a regular file: " + e.what }

// input is e as the problem of the input path.
func (e errNotRegular) input(path string) *article.InputError {
	return &article.InputError{Path: path, Reason: "not a regular file", Message: e.Error(), Expected: "only regular files and links to them are read"}
}

// fileKind names the type of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "an irregular file"
}

// openInput opens path for reading. It never blocks on a named pipe (which
// may have replaced the file since the walk: it is opened non-blocking) and
// refuses anything but a regular file with an errNotRegular.
func openInput(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errNotRegular{fileKind(fi.Mode())}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}
