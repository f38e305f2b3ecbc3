package index

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// batchesWritten is the number of bleve batches the index's shards have applied.
func batchesWritten(t *testing.T, ix *Index) uint64 {
	t.Helper()
	var n uint64
	for i, s := range ix.shards {
		st, ok := s.StatsMap()["index"].(map[string]interface{})
		if !ok {
			t.Fatalf("shard %d has no index stats", i)
		}
		b, ok := st["TotBatches"].(uint64)
		if !ok {
			t.Fatalf("shard %d stats have no TotBatches: %v", i, st)
		}
		n += b
	}
	return n
}

// TestPutJSONWritesBoundedBatches: a large array is written in batches of
// BatchSize, not as one batch of everything, and every element gets its result.
func TestPutJSONWritesBoundedBatches(t *testing.T) {
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.BatchSize = 4
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	var body strings.Builder
	body.WriteString("[")
	for i := range 10 {
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `{"id":"a%d","title":"tiny %d"}`, i%9, i) // a0 twice: the second an update in a later batch
	}
	body.WriteString("]")
	before := batchesWritten(t, ix)
	res, err := ix.PutJSON(context.Background(), []byte(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := batchesWritten(t, ix) - before; got != 3 {
		t.Errorf("PutJSON of 10 articles with BatchSize 4 wrote %d batches, want 3", got)
	}
	var got []string
	for _, r := range res {
		got = append(got, fmt.Sprintf("%d %s %s", r.Index, r.ID, r.Status))
	}
	want := []string{"0 a0 created", "1 a1 created", "2 a2 created", "3 a3 created", "4 a4 created",
		"5 a5 created", "6 a6 created", "7 a7 created", "8 a8 created", "9 a0 updated"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if n, _ := ix.Count(); n != 9 {
		t.Errorf("count = %d, want 9", n)
	}
}

// TestWriteResultsNameRecords: array results are numbered by 0-based
// element and their messages say the same number; bulk results by 1-based
// line; both carry the id when it was read, and the fields they ignored.
func TestWriteResultsNameRecords(t *testing.T) {
	ix := newIndex(t)
	body := "[\n" + `{"id":"ok","title":"fine","places":"x","zz":1},` + "\n\n" +
		`{"id":"bad-date","title":"t","date":"never"},` + "\n" +
		`{"title":"no id"}` + "\n]"
	res, err := ix.PutJSON(context.Background(), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Index, Line int
		ID, Status  string
		ErrPrefix   string
		Ignored     []string
	}
	rows := func(rs []WriteResult) []row {
		var out []row
		for _, r := range rs {
			w := row{Index: r.Index, Line: r.Line, ID: r.ID, Status: r.Status, Ignored: r.Ignored}
			if r.Err != nil {
				w.ErrPrefix, _, _ = strings.Cut(r.Err.Error(), ": ")
			}
			out = append(out, w)
		}
		return out
	}
	want := []row{
		{Index: 0, ID: "ok", Status: StatusCreated, Ignored: []string{"places", "zz"}},
		{Index: 1, ID: "bad-date", Status: StatusError, ErrPrefix: "request[1]"},
		{Index: 2, Status: StatusError, ErrPrefix: "request[2]"},
	}
	if diff := cmp.Diff(want, rows(res)); diff != "" {
		t.Errorf("array results (-want +got):\n%s", diff)
	}

	var bulk []WriteResult
	in := `{"id":"b1","title":"one","extra":true}` + "\n\n" + `{"id":"b2","title":"two","date":"never"}` + "\n{broken\n"
	if err := ix.Bulk(context.Background(), strings.NewReader(in), 1<<20, func(rs []WriteResult) error {
		bulk = append(bulk, rs...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want = []row{
		{Line: 1, ID: "b1", Status: StatusCreated, Ignored: []string{"extra"}},
		{Line: 3, ID: "b2", Status: StatusError, ErrPrefix: "request:3"},
		{Line: 4, Status: StatusError, ErrPrefix: "request:4"},
	}
	if diff := cmp.Diff(want, rows(bulk)); diff != "" {
		t.Errorf("bulk results (-want +got):\n%s", diff)
	}
}
