package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server/analytics"
	"github.com/folio-search/folio/server/api"
)

// clusterNode is one node of an in-process cluster: a clustered index
// (embedded JetStream node), its analytics recorder and its Server.
type clusterNode struct {
	name string
	ix   *index.Index
	rec  *analytics.Recorder
	db   *analytics.DB
	srv  *Server
}

// stop closes the node as a crash would leave the others: its index (and
// JetStream node) and its recorder; its durable consumer stays in the log.
func (n *clusterNode) stop() {
	if n.ix != nil {
		n.ix.Close()
		n.rec.Close()
		n.db.Close()
		n.ix = nil
	}
}

// freeAddrs returns n free loopback addresses.
func freeAddrs(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		out = append(out, l.Addr().String())
	}
	return out
}

// analyticsCluster starts three clustered nodes in dir, each recording
// its own searches and answering the others' report requests.
func analyticsCluster(t testing.TB, dir string) []*clusterNode {
	t.Helper()
	client, routes := freeAddrs(t, 3), freeAddrs(t, 3)
	var nodes []*clusterNode
	t.Cleanup(func() {
		for _, n := range nodes {
			n.stop()
		}
	})
	for i := range 3 {
		name := fmt.Sprintf("n%d", i+1)
		var others []string
		for j := range 3 {
			if j != i {
				others = append(others, routes[j])
			}
		}
		n := &clusterNode{name: name}
		var err error
		if n.db, err = analytics.Open(analytics.File(filepath.Join(dir, name, "analytics")), time.Second); err != nil {
			t.Fatal(err)
		}
		n.rec = analytics.NewRecorder(n.db, analytics.Options{})
		o := index.DefaultOptions(filepath.Join(dir, name, "idx"))
		o.Cluster = &index.ClusterOptions{Node: name, Listen: client[i], ClusterListen: routes[i], Routes: others,
			StoreDir: filepath.Join(dir, name, "nats"), Answer: n.rec.Answer}
		if n.ix, err = index.OpenOrCreate(o); err != nil {
			t.Fatal(err)
		}
		opts := DefaultOptions()
		opts.Analytics, opts.AdminKeys = n.rec, []string{adminKey}
		n.srv = New(n.ix, opts, nil)
		nodes = append(nodes, n)
	}
	return nodes
}

// clusterReport is a report's body with its nodes decoded.
type clusterReport struct {
	reportJSON
	Nodes *api.ReportNodes `json:"nodes"` // over reportJSON's
}

