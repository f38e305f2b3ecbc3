package server

import (
	"context"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/analytics"
)

// waitForClicks flushes rec until it has written want clicks: the
// browser's beacons arrive on their own (a bound for a lost beacon, not a
// timing assertion).
func waitForClicks(t *testing.T, rec *analytics.Recorder, want uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := rec.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := rec.Counts().Clicks; got >= want || time.Now().After(deadline) {
			if got != want {
				t.Fatalf("%d clicks recorded, want %d", got, want)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserAnalytics: searches made through the page and the widget (on
// another origin) are recorded, and the results opened there are sent as
// beacons, so that the reports hold exactly the scripted rows.
func TestBrowserAnalytics(t *testing.T) {
	ctx := newTab(t)
	db, err := analytics.Open(analytics.File(t.TempDir()), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rec := analytics.NewRecorder(db, analytics.Options{})
	t.Cleanup(func() { rec.Close(); db.Close() })
	var folio atomic.Value
	host := hostServer(t, &folio)
	opts := DefaultOptions()
	opts.Analytics = rec
	opts.AllowedOrigins = []string{host.URL}
	srv := folioServer(t, opts)
	folio.Store(srv.URL)
	total := func(q string) float64 {
		r, err := browser.ix.Search(context.Background(), index.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return float64(r.Total)
	}

	// The page: open the first hit of one query, the second of another, none of a third.
	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(srv.URL+"/?q=Diamond+Hexagon"))
	waitFor(t, ctx, "the Cambodia article first", firstHit+` === '`+ironclad+`'`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#results li:nth-child(1) h2 a`)))
	waitFor(t, ctx, "the article page", `location.pathname.startsWith('/articles/')`)
	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=zzqqxxnothing"))
	waitFor(t, ctx, "the empty state", `!document.getElementById('empty').hidden`)
	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=oil"))
	waitFor(t, ctx, "the oil results", `document.querySelectorAll('#results li').length >= 2`)
	var second string
	eval(t, ctx, `document.querySelector('#results li:nth-child(2)').dataset.id`, &second)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#results li:nth-child(2) h2 a`)))
	waitFor(t, ctx, "the article page", `location.pathname.startsWith('/articles/')`)

	// The widget on the intranet page: the search typed, its first result opened.
	run(t, ctx, chromedp.Navigate(host.URL+"/"))
	typeInWidget(t, ctx, "China Cambodia")
	waitFor(t, ctx, "the widget's results", widgetHits+`.length === 3 && `+widgetHits+`[0].dataset.id === '`+ironclad+`'`)
	run(t, ctx, js(widgetHits+`[0].querySelector('a').click()`))
	waitFor(t, ctx, "the article page", `location.pathname.startsWith('/articles/')`)
	waitForClicks(t, rec, 3)

	q, err := analytics.Queries(db, analytics.Range{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []analytics.QueryRow{
		{Query: "china cambodia", Count: 1, MeanHits: total("China Cambodia"), Clicks: 1, CTR: 1, MeanClickPosition: 1},
		{Query: "diamond hexagon", Count: 1, MeanHits: total("Diamond Hexagon"), Clicks: 1, CTR: 1, MeanClickPosition: 1},
		{Query: "oil", Count: 1, MeanHits: total("oil"), Clicks: 1, CTR: 1, MeanClickPosition: 2},
		{Query: "zzqqxxnothing", Count: 1},
	}
	if d := cmp.Diff(want, q.Rows); d != "" {
		t.Errorf("queries after the page and the widget (-want +got):\n%s", d)
	}
	a, err := analytics.Articles(db, analytics.Range{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantA := []analytics.ArticleRow{
		{ID: ironclad, Clicks: 2, MeanPosition: 1, Queries: []analytics.ArticleQuery{{Query: "china cambodia", Clicks: 1}, {Query: "diamond hexagon", Clicks: 1}}},
		{ID: second, Clicks: 1, MeanPosition: 2, Queries: []analytics.ArticleQuery{{Query: "oil", Clicks: 1}}},
	}
	if d := cmp.Diff(wantA, a.Rows); d != "" {
		t.Errorf("articles (-want +got):\n%s", d)
	}
}

// TestBrowserAnalyticsWithKey: with a search key required, the clicks of
// the page (the key typed into it) and of the widget (its key attribute)
// are still recorded: their beacons carry no Authorization header, and the
// query_id stands for the key (events.go).
func TestBrowserAnalyticsWithKey(t *testing.T) {
	ctx := newTab(t)
	const key = "analytics-key-0123456789"
	db, err := analytics.Open(analytics.File(t.TempDir()), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rec := analytics.NewRecorder(db, analytics.Options{})
	t.Cleanup(func() { rec.Close(); db.Close() })
	var folio atomic.Value
	host := hostServer(t, &folio)
	opts := DefaultOptions()
	opts.Analytics = rec
	opts.AllowedOrigins = []string{host.URL}
	opts.SearchKeys = []SearchKey{{Key: key}}
	srv := folioServer(t, opts)
	folio.Store(srv.URL)

	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(srv.URL+"/?q=Diamond+Hexagon"))
	waitFor(t, ctx, "the key form", `!document.getElementById('keyform').hidden`)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("key"), key), chromedp.Click(chromedp.CSS(`#keyform button`)))
	waitFor(t, ctx, "results with the key", firstHit+` === '`+ironclad+`'`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#results li:nth-child(1) h2 a`)))
	waitFor(t, ctx, "the article page", `location.pathname.startsWith('/articles/')`)

	run(t, ctx, chromedp.Navigate(host.URL+"/?key="+key))
	typeInWidget(t, ctx, "China Cambodia")
	waitFor(t, ctx, "the widget's results", widgetHits+`.length === 3 && `+widgetHits+`[1].dataset.id !== ''`)
	var second string
	eval(t, ctx, widgetHits+`[1].dataset.id`, &second)
	run(t, ctx, js(widgetHits+`[1].querySelector('a').click()`))
	waitFor(t, ctx, "the article page", `location.pathname.startsWith('/articles/')`)
	waitForClicks(t, rec, 2)

	a, err := analytics.Articles(db, analytics.Range{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []analytics.ArticleRow{
		{ID: ironclad, Clicks: 1, MeanPosition: 1, Queries: []analytics.ArticleQuery{{Query: "diamond hexagon", Clicks: 1}}},
		{ID: second, Clicks: 1, MeanPosition: 2, Queries: []analytics.ArticleQuery{{Query: "china cambodia", Clicks: 1}}},
	}
	slices.SortFunc(want, func(a, b analytics.ArticleRow) int { return strings.Compare(a.ID, b.ID) })
	if d := cmp.Diff(want, a.Rows); d != "" {
		t.Errorf("articles opened with a search key required (-want +got):\n%s", d)
	}
}

// TestBrowserAnalyticsPage: /admin/analytics asks for the admin key, keeps
// it in sessionStorage (never in the URL) and shows exactly the rows of the
// scripted searches and clicks, the volume as SVG bars; it fits 360 px.
// Screenshots at 1280 and 360 px (FOLIO_SCREENSHOT_DIR keeps them).
func TestBrowserAnalyticsPage(t *testing.T) {
	ctx := newTab(t)
	db, err := analytics.Open(analytics.File(t.TempDir()), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC).UnixNano())
	rec := analytics.NewRecorder(db, analytics.Options{Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	t.Cleanup(func() { rec.Close(); db.Close() })
	opts := DefaultOptions()
	opts.Analytics = rec
	opts.AdminKeys = []string{adminKey}
	opts.KeywordFields = browserKeywordFields
	handler := New(browser.ix, opts, nil)
	totals := scriptedAnalytics(t, handler)
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)

	run(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(ts.URL+"/admin/analytics"))
	waitFor(t, ctx, "the key form", `!document.getElementById('keyform').hidden && document.getElementById('reports').hidden`)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("adminkey"), "wrong-key"), chromedp.Click(chromedp.CSS(`#keyform button`)))
	waitFor(t, ctx, "the refusal", `!document.getElementById('error').hidden && /admin key/.test(document.getElementById('error').textContent) && !document.getElementById('keyform').hidden`)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("adminkey"), adminKey), chromedp.Click(chromedp.CSS(`#keyform button`)))
	rows := func(table string) string {
		return `[...document.querySelectorAll('#` + table + ` tbody tr')].map(tr => [...tr.cells].map(td => td.textContent).join('|'))`
	}
	waitFor(t, ctx, "the reports", `!document.getElementById('reports').hidden && document.getElementById('error').hidden && `+rows("queries")+`.length === 5`)
	var got struct {
		Queries  []string `json:"queries"`
		Zero     []string `json:"zero"`
		Articles []string `json:"articles"`
		Bars     int      `json:"bars"`
		Zeros    int      `json:"zeros"`
		Summary  string   `json:"summary"`
		Stored   string   `json:"stored"`
		URL      string   `json:"url"`
	}
	eval(t, ctx, `({queries: `+rows("queries")+`, zero: `+rows("zero")+`, articles: `+rows("articles")+`,
		bars: document.querySelectorAll('#chart svg rect.searches').length, zeros: document.querySelectorAll('#chart svg rect.zero').length,
		summary: document.getElementById('volume-summary').textContent,
		stored: sessionStorage.getItem('folio.adminKey'), url: location.href})`, &got)
	n := func(v uint64) string { return strconv.FormatUint(v, 10) }
	want := []string{
		"oil|3|" + n(totals["oil"]) + ".0|3|67 %|1.7",
		"cmbodiaa|2|0.0|0|0 %|–",
		"canten menu|1|" + n(totals["canten menu"]) + ".0|1|100 %|1.0",
		"diamond hexagon|1|" + n(totals["diamond hexagon"]) + ".0|1|100 %|1.0",
		"zzqqxxnothing|1|0.0|0|0 %|–",
	}
	if d := cmp.Diff(want, got.Queries); d != "" {
		t.Errorf("top queries table (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"cmbodiaa|2|Cambodia", "zzqqxxnothing|1|–"}, got.Zero); d != "" {
		t.Errorf("zero-result table (-want +got):\n%s", d)
	}
	wantA := []string{"reuters-988|2|1.0|oil (2)", "canteen-menu-crlf|1|1.0|canten menu (1)", ironclad + "|1|1.0|diamond hexagon (1)", "reuters-570|1|3.0|oil (1)"}
	if d := cmp.Diff(wantA, got.Articles); d != "" {
		t.Errorf("articles table (-want +got):\n%s", d)
	}
	if got.Bars != 1 || got.Zeros != 1 || got.Summary != "9 searches, 3 found nothing (33 %)." {
		t.Errorf("chart: %d bars, %d zero-result bars, summary %q; want 1, 1 and 9 searches, 3 found nothing (33 %%).", got.Bars, got.Zeros, got.Summary)
	}
	if got.Stored != adminKey || strings.Contains(got.URL, adminKey) {
		t.Errorf("the key: sessionStorage %q, URL %s; want it stored and not in the URL", got.Stored, got.URL)
	}

	// A week of history for the chart; the key survives a reload.
	for d := 1; d <= 6; d++ {
		clock.Store(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC).AddDate(0, 0, -d).UnixNano())
		for i := range 3 + (d*5)%7 {
			q := []string{"budget 2027", "canteen menu", "travel policy", "vpn", "parking permit"}[i%5]
			rec.Search(analytics.Search{Query: q, Total: uint64(i % 4)})
		}
	}
	run(t, ctx, chromedp.Reload())
	waitFor(t, ctx, "the reports with a week of history", `!document.getElementById('reports').hidden && document.querySelectorAll('#chart svg rect.searches').length === 7`)
	screenshot(t, ctx, "analytics-1280.png")
	run(t, ctx, chromedp.EmulateViewport(360, 800), chromedp.Reload())
	waitFor(t, ctx, "the reports at 360 px", `!document.getElementById('reports').hidden && document.querySelectorAll('#chart svg rect.searches').length === 7`)
	var width int
	eval(t, ctx, `document.documentElement.scrollWidth`, &width)
	if width > 360 {
		t.Errorf("at 360 px the page is %d px wide", width)
	}
	screenshot(t, ctx, "analytics-360.png")
}
