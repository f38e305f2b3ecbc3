package index

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/blevesearch/bleve/v2"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/store"
)

// Write errors. A write that fails with one of these changed nothing.
var (
	// ErrWriteFailed means the index could not persist a write (I/O error,
	// read-only storage); searches still work.
	ErrWriteFailed = errors.New("write failed")
	// ErrNoSpace means the disk holding the index is (nearly) full; it wraps ErrWriteFailed.
	ErrNoSpace = fmt.Errorf("%w: no space left on the index's disk", ErrWriteFailed)
	// ErrTooLarge means one input (a bulk line) is larger than the accepted limit.
	ErrTooLarge = errors.New("input too large")
)

// Write statuses of a WriteResult.
const (
	StatusCreated = "created" // the id was new
	StatusUpdated = "updated" // an article with the id was replaced
	StatusDeleted = "deleted" // the article was removed
	StatusError   = "error"   // the record was not written, see Err
)

// WriteResult is the outcome of writing one record of a request.
type WriteResult struct {
	Line    int      // bulk: the 1-based line; 0 otherwise
	Index   int      // array: the 0-based element; 0 otherwise
	ID      string   // the article id, when known (also for most errors)
	Status  string   // StatusCreated, StatusUpdated or StatusError
	Err     error    // why the record was not written (an *article.InputError, or a write error)
	Ignored []string // the record's fields that Folio does not index, sorted
}

// apiSource is the path shown in errors about articles sent over the API.
const apiSource = "request"

// DecodeArticle decodes one JSON object into a validated article with the
// same rules and messages as file ingest (dates through the index's date
// parser). defaultID is used when the object has no "id"; when both are
// given they must be equal. Problems are *InputError values (wrapping
// ErrInvalidArticle).
func (ix *Index) DecodeArticle(b []byte, defaultID string) (article.Article, error) {
	fr := &article.Reader{Parser: &article.Parser{Dates: ix.opts.Dates}, Path: apiSource, ID: defaultID, Ignored: map[string]struct{}{}}
	r := fr.Object(bytes.TrimSpace(b), 1, defaultID)
	if r.Err != nil {
		r.Err.Line = 0
		return article.Article{}, r.Err
	}
	if defaultID != "" && r.Article.ID != defaultID {
		return article.Article{}, &article.InputError{Path: apiSource, Reason: "id mismatch",
			Message:  fmt.Sprintf("body id %q differs from the id %q in the path", r.Article.ID, defaultID),
			Expected: "no id in the body, or the same id as the path"}
	}
	return r.Article, nil
}

// Put writes a (validated) article, replacing any with the same id, and
// returns once the write is persisted. created reports whether the id was
// new. Errors wrap ErrInvalidArticle or ErrWriteFailed.
func (ix *Index) Put(ctx context.Context, a article.Article) (created bool, err error) {
	if err := a.Validate(); err != nil {
		return false, err
	}
	res, err := ix.writes().Append(ctx, []writeOp{{id: a.ID, article: &a, api: true}}, nil)
	if err != nil {
		return false, err
	}
	return !res[0], nil
}

// Delete removes the article id once persisted; it returns an error
// wrapping ErrNotFound if there is none, or ErrWriteFailed.
func (ix *Index) Delete(ctx context.Context, id string) error {
	ix.mu.RLock()
	doc, err := ix.document(id)
	ix.mu.RUnlock()
	if err == nil && doc != nil {
		_, err = ix.writes().Append(ctx, []writeOp{{id: id, api: true}}, nil)
	}
	if err != nil {
		return fmt.Errorf("delete article %q: %w", id, err)
	}
	if doc == nil {
		return fmt.Errorf("%w: no article with id %q", ErrNotFound, id)
	}
	return nil
}

// PutJSON writes the articles of body, one JSON object or an array of
// objects, with the same validation as file ingest, in batches of up to
// BatchSize. An array's bad elements are reported in their results, whose
// messages start "request[i]:" with the element's 0-based Index, and the
// others written; the results are in element order. The error is non-nil
// only when a write failed (the batches before it stay written) or body is
// a single invalid object (then it is the *InputError).
func (ix *Index) PutJSON(ctx context.Context, body []byte) ([]WriteResult, error) {
	fr := &article.Reader{Parser: &article.Parser{Dates: ix.opts.Dates}, Path: apiSource, Ignored: map[string]struct{}{}}
	var results []WriteResult
	b := batch{log: ix.writes()}
	n := 0
	err := fr.ReadJSON(body, func(r article.Record) error {
		i := n
		n++
		res := WriteResult{Index: i, ID: r.Article.ID, Ignored: fr.TakeIgnored()}
		if res.ID == fmt.Sprintf("/%d", n) { // readJSON's default id: the element has none
			res.ID = ""
		}
		switch {
		case r.Err != nil:
			r.Err.Path, r.Err.Line = fmt.Sprintf("%s[%d]", apiSource, i), 0
			res.Status, res.Err = StatusError, r.Err
			b.add(res, nil)
		case res.ID == "":
			res.Status, res.Err = StatusError, &article.InputError{Path: fmt.Sprintf("%s[%d]", apiSource, i), Reason: "missing id", Message: "article has no id", Expected: `an "id" field`}
			b.add(res, nil)
		default:
			b.add(res, &r.Article)
		}
		if len(b.results) < ix.opts.BatchSize {
			return nil
		}
		done, err := b.apply(ctx)
		results = append(results, done...)
		return err
	})
	if err != nil {
		return nil, err
	}
	done, err := b.apply(ctx)
	if err != nil {
		return nil, err
	}
	return append(results, done...), nil
}

