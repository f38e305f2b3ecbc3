package server

// Browser tests: the search page, the article page and the widget in a real
// headless Chromium driven by chromedp. They skip when no Chromium is
// installed, unless FOLIO_BROWSER_TESTS=required (set by .ci/run), which
// turns the skip into a failure. Screenshots go to FOLIO_SCREENSHOT_DIR when
// set (kept), else to the test's temp dir (removed after the run); their
// paths are logged.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
)

// browserArticles adds the hostile-markup article to testdata/articles.
const browserArticles = "../testdata/browser"

// hostile is the id of the article whose title and body carry markup.
const hostile = "hostile-markup"

// browser is the one Chromium of this test binary, and the index its tests
// search (testdata/articles plus testdata/browser).
var browser struct {
	once     sync.Once
	skip     string // why the browser tests cannot run here
	err      error
	ctx      context.Context // the browser's first tab; new tabs derive from it
	cancel   []context.CancelFunc
	dir      string
	ix       *index.Index
	problems []string
}

// chromium returns the path of an installed Chromium, or "".
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func startBrowser() {
	path := chromium()
	if path == "" {
		browser.skip = "browser tests skipped: no Chromium found (install Debian's chromium package; FOLIO_BROWSER_TESTS=required makes this a failure)"
		return
	}
	if browser.dir, browser.err = os.MkdirTemp("", "folio-browser-test-"); browser.err != nil {
		return
	}
	ixOpts := index.DefaultOptions(filepath.Join(browser.dir, "idx"))
	ixOpts.KeywordFields = browserKeywordFields
	if browser.ix, browser.err = index.Create(ixOpts); browser.err != nil {
		return
	}
	if _, browser.err = browser.ix.Ingest(context.Background(), []string{articlesDir, browserArticles}, index.IngestOptions{
		Problem: func(e *article.InputError) { browser.problems = append(browser.problems, e.Error()) },
	}); browser.err != nil {
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(browser.dir, "profile")),
		chromedp.WindowSize(1024, 800),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	browser.cancel = []context.CancelFunc{bcancel, acancel}
	browser.ctx = bctx
	browser.err = chromedp.Do(bctx) // starts the browser
}

// stopBrowser closes the browser and removes its index; TestMain calls it.
func stopBrowser() {
	for _, c := range browser.cancel {
		c()
	}
	if browser.ix != nil {
		browser.ix.Close()
	}
	if browser.dir != "" {
		os.RemoveAll(browser.dir)
	}
}

// newTab opens a tab of the shared browser for t, or skips t when there is
// no Chromium (fails it when FOLIO_BROWSER_TESTS=required).
func newTab(t *testing.T) context.Context {
	t.Helper()
	browser.once.Do(startBrowser)
	if browser.skip != "" {
		if os.Getenv("FOLIO_BROWSER_TESTS") == "required" {
			t.Fatal(browser.skip + "; FOLIO_BROWSER_TESTS=required")
		}
		t.Skip(browser.skip)
	}
	if browser.err != nil {
		t.Fatalf("start the browser tests: %v", browser.err)
	}
	if len(browser.problems) > 0 {
		t.Fatalf("test articles with problems: %q", browser.problems)
	}
	ctx, cancel := chromedp.NewContext(browser.ctx)
	t.Cleanup(cancel)
	// A bound for a hung browser, not a timing assertion.
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// browserKeywordFields are the keyword fields of the browser tests' index
// (testdata/browser/seaweed.jsonl has them), offered by the page as facets.
var browserKeywordFields = []string{"topics", "places"}

// folioServer serves the browser tests' index with opts on a real port; the
// page offers the index's keyword fields as facets unless opts says otherwise.
func folioServer(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	if opts.KeywordFields == nil {
		opts.KeywordFields = browserKeywordFields
	}
	ts := httptest.NewServer(New(browser.ix, opts, nil))
	t.Cleanup(ts.Close)
	return ts
}

// hostServer is another origin: an intranet page embedding the widget from
// folio (read when the page is requested), with hostile CSS that would hide
// the widget's parts if it could reach them, and a theme colour for it.
// ?key=, ?from=, ?to= and ?size= (default 3) set the widget's attributes of
// those names; ?spacer=N puts N pixels of page above the widget.
func hostServer(t *testing.T, folio *atomic.Value) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attrs := ""
		for _, name := range []string{"key", "from", "to"} {
			if v := r.URL.Query().Get(name); v != "" {
				attrs += fmt.Sprintf(` %s="%s"`, name, v)
			}
		}
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		if size == 0 {
			size = 3
		}
		spacer, _ := strconv.Atoi(r.URL.Query().Get("spacer"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Intranet portal</title>
<style>ul, li, mark, input, span { display: none !important; } body { font: 16px serif; }
folio-search { --folio-accent: rgb(1, 2, 3); }</style>
<script src="%s/widget.js" defer></script></head>
<body><h1>Intranet portal</h1><p><a id="hostlink" href="#x">a host link</a></p><div style="height: %dpx"></div>
<folio-search placeholder="Search the news" size="%d"%s></folio-search>
<p>Page text below the widget.</p></body></html>`, folio.Load(), spacer, size, attrs)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// run runs actions in the tab and fails the test on error.
func run(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// js is an action that evaluates a JavaScript expression for its effect.
func js(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](expr)
}

// eval evaluates a JavaScript expression into out.
func eval[T any](t *testing.T, ctx context.Context, expr string, out *T) {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	*out = v
}

// pageState describes the page for failure messages.
const pageState = `JSON.stringify({url: location.href, status: document.getElementById('status')?.textContent,
	error: document.getElementById('error')?.textContent, ids: [...document.querySelectorAll('#results li')].map(li => li.dataset.id),
	widget: document.querySelector('folio-search')?.shadowRoot?.querySelector('.panel')?.textContent})`

// waitFor polls until the JavaScript condition holds (the page settles
// through fetches and history events, so there is nothing to sync on).
// A poll that a navigation interrupts (its JavaScript context is destroyed)
// is started again, until the deadline.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](pageState))
			t.Fatalf("waiting for %s: %v\ncondition: %s\npage: %s", what, err, cond, state)
		}
	}
}

// screenshot saves the tab's viewport as a PNG and logs its path.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("FOLIO_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// pressSlash presses "/" as a keyboard does: one keyDown carrying the text,
// so a keydown handler's preventDefault keeps the character from being typed
// (chromedp.KeyEvent sends a separate char event that nothing can cancel).
func pressSlash() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "/", Code: "Slash", Text: "/", UnmodifiedText: "/", WindowsVirtualKeyCode: 191}
		if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, down); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191})
		return err
	})
}

// colorScheme emulates prefers-color-scheme ("" for the default).
func colorScheme(value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: value}},
		})
		return err
	})
}

const firstHit = `document.querySelector('#results li')?.dataset.id`

func TestBrowserSearchPage(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("q")))
	waitFor(t, ctx, "the newest articles", `document.querySelectorAll('#results li').length === 10 && /newest first/.test(document.getElementById('status').textContent)`)

	// Pagination: browsing every article spans pages; Next moves to page 2.
	var first string
	eval(t, ctx, firstHit, &first)
	waitFor(t, ctx, "the pager", `!document.getElementById('pager').hidden && /^Page 1 of \d+$/.test(document.getElementById('pageinfo').textContent) && document.getElementById('prev').getAttribute('aria-disabled') === 'true'`)
	run(t, ctx, chromedp.Click(chromedp.ID("next")))
	waitFor(t, ctx, "page 2", `location.search === '?page=2' && document.getElementById('pageinfo').textContent.startsWith('Page 2 of ') && `+firstHit+` !== '`+first+`'`)
	run(t, ctx, js(`history.back()`))
	waitFor(t, ctx, "Back to page 1", `location.search === '' && `+firstHit+` === '`+first+`'`)

	run(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "Diamond Hexagon"))
	waitFor(t, ctx, "the Cambodia article first, the URL and the live region updated",
		`location.search === '?q=Diamond+Hexagon' && `+firstHit+` === '`+ironclad+`' &&
		/^\d+ results? for “Diamond Hexagon” \([\d.]+ ms\)$/.test(document.getElementById('status').textContent) &&
		!document.body.hasAttribute('aria-busy')`)
	var marks []string
	eval(t, ctx, `[...document.querySelectorAll('#results li:first-child mark')]
		.filter(m => m.getClientRects().length > 0 && getComputedStyle(m).visibility === 'visible' && getComputedStyle(m).backgroundColor !== 'rgba(0, 0, 0, 0)')
		.map(m => m.textContent)`, &marks)
	if !strings.Contains(strings.Join(marks, " "), "Diamond Hexagon") {
		t.Errorf("visible <mark>s in the first hit: %q, want Diamond and Hexagon", marks)
	}
	var link string
	eval(t, ctx, `document.querySelector('#results li:first-child h2 a').getAttribute('href')`, &link)
	if link != "/articles/"+ironclad+"?q=Diamond%20Hexagon" {
		t.Errorf("the title links to %q, want Folio's article page (the article has no url)", link)
	}
	screenshot(t, ctx, "search-page.png")

	// The dark theme follows prefers-color-scheme.
	var bg string
	eval(t, ctx, `getComputedStyle(document.body).backgroundColor`, &bg)
	run(t, ctx, colorScheme("dark"))
	var dark string
	eval(t, ctx, `getComputedStyle(document.body).backgroundColor`, &dark)
	if bg != "rgb(255, 255, 255)" || dark != "rgb(15, 20, 25)" {
		t.Errorf("page background: light %q, dark %q; want rgb(255, 255, 255) and rgb(15, 20, 25)", bg, dark)
	}
	screenshot(t, ctx, "search-page-dark.png")
	run(t, ctx, colorScheme(""))

	// The date filter hides the article (it is from 2024-12-04).
	run(t, ctx, js(`(() => { const f = document.getElementById('from'); f.value = '2025-01-01';
		f.dispatchEvent(new Event('change', {bubbles: true})); })()`))
	waitFor(t, ctx, "the date filter in the URL and the article gone",
		`location.search === '?q=Diamond+Hexagon&from=2025-01-01' && !document.body.hasAttribute('aria-busy') &&
		![...document.querySelectorAll('#results li')].some(li => li.dataset.id === '`+ironclad+`') &&
		/for “Diamond Hexagon”/.test(document.getElementById('status').textContent)`)

	// Back restores the previous results and controls; Forward the filtered ones.
	run(t, ctx, js(`history.back()`))
	waitFor(t, ctx, "Back to restore the unfiltered results",
		`location.search === '?q=Diamond+Hexagon' && document.getElementById('from').value === '' && `+firstHit+` === '`+ironclad+`'`)
	run(t, ctx, js(`history.forward()`))
	waitFor(t, ctx, "Forward to restore the filter",
		`location.search === '?q=Diamond+Hexagon&from=2025-01-01' && document.getElementById('from').value === '2025-01-01' &&
		!document.body.hasAttribute('aria-busy') && ![...document.querySelectorAll('#results li')].some(li => li.dataset.id === '`+ironclad+`')`)

	// A reload keeps the state; sorting and the quick ranges land in the URL.
	run(t, ctx, chromedp.Reload())
	waitFor(t, ctx, "the reloaded page to show the same state",
		`document.getElementById('q').value === 'Diamond Hexagon' && document.getElementById('from').value === '2025-01-01' &&
		/for “Diamond Hexagon”/.test(document.getElementById('status').textContent)`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`[data-range="all"]`)))
	waitFor(t, ctx, "All time to clear the dates", `location.search === '?q=Diamond+Hexagon' && `+firstHit+` === '`+ironclad+`'`)
	run(t, ctx, chromedp.SetValue(chromedp.ID("sort"), "oldest"), js(`document.getElementById('sort').dispatchEvent(new Event('change'))`))
	waitFor(t, ctx, "sort=oldest in the URL", `location.search === '?q=Diamond+Hexagon&sort=oldest' && !document.body.hasAttribute('aria-busy')`)

	// The empty state and the error state (a 4xx shows the API's message).
	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=zzqqxxnothing"))
	waitFor(t, ctx, "the empty state", `!document.getElementById('empty').hidden && /No articles match “zzqqxxnothing”/.test(document.getElementById('empty').textContent) && document.getElementById('status').textContent === 'No results for “zzqqxxnothing”.'`)
	// Did you mean: a misspelt query offers the corrected one, which searches when clicked.
	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=Cambodai"))
	waitFor(t, ctx, "the did-you-mean line", `!document.getElementById('suggestion').hidden && document.getElementById('suggestion').textContent === 'Did you mean Cambodia?'`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#suggestion a`)))
	waitFor(t, ctx, "the corrected search", `location.search === '?q=Cambodia' && `+firstHit+` === '`+ironclad+`'`)
	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=nosuchfield:x"))
	waitFor(t, ctx, "the error state", `!document.getElementById('error').hidden && /unknown field "nosuchfield"/.test(document.getElementById('error').textContent)`)

	// Usable at 320 px: nothing wider than the viewport.
	run(t, ctx, chromedp.EmulateViewport(320, 640), chromedp.Navigate(srv.URL+"/?q=Diamond+Hexagon"))
	waitFor(t, ctx, "results at 320 px", firstHit+` === '`+ironclad+`'`)
	var width int
	eval(t, ctx, `document.documentElement.scrollWidth`, &width)
	if width > 320 {
		t.Errorf("at 320 px the page is %d px wide (horizontal scrolling)", width)
	}
}

