package index

import (
	"context"
	"errors"
	"fmt"
)

// NodeAnswers are the answers of the other nodes of the cluster to one
// AskNodes request.
type NodeAnswers struct {
	Self    string       // this node's name (it does not answer itself)
	Replies []NodeAnswer // the nodes that answered, by name
	// Missing are the nodes the log knows of (their durable consumers:
	// each node that applied the log within the last hour) that did not
	// answer before the request's context ended.
	Missing []string
	// NodesErr says why the nodes could not be listed; then whoever
	// answered before the context ended is in Replies and Missing is empty.
	NodesErr error
}

// NodeAnswer is one node's answer.
type NodeAnswer struct {
	Node string
	Data []byte // the answer of ClusterOptions.Answer on that node
	Err  string // that node's Answer failed: why (then Data is empty)
}

// AskNodes sends req to every other node of the cluster, whose
// ClusterOptions.Answer answers it, and collects their answers until each
// node the log knows of has answered or ctx ends: give ctx a deadline, a
// node that is down is reported in Missing once it passes. It fails when
// the index is not clustered or the request cannot be sent. Nothing goes
// through the log: requests and answers are plain NATS messages.
func (ix *Index) AskNodes(ctx context.Context, req []byte) (NodeAnswers, error) {
	if ix.replica == nil {
		return NodeAnswers{}, fmt.Errorf("ask the other nodes: %w", ErrNotClustered)
	}
	a, err := ix.replica.log.Ask(ctx, req)
	out := NodeAnswers{Self: a.Self, Missing: a.Missing, NodesErr: a.NodesErr}
	for _, r := range a.Replies {
		out.Replies = append(out.Replies, NodeAnswer{Node: r.Node, Data: r.Data, Err: r.Err})
	}
	return out, err
}

// ErrNotClustered is returned by what only a clustered index does.
var ErrNotClustered = errors.New("this index is not part of a cluster")
