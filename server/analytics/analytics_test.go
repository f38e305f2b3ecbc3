package analytics

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestExactCounts: scripted searches and clicks give exactly the expected
// tables; a click on an unknown query_id is ignored; retention drops old records.
func TestExactCounts(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), Dir, "analytics.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var clock atomic.Int64
	clock.Store(now.Add(-100 * 24 * time.Hour).UnixNano())
	r := NewRecorder(db, Options{Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	defer r.Close()
	old := r.Search(Search{Query: Normalise("  OIL   Prices "), Total: 9})
	clock.Store(now.UnixNano())
	a := r.Search(Search{Query: Normalise("Oil prices"), Total: 4})
	b := r.Search(Search{Query: "oil prices", Total: 2})
	r.Search(Search{Query: "zzqx", Total: 0, Suggestion: "zinc"})
	r.Search(Search{Query: "zzqx", Total: 0})
	r.Click(a, "reuters-1", 1)
	r.Click(a, "reuters-2", 3)
	r.Click(b, "reuters-1", 2)
	r.Click("00000000000000000000000000000000", "reuters-9", 1)
	r.Click(old, "reuters-1", 5)
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The retention sweep's deletion (Recorder.Sweep calls it with now - retention).
	if n, err := db.Delete(now.Add(-90 * 24 * time.Hour)); err != nil || n != 1 {
		t.Errorf("sweep deleted %d searches, want 1 (the 100-day-old one)", n)
	}
	q, err := Queries(db, Range{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []QueryRow{{Query: "oil prices", Count: 2, MeanHits: 3, Clicks: 3, CTR: 1, MeanClickPosition: 2}, {Query: "zzqx", Count: 2}}
	if d := cmp.Diff(want, q.Rows); d != "" {
		t.Errorf("queries (-want +got):\n%s", d)
	}
	z, _ := ZeroResults(db, Range{}, 10)
	if d := cmp.Diff([]ZeroRow{{Query: "zzqx", Count: 2, Suggestion: "zinc"}}, z.Rows); d != "" {
		t.Errorf("zero results (-want +got):\n%s", d)
	}
	ar, _ := Articles(db, Range{}, 10)
	wantA := []ArticleRow{{ID: "reuters-1", Clicks: 2, MeanPosition: 1.5, Queries: []ArticleQuery{{"oil prices", 2}}},
		{ID: "reuters-2", Clicks: 1, MeanPosition: 3, Queries: []ArticleQuery{{"oil prices", 1}}}}
	if d := cmp.Diff(wantA, ar.Rows); d != "" {
		t.Errorf("articles (-want +got):\n%s", d)
	}
	v, _ := Volume(db, Range{}, time.Hour)
	if d := cmp.Diff([]VolumeRow{{Start: now, Searches: 4, ZeroResults: 2, ZeroShare: 0.5}}, v); d != "" {
		t.Errorf("volume (-want +got):\n%s", d)
	}
	if c := r.Counts(); c.Searches != 5 || c.Clicks != 4 || c.Dropped != 0 {
		t.Errorf("counts %+v, want 5 searches, 4 clicks (the unknown id ignored; the old one stored, then swept), 0 dropped", c)
	}
}

// blockedStore is a store whose Write waits until gate closes.
type blockedStore struct {
	*DB
	gate chan struct{}
}

func (b blockedStore) Write(s []Search, c []Click) (int, int, error) {
	<-b.gate
	return b.DB.Write(s, c)
}

// TestFullBufferNeverBlocks: with the store blocked, Search returns at once
// for every record; what the buffer cannot hold is dropped and counted.
func TestFullBufferNeverBlocks(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "a.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gate := make(chan struct{})
	r := NewRecorder(blockedStore{db, gate}, Options{Buffer: 8})
	const n = 1000
	done := make(chan struct{})
	go func() {
		for range n {
			r.Search(Search{Query: "x", Total: 1})
		}
		close(done)
	}()
	<-done // a blocking Search would hang here (and the test time out)
	close(gate)
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Close()
	c := r.Counts()
	if c.Searches+c.Dropped != n || c.Searches > maxBatch+8 || c.Dropped == 0 {
		t.Errorf("counts %+v: want written+dropped = %d, at most %d written (8 buffered, one batch in the blocked write)", c, n, maxBatch+8)
	}
}

// TestSubOnlyWhenRecordingUsers: a search's Sub reaches the file only with RecordUsers.
func TestSubOnlyWhenRecordingUsers(t *testing.T) {
	for _, users := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "a.db")
		db, err := Open(path, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		r := NewRecorder(db, Options{RecordUsers: users})
		r.Search(Search{Query: "oil", Total: 1, Sub: "user-4711"})
		if err := r.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		r.Close()
		db.Close()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(raw, []byte("user-4711")); got != users {
			t.Errorf("RecordUsers %v: the file holds the sub: %v", users, got)
		}
	}
}

// TestConcurrentSearches: 16 goroutines recording at once lose nothing when
// the buffer holds them all, and every record is written exactly once.
func TestConcurrentSearches(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "a.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := NewRecorder(db, Options{Buffer: 2 * 16 * 50})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				id := r.Search(Search{Query: "q", Total: uint64(g*100 + i)})
				r.Click(id, "a", 1)
			}
		})
	}
	wg.Wait()
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Close()
	c := r.Counts()
	q, err := Queries(db, Range{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dropped != 0 || c.Searches != 800 || c.Clicks != 800 || len(q.Rows) != 1 || q.Rows[0].Count != 800 || q.Rows[0].Clicks != 800 {
		t.Errorf("counts %+v, rows %+v: want 800 searches of q, each with 1 click, none dropped", c, q.Rows)
	}
}

// TestRetentionSweep: a recorder with a retention sweeps at start (and then
// every SweepEvery) the searches older than the retention, with their
// clicks, and keeps the rest; Close stops the sweep.
func TestRetentionSweep(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "a.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var at time.Time
	w := NewRecorder(db, Options{Now: func() time.Time { return at }})
	for _, age := range []time.Duration{91 * 24 * time.Hour, 90*24*time.Hour + time.Minute, 89 * 24 * time.Hour, time.Hour} {
		at = now.Add(-age)
		id := w.Search(Search{Query: "q" + age.String(), Total: 1})
		w.Click(id, "a", 1)
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// The sweep runs when the recorder starts; Close waits for it.
	s := NewRecorder(db, Options{Retention: 90 * 24 * time.Hour, SweepEvery: time.Hour, Now: func() time.Time { return now }})
	s.Close()
	var kept []string
	clicks := 0
	if err := db.Scan(Range{}, func(s Search, cs []Click) error {
		kept = append(kept, s.Query)
		clicks += len(cs)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"q2136h0m0s", "q1h0m0s"}, kept); d != "" || clicks != 2 {
		t.Errorf("kept %v with %d clicks, want the two searches younger than 90 days with their 2 clicks (-want +got):\n%s", kept, clicks, d)
	}
	if n := s.Sweep(); n != 0 {
		t.Errorf("a second sweep deleted %d, want 0", n)
	}
}
