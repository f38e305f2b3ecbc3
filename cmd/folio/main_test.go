package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/folio-search/folio/config"
	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server/api"
)

// testArticles are a few articles of ../../testdata/articles; the first is the
// only one that mentions the Diamond Hexagon.
var testArticles = []string{
	"ironclad-friendship-cambodia.txt",
	"handbook-travel.txt",
	"network-maintenance-brief.txt",
	"reuters-10113.txt",
}

// isolate blanks every FOLIO_* variable for the test, so the caller's
// environment cannot leak in (empty variables are ignored), and gives the
// test an empty configuration file.
func isolate(t *testing.T) (configFile string) {
	t.Helper()
	var buf bytes.Buffer
	if err := config.Default().WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(&buf)
	var doc map[string]map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for section, keys := range doc {
		for key := range keys {
			t.Setenv(strings.ToUpper(config.EnvPrefix+"_"+section+"_"+key), "")
		}
	}
	configFile = filepath.Join(t.TempDir(), "folio.yaml")
	if err := os.WriteFile(configFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return configFile
}

// servingEnv isolates the configuration (see isolate) for a `folio serve`
// of a copy of testdata/articles, set through the environment: the copy
// (src) as index.sources, a free loopback server.addr, a new index.path,
// and warnings only in the log.
func servingEnv(t *testing.T) (cfg, src, addr string) {
	t.Helper()
	cfg = isolate(t)
	src = copyFiles(t, "../../testdata/articles", testArticles...)
	addr = freeAddr(t)
	t.Setenv("FOLIO_INDEX_SOURCES", src)
	t.Setenv("FOLIO_LOG_LEVEL", "warn")
	t.Setenv("FOLIO_SERVER_ADDR", addr)
	t.Setenv("FOLIO_INDEX_PATH", filepath.Join(t.TempDir(), "folio.bleve"))
	return cfg, src, addr
}

// copyFiles copies names from src into a new temporary directory.
func copyFiles(t *testing.T, src string, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// copyAllArticles copies every file of ../../testdata/articles into a new temporary directory.
func copyAllArticles(t *testing.T) string {
	t.Helper()
	entries, err := os.ReadDir("../../testdata/articles")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return copyFiles(t, "../../testdata/articles", names...)
}

// stopServe ends a `serve` run through run() with cancel and waits up to
// 10s for its result on done, failing the test if it returns an error.
func stopServe(t *testing.T, cancel context.CancelFunc, done <-chan error, stderr fmt.Stringer) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v\nstderr:\n%s", err, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s of its context ending")
	}
}

// runCLI runs the command line args and returns what it wrote.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// mustRun runs args and fails the test if they fail.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("folio %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout
}

// searchJSON runs `folio search --json` and decodes the response.
func searchJSON(t *testing.T, args ...string) api.SearchResponse {
	t.Helper()
	out := mustRun(t, append([]string{"search", "--json"}, args...)...)
	var resp api.SearchResponse
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("decode search output: %v\n%s", err, out)
	}
	return resp
}

