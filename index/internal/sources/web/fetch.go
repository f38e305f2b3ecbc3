package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
	"golang.org/x/time/rate"

	"github.com/folio-search/folio/index/article"
)

// Options bound and identify the requests of one crawl. The caller fills
// every field (the defaults live in the configuration).
type Options struct {
	UserAgent   string        // sent with every request: "Folio/<version> (+url)"
	Concurrency int           // documents fetched at once (index.crawl.concurrency)
	Rate        float64       // requests per second to one host (index.crawl.rate)
	Timeout     time.Duration // longest one response may take, headers and body (index.crawl.timeout)
	MaxBytes    int64         // largest response body read, decompressed (index.crawl.max_bytes)
	Retries     int           // further attempts after a 5xx, a 429 or a network error
	Backoff     time.Duration // wait before the first retry; doubles with each, up to 30s
	MaxURLs     int           // URLs one source's sitemaps may list together
}

// Reasons of the problems a fetch reports (article.InputError.Reason, and
// the reason label of folio_source_errors_total).
const (
	ReasonUnreachable = "unreachable"       // no connection, DNS, TLS, reset
	ReasonTimeout     = "timeout"           // the response took longer than Options.Timeout
	ReasonHTTP        = "http error"        // a status other than 2xx and 304, after the retries
	ReasonNotFound    = "not found"         // 404 or 410: the document is gone
	ReasonTooLarge    = "too large"         // the body is larger than Options.MaxBytes
	ReasonRobots      = "disallowed"        // robots.txt disallows the URL for Folio
	ReasonOffHost     = "off host"          // the URL, or a redirect, leaves the allowed hosts
	ReasonBadURL      = "bad url"           // not an absolute http(s) URL
	ReasonBadSitemap  = "bad sitemap"       // a sitemap that is not well-formed or too long
	ReasonBadFeed     = "bad feed"          // a feed the extractor could not read
	ReasonUnsupported = "unsupported type"  // neither an HTML page, a feed nor a sitemap
	ReasonNoText      = "no text"           // a page with no extractable text
	ReasonInvalid     = "invalid article"   // an extracted article that fails validation
	ReasonCancelled   = "cancelled request" // the sync ended while the request ran
)

// Error is the problem of fetching or reading one URL: an
// *article.InputError whose Path is the URL ("URL: what is wrong (what
// was expected)").
type Error struct {
	*article.InputError
	// Gone says that the document is no more (404, 410, disallowed by
	// robots.txt, moved off the allowed hosts): its articles are deleted.
	// Other problems keep what the last sync read from it.
	Gone bool
}

func newError(u, reason, msg, expected string) *Error {
	return &Error{InputError: &article.InputError{Path: u, Reason: reason, Message: msg, Expected: expected}}
}

// maxBackoff bounds one wait between attempts, however many retries.
const maxBackoff = 30 * time.Second

// Request is one GET of a Fetcher.
type Request struct {
	URL          string
	Headers      map[string]string // the source's headers (Authorization): sent, never logged
	ETag         string            // from the last sync: sent as If-None-Match
	LastModified string            // from the last sync: sent as If-Modified-Since
}

// Response is a successful GET: 200 with its body, or 304.
type Response struct {
	URL          string // the URL answered, after redirects
	NotModified  bool   // 304: the body is the one of the last sync
	ContentType  string
	ETag         string
	LastModified string
	Body         []byte // at most Options.MaxBytes, decompressed
}

// Fetcher GETs documents from the allowed hosts only, obeying their
// robots.txt, at most Options.Rate requests per second per host, each
// response bounded by Options.Timeout and Options.MaxBytes. It is safe for
// concurrent use; one Fetcher serves one sync (robots.txt is read once per
// host and sync).
type Fetcher struct {
	opts   Options
	client *http.Client
	hosts  map[string]*host // allowed hosts by lower-case URL host (host[:port])
}

// host is what a Fetcher keeps per allowed host.
type host struct {
	limiter *rate.Limiter
	mu      sync.Mutex // held while robots.txt is read
	read    bool       // robots.txt was read (robots nil: everything allowed)
	robots  *robotstxt.Group
}

// errOffHost is the error of a redirect to a host that is not allowed.
type errOffHost struct{ to string }

func (e errOffHost) Error() string {
	return "redirected to " + e.to + ", which is not on an allowed host"
}

// errTooManyRedirects stops a chain of redirects.
var errTooManyRedirects = errors.New("more than 5 redirects")

