package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio-search/folio/server/api"
)

// TestIndexURL: `folio index URL` reads a feed over HTTP, with the
// Authorization header of its index.sources entry taken from the
// environment (sent, never printed); the second run is answered 304 and
// writes nothing; a protected page that refuses the header is reported as
// "URL: problem (expected)" without it.
func TestIndexURL(t *testing.T) {
	cfg := isolate(t)
	const token = "Bearer s3cret-intranet-token"
	var mu sync.Mutex
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case r.Header.Get("Authorization") != token:
			http.Error(w, "forbidden", http.StatusForbidden)
		case r.URL.Path == "/news/feed.xml" && r.Header.Get("If-None-Match") == `"v1"`:
			w.WriteHeader(http.StatusNotModified)
		case r.URL.Path == "/news/feed.xml":
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Canteen reopens</title><guid>news-1</guid><link>https://intranet.example/news/1</link><pubDate>Mon, 02 Feb 2026 09:00:00 GMT</pubDate><description>&lt;p&gt;The canteen reopens with a quokka mural.&lt;/p&gt;</description></item>
</channel></rss>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	feed := srv.URL + "/news/feed.xml"
	t.Setenv("FOLIO_TEST_TOKEN", token)
	writeFile(t, cfg, fmt.Sprintf("index:\n  sources:\n    - %s header=Authorization:${FOLIO_TEST_TOKEN}\n    - %s/private header=Authorization:wrong\n", feed, srv.URL))
	ix := filepath.Join(t.TempDir(), "folio.bleve")

	out := mustRun(t, "--config", cfg, "index", "--index", ix, feed)
	if !strings.HasPrefix(out, "indexed 1 new, 0 updated, 0 skipped from 1 URL source (1 fetched, 0 not modified) in ") {
		t.Errorf("index output %q", out)
	}
	resp := searchJSON(t, "--config", cfg, "--index", ix, "quokka")
	if resp.Total != 1 || resp.Hits[0].ID != "news-1" || resp.Hits[0].Title != "Canteen reopens" {
		t.Fatalf("search quokka = %+v; want the feed item news-1", resp)
	}
	out = mustRun(t, "--config", cfg, "index", "--index", ix, feed)
	if !strings.HasPrefix(out, "indexed 0 new, 0 updated, 0 skipped from 1 URL source (0 fetched, 1 not modified) in ") {
		t.Errorf("second index output %q; want the feed not modified", out)
	}

	// The second source sends a header the server refuses.
	stdout, stderr, err := runCLI(t, "--config", cfg, "index", "--index", ix, srv.URL+"/private")
	if err == nil || !strings.Contains(stderr, srv.URL+"/private: HTTP 403 Forbidden (a 2xx response)") {
		t.Errorf("a refused source: err %v\nstdout %s\nstderr %s", err, stdout, stderr)
	}
	// folio config shows the environment reference, not the literal value.
	shown := mustRun(t, "--config", cfg, "config")
	if !strings.Contains(shown, "header=Authorization:${FOLIO_TEST_TOKEN}") || !strings.Contains(shown, "/private header=Authorization:<redacted>") || strings.Contains(shown, "wrong") {
		t.Errorf("folio config:\n%s", shown)
	}

	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(auth, "\n"); !strings.Contains(got, "/news/feed.xml "+token) || !strings.Contains(got, "/private wrong") {
		t.Errorf("requests received:\n%s", got)
	}
	for _, s := range []string{stdout, stderr, out} {
		if strings.Contains(s, "s3cret") || strings.Contains(s, "wrong") {
			t.Errorf("a header value was printed:\n%s", s)
		}
	}
}

// feedServer serves an RSS feed at /feed.xml whose items can be changed,
// with an ETag per version (304 to a matching If-None-Match); it counts
// the feed's requests by status.
type feedServer struct {
	*httptest.Server
	mu      sync.Mutex
	items   []string
	version int
	hits    map[int]int
}

func newFeedServer(t *testing.T, items ...string) *feedServer {
	f := &feedServer{items: items, version: 1, hits: map[int]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			http.NotFound(w, r)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		etag := fmt.Sprintf(`"v%d"`, f.version)
		if r.Header.Get("If-None-Match") == etag {
			f.hits[304]++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		f.hits[200]++
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>`)
		for _, it := range f.items {
			fmt.Fprintf(w, "<item><title>%s news</title><guid>%s</guid><description>The %s announcement.</description></item>", it, it, it)
		}
		fmt.Fprint(w, "</channel></rss>")
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *feedServer) set(items ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items, f.version = items, f.version+1
}

// searchTotal GETs base/api/search?q=q and returns its total.
func searchTotal(t *testing.T, base, q string) int {
	t.Helper()
	var r api.SearchResponse
	if err := json.Unmarshal([]byte(httpGet(t, base+"/api/search?q="+q)), &r); err != nil {
		t.Fatal(err)
	}
	return int(r.Total)
}

// TestServePollsURLSources: serve builds the missing index from a feed
// source, then re-reads it every poll_interval (the source's option, 1s):
// an unchanged feed is answered 304, a new item becomes searchable, the
// one that left the feed stays; the server stops cleanly while polling.
func TestServePollsURLSources(t *testing.T) {
	cfg := isolate(t)
	f := newFeedServer(t, "alpha")
	t.Setenv("FOLIO_TEST_POLL_TOKEN", "Bearer poll-secret-token")
	writeFile(t, cfg, fmt.Sprintf("index:\n  poll_interval: 1h\n  sources:\n    - %s/feed.xml poll_interval=1s header=Authorization:$FOLIO_TEST_POLL_TOKEN\n    - %[1]s/missing.xml poll_interval=1s header=X-Key:literal-poll-secret\nlog:\n  level: debug\n", f.URL))
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", cfg, "serve", "--index", ix, "--addr", addr}, io.Discard, &stderr)
	}()
	base := "http://" + addr
	waitHealthy(t, base, done)
	if n := searchTotal(t, base, "alpha"); n != 1 {
		t.Fatalf("alpha: %d hits after the start-up build, want 1", n)
	}
	waitFor(t, "a poll answered 304", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.hits[304] > 0 })
	f.set("beta")
	waitFor(t, "beta searchable", func() bool { return searchTotal(t, base, "beta") == 1 })
	if n := searchTotal(t, base, "alpha"); n != 1 {
		t.Errorf("alpha: %d hits after it left the feed, want 1 (feed items stay)", n)
	}
	stopServe(t, cancel, done, &stderr)
	logs := stderr.String()
	if !strings.Contains(logs, f.URL+"/missing.xml: HTTP 404 Not Found") || strings.Contains(logs, "poll-secret") {
		t.Errorf("serve's log: want the missing source's problem, never a header value:\n%s", logs)
	}
}

// waitFor polls cond every 50ms for at most 15s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 300 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within 15s", what)
}
