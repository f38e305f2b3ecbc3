package cluster

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// Ask gathers one reply from every other node known to the log, each
// node's own answer; a node that answers with an error is a reply with
// Err; a node that is down is missing, and Ask still returns the others.
func TestAskEveryNode(t *testing.T) {
	cfgs := trio(t)
	logs := openAll(t, cfgs)
	ctx := ctxT(t, 60*time.Second)
	for i, l := range logs {
		node := cfgs[i].Node
		err := l.Answer(func(_ context.Context, req []byte) ([]byte, error) {
			if node == "n2" && string(req) == "fail" {
				return nil, errors.New("cannot")
			}
			return []byte(node + ":" + string(req)), nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	seq, err := logs[0].Publish(ctx, Put, "x", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs { // each node's durable consumer makes it known
		follow(t, l, 1, seq)
	}
	ask := func(l *Log, req string, wait time.Duration) Answers {
		t.Helper()
		actx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		a, err := l.Ask(actx, []byte(req))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := ask(logs[0], "q", 20*time.Second)
	want := []Reply{{Node: "n2", Data: []byte("n2:q")}, {Node: "n3", Data: []byte("n3:q")}}
	if a.Self != "n1" || a.NodesErr != nil || len(a.Missing) != 0 || !slices.EqualFunc(a.Replies, want, func(x, y Reply) bool {
		return x.Node == y.Node && string(x.Data) == string(y.Data) && x.Err == y.Err
	}) {
		t.Fatalf("n1 asks: %+v, want the replies of n2 and n3 and nobody missing", a)
	}
	a = ask(logs[2], "fail", 20*time.Second)
	if len(a.Replies) != 2 || a.Replies[0].Node != "n1" || a.Replies[1].Err != "cannot" || len(a.Replies[1].Data) != 0 {
		t.Fatalf("n3 asks what n2 cannot answer: %+v", a)
	}
	logs[2].Close()
	logs[2] = nil
	a = ask(logs[0], "q", 3*time.Second)
	if !slices.Equal(a.Missing, []string{"n3"}) || len(a.Replies) != 1 || string(a.Replies[0].Data) != "n2:q" {
		t.Fatalf("n1 asks with n3 down: %+v, want n2's reply and n3 missing", a)
	}
}

func TestNodeOfConsumer(t *testing.T) {
	for _, n := range []string{"n1", "a-b_c"} {
		if got := nodeOfConsumer(ConsumerName(n)); got != n {
			t.Errorf("nodeOfConsumer(ConsumerName(%q)) = %q", n, got)
		}
	}
}
