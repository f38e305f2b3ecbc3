package engine

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

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
	n, err := d.Count(field, term)
	return n > 0, err
}

// Count is the number of documents of the shards that hold term in field.
func (d *Dict) Count(field, term string) (uint64, error) {
	if err := d.open(); err != nil {
		return 0, err
	}
	return DocFreq(context.Background(), d.readers, field, term)
}

// Docs is the number of documents of the shards.
func (d *Dict) Docs() (uint64, error) {
	if err := d.open(); err != nil {
		return 0, err
	}
	var n uint64
	for _, r := range d.readers {
		c, err := r.DocCount()
		if err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}

// open opens the shards' readers once.
func (d *Dict) open() error {
	if d.close != nil {
		return nil
	}
	rs, closeAll, err := Readers(d.shards)
	if err != nil {
		return err
	}
	d.readers, d.close = rs, closeAll
	return nil
}

// Close closes the readers Has and Corrections opened.
func (d *Dict) Close() error {
	if d.close == nil {
		return nil
	}
	err := d.close()
	d.readers, d.close = nil, nil
	return err
}

// maxFuzzyEntries bounds the dictionary entries one Corrections call reads per shard.
const maxFuzzyEntries = 4096

// maxCorrectionTerms bounds the distinct terms one Corrections call counts.
const maxCorrectionTerms = 128

// Corrections are the terms of field exactly edits edits away from term
// (edits 1 or 2) with their document counts over the shards, most
// frequent first.
func (d *Dict) Corrections(field, term string, edits int) ([]Correction, error) {
	if err := d.open(); err != nil {
		return nil, err
	}
	terms := map[string]bool{}
	for _, r := range d.readers {
		if err := fuzzyTerms(r, field, term, edits, terms); err != nil {
			return nil, err
		}
	}
	// The fuzzy dictionaries do not count documents: look each term up.
	out := make([]Correction, 0, len(terms))
	for t := range terms {
		n, err := DocFreq(context.Background(), d.readers, field, t)
		if err != nil {
			return nil, err
		}
		out = append(out, Correction{Term: t, Count: n})
	}
	slices.SortFunc(out, func(a, b Correction) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Term, b.Term)
	})
	return out, nil
}

// fuzzyTerms adds to terms those of r's field within edits of term (not
// term itself), reading at most maxFuzzyEntries entries and keeping at most
// maxCorrectionTerms terms in all.
func fuzzyTerms(r bleveindex.IndexReader, field, term string, edits int, terms map[string]bool) (err error) {
	fr, ok := r.(bleveindex.IndexReaderFuzzy)
	if !ok {
		return nil
	}
	fd, err := fr.FieldDictFuzzy(field, term, edits, "")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, fd.Close()) }()
	for i := 0; i < maxFuzzyEntries && len(terms) < maxCorrectionTerms; i++ {
		e, err := fd.Next()
		if err != nil || e == nil {
			return err
		}
		if e.Term != term {
			terms[e.Term] = true
		}
	}
	return nil
}

// Correction is a term of the index close to a misspelt one.
type Correction struct {
	Term  string // the index term
	Count uint64 // documents holding it
}

// maxPrefixEntries bounds the dictionary entries one Completions call reads per shard.
const maxPrefixEntries = 4096

// Completions are at most limit terms of field that start with prefix and
// are longer than it, with their document counts over the shards, most
// frequent first. It reads at most maxPrefixEntries dictionary entries per
// shard, in term order: a short prefix of a large dictionary completes only
// to the terms among the first entries.
func (d *Dict) Completions(field, prefix string, limit int) ([]Correction, error) {
	if err := d.open(); err != nil {
		return nil, err
	}
	counts := map[string]uint64{}
	for _, r := range d.readers {
		if err := prefixTerms(r, field, prefix, counts); err != nil {
			return nil, err
		}
	}
	out := make([]Correction, 0, len(counts))
	for t, n := range counts {
		out = append(out, Correction{Term: t, Count: n})
	}
	slices.SortFunc(out, func(a, b Correction) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Term, b.Term)
	})
	return out[:min(len(out), max(limit, 0))], nil
}

// prefixTerms adds to counts the terms of r's field that start with prefix
// (not prefix itself) and their document counts, reading at most
// maxPrefixEntries entries.
func prefixTerms(r bleveindex.IndexReader, field, prefix string, counts map[string]uint64) (err error) {
	fd, err := r.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, fd.Close()) }()
	for i := 0; i < maxPrefixEntries; i++ {
		e, err := fd.Next()
		if err != nil || e == nil {
			return err
		}
		if e.Term != prefix {
			counts[e.Term] += e.Count
		}
	}
	return nil
}
