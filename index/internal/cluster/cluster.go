// Package cluster owns Folio's replicated write log: a NATS JetStream
// stream (file storage, fsync on every write, replicated on a quorum of
// nodes) holding one subject per article with only its latest message, so
// the stream is a compacted log of every article's last put or delete.
// It runs a JetStream node in-process (Embedded) or connects to an
// external NATS cluster (URLs), publishes writes (Publish and PublishAll,
// asynchronously, wait for the quorum acknowledgement of every message)
// and reads them back in stream order (Read, Follow). It
// knows nothing of bleve or articles: an entry is an id, a kind and opaque
// bytes.
package cluster

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrNoQuorum means the log could not acknowledge a write in time: too few
// of its nodes are reachable (or the stream does not exist yet). Nothing
// was acknowledged; the write may still appear later (published once, by
// its message id).
var ErrNoQuorum = errors.New("the replicated write log has no quorum")

// ErrConfig means the cluster configuration is unusable.
var ErrConfig = errors.New("bad cluster configuration")

// Limits of an entry.
const (
	// MaxIDBytes is the longest article id a subject is made from.
	MaxIDBytes = 4096
	// SubjectPrefix starts every article's subject; the token after it is
	// the id in unpadded base64url (no dots, no wildcards, no spaces).
	SubjectPrefix = "folio.articles."
	// DuplicateWindow is how long the stream remembers message ids: longer
	// than any retry of a write (server.write_timeout and client retries).
	DuplicateWindow = 10 * time.Minute
)

// Headers of an entry.
const (
	headerKind = "Folio-Op" // "put" or "del"
	headerID   = "Folio-Id"
)

// Kind is what an entry does to its article.
type Kind string

// Entry kinds.
const (
	Put    Kind = "put" // the entry's data is the article
	Delete Kind = "del" // a tombstone: the article is gone
)

// Config says how to reach (or run) the log.
type Config struct {
	// Node names this node (NATS server name, unique in the cluster).
	Node string
	// Stream is the JetStream stream name; Replicas its replication factor.
	Stream   string
	Replicas int

	// URLs, when set, are the client URLs of an external NATS cluster;
	// then nothing is embedded. User/Password, NKeySeedFile (a file
	// holding an nkey seed), and the TLS files (CA, client certificate and
	// key) authenticate the connection.
	URLs                         []string
	User, Password, NKeySeedFile string
	TLSCA, TLSCert, TLSKey       string

	// Embedded node: Listen is the client address (host:port, loopback by
	// default), ClusterListen the route address (empty: a single node),
	// Routes the route addresses (host:port) of the other nodes, StoreDir
	// the JetStream storage directory.
	Listen, ClusterListen string
	Routes                []string
	StoreDir              string

	// ConsumerInactive is how long the log keeps this node's durable
	// consumer while nobody pulls from it (0: the ConsumerInactive default).
	ConsumerInactive time.Duration

	// Logf, when set, receives the embedded server's notices and errors
	// (prefixed "nats: "), and where the node's consumer is moved or
	// recreated ("cluster: ", or "cluster: info: " for the routine ones).
	Logf func(format string, args ...any)
}

// Log is an open connection to the replicated log (and the embedded
// JetStream node, if any). It is safe for concurrent use.
type Log struct {
	cfg Config
	srv *server.Server
	nc  *nats.Conn
	js  jetstream.JetStream

	answered answeredNodes // ask.go
}

// Open starts the embedded node (when cfg.URLs is empty) and connects to
// the log. It does not wait for the stream or a quorum: the other nodes
// may start later; Publish and Read create the stream when they can.
func Open(cfg Config) (*Log, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	l := &Log{cfg: cfg}
	urls := cfg.URLs
	if len(urls) == 0 {
		srv, err := startEmbedded(cfg)
		if err != nil {
			return nil, err
		}
		l.srv = srv
		urls = []string{srv.ClientURL()}
	}
	opts, err := cfg.connectOptions()
	if err != nil {
		l.Close()
		return nil, err
	}
	nc, err := connect(strings.Join(urls, ","), opts)
	if err != nil {
		l.Close()
		return nil, err
	}
	l.nc = nc
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(attemptTimeout), jetstream.WithPublishAsyncMaxPending(4*MaxInFlight))
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("cluster: JetStream: %w", err)
	}
	l.js = js
	return l, nil
}

