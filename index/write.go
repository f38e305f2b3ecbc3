package index

import (
	"context"
	"errors"
	"fmt"
	"io"

	bleveindex "github.com/blevesearch/bleve_index_api"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/sources"
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
	ErrTooLarge = sources.ErrTooLarge
)

// Write statuses of a WriteResult.
const (
	StatusCreated = sources.StatusCreated // the id was new
	StatusUpdated = sources.StatusUpdated // an article with the id was replaced
	StatusDeleted = sources.StatusDeleted // the article was removed
	StatusError   = sources.StatusError   // the record was not written, see Err
)

// WriteResult is the outcome of writing one record of a request.
type WriteResult = sources.WriteResult

// DecodeArticle decodes one JSON object into a validated article with the
// same rules and messages as file ingest (dates through the index's date
// parser). defaultID is used when the object has no "id"; when both are
// given they must be equal. Problems are *InputError values (wrapping
// ErrInvalidArticle).
func (ix *Index) DecodeArticle(b []byte, defaultID string) (article.Article, error) {
	return sources.DecodeObject(ix.parser(), b, defaultID)
}

// Put writes a (validated) article, replacing any with the same id, and
// returns once the write is persisted. created reports whether the id was
// new. Errors wrap ErrInvalidArticle or ErrWriteFailed.
func (ix *Index) Put(ctx context.Context, a article.Article) (created bool, err error) {
	if err := a.Validate(); err != nil {
		return false, err
	}
	res, _, err := ix.writes().Append(ctx, []writeOp{{id: a.ID, article: &a, api: true}}, nil)
	if err != nil {
		return false, err
	}
	return !res[0], nil
}

// Delete removes the article id once persisted; it returns an error
// wrapping ErrNotFound if there is none, or ErrWriteFailed. In cluster
// mode a node that does not hold id first catches up with the log
// (catchUp): it may not have applied a put acknowledged through another
// node yet; when it cannot (no quorum, too far behind) the error wraps
// ErrNoQuorum or ErrReplicaBehind rather than ErrNotFound.
func (ix *Index) Delete(ctx context.Context, id string) error {
	doc, err := ix.lookup(id)
	if err == nil && doc == nil && ix.replica != nil {
		if err = ix.catchUp(ctx, localApplyWait); err != nil {
			err = fmt.Errorf("cannot tell yet whether it exists: %w", err)
		} else {
			doc, err = ix.lookup(id)
		}
	}
	if err == nil && doc != nil {
		_, _, err = ix.writes().Append(ctx, []writeOp{{id: id, api: true}}, nil)
	}
	if err != nil {
		return fmt.Errorf("delete article %q: %w", id, err)
	}
	if doc == nil {
		return fmt.Errorf("%w: no article with id %q", ErrNotFound, id)
	}
	return nil
}

// lookup is document under ix.mu.
func (ix *Index) lookup(id string) (bleveindex.Document, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.document(id)
}

// PutJSON writes the articles of body, one JSON object or an array of
// objects, with the same validation as file ingest, in batches of up to
// BatchSize. An array's bad elements are reported in their results, whose
// messages start "request[i]:" with the element's 0-based Index, and the
// others written; the results are in element order. The error is non-nil
// only when a write failed (the batches before it stay written) or body is
// a single invalid object (then it is the *InputError).
func (ix *Index) PutJSON(ctx context.Context, body []byte) ([]WriteResult, error) {
	return sources.APIBody(ctx, ix.parser(), body, ix.opts.BatchSize, ix.putAPI)
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
	return sources.APILines(ctx, ix.parser(), r, maxLine, ix.opts.BatchSize, ix.putAPI, emit)
}

// parser is the article parser of API bodies: the index's date rules.
func (ix *Index) parser() *article.Parser { return &article.Parser{Dates: ix.opts.Dates} }

// putAPI appends the puts of one API batch to the write log (the
// sources.Write of the write API's bodies).
func (ix *Index) putAPI(ctx context.Context, puts []*article.Article) ([]bool, []uint64, error) {
	ops := make([]writeOp, len(puts))
	for i, a := range puts {
		ops[i] = writeOp{id: a.ID, article: a, api: true}
	}
	return ix.writes().Append(ctx, ops, nil)
}

// errPersist marks a write error that bleve returned while persisting a
// batch: the shard's in-memory state may then be unusable (bleve v2.6.3
// panics in searches after a failed persist), so it is reopened.
var errPersist = errors.New("persist failed")

// persistError wraps an error of bleve's Batch on shard: ErrNoSpace when
// the disk is full (engine.IsNoSpace), else ErrWriteFailed; both with
// errPersist.
func persistError(err error, shard string) error {
	kind := ErrWriteFailed
	if engine.IsNoSpace(err) {
		kind = ErrNoSpace
	}
	return fmt.Errorf("%w: %w: write to %s: %w", kind, errPersist, shard, err)
}

// afterWrite reopens the shards after a persist failure (engine.Reopen),
// so that searches keep working from what is on disk (a failed batch is
// not recorded there). The caller must not hold ix.mu.
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
	replaced.stopBuilds() // before its handles are closed
	replaced.MarkClosed() // a running backup fails on the closed handles
	fresh := engine.Reopen(ix.shards, func(i int) string { return store.ShardPath(dir, i) })
	ix.generation = newGeneration(replaced.meta, fresh)
	ix.serve()
	replaced.Release() // nothing left to close: never fails
}
