package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/folio-search/folio/index"
)

// sourceGroupsFiles is a folder source (hr/) whose files inherit its
// groups unless they name their own, beside a public folder (pub/).
var sourceGroupsFiles = map[string]string{
	"hr/inherits.txt": "Title: Plovertine bonus rules\n\nThe plovertine bonus rules for the year.\n",
	"hr/own.txt":      "Title: Quaddle rota\nGroups: eng\n\nThe quaddle rota of the engineers.\n",
	"hr/open.txt":     "Title: Mirrowax canteen menu\nGroups:\n\nThe mirrowax canteen menu, for everyone.\n",
	"hr/items.jsonl": `{"id": "jnull", "title": "Sprocketry null groups", "body": "sprocketry with null groups", "groups": null}` + "\n" +
		`{"id": "jempty", "title": "Wimbrel empty groups", "body": "wimbrel with empty groups", "groups": []}` + "\n",
	"hr/page.html":   "<html><head><title>Brindlecap handbook</title></head><body><article><p>The brindlecap handbook of the department, with every rule.</p></article></body></html>",
	"pub/notice.txt": "Title: Tansyglow notice\n\nThe tansyglow notice board.\n",
}

// sourceGroupsTree writes sourceGroupsFiles under a temporary folder and
// returns it.
func sourceGroupsTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range sourceGroupsFiles {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// visibleIDs are the ids /api/search?q=<q> shows to the reader of token,
// sorted, after checking that the total agrees.
func visibleIDs(t *testing.T, srv http.Handler, q, token string) []string {
	t.Helper()
	rec := get(t, srv, "/api/search?size=50&q="+q, token)
	var r searchJSON
	decodeJSON(t, rec, &r)
	ids := []string{}
	for _, h := range r.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	if int(r.Total) != len(ids) {
		t.Errorf("q=%s: total %d, %d hits %v", q, r.Total, len(ids), ids)
	}
	return ids
}

// groupsWant is who sees what: per reader (a token's groups, "" none),
// the ids of the test's queries it finds.
type groupsWant map[string][]string

// checkSeen searches every word of the tree as every reader of want and
// compares the ids found.
func checkSeen(t *testing.T, step string, srv http.Handler, want groupsWant) {
	t.Helper()
	const words = "brindlecap+OR+plovertine+OR+quaddle+OR+mirrowax+OR+sprocketry+OR+wimbrel+OR+tansyglow"
	for reader, ids := range want {
		token := ""
		if reader != "" {
			token = hsToken(t, strings.Split(reader, ",")...)
		}
		got := visibleIDs(t, srv, words, token)
		if !slices.Equal(got, ids) {
			t.Errorf("%s: reader %q sees %v, want %v", step, reader, got, ids)
		}
		for _, id := range []string{"hr/inherits", "hr/own"} {
			code := get(t, srv, "/api/articles/"+id, token).Code
			if visible := slices.Contains(ids, id); visible != (code == http.StatusOK) || !visible && code != http.StatusNotFound {
				t.Errorf("%s: reader %q: /api/articles/%s is %d, visible in search: %v", step, reader, id, code, visible)
			}
		}
	}
}

// TestSourceGroups: a folder source with groups (Options.SourceGroups,
// from an index.sources entry) gives them to its files' articles; a file
// with its own Groups header keeps its own, an empty Groups header (or
// "groups": []) makes it public, a null groups field inherits. Changing
// the source's groups and syncing (no file changed) or rebuilding
// rewrites them; readers see exactly what their groups allow through the
// API.
func TestSourceGroups(t *testing.T) {
	root := sourceGroupsTree(t)
	path := filepath.Join(t.TempDir(), "idx")
	open := func(groups []string) (*index.Index, *Server) {
		opts := index.DefaultOptions(path)
		opts.SourceGroups = map[string][]string{filepath.Join(root, "hr"): groups}
		ix, err := index.OpenOrCreate(opts)
		if err != nil {
			t.Fatal(err)
		}
		return ix, accessServer(ix, DefaultOptions())
	}
	public := []string{"hr/open", "jempty", "pub/notice"}
	with := func(ids ...string) []string {
		return slices.Sorted(slices.Values(append(slices.Clone(public), ids...)))
	}

	ix, srv := open([]string{"hr"})
	sum, err := ix.Sync(context.Background(), []string{root}, index.IngestOptions{})
	if err != nil || sum.Indexed != 7 {
		t.Fatalf("sync: %+v, %v; want 7 indexed", sum, err)
	}
	checkSeen(t, "groups [hr]", srv, groupsWant{
		"":        public,
		"hr":      with("hr/inherits", "hr/page", "jnull"),
		"eng":     with("hr/own"),
		"finance": public,
	})

	ix.Close()
	ix, srv = open([]string{"finance", "legal"})
	sum, err = ix.Sync(context.Background(), []string{root}, index.IngestOptions{})
	if err != nil || sum.Updated != 6 || sum.Unchanged != 1 {
		t.Fatalf("sync after the groups changed: %+v, %v; want the 5 files of hr/ read again (6 articles updated), pub/ unchanged", sum, err)
	}
	checkSeen(t, "groups [finance legal], synced", srv, groupsWant{
		"":      public,
		"hr":    public,
		"legal": with("hr/inherits", "hr/page", "jnull"),
		"eng":   with("hr/own"),
	})
	if sum, err := ix.Sync(context.Background(), []string{root}, index.IngestOptions{}); err != nil || sum.Unchanged != 6 {
		t.Errorf("a second sync with the same groups: %+v, %v; want every file unchanged", sum, err)
	}

	ix.Close()
	ix, srv = open(nil)
	defer ix.Close()
	if _, err := ix.Rebuild(context.Background(), []string{root}, index.IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	checkSeen(t, "no groups, rebuilt", srv, groupsWant{
		"":      with("hr/inherits", "hr/page", "jnull"),
		"legal": with("hr/inherits", "hr/page", "jnull"),
		"eng":   with("hr/inherits", "hr/own", "hr/page", "jnull"),
	})
}

// TestSourceGroupsURL: a feed source with groups gives them to its items;
// when its groups change, the next sync fetches it again (not a
// conditional request the server would answer 304) and rewrites them.
func TestSourceGroupsURL(t *testing.T) {
	var unconditional atomic.Int32
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		unconditional.Add(1)
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>News</title><item><guid>item-1</guid><title>Gallowmere merger</title><link>http://%s/1</link><description>The gallowmere merger talks.</description></item></channel></rss>`, r.Host)
	}))
	defer site.Close()
	feed := site.URL + "/feed.xml"
	path := filepath.Join(t.TempDir(), "idx")
	var ix *index.Index
	sync := func(groups ...string) *Server {
		if ix != nil {
			ix.Close()
		}
		opts := index.DefaultOptions(path)
		opts.SourceGroups = map[string][]string{feed: groups}
		var err error
		if ix, err = index.OpenOrCreate(opts); err != nil {
			t.Fatal(err)
		}
		if _, err := ix.Sync(context.Background(), []string{feed}, index.IngestOptions{}); err != nil {
			t.Fatal(err)
		}
		return accessServer(ix, DefaultOptions())
	}
	defer func() { ix.Close() }()
	seen := func(srv *Server, groups string) bool {
		return slices.Equal(visibleIDs(t, srv, "gallowmere", hsToken(t, groups)), []string{"item-1"})
	}
	srv := sync("legal")
	if !seen(srv, "legal") || seen(srv, "hr") || len(visibleIDs(t, srv, "gallowmere", "")) != 0 {
		t.Fatal("the feed's item is not legal's alone")
	}
	srv = sync("legal") // unchanged groups: a conditional request, 304
	if n := unconditional.Load(); n != 1 {
		t.Errorf("%d unconditional requests after a sync with the same groups, want 1", n)
	}
	srv = sync("hr")
	if n := unconditional.Load(); n != 2 {
		t.Errorf("%d unconditional requests after the groups changed, want 2", n)
	}
	if !seen(srv, "hr") || seen(srv, "legal") {
		t.Error("after the groups changed to hr, the item is not hr's alone")
	}
}
