package server

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"
)

// tokenHost is an intranet page embedding the widget of folioURL with the
// reader token token and, with provider set, a tokenProvider that fetches
// /token from this page's server, which mints a fresh token of groups and
// counts the calls in calls.
func tokenHost(t *testing.T, folioURL *atomic.Value, token string, provider bool, groups []string, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, hsToken(t, groups...))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		script := ""
		if provider {
			script = `<script>customElements.whenDefined('folio-search').then(() => {
  document.querySelector('folio-search').tokenProvider = async () => (await fetch('/token')).text();
});</script>`
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portal</title>
<script src="%s/widget.js" defer></script></head>
<body><folio-search size="10" token="%s"></folio-search>%s</body></html>`, folioURL.Load(), html.EscapeString(token), script)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

// TestBrowserWidgetWithToken: the widget sends its token, so a reader sees
// only what it may see; an expired token, and one Folio refuses (401
// invalid_token), is replaced through tokenProvider without any visible
// error.
func TestBrowserWidgetWithToken(t *testing.T) {
	ctx := newTab(t)
	ix := accessIndex(t, "hr-", "eng-")
	var folio atomic.Value
	var calls atomic.Int32
	expired := signed(t, jwt.SigningMethodHS256, testSecret, "portal-2026", jwt.MapClaims{"exp": time.Now().Add(-10 * time.Minute).Unix(), "groups": []string{"hr"}})
	// Valid for the widget's clock, refused by Folio (its kid was retired):
	// replaced after the 401.
	refused := signed(t, jwt.SigningMethodHS256, testSecret, "portal-1999", jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix(), "groups": []string{"hr"}})
	for _, tt := range []struct {
		name     string
		token    string
		provider bool
		groups   []string
		query    string
		want     string // the ids, in the widget's order, joined by spaces
	}{
		{"hr sees its article", hsToken(t, "hr"), false, nil, "zorbulent", "hr-payroll"},
		{"eng does not", hsToken(t, "eng"), false, nil, "zorbulent", ""},
		{"eng sees its own", hsToken(t, "eng"), false, nil, "grindlewick", "eng-postmortem eng-oncall eng-runbook"},
		{"expired token refreshed", expired, true, []string{"hr"}, "zorbulent", "hr-payroll"},
		{"refused token replaced", refused, true, []string{"hr"}, "zorbulent", "hr-payroll"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls.Store(0)
			host := tokenHost(t, &folio, tt.token, tt.provider, tt.groups, &calls)
			o := DefaultOptions()
			o.AllowedOrigins = []string{host.URL}
			folio.Store(httptest.NewServer(accessServer(ix, o)).URL)
			run(t, ctx, chromedp.Navigate(host.URL+"/"))
			typeInWidget(t, ctx, tt.query)
			var got struct {
				IDs, Msg, Status string
			}
			eval(t, ctx, `({ids: `+widgetHits+`.map(li => li.dataset.id).join(' '), msg: `+widgetRoot+`.querySelector('.msg').textContent, status: `+widgetStatus+`})`, &got)
			wantStatus := "No results."
			if tt.want != "" {
				wantStatus = fmt.Sprintf("%d result", len(strings.Fields(tt.want)))
			}
			if !sameSet(strings.Fields(got.IDs), strings.Fields(tt.want)) || len(got.Status) < len(wantStatus) || got.Status[:len(wantStatus)] != wantStatus {
				t.Errorf("widget shows %q (message %q, status %q), want %q", got.IDs, got.Msg, got.Status, tt.want)
			}
			if tt.provider && calls.Load() == 0 {
				t.Error("the tokenProvider was never called")
			}
		})
	}
}

// TestBrowserPageWithToken: the search page takes a token from its URL
// (as the widget's "See all results" passes it), drops it from the URL and
// sends it with every request.
func TestBrowserPageWithToken(t *testing.T) {
	ctx := newTab(t)
	ts := httptest.NewServer(accessServer(accessIndex(t, "hr-", "eng-"), DefaultOptions()))
	t.Cleanup(ts.Close)
	run(t, ctx, chromedp.Navigate(ts.URL+"/?q=zorbulent&token="+url.QueryEscape(hsToken(t, "hr"))))
	waitFor(t, ctx, "hr-payroll on the page", `[...document.querySelectorAll('#results li[data-id]')].map(li => li.dataset.id).join(' ') === 'hr-payroll' && !location.search.includes('token')`)
	run(t, ctx, chromedp.Navigate(ts.URL+"/?q=zorbulent"))
	waitFor(t, ctx, "hr-payroll again, with the token kept for the session", `[...document.querySelectorAll('#results li[data-id]')].map(li => li.dataset.id).join(' ') === 'hr-payroll'`)
	run(t, ctx, js(`sessionStorage.clear()`), chromedp.Navigate(ts.URL+"/?q=zorbulent"))
	waitFor(t, ctx, "nothing without a token", `document.querySelectorAll('#results li[data-id]').length === 0 && /No results|0 results|nothing/i.test(document.body.textContent)`)
}

// sameSet reports whether a and b hold the same ids, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
