package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// resultJSON is one write result as the API sends it.
type resultJSON struct {
	Index   *int     `json:"index"`
	Line    int      `json:"line"`
	ID      string   `json:"id"`
	Status  string   `json:"status"`
	Error   string   `json:"error"`
	Ignored []string `json:"ignored"`
	Seq     uint64   `json:"seq"`
}

// summaryJSON counts the results of a write of many articles.
type summaryJSON struct {
	Status  string `json:"status"`
	Error   string `json:"error"`
	Errors  bool   `json:"errors"`
	Created int    `json:"created"`
	Updated int    `json:"updated"`
	Failed  int    `json:"failed"`
	Seq     uint64 `json:"seq"`
}

// arrayJSON is the body of POST /api/articles with an array.
type arrayJSON struct {
	summaryJSON
	Results []resultJSON `json:"results"`
}

// bulkLines reads a bulk response: its result lines, and the summary that
// must be its last line.
func bulkLines(t *testing.T, body io.Reader) ([]resultJSON, summaryJSON) {
	t.Helper()
	sc := bufio.NewScanner(body)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read the bulk response after %d lines: %v", len(lines), err)
	}
	if len(lines) == 0 {
		t.Fatal("empty bulk response, want at least the summary line")
	}
	var sum summaryJSON
	if err := strictJSON(lines[len(lines)-1], &sum); err != nil || sum.Status != "done" && sum.Status != "aborted" {
		t.Fatalf("the last line %q is not a summary (%v): the stream was cut off", lines[len(lines)-1], err)
	}
	results := make([]resultJSON, len(lines)-1)
	for i, l := range lines[:len(lines)-1] {
		if err := strictJSON(l, &results[i]); err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
	}
	return results, sum
}

// strictJSON decodes s into v, refusing unknown fields.
func strictJSON(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// TestWriteResultsShape: array results carry the 0-based index and bulk
// results the 1-based line, their messages start with the same number,
// errors keep the id once it was read, ignored fields are listed per
// result, and a partial failure is 200 with errors: true.
func TestWriteResultsShape(t *testing.T) {
	srv, _ := writableServer(t, Options{})
	rec := send(t, srv, http.MethodPost, "/api/articles", adminKey, "[\n"+
		`{"id":"w1","title":"first","places":"x"},`+"\n\n\n"+
		`{"id":"w2","title":"second","date":"never"},`+"\n"+
		`{"title":"no id"}]`)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST array: %d %s", rec.Code, rec.Body)
	}
	var arr arrayJSON
	decodeJSON(t, rec, &arr)
	var got []string
	for _, r := range arr.Results {
		prefix, _, _ := strings.Cut(r.Error, ": ")
		got = append(got, fmt.Sprintf("%d|%d|%s|%s|%s|%v", *r.Index, r.Line, r.ID, r.Status, prefix, r.Ignored))
	}
	want := []string{"0|0|w1|created||[places]", "1|0|w2|error|request[1]|[]", "2|0||error|request[2]|[]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("array results (-want +got):\n%s\nbody %s", diff, rec.Body)
	}
	if want := (summaryJSON{Errors: true, Created: 1, Failed: 2}); arr.summaryJSON != want {
		t.Errorf("array summary = %+v, want %+v", arr.summaryJSON, want)
	}

	rec = send(t, srv, http.MethodPost, "/api/articles/_bulk", adminKey,
		`{"id":"w1","title":"again","extra":1}`+"\n\n"+`{"id":"w3","title":"t","date":"never"}`+"\n")
	results, sum := bulkLines(t, rec.Body)
	got = nil
	for _, r := range results {
		prefix, _, _ := strings.Cut(r.Error, ": ")
		got = append(got, fmt.Sprintf("%v|%d|%s|%s|%s|%v", r.Index != nil, r.Line, r.ID, r.Status, prefix, r.Ignored))
	}
	want = []string{"false|1|w1|updated||[extra]", "false|3|w3|error|request:3|[]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bulk results (-want +got):\n%s", diff)
	}
	if want := (summaryJSON{Status: "done", Errors: true, Updated: 1, Failed: 1}); sum != want {
		t.Errorf("bulk summary = %+v, want %+v", sum, want)
	}
}

// servedWritable serves a writable server with opts on a free loopback port
// until the test ends, and returns its base URL.
func servedWritable(t *testing.T, opts Options) string {
	t.Helper()
	srv, _ := writableServer(t, opts)
	base, _ := startServer(t, srv)
	return base
}

