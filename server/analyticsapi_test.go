package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/server/analytics"
	"github.com/folio-search/folio/server/api"
)

// reportJSON is the body of a report, its rows still undecoded.
type reportJSON struct {
	Report    string          `json:"report"`
	From      *time.Time      `json:"from"`
	To        *time.Time      `json:"to"`
	Interval  string          `json:"interval"`
	Truncated bool            `json:"truncated"`
	Nodes     json.RawMessage `json:"nodes"` // cluster mode only
	Rows      json.RawMessage `json:"rows"`
}

// report GETs an analytics report with the admin key and decodes its rows into rows.
func report(t *testing.T, srv http.Handler, target string, rows any) reportJSON {
	t.Helper()
	w := request(t, srv, http.MethodGet, target, map[string]string{"Authorization": "Bearer " + adminKey})
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, w.Code, w.Body)
	}
	var r reportJSON
	decodeJSON(t, w, &r)
	if err := json.Unmarshal(r.Rows, rows); err != nil {
		t.Fatalf("GET %s: rows %s: %v", target, r.Rows, err)
	}
	return r
}

// scriptedAnalytics runs a fixed script of searches and clicks through srv
// (searching the shared index) and returns the total each query found.
// The script: "oil" 3 times (spelt differently; clicks on the first two),
// "diamond hexagon" once (one click), "Cmbodiaa" twice (no hit; Folio
// offers "Cambodia"), "zzqqxxnothing" once (no hit), one browse (q=""), a
// click on a query_id nobody answered, and two searches made while typing
// (as_you_type): "oi", which nobody acted on and no report counts, and
// "canten menu", whose result was opened.
func scriptedAnalytics(t *testing.T, srv http.Handler) map[string]uint64 {
	t.Helper()
	totals := map[string]uint64{}
	var qids []string
	searched := func(v url.Values) {
		w := do(t, srv, http.MethodGet, "/api/search?"+v.Encode())
		var r struct {
			Total   uint64 `json:"total"`
			QueryID string `json:"query_id"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &r); w.Code != http.StatusOK || err != nil || r.QueryID == "" {
			t.Fatalf("GET /api/search?%s: %d %s, want 200 with a query_id", v.Encode(), w.Code, w.Body)
		}
		totals[analytics.Normalise(v.Get("q"))] = r.Total
		qids = append(qids, r.QueryID)
	}
	for _, q := range []string{"oil", "OIL ", "  oil", "Diamond  Hexagon", "Cmbodiaa", "Cmbodiaa", "zzqqxxnothing", ""} {
		searched(url.Values{"q": {q}})
	}
	for _, q := range []string{"oi", "canten menu"} {
		searched(url.Values{"q": {q}, "as_you_type": {"true"}})
	}
	if totals["oil"] == 0 || totals["oi"] == 0 || totals["canten menu"] == 0 || totals["diamond hexagon"] == 0 || totals["cmbodiaa"] != 0 || totals["zzqqxxnothing"] != 0 {
		t.Fatalf("the index does not answer as the script needs: %v", totals)
	}
	for _, c := range []struct {
		qid, id string
		pos     int
	}{
		{qids[0], "reuters-988", 1}, {qids[0], "reuters-570", 3}, {qids[1], "reuters-988", 1},
		{qids[3], "ironclad-friendship-cambodia", 1}, {"0123456789abcdef0123456789abcdef", "ghost", 1},
		{qids[9], "canteen-menu-crlf", 1},
	} {
		body := `{"query_id":"` + c.qid + `","id":"` + c.id + `","position":` + strconv.Itoa(c.pos) + `}`
		if w := post(t, srv, "/api/events", body); w.Code != http.StatusNoContent {
			t.Fatalf("POST /api/events %s: %d %s", body, w.Code, w.Body)
		}
	}
	return totals
}

// TestReports: the scripted searches and clicks give exactly the expected
// rows in every report, in JSON and CSV, and the range selects by time.
func TestReports(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC)
	srv, _, _, _ := analyticsServerWith(t, analytics.Options{Now: func() time.Time { return at }})
	totals := scriptedAnalytics(t, srv)
	oil := float64(totals["oil"])

	var queries []analytics.QueryRow
	r := report(t, srv, "/api/admin/analytics/queries", &queries)
	wantQ := []analytics.QueryRow{
		{Query: "oil", Count: 3, MeanHits: oil, Clicks: 3, CTR: 2.0 / 3, MeanClickPosition: 5.0 / 3},
		{Query: "cmbodiaa", Count: 2},
		{Query: "canten menu", Count: 1, MeanHits: float64(totals["canten menu"]), Clicks: 1, CTR: 1, MeanClickPosition: 1},
		{Query: "diamond hexagon", Count: 1, MeanHits: float64(totals["diamond hexagon"]), Clicks: 1, CTR: 1, MeanClickPosition: 1},
		{Query: "zzqqxxnothing", Count: 1},
	}
	if d := cmp.Diff(wantQ, queries); d != "" {
		t.Errorf("queries (-want +got):\n%s", d)
	}
	if r.Report != "queries" || r.From != nil || r.To != nil || r.Truncated || r.Nodes != nil {
		t.Errorf("queries report %+v, want report queries, open from and to, not truncated, no nodes (a single node)", r)
	}
	report(t, srv, "/api/admin/analytics/queries?limit=2", &queries)
	if d := cmp.Diff(wantQ[:2], queries); d != "" {
		t.Errorf("queries?limit=2 (-want +got):\n%s", d)
	}

	var zero []analytics.ZeroRow
	report(t, srv, "/api/admin/analytics/zero-results", &zero)
	if d := cmp.Diff([]analytics.ZeroRow{{Query: "cmbodiaa", Count: 2, Suggestion: "Cambodia"}, {Query: "zzqqxxnothing", Count: 1}}, zero); d != "" {
		t.Errorf("zero-results (-want +got):\n%s", d)
	}

	var articles []analytics.ArticleRow
	report(t, srv, "/api/admin/analytics/articles", &articles)
	wantA := []analytics.ArticleRow{
		{ID: "reuters-988", Clicks: 2, MeanPosition: 1, Queries: []analytics.ArticleQuery{{Query: "oil", Clicks: 2}}},
		{ID: "canteen-menu-crlf", Clicks: 1, MeanPosition: 1, Queries: []analytics.ArticleQuery{{Query: "canten menu", Clicks: 1}}},
		{ID: "ironclad-friendship-cambodia", Clicks: 1, MeanPosition: 1, Queries: []analytics.ArticleQuery{{Query: "diamond hexagon", Clicks: 1}}},
		{ID: "reuters-570", Clicks: 1, MeanPosition: 3, Queries: []analytics.ArticleQuery{{Query: "oil", Clicks: 1}}},
	}
	if d := cmp.Diff(wantA, articles); d != "" {
		t.Errorf("articles (-want +got):\n%s", d)
	}

	// Volume: the browse counts as a search, the unclicked "oi" does not;
	// empty buckets of the range are listed.
	var volume []analytics.VolumeRow
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	r = report(t, srv, "/api/admin/analytics/volume?from=2026-12-01&to=Dec+3,+2026", &volume)
	wantV := []analytics.VolumeRow{{Start: day(1)}, {Start: day(2), Searches: 9, ZeroResults: 3, ZeroShare: 3.0 / 9}, {Start: day(3)}}
	if d := cmp.Diff(wantV, volume); d != "" {
		t.Errorf("volume by day (-want +got):\n%s", d)
	}
	if r.Interval != "day" || r.From == nil || !r.From.Equal(day(1)) || r.To == nil || !r.To.Equal(day(4)) {
		t.Errorf("volume report echoes interval %q, from %v, to %v; want day, 2026-12-01, 2026-12-04 (to is inclusive of its day)", r.Interval, r.From, r.To)
	}
	hour := func(h int) time.Time { return time.Date(2026, 12, 2, h, 0, 0, 0, time.UTC) }
	report(t, srv, "/api/admin/analytics/volume?interval=hour&from=2026-12-02T09:00:00Z&to=2026-12-02T12:00:00Z", &volume)
	wantV = []analytics.VolumeRow{{Start: hour(9)}, {Start: hour(10), Searches: 9, ZeroResults: 3, ZeroShare: 3.0 / 9}, {Start: hour(11)}}
	if d := cmp.Diff(wantV, volume); d != "" {
		t.Errorf("volume by hour (-want +got):\n%s", d)
	}

	// The range: nothing was searched on December 3rd, everything on the 2nd.
	report(t, srv, "/api/admin/analytics/queries?from=2026-12-03", &queries)
	if len(queries) != 0 {
		t.Errorf("queries from 2026-12-03: %+v, want none", queries)
	}
	report(t, srv, "/api/admin/analytics/zero-results?from=2026-12-02&to=2026-12-02", &zero)
	if len(zero) != 2 {
		t.Errorf("zero-results of 2026-12-02: %+v, want the 2 rows", zero)
	}

	// CSV: the same rows, with the JSON field names as the header.
	for _, tc := range []struct{ target, want string }{
		{"/api/admin/analytics/queries?limit=3", "query,count,mean_hits,clicks,ctr,mean_click_position\n" +
			"oil,3," + strconv.FormatUint(totals["oil"], 10) + ",3,0.6666666666666666,1.6666666666666667\n" +
			"cmbodiaa,2,0,0,0,0\n" +
			"canten menu,1," + strconv.FormatUint(totals["canten menu"], 10) + ",1,1,1\n"},
		{"/api/admin/analytics/zero-results", "query,count,suggestion\ncmbodiaa,2,Cambodia\nzzqqxxnothing,1,\n"},
		{"/api/admin/analytics/articles?limit=1", "id,clicks,mean_position,queries\nreuters-988,2,1,oil (2)\n"},
		{"/api/admin/analytics/volume?from=2026-12-02&to=2026-12-02", "start,searches,zero_results,zero_share\n2026-12-02T00:00:00Z,9,3,0.3333333333333333\n"},
	} {
		w := request(t, srv, http.MethodGet, tc.target, map[string]string{"Authorization": "Bearer " + adminKey, "Accept": "text/csv"})
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("GET %s as CSV: %d %q", tc.target, w.Code, w.Header().Get("Content-Type"))
		}
		if d := cmp.Diff(tc.want, w.Body.String()); d != "" {
			t.Errorf("GET %s as CSV (-want +got):\n%s", tc.target, d)
		}
	}
}

// TestReportErrors: bad parameters are 400 naming the parameter and the
// accepted forms; the reports need the admin key; with analytics off they
// are 404.
func TestReportErrors(t *testing.T) {
	srv, _, _, _ := analyticsServer(t)
	key := map[string]string{"Authorization": "Bearer " + adminKey}
	for _, tc := range []struct{ target, param, msg string }{
		{"/api/admin/analytics/queries?limit=0", "limit", "from 1 to 1000"},
		{"/api/admin/analytics/queries?limit=many", "limit", "from 1 to 1000"},
		{"/api/admin/analytics/articles?limit=1001", "limit", "from 1 to 1000"},
		{"/api/admin/analytics/queries?from=yesterday", "from", "accepted: 2024-12-04"},
		{"/api/admin/analytics/zero-results?to=2026-13-45", "to", "2026-13-45"},
		{"/api/admin/analytics/queries?from=2026-12-02&to=2026-12-01", "to", "must be after from"},
		{"/api/admin/analytics/volume?interval=week", "interval", "day or hour"},
		{"/api/admin/analytics/volume?interval=hour&from=2000-01-01&to=2026-01-01", "interval", "at most 10000"},
		{"/api/admin/analytics/queries?interval=day", "interval", "accepted: [from to limit]"},
		{"/api/admin/analytics/volume?limit=3", "limit", "accepted: [from to interval]"},
		{"/api/admin/analytics/queries?limit=1&limit=2", "limit", "given 2 times"},
	} {
		assertError(t, request(t, srv, http.MethodGet, tc.target, key), http.StatusBadRequest, tc.param, tc.msg)
	}
	if w := request(t, srv, http.MethodGet, "/api/admin/analytics/queries", nil); w.Code != http.StatusUnauthorized {
		t.Errorf("a report without the admin key: %d, want 401", w.Code)
	}
	if w := request(t, srv, http.MethodGet, "/api/admin/analytics/queries", map[string]string{"Authorization": "Bearer wrong"}); w.Code != http.StatusUnauthorized {
		t.Errorf("a report with a wrong key: %d, want 401", w.Code)
	}
	opts := DefaultOptions()
	opts.AdminKeys = []string{adminKey}
	off := New(testIndex(t), opts, nil)
	wantError(t, request(t, off, http.MethodGet, "/api/admin/analytics/volume", key), http.StatusNotFound, "analytics_disabled", "analytics.enabled: false")
}

// TestPurgeEndpoint: DELETE /api/admin/analytics?before=DATE deletes the
// searches recorded before DATE (those still in the buffer too) and says
// how many; a missing or bad before is a 400 naming it.
func TestPurgeEndpoint(t *testing.T) {
	var at atomic.Int64
	at.Store(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC).UnixNano())
	srv, _, _, _ := analyticsServerWith(t, analytics.Options{Now: func() time.Time { return time.Unix(0, at.Load()) }, Linger: time.Hour})
	search(t, srv, "q=oil")
	search(t, srv, "q=cocoa")
	at.Store(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC).UnixNano())
	search(t, srv, "q=gold")
	w := request(t, srv, http.MethodDelete, "/api/admin/analytics?before=2026-12-01", map[string]string{"Authorization": "Bearer " + adminKey})
	var got api.AnalyticsPurge
	decodeJSON(t, w, &got)
	if w.Code != http.StatusOK || got.Deleted != 2 || !got.Before.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DELETE ?before=2026-12-01: %d %+v, want 200, 2 deleted before 2026-12-01T00:00:00Z", w.Code, got)
	}
	var queries []analytics.QueryRow
	report(t, srv, "/api/admin/analytics/queries", &queries)
	if len(queries) != 1 || queries[0].Query != "gold" {
		t.Errorf("queries after the purge: %+v, want only gold", queries)
	}
	for target, param := range map[string]string{
		"/api/admin/analytics":                       "before",
		"/api/admin/analytics?before=someday":        "before",
		"/api/admin/analytics?before=2026-12-01&x=1": "x",
	} {
		w := request(t, srv, http.MethodDelete, target, map[string]string{"Authorization": "Bearer " + adminKey})
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"param":"`+param+`"`) {
			t.Errorf("DELETE %s: %d %s, want 400 naming %s", target, w.Code, w.Body, param)
		}
	}
}
