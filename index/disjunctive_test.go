package index

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keywordIndex is an index of folders with the keyword fields topics and
// places and pages of up to 5,000 hits (to count facets by hand).
func keywordIndex(t testing.TB, shards int, inputs ...string) *Index {
	t.Helper()
	o := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	o.KeywordFields = []string{"topics", "places"}
	o.MaxSize, o.MaxWindow, o.Shards = 5000, 5000, shards
	ix, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Ingest(context.Background(), inputs, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	return ix
}

// handCounts counts, from the hits of a search for q (all on one page),
// the values of field: source, tags, a keyword field, or date.month and
// date.year (in UTC, the index's time zone here).
func handCounts(t *testing.T, ix *Index, q Query, field string) map[string]int {
	t.Helper()
	q.Size, q.Facets, q.FacetSize = 5000, nil, 0
	res := mustSearch(t, ix, q)
	if uint64(len(res.Hits)) != res.Total {
		t.Fatalf("%+v: %d hits of %d: the page must hold every match", q, len(res.Hits), res.Total)
	}
	counts := map[string]int{}
	for _, h := range res.Hits {
		var values []string
		switch field {
		case "source":
			if h.Source != "" {
				values = []string{h.Source}
			}
		case "tags":
			values = h.Tags
		case "date.month", "date.year":
			if !h.Date.IsZero() {
				layout := map[string]string{"date.month": "2006-01", "date.year": "2006"}[field]
				values = []string{h.Date.UTC().Format(layout)}
			}
		default:
			values = h.Keywords[field]
		}
		for _, v := range slices.Compact(slices.Sorted(slices.Values(values))) {
			counts[v]++ // an article counts once per value, as in a facet
		}
	}
	return counts
}

// facetCounts is the counts of one facet of res (date facets by "date.month"
// and "date.year").
func facetCounts(res *Result, field string) (map[string]int, bool) {
	for _, f := range res.Facets {
		name := f.Field
		if f.Interval != "" {
			name += "." + f.Interval
		}
		if name == field {
			counts := map[string]int{}
			for _, b := range f.Buckets {
				counts[b.Value] = b.Count
			}
			return counts, true
		}
	}
	return nil, false
}

// withoutFilters is q without its filters on field (and, for dates, its from and to).
func withoutFilters(q Query, field string) Query {
	if strings.HasPrefix(field, "date.") {
		q.From, q.To = "", ""
		return q
	}
	var keep []string
	for _, f := range q.Filters {
		if !strings.HasPrefix(f, field+":") {
			keep = append(keep, f)
		}
	}
	q.Filters = keep
	return q
}

// checkDisjunctive checks every facet of q against counts made by hand
// from the hits of q without its own facet's choices: disjunctive within a
// facet, conjunctive across facets. With a facet size larger than any
// facet's number of values, the facets must list exactly those counts.
func checkDisjunctive(t *testing.T, ix *Index, q Query, fields []string) {
	t.Helper()
	res := mustSearch(t, ix, q)
	for _, field := range fields {
		got, ok := facetCounts(res, field)
		if !ok {
			t.Errorf("%+v: no %s facet in %v", q, field, res.Facets)
			continue
		}
		want := handCounts(t, ix, withoutFilters(q, field), field)
		if len(want) == 0 {
			t.Fatalf("%+v: no %s values at all: the case tests nothing", q, field)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%+v: %s counts (-by hand +facet):\n%s", q, field, diff)
		}
	}
}

// TestDisjunctiveFacets: choosing values of a facet keeps the counts of
// that facet's other values (they are counted without its own choice),
// while the choices on other facets narrow it; the counts are checked
// against counts made by hand from separate searches' hits.
func TestDisjunctiveFacets(t *testing.T) {
	ix := keywordIndex(t, 1, "../testdata/facets")
	all := []string{"source", "tags", "topics", "places", "date.month", "date.year"}
	facets := []string{"source,tags,topics,places,date"}
	for _, q := range []Query{
		{Text: "oil"},
		{Text: "oil", Filters: []string{"source:Reuters"}},
		{Text: "oil", Filters: []string{"source:Reuters", "source:AP"}},
		{Text: "oil", Filters: []string{"source:Reuters", "tags:energy"}},
		{Filters: []string{"topics:crude", "places:usa"}},
		{Text: "oil", From: "2024-01-01", To: "2024-01-31", Filters: []string{"tags:energy"}},
	} {
		q.Facets, q.FacetSize = facets, MaxFacetSize
		checkDisjunctive(t, ix, q, all)
	}

	// One chosen value: the facet still lists the others, with the counts
	// they have without the choice.
	res := mustSearch(t, ix, Query{Text: "oil", Filters: []string{"source:Reuters"}, Facets: []string{"source"}})
	want := []Facet{{Field: "source", Buckets: []Bucket{{"AP", 2}, {"Reuters", 2}, {"Bloomberg", 1}}}}
	if diff := cmp.Diff(want, res.Facets); diff != "" {
		t.Errorf("source facet with source:Reuters chosen (-want +got):\n%s", diff)
	}
	if res.Total != 2 {
		t.Errorf("total %d with source:Reuters, want 2 (the hits stay filtered)", res.Total)
	}
}

// TestDisjunctiveFacetsReuters checks the same on the Reuters-21578
// collection, in two shards, with several values of one facet chosen.
func TestDisjunctiveFacetsReuters(t *testing.T) {
	ix := keywordIndex(t, 2, needReuters(t, "disjunctive facets are checked on testdata/facets only"))
	fields := []string{"topics", "places", "date.month", "date.year"}
	for i, q := range []Query{
		{Text: "opec", Filters: []string{"topics:crude"}},
		{Text: "opec", Filters: []string{"topics:crude", "topics:ship", "places:saudi-arabia"}},
		{Text: "coffee", Filters: []string{"places:brazil", "places:colombia"}, From: "1987-03-01", To: "1987-03-31"},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			q.Facets, q.FacetSize = []string{"topics,places,date"}, MaxFacetSize
			checkDisjunctive(t, ix, q, fields)
		})
	}
}