func TestIndexThenSearch(t *testing.T) {
	cfg := isolate(t)
	src := copyFiles(t, "../../testdata/articles", testArticles...)
	ix := filepath.Join(t.TempDir(), "folio.bleve")

	out := mustRun(t, "--config", cfg, "index", "--index", ix, src)
	if want := "indexed 4 new, 0 updated, 0 skipped from 4 files in "; !strings.HasPrefix(out, want) {
		t.Errorf("index output = %q, want prefix %q", out, want)
	}
	// index.shards 0 (the default) chose one shard for this small input.
	if meta, err := os.ReadFile(filepath.Join(ix, "folio.json")); err != nil || !strings.Contains(string(meta), `"shards": 1`) {
		t.Errorf("folio.json = %s (%v), want \"shards\": 1", meta, err)
	}

	resp := searchJSON(t, "--config", cfg, "--index", ix, `"Diamond`, `Hexagon"`)
	if resp.Total != 1 || len(resp.Hits) != 1 || resp.Hits[0].ID != "ironclad-friendship-cambodia" {
		t.Fatalf("search \"Diamond Hexagon\" = %+v, want one hit ironclad-friendship-cambodia", resp)
	}
	if resp.Query != `"Diamond Hexagon"` {
		t.Errorf("query = %q, want the arguments joined by spaces", resp.Query)
	}
	if body := strings.Join(resp.Hits[0].Highlights.Body, " "); !strings.Contains(body, "<mark>Diamond Hexagon</mark>") {
		t.Errorf("body highlights = %q, want the marked phrase", body)
	}

	// Plain text output (stdout is not a terminal): no markup, no escapes.
	text := mustRun(t, "--config", cfg, "search", "--index", ix, `"Diamond Hexagon"`)
	for _, want := range []string{
		"1 result for '\"Diamond Hexagon\"', page 1 of 1",
		"  1. Ironclad friendship with Cambodia hailed\n     2024-12-04  ironclad-friendship-cambodia  score ",
		"to enrich the Diamond Hexagon bilateral cooperation framework",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("search output lacks %q:\n%s", want, text)
		}
	}
	if strings.ContainsAny(text, "<>\x1b") {
		t.Errorf("plain search output has markup or escapes:\n%s", text)
	}

	// Indexing the unchanged folder again reads nothing: same count.
	out = mustRun(t, "--config", cfg, "index", "--index", ix, src)
	if want := "indexed 0 new, 0 updated, 0 skipped from 0 files in "; !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "; 4 unchanged files not read, 0 deleted\n") {
		t.Errorf("second index output = %q, want prefix %q and 4 unchanged files", out, want)
	}
	if all := searchJSON(t, "--config", cfg, "--index", ix); all.Total != 4 {
		t.Errorf("after indexing twice, %d articles, want 4", all.Total)
	}
}

func TestIndexBadInputs(t *testing.T) {
	cfg := isolate(t)
	src := copyFiles(t, "../../testdata/bad", "ambiguous-date.txt", "missing-title.txt", "mixed.jsonl")
	good := copyFiles(t, "../../testdata/articles", "handbook-travel.txt")
	ix := filepath.Join(t.TempDir(), "folio.bleve")

	// topics is kept by default (index.keyword_fields): list none, so that it is an ignored field.
	t.Setenv("FOLIO_INDEX_KEYWORD_FIELDS", " ")
	stdout, stderr, err := runCLI(t, "--config", cfg, "index", "--index", ix, good, src)
	if err == nil || err.Error() != "4 inputs skipped (use --strict to stop at the first)" {
		t.Errorf("error = %v, want 4 inputs skipped", err)
	}
	if want := "indexed 3 new, 0 updated, 4 skipped (2 bad date, 1 invalid JSON, 1 missing title) from 4 files in "; !strings.HasPrefix(stdout, want) {
		t.Errorf("summary = %q, want prefix %q", stdout, want)
	}
	if !strings.Contains(stdout, "; ignored fields: topics\n") {
		t.Errorf("summary = %q, want the ignored field topics", stdout)
	}
	for _, want := range []string{
		filepath.Join(src, "ambiguous-date.txt") + ":2: ambiguous date",
		filepath.Join(src, "missing-title.txt") + ":1: ",
		filepath.Join(src, "mixed.jsonl") + ":2: invalid JSON",
		filepath.Join(src, "mixed.jsonl") + ":4: ",
	} {
		if !strings.Contains(stderr, "\n"+want) && !strings.HasPrefix(stderr, want) {
			t.Errorf("stderr lacks a line starting %q:\n%s", want, stderr)
		}
	}

	// --strict stops at the first problem and returns it.
	ix2 := filepath.Join(t.TempDir(), "folio.bleve")
	stdout, _, err = runCLI(t, "--config", cfg, "index", "--strict", "--index", ix2, src)
	var ie *article.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("--strict error = %v, want an *article.InputError", err)
	}
	if stdout != "" {
		t.Errorf("--strict printed a summary: %q", stdout)
	}
}

