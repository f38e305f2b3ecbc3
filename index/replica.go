package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/analysis"
	"github.com/folio-search/folio/index/internal/cluster"
)

// Cluster mode: the log stage of the write path is a NATS JetStream stream
// shared by every node (internal/cluster). A write publishes its ops and is
// acknowledged once a quorum of the log's nodes has stored them; every
// node (this one included) applies the log in order (replica), storing
// the last applied sequence in the same bleve batches (appliedSeqKey).

// ErrNoQuorum means the replicated write log could not acknowledge a write
// in time (too few of its nodes are up): nothing was acknowledged; the
// write may still appear (once) when the log recovers. Searches still work.
var ErrNoQuorum = cluster.ErrNoQuorum

// ErrReplicaBehind means this node has not applied the requested log
// sequence in time (WaitApplied).
var ErrReplicaBehind = errors.New("replica behind")

// ErrClusterConfig means the cluster options are unusable.
var ErrClusterConfig = cluster.ErrConfig

// ClusterOptions say how a node reaches the replicated write log: an
// embedded JetStream node (Listen, ClusterListen, Routes, StoreDir) or an
// external NATS cluster (URLs and its credentials).
type ClusterOptions struct {
	Node     string // this node's name, unique in the cluster
	Stream   string // the JetStream stream (default FOLIO)
	Replicas int    // the stream's replicas (default 3)

	URLs                         []string // external NATS client URLs; empty: embedded
	User, Password, NKeySeedFile string   // external credentials
	TLSCA, TLSCert, TLSKey       string   // external TLS files

	Listen, ClusterListen string   // embedded client and route addresses
	Routes                []string // embedded: the other nodes' route addresses
	StoreDir              string   // embedded JetStream storage directory

	// Logf, when set, receives the replica's and embedded server's notices.
	Logf func(format string, args ...any)

	// Answer, when set, answers the other nodes' AskNodes requests (ask.go).
	Answer func(ctx context.Context, req []byte) ([]byte, error)
}

// errClosed stops the replica of a closed index.
var errClosed = errors.New("index closed")

// appliedSeqKey is the bleve internal key of a shard's last applied log sequence.
var appliedSeqKey = []byte("folio.cluster.applied_seq")

// maxApplyBatch is the most log entries one bleve batch applies.
const maxApplyBatch = 1000

// replica applies the replicated log to the index.
type replica struct {
	log    *cluster.Log
	logf   func(string, ...any)
	ctx    context.Context // ends when the index closes
	cancel context.CancelFunc
	done   chan struct{}

	// hold is held while a batch of entries is applied (tests hold it to
	// keep a replica behind its log).
	hold sync.Mutex

	mu        sync.Mutex
	applied   uint64
	delivered uint64        // the last sequence read from the log (applied, or being applied)
	pending   uint64        // messages of the log after delivered not read yet, when it was read
	changed   chan struct{} // closed (and replaced) when applied advances
	waiting   int           // wait calls not returned yet
	lastErr   error
	replaying bool // replaying the log from scratch (checkLog)

	// watched are the ids of the puts that writers on this node are
	// appending (clusterLog.Append): the applier records the outcome of
	// their entries, and only theirs. skipped counts the log positions the
	// applier has passed without reading them (entries the stream removed
	// first: it keeps only the latest entry of an article).
	watched map[string]*putWatch
	skipped uint64
}

// maxWatchOutcomes is the most outcomes kept per watched id (the latest):
// a writer whose entry is followed by more entries of its id before it
// reads its outcome gets the fallback answer (see clusterLog.Append).
const maxWatchOutcomes = 64

// putWatch is an id that writers on this node are putting: how many
// watch it, and the outcomes of its entries applied meanwhile.
type putWatch struct {
	writers int
	applied []putOutcome
}

// putOutcome is the outcome of a put's log entry, as the applier applied
// it: whether its id existed at that point of the log (in the index, or
// put by an earlier entry of the same batch and not deleted since), and
// how many log positions the applier had skipped by then (replica.skipped).
type putOutcome struct {
	seq     uint64
	existed bool
	skipped uint64
}