func (c Config) check() error {
	switch {
	case c.Stream == "" || strings.ContainsAny(c.Stream, ".*> \t"):
		return fmt.Errorf("%w: cluster.stream %q: want a name without dots, spaces or wildcards", ErrConfig, c.Stream)
	case c.Replicas < 1 || c.Replicas > 5:
		return fmt.Errorf("%w: cluster.replicas %d: want 1 to 5", ErrConfig, c.Replicas)
	case c.Node == "" || strings.ContainsAny(c.Node, " \t\n"):
		return fmt.Errorf("%w: cluster.node %q: want a name without spaces", ErrConfig, c.Node)
	case len(c.URLs) == 0 && c.StoreDir == "":
		return fmt.Errorf("%w: cluster.nats.store_dir is empty", ErrConfig)
	case len(c.URLs) == 0 && c.ClusterListen == "" && len(c.Routes) > 0:
		return fmt.Errorf("%w: cluster.nats.routes needs cluster.nats.cluster_listen", ErrConfig)
	}
	return nil
}

// hostPort splits a host:port address of key; an empty host is loopback.
func hostPort(key, addr string) (string, int, error) {
	h, p, err := net.SplitHostPort(addr)
	if err == nil {
		var n int
		n, err = strconv.Atoi(p)
		if err == nil && (n < 0 || n > 65535) {
			err = errors.New("port out of range")
		}
		if err == nil {
			if h == "" {
				h = "127.0.0.1"
			}
			return h, n, nil
		}
	}
	return "", 0, fmt.Errorf("%w: %s %q: want host:port (e.g. 127.0.0.1:4222): %v", ErrConfig, key, addr, err)
}

// startEmbedded runs the in-process JetStream node of cfg: file storage
// under StoreDir, fsync on every write (sync_interval: always), routes only
// to the configured addresses.
func startEmbedded(cfg Config) (*server.Server, error) {
	listen := cfg.Listen
	if listen == "" {
		listen = "127.0.0.1:4222"
	}
	host, port, err := hostPort("cluster.nats.listen", listen)
	if err != nil {
		return nil, err
	}
	o := &server.Options{
		ServerName: cfg.Node,
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		SyncAlways: true,
		NoSigs:     true,
		NoLog:      cfg.Logf == nil,
	}
	if cfg.ClusterListen != "" {
		ch, cp, err := hostPort("cluster.nats.cluster_listen", cfg.ClusterListen)
		if err != nil {
			return nil, err
		}
		o.Cluster = server.ClusterOpts{Name: "folio", Host: ch, Port: cp}
		for _, r := range cfg.Routes {
			if _, _, err := hostPort("cluster.nats.routes", r); err != nil {
				return nil, err
			}
			o.Routes = append(o.Routes, &url.URL{Scheme: "nats", Host: r})
		}
	}
	// The embedded server, when it cannot listen, only logs it and never
	// becomes ready: try the addresses first, to say what is wrong.
	for _, a := range []struct{ key, addr string }{{"cluster.nats.listen", net.JoinHostPort(host, strconv.Itoa(port))}, {"cluster.nats.cluster_listen", cfg.ClusterListen}} {
		if a.addr == "" {
			continue
		}
		l, err := net.Listen("tcp", a.addr)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %s: %v", ErrConfig, a.key, a.addr, err)
		}
		l.Close()
	}
	srv, err := server.NewServer(o)
	if err != nil {
		return nil, fmt.Errorf("cluster: embedded NATS server: %w", err)
	}
	if cfg.Logf != nil {
		srv.SetLoggerV2(logger{cfg.Logf}, false, false, false)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("cluster: embedded NATS server did not start listening on %s within 10s", listen)
	}
	return srv, nil
}

// logger passes the embedded server's notices, warnings and errors to Logf.
type logger struct{ f func(string, ...any) }

