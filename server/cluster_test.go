package server

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index"
)

// clusterIndexes opens n replicas in cluster mode, each with an embedded
// JetStream node on free loopback ports routing to the others, the log
// replicated on all n; they are closed when the test ends (Close twice is
// harmless).
func clusterIndexes(t *testing.T, n int) []*index.Index {
	t.Helper()
	addrs := make([]string, 2*n) // n client addresses, then n route addresses
	var ls []net.Listener
	for i := range addrs {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		addrs[i] = l.Addr().String()
	}
	for _, l := range ls {
		l.Close()
	}
	dir := t.TempDir()
	ixs := make([]*index.Index, n)
	for i := range n {
		node := fmt.Sprintf("s%d", i+1)
		o := index.DefaultOptions(filepath.Join(dir, node, "idx"))
		o.Cluster = &index.ClusterOptions{Node: node, Replicas: n, Listen: addrs[i], StoreDir: filepath.Join(dir, node, "nats")}
		if n > 1 {
			o.Cluster.ClusterListen = addrs[n+i]
			for j := range n {
				if j != i {
					o.Cluster.Routes = append(o.Cluster.Routes, addrs[n+j])
				}
			}
		}
		ix, err := index.OpenOrCreate(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		ixs[i] = ix
	}
	return ixs
}

// TestClusterWriteSeqs: in cluster mode every written line of a _bulk and
// every written element of an array carries its own log sequence (a
// repeated id a later one), the summary the last; a bad line none; a read
// with min_seq of a line's seq sees that line's write.
func TestClusterWriteSeqs(t *testing.T) {
	ix := clusterIndexes(t, 1)[0]
	srv := New(ix, Options{AdminKeys: []string{adminKey}}, nil)
	body := strings.Join([]string{
		`{"id":"s1","title":"First walrus"}`,
		`{broken`,
		`{"id":"s2","title":"Second walrus"}`,
		`{"id":"s1","title":"First walrus again"}`,
	}, "\n")
	rec := send(t, srv, http.MethodPost, "/api/articles/_bulk", adminKey, body)
	if rec.Code != http.StatusOK {
		t.Fatalf("bulk: %d %s", rec.Code, rec.Body)
	}
	results, sum := bulkLines(t, rec.Body)
	if len(results) != 4 {
		t.Fatalf("%d result lines, want 4: %+v", len(results), results)
	}
	seen := map[uint64]bool{}
	var last uint64
	for _, r := range results {
		switch {
		case r.Status == "error" && r.Seq != 0:
			t.Errorf("line %d was not written but carries seq %d", r.Line, r.Seq)
		case r.Status != "error" && (r.Seq == 0 || seen[r.Seq]):
			t.Errorf("line %d (%s) carries seq %d, want its own", r.Line, r.ID, r.Seq)
		}
		seen[r.Seq] = true
		last = max(last, r.Seq)
	}
	if results[3].Seq <= results[0].Seq {
		t.Errorf("the second write of s1 has seq %d, not after the first's %d", results[3].Seq, results[0].Seq)
	}
	if sum.Seq != last || sum.Status != "done" || sum.Created != 2 || sum.Updated != 1 || sum.Failed != 1 {
		t.Errorf("summary %+v, want seq %d (the last line's), 2 created, 1 updated, 1 failed", sum, last)
	}
	for _, r := range results[2:] {
		var a articleJSON
		got := send(t, srv, http.MethodGet, fmt.Sprintf("/api/articles/%s?min_seq=%d", r.ID, r.Seq), "", "")
		decodeJSON(t, got, &a)
		if want := map[string]string{"s1": "First walrus again", "s2": "Second walrus"}[r.ID]; a.Title != want {
			t.Errorf("article %s with min_seq=%d: %q, want %q", r.ID, r.Seq, a.Title, want)
		}
	}

	rec = send(t, srv, http.MethodPost, "/api/articles", adminKey, `[{"id":"a1","title":"Array one"},{"title":"no id"},{"id":"a2","title":"Array two"}]`)
	var arr arrayJSON
	decodeJSON(t, rec, &arr)
	if rec.Code != http.StatusOK || len(arr.Results) != 3 {
		t.Fatalf("array: %d %s", rec.Code, rec.Body)
	}
	if a, b := arr.Results[0].Seq, arr.Results[2].Seq; a <= last || b <= last || a == b || arr.Results[1].Seq != 0 || arr.Seq != max(a, b) {
		t.Errorf("array results seq %d, %d, %d and summary %d: want two new, distinct seqs after %d, none for the error, the last in the summary",
			a, arr.Results[1].Seq, b, arr.Seq, last)
	}
}

// TestClusterWritesWithoutQuorum: with two replicas of three (and their
// JetStream nodes) gone, a _bulk, a PUT and a sync through the last one
// answer 503 no_quorum within server.write_timeout, never 2xx; searches
// go on.
func TestClusterWritesWithoutQuorum(t *testing.T) {
	ixs := clusterIndexes(t, 3)
	const writeTimeout = 4 * time.Second
	srv := New(ixs[0], Options{AdminKeys: []string{adminKey}, WriteTimeout: writeTimeout, Sources: []string{articlesDir}}, nil)
	if rec := send(t, srv, http.MethodPost, "/api/articles/_bulk", adminKey, `{"id":"q1","title":"Quorum walrus"}`+"\n"); rec.Code != http.StatusOK {
		t.Fatalf("bulk with every node up: %d %s", rec.Code, rec.Body)
	}
	ixs[1].Close()
	ixs[2].Close()
	var lines strings.Builder
	for i := range 300 {
		fmt.Fprintf(&lines, `{"id":"lost-%d","title":"Lost walrus %d"}`+"\n", i, i)
	}
	for _, w := range []struct{ name, method, target, body string }{
		{"bulk", http.MethodPost, "/api/articles/_bulk", lines.String()},
		{"put", http.MethodPut, "/api/articles/lost-put", `{"title":"Lost put"}`},
		{"sync", http.MethodPost, "/api/admin/sync", ""},
	} {
		start := time.Now()
		rec := send(t, srv, w.method, w.target, adminKey, w.body)
		if took := time.Since(start); took > writeTimeout {
			t.Errorf("%s without quorum took %s, beyond server.write_timeout %s", w.name, took, writeTimeout)
		}
		wantError(t, rec, http.StatusServiceUnavailable, "no_quorum", "no quorum")
	}
	if got := search(t, srv, "q=walrus").Total; got != 1 {
		t.Errorf("search without quorum: %d walrus articles, want the one written before", got)
	}
}