func TestBrowserKeyboard(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(srv.URL+"/?q=China+Cambodia"))
	waitFor(t, ctx, "results", firstHit+` === '`+ironclad+`' && document.querySelectorAll('#results li').length > 1`)

	focused := func() string {
		var s string
		eval(t, ctx, `(() => { const a = document.activeElement; return a.id || (a.closest('li')?.dataset.id ?? a.tagName); })()`, &s)
		return s
	}
	var second string
	eval(t, ctx, `document.querySelectorAll('#results li')[1].dataset.id`, &second)

	run(t, ctx, js(`document.activeElement.blur()`), pressSlash())
	if got := focused(); got != "q" {
		t.Fatalf("after /: focus on %q, want the search box", got)
	}
	var box string
	eval(t, ctx, `document.getElementById('q').value`, &box)
	if box != "China Cambodia" {
		t.Fatalf("after /: the search box holds %q, want the query unchanged (the / must not be typed)", box)
	}
	for i, step := range []struct{ key, name, want string }{
		{kb.ArrowDown, "ArrowDown", ironclad}, {kb.ArrowDown, "ArrowDown", second}, {kb.ArrowUp, "ArrowUp", ironclad},
		{kb.ArrowUp, "ArrowUp", "q"}, {kb.ArrowDown, "ArrowDown", ironclad},
	} {
		run(t, ctx, chromedp.KeyEvent(step.key))
		if got := focused(); got != step.want {
			t.Fatalf("step %d, %s: focus on %q, want %q", i+1, step.name, got, step.want)
		}
	}
	var outline string
	eval(t, ctx, `getComputedStyle(document.activeElement).outlineStyle`, &outline)
	if outline == "none" || outline == "" {
		t.Errorf("the focused hit has no visible outline (outline-style %q)", outline)
	}
	run(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "Enter to open the article page with the terms marked",
		`location.pathname === '/articles/`+ironclad+`' && document.getElementById('title').textContent === 'Ironclad friendship with Cambodia hailed' &&
		[...document.querySelectorAll('#body mark')].map(m => m.textContent).join(' ').includes('China') && [...document.querySelectorAll('#body mark')].some(m => m.textContent === 'Cambodia') &&
		/^\d+ matches of “China Cambodia” marked\.$/.test(document.getElementById('status').textContent)`)
}

// embeddedFolio starts a Folio server that allows the origin of a host
// page embedding its widget, and returns the URLs of both.
func embeddedFolio(t *testing.T) (hostURL, folioURL string) {
	t.Helper()
	var folio atomic.Value // the URL of the Folio server the host page embeds
	host := hostServer(t, &folio)
	opts := DefaultOptions()
	opts.AllowedOrigins = []string{host.URL}
	folioURL = folioServer(t, opts).URL
	folio.Store(folioURL)
	return host.URL, folioURL
}

