package plan

import (
	"context"
	"math"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
)

// recencyWeight is the most a brand-new article's score is raised by the
// recency boost (10%); an article one half-life old gets half of that, and
// an undated one nothing. It is small on purpose: it decides between
// articles of about equal text relevance, it does not outrank a better match.
const recencyWeight = 0.1

// withRecency wraps q so that, when pl.RecencyHalfLife is set, each
// score is multiplied by 1 + recencyWeight·2^(−age/half-life), age measured
// from now (from the cursor's time when paging by cursor, so that scores
// and SearchAfter positions agree).
func (pl *Planner) withRecency(q query.Query, now time.Time) query.Query {
	if pl.RecencyHalfLife <= 0 {
		return q
	}
	half := float64(pl.RecencyHalfLife)
	ref := float64(now.UnixNano())
	return engine.Rescored(q, func(_ context.Context, d *search.DocumentMatch) (float64, error) {
		// bleve hands datetime doc values over as RFC 3339 strings.
		v, _ := d.Fields[schema.Date].(string)
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil { // undated
			return d.Score, nil
		}
		age := math.Max(0, ref-float64(t.UnixNano()))
		return d.Score * (1 + recencyWeight*math.Exp2(-age/half)), nil
	}, []string{schema.Date})
}
