package index

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
)

// Facet is the distribution of one field's values among all the matches of
// a query (within its filters), not only the page.
type Facet struct {
	Field    string   // "date", or a keyword field such as "source"
	Interval string   // "month" or "year" for date facets; "" for keyword fields
	Buckets  []Bucket // keyword fields: top values by count; dates: in time order, non-empty only
}

// Bucket is one value of a Facet and its number of matching articles.
type Bucket struct {
	Value string // the keyword, or "2024-12" (month) / "2024" (year) in the index's time zone
	Count int
}

// facets counts p.Facets over all of p's matches. Counts are disjunctive
// within a facet and conjunctive across facets: a facet whose field p
// filters on (a chosen value; for dates, the from and to bounds) is counted
// without that filter, so choosing one value keeps the other values'
// counts, while every other filter still narrows it. That is one search for
// the facets of unfiltered fields, plus one per facet of a filtered field.
func (ix *Index) facets(ctx context.Context, p *plan.Plan) ([]Facet, error) {
	counted := map[string][]Facet{}
	var plain []string
	for _, f := range p.Facets {
		if !p.Chosen(f) {
			plain = append(plain, f)
			continue
		}
		fs, err := ix.countFacets(ctx, p.WithoutChoice(f), []string{f})
		if err != nil {
			return nil, err
		}
		counted[f] = fs
	}
	if len(plain) > 0 {
		fs, err := ix.countFacets(ctx, p, plain)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			counted[f.Field] = append(counted[f.Field], f)
		}
	}
	var out []Facet
	for _, f := range p.Facets {
		out = append(out, counted[f]...)
	}
	return out, nil
}

// countFacets counts the facets fields (API names) over all of p's matches
// in one search: one Facet per field, two for "date" (months, then years;
// none when no match has a date).
func (ix *Index) countFacets(ctx context.Context, p *plan.Plan, fields []string) ([]Facet, error) {
	req := p.SearchRequest(p.Main, 0, 0)
	var months, years []string
	for _, f := range fields {
		if f != schema.Date {
			indexed, _ := ix.planner.FacetField(f)
			req.AddFacet(f, bleve.NewFacetRequest(indexed, p.FacetSize))
			continue
		}
		first, last, ok, err := ix.dateSpan(ctx, p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		dr := plan.DateFacet(first, last, ix.opts.Dates.Location())
		years, months = dr.Years, dr.Months
		req.AddFacet("date.year", dr.YearRequest)
		if dr.MonthRequest != nil {
			req.AddFacet("date.month", dr.MonthRequest)
		}
	}
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return nil, err
	}
	var out []Facet
	for _, f := range fields {
		if f != schema.Date {
			fr := res.Facets[f]
			facet := Facet{Field: f, Buckets: []Bucket{}}
			if fr != nil && fr.Terms != nil {
				for _, t := range fr.Terms.Terms() {
					facet.Buckets = append(facet.Buckets, Bucket{Value: t.Term, Count: t.Count})
				}
			}
			out = append(out, facet)
			continue
		}
		if months != nil {
			out = append(out, dateFacet(res.Facets["date.month"], "month", months))
		}
		if years != nil {
			out = append(out, dateFacet(res.Facets["date.year"], "year", years))
		}
	}
	return out, nil
}

// dateFacet lists the non-empty ranges of fr in time order.
func dateFacet(fr *search.FacetResult, interval string, order []string) Facet {
	counts := map[string]int{}
	if fr != nil {
		for _, r := range fr.DateRanges {
			counts[r.Name] = r.Count
		}
	}
	f := Facet{Field: schema.Date, Interval: interval, Buckets: []Bucket{}}
	for _, name := range order {
		if c := counts[name]; c > 0 {
			f.Buckets = append(f.Buckets, Bucket{Value: name, Count: c})
		}
	}
	return f
}

// dateSpan is the oldest and newest date among p's matches; ok is false when
// none has a date.
func (ix *Index) dateSpan(ctx context.Context, p *plan.Plan) (first, last time.Time, ok bool, err error) {
	edge := func(desc bool) (time.Time, bool, error) {
		req := p.SearchRequest(p.Main, 0, 1)
		req.IncludeLocations = false
		req.SortByCustom(search.SortOrder{&search.SortField{Field: schema.Date, Desc: desc, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast}})
		res, err := ix.searchAll(ctx, req)
		if err != nil || len(res.Hits) == 0 || len(res.Hits[0].DecodedSort) == 0 {
			return time.Time{}, false, err
		}
		t, perr := time.Parse(time.RFC3339Nano, res.Hits[0].DecodedSort[0])
		return t, perr == nil, nil
	}
	if first, ok, err = edge(false); err != nil || !ok {
		return first, last, false, err
	}
	last, ok, err = edge(true)
	if err != nil {
		return first, last, false, fmt.Errorf("date facet: %w", err)
	}
	return first, last, ok, nil
}
