package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/article/extract"
	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/sources/web"
	"github.com/folio-search/folio/index/internal/store"
)

// WebOptions configure the URL sources of Sync, Rebuild and Ingest: a
// feed, a sitemap (or sitemap index) or a single page, given as an
// http(s) URL among the paths (index.crawl.* and the per-source options
// of index.sources). Zero values are replaced by DefaultWebOptions.
type WebOptions struct {
	UserAgent   string        // sent with every request: "Folio/<version> (+url)"
	Concurrency int           // documents fetched at once (default 2)
	Rate        float64       // requests per second to one host (default 4; negative: no limit)
	Timeout     time.Duration // longest one response may take, headers and body (default 30s)
	MaxBytes    int64         // largest response read, decompressed (default 10 MiB)
	Retries     int           // further attempts after a 5xx, a 429 or a network error (default 2; -1: none)
	Backoff     time.Duration // wait before the first retry, doubling with each up to 30s (default 1s)
	MaxURLs     int           // URLs the sitemaps of one source may list together (default 50,000)
	// Sources are the options of the URL sources, by URL; a URL without
	// an entry has none.
	Sources map[string]URLSource
}

// URLSource are the options of one URL source.
type URLSource struct {
	// Headers are sent with each request of the source (an Authorization
	// for a protected intranet); they are never logged nor shown.
	Headers map[string]string
	// FetchPages, for a feed, fetches each new item's page and indexes its
	// text instead of the feed's (many feeds carry only a summary).
	FetchPages bool
}

// DefaultWebOptions are the crawl defaults (those of config.Default).
func DefaultWebOptions() WebOptions {
	return WebOptions{UserAgent: "Folio (+https://github.com/folio-search/folio)", Concurrency: 2, Rate: 4,
		Timeout: 30 * time.Second, MaxBytes: 10 << 20, Retries: 2, Backoff: time.Second, MaxURLs: 50000}
}

// withDefaults fills the zero fields of o from DefaultWebOptions.
func (o WebOptions) withDefaults() WebOptions {
	d := DefaultWebOptions()
	fill(&o.UserAgent, d.UserAgent)
	fill(&o.Concurrency, d.Concurrency)
	fill(&o.Rate, d.Rate)
	fill(&o.Timeout, d.Timeout)
	fill(&o.MaxBytes, d.MaxBytes)
	fill(&o.Retries, d.Retries)
	o.Retries = max(0, o.Retries)
	fill(&o.Backoff, d.Backoff)
	fill(&o.MaxURLs, d.MaxURLs)
	return o
}

// withoutCredentials takes the URL sources that carry credentials
// (https://user:password@host/...) out of paths: they are not read, and
// their problem names them without the password (credentials belong in a
// source's headers, which are never shown, not in a URL that is).
func withoutCredentials(paths []string) ([]string, []*article.InputError) {
	var bad []*article.InputError
	out := paths[:0:0]
	for _, p := range paths {
		if u, err := url.Parse(p); err == nil && sources.IsURL(p) && u.User != nil {
			bad = append(bad, &article.InputError{Path: u.Redacted(), Reason: web.ReasonBadURL, Message: "a URL with credentials is not read",
				Expected: "the URL without user:password@, and an Authorization header in the options of its index.sources entry"})
			continue
		}
		out = append(out, p)
	}
	return out, bad
}

// reportEarly reports the problems found before an ingest read anything
// to opts.Problem; a strict run returns the first instead.
func reportEarly(opts IngestOptions, bad []*article.InputError) error {
	if opts.Strict && len(bad) > 0 {
		return bad[0]
	}
	for _, e := range bad {
		if opts.Problem != nil {
			opts.Problem(e)
		}
	}
	return nil
}

// countEarly counts the problems reportEarly reported in sum.
func countEarly(sum *IngestSummary, bad []*article.InputError) {
	for _, e := range bad {
		if sum.SkippedByReason == nil {
			sum.SkippedByReason = map[string]int{}
		}
		sum.Skipped++
		sum.SkippedByReason[e.Reason]++
	}
}

// IsURL reports whether a path given to Sync is a URL source (http:// or
// https://) rather than a file or folder.
func IsURL(path string) bool { return sources.IsURL(path) }

// SourceStats is what one sync did with one URL source.
type SourceStats struct {
	Source      string
	Fetched     int            // documents answered 200
	NotModified int            // documents answered 304, or not requested because their sitemap lastmod is unchanged
	Articles    int            // articles written
	Errors      map[string]int // problems by reason (article.InputError.Reason)
	LastError   string         // the last problem, "URL: what is wrong (what was expected)"
	Took        time.Duration
}

