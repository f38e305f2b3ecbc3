package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/folio-search/folio/index/article"

	"github.com/folio-search/folio/index/internal/schema"
)

// A cursor continues a ranking after its last hit with bleve's SearchAfter,
// which keeps only one page of hits in memory however deep the page. Every
// order is total (score or date, then id), so a cursor names one position.
// With an all-words tier the ranking is two searches one after the other
// (the tier, then the rest), so the cursor also says which of the two it is in.
type cursor struct {
	Phase int      `json:"p"` // phaseAll (no tier), phaseTier or phaseRest
	After []string `json:"a"` // sort values of the last hit returned
	Sort  string   `json:"s"` // the order it was made for
	Text  string   `json:"q"` // the query it was made for
	Mode  string   `json:"m"` // and its mode
	Now   int64    `json:"n"` // the reference time of the recency boost (Unix ns)
	// Undated: the last hit had no date (date sorts put those last, and
	// bleve cannot continue after a missing value): continue among the
	// undated articles in id order, after After[1].
	Undated bool `json:"u,omitempty"`
	// Page is the number of the page that returned the cursor; the page
	// after it is Page+1 (0 in cursors of older versions: unknown).
	Page int `json:"g,omitempty"`
}

const (
	phaseAll  = 0
	phaseTier = 1
	phaseRest = 2
)

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Phase < phaseAll || c.Phase > phaseRest || len(c.After) != 2 || c.Page < 0 || c.Page == math.MaxInt {
		return nil, paramErr("cursor", "cursor is not one this server returned; pass the \"cursor\" value of the previous response unchanged")
	}
	return &c, nil
}

// sortOrder is the total order of p: its sort, then the id.
func (p *plan) sortOrder() search.SortOrder {
	switch p.sortBy {
	case SortDateAsc, SortDateDesc:
		return search.SortOrder{
			&search.SortField{Field: schema.Date, Desc: p.sortBy == SortDateDesc, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast},
			&search.SortDocID{},
		}
	default:
		return search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
	}
}

// afterValues are the SearchAfter values of dm in p's order.
func afterValues(dm *search.DocumentMatch) []string {
	if len(dm.DecodedSort) == 2 && dm.DecodedSort[0] != "_score" {
		return []string{dm.DecodedSort[0], dm.ID}
	}
	return []string{strconv.FormatFloat(dm.Score, 'g', -1, 64), dm.ID}
}

// hitPhase is a match with the phase of the ranking it came from.
type hitPhase struct {
	dm    *search.DocumentMatch
	phase int
}

// nextCursor is the cursor after the last of hits, which are page number page.
func nextCursor(q Query, p *plan, hits []hitPhase, page int) string {
	last := hits[len(hits)-1]
	c := cursor{Phase: last.phase, After: afterValues(last.dm), Sort: q.Sort, Text: q.Text, Mode: q.Mode, Now: p.now.UnixNano(), Page: page}
	if p.sortBy == SortDateAsc || p.sortBy == SortDateDesc {
		if _, err := time.Parse(time.RFC3339Nano, c.After[0]); err != nil {
			c.Undated = true
			c.After[0] = ""
		}
	}
	return c.encode()
}

// runAfter executes p from cursor c: the page after c's position.
func (ix *Index) runAfter(ctx context.Context, p *plan, c *cursor) ([]hitPhase, uint64, error) {
	page := func(q query.Query, after []string, size int, phase int) ([]hitPhase, uint64, error) {
		req := ix.request(p, q, 0, size)
		req.SearchAfter = after
		res, err := ix.searchAll(ctx, req)
		if err != nil {
			return nil, 0, err
		}
		out := make([]hitPhase, len(res.Hits))
		for i, dm := range res.Hits {
			out[i] = hitPhase{dm, phase}
		}
		return out, res.Total, nil
	}
	if c.Undated {
		return ix.undatedAfter(ctx, p, c.After[1])
	}
	if p.all == nil {
		return page(p.main, c.After, p.size, phaseAll)
	}
	rest := p.rest()
	if c.Phase == phaseRest {
		hits, restTotal, err := page(rest, c.After, p.size, phaseRest)
		if err != nil {
			return nil, 0, err
		}
		tierTotal, err := ix.count(ctx, p, p.all)
		return hits, tierTotal + restTotal, err
	}
	hits, tierTotal, err := page(p.all, c.After, p.size, phaseTier)
	if err != nil {
		return nil, 0, err
	}
	more, restTotal, err := page(rest, nil, p.size-len(hits), phaseRest)
	if err != nil {
		return nil, 0, err
	}
	return append(hits, more...), tierTotal + restTotal, nil
}

// undatedAfter is the page of p's undated matches after id, in id order
// (as date sorts order them among themselves), and p's total.
func (ix *Index) undatedAfter(ctx context.Context, p *plan, id string) ([]hitPhase, uint64, error) {
	incl := true
	dated := query.NewDateRangeInclusiveQuery(article.MinDate, article.MaxDate, &incl, &incl)
	dated.SetField(schema.Date)
	req := ix.request(p, query.NewBooleanQuery([]query.Query{p.main}, nil, []query.Query{dated}), 0, p.size)
	req.SortByCustom(search.SortOrder{&search.SortDocID{}})
	req.SearchAfter = []string{id}
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	out := make([]hitPhase, len(res.Hits))
	for i, dm := range res.Hits {
		out[i] = hitPhase{dm, phaseAll}
	}
	total, err := ix.count(ctx, p, p.main)
	return out, total, err
}

// count is the number of documents q matches within p's filter.
func (ix *Index) count(ctx context.Context, p *plan, q query.Query) (uint64, error) {
	res, err := ix.searchAll(ctx, ix.request(p, q, 0, 0))
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

// rest is the part of p's ranking after the all-words tier.
func (p *plan) rest() query.Query {
	return query.NewBooleanQuery([]query.Query{p.main}, nil, []query.Query{p.all})
}
