package main

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// natsTrio is an external NATS cluster for the tests: three in-process
// nats-server instances with JetStream (file storage, fsync always) on
// free loopback ports, routed to each other, requiring from clients a
// user and password or an nkey, both with only the permissions
// docs/cluster.md asks for.
type natsTrio struct {
	t       *testing.T
	opts    []*natsserver.Options
	servers []*natsserver.Server
	seed    []byte // the nkey seed of the second user
}

const (
	natsUser     = "folio"
	natsPassword = "s3cret-nats-password"
)

func newNATSTrio(t *testing.T) *natsTrio {
	t.Helper()
	dir := t.TempDir()
	routes := make([]string, 3)
	for i := range routes {
		routes[i] = freeAddr(t)
	}
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	// What docs/cluster.md asks operators to grant Folio: a subject Folio
	// starts to use must be added here and there.
	perms := &natsserver.Permissions{
		Publish:   &natsserver.SubjectPermission{Allow: []string{"folio.articles.>", "$JS.API.>", "folio.ask.>", "_INBOX.>"}},
		Subscribe: &natsserver.SubjectPermission{Allow: []string{"_INBOX.>", "folio.ask.>"}},
	}
	tr := &natsTrio{t: t, servers: make([]*natsserver.Server, 3), seed: seed}
	for i := range 3 {
		o := &natsserver.Options{
			ServerName: fmt.Sprintf("ext%d", i+1),
			Host:       "127.0.0.1",
			Port:       freePort(t),
			JetStream:  true,
			StoreDir:   filepath.Join(dir, fmt.Sprintf("ext%d", i+1)),
			SyncAlways: true,
			NoSigs:     true,
			NoLog:      true,
			Users:      []*natsserver.User{{Username: natsUser, Password: natsPassword, Permissions: perms}},
			Nkeys:      []*natsserver.NkeyUser{{Nkey: pub, Permissions: perms}},
		}
		h, p, _ := net.SplitHostPort(routes[i])
		o.Cluster = natsserver.ClusterOpts{Name: "ops", Host: h}
		o.Cluster.Port, _ = strconv.Atoi(p)
		for j := range 3 {
			if j != i {
				o.Routes = append(o.Routes, &url.URL{Scheme: "nats", Host: routes[j]})
			}
		}
		tr.opts = append(tr.opts, o)
	}
	for i := range 3 {
		tr.start(i)
	}
	t.Cleanup(func() {
		for i := range tr.servers {
			tr.stop(i)
		}
	})
	return tr
}

// freePort is the port of freeAddr.
func freePort(t *testing.T) int {
	_, p, _ := net.SplitHostPort(freeAddr(t))
	n, _ := strconv.Atoi(p)
	return n
}

