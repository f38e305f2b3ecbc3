package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// BLEVE-NOTES: bleve's BM25 takes avgdl as the field's vocabulary size
// divided by the document count, not the average number of tokens per
// document. AddShardStats gathers the true figures, which requests carry as
// pre-search data (search.BM25PreSearchDataKey) in place of bleve's own.

// BM25Stats sums the figures of every shard (AddShardStats, with known(i,
// r) as shard i's known token totals; known may return nil). Walking the
// dictionaries reads every posting, so each shard keeps its figures under
// the internal key key; with cached true they are reused while the shard's
// document count is unchanged, and recomputed (and stored) otherwise.
func BM25Stats(ctx context.Context, shards []bleve.Index, key string, cached bool, tokenFields []string, known func(i int, r bleveindex.IndexReader) []int) (*search.BM25Stats, error) {
	st := &search.BM25Stats{FieldCardinality: map[string]int{}}
	for i, s := range shards {
		adv, err := s.Advanced()
		if err != nil {
			return nil, err
		}
		r, err := adv.Reader()
		if err != nil {
			return nil, err
		}
		shard := &search.BM25Stats{FieldCardinality: map[string]int{}}
		fresh := true
		if cached {
			if b, err := s.GetInternal([]byte(key)); err == nil && b != nil {
				n, err := r.DocCount()
				if json.Unmarshal(b, shard) == nil && err == nil && shard.DocCount == float64(n) {
					fresh = false
				} else {
					shard = &search.BM25Stats{FieldCardinality: map[string]int{}}
				}
			}
		}
		if fresh {
			err = AddShardStats(ctx, r, shard, tokenFields, known(i, r))
		}
		if cerr := r.Close(); err == nil {
			err = cerr
		}
		if err == nil && fresh {
			var b []byte
			if b, err = json.Marshal(shard); err == nil {
				err = s.SetInternal([]byte(key), b)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("bm25 statistics of shard %d: %w", i, err)
		}
		st.DocCount += shard.DocCount
		for f, c := range shard.FieldCardinality {
			st.FieldCardinality[f] += c
		}
	}
	return st, nil
}

// AddShardStats adds shard r's figures to st: its document count, and per
// field its cardinality, except that the fields of tokenFields count their
// true number of tokens instead. known, when not nil, holds the token
// totals of tokenFields (in that order), which are then not walked.
func AddShardStats(ctx context.Context, r bleveindex.IndexReader, st *search.BM25Stats, tokenFields []string, known []int) error {
	n, err := r.DocCount()
	if err != nil {
		return err
	}
	st.DocCount += float64(n)
	fields, err := r.Fields()
	if err != nil {
		return err
	}
	// bleve's cardinality of a field is its vocabulary size (BLEVE-NOTES);
	// the token fields get their true token counts below instead.
	if br, ok := r.(bleveindex.BM25Reader); ok {
		for _, f := range fields {
			if slices.Contains(tokenFields, f) {
				continue
			}
			c, err := br.FieldCardinality(f)
			if err != nil {
				return err
			}
			st.FieldCardinality[f] += c
		}
	}
	for i, f := range tokenFields {
		if known != nil {
			st.FieldCardinality[f] += known[i]
			continue
		}
		tokens, err := FieldTokens(ctx, r, f)
		if err != nil {
			return err
		}
		st.FieldCardinality[f] += tokens
	}
	return nil
}

// FieldTokens is the number of tokens indexed in field: the sum over its
// terms of their frequencies in every document.
func FieldTokens(ctx context.Context, r bleveindex.IndexReader, field string) (_ int, err error) {
	dict, err := r.FieldDict(field)
	if err != nil {
		return 0, err
	}
	total := 0
	defer func() {
		if cerr := dict.Close(); err == nil {
			err = cerr
		}
	}()
	var tfd bleveindex.TermFieldDoc
	for {
		de, err := dict.Next()
		if err != nil {
			return 0, err
		}
		if de == nil {
			return total, nil
		}
		tfr, err := r.TermFieldReader(ctx, []byte(de.Term), field, true, false, false)
		if err != nil {
			return 0, err
		}
		for {
			d, err := tfr.Next(tfd.Reset())
			if err != nil {
				return 0, errors.Join(err, tfr.Close())
			}
			if d == nil {
				break
			}
			total += int(d.Freq)
		}
		if err := tfr.Close(); err != nil {
			return 0, err
		}
	}
}

// SetBM25 sets BM25's k1 and b for the whole process. bleve keeps them in
// package variables (search.BM25_k1, search.BM25_b) shared by every index,
// so index.Open and Create set them from Options.BM25K1 and BM25B; it
// writes only when a value changes, so opening indexes with the same values
// is harmless (and race-free) while others are searched. It returns an
// error, and sets nothing, when k1 <= 0 or b is outside [0, 1].
func SetBM25(k1, b float64) error {
	if k1 <= 0 || b < 0 || b > 1 {
		return fmt.Errorf("BM25 parameters out of range: k1 must be > 0 (got %g), b between 0 and 1 (got %g)", k1, b)
	}
	if search.BM25_k1 != k1 {
		search.BM25_k1 = k1
	}
	if search.BM25_b != b {
		search.BM25_b = b
	}
	return nil
}