// joinCluster, in cluster mode, opens the log and starts applying it from
// the sequence after the stored one; ix is closed on failure.
func (ix *Index) joinCluster() (*Index, error) {
	co := ix.opts.Cluster
	if co == nil {
		return ix, nil
	}
	cfg := cluster.Config{Node: co.Node, Stream: co.Stream, Replicas: co.Replicas, URLs: co.URLs,
		User: co.User, Password: co.Password, NKeySeedFile: co.NKeySeedFile, TLSCA: co.TLSCA, TLSCert: co.TLSCert, TLSKey: co.TLSKey,
		Listen: co.Listen, ClusterListen: co.ClusterListen, Routes: co.Routes, StoreDir: co.StoreDir, Logf: co.Logf}
	if cfg.Stream == "" {
		cfg.Stream = "FOLIO"
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 3
	}
	applied, err := ix.storedSeq()
	if err != nil {
		ix.Close()
		return nil, err
	}
	l, err := cluster.Open(cfg)
	if err != nil {
		ix.Close()
		return nil, err
	}
	if co.Answer != nil {
		if err := l.Answer(co.Answer); err != nil {
			l.Close()
			ix.Close()
			return nil, err
		}
	}
	logf := co.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{log: l, logf: logf, ctx: ctx, cancel: cancel, done: make(chan struct{}), applied: applied, changed: make(chan struct{})}
	ix.replica = r
	go ix.runReplica(ctx)
	return ix, nil
}

// leaveCluster stops applying and closes the log (a no-op when single).
func (ix *Index) leaveCluster() {
	r := ix.replica
	if r == nil {
		return
	}
	r.cancel()
	<-r.done
	r.log.Close()
}

// storedSeq is the last log sequence applied to every shard (the least of
// the shards' stored ones: applying again from there is idempotent).
func (ix *Index) storedSeq() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var least uint64
	for i, sh := range ix.shards {
		b, err := sh.GetInternal(appliedSeqKey)
		if err != nil {
			return 0, fmt.Errorf("read the applied log sequence of shard %d: %w", i, err)
		}
		var n uint64
		if len(b) > 0 {
			if n, err = strconv.ParseUint(string(b), 10, 64); err != nil {
				return 0, fmt.Errorf("shard %d: applied log sequence %q: %w", i, b, err)
			}
		}
		if i == 0 || n < least {
			least = n
		}
	}
	return least, nil
}