// TestBrowserHostileArticle: no markup of an article becomes an element
// or runs, on the search page, the article page or the widget. The title,
// source and author are text with markup in them, shown as text; the body
// is HTML (real elements, read as its text: the script and the handler are
// gone) whose entities spell the same markup out, shown as text too.
func TestBrowserHostileArticle(t *testing.T) {
	ctx := newTab(t)
	hostURL, folioURL := embeddedFolio(t)
	const img, script = `<img src=x onerror="window.__xss=1">`, `<script>window.__xss=1</script>`
	safe := func(where, root, textExpr string) {
		t.Helper()
		var got struct {
			XSS      bool   `json:"xss"`
			Elements int    `json:"elements"`
			Text     string `json:"text"`
		}
		eval(t, ctx, `({xss: window.__xss !== undefined, elements: `+root+`.querySelectorAll('img, script, b, i, a[href^="javascript"]').length, text: `+textExpr+`})`, &got)
		if got.XSS || got.Elements != 0 {
			t.Errorf("%s: window.__xss set %v, %d elements made from article text", where, got.XSS, got.Elements)
		}
		if !strings.Contains(got.Text, img) || !strings.Contains(got.Text, script) {
			t.Errorf("%s: the markup is not shown as text: %q", where, got.Text)
		}
	}

	run(t, ctx, chromedp.Navigate(folioURL+"/?q=zanzibarquux"))
	waitFor(t, ctx, "the hostile article on the page", firstHit+` === '`+hostile+`'`)
	safe("search page", "document.getElementById('results')", `document.querySelector('#results li h2').textContent`)
	var href string
	eval(t, ctx, `document.querySelector('#results li h2 a').getAttribute('href')`, &href)
	if href != "/articles/"+hostile+"?q=zanzibarquux" {
		t.Errorf("the title of the hostile article (no url: ingest refuses javascript: URLs) links to %q, want Folio's article page", href)
	}
	var meta string
	eval(t, ctx, `document.querySelector('#results li .meta').textContent`, &meta)
	if !strings.Contains(meta, "<b>Hostile</b> Feed") {
		t.Errorf("source not shown as text: %q", meta)
	}

	run(t, ctx, chromedp.Navigate(folioURL+"/articles/"+hostile+"?q=zanzibarquux"))
	waitFor(t, ctx, "the hostile article page", `document.querySelectorAll('#body mark').length > 0`)
	safe("article page title", "document.getElementById('article')", `document.getElementById('title').textContent`)
	safe("article page body", "document.getElementById('article')", `document.getElementById('body').textContent`)

	run(t, ctx, chromedp.Navigate(hostURL+"/"), chromedp.WaitReady(chromedp.CSS("folio-search")))
	typeInWidget(t, ctx, "zanzibarquux")
	waitFor(t, ctx, "the hostile article in the widget", widgetHits+`.length === 1 && `+widgetHits+`[0].dataset.id === '`+hostile+`'`)
	safe("widget", "document.querySelector('folio-search').shadowRoot", widgetHits+`[0].textContent`)
}

const widgetRoot = `document.querySelector('folio-search').shadowRoot`
const widgetHits = `[...` + widgetRoot + `.querySelectorAll('li[role=option]')]`
const widgetStatus = widgetRoot + `.querySelector('[role=status]').textContent`

// typeInWidget focuses the widget's box (inside its shadow root) and types text.
func typeInWidget(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	waitFor(t, ctx, "the widget to be defined", `customElements.get('folio-search') !== undefined && !!`+widgetRoot)
	run(t, ctx, js(widgetRoot+`.querySelector('input').focus()`), chromedp.KeyEvent(text))
	// Wait until the widget has answered for the whole text, not a prefix.
	waitFor(t, ctx, "the widget to answer for "+text, `(() => { const p = `+widgetRoot+`.querySelector('.panel');
		return !p.hidden && p.dataset.query === `+strconv.Quote(text)+`; })()`)
}

