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

// blockedStore is an analytics store whose writes wait until gate closes;
// entered is closed when the first write has started waiting.
type blockedStore struct {
	*analytics.DB
	gate, entered chan struct{}
	once          *sync.Once
}

func (b blockedStore) Write(s []analytics.Search, c []analytics.Click) (int, int, error) {
	b.once.Do(func() { close(b.entered) })
	<-b.gate
	return b.DB.Write(s, c)
}

// TestFullBufferNeverBlocksSearches: with the store blocked, searches
// through the API still answer (a blocking one would hang the test); the
// records the buffer cannot hold are dropped, counted exactly in
// folio_analytics_dropped_total, and the others are written once the store
// answers again.
func TestFullBufferNeverBlocksSearches(t *testing.T) {
	db, err := analytics.Open(filepath.Join(t.TempDir(), "a.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := blockedStore{DB: db, gate: make(chan struct{}), entered: make(chan struct{}), once: &sync.Once{}}
	const buffer = 4
	rec := analytics.NewRecorder(store, analytics.Options{Buffer: buffer})
	defer rec.Close()
	opts := DefaultOptions()
	opts.Analytics = rec
	srv := New(testIndex(t), opts, nil)
	searchOil := func(i int) {
		if r := search(t, srv, url.Values{"q": {"oil"}, "page": {strconv.Itoa(i%3 + 1)}}.Encode()); r.QueryID == "" {
			t.Fatalf("search %d: no query_id", i)
		}
	}
	searchOil(0)
	<-store.entered // the writer holds the first record in a write that waits
	const n = 40
	for i := range n {
		searchOil(i + 1)
	}
	dropped := metricValue(t, srv, "folio_analytics_dropped_total")
	if dropped != n-buffer || dropped != float64(rec.Counts().Dropped) {
		t.Errorf("folio_analytics_dropped_total %v with the store blocked, counts %+v: want %d (all but the %d the buffer holds)", dropped, rec.Counts(), n-buffer, buffer)
	}
	close(store.gate)
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if written := metricValue(t, srv, "folio_analytics_records_total"); written != 1+buffer {
		t.Errorf("folio_analytics_records_total %v once the store answers, want %d (the first search and the %d buffered)", written, 1+buffer, buffer)
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