// TestBulkOutlivesServerTimeouts: a bulk stream that runs several times
// longer than server.read_timeout and server.write_timeout, with both sides
// keeping it moving, is answered to its last line and ends with the "done"
// summary; it is neither cut off nor ended silently.
func TestBulkOutlivesServerTimeouts(t *testing.T) {
	// Each pause of the producer is a tenth of the timeouts (a loaded
	// machine's fsyncs and the race detector fit in the rest), and the
	// whole stream lasts about 2.5 timeouts.
	const timeout = time.Second
	const lines = 26
	pace := timeout / 10
	base := servedWritable(t, Options{ReadTimeout: timeout, WriteTimeout: timeout})

	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, base+"/api/articles/_bulk", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	type reply struct {
		resp *http.Response
		err  error
	}
	replied := make(chan reply, 1)
	client := &http.Client{Timeout: 20 * time.Second}
	go func() {
		resp, err := client.Do(req)
		replied <- reply{resp, err}
	}()
	line := func(i int) string { return fmt.Sprintf(`{"id":"slow-%d","title":"Slow okapi %d"}`+"\n", i, i) }
	go func() { // the first line makes the server send the status
		io.WriteString(pw, line(1))
	}()
	r := <-replied
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.resp.Body.Close()
	if r.resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.resp.StatusCode)
	}
	br := bufio.NewReader(r.resp.Body)
	start := time.Now()
	for i := 1; i <= lines; i++ {
		if i > 1 {
			time.Sleep(pace) // a slow producer
			if _, err := io.WriteString(pw, line(i)); err != nil {
				t.Fatalf("send line %d after %s: %v", i, time.Since(start), err)
			}
		}
		got, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("result of line %d after %s: %v", i, time.Since(start), err)
		}
		var res resultJSON
		if err := strictJSON(got, &res); err != nil || res.Line != i || res.Status != "created" {
			t.Fatalf("result of line %d = %q (%v)", i, got, err)
		}
	}
	pw.Close()
	if elapsed := time.Since(start); elapsed < 2*timeout {
		t.Fatalf("the stream took %s, less than two timeouts: the test proves nothing", elapsed)
	}
	_, sum := bulkLines(t, br)
	if want := (summaryJSON{Status: "done", Created: lines}); sum != want {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
}

// rawRequest sends raw bytes as a request to base and reads the response.
func rawRequest(t *testing.T, base, raw string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestMalformedBodyIs400: a body that cannot be read because the client
// sent it malformed (a bad chunked encoding) is 400, not 499 "client closed
// the request"; in a bulk stream it ends the stream with an aborted summary.
func TestMalformedBodyIs400(t *testing.T) {
	base := servedWritable(t, Options{})
	head := func(path string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: folio\r\nAuthorization: Bearer " + adminKey +
			"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
	}
	resp, body := rawRequest(t, base, head("/api/articles")+"zz\r\n{}\r\n")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"code":"bad_request"`) || !strings.Contains(body, "cannot read the request body") {
		t.Errorf("POST /api/articles with a bad chunk: %d %s, want 400 bad_request", resp.StatusCode, body)
	}

	first := `{"id":"chunk-1","title":"Chunked okapi"}` + "\n"
	resp, body = rawRequest(t, base, head("/api/articles/_bulk")+fmt.Sprintf("%x\r\n%s\r\n", len(first), first)+"zz\r\n")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("bulk: status %d %s", resp.StatusCode, body)
	}
	results, sum := bulkLines(t, strings.NewReader(body))
	if len(results) != 1 || results[0].ID != "chunk-1" || results[0].Status != "created" {
		t.Errorf("bulk results = %+v, want chunk-1 created", results)
	}
	if sum.Status != "aborted" || !sum.Errors || !strings.Contains(sum.Error, "cannot read the request body") {
		t.Errorf("bulk summary = %+v, want aborted, saying the body could not be read", sum)
	}
}

// TestWriteRouteWithoutAdminFailsClosed: a write handler mounted without
// requireAdmin refuses (500, logged once) instead of panicking, and writes nothing.
func TestWriteRouteWithoutAdminFailsClosed(t *testing.T) {
	_, ix := writableServer(t, Options{})
	var log strings.Builder
	srv := New(ix, Options{AdminKeys: []string{adminKey}}, slog.New(slog.NewTextHandler(&log, nil)))
	srv.e.POST("/unguarded", srv.handlePostArticles) // the mistake
	rec := send(t, srv, http.MethodPost, "/unguarded", "", `{"id":"sneaky","title":"Sneaky okapi"}`)
	wantError(t, rec, http.StatusInternalServerError, "internal", "internal error")
	if !strings.Contains(log.String(), "without requireAdmin") || strings.Contains(log.String(), "panic") {
		t.Errorf("log:\n%s\nwant the missing requireAdmin named, and no panic", log.String())
	}
	if got := search(t, srv, "q=sneaky").Total; got != 0 {
		t.Errorf("sneaky total = %d, want 0: nothing may be written", got)
	}
}

// TestAdminBearerSchemeIsCaseInsensitive: "bearer", "BEARER" and "Bearer"
// all carry the admin key (RFC 9110: the scheme is case-insensitive), as
// they do for search keys.
func TestAdminBearerSchemeIsCaseInsensitive(t *testing.T) {
	srv, _ := writableServer(t, Options{})
	for i, scheme := range []string{"bearer", "BEARER", "Bearer"} {
		req := httptest.NewRequest(http.MethodPut, fmt.Sprintf("/api/articles/case-%d", i), strings.NewReader(`{"title":"Case okapi"}`))
		req.Header.Set("Authorization", scheme+" "+adminKey)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Errorf("Authorization: %s <key>: %d %s, want 201", scheme, rec.Code, rec.Body)
		}
	}
	req := httptest.NewRequest(http.MethodPut, "/api/articles/case-x", strings.NewReader(`{"title":"Case okapi"}`))
	req.Header.Set("Authorization", "Basic "+adminKey)
	rec := httptest.NewRecorder()
	if srv.ServeHTTP(rec, req); rec.Code != http.StatusUnauthorized {
		t.Errorf("Authorization: Basic <key>: %d, want 401", rec.Code)
	}
}