func TestRebuild(t *testing.T) {
	cfg := isolate(t)
	all := copyFiles(t, "../../testdata/articles", testArticles...)
	two := copyFiles(t, "../../testdata/articles", testArticles[:2]...)
	bad := copyFiles(t, "../../testdata/bad", "mixed.jsonl")
	parent := t.TempDir()
	ix := filepath.Join(parent, "folio.bleve")

	mustRun(t, "--config", cfg, "index", "--index", ix, all)
	out := mustRun(t, "--config", cfg, "index", "--rebuild", "--index", ix, two)
	if want := "indexed 2 new, 0 updated, 0 skipped from 2 files"; !strings.HasPrefix(out, want) {
		t.Errorf("rebuild output = %q, want prefix %q", out, want)
	}
	if got := searchJSON(t, "--config", cfg, "--index", ix); got.Total != 2 {
		t.Errorf("after rebuild from 2 files, %d articles, want 2", got.Total)
	}

	// A failed rebuild leaves the live index as it was.
	if _, _, err := runCLI(t, "--config", cfg, "index", "--rebuild", "--strict", "--index", ix, all, bad); err == nil {
		t.Fatal("strict rebuild with a bad input succeeded")
	}
	if got := searchJSON(t, "--config", cfg, "--index", ix); got.Total != 2 {
		t.Errorf("after a failed rebuild, %d articles, want still 2", got.Total)
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"folio.bleve"}, names); diff != "" {
		t.Errorf("index directory leftovers (-want +got):\n%s", diff)
	}
}