// NewFetcher returns a Fetcher for the hosts of the URLs in allowed.
func NewFetcher(opts Options, allowed []string) *Fetcher {
	f := &Fetcher{opts: opts, hosts: map[string]*host{}}
	rps := rate.Limit(opts.Rate)
	if opts.Rate <= 0 {
		rps = rate.Inf
	}
	for _, a := range allowed {
		if u, err := url.Parse(a); err == nil && u.Host != "" {
			f.hosts[strings.ToLower(u.Host)] = &host{limiter: rate.NewLimiter(rps, 1)}
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = opts.Timeout
	tr.MaxIdleConnsPerHost = max(2, opts.Concurrency)
	f.client = &http.Client{Transport: tr, CheckRedirect: f.checkRedirect}
	return f
}

// Close closes the Fetcher's idle connections (a sync is over).
func (f *Fetcher) Close() { f.client.CloseIdleConnections() }

// Allowed reports whether u is on one of the allowed hosts.
func (f *Fetcher) Allowed(u string) bool {
	p, err := url.Parse(u)
	return err == nil && f.hosts[strings.ToLower(p.Host)] != nil
}

// checkRedirect follows a redirect only within the allowed hosts, to a URL
// robots.txt allows, and waits for the target host's rate limit.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errTooManyRedirects
	}
	h := f.hosts[strings.ToLower(req.URL.Host)]
	if h == nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") {
		return errOffHost{req.URL.Redacted()}
	}
	if !f.robotsAllow(req.Context(), req.URL, h) {
		return errDisallowed
	}
	return h.limiter.Wait(req.Context())
}

var errDisallowed = errors.New("disallowed by robots.txt")

// Get fetches req.URL: it retries 5xx, 429 and network errors with
// backoff, then reports them; a 304 (to the conditional headers of req) is
// a Response with NotModified.
func (f *Fetcher) Get(ctx context.Context, req Request) (*Response, *Error) {
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{InputError: &article.InputError{Path: req.URL, Reason: ReasonBadURL, Message: "not an absolute http(s) URL", Expected: "a URL such as https://intranet.example/news/feed.xml"}, Gone: true}
	}
	shown := u.Redacted()
	h := f.hosts[strings.ToLower(u.Host)]
	if h == nil {
		e := newError(shown, ReasonOffHost, "not on an allowed host, not fetched", "a URL on a host of index.sources")
		e.Gone = true
		return nil, e
	}
	if !f.robotsAllow(ctx, u, h) {
		e := newError(shown, ReasonRobots, "disallowed by robots.txt, not fetched", "a URL that robots.txt allows for Folio")
		e.Gone = true
		return nil, e
	}
	var last *Error
	attempts := 0
	for attempt := 0; attempt <= f.opts.Retries; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(min(f.opts.Backoff<<(attempt-1), maxBackoff))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, newError(shown, ReasonCancelled, "the sync ended before the request", "")
			case <-t.C:
			}
		}
		attempts++
		resp, e, retry := f.once(ctx, h, u, shown, req)
		if e == nil {
			return resp, nil
		}
		last = e
		if !retry {
			break
		}
	}
	if attempts > 1 {
		last.Message += fmt.Sprintf(", %d attempts", attempts)
	}
	return nil, last
}