// runReplica applies the log until the index closes, starting again from
// the applied sequence after a failure. Each start first checks that the
// stream holds what follows the applied sequence (checkLog).
func (ix *Index) runReplica(ctx context.Context) {
	r := ix.replica
	defer close(r.done)
	for ctx.Err() == nil {
		from := r.appliedSeq() + 1
		err := ix.checkLog(ctx)
		if err == nil {
			from = r.appliedSeq() + 1
			r.logf("cluster: info: applying the log from seq %d (applied and stored: %d)", from, from-1)
			err = r.log.Follow(ctx, from, maxApplyBatch, ix.applyEntries)
		}
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		r.lastErr = err
		r.mu.Unlock()
		if !errors.Is(err, ErrNoQuorum) { // the log not reachable yet: retried quietly
			r.logf("cluster: applying the log from seq %d failed (retrying): %v", from, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// logRecord is the data of a log entry: the article of a put, and whether
// the write came through the API (see writeOp.api).
type logRecord struct {
	Article *article.Article `json:",omitempty"`
	API     bool             `json:",omitempty"`
}

// opsOf decodes log entries into writes (each with its entry's sequence);
// an entry that is not a Folio record is logged and skipped.
func opsOf(es []cluster.Entry, logf func(string, ...any)) []writeOp {
	ops := make([]writeOp, 0, len(es))
	for _, e := range es {
		var rec logRecord
		if err := json.Unmarshal(e.Data, &rec); err != nil {
			logf("cluster: log entry %d (%s %q) is not a Folio record, skipped: %v", e.Seq, e.Kind, e.ID, err)
			continue
		}
		op := writeOp{id: e.ID, api: rec.API, seq: e.Seq}
		if e.Kind == cluster.Put {
			if rec.Article == nil || rec.Article.ID != e.ID {
				logf("cluster: log entry %d puts no article %q, skipped", e.Seq, e.ID)
				continue
			}
			op.article = rec.Article
		}
		ops = append(ops, op)
	}
	return ops
}

// applyEntries applies a batch of log entries in one bleve batch per shard
// recording the last one's sequence.
func (ix *Index) applyEntries(es []cluster.Entry) error {
	r := ix.replica
	r.deliver(es[len(es)-1])
	r.hold.Lock()
	defer r.hold.Unlock()
	ops := opsOf(es, r.logf)
	last := es[len(es)-1].Seq
	ix.noteGroups(ops) // before the first article with groups: see noteGroups
	ix.mu.RLock()
	if ix.shards == nil {
		ix.mu.RUnlock()
		return errClosed
	}
	existed, err := ix.applyAt(ops, nil, last)
	ix.mu.RUnlock()
	ix.afterWrite(err)
	if err != nil {
		return err
	}
	r.advanceOver(es, ops, existed)
	return nil
}

func (r *replica) appliedSeq() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applied
}

// deliver records that the log is read up to e (not yet applied).
func (r *replica) deliver(e cluster.Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delivered, r.pending = max(r.delivered, e.Seq), e.Pending
}

// behind reports whether this node knows of log entries it has not
// applied yet: read and not applied, or not read when it last read one.
// A node that is not behind may still miss writes acknowledged through
// other nodes in the last moments (on their way to it).
func (r *replica) behind() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.delivered > r.applied || r.pending > 0
}

// restart sets the applied sequence to seq, also backwards (the stream
// was created again, or a replay from scratch is in place).
func (r *replica) restart(seq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.applied, r.delivered, r.pending, r.lastErr = seq, seq, 0, nil
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *replica) setReplaying(on bool) {
	r.mu.Lock()
	r.replaying = on
	r.mu.Unlock()
}

func (r *replica) isReplaying() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.replaying
}

// advanceOver records that the batch es (decoded into ops, which existed
// per op before it) is applied: the outcomes of the watched puts among
// them and the positions the batch skipped, then the applied sequence.
func (r *replica) advanceOver(es []cluster.Entry, ops []writeOp, existed []bool) {
	r.mu.Lock()
	next, k := r.applied+1, 0
	for _, e := range es {
		if e.Seq > next {
			r.skipped += e.Seq - next
		}
		next = max(next, e.Seq+1)
		for k < len(ops) && ops[k].seq < e.Seq {
			k++
		}
		if len(r.watched) == 0 || k == len(ops) || ops[k].seq != e.Seq || ops[k].article == nil {
			continue
		}
		if w := r.watched[ops[k].id]; w != nil {
			if len(w.applied) == maxWatchOutcomes {
				w.applied = append(w.applied[:0], w.applied[1:]...)
			}
			w.applied = append(w.applied, putOutcome{seq: e.Seq, existed: existed[k], skipped: r.skipped})
		}
	}
	r.mu.Unlock()
	r.advance(es[len(es)-1].Seq)
}

func (r *replica) advance(seq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq > r.applied {
		r.applied = seq
		r.lastErr = nil
		close(r.changed)
		r.changed = make(chan struct{})
	}
}

// wait returns once seq is applied, or ctx's error.
func (r *replica) wait(ctx context.Context, seq uint64) error {
	r.mu.Lock()
	r.waiting++
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.waiting--
		r.mu.Unlock()
	}()
	for {
		r.mu.Lock()
		applied, changed := r.applied, r.changed
		r.mu.Unlock()
		if applied >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// waiters is how many wait calls have not returned yet.
func (r *replica) waiters() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.waiting
}

// catchUp returns once this node has applied everything the log held when
// asked, waiting at most wait (or until ctx ends): a write whose answer
// depends on what this replica holds (a DELETE's 404) decides only after
// it, as a node behind its log (up to cluster.max_ready_lag messages
// while /readyz is 200) may not have applied a write acknowledged through
// another node yet. Its errors wrap
// ErrNoQuorum (the log cannot tell its last sequence) or ErrReplicaBehind.
func (ix *Index) catchUp(ctx context.Context, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	st, err := ix.replica.log.State(ctx)
	if err != nil {
		return err
	}
	return ix.WaitApplied(ctx, st.LastSeq)
}

// Clustered reports whether the index is a replica of a replicated log.
func (ix *Index) Clustered() bool { return ix.replica != nil }

// WaitApplied returns once this node has applied log sequence seq (at
// once when single or seq is 0), or an error wrapping ErrReplicaBehind
// when ctx ends first.
func (ix *Index) WaitApplied(ctx context.Context, seq uint64) error {
	if ix.replica == nil || seq == 0 {
		return nil
	}
	if err := ix.replica.wait(ctx, seq); err != nil {
		return fmt.Errorf("%w: this node has applied log seq %d, not yet %d", ErrReplicaBehind, ix.replica.appliedSeq(), seq)
	}
	return nil
}

// ReplicaStatus is where a node is in the replicated log.
type ReplicaStatus struct {
	AppliedSeq uint64 // the last sequence applied here
	LogLastSeq uint64 // the log's last sequence (0 when LogErr)
	LogErr     error  // the log could not be asked (no quorum)
	ApplyErr   error  // the last failure to apply, if the replica has not moved since
	// Replaying is set while the node replays the log from scratch into a
	// new generation (the stream no longer holds what follows its applied
	// seq): it serves its old generation meanwhile, and is not ready.
	Replaying bool
}

// Lag is how many sequences the node is behind the log.
func (s ReplicaStatus) Lag() uint64 { return s.LogLastSeq - min(s.LogLastSeq, s.AppliedSeq) }

// ReplicaStatus asks the log for its last sequence (zero value when single).
func (ix *Index) ReplicaStatus(ctx context.Context) ReplicaStatus {
	r := ix.replica
	if r == nil {
		return ReplicaStatus{}
	}
	st, err := r.log.State(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	return ReplicaStatus{AppliedSeq: r.applied, LogLastSeq: st.LastSeq, LogErr: err, ApplyErr: r.lastErr, Replaying: r.replaying}
}

// seqsKey is the context key of a SeqRecorder.
type seqsKey struct{}

// SeqRecorder receives the log sequences of the writes made with its
// context (WithSeqRecorder); safe for concurrent use.
type SeqRecorder struct {
	mu   sync.Mutex
	last uint64
}

// Last is the highest sequence recorded (0: none, or a single node).
func (s *SeqRecorder) Last() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *SeqRecorder) add(seq uint64) {
	s.mu.Lock()
	s.last = max(s.last, seq)
	s.mu.Unlock()
}

// WithSeqRecorder returns a context whose writes record their log sequences in the returned recorder.
func WithSeqRecorder(ctx context.Context) (context.Context, *SeqRecorder) {
	s := &SeqRecorder{}
	return context.WithValue(ctx, seqsKey{}, s), s
}

// writeTimeoutKey is the context key of WithWriteTimeout.
type writeTimeoutKey struct{}

// WithWriteTimeout returns a context each of whose writes to the
// replicated log (a single write, or one batch of a bulk, an array or a
// sync) ends after d at the latest (or with ctx, if sooner): without a
// quorum it fails with an error wrapping ErrNoQuorum within d. A single
// node, whose writes do not wait for other nodes, ignores it.
func WithWriteTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, writeTimeoutKey{}, d)
}