func TestSearchErrors(t *testing.T) {
	cfg := isolate(t)
	src := copyFiles(t, "../../testdata/articles", testArticles[:1]...)
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	missing := filepath.Join(t.TempDir(), "none.bleve")
	mustRun(t, "--config", cfg, "index", "--index", ix, src)

	tests := []struct {
		name string
		args []string
		want string // prefix of the error
	}{
		{"no index", []string{"search", "--index", missing, "x"}, "no index at " + missing + " (build it with `folio index`)"},
		{"bad date", []string{"search", "--index", ix, "--to", "yesterday", "x"}, `invalid --to: unrecognised date "yesterday"`},
		{"bad sort", []string{"search", "--index", ix, "--sort", "size", "x"}, "invalid --sort: "},
		{"bad query", []string{"search", "--index", ix, "colour:red"}, `invalid query: unknown field "colour"`},
		{"bad config", []string{"search", "--index", "", "x"}, "index.path must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, append([]string{"--config", cfg}, tt.args...)...)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestConfigPrecedence(t *testing.T) {
	tests := []struct {
		name string
		file string            // configuration file content
		env  map[string]string // FOLIO_* variables
		args []string          // after "config"
		want map[string]string // key → printed value, for the keys checked
	}{
		{
			name: "defaults",
			want: map[string]string{"index.path": "data/folio.bleve", "server.addr": "127.0.0.1:8080", "search.max_size": "100", "search.timeout": "5s"},
		},
		{
			name: "file over defaults",
			file: "index:\n  path: /file\nserver:\n  addr: file:1\nsearch:\n  max_size: 50\n",
			want: map[string]string{"index.path": "/file", "server.addr": "file:1", "search.max_size": "50", "search.timeout": "5s"},
		},
		{
			name: "env over file",
			file: "index:\n  path: /file\nserver:\n  addr: file:1\nsearch:\n  max_size: 50\n",
			env:  map[string]string{"FOLIO_INDEX_PATH": "/env", "FOLIO_SERVER_ADDR": "env:2", "FOLIO_SEARCH_TIMEOUT": "1s"},
			want: map[string]string{"index.path": "/env", "server.addr": "env:2", "search.max_size": "50", "search.timeout": "1s"},
		},
		{
			name: "flag over env",
			file: "index:\n  path: /file\n",
			env:  map[string]string{"FOLIO_INDEX_PATH": "/env"},
			args: []string{"--index", "/flag"},
			want: map[string]string{"index.path": "/flag", "server.addr": "127.0.0.1:8080", "search.max_size": "100", "search.timeout": "5s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := isolate(t)
			if err := os.WriteFile(cfg, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			out := mustRun(t, append([]string{"--config", cfg, "config"}, tt.args...)...)
			var doc map[string]map[string]any
			if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("config output is not YAML: %v\n%s", err, out)
			}
			got := map[string]string{}
			for key := range tt.want {
				section, name, _ := strings.Cut(key, ".")
				got[key] = fmt.Sprint(doc[section][name])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("effective config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	cfg := isolate(t)
	if err := os.WriteFile(cfg, []byte("server:\n  adr: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, "--config", cfg, "config")
	if want := cfg + `: unknown key "server.adr" (did you mean "server.addr"?)`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestVersion(t *testing.T) {
	out := mustRun(t, "version")
	if !strings.HasPrefix(out, "folio dev (go") || !strings.HasSuffix(out, ")\n") {
		t.Errorf("version = %q, want folio dev (go…)", out)
	}
}

// TestServeBuildsMissingIndex runs serve through run() on a path with no index:
// it builds one from index.sources, serves it, and stops cleanly when its
// context ends.
func TestServeBuildsMissingIndex(t *testing.T) {
	cfg := isolate(t)
	src := copyFiles(t, "../../testdata/articles", testArticles...)
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	addr := freeAddr(t)
	t.Setenv("FOLIO_INDEX_SOURCES", src)
	t.Setenv("FOLIO_LOG_LEVEL", "warn")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", cfg, "serve", "--index", ix, "--addr", addr}, io.Discard, &stderr)
	}()

	base := "http://" + addr
	waitHealthy(t, base, done)
	if id := firstHit(t, base+"/api/search?q=%22Diamond+Hexagon%22"); id != "ironclad-friendship-cambodia" {
		t.Errorf("first hit = %q, want ironclad-friendship-cambodia", id)
	}
	metrics := httpGet(t, base+"/metrics")
	for _, want := range []string{
		fmt.Sprintf("folio_ingest_documents_total{result=\"indexed\"} %d\n", len(testArticles)),
		fmt.Sprintf("folio_index_documents %d\n", len(testArticles)),
		"folio_index_ready 1\n",
		`folio_http_requests_total{method="GET",route="/api/search",status="200"} 1` + "\n",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}
	stopServe(t, cancel, done, &stderr)
	if !index.Exists(ix) {
		t.Errorf("serve did not leave the index it built at %s", ix)
	}
	// The shutdown closed the index: it opens again at once, with everything in it.
	opts, err := indexOptions(config.Default())
	if err != nil {
		t.Fatal(err)
	}
	opts.Path = ix
	opts.LockTimeout = 100 * time.Millisecond
	reopened, err := index.Open(opts)
	if err != nil {
		t.Fatalf("reopen after shutdown: %v", err)
	}
	defer reopened.Close()
	if n, err := reopened.Count(); err != nil || n != uint64(len(testArticles)) {
		t.Errorf("reopened index has %d articles (err %v), want %d", n, err, len(testArticles))
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// waitHealthy polls base/readyz until it answers 200 (the index is open),
// failing the test if exited delivers first or after about 30s.
func waitHealthy(t *testing.T, base string, exited <-chan error) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	for range 300 {
		select {
		case err := <-exited:
			t.Fatalf("server exited before becoming healthy: %v", err)
		default:
		}
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s/readyz did not answer 200 within 30s", base)
}

// httpGet GETs url, expects 200 and returns the body.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, err %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// firstHit GETs a search URL and returns the id of its first hit.
func firstHit(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body api.SearchResponse
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: status %d, decode: %v", url, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || len(body.Hits) == 0 {
		t.Fatalf("GET %s: status %d, %d hits", url, resp.StatusCode, len(body.Hits))
	}
	return body.Hits[0].ID
}
