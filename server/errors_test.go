package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server/api"
)

func TestBadInput(t *testing.T) {
	srv := realServer(t)
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "/api/search?" + v.Encode()
	}
	tests := []struct {
		name   string
		method string
		target string
		status int
		code   string
		param  string
	}{
		{"size zero", "GET", q("q", "oil", "size", "0"), 400, "invalid_parameter", "size"},
		{"size above max", "GET", q("q", "oil", "size", "101"), 400, "invalid_parameter", "size"},
		{"size negative", "GET", q("q", "oil", "size", "-1"), 400, "invalid_parameter", "size"},
		{"size not a number", "GET", q("q", "oil", "size", "abc"), 400, "invalid_parameter", "size"},
		{"size in exponent form", "GET", q("q", "oil", "size", "1e9"), 400, "invalid_parameter", "size"},
		{"size overflows int", "GET", q("q", "oil", "size", "99999999999999999999"), 400, "invalid_parameter", "size"},
		{"page zero", "GET", q("q", "oil", "page", "0"), 400, "invalid_parameter", "page"},
		{"page not a number", "GET", q("q", "oil", "page", "abc"), 400, "invalid_parameter", "page"},
		{"page negative", "GET", q("q", "oil", "page", "-3"), 400, "invalid_parameter", "page"},
		{"sort unknown", "GET", q("q", "oil", "sort", "bogus"), 400, "invalid_parameter", "sort"},
		{"from in words", "GET", q("q", "oil", "from", "yesterday"), 400, "invalid_parameter", "from"},
		{"to ambiguous numeric", "GET", q("q", "oil", "to", "01/02/2024"), 400, "invalid_parameter", "to"},
		{"from after to", "GET", q("q", "oil", "from", "2024-12-05", "to", "2024-12-04"), 400, "invalid_parameter", "from"},
		// bleve's query syntax has no grouping: "title:(" is a term query for "(", not an error.
		{"query with empty field", "GET", q("q", "title:"), 400, "invalid_query", "q"},
		{"query with bad fuzziness", "GET", q("q", "oil~x"), 400, "invalid_query", "q"},
		{"query with open phrase", "GET", q("q", `"unclosed`), 400, "invalid_query", "q"},
		{"unknown article", "GET", "/api/articles/no-such-article", 404, "not_found", ""},
		{"empty article id", "GET", "/api/articles/", 404, "not_found", ""},
		{"unknown route", "GET", "/api/nope", 404, "not_found", ""},
		{"search by POST", "POST", "/api/search?q=oil", 405, "method_not_allowed", ""},
		{"healthz by DELETE", "DELETE", "/healthz", 405, "method_not_allowed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, srv, tt.method, tt.target)
			var got errorJSON
			decodeJSON(t, rec, &got)
			if rec.Code != tt.status || got.Error.Code != tt.code || got.Error.Param != tt.param {
				t.Errorf("%s %s = %d code %q param %q, want %d code %q param %q; body %s",
					tt.method, tt.target, rec.Code, got.Error.Code, got.Error.Param, tt.status, tt.code, tt.param, rec.Body)
			}
			if got.Error.Message == "" {
				t.Errorf("%s %s: empty message; body %s", tt.method, tt.target, rec.Body)
			}
			if tt.param == "" && strings.Contains(rec.Body.String(), `"param"`) {
				t.Errorf("%s %s: param should be omitted when empty; body %s", tt.method, tt.target, rec.Body)
			}
		})
	}
}

// fakeIndex lets a test make the index fail in ways real input cannot. It
// cannot suggest, mark, report its size or write: those methods return
// ErrUnsupported.
type fakeIndex struct {
	search  func(ctx context.Context, q index.Query) (*index.Result, error)
	article func(ctx context.Context, id string) (*article.Article, error)
	count   func() (uint64, error)
}

func (f *fakeIndex) Search(ctx context.Context, q index.Query) (*index.Result, error) {
	if f.search == nil {
		return &index.Result{Query: q.Text, Page: 1, Size: 10}, nil
	}
	return f.search(ctx, q)
}