func (l logger) Noticef(format string, v ...any) { l.f("nats: "+format, v...) }
func (l logger) Warnf(format string, v ...any)   { l.f("nats: warning: "+format, v...) }
func (l logger) Fatalf(format string, v ...any)  { l.f("nats: fatal: "+format, v...) }
func (l logger) Errorf(format string, v ...any)  { l.f("nats: error: "+format, v...) }
func (l logger) Debugf(string, ...any)           {}
func (l logger) Tracef(string, ...any)           {}

// connectOptions are the client options of cfg: reconnect forever,
// credentials and TLS (connect adds whether the first connection is retried).
func (c Config) connectOptions() ([]nats.Option, error) {
	opts := []nats.Option{nats.Name("folio " + c.Node), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond)}
	if c.User != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.NKeySeedFile != "" {
		o, err := nats.NkeyOptionFromSeed(c.NKeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("%w: cluster.nats.nkey_seed_file %s: %v", ErrConfig, c.NKeySeedFile, err)
		}
		opts = append(opts, o)
	}
	if c.TLSCA != "" {
		o := nats.RootCAs(c.TLSCA)
		if err := o(&nats.Options{}); err != nil { // the files are read now, so a bad one is named before any connection
			return nil, fmt.Errorf("%w: cluster.nats.tls_ca %s: %v", ErrConfig, c.TLSCA, err)
		}
		opts = append(opts, o)
	}
	if c.TLSCert != "" || c.TLSKey != "" {
		if c.TLSCert == "" || c.TLSKey == "" {
			return nil, fmt.Errorf("%w: cluster.nats.tls_cert and cluster.nats.tls_key go together", ErrConfig)
		}
		o := nats.ClientCert(c.TLSCert, c.TLSKey)
		if err := o(&nats.Options{}); err != nil {
			return nil, fmt.Errorf("%w: cluster.nats.tls_cert %s and cluster.nats.tls_key %s: %v", ErrConfig, c.TLSCert, c.TLSKey, err)
		}
		opts = append(opts, o)
	}
	return opts, nil
}

// connect connects to the NATS servers at urls. A server that answers
// but refuses this node (credentials, TLS) is an error naming the keys to
// check; any other failure (nobody listens yet, a host unreachable) is
// retried in the background: the log's nodes may start after this one.
func connect(urls string, opts []nats.Option) (*nats.Conn, error) {
	nc, err := nats.Connect(urls, append(opts, nats.RetryOnFailedConnect(false))...)
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var opErr *net.OpError // "remote error": the server sent a TLS alert (e.g. certificate required)
	switch {
	case err == nil:
		return nc, nil
	case errors.Is(err, nats.ErrAuthorization), errors.Is(err, nats.ErrAuthExpired), errors.Is(err, nats.ErrAuthRevoked), errors.Is(err, nats.ErrAccountAuthExpired):
		return nil, fmt.Errorf("%w: NATS at %s refused this node's credentials (%v): check cluster.nats.user and cluster.nats.password_file, or cluster.nats.nkey_seed_file", ErrConfig, urls, err)
	case errors.Is(err, nats.ErrSecureConnRequired), errors.Is(err, nats.ErrSecureConnWanted), errors.Is(err, nats.ErrTLS), errors.As(err, &certErr), errors.As(err, &unknownCA),
		errors.As(err, &opErr) && opErr.Op == "remote error":
		return nil, fmt.Errorf("%w: TLS with NATS at %s failed (%v): check the nats URLs' scheme (tls://) and cluster.nats.tls_ca, tls_cert and tls_key", ErrConfig, urls, err)
	}
	nc, err = nats.Connect(urls, append(opts, nats.RetryOnFailedConnect(true))...)
	if err != nil {
		return nil, fmt.Errorf("cluster: connect to NATS at %s: %w", urls, err)
	}
	return nc, nil
}

// Close closes the connection and stops the embedded node.
func (l *Log) Close() {
	if l.nc != nil {
		l.nc.Close()
	}
	if l.srv != nil {
		l.srv.Shutdown()
		l.srv.WaitForShutdown()
	}
}

// Subject is the subject of article id: SubjectPrefix and the id in
// unpadded base64url.
func Subject(id string) string {
	return SubjectPrefix + base64.RawURLEncoding.EncodeToString([]byte(id))
}

