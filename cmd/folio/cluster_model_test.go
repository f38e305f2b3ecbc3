package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	modelSteps = flag.Int("cluster.model.steps", 150, "random operations of TestClusterModel (make cluster-model runs 1500)")
	modelSeed  = flag.Uint64("cluster.model.seed", 0, "seed of TestClusterModel's operations (0: from the clock; the seed is logged)")
	modelTime  = flag.Duration("cluster.model.time", 90*time.Second, "most time TestClusterModel spends on operations before it checks")
	modelLoss  = flag.Int("cluster.model.quorum_losses", 1, "quorum-loss phases (two nodes of three down) of TestClusterModel")
)

// modelEntry is what the test knows of one article: the title of the last
// acknowledged write ("" when absent: never written, or deleted) and the
// titles of the writes after it that were not acknowledged (503, a
// connection cut by a kill): each may or may not have reached the log.
type modelEntry struct {
	acked string
	maybe []string // "" is a delete
}

// allowed are the titles the article may end with.
func (e modelEntry) allowed() []string { return append([]string{e.acked}, e.maybe...) }

// model is the acknowledged state of the cluster, per article id.
type model struct {
	entries      map[string]*modelEntry
	acks, maybes int
	stale404     int // deletes answered 404 by a node while the model held the article
}

func (m *model) entry(id string) *modelEntry {
	e := m.entries[id]
	if e == nil {
		e = &modelEntry{}
		m.entries[id] = e
	}
	return e
}

// ack records an acknowledged write of id (title "" is a delete).
func (m *model) ack(id, title string) {
	e := m.entry(id)
	e.acked, e.maybe = title, nil
	m.acks++
}

// unsure records a write of id that was not acknowledged.
func (m *model) unsure(id, title string) {
	e := m.entry(id)
	e.maybe = append(e.maybe, title)
	m.maybes++
}

// modelWrite is one write the test sends: a put (title set) or a delete of
// one id, or a _bulk of puts.
type modelWrite struct {
	id, title string
	bulk      map[string]string // id → title
}

