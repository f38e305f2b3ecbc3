package engine

import (
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/google/go-cmp/cmp"
)

func TestShardBatches(t *testing.T) {
	m := bleve.NewIndexMapping()
	shards := memShards(t, m, 3)
	doc := func(id string) *document.Document {
		d := document.NewDocument(id)
		if err := m.MapDocument(d, map[string]any{"text": "words of " + id}); err != nil {
			t.Fatal(err)
		}
		return d
	}
	var ops []BatchOp
	for i := range 20 {
		ops = append(ops, BatchOp{ID: fmt.Sprint("d", i), Doc: doc(fmt.Sprint("d", i))})
	}
	ops = append(ops,
		BatchOp{ID: "d3"}, // a delete
		BatchOp{ID: "d4", Doc: doc("d4"), Key: []byte("k/d4"), Value: []byte("put")},
		BatchOp{ID: "d5", Key: []byte("k/d5"), Value: []byte("delete")},
	)
	batches, err := ShardBatches(shards, ops)
	if err != nil {
		t.Fatal(err)
	}
	for s, b := range batches {
		if b == nil {
			t.Fatalf("shard %d has no batch for 20 ids", s)
		}
		if err := shards[s].Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		id := fmt.Sprint("d", i)
		s := ShardOf(id, len(shards))
		d, err := shards[s].Document(id)
		if err != nil {
			t.Fatal(err)
		}
		if want := id != "d3" && id != "d5"; (d != nil) != want {
			t.Errorf("%s on shard %d: present %v, want %v", id, s, d != nil, want)
		}
		for o := range shards {
			if o == s {
				continue
			}
			if d, _ := shards[o].Document(id); d != nil {
				t.Errorf("%s is on shard %d too, not only on %d", id, o, s)
			}
		}
	}
	key := func(id string) string {
		v, err := shards[ShardOf(id, len(shards))].GetInternal([]byte("k/" + id))
		if err != nil {
			t.Fatal(err)
		}
		return string(v)
	}
	if key("d4") != "put" || key("d5") != "delete" {
		t.Errorf("internal keys: d4 %q, d5 %q; want put and delete", key("d4"), key("d5"))
	}

	// A key-only op deletes the key and leaves the document.
	batches, err = ShardBatches(shards, []BatchOp{{ID: "d4", Key: []byte("k/d4"), KeyOnly: true}})
	if err != nil {
		t.Fatal(err)
	}
	for s, b := range batches {
		if (b != nil) != (s == ShardOf("d4", len(shards))) {
			t.Errorf("shard %d: batch %v", s, b != nil)
		}
		if b != nil {
			if err := shards[s].Batch(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	if key("d4") != "" {
		t.Errorf("d4's key is %q after the key-only delete", key("d4"))
	}
	have, err := Existing(bleve.NewIndexAlias(shards...), []string{"d4", "d3", "d9", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"d4": true, "d9": true}, have); diff != "" {
		t.Errorf("Existing (-want +got):\n%s", diff)
	}
}

func TestIDPage(t *testing.T) {
	s, err := bleve.NewMemOnly(bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range []string{"c", "a", "e", "b", "d"} {
		if err := s.Index(id, map[string]any{"text": id}); err != nil {
			t.Fatal(err)
		}
	}
	var got [][]string
	var after []string
	for range 10 {
		page, err := IDPage(s, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page)
		after = []string{page[len(page)-1]}
	}
	if diff := cmp.Diff([][]string{{"a", "b"}, {"c", "d"}, {"e"}}, got); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}

// memShards are n in-memory indexes of mapping m, closed when t ends.
func memShards(t *testing.T, m mapping.IndexMapping, n int) []bleve.Index {
	t.Helper()
	shards := make([]bleve.Index, 0, n)
	for range n {
		s, err := bleve.NewMemOnly(m)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		shards = append(shards, s)
	}
	return shards
}