// TestFacetSize: facet_size bounds the values of each keyword facet (the
// most frequent first) and is checked.
func TestFacetSize(t *testing.T) {
	ix := facetIndex(t)
	res := mustSearch(t, ix, Query{Text: "oil", Facets: []string{"tags"}, FacetSize: 2})
	var got []string
	for _, b := range res.Facets[0].Buckets {
		got = append(got, fmt.Sprintf("%s=%d", b.Value, b.Count))
	}
	if len(got) != 2 || got[0] != "energy=4" {
		t.Errorf("tags with facet_size 2: %v, want energy=4 and one more", got)
	}
	def := mustSearch(t, ix, Query{Text: "oil", Facets: []string{"tags"}})
	if n := len(def.Facets[0].Buckets); n != 5 {
		t.Errorf("default facet size: %d tags, want all 5", n)
	}
	for _, n := range []int{-1, MaxFacetSize + 1, 1 << 40} {
		_, err := ix.Search(context.Background(), Query{Text: "oil", Facets: []string{"tags"}, FacetSize: n})
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Param != "facet_size" || !strings.Contains(pe.Error(), "between 1 and 200") {
			t.Errorf("facet_size %d: %v, want a facet_size error naming 1 to 200", n, err)
		}
	}
}

// BenchmarkFacetsReuters measures what a chosen facet value costs on the
// Reuters-21578 collection: the same facets with no choice (one counting
// search) and with a chosen topic (one more, without that choice).
func BenchmarkFacetsReuters(b *testing.B) {
	ix := keywordIndex(b, 1, needReuters(b, "nothing to measure"))
	facets := []string{"source,tags,topics,places,date"}
	for _, c := range []struct {
		name string
		q    Query
	}{
		{"none_chosen", Query{Text: "oil prices", Facets: facets}},
		{"topic_chosen", Query{Text: "oil prices", Facets: facets, Filters: []string{"topics:crude"}}},
		{"browse_none_chosen", Query{Facets: facets}},
		{"browse_topic_chosen", Query{Facets: facets, Filters: []string{"topics:crude"}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ix.Search(context.Background(), c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
