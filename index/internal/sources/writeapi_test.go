package sources

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/folio-search/folio/index/article"
)

// recorder is a Write that keeps the ids of each batch and reports ids in
// seen as existing; it fails the batch number failAt (1-based) when set.
type recorder struct {
	batches [][]string
	seen    map[string]bool
	failAt  int
}

func (r *recorder) write(_ context.Context, puts []*article.Article) ([]bool, []uint64, error) {
	if len(r.batches)+1 == r.failAt {
		return nil, nil, errors.New("disk on fire")
	}
	ids := make([]string, len(puts))
	existed := make([]bool, len(puts))
	for i, a := range puts {
		ids[i], existed[i] = a.ID, r.seen[a.ID]
		r.seen[a.ID] = true
	}
	r.batches = append(r.batches, ids)
	return existed, nil, nil
}

func TestAPILinesNumbersLinesAndBatches(t *testing.T) {
	long := `{"id":"x","title":"` + strings.Repeat("a", 200) + `"}`
	body := strings.Join([]string{
		`{"id":"a","title":"A","body":"one"}`,
		``,
		`{"id":"b","title":"B","body":"two","colour":"red"}`,
		`{"title":"no id"}`,
		long,
		`{"id":"a","title":"A again","body":"three"}`,
	}, "\n")
	rec := &recorder{seen: map[string]bool{}}
	var got []WriteResult
	err := APILines(context.Background(), &article.Parser{}, strings.NewReader(body), 100, 2, rec.write, func(rs []WriteResult) error {
		got = append(got, rs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line   int
		id     string
		status string
	}{{1, "a", StatusCreated}, {3, "b", StatusCreated}, {4, "", StatusError}, {5, "", StatusError}, {6, "a", StatusUpdated}}
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Line != w.line || got[i].ID != w.id || got[i].Status != w.status {
			t.Errorf("result %d = line %d id %q status %q, want line %d id %q status %q (err %v)", i, got[i].Line, got[i].ID, got[i].Status, w.line, w.id, w.status, got[i].Err)
		}
	}
	if strings.Join(got[1].Ignored, ",") != "colour" {
		t.Errorf("line 3 ignored %v, want [colour]", got[1].Ignored)
	}
	if err := got[2].Err; err == nil || !strings.HasPrefix(err.Error(), "request:4:") {
		t.Errorf("line 4 error %v, want one starting request:4:", err)
	}
	if err := got[3].Err; !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "request:5: line longer than 100 bytes") {
		t.Errorf("line 5 error %v, want ErrTooLarge at request:5", err)
	}
	if len(rec.batches) != 2 || strings.Join(rec.batches[0], ",") != "a,b" || strings.Join(rec.batches[1], ",") != "a" {
		t.Errorf("batches %v, want [[a b] [a]]", rec.batches)
	}
}

func TestAPILinesDoesNotEmitAFailedBatch(t *testing.T) {
	body := `{"id":"a","title":"A"}` + "\n" + `{"id":"b","title":"B"}` + "\n" + `{"id":"c","title":"C"}`
	rec := &recorder{seen: map[string]bool{}, failAt: 2}
	var got []WriteResult
	err := APILines(context.Background(), &article.Parser{}, strings.NewReader(body), 100, 2, rec.write, func(rs []WriteResult) error {
		got = append(got, rs...)
		return nil
	})
	if err == nil || err.Error() != "disk on fire" {
		t.Fatalf("err = %v, want the write's error", err)
	}
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Errorf("emitted %+v, want only the first batch (a, b)", got)
	}
}

func TestAPIBodyNamesElements(t *testing.T) {
	body := `[{"id":"a","title":"A"},{"title":"no id"},{"id":"b","title":""},{"id":"c","title":"C"}]`
	rec := &recorder{seen: map[string]bool{"c": true}}
	got, err := APIBody(context.Background(), &article.Parser{}, []byte(body), 2, rec.write)
	if err != nil {
		t.Fatal(err)
	}
	statuses := make([]string, len(got))
	for i, r := range got {
		if r.Index != i {
			t.Errorf("result %d has Index %d", i, r.Index)
		}
		statuses[i] = r.ID + ":" + r.Status
	}
	if s := strings.Join(statuses, " "); s != "a:created :error b:error c:updated" {
		t.Errorf("results %s, want a:created :error b:error c:updated", s)
	}
	if err := got[1].Err; err == nil || !strings.HasPrefix(err.Error(), "request[1]:") || !strings.Contains(err.Error(), "no id") {
		t.Errorf("element 1 error %v, want request[1]: … no id", err)
	}
	if err := got[2].Err; err == nil || !strings.HasPrefix(err.Error(), "request[2]:") {
		t.Errorf("element 2 error %v, want one starting request[2]:", err)
	}
	if len(rec.batches) != 2 || strings.Join(rec.batches[0], ",") != "a" || strings.Join(rec.batches[1], ",") != "c" {
		t.Errorf("batches %v, want [[a] [c]]", rec.batches)
	}
}

func TestDecodeObjectChecksThePathID(t *testing.T) {
	if _, err := DecodeObject(&article.Parser{}, []byte(`{"id":"a","title":"A"}`), "b"); err == nil || !strings.Contains(err.Error(), `body id "a" differs from the id "b"`) {
		t.Errorf("err = %v, want the id mismatch", err)
	}
	a, err := DecodeObject(&article.Parser{}, []byte(` {"title":"A"} `), "b")
	if err != nil || a.ID != "b" {
		t.Errorf("got %q, %v; want the path's id b", a.ID, err)
	}
}
