package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
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

// testPKI is a certificate authority made for one test, and the files of
// the certificates it signed, in a temporary directory.
type testPKI struct {
	t    *testing.T
	dir  string
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	CA   string // the CA certificate file (PEM)
}

// newTestPKI makes a CA named name whose certificate is in dir/name-ca.pem.
func newTestPKI(t *testing.T, dir, name string) *testPKI {
	t.Helper()
	p := &testPKI{t: t, dir: dir}
	p.cert, p.key = p.sign(&x509.Certificate{
		Subject:               pkix.Name{CommonName: name + " test CA"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	})
	p.CA, _ = p.write(name+"-ca", p.cert, nil)
	return p
}

// sign makes a key and a certificate from tmpl, signed by p's CA (self-signed while p has none).
func (p *testPKI) sign(tmpl *x509.Certificate) (*x509.Certificate, *ecdsa.PrivateKey) {
	p.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	parent, signer := tmpl, key
	if p.cert != nil {
		parent, signer = p.cert, p.key
	}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		p.t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		p.t.Fatal(err)
	}
	return cert, key
}

// write stores cert (and key, when not nil) as name.pem (and name-key.pem) and returns the paths.
func (p *testPKI) write(name string, cert *x509.Certificate, key *ecdsa.PrivateKey) (certFile, keyFile string) {
	p.t.Helper()
	certFile = filepath.Join(p.dir, name+".pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		p.t.Fatal(err)
	}
	if key == nil {
		return certFile, ""
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		p.t.Fatal(err)
	}
	keyFile = filepath.Join(p.dir, name+"-key.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		p.t.Fatal(err)
	}
	return certFile, keyFile
}

// issue signs a certificate for a loopback server (usage server) or a
// client named name, and returns its files.
func (p *testPKI) issue(name string, usage x509.ExtKeyUsage) (certFile, keyFile string) {
	p.t.Helper()
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: name},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	if usage == x509.ExtKeyUsageServerAuth {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		tmpl.DNSNames = []string{"localhost"}
	}
	cert, key := p.sign(tmpl)
	return p.write(name, cert, key)
}

// TestClusterExternalTLS: a Folio node reaches an external nats-server
// that requires TLS and verifies client certificates (mutual TLS) with
// cluster.nats.tls_ca, tls_cert and tls_key, writes through it and reads
// its writes back. A CA that did not sign the server's certificate, or a
// missing client certificate, stops `folio serve` with an error naming
// the keys to check; an unreadable CA file names cluster.nats.tls_ca.
func TestClusterExternalTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs nodes; skipped with -short")
	}
	bin := buildFolio(t)
	dir := t.TempDir()
	pki := newTestPKI(t, dir, "ops")
	srvCert, srvKey := pki.issue("nats-server", x509.ExtKeyUsageServerAuth)
	cliCert, cliKey := pki.issue("folio", x509.ExtKeyUsageClientAuth)
	other := newTestPKI(t, dir, "other")

	tc, err := natsserver.GenTLSConfig(&natsserver.TLSConfigOpts{CertFile: srvCert, KeyFile: srvKey, CaFile: pki.CA, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	o := &natsserver.Options{
		ServerName: "tls1", Host: "127.0.0.1", Port: freePort(t),
		JetStream: true, StoreDir: filepath.Join(dir, "js"), SyncAlways: true,
		NoSigs: true, NoLog: true,
		TLS: true, TLSVerify: true, TLSConfig: tc, TLSTimeout: 5,
	}
	s, err := natsserver.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server with TLS does not accept clients within 10s")
	}
	natsURL := fmt.Sprintf("tls://127.0.0.1:%d", o.Port)
	env := func(ca, cert, key string) []string {
		return []string{"FOLIO_CLUSTER_NATS_URL=" + natsURL, "FOLIO_CLUSTER_REPLICAS=1",
			"FOLIO_CLUSTER_NATS_TLS_CA=" + ca, "FOLIO_CLUSTER_NATS_TLS_CERT=" + cert, "FOLIO_CLUSTER_NATS_TLS_KEY=" + key}
	}

	refused := []struct {
		name, ca, cert, key string
		want                []string // in serve's error
	}{
		{"CA that did not sign the server's certificate", other.CA, cliCert, cliKey, []string{"TLS with NATS", "cluster.nats.tls_ca"}},
		{"no client certificate", pki.CA, "", "", []string{"TLS with NATS", "tls_cert"}},
		{"CA file missing", filepath.Join(dir, "absent.pem"), cliCert, cliKey, []string{"cluster.nats.tls_ca", "absent.pem"}},
		{"key file missing", pki.CA, cliCert, filepath.Join(dir, "absent-key.pem"), []string{"cluster.nats.tls_cert", "cluster.nats.tls_key"}},
	}
	for _, r := range refused {
		c := newNodes(t, bin, 1, func(int) []string { return env(r.ca, r.cert, r.key) })
		nd := c.nodes[0]
		c.start(nd, false)
		select {
		case err := <-nd.exited:
			nd.cmd = nil
			msg := nd.stderr.String()
			for _, w := range r.want {
				if err == nil || !strings.Contains(msg, w) {
					t.Fatalf("serve with %s: exit %v, stderr %q; want an error containing %q", r.name, err, msg, w)
				}
			}
			t.Logf("%s: %s", r.name, strings.TrimSpace(msg))
		case <-time.After(30 * time.Second):
			t.Fatalf("serve with %s still runs after 30s:\n%s", r.name, nd.stderr.String())
		}
	}

	c := newNodes(t, bin, 1, func(int) []string { return env(pki.CA, cliCert, cliKey) })
	nd := c.nodes[0]
	c.start(nd, true)
	client := &http.Client{Timeout: 20 * time.Second}
	status, seq := clusterWrite(client, nd, "tls-walrus", "Walrus over TLS")
	if status/100 != 2 || seq == 0 {
		t.Fatalf("write through a node on mutual TLS: %d, seq %d\n%s", status, seq, nd.stderr.String())
	}
	if got := articleTitle(t, client, nd, "tls-walrus", seq); got != "Walrus over TLS" {
		t.Fatalf("read back after the write at seq %d: title %q", seq, got)
	}
	if n := s.NumClients(); n < 1 {
		t.Fatalf("nats-server has %d clients; the node should be one", n)
	}
	c.kill(nd)
	c.start(nd, true) // restarts resume from the stored seq over TLS again
	if st, code := readyOf(client, nd); code != http.StatusOK || st.AppliedSeq < seq {
		t.Fatalf("after a restart on TLS: /readyz %d %+v, want ready with applied_seq >= %d", code, st, seq)
	}
}
