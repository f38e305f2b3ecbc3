package index

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index/article"
)

// freeLoopback returns n free loopback addresses.
func freeLoopback(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().String())
	}
	for _, l := range ls {
		l.Close()
	}
	return out
}

// clusterOptions are the options of three index replicas in dir, each
// with an embedded JetStream node routing to the others.
func clusterOptions(t *testing.T, dir string) []Options { return clusterOptionsTB(t, dir) }

// clusterOptionsTB is clusterOptions for tests and benchmarks.
func clusterOptionsTB(t testing.TB, dir string) []Options {
	t.Helper()
	client, routes := freeLoopback(t, 3), freeLoopback(t, 3)
	var out []Options
	for i := range 3 {
		var others []string
		for j := range 3 {
			if j != i {
				others = append(others, routes[j])
			}
		}
		o := DefaultOptions(filepath.Join(dir, fmt.Sprintf("n%d", i+1), "idx"))
		o.Cluster = &ClusterOptions{Node: fmt.Sprintf("n%d", i+1), Listen: client[i], ClusterListen: routes[i], Routes: others,
			StoreDir: filepath.Join(dir, fmt.Sprintf("n%d", i+1), "nats")}
		out = append(out, o)
	}
	return out
}

// fingerprint is every article of ix as "id title", sorted.
func fingerprint(t *testing.T, ix *Index) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), Query{Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID+" "+h.Title)
	}
	slices.Sort(out)
	return out
}

