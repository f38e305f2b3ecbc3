package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// Asking the other nodes: a node publishes a request on the stream's ask
// subject with an inbox to reply to; every other node that subscribed
// (Answer) replies once with its answer; the asking node collects the
// replies until each node it knows of has answered or its context ends
// (scatter-gather, core NATS request-many: nothing is stored in
// JetStream). The nodes known are the log's durable consumers
// (ConsumerName of each node that applied the log within
// ConsumerInactive) and the nodes that answered an Ask of this node within
// ConsumerInactive (a consumer is briefly absent while its node recreates
// it), so a node that died is known, and reported missing, for up to
// ConsumerInactive. It knows nothing of what is asked.

// Headers of a request and its replies.
const (
	headerFrom  = "Folio-From"  // the asking node (a node does not answer itself)
	headerNode  = "Folio-Node"  // the answering node
	headerError = "Folio-Error" // the answer failed: why
)

// consumerPrefix starts every node's durable consumer name (ConsumerName).
const consumerPrefix = "folio_"

// MaxAnswers bounds the replies one Ask collects.
const MaxAnswers = 64

// answerPending bounds the requests waiting for this node's answer; more
// are dropped by NATS (their askers report this node missing).
const answerPending = 16

// AnswerFunc answers another node's request with this node's part.
type AnswerFunc func(ctx context.Context, req []byte) ([]byte, error)

// AskSubject is the subject requests to every node of the log's stream go to.
func (l *Log) AskSubject() string { return "folio.ask." + l.cfg.Stream }

// Answer subscribes fn to the requests of the other nodes (see Ask). The
// requests are answered one at a time, each within answerTimeout; an
// answer larger than the connection's maximum payload is replaced by an
// error reply. It lasts until the Log is closed.
func (l *Log) Answer(fn AnswerFunc) error {
	sub, err := l.nc.Subscribe(l.AskSubject(), func(m *nats.Msg) {
		if m.Reply == "" || m.Header.Get(headerFrom) == l.cfg.Node {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), answerTimeout)
		data, err := fn(ctx, m.Data)
		cancel()
		reply := &nats.Msg{Subject: m.Reply, Header: nats.Header{}}
		reply.Header.Set(headerNode, l.cfg.Node)
		if err == nil && int64(len(data)) > l.nc.MaxPayload()-1024 {
			err = fmt.Errorf("answer of %d bytes exceeds the NATS maximum payload (%d)", len(data), l.nc.MaxPayload())
		}
		if err != nil {
			reply.Header.Set(headerError, err.Error())
		} else {
			reply.Data = data
		}
		if err := l.nc.PublishMsg(reply); err != nil {
			l.logf("cluster: answer to %s: %v", m.Header.Get(headerFrom), err)
		}
	})
	if err != nil {
		return fmt.Errorf("cluster: subscribe to %s: %w", l.AskSubject(), err)
	}
	return sub.SetPendingLimits(answerPending, 64<<20)
}

// answerTimeout bounds the computation of one answer.
const answerTimeout = 10 * time.Second

// Reply is one node's answer.
type Reply struct {
	Node string
	Data []byte
	Err  string // the node could not answer: why ("" when Data is its answer)
}

// Answers are the replies an Ask collected.
type Answers struct {
	Self    string   // this node (which does not answer itself)
	Replies []Reply  // by node name
	Missing []string // nodes known to the log that did not answer in time
	// NodesErr says why the nodes could not be listed (then Missing is
	// empty and the replies are whoever answered before ctx ended).
	NodesErr error
}

// Ask publishes req to every other node (see Answer) and collects their
// replies until every node known to the log has answered or ctx ends
// (give it a deadline: without one it waits for every known node). It
// fails only when the request cannot be sent.
func (l *Log) Ask(ctx context.Context, req []byte) (Answers, error) {
	out := Answers{Self: l.cfg.Node}
	inbox := l.nc.NewInbox()
	sub, err := l.nc.SubscribeSync(inbox)
	if err != nil {
		return out, fmt.Errorf("cluster: ask: %w", err)
	}
	defer sub.Unsubscribe()
	msg := &nats.Msg{Subject: l.AskSubject(), Reply: inbox, Data: req, Header: nats.Header{}}
	msg.Header.Set(headerFrom, l.cfg.Node)
	if err := l.nc.PublishMsg(msg); err != nil {
		return out, fmt.Errorf("cluster: ask: %w", err)
	}
	// While the others compute, list the nodes to wait for.
	known, err := l.nodes(ctx)
	if err != nil {
		out.NodesErr = err
	}
	pending := map[string]bool{}
	for _, c := range append(known, l.answered.since(time.Now().Add(-l.consumerInactive()))...) {
		if c != ConsumerName(l.cfg.Node) {
			pending[c] = true
		}
	}
	seen := map[string]bool{}
	for (err != nil || len(pending) > 0) && len(out.Replies) < MaxAnswers {
		m, rerr := sub.NextMsgWithContext(ctx)
		if rerr != nil {
			break // ctx ended (or the connection closed): the rest are missing
		}
		node := m.Header.Get(headerNode)
		if node == "" || seen[node] {
			continue
		}
		seen[node] = true
		delete(pending, ConsumerName(node))
		l.answered.saw(ConsumerName(node), time.Now())
		out.Replies = append(out.Replies, Reply{Node: node, Data: m.Data, Err: m.Header.Get(headerError)})
	}
	for c := range pending {
		out.Missing = append(out.Missing, nodeOfConsumer(c))
	}
	slices.Sort(out.Missing)
	slices.SortFunc(out.Replies, func(a, b Reply) int { return strings.Compare(a.Node, b.Node) })
	return out, nil
}

// nodes lists the consumer names of the nodes known to the log: its
// durable consumers named by ConsumerName.
func (l *Log) nodes(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	s, err := l.js.Stream(ctx, l.cfg.Stream)
	if err != nil {
		return nil, fmt.Errorf("cluster: list the nodes: %w", err)
	}
	names := s.ConsumerNames(ctx)
	var out []string
	for n := range names.Name() {
		if strings.HasPrefix(n, consumerPrefix) {
			out = append(out, n)
		}
	}
	if err := names.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return out, fmt.Errorf("cluster: list the nodes: %w", err)
	}
	return out, nil
}

// nodeOfConsumer is the node a consumer name stands for: the name without
// its prefix (a node name with characters outside [A-Za-z0-9_-] is shown
// cleaned, with the hash ConsumerName added).
func nodeOfConsumer(c string) string { return strings.TrimPrefix(c, consumerPrefix) }

// answeredNodes remembers when each node (by consumer name) last answered.
type answeredNodes struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// saw records that the node of consumer name c answered at t; it forgets
// the nodes that have not answered for ConsumerInactive, and remembers at
// most maxRemembered.
func (a *answeredNodes) saw(c string, t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last == nil {
		a.last = map[string]time.Time{}
	}
	for n, at := range a.last {
		if at.Before(t.Add(-ConsumerInactive)) {
			delete(a.last, n)
		}
	}
	if _, ok := a.last[c]; ok || len(a.last) < maxRemembered {
		a.last[c] = t
	}
}

// maxRemembered bounds the nodes answeredNodes remembers.
const maxRemembered = 4 * MaxAnswers

// since lists the consumer names of the nodes that answered after t.
func (a *answeredNodes) since(t time.Time) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for n, at := range a.last {
		if at.After(t) {
			out = append(out, n)
		}
	}
	return out
}
