package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/sources"
)

// Extractors turn fetched documents into articles (index/article/extract).
type Extractors struct {
	HTML func(r io.Reader, pageURL string, limit int64) (article.Article, error)
	Feed func(r io.Reader, feedURL string, limit int64) ([]article.Article, error)
	// Document, when set, reads the other documents a sitemap may list or
	// a URL source may be (PDF, Word, OpenDocument): by content type, else
	// by the URL's extension.
	Document DocumentReader
}

// DocumentReader reads documents other than HTML pages, feeds and sitemaps.
type DocumentReader interface {
	// Reads reports whether the document at pageURL of contentType is one it reads.
	Reads(pageURL, contentType string) bool
	// Read reads it into one article (its ID is set by the crawl).
	Read(r io.Reader, pageURL, contentType string, limit int64) (article.Article, error)
}

// Source is one URL source of a sync.
type Source struct {
	URL        string
	Headers    map[string]string // sent with each of its requests to its own host (Authorization); never logged
	FetchPages bool              // a feed: fetch each new item's page and index its text
	Groups     []string          // the default groups of its articles (none: public)
}

// headersFor is what is sent with a request of u for the source s: its
// headers when u is on the source's own host, else none (a sitemap may
// list pages on the host of another source, which must not get its
// credentials).
func (s Source) headersFor(u string) map[string]string {
	su, err1 := url.Parse(s.URL)
	pu, err2 := url.Parse(u)
	if err1 != nil || err2 != nil || !strings.EqualFold(su.Host, pu.Host) {
		return nil
	}
	return s.Headers
}

// Doc is what a crawl learnt about one document, for the sync state.
type Doc struct {
	URL     string            // its key in the state
	State   sources.FileState // its entry
	Keep    bool              // not modified or not readable now: its articles stay as read before
	Problem bool              // read again next time
}

// Stats count what a crawl did for one source.
type Stats struct {
	Source      string
	Fetched     int            // documents answered 200
	NotModified int            // documents answered 304, or skipped by an unchanged lastmod
	Articles    int            // articles handed to the write pipeline
	Errors      map[string]int // problems by reason
	LastError   string         // the last problem, "URL: what is wrong (expected)"
	Took        time.Duration
}

// Crawler is one crawl of URL sources.
type Crawler struct {
	f    *Fetcher
	ex   Extractors
	opts Options
	old  sources.State

	mu    sync.Mutex // guards emit, docs and stats
	emit  func(article.Record) error
	docs  []Doc
	stats map[string]*Stats
	limit int64 // article bytes (index.max_article_bytes)
}

// Run fetches srcs with opts, reading the state old left for conditional
// requests and lastmods, hands every article (and every problem, as a
// record with Err) to emit, one call at a time, and returns the state
// entries of the documents it looked at and each source's stats. limit
// bounds the text the extractors keep of one article. It returns an error
// only when emit fails or ctx ends.
func Run(ctx context.Context, opts Options, ex Extractors, srcs []Source, old sources.State, limit int64, emit func(article.Record) error) ([]Doc, []Stats, error) {
	roots := make([]string, len(srcs))
	for i, s := range srcs {
		roots[i] = s.URL
	}
	c := &Crawler{f: NewFetcher(opts, roots), ex: ex, opts: opts, old: old, emit: emit, stats: map[string]*Stats{}, limit: limit}
	defer c.f.Close()
	var err error
	for _, s := range srcs {
		start := time.Now()
		st := &Stats{Source: s.URL, Errors: map[string]int{}}
		c.stats[s.URL] = st
		if old, ok := c.old.Files[s.URL]; ok && !slices.Equal(old.Groups, s.Groups) {
			c.readAgain(s.URL)
		}
		first := len(c.docs)
		err = c.source(ctx, s, st)
		for i := first; i < len(c.docs); i++ {
			if d := &c.docs[i]; d.URL == s.URL && !d.Keep {
				d.State.Groups = s.Groups // read now with them
			}
		}
		if err != nil {
			break
		}
		st.Took = time.Since(start)
	}
	out := make([]Stats, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, *c.stats[s.URL])
	}
	return c.docs, out, err
}

// readAgain forgets what the last sync learnt of the documents of the
// source root (validators, lastmods, hashes), as if each had had
// problems: every one is requested and written again (its source's
// groups changed, so its articles must be rewritten with the new ones).
func (c *Crawler) readAgain(root string) {
	files := maps.Clone(c.old.Files)
	for key, fs := range files {
		if key == root || fs.Source == root {
			fs.Size = -1
			files[key] = fs
		}
	}
	c.old.Files = files
}