func (f *fakeIndex) Article(ctx context.Context, id string, _ index.Visibility) (*article.Article, error) {
	if f.article == nil {
		return &article.Article{ID: id, Title: "t"}, nil
	}
	return f.article(ctx, id)
}

func (f *fakeIndex) Related(ctx context.Context, id string, q index.Query) (*index.Result, error) {
	return &index.Result{Page: 1, Size: 5}, nil
}

func (f *fakeIndex) Count() (uint64, error) {
	if f.count == nil {
		return 0, nil
	}
	return f.count()
}

func (f *fakeIndex) Suggest(context.Context, string, int, index.Visibility) ([]string, error) {
	return nil, ErrUnsupported
}

func (f *fakeIndex) MarkedArticle(context.Context, string, string, index.Visibility) (*index.MarkedArticle, error) {
	return nil, ErrUnsupported
}

func (f *fakeIndex) DiskSize() (int64, error) { return 0, ErrUnsupported }

func (f *fakeIndex) Sources() ([]index.SourceStatus, error) { return nil, ErrUnsupported }

func (f *fakeIndex) DecodeArticle([]byte, string) (article.Article, error) {
	return article.Article{}, ErrUnsupported
}

func (f *fakeIndex) Put(context.Context, article.Article) (bool, error) { return false, ErrUnsupported }

func (f *fakeIndex) PutJSON(context.Context, []byte) ([]index.WriteResult, error) {
	return nil, ErrUnsupported
}

func (f *fakeIndex) Delete(context.Context, string) error { return ErrUnsupported }

func (f *fakeIndex) Bulk(context.Context, io.Reader, int, func([]index.WriteResult) error) error {
	return ErrUnsupported
}

func (f *fakeIndex) Rebuild(context.Context, []string, index.IngestOptions) (index.IngestSummary, error) {
	return index.IngestSummary{}, ErrUnsupported
}

func (f *fakeIndex) Sync(context.Context, []string, index.IngestOptions) (index.IngestSummary, error) {
	return index.IngestSummary{}, ErrUnsupported
}

func (f *fakeIndex) InputsOr([]string) ([]string, error) { return nil, ErrUnsupported }

func (f *fakeIndex) Backup(string) error { return ErrUnsupported }

