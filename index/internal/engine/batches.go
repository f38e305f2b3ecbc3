package engine

import (
	"fmt"
	"hash/fnv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"
)

// ShardOf is the shard, of n, that holds id: the FNV-1a hash of id modulo
// n (0 with one shard).
func ShardOf(id string, n int) int {
	if n == 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// BatchOp is one change to the shard of ID: Doc indexed, or ID deleted
// when Doc is nil; and, when Key is set, the internal key Key set to Value
// in the same batch (deleted when Value is nil). With KeyOnly only the
// internal key changes.
type BatchOp struct {
	ID         string
	Doc        *document.Document
	Key, Value []byte
	KeyOnly    bool
}

// ShardBatches groups ops into one bleve batch per shard of shards, routed
// by ShardOf (nil for a shard no op touches). An error names the id of the
// op that failed.
func ShardBatches(shards []bleve.Index, ops []BatchOp) ([]*bleve.Batch, error) {
	batches := make([]*bleve.Batch, len(shards))
	for _, op := range ops {
		s := ShardOf(op.ID, len(shards))
		if batches[s] == nil {
			batches[s] = shards[s].NewBatch()
		}
		switch {
		case op.Key != nil && op.Value == nil:
			batches[s].DeleteInternal(op.Key)
		case op.Key != nil:
			batches[s].SetInternal(op.Key, op.Value)
		}
		switch {
		case op.KeyOnly:
		case op.Doc == nil:
			batches[s].Delete(op.ID)
		default:
			if err := batches[s].IndexAdvanced(op.Doc); err != nil {
				return nil, fmt.Errorf("%q: %w", op.ID, err)
			}
		}
	}
	return batches, nil
}

// Existing returns which of ids are in idx (one shard or an alias over
// all of them).
func Existing(idx bleve.Index, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	res, err := idx.Search(req)
	if err != nil {
		return nil, fmt.Errorf("look up existing ids: %w", err)
	}
	for _, h := range res.Hits {
		out[h.ID] = true
	}
	return out, nil
}

// IDPage returns the next size ids of idx in id order after after (from
// the start when nil); none when there are no more.
func IDPage(idx bleve.Index, after []string, size int) ([]string, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), size, 0, false)
	req.SortBy([]string{"_id"})
	if after != nil {
		req.SearchAfter = after
	}
	res, err := idx.Search(req)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}
