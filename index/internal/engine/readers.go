package engine

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"math"
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
// readers on the first question only; Close closes them. It remembers its
// answers (one search asks about a word when planning and again for did
// you mean), at most maxDictAnswers of each kind. It is not safe for
// concurrent use.
type Dict struct {
	shards  []bleve.Index
	readers []bleveindex.IndexReader
	close   func() error
	counts  map[fieldTerm]uint64
	within  map[countKey]counted // CountIn's answers
	fuzzy   map[fuzzyKey][]Correction
}

// fuzzyKey names one Corrections question.
type fuzzyKey struct {
	field, term string
	edits       int
}

// maxDictAnswers bounds the answers a Dict remembers of each kind.
const maxDictAnswers = 256

// NewDict is the dictionary of shards.
func NewDict(shards []bleve.Index) *Dict { return &Dict{shards: shards} }

// Has reports whether some document of the shards holds term in field.
func (d *Dict) Has(field, term string) (bool, error) {
	n, err := d.Count(field, term)
	return n > 0, err
}

// Count is the number of documents of the shards that hold term in field.
func (d *Dict) Count(field, term string) (uint64, error) {
	k := fieldTerm{field, term}
	if n, ok := d.counts[k]; ok {
		return n, nil
	}
	if err := d.open(); err != nil {
		return 0, err
	}
	n, err := DocFreq(context.Background(), d.readers, field, term)
	if err == nil {
		d.counts = remember(d.counts, k, n)
	}
	return n, err
}

// remember is m with k set to v, made when nil; m as it is when it holds
// maxDictAnswers already.
func remember[K comparable, V any](m map[K]V, k K, v V) map[K]V {
	if m == nil {
		m = map[K]V{}
	}
	if len(m) < maxDictAnswers {
		m[k] = v
	}
	return m
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
// frequent first. The slice is the Dict's: callers do not modify it.
func (d *Dict) Corrections(field, term string, edits int) ([]Correction, error) {
	k := fuzzyKey{field, term, edits}
	if cs, ok := d.fuzzy[k]; ok {
		return cs, nil
	}
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
	d.fuzzy = remember(d.fuzzy, k, out)
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

// HasAmong reports whether some document of the shards holds term in field
// and one of anyOf in anyField: whether a reader who sees only the
// documents holding one of anyOf (e.g. groups) sees term. It walks term's
// postings and stops at the first such document, without a search.
func (d *Dict) HasAmong(field, term, anyField string, anyOf []string) (bool, error) {
	n, err := d.countAmong(field, term, anyField, anyOf, 1)
	return n > 0, err
}

// CountAmong is the number of documents of the shards that hold term in
// field and one of anyOf in anyField (see HasAmong).
func (d *Dict) CountAmong(field, term, anyField string, anyOf []string) (uint64, error) {
	return d.countAmong(field, term, anyField, anyOf, math.MaxUint64)
}

// CountAmongUpTo is CountAmong, stopping once it has counted limit
// documents (it then returns limit): whether at least limit documents
// qualify costs at most limit of them beyond the postings skipped.
func (d *Dict) CountAmongUpTo(field, term, anyField string, anyOf []string, limit uint64) (uint64, error) {
	return d.countAmong(field, term, anyField, anyOf, limit)
}

// countAmong is CountAmong, stopping once it has counted limit documents.
func (d *Dict) countAmong(field, term, anyField string, anyOf []string, limit uint64) (uint64, error) {
	if err := d.open(); err != nil {
		return 0, err
	}
	var n uint64
	for _, r := range d.readers {
		c, err := countAmong(r, field, term, anyField, anyOf, limit-n)
		if n += c; n >= limit || err != nil {
			return n, err
		}
	}
	return n, nil
}

// countAmong is Dict.countAmong for one shard's reader.
func countAmong(r bleveindex.IndexReader, field, term, anyField string, anyOf []string, limit uint64) (n uint64, err error) {
	ctx := context.Background()
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, err
	}
	readers := []bleveindex.TermFieldReader{tfr}
	defer func() {
		for _, r := range readers {
			err = errors.Join(err, r.Close())
		}
	}()
	if tfr.Count() == 0 {
		return 0, nil
	}
	filters := make([]bleveindex.TermFieldReader, 0, len(anyOf))
	for _, t := range anyOf {
		fr, err := r.TermFieldReader(ctx, []byte(t), anyField, false, false, false)
		if err != nil {
			return 0, err
		}
		readers = append(readers, fr)
		if fr.Count() > 0 {
			filters = append(filters, fr)
		}
	}
	// Postings come in id order: each filter reader only moves forward,
	// and one that has no document at or after the current one is dropped.
	at := make([]bleveindex.IndexInternalID, len(filters))
	var doc bleveindex.TermFieldDoc
	for len(filters) > 0 {
		d, err := tfr.Next(doc.Reset())
		if err != nil || d == nil {
			return n, err
		}
		for i := 0; i < len(filters); i++ {
			if at[i] == nil || bytes.Compare(at[i], d.ID) < 0 {
				fd, err := filters[i].Advance(d.ID, nil)
				if err != nil {
					return n, err
				}
				if fd == nil {
					filters, at = slices.Delete(filters, i, i+1), slices.Delete(at, i, i+1)
					i--
					continue
				}
				at[i] = slices.Clone(fd.ID)
			}
			if bytes.Equal(at[i], d.ID) {
				if n++; n >= limit {
					return n, nil
				}
				break
			}
		}
	}
	return n, nil
}

// HasTermBesides reports whether some shard's field holds a term other
// than term (true also when a dictionary cannot be read: callers skip
// work only on a sure false).
func HasTermBesides(shards []bleve.Index, field, term string) bool {
	rs, closeAll, err := Readers(shards)
	if err != nil {
		return true
	}
	defer closeAll()
	for _, r := range rs {
		d, err := r.FieldDict(field)
		if err != nil {
			return true
		}
		for {
			e, err := d.Next()
			if err != nil {
				d.Close()
				return true
			}
			if e == nil {
				break
			}
			if e.Term != term {
				d.Close()
				return true
			}
		}
		if d.Close() != nil {
			return true
		}
	}
	return false
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