// record adds d to the docs of the crawl.
func (c *Crawler) record(d Doc) {
	c.mu.Lock()
	c.docs = append(c.docs, d)
	c.mu.Unlock()
}

// problem reports e as a record and counts it in st.
func (c *Crawler) problem(st *Stats, e *article.InputError) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	st.Errors[e.Reason]++
	st.LastError = e.Error()
	return c.emit(article.Record{Err: e})
}

// put gives a the groups of its source s (it has none of its own),
// validates it and hands it to the pipeline (or its problem, named by u).
func (c *Crawler) put(s Source, st *Stats, u string, a article.Article) (bool, error) {
	if a.Groups == nil {
		a.Groups = slices.Clone(s.Groups)
	}
	if err := a.Validate(); err != nil {
		var ie *article.InputError
		if !errors.As(err, &ie) {
			ie = &article.InputError{Reason: ReasonInvalid, Message: err.Error()}
		}
		ie.Path = u
		return false, c.problem(st, ie)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st.Articles++
	return true, c.emit(article.Record{Article: a})
}

// keepSource keeps every entry of the last sync that came from the
// source root: it could not be read now, so nothing is known to be gone.
func (c *Crawler) keepSource(root string) {
	for key, fs := range c.old.Files {
		if fs.Source == root {
			c.record(Doc{URL: key, State: fs, Keep: true})
		}
	}
}

// conditional is the request of u with the validators of its last read,
// unless it had problems.
func (c *Crawler) conditional(u string, s Source) Request {
	r := Request{URL: u, Headers: s.headersFor(u)}
	if old, ok := c.old.Files[u]; ok && old.Size >= 0 {
		r.ETag, r.LastModified = old.ETag, old.LastModified
	}
	return r
}

// source crawls one configured URL: a sitemap, a feed or a page.
func (c *Crawler) source(ctx context.Context, s Source, st *Stats) error {
	resp, e := c.f.Get(ctx, c.conditional(s.URL, s))
	if e != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if e.Gone {
			c.record(Doc{URL: s.URL, State: sources.FileState{Source: s.URL, Size: -1}, Problem: true})
		} else {
			c.keepSource(s.URL)
		}
		return c.problem(st, e.InputError)
	}
	old := c.old.Files[s.URL]
	if resp.NotModified {
		st.NotModified++
		old.ETag, old.LastModified = orOld(resp.ETag, old.ETag), orOld(resp.LastModified, old.LastModified)
		c.record(Doc{URL: s.URL, State: old, Keep: true})
		if old.Kind != string(kindSitemap) {
			return nil
		}
		var pages []listed // the pages it listed, and those of the sitemaps of an index
		for _, l := range c.oldListed(s.URL) {
			if c.old.Files[l.Loc].Kind != string(kindSitemap) {
				pages = append(pages, l)
				continue
			}
			got, err := c.childSitemap(ctx, s, st, l.Entry)
			if err != nil {
				return err
			}
			pages = append(pages, got...)
		}
		return c.sitemapPages(ctx, s, st, pages)
	}
	st.Fetched++
	if k, ok := sniff(resp.Body, resp.ContentType); ok && k == kindSitemap {
		return c.sitemap(ctx, s, st, resp)
	} else if ok && k == kindFeed {
		return c.feed(ctx, s, st, resp)
	}
	fs := c.entry(s.URL, "", resp, nil) // an HTML page, or a document Extractors.Document reads
	fs.Kind = string(kindPage)
	return c.page(ctx, s, st, s.URL, fs, resp)
}

func orOld(v, old string) string {
	if v == "" {
		return old
	}
	return v
}

func unsupported(u, ct string) *article.InputError {
	return &article.InputError{Path: u, Reason: ReasonUnsupported, Message: fmt.Sprintf("content type %q is neither an HTML page, a feed nor a sitemap", ct),
		Expected: "an HTML page, an RSS, Atom or JSON feed, a sitemap, or a document Folio reads (PDF, .docx, .odt)"}
}

// entry is the state entry of the document u of s, read now in resp.
func (c *Crawler) entry(root, from string, resp *Response, ids []string) sources.FileState {
	h := sha256.Sum256(resp.Body)
	return sources.FileState{Size: int64(len(resp.Body)), Hash: hex.EncodeToString(h[:]), IDs: ids,
		Source: root, From: from, ETag: resp.ETag, LastModified: resp.LastModified}
}

