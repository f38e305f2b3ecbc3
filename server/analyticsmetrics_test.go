package server

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/folio-search/folio/server/analytics"
)

// metricValue scrapes srv's /metrics and returns the value of the metric
// line name (with its labels, if any); -1 when it is missing.
func metricValue(t *testing.T, srv http.Handler, name string) float64 {
	t.Helper()
	body := do(t, srv, http.MethodGet, "/metrics").Body.String()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("metric %s: %v", name, err)
	}
	return v
}

// blockedStore is an analytics store whose writes wait until gate closes.
type blockedStore struct {
	*analytics.DB
	gate chan struct{}
}

func (b blockedStore) Write(s []analytics.Search, c []analytics.Click) (int, int, error) {
	<-b.gate
	return b.DB.Write(s, c)
}

// TestFullBufferNeverBlocksSearches: with the store blocked, searches
// through the API still answer (a blocking one would hang the test); the
// records the buffer cannot hold are dropped, counted in
// folio_analytics_dropped_total, and every search is either written or
// counted as dropped.
func TestFullBufferNeverBlocksSearches(t *testing.T) {
	db, err := analytics.Open(filepath.Join(t.TempDir(), "a.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gate := make(chan struct{})
	rec := analytics.NewRecorder(blockedStore{db, gate}, analytics.Options{Buffer: 4})
	defer rec.Close()
	opts := DefaultOptions()
	opts.Analytics = rec
	srv := New(testIndex(t), opts, nil)
	const n = 40
	for i := range n {
		if r := search(t, srv, url.Values{"q": {"oil"}, "page": {strconv.Itoa(i%3 + 1)}}.Encode()); r.QueryID == "" {
			t.Fatalf("search %d: no query_id", i)
		}
	}
	dropped := metricValue(t, srv, "folio_analytics_dropped_total")
	// The blocked write holds what the writer took (the first record and
	// what was buffered then: at most 1+4), the buffer 4 more.
	if dropped < n-1-2*4 || dropped != float64(rec.Counts().Dropped) {
		t.Errorf("folio_analytics_dropped_total %v with the store blocked, counts %+v: want at least %d (all but the 1+4 in the blocked write and the 4 buffered)", dropped, rec.Counts(), n-1-2*4)
	}
	close(gate)
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	written := metricValue(t, srv, "folio_analytics_records_total")
	if written+dropped != n || metricValue(t, srv, "folio_analytics_dropped_total") != dropped {
		t.Errorf("records %v + dropped %v, want %d searches in all", written, dropped, n)
	}
}

// TestConcurrentSearchesAreCounted: 16 goroutines searching at once (run
// under -race) are all recorded exactly once, none dropped, and the
// zero-result counter counts exactly the searches that found nothing.
func TestConcurrentSearchesAreCounted(t *testing.T) {
	srv, rec, db, _ := analyticsServer(t)
	const goroutines, each = 16, 6
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				q := "oil"
				if i%3 == 0 {
					q = "zzqqxxnothing"
				}
				req := "/api/search?" + url.Values{"q": {q}, "page": {strconv.Itoa(g%2 + 1)}}.Encode()
				if w := do(t, srv, http.MethodGet, req); w.Code != http.StatusOK {
					t.Errorf("GET %s: %d", req, w.Code)
				}
			}
		})
	}
	wg.Wait()
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	const total, zero = goroutines * each, goroutines * each / 3
	if v := metricValue(t, srv, "folio_analytics_records_total"); v != total {
		t.Errorf("folio_analytics_records_total %v, want %d", v, total)
	}
	if v := metricValue(t, srv, "folio_analytics_dropped_total"); v != 0 {
		t.Errorf("folio_analytics_dropped_total %v, want 0", v)
	}
	if v := metricValue(t, srv, "folio_search_zero_results_total"); v != zero {
		t.Errorf("folio_search_zero_results_total %v, want %d", v, zero)
	}
	q, err := analytics.Queries(db, analytics.Range{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Rows) != 2 || q.Rows[0].Query != "oil" || q.Rows[0].Count != total-zero || q.Rows[1].Count != zero {
		t.Errorf("queries %+v, want oil %d times and zzqqxxnothing %d times", q.Rows, total-zero, zero)
	}
}
