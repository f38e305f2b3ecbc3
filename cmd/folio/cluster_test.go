package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var clusterCycles = flag.Int("cluster.cycles", 20, "kill -9 cycles of TestClusterNodes (make cluster-crash runs 200)")

// clusterNode is one `folio serve` of a three-node cluster with embedded JetStream.
type clusterNode struct {
	name, base string
	env        []string
	dir        string
	cmd        *exec.Cmd
	exited     chan error
	stderr     *lockedBuffer
}

// testCluster starts n nodes (loopback, free ports, own directories).
type testCluster struct {
	t     *testing.T
	bin   string
	nodes []*clusterNode
}

func newTestCluster(t *testing.T, bin string, n int, extra ...string) *testCluster {
	t.Helper()
	routes := make([]string, n)
	for i := range routes {
		routes[i] = freeAddr(t)
	}
	return newNodes(t, bin, n, func(i int) []string {
		var others []string
		for j := range n {
			if j != i {
				others = append(others, routes[j])
			}
		}
		return []string{
			"FOLIO_CLUSTER_NATS_LISTEN=" + freeAddr(t),
			"FOLIO_CLUSTER_NATS_CLUSTER_LISTEN=" + routes[i],
			"FOLIO_CLUSTER_NATS_ROUTES=" + strings.Join(others, ","),
		}
	}, extra...)
}