// logLines decodes the JSON log lines written to buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestServerFailures(t *testing.T) {
	secret := errors.New("disk /var/folio/idx is on fire")
	tests := []struct {
		name      string
		ix        *fakeIndex
		target    string
		status    int
		code      string
		logLevel  string // level of the one "request failed" line; "" for none
		logSubstr string
	}{
		{
			name: "internal error",
			ix: &fakeIndex{search: func(context.Context, index.Query) (*index.Result, error) {
				return nil, fmt.Errorf("search: %w", secret)
			}},
			target: "/api/search?q=x", status: 500, code: "internal", logLevel: "ERROR", logSubstr: secret.Error(),
		},
		{
			name:   "panic",
			ix:     &fakeIndex{article: func(context.Context, string) (*article.Article, error) { panic("nil map") }},
			target: "/api/articles/a", status: 500, code: "internal", logLevel: "ERROR", logSubstr: "panic: nil map",
		},
		{
			name:   "count fails",
			ix:     &fakeIndex{count: func() (uint64, error) { return 0, secret }},
			target: "/healthz", status: 500, code: "internal", logLevel: "ERROR", logSubstr: secret.Error(),
		},
		{
			name: "index timeout",
			ix: &fakeIndex{search: func(context.Context, index.Query) (*index.Result, error) {
				return nil, fmt.Errorf("%w after 5s", index.ErrTimeout)
			}},
			target: "/api/search?q=x", status: 504, code: "timeout", logLevel: "WARN", logSubstr: "search timed out",
		},
		{
			name:   "context deadline",
			ix:     &fakeIndex{search: func(context.Context, index.Query) (*index.Result, error) { return nil, context.DeadlineExceeded }},
			target: "/api/search?q=x", status: 504, code: "timeout", logLevel: "WARN", logSubstr: "deadline exceeded",
		},
		{
			name:   "no index",
			ix:     &fakeIndex{count: func() (uint64, error) { return 0, fmt.Errorf("%w at /x", index.ErrNoIndex) }},
			target: "/healthz", status: 503, code: "unavailable", logLevel: "ERROR", logSubstr: "no index at /x",
		},
		{
			name: "not found is the client's",
			ix: &fakeIndex{article: func(_ context.Context, id string) (*article.Article, error) {
				return nil, fmt.Errorf("article %q: %w", id, index.ErrNotFound)
			}},
			target: "/api/articles/gone", status: 404, code: "not_found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			srv := New(tt.ix, DefaultOptions(), slog.New(slog.NewJSONHandler(&buf, nil)))
			rec := do(t, srv, http.MethodGet, tt.target)
			var got errorJSON
			decodeJSON(t, rec, &got)
			if rec.Code != tt.status || got.Error.Code != tt.code {
				t.Fatalf("GET %s = %d %q, want %d %q; body %s", tt.target, rec.Code, got.Error.Code, tt.status, tt.code, rec.Body)
			}
			if strings.Contains(rec.Body.String(), secret.Error()) || strings.Contains(rec.Body.String(), "panic") {
				t.Errorf("the response leaks the internal error: %s", rec.Body)
			}
			if tt.status == 500 && got.Error.Message != "internal error" {
				t.Errorf("message %q, want \"internal error\"", got.Error.Message)
			}
			var failures []map[string]any
			for _, l := range logLines(t, &buf) {
				if l["msg"] == "request failed" {
					failures = append(failures, l)
				}
			}
			if tt.logLevel == "" {
				if len(failures) != 0 {
					t.Errorf("a client error was logged as a failure: %v", failures)
				}
				return
			}
			if len(failures) != 1 {
				t.Fatalf("logged %d failure lines, want exactly 1:\n%s", len(failures), buf.String())
			}
			if failures[0]["level"] != tt.logLevel || !strings.Contains(fmt.Sprint(failures[0]["err"]), tt.logSubstr) {
				t.Errorf("failure line %v, want level %s and err containing %q", failures[0], tt.logLevel, tt.logSubstr)
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	srv := New(&fakeIndex{}, DefaultOptions(), slog.New(slog.NewJSONHandler(&buf, nil)))
	do(t, srv, http.MethodGet, "/healthz")
	do(t, srv, http.MethodGet, "/api/nope?secret=1")
	lines := logLines(t, &buf)
	var got []string
	for _, l := range lines {
		if l["msg"] == "request" {
			if _, ok := l["duration"]; !ok || l["level"] != "INFO" {
				t.Errorf("access line %v, want level INFO and a duration", l)
			}
			got = append(got, fmt.Sprint(l["method"], " ", l["path"], " ", l["status"]))
		}
	}
	want := []string{"GET /healthz 200", "GET /api/nope 404"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("access log (-want +got):\n%s\nfull log:\n%s", diff, buf.String())
	}
}

func TestSearchPassesParametersThrough(t *testing.T) {
	tests := []struct {
		target string
		want   index.Query
	}{
		{"/api/search", index.Query{}},
		{"/api/search?q=&size=&page=", index.Query{}},
		{"/api/search?q=a+b&from=Dec+4%2C+2024&to=x&sort=-date&size=3&page=2",
			index.Query{Text: "a b", From: "Dec 4, 2024", To: "x", Sort: "-date", Size: 3, Page: 2}},
		{"/api/search?sort=bogus&size=-1&page=-2", index.Query{Sort: "bogus", Size: -1, Page: -2}},
	}
	for _, tt := range tests {
		var got index.Query
		ix := &fakeIndex{search: func(_ context.Context, q index.Query) (*index.Result, error) {
			got = q
			return &index.Result{}, nil
		}}
		rec := do(t, New(ix, DefaultOptions(), nil), http.MethodGet, tt.target)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d, body %s", tt.target, rec.Code, rec.Body)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("GET %s: query (-want +got):\n%s", tt.target, diff)
		}
	}
}

func TestArticleIDFromPath(t *testing.T) {
	tests := []struct {
		target string
		want   string
	}{
		{"/api/articles/reuters-10113", "reuters-10113"},
		{"/api/articles/news/2024/dec", "news/2024/dec"},
		{"/api/articles/news%2F2024%2Fdec", "news/2024/dec"},
		{"/api/articles/caf%C3%A9%20menu", "café menu"},
		{"/api/articles/100%25", "100%"},
		{"/api/articles/a%2Fb%25c", "a/b%c"},
	}
	for _, tt := range tests {
		var got string
		ix := &fakeIndex{article: func(_ context.Context, id string) (*article.Article, error) {
			got = id
			return &article.Article{ID: id}, nil
		}}
		rec := do(t, New(ix, DefaultOptions(), nil), http.MethodGet, tt.target)
		if rec.Code != http.StatusOK || got != tt.want {
			t.Errorf("GET %s: status %d, id %q; want 200, id %q", tt.target, rec.Code, got, tt.want)
		}
	}
}

// enotsupIndex is an index whose suggestions and backups fail with a system
// call's "operation not supported", which errors.ErrUnsupported matches.
type enotsupIndex struct{ *fakeIndex }

func (enotsupIndex) Suggest(context.Context, string, int, index.Visibility) ([]string, error) {
	return nil, &os.PathError{Op: "read", Path: "/idx/store", Err: syscall.ENOTSUP}
}

func (enotsupIndex) Backup(dest string) error {
	return &os.LinkError{Op: "link", Old: "/idx/store", New: dest, Err: syscall.ENOTSUP}
}

// TestUnsupportedIsTheIndexsChoice: only ErrUnsupported makes a part of the
// index missing (404 for suggestions, 501 for writes); a real failure that
// happens to be ENOTSUP stays a 500.
func TestUnsupportedIsTheIndexsChoice(t *testing.T) {
	const key = "unsupported-admin-key-0123"
	opts := Options{AdminKeys: []string{key}}
	for _, tt := range []struct {
		name                string
		ix                  Index
		suggest, backupCode int
	}{
		{"missing parts", &fakeIndex{}, http.StatusNotFound, http.StatusNotImplemented},
		{"failing system calls", enotsupIndex{&fakeIndex{}}, http.StatusInternalServerError, http.StatusInternalServerError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(tt.ix, opts, nil)
			if rec := do(t, srv, http.MethodGet, "/api/suggest?q=x"); rec.Code != tt.suggest {
				t.Errorf("suggest: status %d, want %d; body %s", rec.Code, tt.suggest, rec.Body)
			}
			rec := send(t, srv, http.MethodPost, "/api/admin/backup", key, `{"dest":"/tmp/nowhere"}`)
			if rec.Code != tt.backupCode {
				t.Errorf("backup: status %d, want %d; body %s", rec.Code, tt.backupCode, rec.Body)
			}
			if tt.backupCode == http.StatusNotImplemented {
				wantError(t, rec, http.StatusNotImplemented, "not_implemented", "this index does not accept writes")
			}
		})
	}
}

