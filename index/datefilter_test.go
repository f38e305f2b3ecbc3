package index

import (
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"
)

// TestDateFilterOnDays: whole-day bounds filter on the day numbers, other
// bounds on the timestamps, and both find the same articles.
func TestDateFilterOnDays(t *testing.T) {
	ix := testIndex(t)
	days := Query{Text: "oil", From: "1987-03-01", To: "1987-03-31", Size: 100}
	stamps := Query{Text: "oil", From: "1987-03-01T00:00:00Z", To: "1987-03-31T23:59:59Z", Size: 100}
	for _, tt := range []struct {
		q     Query
		field string
	}{{days, fieldDay}, {stamps, fieldDate}} {
		p, err := ix.plan(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := p.filter.(query.FieldableQuery); !ok || f.Field() != tt.field {
			t.Errorf("%s..%s: filter %T on %v, want one on %q", tt.q.From, tt.q.To, p.filter, p.filter, tt.field)
		}
	}
	a, b := mustSearch(t, ix, days), mustSearch(t, ix, stamps)
	if a.Total == 0 || a.Total == mustSearch(t, ix, Query{Text: "oil"}).Total {
		t.Fatalf("March 1987 holds %d of the oil articles: the filter does not filter", a.Total)
	}
	if diff := cmp.Diff(ids(a), ids(b)); diff != "" {
		t.Errorf("day filter and timestamp filter differ (-days +timestamps):\n%s", diff)
	}
	// Open-ended: from a day on, and up to a day.
	for _, q := range []Query{{Text: "oil", From: "1987-03-15"}, {Text: "oil", To: "1987-03-15"}} {
		q.Size = 100
		r := mustSearch(t, ix, q)
		for _, h := range r.Hits {
			d := h.Date.Format("2006-01-02")
			if (q.From != "" && d < q.From) || (q.To != "" && d > q.To) {
				t.Errorf("from %q to %q: %s dated %s", q.From, q.To, h.ID, d)
			}
		}
		if r.Total == 0 {
			t.Errorf("from %q to %q: nothing", q.From, q.To)
		}
	}
}