// clusterLog is the replicated log: Append publishes each op in order and
// returns once the log acknowledged all of them on a quorum, then waits
// (briefly) for this node to apply them, so a read on the writing node
// sees its write.
type clusterLog struct{ ix *Index }

// localApplyWait bounds how long an acknowledged write waits for this
// node's replica (it is acknowledged either way).
const localApplyWait = 5 * time.Second

// Append publishes ops and returns, per op, whether its id existed before
// it and its log sequence. Override drops (file bookkeeping of this node)
// are applied locally (sequence 0). counts is not used: the replica
// applies in its own batches.
//
// The status of a put follows the log's order: it is whether its id
// existed when this node's replica applied the put's entry (in the index
// at that sequence, earlier entries of the same batch included: see
// advanceOver), so of two concurrent creates of one id through two nodes
// the one the log orders second is an update. Append watches
// the ids of its puts before publishing (the applier records outcomes
// for watched ids only) and reads the outcomes once its replica has
// applied the last of its sequences. A put falls back to the answer of
// existedBefore on this node before publishing when the replica has not
// applied its entry within localApplyWait (a node far behind its log),
// or skipped a log position since the put was watched: the stream keeps
// only the latest entry of an article, so an entry replaced before this
// replica read it may have been the id's previous write (that of another
// node, or of an earlier op of ops), which the index then lacks.
func (l clusterLog) Append(ctx context.Context, ops []writeOp, _ *analysis.BulkCounts) ([]bool, []uint64, error) {
	ix, r := l.ix, l.ix.replica
	if d, _ := ctx.Value(writeTimeoutKey{}).(time.Duration); d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	ix.mu.RLock()
	existed, err := ix.existedBefore(ops)
	ix.mu.RUnlock()
	if err != nil {
		return nil, nil, err
	}
	var local, logged []writeOp
	var at []int // logged[k] is ops[at[k]]
	for i, op := range ops {
		if op.dropOverride {
			local = append(local, op)
		} else {
			logged = append(logged, op)
			at = append(at, i)
		}
	}
	skipped := r.watch(logged)
	defer r.unwatch(logged)
	logSeqs, err := l.publish(ctx, logged)
	if err != nil {
		return nil, nil, err
	}
	if len(local) > 0 {
		if _, _, err := (localLog{ix}).Append(ctx, local, nil); err != nil {
			return nil, nil, err
		}
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), localApplyWait)
	defer cancel()
	_ = r.wait(wctx, slices.Max(append(logSeqs, 0))) // acknowledged: durable on the log whether or not applied here yet
	seqs := make([]uint64, len(ops))
	for k, seq := range logSeqs {
		seqs[at[k]] = seq
	}
	r.outcomes(ops, seqs, skipped, existed)
	return existed, seqs, nil
}