// listed is a page of a sitemap, with the sitemap that lists it.
type listed struct {
	Entry
	from string
}

// oldListed is what the last sync found listed by the sitemap sm (its
// pages, or the sitemaps of an index, whose pages it reads in turn).
func (c *Crawler) oldListed(sm string) []listed {
	var out []listed
	for key, fs := range c.old.Files {
		if fs.From == sm {
			out = append(out, listed{Entry{Loc: key, Lastmod: fs.Lastmod}, sm})
		}
	}
	slices.SortFunc(out, func(a, b listed) int { return strings.Compare(a.Loc, b.Loc) })
	return out
}

// sitemap reads the sitemap (or sitemap index) in resp and crawls its pages.
func (c *Crawler) sitemap(ctx context.Context, s Source, st *Stats, resp *Response) error {
	fs := c.entry(s.URL, "", resp, nil)
	fs.Kind = string(kindSitemap)
	sm, e := ParseSitemap(resp.Body, s.URL, c.opts.MaxURLs)
	if e != nil {
		c.keepSource(s.URL) // what it listed before is not known to be gone
		return c.problem(st, e)
	}
	c.record(Doc{URL: s.URL, State: fs})
	if !sm.Index {
		return c.sitemapPages(ctx, s, st, listOf(sm, s.URL))
	}
	var pages []listed
	for _, child := range sm.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		got, err := c.childSitemap(ctx, s, st, child)
		if err != nil {
			return err
		}
		pages = append(pages, got...)
		if len(pages) > c.opts.MaxURLs {
			pages = pages[:c.opts.MaxURLs]
			if err := c.problem(st, &article.InputError{Path: s.URL, Reason: ReasonBadSitemap, Message: fmt.Sprintf("its sitemaps list more than %d URLs; the rest is not read", c.opts.MaxURLs), Expected: "at most index.crawl.max_urls per source"}); err != nil {
				return err
			}
			break
		}
	}
	return c.sitemapPages(ctx, s, st, pages)
}

func listOf(sm Sitemap, from string) []listed {
	out := make([]listed, len(sm.Entries))
	for i, e := range sm.Entries {
		out[i] = listed{e, from}
	}
	return out
}

// childSitemap reads one sitemap of a sitemap index (conditionally, and
// not at all when its lastmod is unchanged) and returns its pages.
func (c *Crawler) childSitemap(ctx context.Context, s Source, st *Stats, child Entry) ([]listed, error) {
	old, had := c.old.Files[child.Loc]
	if had && old.Size >= 0 && child.Lastmod != "" && child.Lastmod == old.Lastmod {
		st.NotModified++
		c.record(Doc{URL: child.Loc, State: old, Keep: true})
		return c.oldListed(child.Loc), nil
	}
	resp, e := c.f.Get(ctx, c.conditional(child.Loc, s))
	if e != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !e.Gone { // keep it and what it listed
			if had {
				c.record(Doc{URL: child.Loc, State: old, Keep: true})
			}
			keep := c.oldListed(child.Loc)
			for _, p := range keep {
				if fs, ok := c.old.Files[p.Loc]; ok {
					c.record(Doc{URL: p.Loc, State: fs, Keep: true})
				}
			}
			return nil, c.problem(st, e.InputError)
		}
		return nil, c.problem(st, e.InputError)
	}
	if resp.NotModified {
		st.NotModified++
		old.ETag, old.LastModified, old.Lastmod = orOld(resp.ETag, old.ETag), orOld(resp.LastModified, old.LastModified), child.Lastmod
		c.record(Doc{URL: child.Loc, State: old, Keep: true})
		return c.oldListed(child.Loc), nil
	}
	st.Fetched++
	fs := c.entry(s.URL, s.URL, resp, nil)
	fs.Kind, fs.Lastmod = string(kindSitemap), child.Lastmod
	sm, pe := ParseSitemap(resp.Body, child.Loc, c.opts.MaxURLs)
	if pe == nil && sm.Index {
		pe = &article.InputError{Path: child.Loc, Reason: ReasonBadSitemap, Message: "a sitemap index inside a sitemap index", Expected: "a <urlset> (indexes do not nest)"}
	}
	if pe != nil {
		if had { // keep what it listed before
			c.record(Doc{URL: child.Loc, State: old, Keep: true})
			for _, p := range c.oldListed(child.Loc) {
				c.record(Doc{URL: p.Loc, State: c.old.Files[p.Loc], Keep: true})
			}
		}
		return nil, c.problem(st, pe)
	}
	c.record(Doc{URL: child.Loc, State: fs})
	return listOf(sm, child.Loc), nil
}

