package index

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func facetIndex(t *testing.T) *Index {
	t.Helper()
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Ingest(context.Background(), []string{"../testdata/facets"}, IngestOptions{Strict: true}); err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestFacets(t *testing.T) {
	ix := facetIndex(t)
	res := mustSearch(t, ix, Query{Text: "oil", Size: 1, Facets: []string{"date,source", "tags"}})
	if res.Total != 5 || len(res.Hits) != 1 {
		t.Fatalf("total %d, %d hits; want 5 matches, 1 hit on the page", res.Total, len(res.Hits))
	}
	want := []Facet{
		{Field: "date", Interval: "month", Buckets: []Bucket{{"2023-12", 1}, {"2024-01", 2}, {"2024-03", 1}}},
		{Field: "date", Interval: "year", Buckets: []Bucket{{"2023", 1}, {"2024", 3}}},
		{Field: "source", Buckets: []Bucket{{"AP", 2}, {"Reuters", 2}, {"Bloomberg", 1}}},
		{Field: "tags", Buckets: []Bucket{{"energy", 4}, {"deals", 1}, {"markets", 1}, {"outlook", 1}, {"shipping", 1}}},
	}
	if diff := cmp.Diff(want, res.Facets); diff != "" {
		t.Errorf("facets (-want +got):\n%s", diff)
	}

	// Filters narrow the matches and the facets, without changing the order.
	all := mustSearch(t, ix, Query{Text: "oil"})
	filtered := mustSearch(t, ix, Query{Text: "oil", Filters: []string{"source:Reuters", "source:AP", "tags:energy"}, Facets: []string{"source"}})
	var wantIDs []string
	for _, id := range ids(all) {
		if id == "f1" || id == "f2" || id == "f3" { // Reuters or AP, and tagged energy
			wantIDs = append(wantIDs, id)
		}
	}
	if got := ids(filtered); !slices.Equal(got, wantIDs) {
		t.Errorf("filtered ids %v, want %v (the unfiltered order)", got, wantIDs)
	}
	for i, h := range filtered.Hits {
		if h.Score != all.Hits[slices.Index(ids(all), h.ID)].Score {
			t.Errorf("hit %d: filtering changed the score", i)
		}
	}
	// The source facet is counted without the source choices (disjunctive:
	// Bloomberg stays offered) but within tags:energy (conjunctive).
	if diff := cmp.Diff([]Facet{{Field: "source", Buckets: []Bucket{{"Reuters", 2}, {"AP", 1}, {"Bloomberg", 1}}}}, filtered.Facets); diff != "" {
		t.Errorf("filtered facets (-want +got):\n%s", diff)
	}
	// Date bounds narrow the other facets, not the date facet itself.
	jan := mustSearch(t, ix, Query{Text: "oil", From: "2024-01-01", To: "2024-01-31", Facets: []string{"date,tags"}})
	if diff := cmp.Diff(want[0].Buckets, jan.Facets[0].Buckets); diff != "" {
		t.Errorf("month buckets with a january range (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Bucket{{"energy", 2}, {"markets", 1}}, jan.Facets[2].Buckets); diff != "" {
		t.Errorf("tags with a january range (-want +got):\n%s", diff)
	}
}

func TestFacetErrors(t *testing.T) {
	ix := facetIndex(t)
	for _, tt := range []struct {
		q    Query
		want string
	}{
		{Query{Text: "oil", Facets: []string{"body"}}, `facets: cannot facet on "body" (accepted: author, date, source, tags)`},
		{Query{Text: "oil", Filters: []string{"Reuters"}}, `filter: filter "Reuters" is not field:value`},
		{Query{Text: "oil", Filters: []string{"title:oil"}}, `filter: cannot filter on "title"`},
	} {
		_, err := ix.Search(context.Background(), tt.q)
		if !errors.Is(err, ErrInvalidParameter) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Search(%+v) = %v, want %q", tt.q, err, tt.want)
		}
	}
}

// TestKeywordFields: extra JSON fields listed in KeywordFields (Reuters'
// topics and places) are stored, faceted and filtered on.
func TestKeywordFields(t *testing.T) {
	o := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	o.KeywordFields = []string{"topics", "places"}
	ix, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			ix.Close()
		}
	}()
	sum, err := ix.Ingest(context.Background(), []string{"../testdata/facets"}, IngestOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.IgnoredFields) != 0 {
		t.Errorf("ignored fields %v, want none", sum.IgnoredFields)
	}
	res := mustSearch(t, ix, Query{Facets: []string{"places,topics"}, Filters: []string{"places:usa"}})
	if got := ids(res); !slices.Equal(got, []string{"f5", "f1"}) {
		t.Errorf("filter places:usa: %v, want [f5 f1] (newest first)", got)
	}
	want := []Facet{
		{Field: "places", Buckets: []Bucket{{"usa", 2}, {"saudi-arabia", 1}, {"uk", 1}}}, // disjunctive: counted without places:usa
		{Field: "topics", Buckets: []Bucket{{"crude", 1}, {"grain", 1}, {"wheat", 1}}},
	}
	if diff := cmp.Diff(want, res.Facets); diff != "" {
		t.Errorf("facets (-want +got):\n%s", diff)
	}
	if h := res.Hits[1]; !slices.Equal(h.Keywords["places"], []string{"usa", "uk"}) || !slices.Equal(h.Keywords["topics"], []string{"crude"}) {
		t.Errorf("f1 keywords %v", h.Keywords)
	}
	// Opening with other keyword fields asks for a rebuild.
	closed = true
	ix.Close()
	o.KeywordFields = []string{"topics"}
	if _, err := Open(o); !errors.Is(err, ErrIncompatible) {
		t.Errorf("Open with other keyword fields: %v, want ErrIncompatible", err)
	}
}