// msgID is the Nats-Msg-Id of an entry: its kind, id and a hash of its
// data, so a retried publish of the same write is deduplicated while a
// put and a delete of one id never collide; after is added when the same
// write must be logged again after another write to the id (see Publish).
func msgID(kind Kind, id string, data []byte, after uint64) string {
	h := sha256.New()
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write(data)
	s := string(kind) + ":" + hex.EncodeToString(h.Sum(nil)[:16])
	if after > 0 {
		s += ":" + strconv.FormatUint(after, 10)
	}
	return s
}

// streamConfig is the log's stream: one subject per article keeping its
// last message, file storage, replicated.
func (l *Log) streamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              l.cfg.Stream,
		Description:       "Folio write log: the latest put or delete of every article",
		Subjects:          []string{SubjectPrefix + ">"},
		Storage:           jetstream.FileStorage,
		Replicas:          l.cfg.Replicas,
		MaxMsgsPerSubject: 1,
		Duplicates:        DuplicateWindow,
		Discard:           jetstream.DiscardOld,
	}
}

// stream returns the log's stream, creating it if needed.
// Each call is bounded by attemptTimeout (a JetStream API request
// without an answer waits for its whole context).
func (l *Log) stream(ctx context.Context) (jetstream.Stream, error) {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	s, err := l.js.Stream(ctx, l.cfg.Stream)
	if err == nil {
		return s, nil
	}
	return l.js.CreateOrUpdateStream(ctx, l.streamConfig())
}

// Msg is one entry to append: what it does to which article, and its data.
type Msg struct {
	Kind Kind
	ID   string
	Data []byte
}

// MaxInFlight is the most messages one PublishAll keeps published and not
// yet acknowledged at once (a whole write batch of the API, 1000 lines).
const MaxInFlight = 1024

// Publish appends one entry and returns its stream sequence once a quorum
// of the log's nodes has stored it (fsynced): PublishAll of one message.
func (l *Log) Publish(ctx context.Context, kind Kind, id string, data []byte) (uint64, error) {
	seqs, err := l.PublishAll(ctx, []Msg{{Kind: kind, ID: id, Data: data}})
	if err != nil {
		return 0, err
	}
	return seqs[0], nil
}

// PublishAll appends ms and returns their stream sequences once a quorum
// of the log's nodes has stored (fsynced) every one of them. The messages
// are published asynchronously, up to MaxInFlight unacknowledged at once;
// messages on distinct ids may be stored in any order, while the messages
// of one id are stored in the order of ms (a later one is published once
// the earlier is acknowledged). A message not acknowledged is published
// again with the same message id until ctx ends; then PublishAll returns
// an error wrapping ErrNoQuorum (nothing is acknowledged, but some
// messages may be stored, each once). A retried write is deduplicated by
// the stream; a repeat of an earlier write that another write to the same
// id has replaced since is logged again (so put, delete, put of the same
// article ends in a put).
func (l *Log) PublishAll(ctx context.Context, ms []Msg) ([]uint64, error) {
	for _, m := range ms {
		if len(m.ID) == 0 || len(m.ID) > MaxIDBytes {
			return nil, fmt.Errorf("cluster: article id of %d bytes: want 1 to %d", len(m.ID), MaxIDBytes)
		}
	}
	p := &publication{l: l, ms: ms, seqs: make([]uint64, len(ms)), after: make([]uint64, len(ms)), dups: make([]int, len(ms))}
	for _, wave := range waves(ms) {
		if err := p.publish(ctx, wave); err != nil {
			return nil, err
		}
	}
	return p.seqs, nil
}

// waves splits the indexes of ms into waves: the first message of every id,
// then the second, and so on (ids within a wave are distinct).
func waves(ms []Msg) [][]int {
	n := map[string]int{}
	var out [][]int
	for i, m := range ms {
		k := n[m.ID]
		n[m.ID] = k + 1
		if k == len(out) {
			out = append(out, nil)
		}
		out[k] = append(out[k], i)
	}
	return out
}

// publication is the state of one PublishAll: per message its sequence
// once acknowledged, the sequence its message id is made after (see
// msgID), and how many times it was found a duplicate of a replaced write.
type publication struct {
	l     *Log
	ms    []Msg
	seqs  []uint64
	after []uint64
	dups  []int
}

