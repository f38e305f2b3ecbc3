package engine

import (
	"testing"

	"github.com/blevesearch/bleve/v2"
)

func TestRefsCloseOnLastRelease(t *testing.T) {
	s, err := bleve.NewMemOnly(bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	r := NewRefs([]bleve.Index{s})
	r.Acquire() // a backup
	cleaned := 0
	if err := r.Retire(func() error { cleaned++; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DocCount(); err != nil || cleaned != 0 {
		t.Fatalf("after the owner's retire with a backup holding a reference: DocCount error %v, cleanups %d; want open and none", err, cleaned)
	}
	if err := r.Release(); err != nil {
		t.Fatal(err)
	}
	if err := r.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DocCount(); err == nil || cleaned != 1 {
		t.Errorf("after the last release: DocCount error %v, cleanups %d; want closed and one", err, cleaned)
	}

	// Shards marked closed are not closed again (a second scorch Close panics).
	closes := 0
	r = NewRefs([]bleve.Index{countingClose{Shard: s, n: &closes}})
	r.MarkClosed()
	if err := r.Release(); err != nil || closes != 0 {
		t.Errorf("release of shards marked closed: error %v, %d closes; want none", err, closes)
	}
}

// countingClose counts the calls of Close.
type countingClose struct {
	Shard
	n *int
}

func (c countingClose) Close() error { *c.n++; return nil }