func TestBrowserWidgetCrossOrigin(t *testing.T) {
	ctx := newTab(t)
	var folio atomic.Value // the URL of the Folio server the host page embeds
	host := hostServer(t, &folio)

	t.Run("allowed origin", func(t *testing.T) {
		opts := DefaultOptions()
		opts.AllowedOrigins = []string{host.URL}
		folioURL := folioServer(t, opts).URL
		folio.Store(folioURL)
		run(t, ctx, chromedp.EmulateViewport(1024, 700), chromedp.Navigate(host.URL+"/"))
		typeInWidget(t, ctx, "China Cambodia")
		waitFor(t, ctx, "the widget's results", widgetHits+`.length === 3 && `+widgetHits+`[0].dataset.id === '`+ironclad+`' && /^\d+ results\.$/.test(`+widgetStatus+`)`)
		var view struct {
			Visible     bool   `json:"visible"`
			Marks       int    `json:"marks"`
			All         string `json:"all"`
			HostLink    string `json:"hostLink"`
			Accent      string `json:"accent"`
			Placeholder string `json:"placeholder"`
		}
		eval(t, ctx, `({visible: `+widgetHits+`.every(li => li.getClientRects().length > 0) && `+widgetRoot+`.querySelector('input').getClientRects().length > 0,
			marks: `+widgetHits+`[0].querySelectorAll('mark').length,
			all: `+widgetRoot+`.querySelector('a.all').href,
			hostLink: getComputedStyle(document.getElementById('hostlink')).textDecorationLine,
			accent: getComputedStyle(`+widgetHits+`[0].querySelector('a')).color,
			placeholder: `+widgetRoot+`.querySelector('input').placeholder})`, &view)
		if view.Accent != "rgb(1, 2, 3)" || view.Placeholder != "Search the news" {
			t.Errorf("--folio-accent gave the links colour %q (want rgb(1, 2, 3)); placeholder %q", view.Accent, view.Placeholder)
		}
		if !view.Visible {
			t.Errorf("the host page's CSS hid the widget's parts")
		}
		if view.Marks == 0 {
			t.Errorf("no <mark> in the widget's first result")
		}
		if view.All != folioURL+"/?q=China+Cambodia" {
			t.Errorf("see-all link %q, want %q", view.All, folioURL+"/?q=China+Cambodia")
		}
		if view.HostLink != "underline" {
			t.Errorf("the widget's CSS leaked into the page: host link text-decoration %q", view.HostLink)
		}
		screenshot(t, ctx, "widget-open.png")

		// Keyboard: the arrows move the active option, Enter opens it.
		active := func() string {
			var s string
			eval(t, ctx, `(() => { const id = `+widgetRoot+`.querySelector('input').getAttribute('aria-activedescendant');
				const el = id && `+widgetRoot+`.getElementById(id); return el ? (el.getAttribute('aria-selected') === 'true' ? (el.dataset.id || 'all') : 'unselected') : ''; })()`, &s)
			return s
		}
		var ids []string
		eval(t, ctx, widgetHits+`.map(li => li.dataset.id)`, &ids)
		for _, step := range []struct{ key, want string }{
			{kb.ArrowDown, ids[0]}, {kb.ArrowDown, ids[1]}, {kb.ArrowDown, ids[2]}, {kb.ArrowDown, "all"}, {kb.ArrowDown, ids[0]}, {kb.ArrowUp, "all"}, {kb.ArrowDown, ids[0]},
		} {
			run(t, ctx, chromedp.KeyEvent(step.key))
			if got := active(); got != step.want {
				t.Fatalf("after %q: active option %q, want %q", step.key, got, step.want)
			}
		}
		run(t, ctx, chromedp.KeyEvent(kb.Escape))
		var expanded string
		eval(t, ctx, widgetRoot+`.querySelector('input').getAttribute('aria-expanded')`, &expanded)
		if expanded != "false" {
			t.Errorf("Escape left the dropdown open (aria-expanded %q)", expanded)
		}
		run(t, ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
		waitFor(t, ctx, "Enter to open the article on Folio",
			`location.href === '`+folioURL+`/articles/`+ironclad+`?q=China%20Cambodia' && document.getElementById('title').textContent.includes('Cambodia')`)
	})

	t.Run("fixed date window", func(t *testing.T) {
		opts := DefaultOptions()
		opts.AllowedOrigins = []string{host.URL}
		folio.Store(folioServer(t, opts).URL)
		run(t, ctx, chromedp.Navigate(host.URL+"/?to=2024-01-01"))
		typeInWidget(t, ctx, "China Cambodia")
		var got struct {
			IDs []string `json:"ids"`
			All string   `json:"all"`
		}
		eval(t, ctx, `({ids: `+widgetHits+`.map(li => li.dataset.id), all: `+widgetRoot+`.querySelector('a.all').href})`, &got)
		if slices.Contains(got.IDs, ironclad) || len(got.IDs) == 0 || !strings.HasSuffix(got.All, "/?q=China+Cambodia&to=2024-01-01") {
			t.Errorf("to=2024-01-01: hits %q, see-all %q; want hits without the 2024 article and the window in the link", got.IDs, got.All)
		}
	})

	t.Run("see all stays in view", func(t *testing.T) {
		opts := DefaultOptions()
		opts.AllowedOrigins = []string{host.URL}
		folio.Store(folioServer(t, opts).URL)
		// 20 results with snippets are taller than the window, and the
		// widget sits halfway down it.
		run(t, ctx, chromedp.EmulateViewport(1024, 700), chromedp.Navigate(host.URL+"/?size=20&spacer=250"))
		typeInWidget(t, ctx, "said")
		waitFor(t, ctx, "20 results", widgetHits+`.length === 20`)
		// The link is in the window, inside the panel, and nothing covers its middle.
		seeAll := `(() => { const a = ` + widgetRoot + `.querySelector('a.all'), r = a.getBoundingClientRect(),
			p = a.parentElement.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
			return r.height > 0 && r.top >= p.top && r.bottom <= p.bottom + 1 && r.bottom <= innerHeight &&
				` + widgetRoot + `.elementFromPoint(x, y) === a; })()`
		visible := func(when string) {
			t.Helper()
			var ok bool
			eval(t, ctx, seeAll, &ok)
			if !ok {
				var pos string
				eval(t, ctx, `JSON.stringify({all: `+widgetRoot+`.querySelector('a.all').getBoundingClientRect(), panel: `+widgetRoot+`.querySelector('.panel').getBoundingClientRect(), window: innerHeight})`, &pos)
				t.Errorf("%s: the see-all link is out of sight: %s", when, pos)
			}
		}
		visible("results shown")
		screenshot(t, ctx, "widget-see-all.png")
		for range 12 {
			run(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
		}
		var activeInView bool
		eval(t, ctx, `(() => { const li = `+widgetHits+`[11], r = li.getBoundingClientRect(), u = li.parentElement.getBoundingClientRect();
			return li.getAttribute('aria-selected') === 'true' && r.top >= u.top - 1 && r.bottom <= u.bottom + 1; })()`, &activeInView)
		if !activeInView {
			t.Errorf("after 12 × ArrowDown the 12th result is not selected and scrolled into the list's view")
		}
		visible("12 results down")
	})

	t.Run("other origin", func(t *testing.T) {
		folio.Store(folioServer(t, DefaultOptions()).URL) // allows no origin
		// Subscribe before the page loads; a bound for a missing message.
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		console := chromedp.Console(cctx)
		run(t, ctx, chromedp.Navigate(host.URL+"/"))
		typeInWidget(t, ctx, "China Cambodia")
		waitFor(t, ctx, "the browser to block the answer", widgetStatus+` === 'Search is not available from this page.' && `+widgetHits+`.length === 0`)
		// The page's developer learns in the console which setting to change.
		want := "must add " + host.URL + " to server.cors.allowed_origins (environment variable FOLIO_SERVER_CORS_ALLOWED_ORIGINS)"
		var seen []string
		for m, err := range console {
			if err != nil {
				t.Fatalf("no console error containing %q (%v); the console had %q", want, err, seen)
			}
			if m.Type == chromedp.ConsoleError && strings.Contains(m.Text, want) {
				break
			}
			seen = append(seen, m.Text)
		}
	})
}

// TestBrowserWidgetLinks: a widget hit links to the article's url only when
// it is an http(s) URL (safeHref of render.js, inlined into widget.js), else
// to Folio's article page: an empty url and a javascript: url give no
// broken or unsafe link.
func TestBrowserWidgetLinks(t *testing.T) {
	ctx := newTab(t)
	hostURL, folioURL := embeddedFolio(t)
	for _, tt := range []struct{ url, query, id, want string }{
		{"empty", "Ironclad friendship", ironclad, folioURL + "/articles/" + ironclad + "?q=Ironclad%20friendship"},
		{"javascript:", "zanzibarquux", hostile, folioURL + "/articles/" + hostile + "?q=zanzibarquux"},
		{"https:", "handbook travel expenses", "handbook-travel-2024", "https://intranet.example/handbook/travel"},
	} {
		run(t, ctx, chromedp.Navigate(hostURL+"/"))
		typeInWidget(t, ctx, tt.query)
		var got struct {
			ID   string `json:"id"`
			Href string `json:"href"`
		}
		eval(t, ctx, `(() => { const li = `+widgetHits+`[0]; return li ? {id: li.dataset.id, href: li.querySelector('a.title').href} : {}; })()`, &got)
		if got.ID != tt.id || got.Href != tt.want {
			t.Errorf("article with a %s url: first hit %q links to %q, want %q to %q", tt.url, got.ID, got.Href, tt.id, tt.want)
		}
	}
}

func TestBrowserWidgetSearchKey(t *testing.T) {
	ctx := newTab(t)
	const key = "widget-key-0123456789"
	var folio atomic.Value // the URL of the Folio server the host page embeds
	host := hostServer(t, &folio)
	opts := DefaultOptions()
	opts.AllowedOrigins = []string{host.URL}
	opts.SearchKeys = []SearchKey{{Key: key, Origins: []string{host.URL}}}
	folioURL := folioServer(t, opts).URL
	folio.Store(folioURL)

	res, err := http.Get(folioURL + "/api/search?q=Diamond+Hexagon")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("no key: status %d, Content-Type %q; want 401 JSON", res.StatusCode, res.Header.Get("Content-Type"))
	}

	run(t, ctx, chromedp.Navigate(host.URL+"/"))
	typeInWidget(t, ctx, "China Cambodia")
	waitFor(t, ctx, "the widget without a key to show the 401 message", widgetStatus+`.startsWith('Search failed: a search key is required') && `+widgetHits+`.length === 0`)

	run(t, ctx, chromedp.Navigate(host.URL+"/?key="+key))
	typeInWidget(t, ctx, "China Cambodia")
	waitFor(t, ctx, "the widget with the key to show results", widgetHits+`.length === 3 && `+widgetHits+`[0].dataset.id === '`+ironclad+`'`)
}

func TestBrowserPageSearchKey(t *testing.T) {
	ctx := newTab(t)
	const key = "page-key-0123456789"
	opts := DefaultOptions()
	opts.SearchKeys = []SearchKey{{Key: key}}
	srv := folioServer(t, opts)
	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=Diamond+Hexagon"))
	waitFor(t, ctx, "the 401 message and the key form", `!document.getElementById('error').hidden &&
		document.getElementById('error').textContent.startsWith('Search failed: a search key is required') && !document.getElementById('keyform').hidden`)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("key"), key), chromedp.Click(chromedp.CSS(`#keyform button`)))
	waitFor(t, ctx, "results with the key", firstHit+` === '`+ironclad+`' && document.getElementById('error').hidden && document.getElementById('keyform').hidden`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#results li h2 a`)))
	waitFor(t, ctx, "the article page to use the key too", `document.getElementById('title').textContent === 'Ironclad friendship with Cambodia hailed'`)
}