// publish publishes the messages of wave until each is acknowledged or ctx ends.
func (p *publication) publish(ctx context.Context, wave []int) error {
	todo := wave
	for attempt := 0; ; attempt++ {
		var last error
		todo, last = p.send(ctx, todo)
		if len(todo) == 0 {
			return nil
		}
		if errors.Is(last, jetstream.ErrNoStreamResponse) || errors.Is(last, nats.ErrNoResponders) || errors.Is(last, jetstream.ErrStreamNotFound) {
			if _, serr := p.l.stream(ctx); serr != nil && ctx.Err() == nil {
				last = serr
			}
		}
		for _, i := range todo {
			if p.dups[i] > 2 {
				return fmt.Errorf("%w: article %q is being written concurrently", ErrNoQuorum, p.ms[i].ID)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: article %q and %d more not acknowledged (%v)", ErrNoQuorum, p.ms[todo[0]].ID, len(todo)-1, last)
		case <-time.After(backoff(attempt)):
		}
	}
}

// flight is a published message waiting for its acknowledgement.
type flight struct {
	i   int
	ack jetstream.PubAckFuture
}

// send publishes the messages todo asynchronously, at most MaxInFlight
// unacknowledged at once, and waits for their acknowledgements (each
// bounded by attemptTimeout, see Open); it returns those to publish again
// and the last error seen.
func (p *publication) send(ctx context.Context, todo []int) ([]int, error) {
	var again []int
	var last error
	settle := func(f flight) {
		var err error
		select {
		case ack := <-f.ack.Ok():
			err = p.acknowledged(ctx, f.i, ack)
		case err = <-f.ack.Err():
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			again, last = append(again, f.i), err
		}
	}
	window := make([]flight, 0, min(len(todo), MaxInFlight))
	for _, i := range todo {
		if ctx.Err() != nil {
			again, last = append(again, i), ctx.Err()
			continue
		}
		if len(window) == MaxInFlight {
			settle(window[0])
			window = window[1:]
		}
		m := p.ms[i]
		msg := &nats.Msg{Subject: Subject(m.ID), Data: m.Data, Header: nats.Header{}}
		msg.Header.Set(headerKind, string(m.Kind))
		msg.Header.Set(headerID, m.ID)
		f, err := p.l.js.PublishMsgAsync(msg, jetstream.WithMsgID(msgID(m.Kind, m.ID, m.Data, p.after[i])))
		if err != nil {
			again, last = append(again, i), err
			continue
		}
		window = append(window, flight{i, f})
	}
	for _, f := range window {
		settle(f)
	}
	return again, last
}

// acknowledged records the acknowledgement of message i. A duplicate of a
// write that a later write to the id has replaced is an error: it is
// published again, its message id made after the later write.
func (p *publication) acknowledged(ctx context.Context, i int, ack *jetstream.PubAck) error {
	if !ack.Duplicate {
		p.seqs[i] = ack.Sequence
		return nil
	}
	last, err := p.l.lastSeq(ctx, Subject(p.ms[i].ID))
	if err != nil {
		return err
	}
	if last == ack.Sequence {
		p.seqs[i] = ack.Sequence
		return nil
	}
	p.dups[i]++
	p.after[i] = last
	return fmt.Errorf("cluster: article %q: a duplicate of a replaced write, logged again", p.ms[i].ID)
}

// attemptTimeout bounds one attempt to publish (the wait for its
// acknowledgement) and each JetStream API request: a message lost with a
// node is sent again (same message id) to the nodes still up.
const attemptTimeout = 2 * time.Second

func backoff(attempt int) time.Duration {
	return min(time.Duration(attempt+1)*50*time.Millisecond, 500*time.Millisecond)
}

// lastSeq is the sequence of subj's message in the stream (0: none).
func (l *Log) lastSeq(ctx context.Context, subj string) (uint64, error) {
	s, err := l.stream(ctx)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoQuorum, err)
	}
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	m, err := s.GetLastMsgForSubject(ctx, subj)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoQuorum, err)
	}
	return m.Sequence, nil
}