// replicaIndex is a fakeIndex in cluster mode whose replica reports st
// and whose rebuild fails with rebuildErr.
type replicaIndex struct {
	fakeIndex
	st          index.ReplicaStatus
	rebuildErr  error
	waitApplied func(ctx context.Context, seq uint64) error // nil: applied at once
}

func (r *replicaIndex) WaitApplied(ctx context.Context, seq uint64) error {
	if r.waitApplied == nil {
		return nil
	}
	return r.waitApplied(ctx, seq)
}

func (r *replicaIndex) InputsOr(sources []string) ([]string, error) { return sources, nil }
func (r *replicaIndex) Rebuild(context.Context, []string, index.IngestOptions) (index.IngestSummary, error) {
	return index.IngestSummary{}, r.rebuildErr
}

func (r *replicaIndex) Clustered() bool { return true }

func (r *replicaIndex) ReplicaStatus(context.Context) index.ReplicaStatus { return r.st }

// TestReadyInCluster: /readyz keeps a node that cannot reach the log in
// rotation only when it has applied writes (reads go on during a quorum
// loss), not a node that has applied nothing yet; and a node behind by
// more than max_ready_lag is out.
func TestReadyInCluster(t *testing.T) {
	noLog := errors.New("nats: no responders")
	for _, tt := range []struct {
		name   string
		st     index.ReplicaStatus
		status int
		want   string
	}{
		{"current", index.ReplicaStatus{AppliedSeq: 50, LogLastSeq: 50}, http.StatusOK, `"status":"ready"`},
		{"behind", index.ReplicaStatus{AppliedSeq: 5, LogLastSeq: 5000}, http.StatusServiceUnavailable, `"status":"replaying"`},
		{"replaying from scratch", index.ReplicaStatus{AppliedSeq: 50, LogLastSeq: 50, Replaying: true}, http.StatusServiceUnavailable, `"status":"replaying"`},
		{"no quorum, has applied", index.ReplicaStatus{AppliedSeq: 50, LogErr: noLog}, http.StatusOK, `"log_error":"the replicated log cannot be reached (no quorum)`},
		{"no log, nothing applied", index.ReplicaStatus{LogErr: noLog}, http.StatusServiceUnavailable, `"status":"log_unreachable"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(&replicaIndex{st: tt.st}, DefaultOptions(), nil)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("/readyz = %d %s, want %d with %s", rec.Code, rec.Body, tt.status, tt.want)
			}
		})
	}
}

// TestRebuildWithoutQuorum: a cluster node's rebuild that cannot read the
// log for want of a quorum answers 503 no_quorum (retry later), not 500;
// another rebuild failure stays a 500 rebuild_failed.
func TestRebuildWithoutQuorum(t *testing.T) {
	const key = "rebuild-admin-key-0123456"
	for _, tt := range []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("%w: reading the log: %w", index.ErrRebuildFailed, index.ErrNoQuorum), http.StatusServiceUnavailable, "no_quorum"},
		{fmt.Errorf("%w: the disk is on fire", index.ErrRebuildFailed), http.StatusInternalServerError, "rebuild_failed"},
	} {
		srv := New(&replicaIndex{rebuildErr: tt.err}, Options{AdminKeys: []string{key}}, nil)
		rec := send(t, srv, http.MethodPost, "/api/admin/rebuild", key, "")
		var got api.ErrorResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != tt.status || got.Error.Code != tt.code {
			t.Errorf("rebuild failing with %v: %d %s, want %d %s", tt.err, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
}

// TestMinSeqWaitFitsTheWriteTimeout: a read with min_seq waits at most
// half of server.write_timeout even when search.timeout (MinSeqWait) is
// longer, so that it answers 503 replica_behind before the server's write
// deadline cuts the connection (the cluster model test read EOF there).
func TestMinSeqWaitFitsTheWriteTimeout(t *testing.T) {
	var waited time.Duration
	ix := &replicaIndex{waitApplied: func(ctx context.Context, seq uint64) error {
		d, _ := ctx.Deadline()
		waited = time.Until(d)
		return fmt.Errorf("%w: this node has applied log seq 1, not yet %d", index.ErrReplicaBehind, seq)
	}}
	opts := DefaultOptions()
	opts.MinSeqWait, opts.WriteTimeout = 5*time.Second, 4*time.Second
	rec := do(t, New(ix, opts, nil), http.MethodGet, "/api/search?q=oil&min_seq=7")
	if waited <= 0 || waited > 2*time.Second {
		t.Errorf("min_seq waited up to %v; want at most half the write timeout (2s)", waited)
	}
	wantError(t, rec, http.StatusServiceUnavailable, "replica_behind", "not yet 7")
}
