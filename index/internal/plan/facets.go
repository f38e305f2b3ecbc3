package plan

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/param"
	"github.com/folio-search/folio/index/internal/schema"
)

// facetFields are the keyword fields that can be faceted and filtered on.
var facetFields = map[string]bool{schema.Source: true, schema.Author: true, schema.Tags: true}

// maxFilters bounds the filter parameters of one request.
const maxFilters = 20

// Bounds of Request.FacetSize.
const (
	DefaultFacetSize = 10  // values per keyword facet when a request gives none
	MaxFacetSize     = 200 // most values per keyword facet a request may ask for
)

// choice is one part of a plan's filter: the date range (field "date") or
// the chosen values of one keyword field (alternatives).
type choice struct {
	field string // API name: "date", "source", "topics", ...
	q     query.Query
}

// conjoin is the filter requiring every one of choices, or nil for none.
func conjoin(choices []choice) query.Query {
	switch len(choices) {
	case 0:
		return nil
	case 1:
		return choices[0].q
	}
	all := make([]query.Query, len(choices))
	for i, c := range choices {
		all[i] = c.q
	}
	return query.NewConjunctionQuery(all)
}

// Chosen reports whether p is filtered on field (its API name; "date" for
// the from and to bounds).
func (p *Plan) Chosen(field string) bool {
	for _, c := range p.choices {
		if c.field == field {
			return true
		}
	}
	return false
}

// WithoutChoice is a copy of p without its filter on field: what a
// disjunctive facet of field counts, so that choosing one of its values
// keeps the other values' counts, while the choices on the other fields
// still narrow them. It is p itself when p has no filter on field.
func (p *Plan) WithoutChoice(field string) *Plan {
	if !p.Chosen(field) {
		return p
	}
	cp := *p
	cp.choices = make([]choice, 0, len(p.choices)-1)
	for _, c := range p.choices {
		if c.field != field {
			cp.choices = append(cp.choices, c)
		}
	}
	cp.Filter = conjoin(cp.choices)
	return &cp
}

// FacetField is the indexed name of a facetable field given by its API name.
func (pl *Planner) FacetField(name string) (string, bool) {
	if facetFields[name] {
		return name, true
	}
	if slices.Contains(pl.KeywordFields, name) {
		return schema.KeywordPrefix + "." + name, true
	}
	return "", false
}

func (pl *Planner) facetNames() string {
	names := []string{schema.Date}
	for f := range facetFields {
		names = append(names, f)
	}
	names = append(names, pl.KeywordFields...)
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// planFacets validates the facets and filters of q into p.
func (pl *Planner) planFacets(p *Plan, q Request) error {
	p.FacetSize = q.FacetSize
	if p.FacetSize == 0 {
		p.FacetSize = DefaultFacetSize
	}
	if p.FacetSize < 1 || p.FacetSize > MaxFacetSize {
		return param.Errorf("facet_size", "facet_size must be between 1 and %d, got %d", MaxFacetSize, q.FacetSize)
	}
	seen := map[string]bool{}
	for _, list := range q.Facets {
		for _, f := range strings.Split(list, ",") {
			f = strings.TrimSpace(f)
			if f == "" || seen[f] {
				continue
			}
			if _, ok := pl.FacetField(f); f != schema.Date && !ok {
				return param.Errorf("facets", "cannot facet on %q (accepted: %s)", f, pl.facetNames())
			}
			seen[f] = true
			p.Facets = append(p.Facets, f)
		}
	}
	if len(q.Filters) > maxFilters {
		return param.Errorf("filter", "%d filters given; the limit is %d", len(q.Filters), maxFilters)
	}
	byField := map[string][]query.Query{}
	var fields []string
	for _, f := range q.Filters {
		field, value, ok := strings.Cut(f, ":")
		if !ok || value == "" {
			return param.Errorf("filter", "filter %q is not field:value (e.g. filter=source:Reuters; fields: %s)", article.Clip(f, 60), strings.TrimPrefix(pl.facetNames(), "date, "))
		}
		indexed, ok := pl.FacetField(field)
		if !ok {
			return param.Errorf("filter", "cannot filter on %q (accepted: %s; for dates use from and to)", field, strings.TrimPrefix(pl.facetNames(), "date, "))
		}
		tq := query.NewTermQuery(value)
		tq.SetField(indexed)
		if byField[field] == nil {
			fields = append(fields, field)
		}
		byField[field] = append(byField[field], tq)
	}
	// Values of one field are alternatives; different fields must all match.
	for _, f := range fields {
		p.choices = append(p.choices, choice{field: f, q: query.NewDisjunctionQuery(byField[f])})
	}
	p.Filter = conjoin(p.choices)
	return nil
}

// maxDateMonths bounds a date facet's months: more months than this between
// the oldest and newest match give years only.
const maxDateMonths = 600

// DateRanges are the bleve facet requests of a date facet: one range per
// year (and, for a span of at most maxDateMonths months, per month) from
// the oldest to the newest match, with the ranges' names in time order.
type DateRanges struct {
	YearRequest  *bleve.FacetRequest
	Years        []string            // "2024", ...
	MonthRequest *bleve.FacetRequest // nil when the span is too long
	Months       []string            // "2024-12", ...; nil with MonthRequest
}

// DateFacet is the DateRanges of the matches dated first to last, in loc.
func DateFacet(first, last time.Time, loc *time.Location) DateRanges {
	var dr DateRanges
	y := time.Date(first.In(loc).Year(), 1, 1, 0, 0, 0, 0, loc)
	yf := bleve.NewFacetRequest(schema.Date, 0)
	for ; !y.After(last); y = y.AddDate(1, 0, 0) {
		name := y.Format("2006")
		yf.AddDateTimeRange(name, y, y.AddDate(1, 0, 0))
		dr.Years = append(dr.Years, name)
	}
	yf.Size = len(dr.Years) // bleve keeps only the Size largest ranges
	dr.YearRequest = yf
	m := time.Date(first.In(loc).Year(), first.In(loc).Month(), 1, 0, 0, 0, 0, loc)
	if last.Sub(m) < maxDateMonths*31*24*time.Hour {
		mf := bleve.NewFacetRequest(schema.Date, 0)
		for ; !m.After(last); m = m.AddDate(0, 1, 0) {
			name := m.Format("2006-01")
			mf.AddDateTimeRange(name, m, m.AddDate(0, 1, 0))
			dr.Months = append(dr.Months, name)
		}
		mf.Size = len(dr.Months)
		dr.MonthRequest = mf
	}
	return dr
}