// State is what the stream holds.
type State struct {
	FirstSeq, LastSeq uint64
	Msgs              uint64
}

// State returns the stream's first and last sequence and message count,
// as its leader answers them now (one stream info request; the last
// sequence is at least that of every acknowledged write).
func (l *Log) State(ctx context.Context) (State, error) {
	s, err := l.stream(ctx)
	if err != nil {
		return State{}, fmt.Errorf("%w: %v", ErrNoQuorum, err)
	}
	info := s.CachedInfo() // fetched (or created) by stream just now
	return State{FirstSeq: info.State.FirstSeq, LastSeq: info.State.LastSeq, Msgs: info.State.Msgs}, nil
}

// Entry is one message of the log.
type Entry struct {
	Seq  uint64
	Kind Kind
	ID   string
	Data []byte
	// Pending is how many messages of the log after this one the reader
	// had not been delivered yet when this one was (0: it was current).
	Pending uint64
}

// MaxReadBatch is the most entries Read hands over at once.
const MaxReadBatch = 1000

// ConsumerInactive is how long the log keeps a node's durable consumer
// (see Follow) without the node pulling from it: a node that left the
// cluster leaves no consumer behind for longer than this.
const ConsumerInactive = time.Hour

// Read delivers the log's entries from sequence from on, in order, to
// apply, in batches of up to n entries (everything available, without
// waiting for more), until ctx ends or apply fails (its error is
// returned). It follows the stream as it grows and reconnects after a loss
// of the log. A read that cannot start yet (no quorum) is retried. Each
// read has its own ephemeral consumer: Read is for one-off reads (such as
// a replay into a new generation) beside the node's applier (Follow).
func (l *Log) Read(ctx context.Context, from uint64, n int, apply func([]Entry) error) error {
	return l.read(ctx, from, n, l.ephemeral, false, apply)
}

// errCaughtUp ends a Replay: it has delivered what it was asked for.
var errCaughtUp = errors.New("cluster: replay caught up")

// Replay is a Read from sequence from that returns once it has delivered
// the entry at sequence to (or a later one), or everything the stream
// holds (the entry at to may have been replaced by a later one since):
// it returns the sequence of the last entry delivered (from-1, or 0,
// when none was). The stream is compacted, so a replay from 1 delivers
// the latest entry of every article. Like Read, it reads through its own
// ephemeral consumer and retries a read that cannot start until ctx ends.
func (l *Log) Replay(ctx context.Context, from, to uint64, n int, apply func([]Entry) error) (uint64, error) {
	from = max64(from, 1)
	last := from - 1
	if to < from {
		return last, nil
	}
	err := l.read(ctx, from, n, l.ephemeral, true, func(b []Entry) error {
		if err := apply(b); err != nil {
			return err
		}
		if last = b[len(b)-1].Seq; last >= to {
			return errCaughtUp
		}
		return nil
	})
	if errors.Is(err, errCaughtUp) {
		return last, nil
	}
	return last, err
}

// ErrAhead means a node's applied sequence is beyond the stream's last
// one: the stream was deleted (or purged) and created again, and the
// node's sequences name messages of the old stream.
var ErrAhead = errors.New("the node has applied more of the log than the stream holds")

// Follow is Read through this node's durable pull consumer (named after
// Config.Node, see ConsumerName): the node's applier. The consumer is
// positioned at from (the sequence after the one the node has applied and
// stored): when its own position disagrees (the node crashed after a
// delivery, restored a backup, or was wiped) it is moved there, or
// recreated. The consumer lives on one node of the stream (R1, file
// storage); when that node is down it is recreated on a live one. Only
// one Follow per Log may run at a time.
func (l *Log) Follow(ctx context.Context, from uint64, n int, apply func([]Entry) error) error {
	return l.read(ctx, from, n, l.durable, false, apply)
}

// consumerFunc returns a pull consumer of s positioned at seq, the
// consumer sequence of the last message it delivered, and a func that
// releases it.
type consumerFunc func(ctx context.Context, s jetstream.Stream, seq uint64) (jetstream.Consumer, uint64, func(), error)

