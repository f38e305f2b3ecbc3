package config

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/folio-search/folio/index/article"
)

// CrawlConfig bounds the requests of URL sources (index.crawl.*).
type CrawlConfig struct {
	Concurrency int           `mapstructure:"concurrency"` // documents fetched at once
	Rate        float64       `mapstructure:"rate"`        // requests per second to one host
	Timeout     time.Duration `mapstructure:"timeout"`     // longest one response may take, headers and body
	MaxBytes    int           `mapstructure:"max_bytes"`   // largest response read, decompressed
	Retries     int           `mapstructure:"retries"`     // further attempts after a 5xx, 429 or network error, with backoff
	MaxURLs     int           `mapstructure:"max_urls"`    // URLs the sitemaps of one source may list together
}

// Source is one parsed entry of index.sources: a file, a folder or an
// http(s) URL, with the options of a URL source.
type Source struct {
	Path         string            // the file, folder or URL
	PollInterval time.Duration     // serve re-reads the URL this often; 0: index.poll_interval
	FetchPages   bool              // a feed: index each new item's page instead of the feed's text
	Headers      map[string]string // sent with each request of the source, values resolved from the environment
	// Groups are the default groups of the source's articles (those whose
	// file or document names none); nil when the entry has no groups
	// option, empty for an explicit "groups=" (public, even inside a
	// folder of another source with groups).
	Groups []string
}

// sourceOptions are the options an entry of index.sources that is a URL
// may carry after it, separated by spaces.
const sourceOptions = "fetch_pages, poll_interval=DURATION, header=NAME:VALUE (VALUE $VAR or ${VAR} reads the environment variable VAR), groups=NAME,NAME"

// groupsOption is the option of an entry of index.sources (a file, a
// folder or a URL) that gives its articles default groups.
const groupsOption = "groups="

// SourceList parses index.sources: an entry is a file or folder (taken as
// it is, spaces included) optionally followed by groups=NAME,..., or "URL
// [OPTION...]" with the options of sourceOptions. Validate reports the
// entries it cannot parse; SourceList skips their bad options.
func (c IndexConfig) SourceList() []Source {
	out := make([]Source, 0, len(c.Sources))
	for _, e := range c.Sources {
		s, _ := parseSource(e)
		if s.Path != "" {
			out = append(out, s)
		}
	}
	return out
}

// SourceGroups are the default groups of the entries of index.sources
// that have a groups option, by file, folder or URL as written (an empty
// list for "groups=": public); nil when none has.
func (c IndexConfig) SourceGroups() map[string][]string {
	var out map[string][]string
	for _, s := range c.SourceList() {
		if s.Groups != nil {
			if out == nil {
				out = map[string][]string{}
			}
			out[s.Path] = s.Groups
		}
	}
	return out
}

// SourcePaths are the files, folders and URLs of index.sources, without
// their options.
func (c IndexConfig) SourcePaths() []string {
	list := c.SourceList()
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Path
	}
	return out
}

// RedactedSources are the entries of index.sources with the literal
// values of their headers replaced by <redacted> (references to the
// environment are kept): what `folio config` shows.
func (c IndexConfig) RedactedSources() []string {
	out := make([]string, len(c.Sources))
	for i, e := range c.Sources {
		f := strings.Fields(e)
		if len(f) < 2 || !isURL(f[0]) {
			out[i] = e
			continue
		}
		for j, o := range f[1:] {
			name, value, ok := strings.Cut(strings.TrimPrefix(o, "header="), ":")
			if strings.HasPrefix(o, "header=") && ok && !strings.HasPrefix(value, "$") {
				f[j+1] = "header=" + name + ":<redacted>"
			}
		}
		out[i] = strings.Join(f, " ")
	}
	return out
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// parseSource parses one entry of index.sources; the error says what is
// wrong with it (without the value of a header).
func parseSource(e string) (Source, error) {
	f := strings.Fields(e)
	if len(f) == 0 {
		return Source{}, fmt.Errorf("is empty (expected a file, a folder or an http(s) URL)")
	}
	if !isURL(f[0]) {
		return parseFileSource(e)
	}
	s := Source{Path: f[0]}
	if u, err := url.Parse(f[0]); err != nil || u.Host == "" || u.User != nil {
		return s, fmt.Errorf("%q is not a URL such as https://intranet.example/news/feed.xml (credentials go in a header option, not the URL)", redactURL(f[0]))
	}
	for _, o := range f[1:] {
		key, value, hasValue := strings.Cut(o, "=")
		switch key {
		case "fetch_pages":
			b := true
			if hasValue {
				var err error
				if b, err = strconv.ParseBool(value); err != nil {
					return s, fmt.Errorf("fetch_pages=%q: expected true or false", value)
				}
			}
			s.FetchPages = b
		case "poll_interval":
			d, err := time.ParseDuration(value)
			if err != nil || d < time.Second {
				return s, fmt.Errorf("poll_interval=%q: expected a duration of 1s or more, such as 5m", value)
			}
			s.PollInterval = d
		case "header":
			name, v, ok := strings.Cut(value, ":")
			if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
				return s, fmt.Errorf("header option %q: expected header=NAME:VALUE, such as header=Authorization:${INTRANET_TOKEN}", key+"="+name)
			}
			resolved, err := headerValue(v)
			if err != nil {
				return s, fmt.Errorf("header %s: %v", name, err)
			}
			if s.Headers == nil {
				s.Headers = map[string]string{}
			}
			s.Headers[name] = resolved
		case "groups":
			if !hasValue {
				return s, groupsError{`"groups" needs a value: groups=NAME,NAME (groups= alone for public articles)`}
			}
			gs, err := parseGroups(value)
			if err != nil {
				return s, err
			}
			s.Groups = addGroups(s.Groups, gs)
		default:
			return s, fmt.Errorf("unknown option %q after the URL (accepted: %s)", key, sourceOptions)
		}
	}
	return s, nil
}

