package engine

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
)

// TestClosedShardRefuses: every read of a ClosedShard is an error saying
// so (Closed), never the panic of a closed scorch reader: its readers, the
// dictionary questions of planning and a search through an alias.
func TestClosedShardRefuses(t *testing.T) {
	shards := []bleve.Index{closedShard(t)}
	if _, _, err := Readers(shards); !Closed(err) {
		t.Errorf("Readers: %v, want an index-closed error", err)
	}
	d := NewDict(shards)
	if _, err := d.Has("text", "oil"); !Closed(err) {
		t.Errorf("Dict.Has: %v, want an index-closed error", err)
	}
	if _, err := d.Corrections("text", "oill", 1); !Closed(err) {
		t.Errorf("Dict.Corrections: %v, want an index-closed error", err)
	}
	if _, err := d.Completions("text", "oi", 5); !Closed(err) {
		t.Errorf("Dict.Completions: %v, want an index-closed error", err)
	}
	d.Close()
	alias := bleve.NewIndexAlias(shards...)
	req := bleve.NewSearchRequest(bleve.NewMatchQuery("oil"))
	if _, err := Search(context.Background(), alias, shards, req, nil, 100); !Closed(err) {
		t.Errorf("Search: %v, want an index-closed error", err)
	}
}

// closedShard is a new empty shard, closed, as a ClosedShard.
func closedShard(t *testing.T) ClosedShard {
	t.Helper()
	s, err := bleve.New(filepath.Join(t.TempDir(), "shard"), bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return ClosedShard{Shard: s}
}