// TestClusterReports: searches and clicks made on three nodes give, asked
// of any one node, the exact sums of all three (the same as one node
// holding them all); with a node down, a report answers with the others'
// sums and names it missing.
func TestClusterReports(t *testing.T) {
	nodes := analyticsCluster(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	wctx, seqs := index.WithSeqRecorder(ctx)
	for id, title := range map[string]string{"a1": "Oil prices rise", "a2": "Gold rush in the north", "a3": "Oil and gold"} {
		if _, err := nodes[0].ix.Put(wctx, article.Article{ID: id, Title: title, Body: title}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes {
		if err := n.ix.WaitApplied(ctx, seqs.Last()); err != nil {
			t.Fatalf("%s: %v", n.name, err)
		}
	}
	// node → searches (query, clicks at these positions).
	type s struct {
		q      string
		clicks []int
	}
	script := [][]s{
		{{"oil", []int{2}}, {"Oil ", nil}, {"zzqx", nil}},
		{{"oil", []int{1, 3}}, {"gold", nil}, {"zzqx", nil}},
		{{"gold", []int{1}}, {"gold", nil}, {"zzqx", nil}, {"oil", nil}},
	}
	for i, searches := range script {
		for _, sc := range searches {
			r := search(t, nodes[i].srv, url.Values{"q": {sc.q}}.Encode())
			for _, pos := range sc.clicks {
				body := fmt.Sprintf(`{"query_id":%q,"id":"a%d","position":%d}`, r.QueryID, pos, pos)
				if w := post(t, nodes[i].srv, "/api/events", body); w.Code != http.StatusNoContent {
					t.Fatalf("%s: POST /api/events: %d %s", nodes[i].name, w.Code, w.Body)
				}
			}
		}
	}
	wantQ := []analytics.QueryRow{
		{Query: "oil", Count: 4, MeanHits: 2, Clicks: 3, CTR: 0.5, MeanClickPosition: 2},
		{Query: "gold", Count: 3, MeanHits: 2, Clicks: 1, CTR: 1.0 / 3, MeanClickPosition: 1},
		{Query: "zzqx", Count: 3},
	}
	wantZ := []analytics.ZeroRow{{Query: "zzqx", Count: 3}}
	wantA := []analytics.ArticleRow{
		{ID: "a1", Clicks: 2, MeanPosition: 1, Queries: []analytics.ArticleQuery{{Query: "oil", Clicks: 1}, {Query: "gold", Clicks: 1}}},
		{ID: "a2", Clicks: 1, MeanPosition: 2, Queries: []analytics.ArticleQuery{{Query: "oil", Clicks: 1}}},
		{ID: "a3", Clicks: 1, MeanPosition: 3, Queries: []analytics.ArticleQuery{{Query: "oil", Clicks: 1}}},
	}
	slices.SortFunc(wantA[0].Queries, func(a, b analytics.ArticleQuery) int { return strings.Compare(a.Query, b.Query) })
	// A node is known once its replica follows the log (its durable
	// consumer): ask until every node answers (bounded).
	ask := func(n *clusterNode, target string, rows any, until func(*api.ReportNodes) bool) *api.ReportNodes {
		t.Helper()
		var last *api.ReportNodes
		for range 60 {
			w := request(t, n.srv, http.MethodGet, target, map[string]string{"Authorization": "Bearer " + adminKey})
			if w.Code != http.StatusOK {
				t.Fatalf("%s: GET %s: %d %s", n.name, target, w.Code, w.Body)
			}
			var r clusterReport
			decodeJSON(t, w, &r)
			if r.Nodes == nil {
				t.Fatalf("%s: GET %s: no nodes in a cluster's report: %s", n.name, target, w.Body)
			}
			if last = r.Nodes; until(r.Nodes) {
				if err := json.Unmarshal(r.Rows, rows); err != nil {
					t.Fatalf("%s: GET %s: rows %s: %v", n.name, target, r.Rows, err)
				}
				return r.Nodes
			}
			time.Sleep(500 * time.Millisecond)
		}
		t.Fatalf("%s: GET %s: nodes %+v after 60 tries", n.name, target, last)
		return nil
	}
	everyNode := func(nd *api.ReportNodes) bool { return len(nd.Answered) == 3 }
	for i, n := range nodes {
		var q []analytics.QueryRow
		nd := ask(n, "/api/admin/analytics/queries", &q, everyNode)
		if !slices.Equal(nd.Answered, []string{"n1", "n2", "n3"}) || len(nd.Missing) != 0 || len(nd.Failed) != 0 {
			t.Errorf("%s: nodes %+v", n.name, nd)
		}
		if d := cmp.Diff(wantQ, q); d != "" {
			t.Errorf("queries asked of %s (-want +got):\n%s", n.name, d)
		}
		if i > 0 {
			continue
		}
		var z []analytics.ZeroRow
		ask(n, "/api/admin/analytics/zero-results", &z, everyNode)
		if d := cmp.Diff(wantZ, z); d != "" {
			t.Errorf("zero results (-want +got):\n%s", d)
		}
		var a []analytics.ArticleRow
		ask(n, "/api/admin/analytics/articles", &a, everyNode)
		for _, r := range a {
			slices.SortFunc(r.Queries, func(a, b analytics.ArticleQuery) int { return strings.Compare(a.Query, b.Query) })
		}
		if d := cmp.Diff(wantA, a); d != "" {
			t.Errorf("articles (-want +got):\n%s", d)
		}
		var v []analytics.VolumeRow
		ask(n, "/api/admin/analytics/volume?interval=day", &v, everyNode)
		if len(v) != 1 || v[0].Searches != 10 || v[0].ZeroResults != 3 {
			t.Errorf("volume: %+v, want one day of 10 searches, 3 without hits", v)
		}
	}

	// Node 3 goes down: its searches are not counted, and the report says so.
	nodes[2].stop()
	var q []analytics.QueryRow
	nd := ask(nodes[1], "/api/admin/analytics/queries", &q, func(nd *api.ReportNodes) bool { return len(nd.Missing) > 0 })
	if !slices.Equal(nd.Answered, []string{"n1", "n2"}) || !slices.Equal(nd.Missing, []string{"n3"}) {
		t.Errorf("with n3 down: nodes %+v, want n1 and n2 answered, n3 missing", nd)
	}
	wantQ = []analytics.QueryRow{
		{Query: "oil", Count: 3, MeanHits: 2, Clicks: 3, CTR: 2.0 / 3, MeanClickPosition: 2},
		{Query: "zzqx", Count: 2},
		{Query: "gold", Count: 1, MeanHits: 2},
	}
	if d := cmp.Diff(wantQ, q); d != "" {
		t.Errorf("queries with n3 down (-want +got):\n%s", d)
	}
	w := request(t, nodes[0].srv, http.MethodGet, "/api/admin/analytics/queries", map[string]string{"Authorization": "Bearer " + adminKey, "Accept": "text/csv"})
	if w.Code != http.StatusOK || w.Header().Get("Folio-Nodes-Answered") != "n1,n2" || w.Header().Get("Folio-Nodes-Missing") != "n3" {
		t.Errorf("CSV report with n3 down: %d, answered %q, missing %q", w.Code, w.Header().Get("Folio-Nodes-Answered"), w.Header().Get("Folio-Nodes-Missing"))
	}

	// A purge asked of one node purges every node that answers (n1's 3
	// searches and n2's 3) and names n3, still down, as missing; the
	// reports of both are then empty.
	before := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	w = request(t, nodes[0].srv, http.MethodDelete, "/api/admin/analytics?before="+before, map[string]string{"Authorization": "Bearer " + adminKey})
	var purged api.AnalyticsPurge
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &purged) != nil || purged.Deleted != 6 || purged.Nodes == nil ||
		!slices.Equal(purged.Nodes.Answered, []string{"n1", "n2"}) || !slices.Equal(purged.Nodes.Missing, []string{"n3"}) {
		t.Fatalf("purge asked of n1 with n3 down: %d %s; want 6 searches deleted on n1 and n2, n3 missing", w.Code, w.Body)
	}
	for _, n := range nodes[:2] {
		q = nil
		ask(n, "/api/admin/analytics/queries", &q, func(nd *api.ReportNodes) bool { return len(nd.Answered) == 2 })
		if len(q) != 0 {
			t.Errorf("queries asked of %s after the purge: %+v, want none", n.name, q)
		}
	}
}

// BenchmarkClusterReport: the latency of GET /api/admin/analytics/queries
// with perNode searches (500 distinct queries, a click on every tenth) in
// each store: asked of one node of three (its own part plus the two
// others' over NATS), and of a single node holding as many; with empty
// stores (perNode 0) it is the cost of asking itself.
func BenchmarkClusterReport(b *testing.B) {
	for _, perNode := range []int{0, 20000} {
		b.Run(fmt.Sprintf("searches=%d", perNode), func(b *testing.B) { benchClusterReport(b, perNode) })
	}
}

func benchClusterReport(b *testing.B, perNode int) {
	fill := func(rec *analytics.Recorder) {
		for i := range perNode {
			id := rec.Search(analytics.Search{Query: fmt.Sprintf("query %d", i%500), Total: uint64(i % 7)})
			if i%10 == 0 {
				rec.Click(id, "a1", 1+i%5)
			}
		}
		if err := rec.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	get := func(b *testing.B, srv http.Handler) *api.ReportNodes {
		req, _ := http.NewRequest(http.MethodGet, "/api/admin/analytics/queries?limit=100", nil)
		req.Header.Set("Authorization", "Bearer "+adminKey)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		var r clusterReport
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &r) != nil {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
		return r.Nodes
	}
	b.Run("single", func(b *testing.B) {
		db, err := analytics.Open(analytics.File(b.TempDir()), time.Second)
		if err != nil {
			b.Fatal(err)
		}
		rec := analytics.NewRecorder(db, analytics.Options{})
		defer func() { rec.Close(); db.Close() }()
		fill(rec)
		opts := DefaultOptions()
		opts.Analytics, opts.AdminKeys = rec, []string{adminKey}
		srv := New(testIndex(b), opts, nil)
		b.ResetTimer()
		for b.Loop() {
			get(b, srv)
		}
	})
	b.Run("cluster3", func(b *testing.B) {
		nodes := analyticsCluster(b, b.TempDir())
		for _, n := range nodes {
			fill(n.rec)
		}
		for i := 0; len(get(b, nodes[0].srv).Answered) < 3; i++ { // until every node follows the log
			if i == 120 {
				b.Fatal("the three nodes did not all answer within a minute")
			}
			time.Sleep(500 * time.Millisecond)
		}
		b.ResetTimer()
		for b.Loop() {
			if nd := get(b, nodes[0].srv); len(nd.Answered) != 3 {
				b.Fatalf("nodes %+v", nd)
			}
		}
	})
}

// TestBrowserClusterAnalyticsPage: in a cluster, /admin/analytics says
// which nodes its reports counted, and which did not answer.
func TestBrowserClusterAnalyticsPage(t *testing.T) {
	ctx := newTab(t)
	nodes := analyticsCluster(t, t.TempDir())
	for _, n := range nodes {
		search(t, n.srv, "q=oil")
	}
	ts := httptest.NewServer(nodes[0].srv)
	t.Cleanup(ts.Close)
	open := func(want string) {
		t.Helper()
		var got string
		for range 60 { // until every node follows the log (bounded)
			run(t, ctx, chromedp.Navigate(ts.URL+"/admin/analytics"))
			run(t, ctx, js(`sessionStorage.setItem('folio.adminKey', '`+adminKey+`')`), chromedp.Reload())
			waitFor(t, ctx, "the reports", `!document.getElementById('reports').hidden && !document.getElementById('nodes').hidden`)
			eval(t, ctx, `document.getElementById('nodes').textContent`, &got)
			if got == want {
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
		t.Fatalf("the page says %q, want %q", got, want)
	}
	open("Counted nodes: n1, n2, n3.")
	nodes[2].stop()
	open("Counted nodes: n1, n2. Not counted (did not answer): n3.")
	var summary string
	eval(t, ctx, `document.getElementById('volume-summary').textContent`, &summary)
	if !strings.HasPrefix(summary, "2 searches") {
		t.Errorf("volume summary with n3 down: %q, want the 2 searches of n1 and n2", summary)
	}
}
