package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/server/analytics"
)

// recordAnalytics writes a fixed script of searches and clicks to the
// analytics store of the index directory dir: "oil prices" twice on
// 2026-11-30 (one click), "oil" once and "zzqx" twice (no hit, offered
// "zinc") on 2026-12-02.
func recordAnalytics(t *testing.T, dir string) {
	t.Helper()
	db, err := analytics.Open(analytics.File(dir), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	rec := analytics.NewRecorder(db, analytics.Options{Now: func() time.Time { return at }})
	a := rec.Search(analytics.Search{Query: "oil prices", Total: 4})
	rec.Search(analytics.Search{Query: "oil prices", Total: 2})
	rec.Click(a, "reuters-1", 2)
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	at = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	rec.Search(analytics.Search{Query: "oil", Total: 16})
	rec.Search(analytics.Search{Query: "zzqx", Suggestion: "zinc"})
	rec.Search(analytics.Search{Query: "zzqx", Suggestion: "zinc"})
	rec.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAnalyticsCommands: top and zero print exactly the recorded rows of
// the range; purge deletes what was recorded before its date; a store held
// by another process (a running server) is a clear error.
func TestAnalyticsCommands(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "idx")
	recordAnalytics(t, dir)

	top := mustRun(t, "analytics", "top", "--index", dir)
	want := "query       count  mean_hits  clicks  ctr  mean_click_position\n" +
		"oil prices  2      3          1       0.5  2\n" +
		"zzqx        2      0          0       0    0\n" +
		"oil         1      16         0       0    0\n"
	if d := cmp.Diff(want, top); d != "" {
		t.Errorf("analytics top (-want +got):\n%s", d)
	}
	top = mustRun(t, "analytics", "top", "--index", dir, "--from", "Dec 1, 2026", "--limit", "1")
	if want := "query  count  mean_hits  clicks  ctr  mean_click_position\nzzqx   2      0          0       0    0\n"; top != want {
		t.Errorf("analytics top --from 'Dec 1, 2026' --limit 1:\n%s\nwant:\n%s", top, want)
	}
	top = mustRun(t, "analytics", "top", "--index", dir, "--to", "2026-11-30")
	if !strings.HasPrefix(top, "query ") || strings.Count(top, "\n") != 2 || !strings.Contains(top, "oil prices") {
		t.Errorf("analytics top --to 2026-11-30 (the day included):\n%s\nwant only oil prices", top)
	}
	zero := mustRun(t, "analytics", "zero", "--index", dir)
	if want := "query  count  suggestion\nzzqx   2      zinc\n"; zero != want {
		t.Errorf("analytics zero:\n%s\nwant:\n%s", zero, want)
	}

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"analytics", "top", "--index", dir, "--from", "someday"}, "--from: unrecognised date"},
		{[]string{"analytics", "zero", "--index", dir, "--limit", "0"}, "--limit must be from 1 to 1000"},
		{[]string{"analytics", "top", "--index", dir, "--from", "2026-12-02", "--to", "2026-12-01"}, "--to must be after --from"},
		{[]string{"analytics", "purge", "--index", dir}, "--before DATE is required"},
		{[]string{"analytics", "purge", "--index", dir, "--before", "12/01/2026"}, "--before: ambiguous date"},
		{[]string{"analytics", "top", "--index", filepath.Join(t.TempDir(), "none")}, "no search analytics at"},
	} {
		if _, _, err := runCLI(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("folio %s: error %v, want one saying %q", strings.Join(tc.args, " "), err, tc.msg)
		}
	}

	// A running server holds the store: the command says so instead of waiting.
	db, err := analytics.Open(analytics.File(dir), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = runCLI(t, "analytics", "top", "--index", dir)
	db.Close()
	if err == nil || !strings.Contains(err.Error(), "in use by another process") || !strings.Contains(err.Error(), "GET /api/admin/analytics/queries") {
		t.Errorf("analytics top on a held store: error %v, want one saying it is in use and pointing at the server's reports", err)
	}

	out := mustRun(t, "analytics", "purge", "--index", dir, "--before", "2026-12-01")
	if want := "deleted 2 searches recorded before 2026-12-01T00:00:00Z\n"; out != want {
		t.Errorf("analytics purge: %q, want %q", out, want)
	}
	top = mustRun(t, "analytics", "top", "--index", dir)
	if want := "query  count  mean_hits  clicks  ctr  mean_click_position\nzzqx   2      0          0       0    0\noil    1      16         0       0    0\n"; top != want {
		t.Errorf("analytics top after the purge:\n%s\nwant:\n%s", top, want)
	}
}

// TestAnalyticsWhileServing: with `folio serve` holding the store, top,
// zero and purge fail at once saying what to do when no admin key is
// configured, and with one they ask the server: its reports, and its
// DELETE /api/admin/analytics for purge.
func TestAnalyticsWhileServing(t *testing.T) {
	cfg, _, addr := servingEnv(t)
	serve := func() func() {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"--config", cfg, "serve"}, io.Discard, io.Discard) }()
		waitHealthy(t, "http://"+addr, done)
		return func() { cancel(); <-done }
	}
	stop := serve()
	for _, args := range [][]string{{"analytics", "top"}, {"analytics", "zero"}, {"analytics", "purge", "--before", "2026-12-01"}} {
		_, _, err := runCLI(t, append([]string{"--config", cfg}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "in use by another process") || !strings.Contains(err.Error(), "set server.admin_keys") {
			t.Errorf("folio %s while served, no admin key: %v, want it in use and how to ask the server", strings.Join(args, " "), err)
		}
	}
	stop()

	t.Setenv("FOLIO_SERVER_ADMIN_KEYS", "analytics-cli-admin-key-0123")
	stop = serve()
	defer stop()
	for _, q := range []string{"diamond hexagon", "Diamond  Hexagon", "zzqqxxnothing"} {
		resp, err := http.Get("http://" + addr + "/api/search?" + url.Values{"q": {q}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	top := mustRun(t, "--config", cfg, "analytics", "top")
	lines := strings.Split(strings.TrimSpace(top), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "query ") || !strings.HasPrefix(lines[1], "diamond hexagon  2 ") || !strings.HasPrefix(lines[2], "zzqqxxnothing    1 ") {
		t.Errorf("analytics top from the server:\n%s", top)
	}
	if zero := mustRun(t, "--config", cfg, "analytics", "zero", "--limit", "5"); !strings.HasPrefix(zero, "query          count  suggestion\nzzqqxxnothing  1") {
		t.Errorf("analytics zero from the server:\n%s", zero)
	}
	if _, _, err := runCLI(t, "--config", cfg, "analytics", "top", "--from", "someday"); err == nil || !strings.Contains(err.Error(), "--from: unrecognised date") {
		t.Errorf("a bad --from while served: %v, want it named before asking the server", err)
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 2).Format("2006-01-02")
	out := mustRun(t, "--config", cfg, "analytics", "purge", "--before", tomorrow)
	if want := "deleted 3 searches recorded before " + tomorrow + "T00:00:00Z\n"; out != want {
		t.Errorf("analytics purge from the server: %q, want %q", out, want)
	}
	if top := mustRun(t, "--config", cfg, "analytics", "top"); strings.Count(top, "\n") != 1 {
		t.Errorf("analytics top after the purge:\n%s\nwant the header alone", top)
	}
}
