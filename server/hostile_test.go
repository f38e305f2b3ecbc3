package server

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestHostileRequests sends the requests an intranet service meets sooner
// or later through the real server and index. Each gets its documented
// status and a JSON error naming what was wrong, and the server stays healthy.
func TestHostileRequests(t *testing.T) {
	srv := realServer(t)
	deep := strings.Repeat("(", 500) + "oil" + strings.Repeat(")", 500)
	tests := []struct {
		name   string
		method string
		target string
		body   string
		status int
		code   string
		param  string
	}{
		{"huge q", "GET", "/api/search?q=" + strings.Repeat("oil+", 5000), "", 400, "invalid_query", "q"},
		{"q just under the limit", "GET", "/api/search?q=" + url.QueryEscape(strings.Repeat("oil ", 63)+strings.Repeat("o", 1795)), "", 200, "", ""},
		{"deeply nested parentheses", "GET", "/api/search?q=" + url.QueryEscape(deep), "", 200, "", ""},
		{"unbalanced parentheses", "GET", "/api/search?q=" + url.QueryEscape(strings.Repeat("(", 1000)), "", 200, "", ""}, // a word without letters: no hits
		{"star", "GET", "/api/search?q=*", "", 400, "invalid_query", "q"},
		{"match-all regexp", "GET", "/api/search?q=" + url.QueryEscape("/.*/"), "", 400, "invalid_query", "q"},
		{"leading wildcard", "GET", "/api/search?q=" + url.QueryEscape("*il"), "", 400, "invalid_query", "q"},
		{"invalid UTF-8", "GET", "/api/search?q=%ff%fe", "", 400, "invalid_parameter", "q"},
		{"invalid UTF-8 in from", "GET", "/api/search?from=%c3", "", 400, "invalid_parameter", "from"},
		{"NUL byte", "GET", "/api/search?q=oil%00price", "", 400, "invalid_parameter", "q"},
		{"size -1", "GET", "/api/search?size=-1", "", 400, "invalid_parameter", "size"},
		{"size 1e9", "GET", "/api/search?size=1e9", "", 400, "invalid_parameter", "size"},
		{"size 1000000000", "GET", "/api/search?size=1000000000", "", 400, "invalid_parameter", "size"},
		{"page 1e12", "GET", "/api/search?page=1e12", "", 400, "invalid_parameter", "page"},
		{"page 1000000000000", "GET", "/api/search?page=1000000000000", "", 400, "invalid_parameter", "page"},
		{"page overflow", "GET", "/api/search?page=99999999999999999999", "", 400, "invalid_parameter", "page"},
		{"repeated q", "GET", "/api/search?q=oil&q=gold", "", 400, "invalid_parameter", "q"},
		{"repeated size", "GET", "/api/search?size=1&size=2", "", 400, "invalid_parameter", "size"},
		{"unknown parameter", "GET", "/api/search?q=oil&sizee=3", "", 400, "invalid_parameter", "sizee"},
		{"bad date", "GET", "/api/search?from=yesterday", "", 400, "invalid_parameter", "from"},
		{"bad sort", "GET", "/api/search?sort=random", "", 400, "invalid_parameter", "sort"},
		{"POST search", "POST", "/api/search?q=oil", "", 405, "method_not_allowed", ""},
		{"DELETE article without an admin key", "DELETE", "/api/articles/reuters-10113", "", 403, "forbidden", ""},
		{"PUT healthz", "PUT", "/healthz", "", 405, "method_not_allowed", ""},
		{"oversized body", "GET", "/api/search?q=oil", strings.Repeat("x", 11<<20), 413, "payload_too_large", ""},
		{"unknown route", "GET", "/api/../../etc/passwd", "", 404, "not_found", ""},
		{"article path traversal", "GET", "/api/articles/..%2F..%2Fetc%2Fpasswd", "", 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec *httptest.ResponseRecorder
			if tt.body != "" {
				rec = httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body)))
			} else {
				rec = do(t, srv, tt.method, tt.target)
			}
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %.300s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 200 {
				var r searchJSON
				decodeJSON(t, rec, &r)
				return
			}
			var e errorJSON
			decodeJSON(t, rec, &e)
			if e.Error.Code != tt.code || e.Error.Param != tt.param || e.Error.Message == "" {
				t.Errorf("error %+v, want code %q param %q and a message", e.Error, tt.code, tt.param)
			}
		})
	}
	if rec := do(t, srv, http.MethodGet, "/readyz"); rec.Code != http.StatusOK {
		t.Errorf("after the hostile requests /readyz = %d %s", rec.Code, rec.Body)
	}
	if r := search(t, srv, "q=%22Diamond+Hexagon%22"); len(r.Hits) == 0 || r.Hits[0].ID != "ironclad-friendship-cambodia" {
		t.Errorf("after the hostile requests the search for \"Diamond Hexagon\" returned %v", ids(r.Hits))
	}
}

// TestSlowClients checks that clients that send their headers or body too
// slowly are cut off by the server's timeouts, and that the server keeps
// answering others meanwhile.
func TestSlowClients(t *testing.T) {
	opts := DefaultOptions()
	opts.ReadHeaderTimeout, opts.ReadTimeout = 50*time.Millisecond, 100*time.Millisecond
	base, _ := startServer(t, New(testIndex(t), opts, nil))
	addr := strings.TrimPrefix(base, "http://")

	for _, tt := range []struct{ name, partial string }{
		{"headers never finished", "GET /api/search?q=oil HTTP/1.1\r\nHost: x\r\nX-Slow: "},
		{"body never finished", "GET /api/search?q=oil HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte(tt.partial)); err != nil {
				t.Fatal(err)
			}
			// The server must give up on us: read until it closes the
			// connection (it may first send an error status). The 10s
			// deadline only bounds a broken test; the timeouts are 50-100ms.
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			r := bufio.NewReader(c)
			for {
				if _, err := r.ReadByte(); err != nil {
					if ne, ok := err.(net.Error); ok && ne.Timeout() {
						t.Fatal("the server kept the slow connection open")
					}
					break
				}
			}
			resp, err := http.Get(base + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("/readyz = %d after a slow client", resp.StatusCode)
			}
		})
	}
}

// startServer serves srv on a free loopback port until the test ends and
// returns its base URL and the channel Serve's result arrives on.
func startServer(t *testing.T, srv *Server) (string, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), served
}