// SourceStatus is what the syncs of this process did with one source:
// the last one's outcome and the problems of all of them.
type SourceStatus struct {
	Source     string
	URL        bool      // a URL source (else a file or folder)
	LastSync   time.Time // when the last sync of it ended
	Took       time.Duration
	Files      int // files found (file sources)
	Unchanged  int // files not read because unchanged (file sources)
	Fetched    int // documents fetched (URL sources)
	Unmodified int // documents not modified (URL sources)
	Articles   int // articles written by the last sync
	Errors     int // problems of the last sync
	// LastError is the last problem any sync of this process found, at
	// LastErrorAt: "URL: what is wrong (what was expected)" or "path:line: ...".
	LastError   string
	LastErrorAt time.Time
	// ErrorsTotal counts the problems of every sync of this process by
	// reason (folio_source_errors_total).
	ErrorsTotal map[string]int
}

// sourceLog keeps the SourceStatus of every source synced, saved beside
// the sync state (statusFile) so that it outlives the process; a
// rebuild's new generation shares its index's.
type sourceLog struct {
	mu     sync.Mutex
	loaded bool
	by     map[string]*SourceStatus
}

// statusFile is the name of the source statuses' file inside a generation directory.
const statusFile = "sources-status.json"

// load reads the statuses saved in file, once; a missing file is none.
// The caller holds l.mu.
func (l *sourceLog) load(file string) error {
	if l.loaded {
		return nil
	}
	by := map[string]*SourceStatus{}
	b, err := os.ReadFile(file)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		var list []SourceStatus
		if err := json.Unmarshal(b, &list); err != nil {
			return fmt.Errorf("read source statuses %s: %w (delete it to start over)", file, err)
		}
		for i := range list {
			by[list[i].Source] = &list[i]
		}
	}
	l.by, l.loaded = by, true
	return nil
}

// record merges the outcomes of one sync into the log and saves it to file.
func (l *sourceLog) record(file string, outcomes []SourceStatus, errs []map[string]int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.load(file); err != nil {
		return err
	}
	for i, s := range outcomes {
		total := map[string]int{}
		if old := l.by[s.Source]; old != nil {
			maps.Copy(total, old.ErrorsTotal)
			if s.LastError == "" { // a clean sync keeps the last problem seen, and when
				s.LastError, s.LastErrorAt = old.LastError, old.LastErrorAt
			}
		}
		if s.LastError != "" && s.LastErrorAt.IsZero() {
			s.LastErrorAt = s.LastSync
		}
		for r, n := range errs[i] {
			total[r] += n
		}
		s.ErrorsTotal = total
		l.by[s.Source] = &s
	}
	b, err := json.Marshal(l.sorted())
	if err != nil {
		return err
	}
	return store.WriteFileAtomic(file, b)
}

// sorted returns copies of the statuses sorted by source. The caller holds l.mu.
func (l *sourceLog) sorted() []SourceStatus {
	out := make([]SourceStatus, 0, len(l.by))
	for _, s := range l.by {
		c := *s
		c.ErrorsTotal = maps.Clone(s.ErrorsTotal)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b SourceStatus) int { return strings.Compare(a.Source, b.Source) })
	return out
}

// statusPath is the file of the source statuses of the current generation.
func (ix *Index) statusPath() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return filepath.Join(store.GenDir(ix.opts.Path, ix.meta.Generation), statusFile)
}

// Sources returns every source synced into the index (files, folders and
// URLs), with its last sync, counts and last error, sorted by source; the
// statuses are kept in the index directory. An unreadable status file is
// an error.
func (ix *Index) Sources() ([]SourceStatus, error) {
	file := ix.statusPath()
	l := ix.sourceLog
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.load(file); err != nil {
		return nil, err
	}
	return l.sorted(), nil
}

// urlCrawl is the URL sources of one ingest: the state of the last sync
// (for conditional requests) and, once read, what the crawl found.
type urlCrawl struct {
	srcs  []web.Source
	old   sources.State
	docs  []web.Doc
	stats []web.Stats
}

// newCrawl is the crawl of the URL sources urls over the state old.
func (ix *Index) newCrawl(urls []string, old sources.State) *urlCrawl {
	c := &urlCrawl{old: old}
	for _, u := range urls {
		o := ix.opts.Web.Sources[u]
		c.srcs = append(c.srcs, web.Source{URL: u, Headers: o.Headers, FetchPages: o.FetchPages, Groups: sources.GroupsOf(u, ix.opts.SourceGroups)})
	}
	return c
}

// run fetches the URL sources into b (articles and problems, as records)
// and keeps what it found for the sync plan.
func (c *urlCrawl) run(ctx context.Context, ix *Index, b *sources.Batcher) error {
	w := ix.opts.Web.withDefaults()
	opts := web.Options{UserAgent: w.UserAgent, Concurrency: w.Concurrency, Rate: w.Rate, Timeout: w.Timeout,
		MaxBytes: w.MaxBytes, Retries: w.Retries, Backoff: w.Backoff, MaxURLs: w.MaxURLs}
	x := &extract.Extractor{Dates: ix.opts.Dates}
	ex := web.Extractors{HTML: x.HTML, Feed: x.Feed, Document: documents{x}}
	var err error
	c.docs, c.stats, err = web.Run(ctx, opts, ex, c.srcs, c.old, ix.opts.MaxArticleBytes, func(r article.Record) error {
		return b.Add(ctx, r)
	})
	return err
}

