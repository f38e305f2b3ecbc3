package engine

import (
	"context"
	"errors"

	"github.com/blevesearch/bleve/v2"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Readers opens a reader on every shard; closeAll closes them and returns
// the first error.
func Readers(shards []bleve.Index) ([]bleveindex.IndexReader, func() error, error) {
	var rs []bleveindex.IndexReader
	closeAll := func() error {
		var errs []error
		for _, r := range rs {
			errs = append(errs, r.Close())
		}
		return errors.Join(errs...)
	}
	for _, s := range shards {
		adv, err := s.Advanced()
		if err != nil {
			return nil, nil, errors.Join(err, closeAll())
		}
		r, err := adv.Reader()
		if err != nil {
			return nil, nil, errors.Join(err, closeAll())
		}
		rs = append(rs, r)
	}
	return rs, closeAll, nil
}

// DocFreq is the number of documents whose field holds term.
func DocFreq(ctx context.Context, readers []bleveindex.IndexReader, field, term string) (uint64, error) {
	var n uint64
	for _, r := range readers {
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return 0, err
		}
		n += tfr.Count()
		if err := tfr.Close(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// Dict answers whether terms occur in a set of shards, opening their
// readers on the first question only; Close closes them.
type Dict struct {
	shards  []bleve.Index
	readers []bleveindex.IndexReader
	close   func() error
}

// NewDict is the dictionary of shards.
func NewDict(shards []bleve.Index) *Dict { return &Dict{shards: shards} }

// Has reports whether some document of the shards holds term in field.
func (d *Dict) Has(field, term string) (bool, error) {
	if d.close == nil {
		rs, closeAll, err := Readers(d.shards)
		if err != nil {
			return false, err
		}
		d.readers, d.close = rs, closeAll
	}
	n, err := DocFreq(context.Background(), d.readers, field, term)
	return n > 0, err
}

// Close closes the readers Has opened.
func (d *Dict) Close() error {
	if d.close == nil {
		return nil
	}
	err := d.close()
	d.readers, d.close = nil, nil
	return err
}