// TestBrowserBasePath: under server.base_path the search page loads its
// style and scripts, searches, pages, links its articles, home and
// OpenSearch description below the prefix; the article page works there;
// and the widget loaded from <prefix>/widget.js searches and links there.
func TestBrowserBasePath(t *testing.T) {
	ctx := newTab(t)
	var folio atomic.Value // the URL of the Folio server the host page embeds
	host := hostServer(t, &folio)
	opts := DefaultOptions()
	opts.BasePath = "/folio"
	opts.AllowedOrigins = []string{host.URL}
	base := folioServer(t, opts).URL + "/folio"
	folio.Store(base)

	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(base+"/"))
	waitFor(t, ctx, "the browse under the base path", `document.querySelectorAll('#results li').length === 10 && /newest first/.test(document.getElementById('status').textContent)`)
	var page struct {
		Loaded     []string `json:"loaded"`
		Failed     []string `json:"failed"`
		MaxWidth   string   `json:"maxWidth"`
		Home       string   `json:"home"`
		Form       string   `json:"form"`
		OpenSearch string   `json:"openSearch"`
	}
	eval(t, ctx, `({loaded: performance.getEntriesByType('resource').map(e => e.name),
		failed: performance.getEntriesByType('resource').filter(e => e.responseStatus !== 200 && e.responseStatus !== 304).map(e => e.name + ' ' + e.responseStatus),
		maxWidth: getComputedStyle(document.body).maxWidth,
		home: document.querySelector('.bar h1 a').href, form: document.getElementById('search').action,
		openSearch: document.querySelector('link[rel=search]').href})`, &page)
	for _, want := range []string{"/static/style.css", "/static/app.js", "/static/render.js", "/api/search?"} {
		if !slices.ContainsFunc(page.Loaded, func(u string) bool { return strings.HasPrefix(u, base+want) }) {
			t.Errorf("the page did not load %s%s; it loaded %q", base, want, page.Loaded)
		}
	}
	if len(page.Failed) > 0 || page.MaxWidth != "1152px" {
		t.Errorf("failed loads %q, body max-width %q (want 1152px from style.css)", page.Failed, page.MaxWidth)
	}
	if page.Home != base+"/" || page.Form != base+"/" || page.OpenSearch != base+"/opensearch.xml" {
		t.Errorf("home link %q, form action %q, OpenSearch link %q; want them below %s", page.Home, page.Form, page.OpenSearch, base)
	}
	osd, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('link[rel=search]').href).then(r => r.status + ' ' + r.headers.get('Content-Type'))`, chromedp.EvalAwaitPromise))
	if err != nil || osd != "200 application/opensearchdescription+xml; charset=utf-8" {
		t.Errorf("the OpenSearch link answers %q, %v", osd, err)
	}

	run(t, ctx, chromedp.Click(chromedp.ID("next")))
	waitFor(t, ctx, "page 2 under the base path", `location.pathname === '/folio/' && location.search === '?page=2' && document.getElementById('pageinfo').textContent.startsWith('Page 2 of ')`)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "Diamond Hexagon"))
	waitFor(t, ctx, "the search under the base path", `location.pathname === '/folio/' && location.search === '?q=Diamond+Hexagon' && `+firstHit+` === '`+ironclad+`'`)
	var link string
	eval(t, ctx, `document.querySelector('#results li:first-child h2 a').getAttribute('href')`, &link)
	if link != "/folio/articles/"+ironclad+"?q=Diamond%20Hexagon" {
		t.Errorf("the title links to %q, want the article page below the base path", link)
	}
	screenshot(t, ctx, "base-path-page.png")

	run(t, ctx, chromedp.Click(chromedp.CSS(`#results li:first-child h2 a`)))
	waitFor(t, ctx, "the article page under the base path", `location.pathname === '/folio/articles/`+ironclad+`' &&
		document.getElementById('title').textContent === 'Ironclad friendship with Cambodia hailed' && document.querySelectorAll('#body mark').length > 0`)
	var links struct {
		Home string `json:"home"`
		Back string `json:"back"`
	}
	eval(t, ctx, `({home: document.querySelector('.bar h1 a').href, back: document.getElementById('back').href})`, &links)
	if links.Home != base+"/" || links.Back != base+"/?q=Diamond%20Hexagon" {
		t.Errorf("article page: home %q, back %q; want them below %s", links.Home, links.Back, base)
	}
	run(t, ctx, chromedp.Click(chromedp.ID("back")))
	waitFor(t, ctx, "Back to the results under the base path", `location.pathname === '/folio/' && `+firstHit+` === '`+ironclad+`'`)

	run(t, ctx, chromedp.Navigate(host.URL+"/"))
	typeInWidget(t, ctx, "China Cambodia")
	waitFor(t, ctx, "the widget's results", widgetHits+`.length === 3 && `+widgetHits+`[0].dataset.id === '`+ironclad+`'`)
	var widget struct {
		All   string `json:"all"`
		First string `json:"first"`
	}
	eval(t, ctx, `({all: `+widgetRoot+`.querySelector('a.all').href, first: `+widgetHits+`[0].querySelector('a').href})`, &widget)
	if widget.All != base+"/?q=China+Cambodia" || widget.First != base+"/articles/"+ironclad+"?q=China%20Cambodia" {
		t.Errorf("widget links: see all %q, first hit %q; want them below %s", widget.All, widget.First, base)
	}
	run(t, ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "Enter to open the article below the base path",
		`location.href === '`+base+`/articles/`+ironclad+`?q=China%20Cambodia' && document.getElementById('title').textContent.includes('Cambodia')`)
}

// TestBrowserResultsPage: the snippet's fragments show one ellipsis per gap;
// a browse shows the sort it really has (newest first) and a query typed
// next is sorted by relevance; a page past the end says so and links the
// last page.
func TestBrowserResultsPage(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(srv.URL+"/?q=Cambodia"))
	waitFor(t, ctx, "the Cambodia article", firstHit+` === '`+ironclad+`'`)
	var snippet string
	eval(t, ctx, `document.querySelector('#results li:first-child .snippet').textContent`, &snippet)
	// Three fragments cut on both sides: one "…" before, one per gap, one after.
	if strings.Count(snippet, "…") != 4 || regexp.MustCompile(`…\s*…`).MatchString(snippet) || !strings.Contains(snippet, "country has… promote") {
		t.Errorf("snippet %q: want the 3 fragments with a single … at each gap", snippet)
	}

	sortState := `(() => { const s = document.getElementById('sort'); return s.value + (s.querySelector('option[value=relevance]').disabled ? ' relevance-disabled' : ''); })()`
	sortIs := func(what, want string) {
		t.Helper()
		var got string
		eval(t, ctx, sortState, &got)
		if got != want {
			t.Errorf("%s: sort control %q, want %q", what, got, want)
		}
	}
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, "the browse", `document.querySelectorAll('#results li').length === 10 && /newest first/.test(document.getElementById('status').textContent)`)
	sortIs("browse", "newest relevance-disabled")
	run(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "China Cambodia"))
	waitFor(t, ctx, "the query typed after the browse, by relevance", `location.search === '?q=China+Cambodia' && `+firstHit+` === '`+ironclad+`' && !document.body.hasAttribute('aria-busy')`)
	sortIs("query after the browse", "relevance")
	run(t, ctx, chromedp.SetValue(chromedp.ID("sort"), "oldest"), js(`document.getElementById('sort').dispatchEvent(new Event('change'))`))
	waitFor(t, ctx, "sort=oldest", `location.search === '?q=China+Cambodia&sort=oldest' && !document.body.hasAttribute('aria-busy')`)
	run(t, ctx, js(`(() => { const q = document.getElementById('q'); q.value = ''; q.dispatchEvent(new Event('input')); })()`))
	waitFor(t, ctx, "the browse oldest first", `location.search === '?sort=oldest' && !document.body.hasAttribute('aria-busy')`)
	sortIs("browse oldest first", "oldest relevance-disabled")
	run(t, ctx, js(`history.back()`))
	waitFor(t, ctx, "Back to the query", `location.search === '?q=China+Cambodia&sort=oldest' && !document.body.hasAttribute('aria-busy')`)
	sortIs("Back to the query", "oldest")

	pastEnd := `(() => { const e = document.getElementById('empty'); return !e.hidden && document.getElementById('pager').hidden &&
		document.querySelectorAll('#results li').length === 0 ? e.textContent + ' ' + e.querySelector('a')?.getAttribute('href') : ''; })()`
	run(t, ctx, chromedp.Navigate(srv.URL+"/?page=500"))
	waitFor(t, ctx, "the past-the-end notice", pastEnd+` !== ''`)
	var notice string
	eval(t, ctx, pastEnd, &notice)
	m := regexp.MustCompile(`^Page 500 is past the end: there are (\d+) pages of results\.Go to the last page \((\d+)\) /\?page=(\d+)$`).FindStringSubmatch(notice)
	if m == nil || m[1] != m[2] || m[1] != m[3] {
		t.Fatalf("page 500 of a browse: notice %q; want the page past the end and a link to the last page", notice)
	}
	last := m[1]
	run(t, ctx, chromedp.Click(chromedp.CSS(`#empty a`)))
	waitFor(t, ctx, "the last page", `location.search === '?page=`+last+`' && document.querySelectorAll('#results li').length > 0 &&
		document.getElementById('pageinfo').textContent === 'Page `+last+` of `+last+`' && document.getElementById('empty').hidden`)
	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=Cambodia&page=3"))
	waitFor(t, ctx, "the past-the-end notice of a query", pastEnd+` === 'Page 3 is past the end: there is 1 page of results for “Cambodia”.Go to the last page (1) /?q=Cambodia'`)
}

// TestBrowserTypingUnclosedQuote: while typing, an unclosed quote is
// searched as text (the article is found, no error flashes); the same query
// submitted shows the syntax error.
func TestBrowserTypingUnclosedQuote(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, "the browse", `document.querySelectorAll('#results li').length === 10`)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("q"), `"Diamond Hexagon`))
	waitFor(t, ctx, "the typed unclosed quote searched as text", firstHit+` === '`+ironclad+`' && location.search === '?q=%22Diamond+Hexagon' && !document.body.hasAttribute('aria-busy')`)
	var errHidden bool
	eval(t, ctx, `document.getElementById('error').hidden`, &errHidden)
	if !errHidden {
		t.Errorf("an error is shown while typing an unclosed quote")
	}
	run(t, ctx, js(`document.getElementById('search').requestSubmit()`))
	waitFor(t, ctx, "the submitted query's syntax error", `!document.getElementById('error').hidden && /Search failed/.test(document.getElementById('error').textContent)`)
}