// sitemapPages crawls the pages listed by the sitemaps of s, index.crawl.concurrency at once.
func (c *Crawler) sitemapPages(ctx context.Context, s Source, st *Stats, pages []listed) error {
	seen := map[string]bool{}
	var todo []listed
	for _, p := range pages {
		if !seen[p.Loc] {
			seen[p.Loc] = true
			todo = append(todo, p)
		}
	}
	return parallel(ctx, max(1, c.opts.Concurrency), todo, func(p listed) error {
		return c.listedPage(ctx, s, st, p)
	})
}

// listedPage crawls one page of a sitemap: not at all when its lastmod is
// the one read last time, else with a conditional request.
func (c *Crawler) listedPage(ctx context.Context, s Source, st *Stats, p listed) error {
	old, had := c.old.Files[p.Loc]
	if had && old.Size >= 0 && p.Lastmod != "" && p.Lastmod == old.Lastmod {
		c.mu.Lock()
		st.NotModified++
		c.mu.Unlock()
		old.From = p.from
		c.record(Doc{URL: p.Loc, State: old, Keep: true})
		return nil
	}
	resp, e := c.f.Get(ctx, c.conditional(p.Loc, s))
	if e != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !e.Gone && had {
			old.From = p.from
			c.record(Doc{URL: p.Loc, State: old, Keep: true})
		} else {
			c.record(Doc{URL: p.Loc, State: sources.FileState{Source: s.URL, From: p.from, Kind: string(kindPage)}, Problem: true})
		}
		return c.problem(st, e.InputError)
	}
	c.mu.Lock()
	if resp.NotModified {
		st.NotModified++
	} else {
		st.Fetched++
	}
	c.mu.Unlock()
	if resp.NotModified {
		old.From, old.Lastmod = p.from, p.Lastmod
		old.ETag, old.LastModified = orOld(resp.ETag, old.ETag), orOld(resp.LastModified, old.LastModified)
		c.record(Doc{URL: p.Loc, State: old, Keep: true})
		return nil
	}
	fs := c.entry(s.URL, p.from, resp, nil)
	fs.Kind, fs.Lastmod = string(kindPage), p.Lastmod
	return c.page(ctx, s, st, p.Loc, fs, resp)
}

// page extracts the article of the HTML page u (fetched in resp, whose
// entry is fs). Its id is its canonical URL when that is on the page's
// host, else the URL it was fetched from.
func (c *Crawler) page(_ context.Context, s Source, st *Stats, u string, fs sources.FileState, resp *Response) error {
	k, isPage := sniff(resp.Body, resp.ContentType)
	isPage = isPage && k == kindPage
	if !isPage && (c.ex.Document == nil || !c.ex.Document.Reads(resp.URL, resp.ContentType)) {
		c.record(Doc{URL: u, State: fs, Problem: true})
		return c.problem(st, unsupported(u, resp.ContentType))
	}
	if old, ok := c.old.Files[u]; ok && old.Size >= 0 && old.Hash == fs.Hash { // same bytes: nothing to write
		fs.IDs = old.IDs
		c.record(Doc{URL: u, State: fs, Keep: true})
		return nil
	}
	var a article.Article
	var err error
	if isPage {
		a, err = c.ex.HTML(bytes.NewReader(resp.Body), resp.URL, c.limit)
	} else {
		a, err = c.ex.Document.Read(bytes.NewReader(resp.Body), resp.URL, resp.ContentType, c.limit)
	}
	if err != nil {
		c.record(Doc{URL: u, State: fs, Problem: true})
		return c.problem(st, extractProblem(u, err, ReasonNoText, "an HTML page with article text"))
	}
	a.ID = pageID(resp.URL, a.URL)
	if a.URL == "" {
		a.URL = resp.URL
	}
	ok, err := c.put(s, st, u, a)
	if ok {
		fs.IDs = []string{a.ID}
	}
	c.record(Doc{URL: u, State: fs, Problem: !ok})
	return err
}

// pageID is the id of the page fetched from u whose canonical link is
// canonical: the canonical URL if it is on u's host, else u, without a
// fragment.
func pageID(u, canonical string) string {
	id := u
	if cu, err := url.Parse(canonical); err == nil && canonical != "" {
		if pu, err := url.Parse(u); err == nil && strings.EqualFold(cu.Host, pu.Host) {
			id = canonical
		}
	}
	if i := strings.IndexByte(id, '#'); i >= 0 {
		id = id[:i]
	}
	return id
}

