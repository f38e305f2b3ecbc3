package config

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
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
}

// sourceOptions are the options an entry of index.sources that is a URL
// may carry after it, separated by spaces.
const sourceOptions = "fetch_pages, poll_interval=DURATION, header=NAME:VALUE (VALUE $VAR or ${VAR} reads the environment variable VAR)"

// SourceList parses index.sources: an entry is a file or folder (taken as
// it is, spaces included), or "URL [OPTION...]" with the options of
// sourceOptions. Validate reports the entries it cannot parse; SourceList
// skips their bad options.
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
		return Source{Path: strings.TrimSpace(e)}, nil
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
		default:
			return s, fmt.Errorf("unknown option %q after the URL (accepted: %s)", key, sourceOptions)
		}
	}
	return s, nil
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
			errs = append(errs, fmt.Errorf("index.sources[%d]: %v", i, err))
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
