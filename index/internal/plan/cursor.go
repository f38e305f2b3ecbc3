package plan

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/param"
	"github.com/folio-search/folio/index/internal/schema"
)

// A Cursor continues a ranking after its last hit with bleve's SearchAfter,
// which keeps only one page of hits in memory however deep the page. Every
// order is total (score or date, then id), so a cursor names one position.
// With an all-words tier the ranking is two searches one after the other
// (the tier, then the rest), so the cursor also says which of the two it is in.
type Cursor struct {
	Phase int      `json:"p"` // PhaseAll (no tier), PhaseTier or PhaseRest
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
	// Visible is the Visibility.Key of the reader it was made for: a
	// cursor continues only for a reader who sees the same articles.
	Visible string `json:"v,omitempty"`
}

// Phases of a ranking: one search (no all-words tier), or the tier and then the rest.
const (
	PhaseAll  = 0
	PhaseTier = 1
	PhaseRest = 2
)

// Encode is the cursor as the opaque text of a response.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses the text of Encode; anything else is a *param.Error
// for parameter "cursor".
func DecodeCursor(s string) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Phase < PhaseAll || c.Phase > PhaseRest || len(c.After) != 2 || c.Page < 0 || c.Page == math.MaxInt {
		return nil, param.Errorf("cursor", "cursor is not one this server returned; pass the \"cursor\" value of the previous response unchanged")
	}
	return &c, nil
}

// SortOrder is the total order of p: its sort, then the id.
func (p *Plan) SortOrder() search.SortOrder {
	switch p.SortBy {
	case SortDateAsc, SortDateDesc:
		return search.SortOrder{
			&search.SortField{Field: schema.Date, Desc: p.SortBy == SortDateDesc, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast},
			&search.SortDocID{},
		}
	default:
		return search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
	}
}

// AfterValues are the SearchAfter values of dm in p's order.
func AfterValues(dm *search.DocumentMatch) []string {
	if len(dm.DecodedSort) == 2 && dm.DecodedSort[0] != "_score" {
		return []string{dm.DecodedSort[0], dm.ID}
	}
	return []string{strconv.FormatFloat(dm.Score, 'g', -1, 64), dm.ID}
}

// NextCursor is the encoded cursor of request q planned as p after last,
// the last hit (from phase) of page number page.
func NextCursor(q Request, p *Plan, last *search.DocumentMatch, phase, page int) string {
	c := Cursor{Phase: phase, After: AfterValues(last), Sort: q.Sort, Text: q.Text, Mode: q.Mode, Now: p.Now.UnixNano(), Page: page, Visible: q.Visible.Key()}
	if p.SortBy == SortDateAsc || p.SortBy == SortDateDesc {
		if _, err := time.Parse(time.RFC3339Nano, c.After[0]); err != nil {
			c.Undated = true
			c.After[0] = ""
		}
	}
	return c.Encode()
}

// Rest is the part of p's ranking after the all-words tier.
func (p *Plan) Rest() query.Query {
	return query.NewBooleanQuery([]query.Query{p.Main}, nil, []query.Query{p.All})
}