// newNodes prepares n nodes (loopback, free ports, own directories), node
// i reaching the log with the environment natsEnv(i), then extra.
func newNodes(t *testing.T, bin string, n int, natsEnv func(i int) []string, extra ...string) *testCluster {
	t.Helper()
	work := t.TempDir()
	empty := filepath.Join(work, "no-sources")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &testCluster{t: t, bin: bin}
	for i := range n {
		addr := freeAddr(t)
		nd := &clusterNode{name: fmt.Sprintf("node%d", i+1), base: "http://" + addr, dir: filepath.Join(work, fmt.Sprintf("node%d", i+1)), stderr: &lockedBuffer{}}
		nd.env = append(os.Environ(),
			"FOLIO_INDEX_PATH="+filepath.Join(nd.dir, "folio.bleve"),
			"FOLIO_INDEX_SOURCES="+empty,
			"FOLIO_SERVER_ADDR="+addr,
			"FOLIO_SERVER_ADMIN_KEYS="+crashKey,
			"FOLIO_SERVER_WRITE_TIMEOUT=4s",
			"FOLIO_ANALYTICS_ENABLED=false",
			"FOLIO_LOG_LEVEL=warn",
			"FOLIO_CLUSTER_NODE="+nd.name,
		)
		nd.env = append(append(nd.env, natsEnv(i)...), extra...)
		if err := os.MkdirAll(nd.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		c.nodes = append(c.nodes, nd)
	}
	t.Cleanup(func() {
		for _, nd := range c.nodes {
			c.kill(nd)
		}
	})
	return c
}

// start runs nd's process; wait: until its /readyz answers 200.
func (c *testCluster) start(nd *clusterNode, wait bool) {
	c.t.Helper()
	cmd := exec.Command(c.bin, "serve")
	cmd.Dir, cmd.Env = nd.dir, nd.env
	nd.stderr.Reset()
	cmd.Stderr = nd.stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	nd.cmd, nd.exited = cmd, make(chan error, 1)
	go func() { nd.exited <- cmd.Wait() }()
	if wait {
		waitHealthy(c.t, nd.base, nd.exited)
	}
}

// startAll starts every node at once (a log needs a quorum before any
// node is ready) and waits until each is ready.
func (c *testCluster) startAll() {
	c.t.Helper()
	var wg sync.WaitGroup
	for _, nd := range c.nodes {
		wg.Go(func() { c.start(nd, false) })
	}
	wg.Wait()
	for _, nd := range c.nodes {
		waitHealthy(c.t, nd.base, nd.exited)
	}
}

// kill sends SIGKILL to nd (if running) and waits for it to exit.
func (c *testCluster) kill(nd *clusterNode) {
	if nd.cmd == nil {
		return
	}
	nd.cmd.Process.Kill()
	<-nd.exited
	nd.cmd = nil
}

// status is a node's /readyz body.
type readyStatus struct {
	Status     string `json:"status"`
	Documents  uint64 `json:"documents"`
	AppliedSeq uint64 `json:"applied_seq"`
	LogLastSeq uint64 `json:"log_last_seq"`
	LogError   string `json:"log_error"`
	code       int    // the HTTP status
}

func readyOf(client *http.Client, nd *clusterNode) (readyStatus, int) {
	var st readyStatus
	resp, err := client.Get(nd.base + "/readyz")
	if err != nil {
		return st, 0
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(&st)
	return st, resp.StatusCode
}

// write PUTs (or DELETEs, when title is empty) id through nd and returns
// the status and the acknowledged seq.
func clusterWrite(client *http.Client, nd *clusterNode, id, title string) (int, uint64) {
	method, body := http.MethodDelete, ""
	if title != "" {
		method, body = http.MethodPut, fmt.Sprintf(`{"title":%q,"body":"cluster test"}`, title)
	}
	req, _ := http.NewRequest(method, nd.base+"/api/articles/"+url.PathEscape(id), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+crashKey)
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	var r struct {
		Seq uint64 `json:"seq"`
	}
	json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r.Seq
}

// clusterBulk POSTs NDJSON lines to nd's _bulk and returns the ids of
// the lines acknowledged (created or updated) with their seqs; an error
// only when no answer came.
func clusterBulk(client *http.Client, nd *clusterNode, lines string) (map[string]uint64, error) {
	req, _ := http.NewRequest(http.MethodPost, nd.base+"/api/articles/_bulk", strings.NewReader(lines))
	req.Header.Set("Authorization", "Bearer "+crashKey)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	acked := map[string]uint64{}
	dec := json.NewDecoder(resp.Body)
	for {
		var r struct {
			ID, Status string
			Seq        uint64
		}
		if dec.Decode(&r) != nil {
			return acked, nil
		}
		if r.ID != "" && (r.Status == "created" || r.Status == "updated") {
			acked[r.ID] = r.Seq
		}
	}
}

// articleTitle GETs id from nd once it has applied seq: its title, or "" when absent (404).
func articleTitle(t *testing.T, client *http.Client, nd *clusterNode, id string, seq uint64) string {
	t.Helper()
	b := articleJSON(t, client, nd, id, seq)
	if b == nil {
		return ""
	}
	var a struct {
		Title string `json:"title"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("%s: article %s: %v in %s", nd.name, id, err, b)
	}
	return a.Title
}

// articleJSON GETs id from nd once it has applied seq: the article's JSON,
// or nil when absent (404). A node still catching up (after a restart)
// answers 503 replica_behind once its min_seq wait is over: asked again,
// as a client would, for up to 60 tries.
func articleJSON(t *testing.T, client *http.Client, nd *clusterNode, id string, seq uint64) []byte {
	t.Helper()
	var resp *http.Response
	var b []byte
	for try := 0; ; try++ {
		var err error
		resp, err = client.Get(fmt.Sprintf("%s/api/articles/%s?min_seq=%d", nd.base, url.PathEscape(id), seq))
		if err != nil {
			t.Fatalf("%s: get %s: %v", nd.name, id, err)
		}
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: get %s: %v", nd.name, id, err)
		}
		if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(b, []byte(`"replica_behind"`)) || try == 60 {
			break
		}
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil
	case resp.StatusCode != http.StatusOK:
		t.Fatalf("%s: get %s?min_seq=%d: %d %s", nd.name, id, seq, resp.StatusCode, b)
	}
	return b
}

// articleHashes is the (id, content hash) set of nd over ids: the SHA-256
// of each present article's JSON.
func articleHashes(t *testing.T, client *http.Client, nd *clusterNode, ids []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, id := range ids {
		if b := articleJSON(t, client, nd, id, 0); b != nil {
			h := sha256.Sum256(b)
			out[id] = hex.EncodeToString(h[:])
		}
	}
	return out
}

// ledger is what the cluster acknowledged: the last title of each id ("" deleted) and the highest seq;
// and every id a write was tried on.
type ledger struct {
	mu     sync.Mutex
	titles map[string]string
	seq    uint64
	tried  map[string]bool
}

func newLedger() *ledger { return &ledger{titles: map[string]string{}, tried: map[string]bool{}} }

// try records that a write of id is about to be sent.
func (l *ledger) try(id string) {
	l.mu.Lock()
	l.tried[id] = true
	l.mu.Unlock()
}

func (l *ledger) ack(id, title string, seq uint64) {
	l.mu.Lock()
	l.titles[id] = title
	l.tried[id] = true
	l.seq = max(l.seq, seq)
	l.mu.Unlock()
}

// converge waits until every running node has applied the ledger's seq
// and holds its acknowledged articles, all with the same applied_seq and
// count, and the same (id, content hash) set over every id tried (writes
// not acknowledged, cut by a kill, may be there too, on every node alike).
func (c *testCluster) converge(client *http.Client, l *ledger) {
	c.t.Helper()
	var first readyStatus
	var firstSet map[string]string
	var firstName string
	want := 0
	for _, title := range l.titles {
		if title != "" {
			want++
		}
	}
	tried := slices.Sorted(maps.Keys(l.tried))
	for _, nd := range c.nodes {
		if nd.cmd == nil {
			continue
		}
		for id, title := range l.titles {
			if got := articleTitle(c.t, client, nd, id, l.seq); got != title {
				c.t.Fatalf("%s: article %q has title %q, want %q (acknowledged)\n%s", nd.name, id, got, title, nd.stderr.String())
			}
		}
		// The replica may still apply writes after the ledger's seq (and a
		// write that timed out may still land): wait, bounded, until it has
		// applied the whole log, so that its count and its articles below
		// are of one state (counting a node still applying flaked at load 25).
		var st readyStatus
		caughtUp := false
		for range 1200 {
			st, _ = readyOf(client, nd)
			if caughtUp = st.LogError == "" && st.AppliedSeq == st.LogLastSeq && st.AppliedSeq >= l.seq; caughtUp {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !caughtUp {
			c.t.Fatalf("%s has not applied the whole log within 60 s (acknowledged up to seq %d): %+v\n%s", nd.name, l.seq, st, nd.stderr.String())
		}
		if int(st.Documents) < want {
			c.t.Fatalf("%s holds %d articles, want at least the %d acknowledged: %+v", nd.name, st.Documents, want, st)
		}
		set := articleHashes(c.t, client, nd, tried)
		if len(set) != int(st.Documents) {
			c.t.Fatalf("%s holds %d articles, %d of them written by the test", nd.name, st.Documents, len(set))
		}
		if firstSet == nil {
			first, firstSet, firstName = st, set, nd.name
			continue
		}
		if st.AppliedSeq != first.AppliedSeq || st.Documents != first.Documents {
			c.t.Fatalf("%s: applied seq %d, %d articles; %s: %d, %d", nd.name, st.AppliedSeq, st.Documents, firstName, first.AppliedSeq, first.Documents)
		}
		if !maps.Equal(set, firstSet) {
			for id, h := range set {
				if firstSet[id] != h {
					c.t.Fatalf("%s and %s differ on article %q (content hash %.12s and %.12s)", nd.name, firstName, id, h, firstSet[id])
				}
			}
			c.t.Fatalf("%s lacks articles %s holds", nd.name, firstName)
		}
	}
}

// writeEverywhere writes 5 articles through every node, each read back on
// the next node with min_seq, a 200-line _bulk through the second node and
// a delete through the third, all acknowledged.
func (c *testCluster) writeEverywhere(client *http.Client, l *ledger) {
	t := c.t
	t.Helper()
	for i, nd := range c.nodes {
		for k := range 5 {
			id := fmt.Sprintf("w%d-%d", i, k)
			status, seq := clusterWrite(client, nd, id, "Walrus "+id)
			if status/100 != 2 || seq == 0 {
				t.Fatalf("put %s through %s: %d seq %d\n%s", id, nd.name, status, seq, nd.stderr.String())
			}
			l.ack(id, "Walrus "+id, seq)
			other := c.nodes[(i+1)%len(c.nodes)]
			if got := articleTitle(t, client, other, id, seq); got != "Walrus "+id {
				t.Fatalf("%s with min_seq=%d: %q, want the write made through %s", other.name, seq, got, nd.name)
			}
		}
	}
	var lines strings.Builder
	for k := range 200 {
		fmt.Fprintf(&lines, `{"id":"bulk-%d","title":"Bulk walrus %d"}`+"\n", k, k)
	}
	acked, err := clusterBulk(client, c.nodes[1], lines.String())
	if err != nil {
		t.Fatal(err)
	}
	for id, seq := range acked {
		l.ack(id, strings.Replace(id, "bulk-", "Bulk walrus ", 1), seq)
	}
	if want := 5*len(c.nodes) + 200; len(l.titles) != want {
		t.Fatalf("%d articles acknowledged, want %d", len(l.titles), want)
	}
	if status, seq := clusterWrite(client, c.nodes[2], "w0-0", ""); status != http.StatusOK {
		t.Fatalf("delete: %d", status)
	} else {
		l.ack("w0-0", "", seq)
	}
}

// killCycles kills a random node with SIGKILL during writes through
// every node, cycles times, and restarts it: searches on the others never
// fail meanwhile. Every second and third cycle also has _bulk requests in flight
// (through every node, the victim too), or a rebuild running on the victim
// (POST /api/admin/rebuild) and one on another node (`folio index
// --rebuild`, handed to its server), which must succeed. (converge then
// checks that no acknowledged write is lost, not even one line of a bulk
// cut by the kill, and that the restarted node converged.)
func (c *testCluster) killCycles(client *http.Client, l *ledger, rng *rand.Rand, cycles int) {
	t := c.t
	t.Helper()
	n := len(c.nodes)
	modes := map[string]int{}
	for cycle := range cycles {
		vi := rng.IntN(n)
		victim := c.nodes[vi]
		mode := []string{"writes", "bulk", "rebuild"}[cycle%3] // each within any 3 cycles
		modes[mode]++
		stop := make(chan struct{})
		var writers sync.WaitGroup
		if mode == "bulk" {
			writers.Go(func() { c.bulkUntil(stop, client, l, cycle) })
		}
		rebuilt := make(chan error, 1)
		if mode == "rebuild" {
			other := c.nodes[(vi+1+rng.IntN(n-1))%n]
			writers.Go(func() { rebuildOver(client, victim) }) // killed during it (or just after)
			go func() { rebuilt <- c.rebuildCLI(other) }()
		}
		for w := range 2 {
			writers.Go(func() {
				for k := 0; ; k++ {
					select {
					case <-stop:
						return
					default:
					}
					nd := c.nodes[(w+k)%n]
					id := fmt.Sprintf("c%d-w%d-%d", cycle, w, k)
					l.try(id)
					if status, seq := clusterWrite(client, nd, id, "Crash walrus "+id); status/100 == 2 {
						l.ack(id, "Crash walrus "+id, seq)
					}
				}
			})
		}
		time.Sleep(time.Duration(20+rng.IntN(300)) * time.Millisecond) // the random moment of the kill, not a wait
		c.kill(victim)
		for _, nd := range c.nodes {
			if nd.cmd == nil {
				continue
			}
			resp, err := client.Get(nd.base + "/api/search?q=walrus")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("cycle %d: search on %s while %s is down: %v %v", cycle, nd.name, victim.name, resp, err)
			}
			resp.Body.Close()
		}
		close(stop)
		writers.Wait()
		if mode == "rebuild" {
			if err := <-rebuilt; err != nil {
				t.Fatalf("cycle %d: rebuild while %s is down: %v", cycle, victim.name, err)
			}
		}
		c.start(victim, true)
	}
	t.Logf("kill cycles: %v", modes)
}

// bulkUntil sends 50-line _bulk requests through every node in turn until
// stop, recording the lines acknowledged (those answered before a kill cut
// the request).
func (c *testCluster) bulkUntil(stop <-chan struct{}, client *http.Client, l *ledger, cycle int) {
	for k := 0; ; k++ {
		select {
		case <-stop:
			return
		default:
		}
		var lines strings.Builder
		for j := range 50 {
			id := fmt.Sprintf("c%d-b%d-%d", cycle, k, j)
			l.try(id)
			fmt.Fprintf(&lines, `{"id":%q,"title":"Bulk crash walrus %s"}`+"\n", id, id)
		}
		acked, _ := clusterBulk(client, c.nodes[k%len(c.nodes)], lines.String())
		for id, seq := range acked {
			l.ack(id, "Bulk crash walrus "+id, seq)
		}
	}
}

// rebuildOver asks nd to rebuild (from the log) and ignores the answer:
// nd is killed during it.
func rebuildOver(client *http.Client, nd *clusterNode) {
	req, _ := http.NewRequest(http.MethodPost, nd.base+"/api/admin/rebuild", nil)
	req.Header.Set("Authorization", "Bearer "+crashKey)
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
}

// rebuildCLI runs `folio index --rebuild` with nd's configuration: it
// hands the rebuild to nd's server, which replays the log.
func (c *testCluster) rebuildCLI(nd *clusterNode) error {
	cmd := exec.Command(c.bin, "index", "--rebuild")
	cmd.Dir, cmd.Env = nd.dir, nd.env
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "server indexed") {
		return fmt.Errorf("folio index --rebuild on %s: %v\n%s\n%s", nd.name, err, out, nd.stderr.String())
	}
	return nil
}

// buildFolio builds the folio binary into a temporary directory.
func buildFolio(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "folio")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestClusterNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three nodes; skipped with -short")
	}
	bin := buildFolio(t)
	c := newTestCluster(t, bin, 3)
	c.startAll()
	client := &http.Client{Timeout: 20 * time.Second}
	l := newLedger()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d, %d kill cycles", seed, *clusterCycles)

	// Writes through every node, then read-your-writes on the others.
	c.writeEverywhere(client, l)
	c.converge(client, l)

	// kill -9 of a random node during writes through the others: no
	// acknowledged write is lost, searches on the others never fail.
	c.killCycles(client, l, rng, *clusterCycles)
	c.converge(client, l)

	// Quorum loss: two of three down; writes answer 503 (never 2xx) within
	// server.write_timeout, reads go on; after the restart writes resume
	// and the write that timed out is there once or not at all.
	live := c.nodes[0]
	c.kill(c.nodes[1])
	c.kill(c.nodes[2])
	begin := time.Now()
	l.try("during-loss")
	status, _ := clusterWrite(client, live, "during-loss", "Lost walrus")
	if status != http.StatusServiceUnavailable {
		t.Fatalf("write without quorum: %d, want 503", status)
	}
	if d := time.Since(begin); d > 6*time.Second {
		t.Fatalf("write without quorum took %s, beyond server.write_timeout (4s)", d)
	}
	if got := articleTitle(t, client, live, "w1-0", 0); got != "Walrus w1-0" {
		t.Fatalf("read without quorum: %q", got)
	}
	var wg sync.WaitGroup
	for _, nd := range c.nodes[1:] {
		wg.Go(func() { c.start(nd, false) })
	}
	wg.Wait()
	for _, nd := range c.nodes[1:] {
		waitHealthy(t, nd.base, nd.exited)
	}
	var seq uint64
	for range 100 { // bounded: the log elects its leaders again
		if status, seq = clusterWrite(client, live, "after-loss", "Back walrus"); status/100 == 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status/100 != 2 {
		t.Fatalf("write after the nodes are back: %d", status)
	}
	l.ack("after-loss", "Back walrus", seq)
	c.converge(client, l)
	for _, nd := range c.nodes {
		var r struct {
			Total int `json:"total"`
		}
		resp, err := client.Get(fmt.Sprintf("%s/api/search?q=title:lost&min_seq=%d", nd.base, seq))
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if r.Total > 1 {
			t.Fatalf("%s: the timed-out write is there %d times", nd.name, r.Total)
		}
	}

	// A new node joins from the log alone: it replays from seq 1, and its
	// /readyz answers 503 replaying while it is more than
	// cluster.max_ready_lag (here 10) behind, then 200. (A backlog of at
	// least 1000 more articles, however few cycles ran.)
	var backlog strings.Builder
	for k := range 1000 {
		fmt.Fprintf(&backlog, `{"id":"backlog-%d","title":"Backlog walrus %d"}`+"\n", k, k)
	}
	acked, err := clusterBulk(client, c.nodes[0], backlog.String())
	if err != nil || len(acked) != 1000 {
		t.Fatalf("backlog bulk: %d acknowledged, %v", len(acked), err)
	}
	for id, seq := range acked {
		l.ack(id, strings.Replace(id, "backlog-", "Backlog walrus ", 1), seq)
	}
	nd, answers := c.join(t, "node4", "", "FOLIO_CLUSTER_MAX_READY_LAG=10")
	c.converge(client, l)
	if !strings.Contains(nd.stderr.String(), "applying the log from seq 1 (") {
		t.Fatalf("node4 did not replay the log from seq 1:\n%s", nd.stderr.String())
	}
	replaying := slices.IndexFunc(answers, func(a readyStatus) bool {
		return a.code == http.StatusServiceUnavailable && a.Status == "replaying" && a.LogLastSeq-a.AppliedSeq > 10
	})
	if last := answers[len(answers)-1]; replaying < 0 || last.code != http.StatusOK || last.LogLastSeq-last.AppliedSeq > 10 {
		t.Fatalf("node4's /readyz while it replayed %d messages, then once current: %+v", l.seq, answers)
	}
	t.Logf("node4's /readyz: 503 replaying at applied seq %d of %d, then 200 (%d answers)", answers[replaying].AppliedSeq, answers[replaying].LogLastSeq, len(answers))

	// A new node joins from a `folio backup` of node 1 plus the log: it
	// consumes from the backup's seq + 1, not from 1, and converges.
	backupSeq, _ := readyOf(client, c.nodes[0])
	backup := filepath.Join(t.TempDir(), "node1-backup")
	cmd := exec.Command(bin, "backup", backup)
	cmd.Dir, cmd.Env = c.nodes[0].dir, c.nodes[0].env
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "the server copied the index to "+backup) {
		t.Fatalf("folio backup of node1: %v\n%s", err, out)
	}
	for k := range 20 { // after the backup: only the log has these
		id := fmt.Sprintf("after-backup-%d", k)
		status, seq := clusterWrite(client, c.nodes[1+k%2], id, "Later walrus "+id)
		if status/100 != 2 {
			t.Fatalf("put %s: %d", id, status)
		}
		l.ack(id, "Later walrus "+id, seq)
	}
	nd, _ = c.join(t, "node5", backup)
	c.converge(client, l) // node5's (id, content hash) set and applied seq equal every other node's
	logs := nd.stderr.String()
	if want := fmt.Sprintf("applying the log from seq %d (", backupSeq.AppliedSeq+1); backupSeq.AppliedSeq == 0 || !strings.Contains(logs, want) || strings.Contains(logs, "applying the log from seq 1 (") {
		t.Fatalf("node5, restored from a backup at seq %d, did not consume from the seq after it (%q):\n%s", backupSeq.AppliedSeq, want, logs)
	}
	t.Logf("%d kill -9 cycles; %d acknowledged articles on every node, 0 lost; quorum loss answered 503; a fourth node joined from the log, a fifth from a backup at seq %d", *clusterCycles, len(l.titles), backupSeq.AppliedSeq)
}

