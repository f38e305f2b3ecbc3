package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/server/analytics"
	"github.com/google/go-cmp/cmp"
)

// analyticsServer is a Server over the shared real index that records its
// searches in a bbolt store in a temporary directory; adminKey reads the reports.
func analyticsServer(t *testing.T) (*Server, *analytics.Recorder, *analytics.DB, string) {
	t.Helper()
	return analyticsServerWith(t, analytics.Options{})
}

// analyticsServerWith is analyticsServer with a recorder configured by ao.
func analyticsServerWith(t *testing.T, ao analytics.Options) (*Server, *analytics.Recorder, *analytics.DB, string) {
	t.Helper()
	return analyticsServerOpts(t, ao, func(*Options) {})
}

// analyticsServerOpts is analyticsServerWith with the server's options
// changed by set.
func analyticsServerOpts(t *testing.T, ao analytics.Options, set func(*Options)) (*Server, *analytics.Recorder, *analytics.DB, string) {
	t.Helper()
	file := analytics.File(t.TempDir())
	db, err := analytics.Open(file, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rec := analytics.NewRecorder(db, ao)
	t.Cleanup(func() { rec.Close(); db.Close() })
	opts := DefaultOptions()
	opts.Analytics = rec
	opts.AdminKeys = []string{adminKey}
	set(&opts)
	return New(testIndex(t), opts, nil), rec, db, file
}

// TestSearchIsRecorded: every search through the API is recorded once,
// normalised, with its filters, sort, total and page, under the query_id
// the response returned; no client address or user agent is stored.
func TestSearchIsRecorded(t *testing.T) {
	srv, rec, db, file := analyticsServer(t)
	queries := []url.Values{
		{"q": {"  Diamond   HEXAGON "}},
		{"q": {"diamond hexagon"}, "sort": {"-date"}, "page": {"2"}},
		{"q": {"zzqxnothing"}},
	}
	var ids []string
	var totals []uint64
	for _, v := range queries {
		req := httptest.NewRequest(http.MethodGet, "/api/search?"+v.Encode(), nil)
		req.RemoteAddr = "203.0.113.77:4242"
		req.Header.Set("User-Agent", "SecretAgent/7.1")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("GET /api/search?%s: %d %s", v.Encode(), w.Code, w.Body)
		}
		var r searchJSON
		decodeJSON(t, w, &r)
		if len(r.QueryID) != 32 {
			t.Fatalf("query_id = %q, want 32 hex digits", r.QueryID)
		}
		ids = append(ids, r.QueryID)
		totals = append(totals, r.Total)
	}
	if ids[0] == ids[1] || ids[1] == ids[2] {
		t.Errorf("query_ids %v are not distinct", ids)
	}
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []analytics.Search
	if err := db.Scan(analytics.Range{}, func(s analytics.Search, _ []analytics.Click) error {
		got = append(got, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("recorded %d searches, want 3: %+v", len(got), got)
	}
	for i := range got {
		if got[i].ID != ids[i] {
			t.Errorf("record %d has id %s, want the response's %s", i, got[i].ID, ids[i])
		}
		if got[i].Time.IsZero() {
			t.Errorf("record %d has no time", i)
		}
		if got[i].TookMS <= 0 {
			t.Errorf("record %d took_ms = %v, want > 0", i, got[i].TookMS)
		}
		got[i].ID, got[i].Time, got[i].TookMS, got[i].Suggestion = "", time.Time{}, 0, ""
	}
	want := []analytics.Search{
		{Query: "diamond hexagon", Total: totals[0], Page: 1},
		{Query: "diamond hexagon", Sort: "-date", Total: totals[1], Page: 2},
		{Query: "zzqxnothing", Total: 0, Page: 1},
	}
	if totals[0] == 0 {
		t.Fatal("diamond hexagon found nothing")
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
	// Privacy: the raw store holds neither the address nor the user agent.
	rawBytes, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	raw := string(rawBytes)
	if !strings.Contains(raw, "zzqxnothing") {
		t.Fatal("the store file does not hold the recorded query: the privacy check would prove nothing")
	}
	for _, secret := range []string{"203.0.113.77", "SecretAgent"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the analytics store holds %q", secret)
		}
	}
}

// post sends one POST with body through srv.ServeHTTP.
func post(t *testing.T, srv http.Handler, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	srv.ServeHTTP(w, req)
	return w
}

// TestEvents: clicks on a recorded search are stored exactly; an unknown
// query_id is answered 204 and ignored; bad bodies get 400 naming the
// field, big ones 413.
func TestEvents(t *testing.T) {
	srv, rec, db, _ := analyticsServer(t)
	r := search(t, srv, "q=diamond+hexagon")
	for _, body := range []string{
		`{"query_id":"` + r.QueryID + `","id":"ironclad-friendship-cambodia","position":1}`,
		`{"query_id":"` + r.QueryID + `","id":"other","position":3}`,
		`{"query_id":"00000000000000000000000000000000","id":"ghost","position":1}`,
	} {
		if w := post(t, srv, "/api/events", body); w.Code != http.StatusNoContent {
			t.Fatalf("POST %s: %d %s, want 204", body, w.Code, w.Body)
		}
	}
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var clicks []analytics.Click
	if err := db.Scan(analytics.Range{}, func(s analytics.Search, cs []analytics.Click) error {
		clicks = append(clicks, cs...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range clicks {
		got = append(got, c.QueryID+" "+c.ID+" "+strconv.Itoa(c.Position))
	}
	want := []string{r.QueryID + " ironclad-friendship-cambodia 1", r.QueryID + " other 3"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("clicks (-want +got):\n%s", d)
	}
	for _, tc := range []struct{ body, param string }{
		{`not json`, "body"},
		{`{"query_id":"` + r.QueryID + `","id":"x","position":1,"ip":"1.2.3.4"}`, "body"},
		{`{"query_id":"` + r.QueryID + `","id":"x","position":1}{}`, "body"},
		{`{"query_id":"nothex","id":"x","position":1}`, "query_id"},
		{`{"query_id":"` + r.QueryID + `","id":"","position":1}`, "id"},
		{`{"query_id":"` + r.QueryID + `","id":"x","position":0}`, "position"},
	} {
		w := post(t, srv, "/api/events", tc.body)
		var e struct {
			Error struct{ Code, Message, Param string } `json:"error"`
		}
		if w.Code != http.StatusBadRequest {
			t.Errorf("POST %s: %d %s, want 400", tc.body, w.Code, w.Body)
			continue
		}
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Param != tc.param {
			t.Errorf("POST %s: body %s, want an error naming %q", tc.body, w.Body, tc.param)
		}
	}
	big := `{"query_id":"` + r.QueryID + `","id":"` + strings.Repeat("x", 2000) + `","position":1}`
	if w := post(t, srv, "/api/events", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST a 2 KB event: %d %s, want 413", w.Code, w.Body)
	}
}

// storedClicks returns the clicks db holds, as "query_id id position".
func storedClicks(t *testing.T, rec *analytics.Recorder, db *analytics.DB) []string {
	t.Helper()
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.Scan(analytics.Range{}, func(s analytics.Search, cs []analytics.Click) error {
		for _, c := range cs {
			got = append(got, c.QueryID+" "+c.ID+" "+strconv.Itoa(c.Position))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestEventsWithKeysAndTokens: with search keys and reader tokens required,
// a beacon (no Authorization, no X-Folio-Token: sendBeacon cannot send
// them) still records its click, because the query_id is the credential:
// one a search answered is stored, an invented one is answered 204 and
// ignored, and the rate limit still applies to events.
func TestEventsWithKeysAndTokens(t *testing.T) {
	const key = "portal-key-0123456789"
	srv, rec, db, _ := analyticsServerOpts(t, analytics.Options{}, func(o *Options) {
		o.SearchKeys = []SearchKey{{Key: key}}
		o.TokenKeys = testTokenKeys()
		o.RequireToken = true
		o.RateLimit, o.RateBurst = 0.001, 4
	})
	get := func(headers map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/search?q=diamond+hexagon", nil)
		req.RemoteAddr = "10.0.0.1:1"
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	if w := get(nil); w.Code != http.StatusUnauthorized {
		t.Fatalf("a search without the key: %d %s, want 401", w.Code, w.Body)
	}
	w := get(map[string]string{"Authorization": "Bearer " + key, HeaderToken: hsToken(t)})
	if w.Code != http.StatusOK {
		t.Fatalf("a search with the key and a token: %d %s", w.Code, w.Body)
	}
	var r searchJSON
	decodeJSON(t, w, &r)
	beacon := func(body string) int {
		req := httptest.NewRequest(http.MethodPost, "/api/events", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8") // what sendBeacon sends for a string
		req.RemoteAddr = "10.0.0.2:1"
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w.Code
	}
	got := []int{
		beacon(`{"query_id":"` + r.QueryID + `","id":"ironclad-friendship-cambodia","position":1}`),
		beacon(`{"query_id":"0123456789abcdef0123456789abcdef","id":"invented","position":1}`),
		beacon(`{"query_id":"` + r.QueryID + `","id":"","position":1}`),
		beacon(`{"query_id":"` + r.QueryID + `","id":"second","position":2}`),
		beacon(`{"query_id":"` + r.QueryID + `","id":"third","position":3}`), // past the burst of 4
	}
	if want := []int{204, 204, 400, 204, 429}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("beacon statuses %v, want %v", got, want)
	}
	want := []string{r.QueryID + " ironclad-friendship-cambodia 1", r.QueryID + " second 2"}
	if d := cmp.Diff(want, storedClicks(t, rec, db)); d != "" {
		t.Errorf("clicks (-want +got):\n%s", d)
	}
}