func TestReplicasConvergeAndResume(t *testing.T) {
	opts := clusterOptions(t, t.TempDir())
	ixs := make([]*Index, 3)
	for i, o := range opts {
		ix, err := OpenOrCreate(o)
		if err != nil {
			t.Fatal(err)
		}
		ixs[i] = ix
	}
	defer func() {
		for _, ix := range ixs {
			if ix != nil {
				ix.Close()
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	put := func(ix *Index, id, title string) uint64 {
		t.Helper()
		wctx, rec := WithSeqRecorder(ctx)
		if _, err := ix.Put(wctx, article.Article{ID: id, Title: title}); err != nil {
			t.Fatalf("put %s: %v", id, err)
		}
		if rec.Last() == 0 {
			t.Fatalf("put %s recorded no log sequence", id)
		}
		return rec.Last()
	}
	put(ixs[0], "a", "alpha one")
	put(ixs[1], "b", "beta")
	put(ixs[2], "a", "alpha two")
	// The writing node reads its own write.
	if got := fingerprint(t, ixs[2]); !slices.Equal(got, []string{"a alpha two", "b beta"}) {
		t.Fatalf("node 3 after its write: %q", got)
	}
	var lines strings.Builder
	for i := range 50 {
		fmt.Fprintf(&lines, `{"id":"bulk-%02d","title":"bulk %d"}`+"\n", i, i)
	}
	bctx, rec := WithSeqRecorder(ctx)
	if err := ixs[1].Bulk(bctx, strings.NewReader(lines.String()), 1<<20, func([]WriteResult) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := ixs[0].Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	last := put(ixs[0], "c", "gamma")
	if last <= rec.Last() {
		t.Fatalf("seq of the last put %d is not after the bulk's %d", last, rec.Last())
	}
	var want []string
	for i, ix := range ixs {
		if err := ix.WaitApplied(ctx, last); err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
		got := fingerprint(t, ix)
		if i == 0 {
			want = got
			if len(want) != 52 || want[0] != "a alpha two" || want[51] != "c gamma" {
				t.Fatalf("node 1 holds %d articles: %q…", len(want), want[:min(3, len(want))])
			}
		} else if !slices.Equal(got, want) {
			t.Fatalf("node %d differs from node 1", i+1)
		}
		if st := ix.ReplicaStatus(ctx); st.AppliedSeq != last || st.LogLastSeq != last || st.Lag() != 0 || st.LogErr != nil {
			t.Fatalf("node %d status %+v, want applied = log last = %d", i+1, st, last)
		}
	}
	// A restarted node resumes after its stored sequence and catches up
	// with the writes made while it was down.
	ixs[2].Close()
	ixs[2] = nil
	last = put(ixs[0], "d", "delta")
	ix, err := Open(opts[2])
	if err != nil {
		t.Fatal(err)
	}
	ixs[2] = ix
	if got := ix.replica.appliedSeq(); got == 0 || got >= last {
		t.Fatalf("reopened node starts at applied seq %d, want the stored one below %d", got, last)
	}
	if err := ix.WaitApplied(ctx, last); err != nil {
		t.Fatal(err)
	}
	if got := fingerprint(t, ix); !slices.Equal(got, append(slices.Clone(want), "d delta")) {
		t.Fatalf("reopened node holds %d articles, want %d", len(got), len(want)+1)
	}
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if err := ix.WaitApplied(short, last+1000); !errors.Is(err, ErrReplicaBehind) {
		t.Fatalf("WaitApplied of a future seq: %v, want ErrReplicaBehind", err)
	}
}

// TestReplicaAppliesGroups: an article with groups written on one node is
// hidden on every replica from readers outside its groups (each replica
// turns its visibility filter on before applying it).
func TestReplicaAppliesGroups(t *testing.T) {
	ixs := openReplicas(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	wctx, rec := WithSeqRecorder(ctx)
	if _, err := ixs[0].Put(wctx, article.Article{ID: "pub", Title: "open zeppelin notes"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ixs[0].Put(wctx, article.Article{ID: "secret", Title: "secret zeppelin budget", Groups: []string{"hr"}}); err != nil {
		t.Fatal(err)
	}
	for i, ix := range ixs {
		if err := ix.WaitApplied(ctx, rec.Last()); err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
		if got := ids(mustSearch(t, ix, Query{Text: "zeppelin"})); !slices.Equal(got, []string{"pub"}) {
			t.Errorf("node %d, no token: %v, want [pub]", i+1, got)
		}
		if got := mustSearch(t, ix, Query{Text: "zeppelin", Visible: Visibility{Groups: []string{"hr"}}}); got.Total != 2 {
			t.Errorf("node %d, hr: %v, want both", i+1, ids(got))
		}
	}
}

// openReplicas opens three in-process replicas with embedded JetStream
// nodes (R3, fsync always) on loopback (see clusterOptions), closed when
// the test or benchmark ends.
func openReplicas(t testing.TB) []*Index {
	t.Helper()
	opts := clusterOptionsTB(t, t.TempDir())
	ixs := make([]*Index, len(opts))
	for i, o := range opts {
		ix, err := OpenOrCreate(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		ixs[i] = ix
	}
	return ixs
}

// TestReplicaDeleteCatchesUp: a DELETE sent to a replica that has not
// applied the article's put yet (readyz admits some lag, so a load
// balancer may route it there) catches up with the log before it decides:
// 200, and the article is gone on every replica, instead of a 404 that
// leaves it everywhere. A PUT of such an article through the lagging
// replica answers "updated", not "created": its status is taken when the
// replica applies it, after the earlier put.
func TestReplicaDeleteCatchesUp(t *testing.T) {
	ixs := openReplicas(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	wctx, rec := WithSeqRecorder(ctx)
	if _, err := ixs[0].Put(wctx, article.Article{ID: "warm", Title: "every replica is up"}); err != nil {
		t.Fatal(err)
	}
	for i, ix := range ixs {
		if err := ix.WaitApplied(ctx, rec.Last()); err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
	}
	lagging := ixs[2]
	r := lagging.replica
	// behind puts id through node 1 while node 3 applies nothing, then
	// runs write through node 3 and lets node 3 apply again once write
	// waits for it (a write that does not wait fails the test).
	behind := func(id string, write func() error) error {
		t.Helper()
		r.hold.Lock()
		held := true
		defer func() {
			if held {
				r.hold.Unlock()
			}
		}()
		if created, err := ixs[0].Put(wctx, article.Article{ID: id, Title: "written through node 1"}); err != nil || !created {
			t.Fatalf("put %s through node 1: created %v, %v", id, created, err)
		}
		if got := r.appliedSeq(); got >= rec.Last() {
			t.Fatalf("node 3 applied seq %d while held, want below %d", got, rec.Last())
		}
		for !r.behind() && ctx.Err() == nil { // node 3 has read the put and waits to apply it
			time.Sleep(time.Millisecond)
		}
		done := make(chan error, 1)
		go func() { done <- write() }()
		for r.waiters() == 0 {
			select {
			case err := <-done:
				t.Fatalf("write of %s through the lagging node answered before it applied the log: %v", id, err)
			case <-time.After(time.Millisecond):
			}
		}
		held = false
		r.hold.Unlock()
		return <-done
	}
	if err := behind("doomed", func() error { return lagging.Delete(ctx, "doomed") }); err != nil {
		t.Fatalf("delete through the lagging node: %v, want it deleted", err)
	}
	var created bool
	if err := behind("twice", func() (err error) {
		created, err = lagging.Put(wctx, article.Article{ID: "twice", Title: "again through node 3"})
		return err
	}); err != nil || created {
		t.Fatalf("put of an existing article through the lagging node: created %v, %v; want updated", created, err)
	}
	if err := lagging.Delete(ctx, "never"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete of an article nobody wrote: %v, want ErrNotFound", err)
	}
	for i, ix := range ixs {
		if err := ix.WaitApplied(ctx, rec.Last()); err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
		if got := fingerprint(t, ix); !slices.Equal(got, []string{"twice again through node 3", "warm every replica is up"}) {
			t.Errorf("node %d holds %q, want doomed deleted", i+1, got)
		}
	}
}
