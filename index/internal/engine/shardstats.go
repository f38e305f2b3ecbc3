package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// BLEVE-NOTES: with several shards, bleve's global scoring shares the
// document count and field lengths (Folio's pre-search statistics), but each
// shard's term searcher still takes a term's document frequency (BM25's df)
// from its own reader, and a prefix, wildcard or fuzzy term expands to the
// terms of the shard's own dictionary (which sets the disjunction's coord and
// the query norm). So scores changed with the shard count.
//
// GlobalQuery fixes both without touching the scoring: it hands bleve's
// searchers a reader of the shard whose term readers count the documents of
// every shard, and whose prefix, regexp and fuzzy dictionaries list the terms
// of every shard. A single-shard index does not use it.

// ShardStats answers, for the duration of one search, what every shard's
// reader says about a term or a dictionary. The searches of all shards
// share it and run concurrently: each answer is worked out once, under mu,
// and remembered.
type ShardStats struct {
	readers  []bleveindex.IndexReader // each a *scorch.IndexSnapshot
	closeAll func() error             // releases the readers

	mu    sync.Mutex
	df    map[fieldTerm]uint64
	dicts map[dictKey]*union
}

type fieldTerm struct{ field, term string }

// dictKey names a dictionary: its kind ("prefix", "regexp", "fuzzy") and arguments.
type dictKey struct {
	kind, field, term, prefix string
	fuzziness                 int
}

// union is the merged content of one dictionary of every shard.
type union struct {
	entries   []*bleveindex.DictEntry // in term order
	bytesRead uint64
	automaton any // the regexp or fuzzy automaton the dictionary came with
}

// OpenShardStats opens a reader of every shard; nil (and no error) when a
// shard is not a scorch index, whose reader GlobalQuery cannot wrap (Folio
// creates only scorch indexes). The caller closes the result after the
// search.
func OpenShardStats(shards []bleve.Index) (*ShardStats, error) {
	readers, closeAll, err := Readers(shards)
	if err != nil {
		return nil, err
	}
	for _, r := range readers {
		if _, ok := r.(*scorch.IndexSnapshot); !ok {
			return nil, closeAll()
		}
	}
	return &ShardStats{readers: readers, closeAll: closeAll, df: map[fieldTerm]uint64{}, dicts: map[dictKey]*union{}}, nil
}

// Close releases the shards' readers and returns the first error.
func (s *ShardStats) Close() error { return s.closeAll() }

// docFreq is the number of documents of all shards that have term in field.
func (s *ShardStats) docFreq(ctx context.Context, term []byte, field string) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := fieldTerm{field, string(term)}
	df, ok := s.df[k]
	if !ok {
		var err error
		if df, err = DocFreq(ctx, s.readers, field, k.term); err != nil {
			return 0, err
		}
		s.df[k] = df
	}
	return df, nil
}

// dict returns the dictionary k of all shards: the terms of the
// dictionaries open opens on each, merged in term order, and the automaton
// they came with.
func (s *ShardStats) dict(k dictKey, open func(*scorch.IndexSnapshot) (bleveindex.FieldDict, any, error)) (bleveindex.FieldDict, any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.dicts[k]; ok {
		return &entryDict{entries: u.entries}, u.automaton, nil
	}
	u := &union{}
	seen := map[string]*bleveindex.DictEntry{}
	for _, r := range s.readers {
		d, a, err := open(r.(*scorch.IndexSnapshot))
		if err != nil {
			return nil, nil, err
		}
		u.automaton = a
		for {
			e, err := d.Next()
			if err != nil {
				return nil, nil, errors.Join(err, d.Close())
			}
			if e == nil {
				break
			}
			if t, ok := seen[e.Term]; ok {
				t.Count += e.Count
			} else {
				t := *e
				seen[e.Term] = &t
				u.entries = append(u.entries, &t)
			}
		}
		u.bytesRead += d.BytesRead()
		if err := d.Close(); err != nil {
			return nil, nil, err
		}
	}
	slices.SortFunc(u.entries, func(a, b *bleveindex.DictEntry) int { return strings.Compare(a.Term, b.Term) })
	s.dicts[k] = u
	return &entryDict{entries: u.entries, bytesRead: u.bytesRead}, u.automaton, nil
}

// entryDict is a dictionary of listed entries.
type entryDict struct {
	entries   []*bleveindex.DictEntry
	bytesRead uint64
}

// Next returns the next entry; nil after the last.
func (d *entryDict) Next() (*bleveindex.DictEntry, error) {
	if len(d.entries) == 0 {
		return nil, nil
	}
	e := d.entries[0]
	d.entries = d.entries[1:]
	return e, nil
}

// Close does nothing.
func (d *entryDict) Close() error { return nil }

// Cardinality is the number of entries left.
func (d *entryDict) Cardinality() int { return len(d.entries) }

// BytesRead is what reading the shards' dictionaries read (0 when another
// shard's search read them).
func (d *entryDict) BytesRead() uint64 { return d.bytesRead }

// GlobalQuery is a query whose searcher, on any shard, scores with the
// document frequencies and term expansions of all shards (see ShardStats).
type GlobalQuery struct {
	query.Query
	Stats *ShardStats
}