// start runs server i (again, on its ports and store) and waits until it
// accepts clients.
func (tr *natsTrio) start(i int) {
	tr.t.Helper()
	s, err := natsserver.NewServer(tr.opts[i])
	if err != nil {
		tr.t.Fatalf("nats-server %d: %v", i+1, err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		tr.t.Fatalf("nats-server %d does not accept clients within 10s", i+1)
	}
	tr.servers[i] = s
}

// stop shuts server i down (if running).
func (tr *natsTrio) stop(i int) {
	if s := tr.servers[i]; s != nil {
		s.Shutdown()
		s.WaitForShutdown()
		tr.servers[i] = nil
	}
}

// url is cluster.nats.url: the three client URLs, comma-separated.
func (tr *natsTrio) url() string {
	var us []string
	for _, o := range tr.opts {
		us = append(us, fmt.Sprintf("nats://%s:%d", o.Host, o.Port))
	}
	return strings.Join(us, ",")
}

// passwordEnv is the environment of a Folio node using the trio as
// natsUser with password.
func (tr *natsTrio) passwordEnv(t *testing.T, password string) []string {
	return []string{
		"FOLIO_CLUSTER_NATS_URL=" + tr.url(),
		"FOLIO_CLUSTER_NATS_USER=" + natsUser,
		"FOLIO_CLUSTER_NATS_PASSWORD_FILE=" + secretFile(t, "nats-password", []byte(password+"\n")),
	}
}

// nkeyEnv is the environment of a Folio node using the trio with the nkey.
func (tr *natsTrio) nkeyEnv(t *testing.T) []string {
	return []string{
		"FOLIO_CLUSTER_NATS_URL=" + tr.url(),
		"FOLIO_CLUSTER_NATS_NKEY_SEED_FILE=" + secretFile(t, "folio.nk", tr.seed),
	}
}

// secretFile writes b to a new file readable only by its owner.
func secretFile(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestClusterExternal is TestClusterNodes in external mode: three `folio
// serve` processes embed no NATS server and connect by cluster.nats.url,
// two with a user and password, one with an nkey, to a NATS cluster run
// beside them (three in-process nats-server instances). Writes through every node converge
// to the same articles on every node; kill -9 of a Folio node loses no
// acknowledged write; one nats-server of three stopped, writes go on.
// Wrong credentials stop `folio serve` with an error naming the keys.
func TestClusterExternal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three nodes; skipped with -short")
	}
	bin := buildFolio(t)
	tr := newNATSTrio(t)

	// Wrong credentials: serve stops at once, naming what to check.
	bad := newNodes(t, bin, 1, func(int) []string { return tr.passwordEnv(t, "wrong-password") })
	nd := bad.nodes[0]
	bad.start(nd, false)
	select {
	case err := <-nd.exited:
		nd.cmd = nil
		msg := nd.stderr.String()
		if err == nil || !strings.Contains(strings.ToLower(msg), "authorization violation") || !strings.Contains(msg, "cluster.nats.password_file") {
			t.Fatalf("serve with a wrong NATS password: exit %v, stderr %q; want an error naming the authorization violation and cluster.nats.password_file", err, msg)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve with a wrong NATS password still runs after 30s:\n%s", nd.stderr.String())
	}

	c := newNodes(t, bin, 3, func(i int) []string {
		if i == 2 {
			return tr.nkeyEnv(t)
		}
		return tr.passwordEnv(t, natsPassword)
	})
	c.startAll()
	for _, nd := range c.nodes {
		if _, err := os.Stat(filepath.Join(nd.dir, "folio.bleve", "nats")); !os.IsNotExist(err) {
			t.Fatalf("%s embedded a NATS store in external mode (%v)", nd.name, err)
		}
	}
	client := &http.Client{Timeout: 20 * time.Second}
	l := newLedger()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	cycles := min(*clusterCycles, 3)
	t.Logf("seed %d, %d kill cycles", seed, cycles)

	c.writeEverywhere(client, l)
	c.converge(client, l)
	c.killCycles(client, l, rng, cycles)
	c.converge(client, l)

	// One nats-server of three down: the log keeps its quorum, writes
	// through every node go on (each node's client moves to another
	// server); it rejoins and the nodes converge.
	down := rng.IntN(3)
	tr.stop(down)
	for i, nd := range c.nodes {
		id := fmt.Sprintf("nats-down-%d", i)
		l.try(id)
		var status int
		var seq uint64
		for range 50 { // bounded: the stream may elect a new leader first
			if status, seq = clusterWrite(client, nd, id, "Degraded walrus "+id); status/100 == 2 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if status/100 != 2 {
			t.Fatalf("write through %s with nats-server %d of 3 down: %d\n%s", nd.name, down+1, status, nd.stderr.String())
		}
		l.ack(id, "Degraded walrus "+id, seq)
	}
	c.converge(client, l)
	tr.start(down)
	status, seq := clusterWrite(client, c.nodes[0], "nats-back", "Back walrus")
	if status/100 != 2 {
		t.Fatalf("write after nats-server %d is back: %d", down+1, status)
	}
	l.ack("nats-back", "Back walrus", seq)
	c.converge(client, l)
	t.Logf("external NATS: %d kill -9 cycles, nats-server %d stopped and restarted; %d acknowledged articles on every node, 0 lost", cycles, down+1, len(l.titles))
}