// TestClusterModel is a seeded, bounded random test of a three-node
// cluster of real `folio serve` processes (embedded JetStream) against a
// model of what it acknowledged: random PUTs (new articles and
// overwrites), DELETEs and _bulk requests through random nodes, kill -9
// of a random node at a random moment of a write and its restart later
// (never two down at once), and quorum-loss phases (two nodes down: every
// write must answer 503, never 2xx; it counts as "maybe"). At the end
// every node holds exactly the model: each article the title of its last
// acknowledged write, or one of the writes not acknowledged after it, or
// nothing; no other article; the same on every node.
// A failing run prints its seed: rerun it with -args -cluster.model.seed=N.
func TestClusterModel(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three nodes; skipped with -short")
	}
	seed := *modelSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun: go test -run '^TestClusterModel$' ./cmd/folio -args -cluster.model.seed=%d), %d steps, %d quorum losses", seed, seed, *modelSteps, *modelLoss)
	rng := rand.New(rand.NewPCG(seed, 0))
	bin := buildFolio(t)
	c := newTestCluster(t, bin, 3)
	c.startAll()
	client := &http.Client{Timeout: 20 * time.Second}
	m := &model{entries: map[string]*modelEntry{}}
	version := 0
	title := func(id string) string {
		version++
		return fmt.Sprintf("Model walrus %s v%d", id, version)
	}
	randomID := func() string { return fmt.Sprintf("m%02d", rng.IntN(40)) }

	// up are the nodes that answer; starting ones join up once ready.
	up := map[*clusterNode]bool{}
	for _, nd := range c.nodes {
		up[nd] = true
	}
	var starting []*clusterNode
	poll := func() {
		for i := 0; i < len(starting); i++ {
			nd := starting[i]
			select {
			case err := <-nd.exited:
				t.Fatalf("%s exited while starting: %v\n%s", nd.name, err, nd.stderr.String())
			default:
			}
			if _, code := readyOf(client, nd); code == http.StatusOK {
				up[nd] = true
				starting = slices.Delete(starting, i, i+1)
				i--
			}
		}
	}
	waitStarted := func() {
		for range 300 { // bounded: about 30s
			if poll(); len(starting) == 0 {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s not ready within 30s", starting[0].name)
	}
	// restartDown starts the nodes that are down, waiting for none.
	restartDown := func() {
		for _, nd := range c.nodes {
			if !up[nd] && !slices.Contains(starting, nd) {
				c.start(nd, false)
				starting = append(starting, nd)
			}
		}
	}
	upNodes := func() []*clusterNode {
		var out []*clusterNode
		for _, nd := range c.nodes {
			if up[nd] {
				out = append(out, nd)
			}
		}
		return out
	}
	newWrite := func() modelWrite {
		switch r := rng.IntN(100); {
		case r < 55:
			id := randomID()
			return modelWrite{id: id, title: title(id)}
		case r < 75:
			return modelWrite{id: randomID()}
		default:
			w := modelWrite{bulk: map[string]string{}}
			for range 2 + rng.IntN(7) {
				id := randomID()
				w.bulk[id] = title(id)
			}
			return w
		}
	}
	// send sends w through nd and returns what to record once it is
	// answered, and to check: an acknowledged single write is read back
	// with min_seq on a random node (run on the test goroutine: the model
	// and the nodes' states are not shared).
	send := func(nd *clusterNode, w modelWrite) func() {
		if w.bulk == nil {
			status, seq := clusterWrite(client, nd, w.id, w.title)
			return func() {
				switch {
				case status/100 == 2:
					m.ack(w.id, w.title)
					if live := upNodes(); len(live) > 0 { // read-your-writes on another node
						other := live[rng.IntN(len(live))]
						if got := articleTitle(t, client, other, w.id, seq); got != w.title {
							t.Fatalf("%s with min_seq=%d: article %s has title %q, want %q, acknowledged by %s", other.name, seq, w.id, got, w.title, nd.name)
						}
					}
				case status == http.StatusNotFound && w.title == "":
					if m.entry(w.id).acked != "" {
						m.stale404++ // the node had not applied the put yet: it deleted nothing
					}
				default:
					m.unsure(w.id, w.title)
				}
			}
		}
		var lines strings.Builder
		for _, id := range slices.Sorted(maps.Keys(w.bulk)) {
			b, _ := json.Marshal(map[string]string{"id": id, "title": w.bulk[id], "body": "model"})
			lines.Write(append(b, '\n'))
		}
		acked, _ := clusterBulk(client, nd, lines.String())
		return func() {
			for id, title := range w.bulk {
				if _, ok := acked[id]; ok {
					m.ack(id, title)
				} else {
					m.unsure(id, title)
				}
			}
		}
	}

	losses, kills := 0, 0
	deadline := time.Now().Add(*modelTime)
	for step := 0; step < *modelSteps && time.Now().Before(deadline); step++ {
		poll()
		live := upNodes()
		lossDue := losses < *modelLoss && step >= (losses+1)**modelSteps/(*modelLoss+1)
		switch r := rng.IntN(100); {
		case lossDue: // quorum loss, spread over the run: two of three down
			restartDown()
			waitStarted()
			losses++
			keep := c.nodes[rng.IntN(3)]
			for _, nd := range c.nodes {
				if nd != keep {
					c.kill(nd)
					up[nd] = false
				}
			}
			for range 2 {
				w := modelWrite{id: randomID()}
				if rng.IntN(2) == 0 {
					w.title = title(w.id)
				}
				status, _ := clusterWrite(client, keep, w.id, w.title)
				if status/100 == 2 {
					t.Fatalf("step %d: a write through %s was acknowledged (%d) with two nodes of three down", step, keep.name, status)
				}
				if status == http.StatusNotFound && w.title == "" {
					continue // nothing to delete on this node: not logged
				}
				if status != http.StatusServiceUnavailable {
					t.Fatalf("step %d: a write without quorum answered %d, want 503", step, status)
				}
				m.unsure(w.id, w.title)
			}
			if resp, err := client.Get(keep.base + "/api/search?q=walrus"); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("step %d: search on %s without quorum: %v %v", step, keep.name, resp, err)
			} else {
				resp.Body.Close()
			}
			restartDown()
			waitStarted()
		case r < 6 && len(live) == 3: // kill -9 of a node at a random moment of a write
			victim := live[rng.IntN(3)]
			nd, w := live[rng.IntN(3)], newWrite()
			done := make(chan func(), 1)
			go func() { done <- send(nd, w) }()
			time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
			c.kill(victim)
			up[victim] = false
			(<-done)()
			kills++
		case r < 12 && len(live) == 2 && len(starting) == 0: // restart the node that is down
			restartDown()
		default:
			if len(live) == 0 {
				continue
			}
			send(live[rng.IntN(len(live))], newWrite())()
		}
	}

	// Every node back, every node applied the whole log, then each holds
	// exactly the model.
	restartDown()
	waitStarted()
	var applied []uint64
	for range 300 { // bounded: about 30s
		applied = applied[:0]
		for _, nd := range c.nodes {
			st, _ := readyOf(client, nd)
			if st.AppliedSeq != st.LogLastSeq || st.LogLastSeq == 0 {
				break
			}
			applied = append(applied, st.AppliedSeq)
		}
		if len(applied) == 3 && applied[0] == applied[1] && applied[1] == applied[2] {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(applied) != 3 || applied[0] != applied[1] || applied[1] != applied[2] {
		t.Fatalf("the nodes did not apply the whole log within 30s: applied %v", applied)
	}
	ids := slices.Sorted(maps.Keys(m.entries))
	var first map[string]string
	landed := 0
	for _, nd := range c.nodes {
		st, _ := readyOf(client, nd)
		present := 0
		for _, id := range ids {
			e := m.entries[id]
			got := articleTitle(t, client, nd, id, 0)
			if !slices.Contains(e.allowed(), got) {
				t.Fatalf("%s: article %s has title %q; the model allows %q (acknowledged %q, not acknowledged after it %q)\n%s", nd.name, id, got, e.allowed(), e.acked, e.maybe, nd.stderr.String())
			}
			if got != "" {
				present++
			}
			if nd == c.nodes[0] && got != e.acked {
				landed++
			}
		}
		if int(st.Documents) != present {
			t.Fatalf("%s holds %d articles, the model %d", nd.name, st.Documents, present)
		}
		set := articleHashes(t, client, nd, ids)
		if first == nil {
			first = set
		} else if !maps.Equal(set, first) {
			t.Fatalf("%s holds other articles than %s", nd.name, c.nodes[0].name)
		}
	}
	t.Logf("%d acknowledged writes, %d not acknowledged (%d of them ended in the log), %d kills, %d quorum losses, %d deletes answered 404 by a node that had not applied the put yet; %d articles at log seq %d, the same on every node",
		m.acks, m.maybes, landed, kills, losses, m.stale404, len(first), applied[0])
}