// parseFileSource parses an entry of index.sources that is a file or a
// folder: the path, spaces included, then any groups=NAME,... options
// (the last words of the entry that begin with groups=).
func parseFileSource(e string) (Source, error) {
	path := strings.TrimSpace(e)
	var opts []string
	for {
		i := strings.LastIndexAny(path, " \t")
		if i < 0 || !strings.HasPrefix(path[i+1:], groupsOption) {
			break
		}
		opts = append(opts, path[i+1+len(groupsOption):])
		path = strings.TrimSpace(path[:i])
	}
	s := Source{Path: path}
	for _, o := range slices.Backward(opts) {
		gs, err := parseGroups(o)
		if err != nil {
			return s, err
		}
		s.Groups = addGroups(s.Groups, gs)
	}
	return s, nil
}

// addGroups is the groups of gs added to those of to (each name once), a
// non-nil list.
func addGroups(to, gs []string) []string {
	out := article.NormalizeGroups(append(slices.Clone(to), gs...))
	if out == nil {
		out = []string{}
	}
	return out
}

// groupsError is a problem with the groups of an entry of index.sources
// (reported under the key index.sources[N].groups).
type groupsError struct{ msg string }

func (e groupsError) Error() string { return e.msg }

// parseGroups parses the value of a groups option: comma-separated group
// names, checked like an article's (article.CheckGroups); "" is an empty,
// non-nil list (public).
func parseGroups(v string) ([]string, error) {
	gs := article.SplitGroups(v)
	for _, g := range strings.Split(v, ",") {
		if strings.TrimSpace(g) == "" && strings.TrimSpace(v) != "" {
			return nil, groupsError{fmt.Sprintf("%q has an empty group name (expected NAME,NAME,... of %s)", v, article.GroupChars)}
		}
	}
	if err := article.CheckGroups(gs); err != nil {
		return nil, groupsError{fmt.Sprintf("%v (expected up to %d names of %s)", err, article.MaxGroups, article.GroupChars)}
	}
	return gs, nil
}

// headerValue is v, or the value of the environment variable it names
// ($VAR or ${VAR}), which must be set.
func headerValue(v string) (string, error) {
	if !strings.HasPrefix(v, "$") {
		return v, nil
	}
	name := strings.TrimPrefix(v, "$")
	if strings.HasPrefix(name, "{") && strings.HasSuffix(name, "}") {
		name = name[1 : len(name)-1]
	}
	val, ok := os.LookupEnv(name)
	if !ok || name == "" {
		return "", fmt.Errorf("environment variable %q is not set (expected it to hold the header's value)", name)
	}
	return val, nil
}

// redactURL hides the password of a URL with credentials.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(not a URL)"
}