// TestBrowserHitTags: a hit shows its tags, each as text.
func TestBrowserHitTags(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(srv.URL+"/?q=handbook+travel+expenses"))
	waitFor(t, ctx, "the handbook article", firstHit+` === 'handbook-travel-2024'`)
	var tags string
	eval(t, ctx, `[...document.querySelectorAll('#results li:first-child .tag')].map((e) => e.textContent).join('|')`, &tags)
	if tags != "handbook|travel|expenses" {
		t.Errorf("tags of the first hit %q, want handbook|travel|expenses", tags)
	}
}

// facetValues is the JavaScript of the values a facet lists, in order:
// [{value, count, checked}].
func facetValues(field string) string {
	return `[...document.querySelectorAll('#facets fieldset[data-field="` + field + `"] li > label, #facets fieldset[data-field="` + field + `"] li > button')]
		.map(e => ({value: e.querySelector('.value').textContent, count: e.querySelector('.count')?.textContent ?? '',
		checked: e.tagName === 'BUTTON' ? e.getAttribute('aria-pressed') === 'true' : e.querySelector('input').checked}))`
}

type facetValue struct {
	Value   string `json:"value"`
	Count   string `json:"count"`
	Checked bool   `json:"checked"`
}

// facetCounts returns the counts a facet lists by value, and its checked values.
func facetCounts(t *testing.T, ctx context.Context, field string) (map[string]string, []string) {
	t.Helper()
	var vs []facetValue
	eval(t, ctx, facetValues(field), &vs)
	counts := map[string]string{}
	var checked []string
	for _, v := range vs {
		counts[v.Value] = v.Count
		if v.Checked {
			checked = append(checked, v.Value)
		}
	}
	return counts, checked
}

