package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// freeAddrs returns n free loopback addresses.
func freeAddrs(t *testing.T, n int) []string {
	t.Helper()
	var ls []net.Listener
	var out []string
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

// trio is the config of three embedded nodes routing to each other.
func trio(t *testing.T) []Config {
	t.Helper()
	client, routes := freeAddrs(t, 3), freeAddrs(t, 3)
	dir := t.TempDir()
	var cfgs []Config
	for i := range 3 {
		var others []string
		for j := range 3 {
			if j != i {
				others = append(others, routes[j])
			}
		}
		cfgs = append(cfgs, Config{Node: fmt.Sprintf("n%d", i+1), Stream: "FOLIO", Replicas: 3,
			Listen: client[i], ClusterListen: routes[i], Routes: others, StoreDir: filepath.Join(dir, fmt.Sprintf("n%d", i+1))})
	}
	return cfgs
}

func openAll(t *testing.T, cfgs []Config) []*Log {
	t.Helper()
	logs := make([]*Log, len(cfgs))
	for i, c := range cfgs {
		l, err := Open(c)
		if err != nil {
			t.Fatal(err)
		}
		logs[i] = l
	}
	t.Cleanup(func() {
		for _, l := range logs {
			if l != nil {
				l.Close()
			}
		}
	})
	return logs
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// readAll reads entries from seq from until it has seen last.
func readAll(t *testing.T, l *Log, from, last uint64) []Entry {
	t.Helper()
	return collect(t, "read", l.Read, from, last)
}

// collect gathers the entries read delivers from seq from until it has
// seen last (verb names read in a failure).
func collect(t *testing.T, verb string, read func(context.Context, uint64, int, func([]Entry) error) error, from, last uint64) []Entry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []Entry
	done := errors.New("done")
	err := read(ctx, from, 100, func(b []Entry) error {
		got = append(got, b...)
		if b[len(b)-1].Seq >= last {
			return done
		}
		return nil
	})
	if !errors.Is(err, done) {
		t.Fatalf("%s from %d to %d: %v (got %d entries)", verb, from, last, err, len(got))
	}
	return got
}

func TestThreeNodesReplicateCompactAndDedupe(t *testing.T) {
	logs := openAll(t, trio(t))
	ctx := ctxT(t, 60*time.Second)
	s1, err := logs[0].Publish(ctx, Put, "a.b*>", []byte("v1"))
	if err != nil {
		t.Fatal(err)
	}
	// A retry of the same write is the same message.
	again, err := logs[1].Publish(ctx, Put, "a.b*>", []byte("v1"))
	if err != nil || again != s1 {
		t.Fatalf("retried put: seq %d, %v; want %d", again, err, s1)
	}
	s2, err := logs[1].Publish(ctx, Delete, "a.b*>", nil)
	if err != nil || s2 <= s1 {
		t.Fatalf("delete: seq %d, %v", s2, err)
	}
	// put, delete, put of the same content is logged again, not deduplicated.
	s3, err := logs[2].Publish(ctx, Put, "a.b*>", []byte("v1"))
	if err != nil || s3 <= s2 {
		t.Fatalf("put after delete: seq %d, %v; want > %d", s3, err, s2)
	}
	s4, err := logs[2].Publish(ctx, Put, "other id", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	// Compacted: only the last message of each article is left.
	for i, l := range logs {
		got := readAll(t, l, 1, s4)
		var desc []string
		for _, e := range got {
			desc = append(desc, fmt.Sprintf("%d %s %s %s", e.Seq, e.Kind, e.ID, e.Data))
		}
		want := []string{fmt.Sprintf("%d put a.b*> v1", s3), fmt.Sprintf("%d put other id x", s4)}
		if strings.Join(desc, "|") != strings.Join(want, "|") {
			t.Fatalf("node %d reads %q, want %q", i+1, desc, want)
		}
	}
	st, err := logs[0].State(ctx)
	if err != nil || st.LastSeq != s4 || st.Msgs != 2 {
		t.Fatalf("state %+v, %v; want last %d, 2 messages", st, err, s4)
	}
}

// TestPublishAll: a batch is acknowledged as a whole (each message its own
// seq), messages of one id keep their order (put, delete, put of the
// same content ends in a put), and the batch sent again is deduplicated.
func TestPublishAll(t *testing.T) {
	logs := openAll(t, trio(t))
	ctx := ctxT(t, 60*time.Second)
	var ms []Msg
	for i := range 2*MaxInFlight + 10 { // more than in flight at once
		ms = append(ms, Msg{Kind: Put, ID: fmt.Sprintf("p%d", i), Data: []byte("v")})
		if i == 7 {
			ms = append(ms, Msg{Kind: Put, ID: "same", Data: []byte("v1")}, Msg{Kind: Delete, ID: "same"})
		}
	}
	ms = append(ms, Msg{Kind: Put, ID: "same", Data: []byte("v1")})
	seqs, err := logs[0].PublishAll(ctx, ms)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	var last uint64
	var same []uint64
	for i, s := range seqs {
		if s == 0 || seen[s] {
			t.Fatalf("message %d (%s) has seq %d, want its own", i, ms[i].ID, s)
		}
		seen[s], last = true, max(last, s)
		if ms[i].ID == "same" {
			same = append(same, s)
		}
	}
	if len(same) != 3 || same[0] >= same[1] || same[1] >= same[2] {
		t.Fatalf("the writes of one id have seqs %v, want them in order", same)
	}
	got := readAll(t, logs[2], 1, last)
	if len(got) != len(ms)-2 {
		t.Fatalf("node 3 reads %d entries, want %d (one per id)", len(got), len(ms)-2)
	}
	for _, e := range got {
		if e.ID == "same" && (e.Seq != same[2] || e.Kind != Put || string(e.Data) != "v1") {
			t.Fatalf("the last entry of the repeated id is %d %s %q, want %d put v1", e.Seq, e.Kind, e.Data, same[2])
		}
	}
	again, err := logs[1].PublishAll(ctx, ms[10:110]) // after the repeated id
	if err != nil || !slices.Equal(again, seqs[10:110]) {
		t.Fatalf("batch sent again: %v, %v; want the same seqs", err, again[:min(5, len(again))])
	}
}

func TestNoQuorumThenRecovery(t *testing.T) {
	cfgs := trio(t)
	logs := openAll(t, cfgs)
	ctx := ctxT(t, 60*time.Second)
	if _, err := logs[0].Publish(ctx, Put, "x", []byte("1")); err != nil {
		t.Fatal(err)
	}
	logs[1].Close()
	logs[2].Close()
	logs[1], logs[2] = nil, nil
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	_, err := logs[0].Publish(short, Put, "y", []byte("2"))
	cancel()
	if !errors.Is(err, ErrNoQuorum) {
		t.Fatalf("publish without quorum: %v, want ErrNoQuorum", err)
	}
	var batch []Msg
	for i := range 100 {
		batch = append(batch, Msg{Kind: Put, ID: fmt.Sprintf("b%d", i), Data: []byte("lost")})
	}
	short, cancel = context.WithTimeout(ctx, 2*time.Second)
	_, err = logs[0].PublishAll(short, batch)
	cancel()
	if !errors.Is(err, ErrNoQuorum) {
		t.Fatalf("batch without quorum: %v, want ErrNoQuorum", err)
	}
	var wg sync.WaitGroup
	for _, i := range []int{1, 2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := Open(cfgs[i])
			if err != nil {
				t.Error(err)
				return
			}
			logs[i] = l
		}()
	}
	wg.Wait()
	seq, err := logs[0].Publish(ctx, Put, "y", []byte("2"))
	if err != nil {
		t.Fatalf("publish after the nodes are back: %v", err)
	}
	// The writes not acknowledged during the loss may be stored, once.
	got := readAll(t, logs[2], 1, seq)
	n := map[string]int{}
	for _, e := range got {
		if n[e.ID]++; n[e.ID] > 1 || e.ID == "y" && e.Seq != seq {
			t.Fatalf("after recovery node 3 reads %s twice or at seq %d, want y once at %d", e.ID, e.Seq, seq)
		}
	}
	if n["y"] != 1 {
		t.Fatalf("after recovery node 3 reads no y (%d entries), want it at %d", len(got), seq)
	}
}

func TestConfigErrors(t *testing.T) {
	base := Config{Node: "n", Stream: "FOLIO", Replicas: 1, StoreDir: t.TempDir()}
	// Addresses another process listens on: said at once, not after the
	// embedded server's 10 s wait for a listener it never gets.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	inUse := taken.Addr().String()
	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Stream = "a.b" }, "cluster.stream"},
		{func(c *Config) { c.Replicas = 0 }, "cluster.replicas"},
		{func(c *Config) { c.Node = "a b" }, "cluster.node"},
		{func(c *Config) { c.StoreDir = "" }, "cluster.nats.store_dir"},
		{func(c *Config) { c.Listen = "nope" }, "cluster.nats.listen"},
		{func(c *Config) { c.Routes = []string{"127.0.0.1:1"} }, "cluster.nats.routes"},
		{func(c *Config) { c.ClusterListen = "127.0.0.1:99999" }, "cluster.nats.cluster_listen"},
		{func(c *Config) { c.Listen = inUse }, "cluster.nats.listen " + inUse + ": listen tcp " + inUse + ": bind: address already in use"},
		{func(c *Config) { c.Listen, c.ClusterListen = freeAddrs(t, 1)[0], inUse }, "cluster.nats.cluster_listen " + inUse + ": listen tcp"},
	} {
		c := base
		tc.mod(&c)
		l, err := Open(c)
		if err == nil {
			l.Close()
		}
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want ErrConfig naming %s", c, err, tc.want)
		}
	}
}

