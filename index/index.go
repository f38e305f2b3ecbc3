package index

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/blevesearch/bleve/v2"
)

// Index is an open Folio index. It is safe for concurrent use.
type Index struct {
	opts Options
	bi   bleve.Index
	hl   *highlighter
}

// Exists reports whether an index directory exists at path.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Open opens the existing index at opts.Path. It returns an error wrapping
// ErrNoIndex when there is none, and ErrIncompatible when it was built by
// another Folio version or with a different mapping (language).
func Open(opts Options) (*Index, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if !Exists(opts.Path) {
		return nil, fmt.Errorf("%w at %s", ErrNoIndex, opts.Path)
	}
	bi, err := bleve.Open(opts.Path)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", opts.Path, err)
	}
	if err := checkMeta(bi, opts); err != nil {
		bi.Close()
		return nil, err
	}
	return newIndex(bi, opts), nil
}

// Create makes a new, empty index at opts.Path. It fails if something exists there.
func Create(opts Options) (*Index, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if Exists(opts.Path) {
		return nil, fmt.Errorf("create index: %s already exists", opts.Path)
	}
	bi, err := bleve.New(opts.Path, newMapping(opts.Language))
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", opts.Path, err)
	}
	if err := writeMeta(bi, opts); err != nil {
		bi.Close()
		return nil, err
	}
	return newIndex(bi, opts), nil
}

// OpenOrCreate opens the index at opts.Path, creating an empty one if none exists.
func OpenOrCreate(opts Options) (*Index, error) {
	ix, err := Open(opts)
	if errors.Is(err, ErrNoIndex) {
		return Create(opts)
	}
	return ix, err
}

func newIndex(bi bleve.Index, opts Options) *Index {
	return &Index{opts: opts, bi: bi, hl: newHighlighter(opts.FragmentSize)}
}

// Close flushes and closes the index.
func (ix *Index) Close() error { return ix.bi.Close() }

// Path is the index directory.
func (ix *Index) Path() string { return ix.opts.Path }

// Count returns the number of articles in the index.
func (ix *Index) Count() (uint64, error) { return ix.bi.DocCount() }

// Ping checks that the index answers a trivial search.
func (ix *Index) Ping(ctx context.Context) error {
	_, err := ix.bi.DocCount()
	return err
}