// documents reads the PDF, Word and OpenDocument files of URL sources
// with extract (web.DocumentReader).
type documents struct{ x *extract.Extractor }

// Reads reports whether the document is a PDF, a .docx or an .odt, by its
// content type, else its URL's path.
func (d documents) Reads(pageURL, contentType string) bool {
	_, ok := documentKind(pageURL, contentType)
	return ok
}

// Read extracts the one article of the document.
func (d documents) Read(r io.Reader, pageURL, contentType string, limit int64) (article.Article, error) {
	k, ok := documentKind(pageURL, contentType)
	if !ok {
		return article.Article{}, &article.InputError{Path: pageURL, Reason: web.ReasonUnsupported, Message: "not a PDF, Word or OpenDocument file"}
	}
	for _, rec := range d.x.Records(k, pageURL, r, limit) {
		if rec.Err != nil {
			return article.Article{}, rec.Err
		}
		return rec.Article, nil
	}
	return article.Article{}, &article.InputError{Path: pageURL, Reason: web.ReasonNoText, Message: "no text", Expected: "a document with a text layer"}
}

// documentKind is the extract kind of a PDF, Word or OpenDocument file at
// pageURL (its path's extension when the content type is generic).
func documentKind(pageURL, contentType string) (extract.Kind, bool) {
	name := pageURL
	if u, err := url.Parse(pageURL); err == nil {
		name = u.Path
	}
	k, ok := extract.KindOf(name, contentType) // a generic type (application/octet-stream): the extension says
	return k, ok && (k == extract.KindPDF || k == extract.KindDocx || k == extract.KindODT)
}

// summarise adds the crawl's counts to sum.
func (c *urlCrawl) summarise(sum *IngestSummary) {
	for _, st := range c.stats {
		sum.Fetched += st.Fetched
		sum.NotModified += st.NotModified
		sum.URLSources = append(sum.URLSources, SourceStats{Source: st.Source, Fetched: st.Fetched, NotModified: st.NotModified,
			Articles: st.Articles, Errors: maps.Clone(st.Errors), LastError: st.LastError, Took: st.Took})
	}
}

// recordSources logs the outcome of a sync of paths: per URL source its
// crawl stats; per file source the files found under it (found, by
// absolute root), the articles of those read now and their problems.
func (ix *Index) recordSources(paths []string, sum IngestSummary, found map[string]int, files []sources.File, results []sources.FileResult, problems map[string]*rootProblems) error {
	now := time.Now()
	var outcomes []SourceStatus
	var errs []map[string]int
	for _, st := range sum.URLSources {
		n := 0
		for _, c := range st.Errors {
			n += c
		}
		outcomes = append(outcomes, SourceStatus{Source: st.Source, URL: true, LastSync: now, Took: st.Took, Fetched: st.Fetched,
			Unmodified: st.NotModified, Articles: st.Articles, Errors: n, LastError: st.LastError})
		errs = append(errs, st.Errors)
	}
	for _, p := range paths {
		if sources.IsURL(p) {
			continue
		}
		root := sources.AbsPath(p)
		s := SourceStatus{Source: root, LastSync: now, Took: sum.Elapsed, Files: found[root]}
		read := 0
		for i, f := range files {
			if sources.Under(sources.AbsPath(f.Path), []string{root}) {
				read++
				s.Articles += len(results[i].IDs)
			}
		}
		s.Unchanged = max(0, s.Files-read)
		var e map[string]int
		if rp := problems[root]; rp != nil {
			s.Errors, s.LastError, e = rp.n, rp.last, rp.byReason
		}
		outcomes = append(outcomes, s)
		errs = append(errs, e)
	}
	return ix.sourceLog.record(ix.statusPath(), outcomes, errs)
}

// rootProblems count the problems of the files under one file source.
type rootProblems struct {
	n        int
	last     string
	byReason map[string]int
}

// noteProblem counts e against the file source of roots (absolute) that
// holds its path; problems of URL sources are counted by their crawl.
func noteProblem(by map[string]*rootProblems, roots []string, e *article.InputError) {
	if sources.IsURL(e.Path) || e.Path == "" {
		return
	}
	abs := sources.AbsPath(e.Path)
	for _, r := range roots {
		if !sources.Under(abs, []string{r}) {
			continue
		}
		rp := by[r]
		if rp == nil {
			rp = &rootProblems{byReason: map[string]int{}}
			by[r] = rp
		}
		rp.n++
		rp.byReason[e.Reason]++
		rp.last = e.Error()
		return
	}
}