// join starts a new node named name with routes to c's nodes (logging at
// info level, with env added), restored from the backup directory when it
// is not empty, and adds it to c once it is ready: its /readyz answers
// from its start until then (watchReady).
func (c *testCluster) join(t *testing.T, name, backup string, env ...string) (*clusterNode, []readyStatus) {
	t.Helper()
	j := newTestCluster(t, c.bin, 1)
	nd := j.nodes[0]
	nd.name = name
	nd.env = append(nd.env, "FOLIO_CLUSTER_NODE="+name, "FOLIO_CLUSTER_NATS_ROUTES="+routeList(c), "FOLIO_LOG_LEVEL=info")
	if backup != "" {
		nd.env = append(nd.env, "FOLIO_INDEX_PATH="+backup)
	}
	nd.env = append(nd.env, env...)
	j.start(nd, false)
	answers := watchReady(t, nd)
	c.nodes = append(c.nodes, nd)
	j.nodes = nil
	return nd, answers
}

// watchReady polls nd's /readyz from its start until it answers 200 with
// the log reachable (bounded: about 60 s), and returns those answers in
// which the log was reachable.
func watchReady(t *testing.T, nd *clusterNode) []readyStatus {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	var out []readyStatus
	for range 6000 {
		select {
		case err := <-nd.exited:
			t.Fatalf("%s exited before it was ready: %v\n%s", nd.name, err, nd.stderr.String())
		default:
		}
		st, code := readyOf(client, nd)
		if code != 0 && st.LogError == "" && st.LogLastSeq > 0 {
			st.code = code
			out = append(out, st)
			if code == http.StatusOK {
				return out
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s was not ready within 60s: %+v\n%s", nd.name, out, nd.stderr.String())
	return nil
}

// routeList is the cluster_listen addresses of c's nodes.
func routeList(c *testCluster) string {
	var out []string
	for _, nd := range c.nodes {
		for _, e := range nd.env {
			if v, ok := strings.CutPrefix(e, "FOLIO_CLUSTER_NATS_CLUSTER_LISTEN="); ok {
				out = append(out, v)
			}
		}
	}
	return strings.Join(out, ",")
}

// TestIndexOnClusterNode: `folio index` with cluster.* set never writes
// the node's directory itself; without a server to hand the work to it
// fails saying why and what to do.
func TestIndexOnClusterNode(t *testing.T) {
	cfg := isolate(t)
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	t.Setenv("FOLIO_INDEX_PATH", ix)
	t.Setenv("FOLIO_INDEX_SOURCES", "../../testdata/articles")
	t.Setenv("FOLIO_SERVER_ADDR", freeAddr(t))
	t.Setenv("FOLIO_CLUSTER_NATS_CLUSTER_LISTEN", freeAddr(t))
	for _, rebuild := range []bool{false, true} {
		args := []string{"--config", cfg, "index"}
		if rebuild {
			args = append(args, "--rebuild")
		}
		t.Setenv("FOLIO_SERVER_ADMIN_KEYS", "")
		_, _, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), "is the index of a cluster node") || !strings.Contains(err.Error(), "set server.admin_keys") {
			t.Fatalf("%v without admin keys: %v", args, err)
		}
		t.Setenv("FOLIO_SERVER_ADMIN_KEYS", crashKey)
		_, _, err = runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), "start it on this node first") {
			t.Fatalf("%v without a server: %v", args, err)
		}
		if _, err := os.Stat(ix); !os.IsNotExist(err) {
			t.Fatalf("%v wrote %s: %v", args, ix, err)
		}
	}
	_, _, err := runCLI(t, "--config", cfg, "index", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "not among") {
		t.Fatalf("index of other files on a cluster node: %v", err)
	}
}