// once is one attempt of Get; retry says whether another may succeed.
func (f *Fetcher) once(ctx context.Context, h *host, u *url.URL, shown string, req Request) (_ *Response, _ *Error, retry bool) {
	if err := h.limiter.Wait(ctx); err != nil {
		return nil, newError(shown, ReasonCancelled, "the sync ended before the request", ""), false
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{InputError: &article.InputError{Path: shown, Reason: ReasonBadURL, Message: "not a valid request URL", Expected: "an absolute http(s) URL"}, Gone: true}, false
	}
	for k, v := range req.Headers {
		hr.Header.Set(k, v)
	}
	hr.Header.Set("User-Agent", f.opts.UserAgent)
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	resp, err := f.client.Do(hr)
	if err != nil {
		e, retry := f.transportError(ctx, shown, err)
		return nil, e, retry
	}
	defer resp.Body.Close()
	switch s := resp.StatusCode; {
	case s == http.StatusNotModified:
		return &Response{URL: resp.Request.URL.String(), NotModified: true, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil, false
	case s == http.StatusNotFound || s == http.StatusGone:
		e := newError(shown, ReasonNotFound, fmt.Sprintf("HTTP %s", resp.Status), "a page that exists; its articles are deleted")
		e.Gone = true
		return nil, e, false
	case s >= 500 || s == http.StatusTooManyRequests:
		return nil, newError(shown, ReasonHTTP, "HTTP "+resp.Status, "a 2xx response"), true
	case s < 200 || s > 299:
		return nil, newError(shown, ReasonHTTP, "HTTP "+resp.Status, "a 2xx response"), false
	}
	body, e := f.readBody(ctx, shown, resp.Body)
	if e != nil {
		return nil, e, e.Reason == ReasonTimeout || e.Reason == ReasonUnreachable
	}
	return &Response{URL: resp.Request.URL.String(), ContentType: resp.Header.Get("Content-Type"),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Body: body}, nil, false
}

// transportError is the problem of a request that got no response; retry
// says whether another attempt may get one.
func (f *Fetcher) transportError(ctx context.Context, shown string, err error) (*Error, bool) {
	var off errOffHost
	switch {
	case errors.As(err, &off):
		e := newError(shown, ReasonOffHost, off.Error()+", not followed", "redirects within the hosts of index.sources")
		e.Gone = true
		return e, false
	case errors.Is(err, errDisallowed):
		e := newError(shown, ReasonRobots, "redirected to a URL robots.txt disallows, not followed", "a URL that robots.txt allows for Folio")
		e.Gone = true
		return e, false
	case errors.Is(err, errTooManyRedirects):
		return newError(shown, ReasonHTTP, "more than 5 redirects", "a page reached in at most 5 redirects"), false
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return newError(shown, ReasonTimeout, fmt.Sprintf("no response within %s", f.opts.Timeout), "a response within index.crawl.timeout"), true
	case ctx.Err() != nil:
		return newError(shown, ReasonCancelled, "the sync ended during the request", ""), false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return newError(shown, ReasonTimeout, fmt.Sprintf("no response within %s", f.opts.Timeout), "a response within index.crawl.timeout"), true
	}
	return newError(shown, ReasonUnreachable, "cannot connect: "+rootCause(err), "a reachable host"), true
}

// rootCause is the innermost message of err: the *url.Error around it
// repeats the URL, which the problem already names.
func rootCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// readBody reads at most MaxBytes of body within the response's deadline;
// a gzip-compressed body (a sitemap.xml.gz served as is) is decompressed,
// bounded the same way.
func (f *Fetcher) readBody(ctx context.Context, shown string, body io.Reader) ([]byte, *Error) {
	b, err := readMax(body, f.opts.MaxBytes)
	if err == nil && len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(bytes.NewReader(b)); err == nil {
			b, err = readMax(zr, f.opts.MaxBytes)
		}
	}
	switch {
	case errors.Is(err, errBodyTooLarge):
		return nil, newError(shown, ReasonTooLarge, fmt.Sprintf("response larger than %d bytes, not read", f.opts.MaxBytes), "at most index.crawl.max_bytes")
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, newError(shown, ReasonTimeout, fmt.Sprintf("response not complete within %s", f.opts.Timeout), "a response within index.crawl.timeout")
	case err != nil && ctx.Err() != nil:
		return nil, newError(shown, ReasonCancelled, "the sync ended during the request", "")
	case err != nil:
		return nil, newError(shown, ReasonUnreachable, "cannot read the response: "+rootCause(err), "a complete response")
	}
	return b, nil
}

var errBodyTooLarge = errors.New("body too large")

// readMax reads r to its end, or fails with errBodyTooLarge past max bytes.
func readMax(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err == nil && int64(len(b)) > max {
		return nil, errBodyTooLarge
	}
	return b, err
}

// maxCrawlDelay bounds the Crawl-delay of a robots.txt that Folio obeys:
// a longer one is taken as this one, so one sync of a large site still ends.
const maxCrawlDelay = 10 * time.Second

// robotsAllow reports whether the robots.txt of u's host allows u for
// Folio, reading it on the host's first request; its Crawl-delay (at most
// maxCrawlDelay) lowers the host's rate limit when it is slower. A robots.txt that cannot
// be fetched allows everything (the page's own request then reports the
// host); one answered 5xx disallows everything, as RFC 9309 says.
func (f *Fetcher) robotsAllow(ctx context.Context, u *url.URL, h *host) bool {
	h.mu.Lock()
	if !h.read {
		ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
		h.robots = f.readRobots(ctx, h, ru)
		h.read = true
		if g := h.robots; g != nil && g.CrawlDelay > 0 { // the site asks for fewer requests than Options.Rate
			if r := rate.Every(min(g.CrawlDelay, maxCrawlDelay)); r < h.limiter.Limit() {
				h.limiter.SetLimit(r)
			}
		}
	}
	g := h.robots
	h.mu.Unlock()
	if g == nil {
		return true
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return g.Test(p)
}

// readRobots fetches and parses the robots.txt at ru (nil: no rules).
func (f *Fetcher) readRobots(ctx context.Context, h *host, ru *url.URL) *robotstxt.Group {
	if err := h.limiter.Wait(ctx); err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ru.String(), nil)
	if err != nil {
		return nil
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 512<<10)) // RFC 9309: at least 500 KiB are parsed, the rest may be ignored
	if err != nil {
		return nil
	}
	data, err := robotstxt.FromStatusAndBytes(resp.StatusCode, b)
	if err != nil {
		return nil
	}
	return data.FindGroup(agentToken(f.opts.UserAgent))
}

// agentToken is the product token of a User-Agent ("Folio/1.2 (+url)" →
// "Folio"), which robots.txt groups name.
func agentToken(ua string) string {
	if i := strings.IndexAny(ua, "/ "); i > 0 {
		return ua[:i]
	}
	return ua
}
