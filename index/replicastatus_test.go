package index

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/cluster"
)

// The created/updated status of a put in a cluster follows the log's
// order (clusterLog.Append, replica.advanceOver): these tests hold
// replicas' appliers (replica.hold) so that writes through different
// nodes are all logged before any of them is applied.

// delivered is the last log sequence r has read (applied or held).
func delivered(r *replica) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.delivered
}

// watchedIDs is how many ids r records outcomes for.
func watchedIDs(r *replica) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.watched)
}

// until polls cond until it holds, failing the test when ctx ends first.
func until(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: %v", what, ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}

// putAnswer is the answer of a put run in the background.
type putAnswer struct {
	created bool
	err     error
}

// goPut puts a through ix in the background; the recorder gets its log
// sequence once it is published.
func goPut(ctx context.Context, ix *Index, a article.Article) (<-chan putAnswer, *SeqRecorder) {
	wctx, rec := WithSeqRecorder(ctx)
	ch := make(chan putAnswer, 1)
	go func() {
		created, err := ix.Put(wctx, a)
		ch <- putAnswer{created, err}
	}()
	return ch, rec
}

// appliedEverywhere waits until every replica has applied seq and checks
// that each holds want (fingerprint) and records no outcome any more.
func appliedEverywhere(t *testing.T, ctx context.Context, ixs []*Index, seq uint64, want []string) {
	t.Helper()
	for i, ix := range ixs {
		if err := ix.WaitApplied(ctx, seq); err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
		if got := fingerprint(t, ix); !slices.Equal(got, want) {
			t.Errorf("node %d holds %q, want %q", i+1, got, want)
		}
		if n := watchedIDs(ix.replica); n != 0 {
			t.Errorf("node %d still records outcomes for %d ids after its writers returned", i+1, n)
		}
	}
}

// holdAll holds the appliers of rs; the returned func releases them (once).
func holdAll(rs ...*replica) func() {
	for _, r := range rs {
		r.hold.Lock()
	}
	released := false
	return func() {
		if !released {
			released = true
			for _, r := range rs {
				r.hold.Unlock()
			}
		}
	}
}

// TestReplicaConcurrentCreatesFollowTheLog: two PUTs of one new id through
// two nodes, both logged before either node applies anything: the one the
// log orders first is created, the other updated (before, each node
// answered from what it held before publishing: both created), and every
// replica ends with the second. A put whose publication fails leaves no
// recorded outcome behind.
func TestReplicaConcurrentCreatesFollowTheLog(t *testing.T) {
	ixs := openReplicas(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	wctx, rec := WithSeqRecorder(ctx)
	if _, err := ixs[2].Put(wctx, article.Article{ID: "warm", Title: "every replica is up"}); err != nil {
		t.Fatal(err)
	}
	appliedEverywhere(t, ctx, ixs, rec.Last(), []string{"warm every replica is up"})

	r1, r2 := ixs[0].replica, ixs[1].replica
	release := holdAll(r1, r2)
	defer release()
	first, rec1 := goPut(ctx, ixs[0], article.Article{ID: "twin", Title: "first through node 1"})
	until(t, ctx, "the first put logged and read by both held nodes", func() bool {
		s := rec1.Last()
		return s > 0 && delivered(r1) >= s && delivered(r2) >= s
	})
	second, rec2 := goPut(ctx, ixs[1], article.Article{ID: "twin", Title: "second through node 2"})
	until(t, ctx, "the second put logged, its writer waiting for node 2", func() bool {
		return rec2.Last() > 0 && r2.waiters() > 0
	})
	select {
	case a := <-first:
		t.Fatalf("the put through node 1 answered (%v) before node 1 applied it", a)
	case a := <-second:
		t.Fatalf("the put through node 2 answered (%v) before node 2 applied it", a)
	default:
	}
	release()
	a1, a2 := <-first, <-second
	if a1.err != nil || a2.err != nil {
		t.Fatalf("puts: %v, %v", a1.err, a2.err)
	}
	if rec1.Last() >= rec2.Last() {
		t.Fatalf("log seqs %d, %d: want the put through node 1 first", rec1.Last(), rec2.Last())
	}
	if !a1.created || a2.created {
		t.Errorf("created: through node 1 (seq %d) %v, through node 2 (seq %d) %v; want true, false",
			rec1.Last(), a1.created, rec2.Last(), a2.created)
	}
	appliedEverywhere(t, ctx, ixs, rec2.Last(), []string{"twin second through node 2", "warm every replica is up"})

	gone, stop := context.WithCancel(ctx)
	stop()
	if _, err := ixs[0].Put(gone, article.Article{ID: "never", Title: "not published"}); !errors.Is(err, ErrNoQuorum) {
		t.Fatalf("put with an ended context: %v, want ErrNoQuorum", err)
	}
	if n := watchedIDs(r1); n != 0 {
		t.Errorf("node 1 records outcomes for %d ids after a failed put", n)
	}
}

// TestReplicaPutAfterDeleteFollowsTheLog: a PUT through a node that still
// holds an article deleted through another node (logged, read, not yet
// applied there) is created, as the log has it, not updated; when the
// node does not apply it within localApplyWait, the answer falls back to
// what the node held before publishing.
func TestReplicaPutAfterDeleteFollowsTheLog(t *testing.T) {
	ixs := openReplicas(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	wctx, rec := WithSeqRecorder(ctx)
	if _, err := ixs[0].Put(wctx, article.Article{ID: "phoenix", Title: "first life"}); err != nil {
		t.Fatal(err)
	}
	appliedEverywhere(t, ctx, ixs, rec.Last(), []string{"phoenix first life"})

	r2 := ixs[1].replica
	release := holdAll(r2)
	defer release()
	if err := ixs[0].Delete(wctx, "phoenix"); err != nil {
		t.Fatal(err)
	}
	deleted := rec.Last()
	until(t, ctx, "node 2 has read the delete", func() bool { return delivered(r2) >= deleted })
	put, recPut := goPut(ctx, ixs[1], article.Article{ID: "phoenix", Title: "reborn through node 2"})
	until(t, ctx, "the put logged, its writer waiting for node 2", func() bool {
		return recPut.Last() > 0 && r2.waiters() > 0
	})
	release()
	if a := <-put; a.err != nil || !a.created {
		t.Errorf("put after a delete through a node that had not applied it: created %v, %v; want created", a.created, a.err)
	}
	appliedEverywhere(t, ctx, ixs, recPut.Last(), []string{"phoenix reborn through node 2"})

	// Held for longer than localApplyWait, node 2 answers from what it held
	// before publishing (it still holds the article: updated), and keeps no
	// outcome once the writer returned.
	release = holdAll(r2)
	defer release()
	if err := ixs[0].Delete(wctx, "phoenix"); err != nil {
		t.Fatal(err)
	}
	deleted = rec.Last()
	until(t, ctx, "node 2 has read the second delete", func() bool { return delivered(r2) >= deleted })
	pctx, recLate := WithSeqRecorder(ctx)
	if created, err := ixs[1].Put(pctx, article.Article{ID: "phoenix", Title: "third life"}); err != nil || created {
		t.Errorf("put through a node held past localApplyWait: created %v, %v; want the fallback, updated", created, err)
	}
	if n := watchedIDs(r2); n != 0 {
		t.Errorf("node 2 records outcomes for %d ids after its writer timed out", n)
	}
	release()
	appliedEverywhere(t, ctx, ixs, recLate.Last(), []string{"phoenix third life"})
}

// TestReplicaBulkSameIDTwice: a bulk of two lines of one new id answers
// created then updated, also when the node's applier is busy while the
// bulk is logged, so that the stream has replaced the first line's entry
// by the second before the node reads it (the node then skips a log
// position, and the status falls back to the node's own reading before
// publishing, which knows the first line).
func TestReplicaBulkSameIDTwice(t *testing.T) {
	ixs := openReplicas(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bulk := func(id string) []WriteResult {
		t.Helper()
		body := `{"id":"` + id + `","title":"line one"}` + "\n" + `{"id":"` + id + `","title":"line two"}` + "\n"
		var got []WriteResult
		if err := ixs[0].Bulk(ctx, strings.NewReader(body), 1<<20, func(rs []WriteResult) error {
			got = append(got, rs...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	check := func(what string, got []WriteResult) {
		t.Helper()
		var statuses []string
		for _, r := range got {
			statuses = append(statuses, r.Status)
		}
		if want := []string{StatusCreated, StatusUpdated}; !slices.Equal(statuses, want) {
			t.Errorf("%s: statuses %q, want %q", what, statuses, want)
		}
	}
	check("bulk", bulk("pair"))

	r1 := ixs[0].replica
	release := holdAll(r1)
	defer release()
	wctx, rec := WithSeqRecorder(ctx)
	busy := make(chan error, 1)
	go func() {
		_, err := ixs[1].Put(wctx, article.Article{ID: "busy", Title: "keeps node 1's applier busy"})
		busy <- err
	}()
	until(t, ctx, "node 1 holds a batch", func() bool { return rec.Last() > 0 && delivered(r1) >= rec.Last() })
	r1.mu.Lock()
	skipped := r1.skipped
	r1.mu.Unlock()
	done := make(chan []WriteResult, 1)
	go func() { done <- bulk("pair2") }()
	until(t, ctx, "the bulk logged, its writer waiting for node 1", func() bool { return r1.waiters() > 0 })
	release()
	check("bulk while the applier was busy", <-done)
	if err := <-busy; err != nil {
		t.Fatal(err)
	}
	r1.mu.Lock()
	skippedNow := r1.skipped
	r1.mu.Unlock()
	if skippedNow == skipped {
		t.Errorf("node 1 skipped no log position: the stream did not replace the first line's entry before node 1 read it")
	}
	st := ixs[0].ReplicaStatus(ctx)
	appliedEverywhere(t, ctx, ixs, st.LogLastSeq, []string{"busy keeps node 1's applier busy", "pair line two", "pair2 line two"})
}

// TestReplicaOutcomesWithinABatch: the applier's recorded outcome of a
// put counts the earlier entries of its batch (a delete, then a put of
// the same id: created; two puts of a new id: created, updated), and a
// put after a log position the applier skipped keeps the writer's own
// answer. The stream never delivers two entries of one id in a batch
// except in a race (it keeps only an article's latest entry), so the
// test stops the node's applier and hands it a batch shaped like the
// log's: a real index, the real apply.
func TestReplicaOutcomesWithinABatch(t *testing.T) {
	ix, ctx := openNode(t, singleNode(t, t.TempDir(), &logLines{}))
	defer ix.Close()
	wctx, rec := WithSeqRecorder(ctx)
	if _, err := ix.Put(wctx, article.Article{ID: "kept", Title: "before"}); err != nil {
		t.Fatal(err)
	}
	if err := ix.WaitApplied(ctx, rec.Last()); err != nil {
		t.Fatal(err)
	}
	r := ix.replica
	r.cancel()
	<-r.done
	n := r.appliedSeq()
	put := func(seq uint64, id, title string) cluster.Entry {
		data, err := json.Marshal(logRecord{Article: &article.Article{ID: id, Title: title}, API: true})
		if err != nil {
			t.Fatal(err)
		}
		return cluster.Entry{Seq: n + seq, Kind: cluster.Put, ID: id, Data: data}
	}
	del := cluster.Entry{Seq: n + 1, Kind: cluster.Delete, ID: "kept", Data: []byte("{}")}
	es := []cluster.Entry{del, put(2, "kept", "after"), put(3, "fresh", "one"), put(4, "fresh", "two"), put(6, "late", "after a gap")}
	puts := []writeOp{{id: "kept", article: &article.Article{}}, {id: "fresh", article: &article.Article{}},
		{id: "fresh", article: &article.Article{}}, {id: "late", article: &article.Article{}}}
	seqs := []uint64{n + 2, n + 3, n + 4, n + 6}
	skipped := r.watch(puts)
	if err := ix.applyEntries(es); err != nil {
		t.Fatal(err)
	}
	existed := []bool{true, true, false, true} // the writer's own answers, before publishing
	r.outcomes(puts, seqs, skipped, existed)
	if want := []bool{false, false, true, true}; !slices.Equal(existed, want) {
		t.Errorf("existed %v, want %v (kept after its delete, fresh twice, late as the writer had it)", existed, want)
	}
	r.unwatch(puts)
	if n := watchedIDs(r); n != 0 {
		t.Errorf("%d ids still watched after unwatch", n)
	}
	if got, want := fingerprint(t, ix), []string{"fresh two", "kept after", "late after a gap"}; !slices.Equal(got, want) {
		t.Errorf("index holds %q, want %q", got, want)
	}
}