// validateSources checks index.sources, index.poll_interval and index.crawl.
func (c IndexConfig) validateSources() []error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	for i, e := range c.Sources {
		if strings.TrimSpace(e) == "" {
			errs = append(errs, fmt.Errorf("index.sources[%d] must not be empty", i))
		} else if _, err := parseSource(e); err != nil {
			if _, ok := err.(groupsError); ok {
				errs = append(errs, fmt.Errorf("index.sources[%d].groups: %v", i, err))
			} else {
				errs = append(errs, fmt.Errorf("index.sources[%d]: %v", i, err))
			}
		}
	}
	check(c.PollInterval >= time.Second, "index.poll_interval must be a duration of 1s or more, such as 15m, got %s", c.PollInterval)
	k := c.Crawl
	check(k.Concurrency >= 1 && k.Concurrency <= 64, "index.crawl.concurrency must be between 1 and 64, got %d", k.Concurrency)
	check(k.Rate > 0, "index.crawl.rate must be > 0 requests per second to one host, got %g", k.Rate)
	check(k.Timeout > 0, "index.crawl.timeout must be > 0, got %s", k.Timeout)
	check(k.MaxBytes >= 1024, "index.crawl.max_bytes must be >= 1024, got %d", k.MaxBytes)
	check(k.Retries >= 0 && k.Retries <= 10, "index.crawl.retries must be between 0 and 10, got %d", k.Retries)
	check(k.MaxURLs >= 1, "index.crawl.max_urls must be >= 1, got %d", k.MaxURLs)
	return errs
}

// sourceKeys are the keys of an entry of index.sources written as a map.
const sourceKeys = "path, groups, and for a URL fetch_pages, poll_interval, header"

// sourceEntries rewrites the entries of index.sources that settings (a
// configuration file's) give as maps, such as {path: /srv/hr, groups:
// [hr]}, into the string form ("/srv/hr groups=hr"), which Validate and
// SourceList read. The error names the file, the entry and its key.
func sourceEntries(file string, settings map[string]any) error {
	section, _ := settings["index"].(map[string]any)
	list, ok := section["sources"].([]any)
	if !ok {
		return nil
	}
	var errs []error
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		s, err := sourceEntry(m)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: index.sources[%d]%v", file, i, err))
		}
		list[i] = s
	}
	return errors.Join(errs...)
}

// sourceEntry is the string form of an entry of index.sources given as a
// map; its error begins with the key at fault (".groups: ...") or ": ".
func sourceEntry(m map[string]any) (string, error) {
	var path string
	var opts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		switch strings.ToLower(k) {
		case "path":
			p, ok := v.(string)
			if !ok || strings.TrimSpace(p) == "" {
				return "", fmt.Errorf(".path: expected a file, a folder or an http(s) URL, got %v", v)
			}
			path = strings.TrimSpace(p)
		case "groups":
			gs, ok := toList(v)
			if !ok {
				return "", fmt.Errorf(".groups: expected a list of group names, got %v", v)
			}
			gs = article.NormalizeGroups(gs)
			if err := article.CheckGroups(gs); err != nil {
				return "", fmt.Errorf(".groups: %v (expected up to %d names of %s; [] for public articles)", err, article.MaxGroups, article.GroupChars)
			}
			opts = append(opts, groupsOption+strings.Join(gs, ","))
		case "fetch_pages":
			b, ok := toBool(v)
			if !ok {
				return "", fmt.Errorf(".fetch_pages: expected true or false, got %v", v)
			}
			opts = append(opts, "fetch_pages="+strconv.FormatBool(b))
		case "poll_interval":
			d, ok := toDuration(v)
			if !ok {
				return "", fmt.Errorf(".poll_interval: expected a duration such as 5m, got %v", v)
			}
			opts = append(opts, "poll_interval="+d.String())
		case "header":
			hs, ok := toList(v)
			if !ok {
				return "", fmt.Errorf(".header: expected a list of NAME:VALUE, got %v", v)
			}
			for _, h := range hs {
				if strings.ContainsAny(h, " \t\r\n") {
					return "", fmt.Errorf(".header: %q has spaces (expected NAME:VALUE without spaces; put a value with spaces in an environment variable, NAME:${VAR})", strings.SplitN(h, ":", 2)[0])
				}
				opts = append(opts, "header="+h)
			}
		default:
			return "", fmt.Errorf(": unknown key %q (accepted: %s)", k, sourceKeys)
		}
	}
	if path == "" {
		return "", fmt.Errorf(": no path (expected {path: FILE, FOLDER or URL, groups: [NAME, ...]})")
	}
	if !isURL(path) && slices.ContainsFunc(opts, func(o string) bool { return !strings.HasPrefix(o, groupsOption) }) {
		return "", fmt.Errorf(": %q is a file or folder: only groups apply (fetch_pages, poll_interval and header are options of URL sources)", path)
	}
	return strings.Join(append([]string{path}, opts...), " "), nil
}
