package plan

import (
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/param"
)

// rangeBounds parses inclusive bounds. A whole-day "to" extends to the next
// midnight (exclusive), so to=2024-12-04 includes all of Dec 4.
func rangeBounds(p *article.DateParser, from, to string) (start, end time.Time, err error) {
	if from != "" {
		if start, _, err = p.ParseDay(from); err != nil {
			return start, end, param.Errorf("from", "%v", err)
		}
	}
	if to != "" {
		var day bool
		if end, day, err = p.ParseDay(to); err != nil {
			return start, end, param.Errorf("to", "%v", err)
		}
		if day {
			end = end.AddDate(0, 0, 1)
		} else {
			end = end.Add(time.Nanosecond)
		}
	}
	if !start.IsZero() && !end.IsZero() && !start.Before(end) {
		return start, end, param.Errorf("from", "from (%s) is after to (%s)", from, to)
	}
	return start, end, nil
}
