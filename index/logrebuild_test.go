package index

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/folio-search/folio/index/article"
)

// logLines collects a replica's notices.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logLines) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.lines, func(line string) bool { return strings.Contains(line, s) })
}

// await reports whether a line containing s is logged before ctx ends.
func (l *logLines) await(ctx context.Context, s string) bool {
	for !l.has(s) {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// singleNode is the options of a one-node cluster (one embedded JetStream
// node, stream R1) in dir, logging to logs.
func singleNode(t testing.TB, dir string, logs *logLines) Options {
	t.Helper()
	o := DefaultOptions(filepath.Join(dir, "idx"))
	o.Cluster = &ClusterOptions{Node: "solo", Replicas: 1, Listen: freeLoopback(t, 1)[0], StoreDir: filepath.Join(dir, "nats"), Logf: logs.logf}
	return o
}

// openNode creates the index of o (the caller closes it) and a context
// bounding the test.
func openNode(t *testing.T, o Options) (*Index, context.Context) {
	t.Helper()
	ix, err := OpenOrCreate(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ix, ctx
}

// stream connects to the embedded node of o and returns its log stream.
func stream(t *testing.T, ctx context.Context, o Options) jetstream.Stream {
	t.Helper()
	js, err := jetstream.New(mustConnect(t, o))
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(ctx, "FOLIO")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// putAll puts an article titled "title id" per id through ix and returns the last seq.
func putAll(t *testing.T, ctx context.Context, ix *Index, ids ...string) uint64 {
	t.Helper()
	wctx, rec := WithSeqRecorder(ctx)
	for _, id := range ids {
		if _, err := ix.Put(wctx, article.Article{ID: id, Title: "title " + id}); err != nil {
			t.Fatalf("put %s: %v", id, err)
		}
	}
	return rec.Last()
}

func titled(ids ...string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, id+" title "+id)
	}
	slices.Sort(out)
	return out
}

// TestRebuildFromLog: in cluster mode a rebuild replays the log into a
// new generation, not the node's files: it holds every article's latest
// write (deleted ones not), the writes applied while it ran, the applied
// seq stored in its shards (a restart resumes after it), and searches
// work throughout.
func TestRebuildFromLog(t *testing.T) {
	logs := &logLines{}
	o := singleNode(t, t.TempDir(), logs)
	ix, ctx := openNode(t, o)
	defer func() { ix.Close() }()
	var err error
	var want []string
	for i := range 40 {
		want = append(want, fmt.Sprintf("a%02d", i))
	}
	putAll(t, ctx, ix, want...)
	putAll(t, ctx, ix, "a00") // a second write of a00 replaces its first in the stream
	for _, id := range []string{"a01", "a02"} {
		if err := ix.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	want = slices.DeleteFunc(want, func(id string) bool { return id == "a01" || id == "a02" })
	before := ix.meta.Generation
	// Writes while the rebuild runs (the live applier applies them to the
	// old generation): the new one must hold them too. A search meanwhile works.
	var during uint64
	ix.hooks.beforeSwap = func() {
		during = putAll(t, ctx, ix, "during-1", "during-2")
		if err := ix.Delete(ctx, "a03"); err != nil {
			t.Error(err)
		}
		if got := mustSearch(t, ix, Query{Text: "title"}); got.Total != uint64(len(want)+2-1) {
			t.Errorf("search during the rebuild: %d hits, want %d", got.Total, len(want)+1)
		}
	}
	sum, err := ix.Rebuild(ctx, nil, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want = append(slices.DeleteFunc(want, func(id string) bool { return id == "a03" }), "during-1", "during-2")
	if ix.meta.Generation == before {
		t.Fatalf("rebuild kept generation %s", before)
	}
	if sum.After != len(want) || sum.Indexed != 38 {
		t.Fatalf("summary %+v, want %d after and 38 replayed puts (the deletes skipped)", sum, len(want))
	}
	last := ix.ReplicaStatus(ctx).LogLastSeq
	if err := ix.WaitApplied(ctx, last); err != nil {
		t.Fatal(err)
	}
	if got := fingerprint(t, ix); !slices.Equal(got, titled(want...)) {
		t.Fatalf("after the rebuild: %d articles %q, want %d", len(got), got, len(want))
	}
	stored, err := ix.storedSeq()
	if err != nil || stored != last || stored < during {
		t.Fatalf("new generation stores applied seq %d (%v), want the log's last %d", stored, err, last)
	}
	// The applier goes on into the new generation; a restart resumes after the stored seq.
	putAll(t, ctx, ix, "after")
	ix.Close()
	if ix, err = Open(o); err != nil {
		t.Fatal(err)
	}
	if err := ix.WaitApplied(ctx, last+1); err != nil {
		t.Fatal(err)
	}
	if got := fingerprint(t, ix); !slices.Equal(got, titled(append(want, "after")...)) {
		t.Fatalf("after a restart: %q", got)
	}
	if !logs.await(ctx, fmt.Sprintf("applying the log from seq %d (", last+2)) {
		t.Fatalf("the restarted node did not resume after its stored seq %d:\n%s", last+1, logs)
	}
}

// TestReplicaReplaysWhenBackupOlderThanStream: a node restored from a
// backup whose applied seq+1 is below the stream's first seq (the stream
// was purged since) says so and replays the stream from scratch into a
// new generation, instead of resuming across the gap.
func TestReplicaReplaysWhenBackupOlderThanStream(t *testing.T) {
	logs := &logLines{}
	dir := t.TempDir()
	o := singleNode(t, dir, logs)
	ix, ctx := openNode(t, o)
	defer func() { ix.Close() }()
	var err error
	putAll(t, ctx, ix, "a", "b", "c")
	backup := filepath.Join(dir, "backup")
	if err := ix.Backup(backup); err != nil {
		t.Fatal(err)
	}
	putAll(t, ctx, ix, "d")
	if err := stream(t, ctx, o).Purge(ctx); err != nil {
		t.Fatal(err)
	}
	last := putAll(t, ctx, ix, "e")
	ix.Close()

	restored := o
	restored.Path = backup
	if ix, err = Open(restored); err != nil {
		t.Fatal(err)
	}
	if err := ix.WaitApplied(ctx, last); err != nil {
		t.Fatal(err)
	}
	if got := fingerprint(t, ix); !slices.Equal(got, titled("e")) {
		t.Fatalf("node restored from a backup at seq 3, stream purged after seq 4: holds %q, want only what the stream holds\n%s", got, logs)
	}
	if !logs.has("no longer reaches back to seq 4") || !logs.await(ctx, "replayed the log from scratch") {
		t.Fatalf("the node did not say it replays instead of serving a gap:\n%s", logs)
	}
	if st := ix.ReplicaStatus(ctx); st.AppliedSeq != last || st.Replaying {
		t.Fatalf("status %+v, want applied seq %d", st, last)
	}
}

// TestReplicaDetectsRecreatedStream: a node whose applied seq is beyond
// the stream's last one (the stream was deleted and created again while
// it ran) reports it and rebuilds from the new stream; then it applies
// the new stream's writes.
func TestReplicaDetectsRecreatedStream(t *testing.T) {
	logs := &logLines{}
	o := singleNode(t, t.TempDir(), logs)
	ix, ctx := openNode(t, o)
	defer func() { ix.Close() }()
	var err error
	putAll(t, ctx, ix, "a", "b", "c", "d")
	s := stream(t, ctx, o)
	cfg := s.CachedInfo().Config
	js, _ := jetstream.New(mustConnect(t, o))
	if err := js.DeleteStream(ctx, "FOLIO"); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	wctx, rec := WithSeqRecorder(ctx)
	if _, err := ix.Put(wctx, article.Article{ID: "x", Title: "title x"}); err != nil {
		t.Fatal(err)
	}
	if rec.Last() != 1 {
		t.Fatalf("first write to the new stream has seq %d", rec.Last())
	}
	if !logs.await(ctx, "replayed the log from scratch") {
		t.Fatalf("the node did not detect the new stream:\n%s", logs)
	}
	if err := ix.WaitApplied(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := fingerprint(t, ix); !slices.Equal(got, titled("x")) {
		t.Fatalf("after the stream was created again: %q, want only its article\n%s", got, logs)
	}
	if !logs.has("has applied log seq 4 but the stream ends at seq") {
		t.Fatalf("not reported:\n%s", logs)
	}
	last := putAll(t, ctx, ix, "y")
	ix.Close()
	if ix, err = Open(o); err != nil {
		t.Fatal(err)
	}
	if err := ix.WaitApplied(ctx, last); err != nil {
		t.Fatal(err)
	}
	if got := fingerprint(t, ix); !slices.Equal(got, titled("x", "y")) {
		t.Fatalf("after a restart: %q", got)
	}
}

func mustConnect(t *testing.T, o Options) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect("nats://" + o.Cluster.Listen)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// TestRebuildFromLogChecksLoss: a rebuild from a log that holds fewer
// articles than the node (a stream purged right after the node's applied
// seq, which the node cannot detect) is refused with the log named, and
// the live generation is unchanged; forced, it replays what the log holds.
func TestRebuildFromLogChecksLoss(t *testing.T) {
	logs := &logLines{}
	o := singleNode(t, t.TempDir(), logs)
	ix, ctx := openNode(t, o)
	defer func() { ix.Close() }()
	putAll(t, ctx, ix, "a", "b", "c", "d")
	if err := stream(t, ctx, o).Purge(ctx); err != nil {
		t.Fatal(err)
	}
	last := putAll(t, ctx, ix, "e")
	before := ix.meta.Generation
	_, err := ix.Rebuild(ctx, nil, IngestOptions{})
	if !errors.Is(err, ErrWouldLose) || !strings.Contains(err.Error(), "rebuild from the replicated log would leave 1 of the 5 articles") {
		t.Fatalf("rebuild from a purged log: %v, want a refusal naming the log", err)
	}
	if ix.meta.Generation != before || len(fingerprint(t, ix)) != 5 {
		t.Fatalf("a refused rebuild changed the node: %s, %q", ix.meta.Generation, fingerprint(t, ix))
	}
	if _, err := ix.Rebuild(ctx, nil, IngestOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if got := fingerprint(t, ix); !slices.Equal(got, titled("e")) {
		t.Fatalf("forced rebuild: %q, want what the log holds", got)
	}
	if stored, err := ix.storedSeq(); err != nil || stored != last {
		t.Fatalf("stored seq %d (%v), want %d", stored, err, last)
	}
}
