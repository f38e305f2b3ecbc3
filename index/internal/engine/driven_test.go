package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// TestDrivenFilter: a searcher driven by a bitmap returns exactly the
// wrapped searcher's matches the bitmap holds, in order and scored alike,
// whether it is moved by Next alone or by Next and Advance (to documents
// before, at and after its position, as a conjunction moves its clauses),
// over several segments, for a term, a disjunction, a phrase and
// conjunctions (driven from inside: the bitmap one more clause); and the
// matches it passes over go back to the pool (the pool's size is the
// searcher's own, so a leak would show as allocations past it).
func TestDrivenFilter(t *testing.T) {
	s, err := bleve.New(filepath.Join(t.TempDir(), "idx"), bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	// A cleanup, so that it runs after its reader's (shardReader).
	t.Cleanup(func() { s.Close() })
	for seg := range 3 { // a batch each: several segments
		b := s.NewBatch()
		for i := range 150 {
			n := seg*150 + i
			text := "plain text"
			if n%2 == 0 {
				text = "crude oil prices"
			} else if n%3 == 0 {
				text = "oil markets"
			}
			if err := b.Index(fmt.Sprintf("d%03d", n), map[string]any{"w": text}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	r := shardReader(t, s)
	term := func(w string) query.Query {
		q := query.NewTermQuery(w)
		q.SetField("w")
		return q
	}
	phrase := query.NewMatchPhraseQuery("crude oil")
	phrase.SetField("w")
	queries := map[string]query.Query{
		"term":        term("oil"),
		"disjunction": query.NewDisjunctionQuery([]query.Query{term("prices"), term("markets")}),
		"phrase":      phrase,
		"conjunction": query.NewConjunctionQuery([]query.Query{term("oil"), query.NewDisjunctionQuery([]query.Query{term("prices"), term("markets")})}),
		"filtered":    Filtered(term("oil"), term("prices")),
	}
	type match struct {
		n     uint32
		score float64
	}
	ctx := context.Background()
	// walk is the matches of q (driven by bm unless nil) and, for each,
	// the least document it could be: after the previous one, and at
	// least the document it was advanced to. With advanceEvery > 0, every
	// advanceEvery-th move is an Advance to the previous match, or one or
	// two after it, as a conjunction may ask.
	walk := func(q query.Query, bm *roaring.Bitmap, advanceEvery int) (out []match, least []uint32) {
		t.Helper()
		var sr search.Searcher
		var err error
		if bm == nil {
			sr, err = q.Searcher(ctx, r, s.Mapping(), search.SearcherOptions{})
		} else {
			sr, err = bitmapDriven{q: q, bm: bm}.Searcher(ctx, r, s.Mapping(), search.SearcherOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		defer sr.Close()
		sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(sr.DocumentMatchPoolSize(), 0)}
		// A rejected match not put back would exhaust the pool (bleve would quietly allocate).
		sctx.DocumentMatchPool.TooSmall = func(*search.DocumentMatchPool) *search.DocumentMatch {
			t.Fatalf("pool of %d exhausted: a match was not put back", sr.DocumentMatchPoolSize())
			return nil
		}
		var from uint32 // the least document the next match may be
		for i := 0; ; i++ {
			var dm *search.DocumentMatch
			bound := from
			if advanceEvery > 0 && i > 0 && i%advanceEvery == 0 {
				target := from - 1 + uint32(i%3)
				bound = max(bound, target)
				dm, err = sr.Advance(sctx, bleveindex.NewIndexInternalID(nil, uint64(target)))
			} else {
				dm, err = sr.Next(sctx)
			}
			if err != nil {
				t.Fatal(err)
			}
			if dm == nil {
				return out, least
			}
			n, _ := docNum(dm.IndexInternalID)
			out, least = append(out, match{n, dm.Score}), append(least, bound)
			from = n + 1
			sctx.DocumentMatchPool.Put(dm)
		}
	}
	for name, q := range queries {
		all, _ := walk(q, nil, 0)
		for _, every := range []int{2, 7, 13, 100} {
			bm := roaring.New()
			for i := uint32(0); i < 450; i += uint32(every) {
				bm.Add(i)
			}
			// Segment merges may renumber the documents: hold one match whatever the numbering.
			bm.Add(all[len(all)/2].n)
			var want []match
			for _, m := range all {
				if bm.Contains(m.n) {
					want = append(want, m)
				}
			}
			if len(want) == 0 {
				t.Fatalf("%s, every %d: nothing to find", name, every)
			}
			if got, _ := walk(q, bm, 0); !slices.Equal(got, want) {
				t.Errorf("%s, every %d, by Next: %v, want %v", name, every, got, want)
			}
			got, least := walk(q, bm, 3)
			k := 0 // want[k] is the first match not passed yet
			for i, m := range got {
				for k < len(want) && want[k].n < least[i] {
					k++
				}
				if k == len(want) || m != want[k] {
					t.Fatalf("%s, every %d, by Next and Advance: match %d is %v (at least %d), want %v", name, every, i, m, least[i], want[min(k, len(want)-1)])
				}
				k++
			}
			if k != len(want) {
				t.Errorf("%s, every %d, by Next and Advance: %d matches, %v left", name, every, len(got), want[k:])
			}
		}
	}
}

// TestDriven: where a query's searcher may be driven by a bitmap — the
// whole query where every searcher of it may be advanced, else its
// required clauses through boolean queries with optional clauses (whose
// searcher bleve 2.6.3 must not advance), recency wrappers and
// conjunctions of one — and where not (nil: post-filtered).
func TestDriven(t *testing.T) {
	bm := roaring.BitmapOf(1, 5)
	term := func(w string) query.Query { return query.NewTermQuery(w) }
	withShould := func(must query.Query) query.Query {
		return query.NewBooleanQuery([]query.Query{must}, []query.Query{term("title")}, nil)
	}
	isDriven := func(q query.Query) bool { _, ok := q.(bitmapDriven); return ok }
	// Whole queries.
	for _, q := range []query.Query{
		term("a"),
		query.NewDisjunctionQuery([]query.Query{term("a"), query.NewMatchQuery("b c")}),
		query.NewBooleanQuery([]query.Query{term("a")}, nil, []query.Query{term("b")}),
		query.NewBooleanQuery(nil, []query.Query{term("a"), term("b")}, nil),
		Filtered(term("a"), term("b")),
		query.NewMatchAllQuery(),
	} {
		if d := driven(q, bm); !isDriven(d) {
			t.Errorf("%T: driven is %T, want the whole query driven", q, d)
		}
	}
	// Required and optional clauses: the required ones are driven.
	b, ok := driven(withShould(query.NewMatchQuery("a b")), bm).(*query.BooleanQuery)
	if !ok || b.Should == nil || !isDriven(b.Must) {
		t.Errorf("a boolean query with optional clauses: %+v, want its required clause driven", b)
	}
	tier := query.NewBooleanQuery([]query.Query{Rescored(withShould(term("a")), func(_ context.Context, d *search.DocumentMatch) (float64, error) { return d.Score, nil }, nil)}, nil, []query.Query{term("b")})
	outer, ok := driven(tier, bm).(*query.BooleanQuery)
	if !ok {
		t.Fatalf("a tier: driven is not a boolean query")
	}
	inner := outer.Must.(*query.ConjunctionQuery).Conjuncts[0].(rescored).Query.(*query.BooleanQuery)
	if !isDriven(inner.Must) {
		t.Errorf("a tier: the required clause inside its recency wrapper is not driven")
	}
	// A graded tier: its filter excludes the articles matching more words (Ending).
	graded := Filtered(withShould(term("a")), query.NewBooleanQuery([]query.Query{term("c")}, nil, []query.Query{Ending(term("b"))}))
	if g, ok := driven(graded, bm).(*query.BooleanQuery); !ok || g.Should == nil {
		t.Errorf("a graded tier: driven is %T, want its required clauses driven", driven(graded, bm))
	}
	// Nowhere safe: a boolean query with optional clauses among others.
	for _, q := range []query.Query{
		query.NewConjunctionQuery([]query.Query{withShould(term("a")), term("b")}),
		query.NewDisjunctionQuery([]query.Query{withShould(term("a")), term("b")}),
		query.NewBooleanQuery(nil, []query.Query{withShould(term("a"))}, nil),
		query.NewQueryStringQuery("a b"),
	} {
		if d := driven(q, bm); d != nil {
			t.Errorf("%T: driven is %T, want nil (post-filtered)", q, d)
		}
	}
}