// read reads from from through the consumers open makes (again after
// each failure) until ctx ends or apply fails; untilIdle: also once
// nothing more is pending (the error errCaughtUp).
func (l *Log) read(ctx context.Context, from uint64, n int, open consumerFunc, untilIdle bool, apply func([]Entry) error) error {
	n = min(max(n, 1), MaxReadBatch)
	next := max64(from, 1)
	for ctx.Err() == nil {
		err := l.readFrom(ctx, next, n, open, untilIdle, func(b []Entry) error {
			if err := apply(b); err != nil {
				return &applyError{err}
			}
			next = b[len(b)-1].Seq + 1
			return nil
		})
		var ae *applyError
		if errors.As(err, &ae) {
			return ae.err
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	return ctx.Err()
}

type applyError struct{ err error }

func (e *applyError) Error() string { return e.err.Error() }

func max64(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// consumerConfig is the config of a consumer of the whole log from seq on:
// no acknowledgements (where a node is in the log is kept by the node,
// with its index), on one node of the stream.
func consumerConfig(seq uint64) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		FilterSubject:     SubjectPrefix + ">",
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       seq,
		AckPolicy:         jetstream.AckNonePolicy,
		InactiveThreshold: time.Minute,
		Replicas:          1,
	}
}

// ephemeral is a consumerFunc: a new in-memory consumer, deleted on release.
func (l *Log) ephemeral(ctx context.Context, s jetstream.Stream, seq uint64) (jetstream.Consumer, uint64, func(), error) {
	cfg := consumerConfig(seq)
	cfg.MemoryStorage = true
	cctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	c, err := s.CreateConsumer(cctx, cfg)
	cancel()
	if err != nil {
		return nil, 0, nil, err
	}
	return c, 0, func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), attemptTimeout)
		s.DeleteConsumer(dctx, c.CachedInfo().Name)
		cancel()
	}, nil
}

// ConsumerName is the durable consumer of node: "folio_" and the node
// name, its characters outside [A-Za-z0-9_-] replaced by "_" and then a
// hash of the name added so that two names stay two consumers.
func ConsumerName(node string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, node)
	if clean == node && len(node) <= 64 {
		return "folio_" + node
	}
	sum := sha256.Sum256([]byte(node))
	return "folio_" + clean[:min(len(clean), 64)] + "_" + hex.EncodeToString(sum[:4])
}

// durable is a consumerFunc: this node's durable consumer, positioned at
// seq (see Follow). It is kept on release.
func (l *Log) durable(ctx context.Context, s jetstream.Stream, seq uint64) (jetstream.Consumer, uint64, func(), error) {
	name := ConsumerName(l.cfg.Node)
	keep := func() {}
	// Each API request is bounded on its own: one that timed out (the
	// consumer's node is down) leaves the others their time.
	var cancels []context.CancelFunc
	defer func() {
		for _, cancel := range cancels {
			cancel()
		}
	}()
	attempt := func() context.Context {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		cancels = append(cancels, cancel)
		return actx
	}
	if last := s.CachedInfo().State.LastSeq; seq > last+1 {
		return nil, 0, nil, &applyError{fmt.Errorf("%w: it has applied seq %d, the stream %s ends at seq %d", ErrAhead, seq-1, l.cfg.Stream, last)}
	}
	c, err := s.Consumer(attempt(), name)
	exists := true // a consumer of that name may exist: delete it before creating ours
	switch {
	case err == nil:
		info := c.CachedInfo()
		if info.Config.AckPolicy == jetstream.AckNonePolicy && info.Delivered.Stream+1 == seq {
			return c, info.Delivered.Consumer, keep, nil
		}
		r, rerr := s.ResetConsumerToSequence(attempt(), name, seq)
		if rerr == nil && r.ResetSeq == seq && info.Config.AckPolicy == jetstream.AckNonePolicy {
			l.logf("cluster: info: consumer %s was at seq %d, moved to %d (after the applied seq)", name, info.Delivered.Stream+1, seq)
			return c, r.Delivered.Consumer, keep, nil
		}
		l.logf("cluster: consumer %s is at seq %d, cannot be moved to %d (%v): recreating it", name, info.Delivered.Stream+1, seq, rerr)
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		exists = false
	case ctx.Err() != nil:
		return nil, 0, nil, err
	default: // its node is down or unreachable: recreate it on a live one
		l.logf("cluster: consumer %s does not answer (%v): recreating it", name, err)
	}
	if exists {
		if err := s.DeleteConsumer(attempt(), name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, 0, nil, fmt.Errorf("cluster: delete consumer %s to recreate it: %w", name, err)
		}
	}
	cfg := consumerConfig(seq)
	cfg.Durable, cfg.InactiveThreshold = name, l.consumerInactive()
	cfg.Description = "Folio node " + l.cfg.Node + " applies the log"
	if c, err = s.CreateConsumer(attempt(), cfg); err != nil {
		return nil, 0, nil, fmt.Errorf("cluster: create consumer %s at seq %d: %w", name, seq, err)
	}
	l.logf("cluster: info: consumer %s created at seq %d", name, seq)
	return c, c.CachedInfo().Delivered.Consumer, keep, nil
}