// extractProblem is err of an extractor as the problem of u.
func extractProblem(u string, err error, reason, expected string) *article.InputError {
	var ie *article.InputError
	if errors.As(err, &ie) {
		cp := *ie
		cp.Path = u
		return &cp
	}
	return &article.InputError{Path: u, Reason: reason, Message: err.Error(), Expected: expected}
}

// feed indexes the items of the feed in resp. Items that left the feed
// stay: the feed's entry keeps the ids of every item it ever had. With
// s.FetchPages, each new item's page (on an allowed host) is fetched and
// its text replaces the item's.
func (c *Crawler) feed(ctx context.Context, s Source, st *Stats, resp *Response) error {
	old, had := c.old.Files[s.URL]
	fs := c.entry(s.URL, "", resp, nil)
	fs.Kind = string(kindFeed)
	if had {
		fs.IDs = slices.Clone(old.IDs)
	}
	items, err := c.ex.Feed(bytes.NewReader(resp.Body), s.URL, c.limit)
	if err != nil && len(items) == 0 {
		if had {
			c.record(Doc{URL: s.URL, State: old, Keep: true})
		}
		return c.problem(st, extractProblem(s.URL, err, ReasonBadFeed, "an RSS 2.0, Atom or JSON feed"))
	}
	if err != nil { // some items had problems: reported, the others indexed
		fs.Size = -1 // read again next time, so they are reported again
		for _, e := range itemProblems(err) {
			if perr := c.problem(st, extractProblem(s.URL, e, ReasonBadFeed, "an RSS 2.0, Atom or JSON feed item")); perr != nil {
				return perr
			}
		}
	}
	known := map[string]bool{}
	for _, id := range fs.IDs {
		known[id] = true
	}
	if s.FetchPages {
		var fetch []int
		for i, it := range items {
			if !known[it.ID] && it.URL != "" && c.f.Allowed(it.URL) {
				fetch = append(fetch, i)
			}
		}
		if err := parallel(ctx, max(1, c.opts.Concurrency), fetch, func(i int) error {
			return c.itemPage(ctx, s, st, &items[i])
		}); err != nil {
			return err
		}
	}
	for _, it := range items {
		ok, err := c.put(s, st, s.URL, it)
		if err != nil {
			return err
		}
		if ok && !known[it.ID] {
			known[it.ID] = true
			fs.IDs = append(fs.IDs, it.ID)
		}
	}
	c.record(Doc{URL: s.URL, State: fs})
	return nil
}

// itemPage replaces the text of the feed item it by that of its page; a
// page that cannot be read is reported, and the item keeps the feed's text.
func (c *Crawler) itemPage(ctx context.Context, s Source, st *Stats, it *article.Article) error {
	resp, e := c.f.Get(ctx, Request{URL: it.URL, Headers: s.headersFor(it.URL)})
	if e != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return c.problem(st, e.InputError)
	}
	c.mu.Lock()
	st.Fetched++
	c.mu.Unlock()
	if k, ok := sniff(resp.Body, resp.ContentType); !ok || k != kindPage {
		return c.problem(st, unsupported(it.URL, resp.ContentType))
	}
	a, err := c.ex.HTML(bytes.NewReader(resp.Body), resp.URL, c.limit)
	if err != nil {
		return c.problem(st, extractProblem(it.URL, err, ReasonNoText, "an HTML page with article text"))
	}
	if strings.TrimSpace(a.Body) != "" {
		it.Body = a.Body
	}
	if it.Title == "" {
		it.Title = a.Title
	}
	if it.Date.IsZero() {
		it.Date = a.Date
	}
	if it.Author == "" {
		it.Author = a.Author
	}
	return nil
}

// itemProblems are the problems joined in the error of a feed extractor.
func itemProblems(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// parallel calls fn for every item, n at once, until one fails or ctx ends.
func parallel[T any](ctx context.Context, n int, items []T, fn func(T) error) error {
	work := make(chan T)
	errc := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for it := range work {
				if err := fn(it); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	var err error
feed:
	for _, it := range items {
		select {
		case work <- it:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	return err
}

// Record puts the documents of a crawl into the sync plan p and returns
// the ids of those read now (their content is the later write).
func Record(p *sources.Plan, docs []Doc) []string {
	var reread []string
	for _, d := range docs {
		if d.Keep {
			p.Keep(d.URL, d.State)
			continue
		}
		reread = append(reread, p.RecordDoc(d.URL, d.State, d.Problem)...)
	}
	return reread
}