// Searcher builds the searcher of the wrapped query over a globalReader of r.
func (q *GlobalQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	// bleve looks up the synonyms of the query's terms in the query tree
	// before it asks for the searcher; it cannot see inside a GlobalQuery,
	// so that is done here. (Every shard holds all synonym definitions, so
	// the shard's own thesaurus is the whole one.)
	ctx, err := withSynonyms(ctx, r, m, q.Query)
	if err != nil {
		return nil, err
	}
	if snap, ok := r.(*scorch.IndexSnapshot); ok {
		r = &globalReader{IndexSnapshot: snap, all: q.Stats}
	}
	return q.Query.Searcher(ctx, r, m, o)
}

// withSynonyms is ctx with the synonyms of q's terms that r's thesaurus
// holds, looked up in q's query tree as bleve does before it asks for a
// request's searcher, for a query bleve cannot see into (GlobalQuery,
// PostFiltered's, Rescored), added to those ctx has already (found in the
// parts of the request bleve or an enclosing query could see; the map in
// ctx is copied, not changed: other shards' searches read it); ctx itself
// when m defines none or q adds none.
func withSynonyms(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, q query.Query) (context.Context, error) {
	sm, ok := m.(mapping.SynonymMapping)
	if !ok || sm.SynonymCount() == 0 {
		return ctx, nil
	}
	tr, ok := r.(bleveindex.ThesaurusReader)
	if !ok {
		return ctx, nil
	}
	prev, _ := ctx.Value(search.FieldTermSynonymMapKey).(search.FieldTermSynonymMap)
	fts, err := query.ExtractSynonyms(ctx, sm, tr, q, nil)
	if err != nil || len(fts) == 0 {
		return ctx, err
	}
	if len(prev) > 0 {
		merged := make(search.FieldTermSynonymMap, len(prev)+len(fts))
		for _, from := range []search.FieldTermSynonymMap{prev, fts} {
			for field, terms := range from {
				if merged[field] == nil {
					merged[field] = make(map[string][]string, len(terms))
				}
				for term, syns := range terms {
					merged[field][term] = syns
				}
			}
		}
		fts = merged
	}
	return context.WithValue(ctx, search.FieldTermSynonymMapKey, fts), nil
}

// globalReader is a shard's reader whose term readers count the documents
// of all shards, and whose prefix, regexp and fuzzy dictionaries hold the
// terms of all shards. It embeds the scorch snapshot, so bleve's searchers
// find every optional reader interface they look for (thesaurus, BM25,
// contains, spatial, ...) as on the plain reader.
type globalReader struct {
	*scorch.IndexSnapshot
	all *ShardStats
}

// TermFieldReader reads the shard's postings of term; when they are
// scored, its Count is the term's document frequency over all shards.
func (r *globalReader) TermFieldReader(ctx context.Context, term []byte, field string, freq, norm, vectors bool) (bleveindex.TermFieldReader, error) {
	tfr, err := r.IndexSnapshot.TermFieldReader(ctx, term, field, freq, norm, vectors)
	if err != nil || !freq { // not scored: the shard's own count will do
		return tfr, err
	}
	df, err := r.all.docFreq(ctx, term, field)
	if err != nil {
		return nil, errors.Join(err, tfr.Close())
	}
	return &globalTermReader{TermFieldReader: tfr, df: df}, nil
}

// FieldDictPrefix lists the terms of field starting with prefix in any shard.
func (r *globalReader) FieldDictPrefix(field string, prefix []byte) (bleveindex.FieldDict, error) {
	d, _, err := r.all.dict(dictKey{kind: "prefix", field: field, prefix: string(prefix)}, func(s *scorch.IndexSnapshot) (bleveindex.FieldDict, any, error) {
		d, err := s.FieldDictPrefix(field, prefix)
		return d, nil, err
	})
	return d, err
}

// FieldDictRegexpAutomaton lists the terms of field matching regex in any shard.
func (r *globalReader) FieldDictRegexpAutomaton(field, regex string) (bleveindex.FieldDict, bleveindex.RegexAutomaton, error) {
	d, a, err := r.all.dict(dictKey{kind: "regexp", field: field, term: regex}, func(s *scorch.IndexSnapshot) (bleveindex.FieldDict, any, error) {
		return s.FieldDictRegexpAutomaton(field, regex)
	})
	ra, _ := a.(bleveindex.RegexAutomaton)
	return d, ra, err
}

// FieldDictFuzzyAutomaton lists the terms of field within fuzziness edits
// of term (and starting with prefix) in any shard.
func (r *globalReader) FieldDictFuzzyAutomaton(field, term string, fuzziness int, prefix string) (bleveindex.FieldDict, bleveindex.FuzzyAutomaton, error) {
	d, a, err := r.all.dict(dictKey{kind: "fuzzy", field: field, term: term, prefix: prefix, fuzziness: fuzziness}, func(s *scorch.IndexSnapshot) (bleveindex.FieldDict, any, error) {
		return s.FieldDictFuzzyAutomaton(field, term, fuzziness, prefix)
	})
	fa, _ := a.(bleveindex.FuzzyAutomaton)
	return d, fa, err
}

// globalTermReader is a shard's term reader whose Count is the term's
// document frequency over all shards.
type globalTermReader struct {
	bleveindex.TermFieldReader
	df uint64
}

// Count is the number of documents of all shards that have the term.
func (r *globalTermReader) Count() uint64 { return r.df }

// Optimize passes bleve's conjunction and disjunction optimizations on to
// the shard's reader, as if it were not wrapped.
func (r *globalTermReader) Optimize(kind string, octx bleveindex.OptimizableContext) (bleveindex.OptimizableContext, error) {
	if o, ok := r.TermFieldReader.(bleveindex.Optimizable); ok {
		return o.Optimize(kind, octx)
	}
	return nil, nil
}