// TestBrowserFacets: the facet sidebar lists source, tags, the keyword
// fields and dates by year and month with their counts; a chosen value is
// in the URL (Back, Forward and reload restore it); counts are disjunctive
// within a facet and conjunctive across facets; more than 10 values are
// behind "Show more"; keyboard focus stays on a checkbox across the search
// it starts.
func TestBrowserFacets(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	total := `(() => { const m = /^(\d+) results? for/.exec(document.getElementById('status').textContent); return m ? Number(m[1]) : -1; })()`
	settled := `!document.body.hasAttribute('aria-busy') && document.querySelector('#facets fieldset[data-field=topics]') !== null`
	run(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/?q=seaweed"))
	waitFor(t, ctx, "the seaweed articles and their facets", settled+` && `+total+` === 15`)

	var legends []string
	eval(t, ctx, `[...document.querySelectorAll('#facets legend')].map(l => l.textContent)`, &legends)
	if want := []string{"Date", "Source", "Tags", "Topics", "Places"}; !slices.Equal(legends, want) {
		t.Errorf("facets %q, want %q", legends, want)
	}
	var topics []facetValue
	eval(t, ctx, facetValues("topics"), &topics)
	if len(topics) != 10 || topics[0] != (facetValue{"aquaculture", "5", false}) || topics[1] != (facetValue{"exports", "4", false}) {
		t.Errorf("topics facet %v: want 10 of the 12 values, aquaculture (5) and exports (4) first", topics)
	}
	var more string
	eval(t, ctx, `(() => { const b = document.querySelector('#facets fieldset[data-field=topics] button.more'); return b ? b.textContent + ' ' + b.getAttribute('aria-expanded') : ''; })()`, &more)
	if more != "Show more false" {
		t.Errorf("topics facet control %q, want a collapsed Show more", more)
	}
	years, _ := facetCounts(t, ctx, "date")
	if want := map[string]string{"2023": "4", "2022": "3", "2021": "8"}; !maps.Equal(years, want) {
		t.Errorf("date facet %v, want %v (years only, no year chosen)", years, want)
	}
	sources, _ := facetCounts(t, ctx, "source")
	if want := map[string]string{"Coastal Wire": "4", "Harbour Gazette": "3", "Fish Daily": "8"}; !maps.Equal(sources, want) {
		t.Errorf("source facet %v, want %v", sources, want)
	}

	// Choosing a value: into the URL; its own facet keeps its counts
	// (disjunctive), the others narrow (conjunctive).
	check := func(key string) {
		t.Helper()
		run(t, ctx, chromedp.Click(chromedp.CSS(`#facets input[data-key="`+key+`"]`)))
	}
	check("topics:exports")
	waitFor(t, ctx, "topics:exports chosen", `location.search === '?q=seaweed&filter=topics%3Aexports' && `+settled+` && `+total+` === 4`)
	counts, checked := facetCounts(t, ctx, "topics")
	if counts["aquaculture"] != "5" || counts["exports"] != "4" || counts["prices"] != "3" || !slices.Equal(checked, []string{"exports"}) {
		t.Errorf("topics facet with exports chosen: %v, checked %q; want the counts kept and exports checked", counts, checked)
	}
	places, _ := facetCounts(t, ctx, "places")
	if want := map[string]string{"norway": "2", "chile": "2", "japan": "2"}; !maps.Equal(places, want) {
		t.Errorf("places facet with exports chosen: %v, want %v", places, want)
	}
	check("topics:prices")
	waitFor(t, ctx, "exports or prices", `location.search === '?q=seaweed&filter=topics%3Aexports&filter=topics%3Aprices' && `+settled+` && `+total+` === 5`)
	check("source:Harbour Gazette")
	waitFor(t, ctx, "and Harbour Gazette", `location.search === '?q=seaweed&filter=source%3AHarbour+Gazette&filter=topics%3Aexports&filter=topics%3Aprices' && `+settled+` && `+total+` === 2`)
	sources, checked = facetCounts(t, ctx, "source")
	if want := map[string]string{"Coastal Wire": "3", "Harbour Gazette": "2"}; !maps.Equal(sources, want) || !slices.Equal(checked, []string{"Harbour Gazette"}) {
		t.Errorf("source facet with exports or prices and Harbour Gazette chosen: %v, checked %q; want %v", sources, checked, want)
	}
	var ids []string
	eval(t, ctx, `[...document.querySelectorAll('#results li')].map(li => li.dataset.id).sort()`, &ids)
	if want := []string{"seaweed-05", "seaweed-06"}; !slices.Equal(ids, want) {
		t.Errorf("hits %q, want %q", ids, want)
	}

	// Back, Forward and reload restore the chosen values.
	run(t, ctx, js(`history.back()`))
	waitFor(t, ctx, "Back to exports or prices", `location.search === '?q=seaweed&filter=topics%3Aexports&filter=topics%3Aprices' && `+settled+` && `+total+` === 5 &&
		!document.querySelector('#facets input[data-key="source:Harbour Gazette"]').checked`)
	run(t, ctx, js(`history.forward()`))
	waitFor(t, ctx, "Forward to Harbour Gazette", settled+` && `+total+` === 2 && document.querySelector('#facets input[data-key="source:Harbour Gazette"]').checked`)
	run(t, ctx, chromedp.Reload())
	waitFor(t, ctx, "the reload to keep the filters", settled+` && `+total+` === 2 && document.querySelector('#facets input[data-key="source:Harbour Gazette"]').checked &&
		document.querySelector('#facets input[data-key="topics:prices"]').checked && document.getElementById('q').value === 'seaweed'`)

	// A year sets the date bounds and lists its months; a month narrows further.
	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=seaweed"))
	waitFor(t, ctx, "the seaweed articles", settled+` && `+total+` === 15`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#facets button[data-key="date:2022"]`)))
	waitFor(t, ctx, "the year 2022", `location.search === '?q=seaweed&from=2022-01-01&to=2022-12-31' && `+settled+` && `+total+` === 3 && document.getElementById('from').value === '2022-01-01'`)
	dates, checked := facetCounts(t, ctx, "date")
	if want := map[string]string{"2023": "4", "2022": "3", "May 2022": "2", "Nov 2022": "1", "2021": "8"}; !maps.Equal(dates, want) || !slices.Equal(checked, []string{"2022"}) {
		t.Errorf("date facet with 2022 chosen: %v, pressed %q; want %v and 2022 pressed", dates, checked, want)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(`#facets button[data-key="date:2022-05"]`)))
	waitFor(t, ctx, "May 2022", `location.search === '?q=seaweed&from=2022-05-01&to=2022-05-31' && `+settled+` && `+total+` === 2`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#facets button[data-key="date:2022-05"]`)))
	waitFor(t, ctx, "the month pressed again to clear the dates", `location.search === '?q=seaweed' && `+settled+` && `+total+` === 15`)

	// Show more lists all 12 topics; Show fewer 10 again.
	run(t, ctx, chromedp.Click(chromedp.CSS(`#facets fieldset[data-field=topics] button.more`)))
	waitFor(t, ctx, "all the topics", `document.querySelectorAll('#facets fieldset[data-field=topics] li').length === 12 &&
		document.querySelector('#facets fieldset[data-field=topics] button.more').getAttribute('aria-expanded') === 'true' &&
		document.activeElement === document.querySelector('#facets fieldset[data-field=topics] button.more')`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#facets fieldset[data-field=topics] button.more`)))
	waitFor(t, ctx, "10 topics again", `document.querySelectorAll('#facets fieldset[data-field=topics] li').length === 10`)

	// The keyboard: Space on a focused checkbox chooses it, and the focus stays on it.
	run(t, ctx, js(`document.querySelector('#facets input[data-key="topics:weather"]').focus()`), chromedp.KeyEvent(" "))
	waitFor(t, ctx, "topics:weather chosen from the keyboard", `location.search === '?q=seaweed&filter=topics%3Aweather' && `+settled+` && `+total+` === 2 &&
		document.activeElement?.dataset.key === 'topics:weather' && document.activeElement.checked`)
	screenshot(t, ctx, "facets.png")

	// At 360 px the sidebar is a closed "Filters" disclosure above the
	// results that says how many values are chosen; open, nothing is wider than the screen.
	run(t, ctx, chromedp.EmulateViewport(360, 800), chromedp.Reload())
	waitFor(t, ctx, "the closed filters at 360 px", settled+` && !document.getElementById('facets-details').open &&
		document.getElementById('facets-summary').textContent === 'Filters (1 chosen)'`)
	run(t, ctx, chromedp.Click(chromedp.ID("facets-summary")))
	waitFor(t, ctx, "the open filters", `document.getElementById('facets-details').open && document.querySelector('#facets input[data-key="topics:weather"]').getClientRects().length > 0`)
	var width int
	eval(t, ctx, `document.documentElement.scrollWidth`, &width)
	if width > 360 {
		t.Errorf("at 360 px with the filters open the page is %d px wide", width)
	}
}

// pagerState is the JavaScript of the pager's links: text, and "=" for the
// current page, "-" for a link that goes nowhere, else its URL's search.
const pagerState = `[...document.querySelectorAll('#pager li')].map(li => { const a = li.querySelector('a');
	return !a ? li.textContent : a.textContent + (a.getAttribute('aria-current') === 'page' ? '=' : a.getAttribute('aria-disabled') === 'true' ? '-' : ' ' + (new URL(a.href).search || '?')); }).join(' | ')`

// apiIDs are the ids of an /api/search answer of srv for the query params.
func apiIDs(t *testing.T, srv *httptest.Server, params string) (ids []string, total int) {
	t.Helper()
	res, err := http.Get(srv.URL + "/api/search?" + params)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r struct {
		Total int `json:"total"`
		Hits  []struct {
			ID string `json:"id"`
		} `json:"hits"`
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/search?%s: status %d, %v", params, res.StatusCode, err)
	}
	for _, h := range r.Hits {
		ids = append(ids, h.ID)
	}
	return ids, r.Total
}

// TestBrowserPager: numbered pages around the current one with First,
// Previous, Next and Last; past the window of page numbers
// (search.max_window, 30 here: 3 pages of 10) Next follows the cursor and
// the page reports its real number.
func TestBrowserPager(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	_, total := apiIDs(t, srv, "size=1")
	pages := (total + 9) / 10
	if pages < 14 {
		t.Fatalf("%d articles: the test needs at least 14 pages", total)
	}
	p := strconv.Itoa(pages)
	pagerIs := func(what, want string) {
		t.Helper()
		var got string
		eval(t, ctx, pagerState, &got)
		if got != want {
			t.Errorf("%s: pager\n %s\nwant\n %s", what, got, want)
		}
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/?page=10"))
	waitFor(t, ctx, "page 10", `document.getElementById('pageinfo')?.textContent === 'Page 10 of `+p+`' && !document.body.hasAttribute('aria-busy')`)
	pagerIs("page 10", "« First ? | ‹ Previous ?page=9 | 1 ? | … | 8 ?page=8 | 9 ?page=9 | 10= | 11 ?page=11 | 12 ?page=12 | … | "+p+" ?page="+p+" | Next › ?page=11 | Last » ?page="+p)
	run(t, ctx, chromedp.Click(chromedp.ID("last")))
	waitFor(t, ctx, "the last page", `location.search === '?page=`+p+`' && document.getElementById('pageinfo').textContent === 'Page `+p+` of `+p+`'`)
	pagerIs("the last page", "« First ? | ‹ Previous ?page="+strconv.Itoa(pages-1)+" | 1 ? | … | "+strconv.Itoa(pages-2)+" ?page="+strconv.Itoa(pages-2)+" | "+strconv.Itoa(pages-1)+" ?page="+strconv.Itoa(pages-1)+" | "+p+"= | Next ›- | Last »-")
	run(t, ctx, chromedp.Click(chromedp.ID("first")))
	waitFor(t, ctx, "the first page", `location.search === '' && document.getElementById('pageinfo').textContent === 'Page 1 of `+p+`'`)
	pagerIs("the first page", "« First- | ‹ Previous- | 1= | 2 ?page=2 | 3 ?page=3 | … | "+p+" ?page="+p+" | Next › ?page=2 | Last » ?page="+p)

	// At 360 px the pager is one row (First, Last and the farther pages
	// are left out, Previous and Next shown as arrows), with no horizontal scroll.
	run(t, ctx, chromedp.EmulateViewport(360, 800), chromedp.Navigate(srv.URL+"/?page=10"))
	waitFor(t, ctx, "page 10 at 360 px", `document.getElementById('pageinfo')?.textContent === 'Page 10 of `+p+`'`)
	var narrow struct {
		Rows    int      `json:"rows"`
		Width   int      `json:"width"`
		Visible []string `json:"visible"`
	}
	eval(t, ctx, `(() => { const lis = [...document.querySelectorAll('#pager li')].filter(li => li.getClientRects().length > 0);
		return {rows: new Set(lis.map(li => Math.round(li.getBoundingClientRect().top))).size, width: document.documentElement.scrollWidth,
		visible: lis.map(li => li.innerText)}; })()`, &narrow)
	if narrow.Rows != 1 || narrow.Width > 360 || !slices.Equal(narrow.Visible, []string{"‹", "1", "…", "9", "10", "11", "…", p, "›"}) {
		t.Errorf("pager at 360 px: %d rows, page %d px wide, shows %q; want one row of ‹ 1 … 9 10 11 … %s ›", narrow.Rows, narrow.Width, narrow.Visible, p)
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900))

	// Past the window, Next follows the cursor; the page says which page it is.
	opts := DefaultOptions()
	opts.MaxWindow = 30
	small := folioServer(t, opts)
	run(t, ctx, chromedp.Navigate(small.URL+"/?page=3"))
	waitFor(t, ctx, "page 3", `document.getElementById('pageinfo')?.textContent === 'Page 3 of `+p+`'`)
	var next string
	eval(t, ctx, `new URL(document.getElementById('next').href).search`, &next)
	if !strings.HasPrefix(next, "?cursor=") {
		t.Fatalf("Next on the last numbered page links %q, want a cursor", next)
	}
	pagerIs("the last numbered page", "« First ? | ‹ Previous ?page=2 | 1 ? | 2 ?page=2 | 3= | Next › "+next+" | Last »-")
	run(t, ctx, chromedp.Click(chromedp.ID("next")))
	waitFor(t, ctx, "page 4 by cursor", `location.search === '`+next+`' && document.getElementById('pageinfo').textContent === 'Page 4 of `+p+`' && !document.body.hasAttribute('aria-busy')`)
	want, _ := apiIDs(t, srv, "page=4&size=10")
	var got []string
	eval(t, ctx, `[...document.querySelectorAll('#results li')].map(li => li.dataset.id)`, &got)
	if !slices.Equal(got, want) {
		t.Errorf("page 4 by cursor: %q, want page 4's %q", got, want)
	}
	var cur string
	eval(t, ctx, `document.querySelector('#pager [aria-current=page]').textContent`, &cur)
	if cur != "4" {
		t.Errorf("the pager marks page %q as current, want 4", cur)
	}
	run(t, ctx, js(`history.back()`))
	waitFor(t, ctx, "Back to page 3", `location.search === '?page=3' && document.getElementById('pageinfo').textContent === 'Page 3 of `+p+`'`)
}

// TestBrowserEchoAndRelated: the query is echoed as typed (a phrase keeps
// its own quotes, not doubled ones); a browse's status and sort control say
// the sort it really has; each hit shows its source and tags; the article
// page lists its related articles (GET /api/related/{id}) as links.
func TestBrowserEchoAndRelated(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	statusText := `document.getElementById('status').textContent`
	run(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/?q=%22Diamond+Hexagon%22"))
	waitFor(t, ctx, "the phrase echoed as typed", firstHit+` === '`+ironclad+`' && /^1 result for "Diamond Hexagon" \([\d.]+ ms\)$/.test(`+statusText+`)`)
	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=%22zzqq+xxnothing%22"))
	waitFor(t, ctx, "the empty phrase echoed as typed", statusText+` === 'No results for "zzqq xxnothing".' && document.getElementById('empty').textContent.startsWith('No articles match "zzqq xxnothing".')`)

	run(t, ctx, chromedp.Navigate(srv.URL+"/?sort=oldest"))
	waitFor(t, ctx, "a browse oldest first", `/^\d+ results, oldest first \(/.test(`+statusText+`) && document.getElementById('sort').value === 'oldest'`)
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, "a browse newest first", `/^\d+ results, newest first \(/.test(`+statusText+`) && document.getElementById('sort').value === 'newest'`)

	run(t, ctx, chromedp.Navigate(srv.URL+"/?q=seaweed+report+4"))
	waitFor(t, ctx, "seaweed report 4", firstHit+` === 'seaweed-04'`)
	var hit struct {
		Meta string   `json:"meta"`
		Tags []string `json:"tags"`
	}
	eval(t, ctx, `({meta: document.querySelector('#results li .meta').textContent, tags: [...document.querySelectorAll('#results li:first-child .tag')].map(e => e.textContent)})`, &hit)
	if hit.Meta != "2023-07-21 · Harbour Gazette" || !slices.Equal(hit.Tags, []string{"coast", "weather"}) {
		t.Errorf("first hit: meta %q, tags %q; want its date and source, and tags coast, weather", hit.Meta, hit.Tags)
	}

	res, err := http.Get(srv.URL + "/api/related/" + ironclad + "?size=5")
	if err != nil {
		t.Fatal(err)
	}
	var related struct {
		Hits []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"hits"`
	}
	err = json.NewDecoder(res.Body).Decode(&related)
	res.Body.Close()
	if err != nil || len(related.Hits) == 0 {
		t.Fatalf("GET /api/related/%s: %v, %d hits", ironclad, err, len(related.Hits))
	}
	var want []string
	for _, h := range related.Hits {
		want = append(want, h.ID+" "+h.Title+" /articles/"+h.ID)
	}
	run(t, ctx, chromedp.Navigate(srv.URL+"/articles/"+ironclad+"?q=China"))
	waitFor(t, ctx, "the related articles", `!document.getElementById('related').hidden && document.querySelectorAll('#related-list li').length === `+strconv.Itoa(len(want)))
	var got []string
	eval(t, ctx, `[...document.querySelectorAll('#related-list li')].map(li => li.dataset.id + ' ' + li.querySelector('a').textContent + ' ' + li.querySelector('a').getAttribute('href'))`, &got)
	if !slices.Equal(got, want) {
		t.Errorf("related articles\n %q\nwant\n %q", got, want)
	}
	var reading string
	eval(t, ctx, `getComputedStyle(document.body).maxWidth`, &reading)
	if reading != "832px" {
		t.Errorf("the article page's body is %s wide at most, want the reading width 832px (the search page is wider for its sidebar)", reading)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(`#related-list li:first-child a`)))
	waitFor(t, ctx, "the related article's page", `location.pathname === '/articles/`+related.Hits[0].ID+`' && document.getElementById('title').textContent !== ''`)
}

// TestBrowserTypingUnfinishedSyntax: while typing, a query the API refuses
// (a field name without its word yet) is searched again as text: results,
// no error; submitted, the same query shows the API's error.
func TestBrowserTypingUnfinishedSyntax(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, "the browse", `document.querySelectorAll('#results li').length === 10`)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("q"), `Cambodia title:`))
	waitFor(t, ctx, "the unfinished field searched as text", `location.search === '?q=Cambodia+title%3A' && `+firstHit+` === '`+ironclad+`' &&
		/for “Cambodia title:”/.test(document.getElementById('status').textContent) && !document.body.hasAttribute('aria-busy')`)
	var errHidden bool
	eval(t, ctx, `document.getElementById('error').hidden`, &errHidden)
	if !errHidden {
		t.Errorf("an error is shown while typing an unfinished field")
	}
	run(t, ctx, js(`document.getElementById('search').requestSubmit()`))
	waitFor(t, ctx, "the submitted query's syntax error", `!document.getElementById('error').hidden && /cannot parse query/.test(document.getElementById('error').textContent) &&
		document.querySelectorAll('#results li').length === 0`)
}

// TestBrowserScreens saves screenshots of the results page with facets and
// of the article page at 1280 and 360 px into $FOLIO_PAGE_SCREENS (run on
// demand: FOLIO_PAGE_SCREENS=/tmp/screens go test -run TestBrowserScreens
// ./server), as page-*.png, to be looked at.
func TestBrowserScreens(t *testing.T) {
	dir := os.Getenv("FOLIO_PAGE_SCREENS")
	if dir == "" {
		t.Skip("set FOLIO_PAGE_SCREENS to a directory to save the page screenshots there")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	save := func(name string, full bool) {
		t.Helper()
		shot := chromedp.CaptureScreenshot()
		if full {
			shot = chromedp.FullScreenshot(100)
		}
		png, err := chromedp.Run(ctx, shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", filepath.Join(dir, name))
	}
	results := srv.URL + "/?q=seaweed&filter=topics%3Aexports&filter=topics%3Aprices"
	ready := `!document.body.hasAttribute('aria-busy') && document.querySelector('#facets fieldset') !== null && document.querySelectorAll('#results li').length > 0`
	for _, w := range []int64{1280, 360} {
		width := strconv.FormatInt(w, 10)
		run(t, ctx, chromedp.EmulateViewport(w, 900), chromedp.Navigate(results))
		waitFor(t, ctx, "the results with facets", ready)
		save("page-results-"+width+".png", false)
		if w == 360 {
			run(t, ctx, chromedp.Click(chromedp.ID("facets-summary")))
			waitFor(t, ctx, "the open filters", `document.getElementById('facets-details').open`)
			save("page-results-360-filters.png", true)
		}
		run(t, ctx, chromedp.Navigate(srv.URL+"/?page=10"))
		waitFor(t, ctx, "page 10", `document.getElementById('pageinfo')?.textContent.startsWith('Page 10 of')`)
		run(t, ctx, js(`document.getElementById('pager').scrollIntoView()`))
		save("page-pager-"+width+".png", false)
		run(t, ctx, chromedp.Navigate(srv.URL+"/articles/"+ironclad+"?q=China+Cambodia"))
		waitFor(t, ctx, "the article and its related articles", `!document.getElementById('related').hidden`)
		save("page-article-"+width+".png", true)
	}
}

// TestBrowserTypingCompletesLastWord: while typing, the page searches with
// as_you_type, so a word typed half-way ("Hexag", which no article holds
// and no typo reaches) finds the seed through its completion; the
// submitted query is searched as typed and finds nothing.
func TestBrowserTypingCompletesLastWord(t *testing.T) {
	ctx := newTab(t)
	srv := folioServer(t, DefaultOptions())
	run(t, ctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, "the browse", `document.querySelectorAll('#results li').length === 10`)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("q"), `Hexag`))
	waitFor(t, ctx, "the half-typed word completed", firstHit+` === '`+ironclad+`' && location.search === '?q=Hexag' && !document.body.hasAttribute('aria-busy')`)
	var n int
	eval(t, ctx, `document.querySelectorAll('#results li').length`, &n)
	if n != 1 {
		t.Errorf("typing Hexag lists %d hits, want 1 (the seed)", n)
	}
	run(t, ctx, js(`document.getElementById('search').requestSubmit()`))
	waitFor(t, ctx, "the submitted word searched as typed", `document.querySelectorAll('#results li').length === 0 && !document.body.hasAttribute('aria-busy')`)
}
