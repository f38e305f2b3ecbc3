package index

import (
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index/internal/schema"
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
	}{{days, schema.Day}, {stamps, schema.Date}} {
		q := tt.q
		q.Visible = AllArticles() // else the visibility filter comes first
		p, err := ix.plan(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := p.Filter.(query.FieldableQuery); !ok || f.Field() != tt.field {
			t.Errorf("%s..%s: filter %T on %v, want one on %q", tt.q.From, tt.q.To, p.Filter, p.Filter, tt.field)
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

// TestDateFiltersKeepScores: a date filter only removes matches; the rest
// keep their scores and their order (it is an unscored clause). Facet
// filters are checked the same way in TestFacets.
func TestDateFiltersKeepScores(t *testing.T) {
	opts := DefaultOptions("")
	opts.TitleBoost = -1 // no title clause: the queries as parsed
	for _, ix := range []*Index{testIndex(t), builtIndex(t, opts)} {
		checkDateFiltersKeepScores(t, ix)
	}
}

func checkDateFiltersKeepScores(t *testing.T, ix *Index) {
	t.Helper()
	for _, text := range []string{"oil", "oil prices", `+said +"mln dlrs"`, "trade"} {
		all := mustSearch(t, ix, Query{Text: text, Size: 100})
		if all.Total > 100 || all.Total < 10 {
			t.Fatalf("%q: %d matches, want 10 to 100 for this test", text, all.Total)
		}
		for _, q := range []Query{
			{Text: text, From: "1987-03-01", To: "1987-03-31", Size: 100},                     // day numbers
			{Text: text, From: "1987-03-01T00:00:00Z", To: "1987-03-31T23:59:59Z", Size: 100}, // timestamps
		} {
			got := mustSearch(t, ix, q)
			var want []Hit
			for _, h := range all.Hits {
				if !h.Date.IsZero() && h.Date.Year() == 1987 && h.Date.Month() == time.March {
					want = append(want, h)
				}
			}
			if len(want) == 0 || len(want) == len(all.Hits) {
				t.Fatalf("%q in March 1987: %d of %d matches, not a filter test", text, len(want), len(all.Hits))
			}
			if len(got.Hits) != len(want) || got.Total != uint64(len(want)) {
				t.Fatalf("%+v: %d hits (total %d), want %d", q, len(got.Hits), got.Total, len(want))
			}
			for i, h := range got.Hits {
				if h.ID != want[i].ID || h.Score != want[i].Score {
					t.Errorf("%+v: hit %d is %s scored %v, want %s scored %v as without the filter", q, i, h.ID, h.Score, want[i].ID, want[i].Score)
				}
			}
		}
	}
}