func TestPublishRejectsHostileIDs(t *testing.T) {
	l, err := Open(Config{Node: "n", Stream: "FOLIO", Replicas: 1, Listen: freeAddrs(t, 1)[0], StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := ctxT(t, 30*time.Second)
	if _, err := l.Publish(ctx, Put, strings.Repeat("x", MaxIDBytes+1), nil); err == nil {
		t.Fatal("an over-long id was published")
	}
	for _, id := range []string{"*", ">", "a b", "..", "\x00"} {
		s := Subject(id)
		if strings.ContainsAny(strings.TrimPrefix(s, SubjectPrefix), ".*> \x00") {
			t.Fatalf("subject %q of %q has a reserved character", s, id)
		}
		if _, err := l.Publish(ctx, Put, id, []byte("v")); err != nil {
			t.Fatalf("put %q: %v", id, err)
		}
	}
}

// External mode: a Log given URLs embeds nothing and uses the NATS
// cluster behind them (here three in-process servers).
func TestExternalURLs(t *testing.T) {
	cfgs := trio(t)
	logs := openAll(t, cfgs)
	var urls []string
	for _, c := range cfgs {
		urls = append(urls, "nats://"+c.Listen)
	}
	ext, err := Open(Config{Node: "ext", Stream: "FOLIO", Replicas: 3, URLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close()
	if ext.srv != nil {
		t.Fatal("external mode started an embedded server")
	}
	ctx := ctxT(t, 60*time.Second)
	seq, err := ext.Publish(ctx, Put, "e1", []byte("external"))
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, logs[1], 1, seq)
	if e := got[len(got)-1]; e.ID != "e1" || string(e.Data) != "external" {
		t.Fatalf("embedded node reads %+v", e)
	}
	if got := readAll(t, ext, 1, seq); got[len(got)-1].Seq != seq {
		t.Fatalf("external reader ends at %d, want %d", got[len(got)-1].Seq, seq)
	}
}

// follow reads entries through l's durable consumer from seq from until it
// has seen last.
func follow(t *testing.T, l *Log, from, last uint64) []Entry {
	t.Helper()
	return collect(t, "follow", l.Follow, from, last)
}

// consumerInfo is the log's view of l's durable consumer (nil: there is none).
func consumerInfo(t *testing.T, l *Log) *jetstream.ConsumerInfo {
	t.Helper()
	ctx := ctxT(t, 10*time.Second)
	s, err := l.js.Stream(ctx, l.cfg.Stream)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Consumer(ctx, ConsumerName(l.cfg.Node))
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return c.CachedInfo()
}

func seqsOf(es []Entry) []uint64 {
	var out []uint64
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

// Follow reads through one durable consumer per node, positioned where the
// caller says (the node's stored applied seq + 1): moved back or ahead
// when it disagrees, recreated when it cannot be moved there.
func TestFollowDurableConsumer(t *testing.T) {
	cfgs := trio(t)
	logs := openAll(t, cfgs)
	ctx := ctxT(t, 60*time.Second)
	var seqs []uint64
	for i := range 6 {
		seq, err := logs[i%3].Publish(ctx, Put, fmt.Sprintf("f%d", i), []byte("v"))
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	last := seqs[5]
	if got := seqsOf(follow(t, logs[0], 1, last)); !slices.Equal(got, seqs) {
		t.Fatalf("follow from 1: %v, want %v", got, seqs)
	}
	info := consumerInfo(t, logs[0])
	if info == nil || info.Name != "folio_n1" || info.Config.Durable != "folio_n1" || info.Delivered.Stream != last {
		t.Fatalf("after following to %d the consumer is %+v", last, info)
	}
	created := info.Created
	// The node stored seq 3: the consumer, at 7, is moved back to 4.
	if got := seqsOf(follow(t, logs[0], seqs[3], last)); !slices.Equal(got, seqs[3:]) {
		t.Fatalf("follow from %d: %v, want %v", seqs[3], got, seqs[3:])
	}
	if info := consumerInfo(t, logs[0]); info == nil || !info.Created.Equal(created) || info.Delivered.Stream != last {
		t.Fatalf("the consumer was not moved but %+v", info)
	}
	// A consumer created at seq 5 cannot be moved below 5: it is recreated.
	if got := seqsOf(follow(t, logs[1], seqs[4], last)); !slices.Equal(got, seqs[4:]) {
		t.Fatalf("node 2 follows from %d: %v", seqs[4], got)
	}
	if got := seqsOf(follow(t, logs[1], seqs[1], last)); !slices.Equal(got, seqs[1:]) {
		t.Fatalf("node 2 follows from %d: %v", seqs[1], got)
	}
	if info := consumerInfo(t, logs[1]); info == nil || info.Name != "folio_n2" || info.Config.OptStartSeq != seqs[1] {
		t.Fatalf("node 2's consumer was not recreated at %d: %+v", seqs[1], info)
	}
	// Read beside Follow does not take the durable consumer's messages.
	if got := seqsOf(readAll(t, logs[0], 1, last)); !slices.Equal(got, seqs) {
		t.Fatalf("read: %v", got)
	}
	if info := consumerInfo(t, logs[0]); info.Delivered.Stream != last {
		t.Fatalf("a Read moved the durable consumer to %d", info.Delivered.Stream)
	}
}

// A departed node's consumer goes away after ConsumerInactive.
func TestDepartedConsumerGoesAway(t *testing.T) {
	cfgs := trio(t)
	cfgs[2].ConsumerInactive = time.Second
	logs := openAll(t, cfgs)
	ctx := ctxT(t, 60*time.Second)
	seq, err := logs[0].Publish(ctx, Put, "x", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	follow(t, logs[2], 1, seq)
	follow(t, logs[1], 1, seq)
	if consumerInfo(t, logs[0]) != nil {
		t.Fatal("node 1 has a consumer without following")
	}
	gone := false
	for range 100 { // bounded: up to 20s for the server's inactivity check
		if consumerInfo(t, logs[2]) == nil {
			gone = true
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !gone {
		t.Fatal("node 3's consumer is still there 20s after node 3 stopped pulling (threshold 1s)")
	}
	if consumerInfo(t, logs[1]) == nil {
		t.Fatal("node 2's consumer (threshold an hour) went away too")
	}
}

func TestConsumerName(t *testing.T) {
	for node, want := range map[string]string{
		"node1":                  "folio_node1",
		"a.example.com":          "folio_a_example_com_",
		"a_example_com":          "folio_a_example_com",
		strings.Repeat("x", 100): "folio_" + strings.Repeat("x", 64) + "_",
	} {
		got := ConsumerName(node)
		if !strings.HasPrefix(got, want) || strings.ContainsAny(got, ".*> /\\") || len(got) > 100 {
			t.Errorf("ConsumerName(%q) = %q, want it to start with %q, without . * > space or slashes", node, got, want)
		}
	}
	if ConsumerName("a.b") == ConsumerName("a_b") || ConsumerName("a.b") == ConsumerName("a*b") {
		t.Error("two node names share a consumer")
	}
}
