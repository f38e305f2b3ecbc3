package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"slices"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/article/extract"
)

// FileResult is what reading one input file produced: the ids of its
// articles, its content hash and whether any of it was skipped.
type FileResult struct {
	IDs     []string
	Hash    string
	Problem bool
}

// Batch is a group of records with how far the producer had read
// when it sent them: files completely read and bytes read (compressed bytes
// for .gz), every record of that input being in this batch or an earlier one.
type Batch struct {
	Seq       int // 0, 1, ... in the order sent
	Recs      []article.Record
	FilesRead int
	BytesRead int64
}

// Batcher groups records into Batches of a size, numbered in the order
// sent, with how far the producer had read.
type Batcher struct {
	out       chan<- Batch
	size, seq int
	recs      []article.Record
	FilesRead int   // inputs completely read
	BytesRead int64 // bytes read (compressed bytes for .gz)
}

// NewBatcher returns a Batcher sending batches of size records to out.
func NewBatcher(out chan<- Batch, size int) *Batcher {
	return &Batcher{out: out, size: size, recs: make([]article.Record, 0, size)}
}

// Add adds r, sending the batch once it is full.
func (b *Batcher) Add(ctx context.Context, r article.Record) error {
	b.recs = append(b.recs, r)
	if len(b.recs) >= b.size {
		return b.Flush(ctx)
	}
	return nil
}

// Flush sends the records gathered so far, possibly none (the last batch
// carries the progress).
func (b *Batcher) Flush(ctx context.Context) error {
	select {
	case b.out <- Batch{Seq: b.seq, Recs: b.recs, FilesRead: b.FilesRead, BytesRead: b.BytesRead}:
	case <-ctx.Done():
		return ctx.Err()
	}
	b.seq++
	b.recs = make([]article.Record, 0, b.size)
	return nil
}

// Produce reads files in order with readers like reader (its Path and ID
// set per file) and sends records in groups of batchSize; the last group
// may be empty. results[i] receives what files[i] produced.
func Produce(ctx context.Context, files []File, reader article.Reader, batchSize int, results []FileResult, out chan<- Batch) error {
	b := NewBatcher(out, batchSize)
	if err := ReadFiles(ctx, files, reader, results, b); err != nil {
		return err
	}
	return b.Flush(ctx)
}

// ReadFiles reads files in order with readers like reader (its Path and
// ID set per file) into b, without flushing it. results[i] receives what
// files[i] produced.
func ReadFiles(ctx context.Context, files []File, reader article.Reader, results []FileResult, b *Batcher) error {
	add := func(r article.Record) error { return b.Add(ctx, r) }
	for i, f := range files {
		if err := ctx.Err(); err != nil { // a cancelled sync (shutdown) stops between files
			return err
		}
		fr := reader
		fr.Path, fr.ID, fr.Groups = f.Path, f.ID, f.Groups
		fh, err := Open(f.Path)
		if err != nil {
			results[i].Problem = true
			b.recs = append(b.recs, article.Record{Err: openProblem(&fr, f.Path, err)})
		} else if err := readFile(&fr, fh, &results[i], &b.BytesRead, add); err != nil {
			return err
		}
		b.FilesRead++
	}
	return nil
}

// openProblem is the problem of a file at path that Open refused with err.
func openProblem(fr *article.Reader, path string, err error) *article.InputError {
	var nr ErrNotRegular
	if errors.As(err, &nr) {
		return nr.Input(path)
	}
	return fr.ReadErr(err)
}

// readFile reads the records of fh (then closes it) into add, noting in
// res their ids, whether any had a problem, and the file's content hash;
// the bytes read (compressed, for .gz) are added to *bytesRead.
func readFile(fr *article.Reader, fh *os.File, res *FileResult, bytesRead *int64, add func(article.Record) error) error {
	defer fh.Close()
	kind, gz := article.FormatOf(fr.Path)
	h := sha256.New()
	defer func() { res.Hash = hex.EncodeToString(h.Sum(nil)) }()
	emit := func(r article.Record) error {
		if r.Err != nil {
			res.Problem = true
		} else {
			res.IDs = append(res.IDs, r.Article.ID)
		}
		return add(r)
	}
	in := io.TeeReader(&CountingReader{R: fh, N: bytesRead}, h)
	if kind == article.FormatUnknown {
		if k, ok := extract.KindOf(fr.Path, ""); ok {
			return readDocument(fr, k, in, emit)
		}
	}
	return fr.Read(in, kind, gz, func(r article.Record) error {
		if r.Err == nil { // HTML in a text or JSON body is indexed as its text
			r.Article.Body = extract.BodyText(r.Article.Body)
		}
		return emit(r)
	})
}

// readDocument reads a document extract knows (HTML, a feed) into emit:
// a page's article takes the file's id, a feed's items keep their guids.
func readDocument(fr *article.Reader, k extract.Kind, r io.Reader, emit func(article.Record) error) error {
	x := extract.Extractor{Dates: fr.Parser.Dates}
	for _, rec := range x.Records(k, fr.Path, r, fr.Max) {
		if rec.Err == nil && rec.Article.ID == "" {
			rec.Article.ID = fr.ID
		}
		if rec.Err == nil && rec.Article.Groups == nil {
			rec.Article.Groups = slices.Clone(fr.Groups)
		}
		if err := emit(rec); err != nil {
			return err
		}
	}
	return nil
}
