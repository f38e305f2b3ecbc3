package sources

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/folio-search/folio/index/article"
)

// ErrTooLarge means one input (a bulk line) is larger than the accepted limit.
var ErrTooLarge = errors.New("input too large")

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
	Seq     uint64   // the replicated log's sequence of the write (cluster mode); 0 otherwise
}

// Write writes the articles of one batch of a request and returns, per
// article, whether its id existed before and its log sequence (seqs is
// nil without a replicated log); on an error nothing of the batch was
// written. It is the facade's log stage seen from a source.
type Write func(ctx context.Context, puts []*article.Article) (existed []bool, seqs []uint64, err error)

// apiSource is the path shown in errors about articles sent over the API.
const apiSource = "request"

// apiReader is a reader of request bodies with p's rules (dates).
func apiReader(p *article.Parser) *article.Reader {
	return &article.Reader{Parser: p, Path: apiSource, Ignored: map[string]struct{}{}}
}

// DecodeObject decodes one JSON object into a validated article with p's
// rules and the same messages as file ingest. defaultID is used when the
// object has no "id"; when both are given they must be equal. Problems are
// *article.InputError values.
func DecodeObject(p *article.Parser, b []byte, defaultID string) (article.Article, error) {
	fr := apiReader(p)
	fr.ID = defaultID
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

// APIBody writes the articles of body, one JSON object or an array of
// objects, read with p's rules, through write in batches of up to
// batchSize. An array's bad elements are reported in their results, whose
// messages start "request[i]:" with the element's 0-based Index, and the
// others written; the results are in element order. The error is non-nil
// only when a write failed (the batches before it stay written) or body is
// a single invalid object (then it is the *article.InputError).
func APIBody(ctx context.Context, p *article.Parser, body []byte, batchSize int, write Write) ([]WriteResult, error) {
	fr := apiReader(p)
	var results []WriteResult
	b := batch{write: write}
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
		if len(b.results) < batchSize {
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

// batch gathers the results of records and the articles of the valid ones
// until apply writes them together.
type batch struct {
	write   Write
	results []WriteResult
	puts    []*article.Article
	idx     []int // results[idx[i]] is the result of puts[i]
}

// add appends r, and a write of a when a is not nil (r then gets its status from apply).
func (b *batch) add(r WriteResult, a *article.Article) {
	if a != nil {
		b.idx = append(b.idx, len(b.results))
		b.puts = append(b.puts, a)
	}
	b.results = append(b.results, r)
}

// apply writes the batch's articles and returns its results, statuses set,
// and empties the batch. On a write error nothing of the batch was written
// and no result is returned.
func (b *batch) apply(ctx context.Context) ([]WriteResult, error) {
	results, puts, idx := b.results, b.puts, b.idx
	b.results, b.puts, b.idx = nil, nil, nil
	if len(puts) > 0 {
		existed, seqs, err := b.write(ctx, puts)
		if err != nil {
			return nil, err
		}
		for i, j := range idx {
			results[j].Status = statusOf(existed[i])
			if seqs != nil {
				results[j].Seq = seqs[i]
			}
		}
	}
	return results, nil
}

// statusOf is the status of a put whose id existed before or not.
func statusOf(existed bool) string {
	if existed {
		return StatusUpdated
	}
	return StatusCreated
}

// APILines reads NDJSON articles from r (one JSON object a line, blank
// lines skipped) with p's rules and writes them through write in batches
// of up to batchSize, also writing what it has whenever r has no more data
// ready, so a slow stream is not held back. emit receives the results of
// each batch in line order once that batch is persisted: a bad line gets
// StatusError with its *article.InputError ("request:line: …") and does
// not stop the others. A line longer than maxLine bytes is an ErrTooLarge
// result. APILines stops when emit, a read of r or a write fails and
// returns that error; the results already emitted stay valid, the batch
// that failed is not emitted.
func APILines(ctx context.Context, p *article.Parser, r io.Reader, maxLine, batchSize int, write Write, emit func([]WriteResult) error) error {
	fr := apiReader(p)
	br := bufio.NewReaderSize(r, 64<<10)
	b := batch{write: write}
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
		if len(b.results) >= batchSize || br.Buffered() == 0 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}