// watch has the applier record the outcomes of the puts of ops (until
// unwatch) and returns how many log positions it has skipped so far.
func (r *replica) watch(ops []writeOp) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, op := range ops {
		if op.article == nil {
			continue
		}
		if r.watched == nil {
			r.watched = map[string]*putWatch{}
		}
		w := r.watched[op.id]
		if w == nil {
			w = &putWatch{}
			r.watched[op.id] = w
		}
		w.writers++
	}
	return r.skipped
}

// unwatch ends a watch of ops, forgetting the outcomes of an id nobody
// watches any more.
func (r *replica) unwatch(ops []writeOp) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, op := range ops {
		if w := r.watched[op.id]; w != nil && op.article != nil {
			if w.writers--; w.writers == 0 {
				delete(r.watched, op.id)
			}
		}
	}
}

// outcomes sets existed[i] to the outcome the applier recorded for the
// watched put ops[i] at log sequence seqs[i], when it has applied it
// without skipping a log position since skipped (see Append); the other
// entries of existed are left as they are.
func (r *replica) outcomes(ops []writeOp, seqs []uint64, skipped uint64, existed []bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, op := range ops {
		w := r.watched[op.id]
		if w == nil || op.article == nil || op.dropOverride {
			continue
		}
		for _, o := range w.applied {
			if o.seq == seqs[i] {
				if o.skipped == skipped {
					existed[i] = o.existed
				}
				break
			}
		}
	}
}

// publish logs ops (cluster.Log.PublishAll: the whole batch in flight at
// once, an id named twice in order) and returns their sequences, also
// recorded in ctx's SeqRecorder.
func (l clusterLog) publish(ctx context.Context, ops []writeOp) ([]uint64, error) {
	ms := make([]cluster.Msg, len(ops))
	for i, op := range ops {
		kind := cluster.Delete
		if op.article != nil {
			kind = cluster.Put
		}
		data, err := json.Marshal(logRecord{Article: op.article, API: op.api})
		if err != nil {
			return nil, fmt.Errorf("%w: write of %q: %w", ErrWriteFailed, op.id, err)
		}
		ms[i] = cluster.Msg{Kind: kind, ID: op.id, Data: data}
	}
	seqs, err := l.ix.replica.log.PublishAll(ctx, ms)
	if err != nil {
		return nil, fmt.Errorf("%w: write of %d articles: %w", ErrWriteFailed, len(ops), err)
	}
	if rec, _ := ctx.Value(seqsKey{}).(*SeqRecorder); rec != nil {
		for _, s := range seqs {
			rec.add(s)
		}
	}
	return seqs, nil
}