// batch gathers the results of records and the writes of the valid ones
// until apply writes them together.
type batch struct {
	log     writeLog
	results []WriteResult
	ops     []writeOp
	idx     []int // results[idx[i]] is the result of ops[i]
}

// add appends r, and a write of a when a is not nil (r then gets its status from apply).
func (b *batch) add(r WriteResult, a *article.Article) {
	if a != nil {
		b.idx = append(b.idx, len(b.results))
		b.ops = append(b.ops, writeOp{id: a.ID, article: a, api: true})
	}
	b.results = append(b.results, r)
}

// apply writes the batch's articles and returns its results, statuses set,
// and empties the batch. On a write error nothing of the batch was written
// and no result is returned.
func (b *batch) apply(ctx context.Context) ([]WriteResult, error) {
	results, ops, idx := b.results, b.ops, b.idx
	b.results, b.ops, b.idx = nil, nil, nil
	if len(ops) > 0 {
		existed, err := b.log.Append(ctx, ops, nil)
		if err != nil {
			return nil, err
		}
		for i, j := range idx {
			results[j].Status = statusOf(existed[i])
		}
	}
	return results, nil
}

func statusOf(existed bool) string {
	if existed {
		return StatusUpdated
	}
	return StatusCreated
}

// Bulk reads NDJSON articles from r (one JSON object a line, blank lines
// skipped) and writes them in batches of up to BatchSize, also writing what
// it has whenever r has no more data ready, so a slow stream is not held
// back. emit receives the results of each batch in line order once that
// batch is persisted: a bad line gets StatusError with its *InputError
// ("request:line: …") and does not stop the others. A line longer than
// maxLine bytes is an ErrTooLarge result. Bulk stops when emit, a read of
// r or a write fails and returns that error (wrapping ErrWriteFailed for a
// write); the results already emitted stay valid, the batch that failed is
// not emitted.
func (ix *Index) Bulk(ctx context.Context, r io.Reader, maxLine int, emit func([]WriteResult) error) error {
	fr := &article.Reader{Parser: &article.Parser{Dates: ix.opts.Dates}, Path: apiSource, Ignored: map[string]struct{}{}}
	br := bufio.NewReaderSize(r, 64<<10)
	b := batch{log: ix.writes()}
	flush := func() error {
		if len(b.results) == 0 {
			return nil
		}
		results, err := b.apply(ctx)
		if err != nil {
			return err // nothing of this batch was acknowledged
		}
		return emit(results)
	}
	line := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		l, tooLong, err := article.ReadLine(br, maxLine)
		if len(l) > 0 || tooLong {
			line++
			switch t := bytes.TrimSpace(l); {
			case tooLong:
				b.add(WriteResult{Line: line, Status: StatusError, Err: fmt.Errorf("%w: %s:%d: line longer than %d bytes", ErrTooLarge, apiSource, line, maxLine)}, nil)
			case len(t) == 0:
			default:
				rec := fr.Object(t, line, "")
				res := WriteResult{Line: line, ID: rec.Article.ID, Ignored: fr.TakeIgnored()}
				if rec.Err != nil {
					res.Status, res.Err = StatusError, rec.Err
					b.add(res, nil)
					break
				}
				b.add(res, &rec.Article)
			}
		}
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return fmt.Errorf("read request body: %w", err)
		}
		if len(b.results) >= ix.opts.BatchSize || br.Buffered() == 0 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// errPersist marks a write error that bleve returned while persisting a
// batch: the shard's in-memory state may then be unusable (bleve v2.6.3
// panics in searches after a failed persist), so it is reopened.
var errPersist = errors.New("persist failed")

// persistError wraps an error of bleve's Batch on shard: ErrNoSpace when
// the disk is full (bleve keeps only the text of the os error), else
// ErrWriteFailed; both with errPersist.
func persistError(err error, shard string) error {
	kind := ErrWriteFailed
	if errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), syscall.ENOSPC.Error()) {
		kind = ErrNoSpace
	}
	return fmt.Errorf("%w: %w: write to %s: %w", kind, errPersist, shard, err)
}

// afterWrite reopens the shards after a persist failure, so that searches
// keep working from what is on disk (a failed batch is not recorded there).
// The caller must not hold ix.mu.
func (ix *Index) afterWrite(err error) {
	if !errors.Is(err, errPersist) {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.shards == nil { // closed
		return
	}
	dir := store.GenDir(ix.opts.Path, ix.meta.Generation)
	replaced := ix.generation
	replaced.MarkClosed() // a running backup fails on the closed handles
	fresh := make([]bleve.Index, len(ix.shards))
	for i, s := range ix.shards {
		// The old handle must be closed first (bolt's file lock), so it
		// cannot be kept if the reopen fails.
		s.Close()
		bi, oerr := bleve.Open(store.ShardPath(dir, i))
		if oerr != nil {
			// Storage that refuses writes (read-only) refuses a read-write
			// open too: serve reads from a read-only handle.
			if ro, rerr := bleve.OpenUsing(store.ShardPath(dir, i), map[string]interface{}{"read_only": true}); rerr == nil {
				bi = engine.ReadOnlyShard{Shard: ro}
			} else {
				bi = engine.ClosedShard{Shard: s}
			}
		}
		fresh[i] = bi
	}
	ix.generation = newGeneration(replaced.meta, fresh)
	replaced.Release() // nothing left to close: never fails
}