func (l *Log) consumerInactive() time.Duration {
	if l.cfg.ConsumerInactive > 0 {
		return l.cfg.ConsumerInactive
	}
	return ConsumerInactive
}

func (l *Log) logf(format string, args ...any) {
	if l.cfg.Logf != nil {
		l.cfg.Logf(format, args...)
	}
}

// readFrom consumes from seq with the consumer open returns. A gap in the
// consumer's own sequence (a message lost on the way) ends the read, and
// the caller starts again after the last entry it applied. With
// untilIdle, it ends (errCaughtUp, as an apply error) once the consumer
// has nothing pending.
func (l *Log) readFrom(ctx context.Context, seq uint64, max int, open consumerFunc, untilIdle bool, apply func([]Entry) error) error {
	s, err := l.stream(ctx)
	if err != nil {
		return err
	}
	c, delivered, release, err := open(ctx, s, seq)
	if err != nil {
		return err
	}
	defer release()
	take := func(b jetstream.MessageBatch, entries []Entry) ([]Entry, error) {
		for m := range b.Messages() {
			md, err := m.Metadata()
			if err != nil {
				return nil, fmt.Errorf("cluster: log message without metadata: %w", err)
			}
			if md.Sequence.Consumer != delivered+1 {
				return nil, fmt.Errorf("cluster: log read lost messages (consumer seq %d after %d); reading again", md.Sequence.Consumer, delivered)
			}
			delivered = md.Sequence.Consumer
			e, err := entryOf(m, md)
			if err != nil {
				return nil, &applyError{err}
			}
			entries = append(entries, e)
		}
		if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return nil, err
		}
		return entries, nil
	}
	for ctx.Err() == nil {
		batch, err := c.FetchNoWait(max)
		if err != nil {
			return err
		}
		entries, err := take(batch, nil)
		if err != nil {
			return err
		}
		if len(entries) == 0 && untilIdle {
			ictx, cancel := context.WithTimeout(ctx, attemptTimeout)
			info, err := c.Info(ictx)
			cancel()
			if err != nil {
				return err
			}
			if info.NumPending == 0 {
				return &applyError{errCaughtUp}
			}
		}
		if len(entries) == 0 {
			// Nothing ready: wait for the next message (or a little).
			b, err := c.Fetch(1, jetstream.FetchMaxWait(time.Second))
			if err != nil {
				return err
			}
			if entries, err = take(b, entries); err != nil {
				return err
			}
		}
		if len(entries) > 0 {
			if err := apply(entries); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// entryOf decodes a log message.
func entryOf(m jetstream.Msg, md *jetstream.MsgMetadata) (Entry, error) {
	e := Entry{Seq: md.Sequence.Stream, Kind: Kind(m.Headers().Get(headerKind)), ID: m.Headers().Get(headerID), Data: m.Data(), Pending: md.NumPending}
	if (e.Kind != Put && e.Kind != Delete) || e.ID == "" || Subject(e.ID) != m.Subject() {
		return Entry{}, fmt.Errorf("cluster: log message %d on %s is not a Folio entry (%s %q)", e.Seq, m.Subject(), e.Kind, e.ID)
	}
	return e, nil
}
