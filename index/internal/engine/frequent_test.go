package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/google/go-cmp/cmp"
)

func TestWithinTwo(t *testing.T) {
	rows := make([]int, 64)
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"govern", "govern", 0},
		{"gover", "govern", 1},    // an insertion
		{"diamnod", "diamond", 1}, // an adjacent swap
		{"pricez", "price", 1},
		{"pricez", "pric", 2},
		{"oill", "oil", 1},
		{"abcd", "badc", 2}, // two swaps
		{"beetl", "meet", 2},
		{"sico", "said", 3},
		{"a", "zzzz", 3},
		{"", "ab", 2},
	} {
		if got := withinTwo([]rune(c.a), []rune(c.b), rows); got != c.want {
			t.Errorf("withinTwo(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// builtFrequent is a Frequent over shards (Min 3) whose builds report to
// the returned channel; it is stopped when the test ends.
func builtFrequent(t *testing.T, shards []bleve.Index, hooks FrequentHooks) (*Frequent, chan error) {
	t.Helper()
	f := NewFrequent("text", 3, time.Hour, shards, NewRefs(shards))
	t.Cleanup(f.Stop)
	built := make(chan error, 8)
	hooks.Built = func(err error) { built <- err }
	f.SetHooks(hooks)
	return f, built
}

// awaitBuild is the error of the next build that ends (the test fails if
// none ends within a minute: a build that never ends is the bug).
func awaitBuild(t *testing.T, built <-chan error) error {
	t.Helper()
	select {
	case err := <-built:
		return err
	case <-time.After(time.Minute):
		t.Fatal("no build ended")
		return nil
	}
}

// isBuilding reports whether a build of f runs.
func isBuilding(f *Frequent) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.building
}

// TestFrequentNear: the list holds the terms Min documents of all shards
// hold (also one each shard holds below Min), is kept while there are no
// writes or for Refresh after one, and built again after that in the
// background while uses get the previous list.
func TestFrequentNear(t *testing.T) {
	shards := memShards(t, bleve.NewIndexMapping(), 2)
	put := func(shard int, id, text string) {
		t.Helper()
		if err := shards[shard].Index(id, map[string]any{"text": text}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 { // "govern" in 4 documents, 2 per shard
		put(i%2, fmt.Sprint("g", i), "govern price")
	}
	put(0, "x1", "gover price prices") // "gover" once; "price" in 5, "prices" once
	f, built := builtFrequent(t, shards, FrequentHooks{})
	if f.List() != nil {
		t.Fatal("a list before any build")
	}
	if err := awaitBuild(t, built); err != nil { // started by List
		t.Fatal(err)
	}
	select {
	case <-f.Ready():
	default:
		t.Fatal("Ready not closed once a list is in use")
	}
	list := f.List()
	want := []Near{{Correction{"govern", 4}, 1}}
	if diff := cmp.Diff(want, list.Near("gover", 1)); diff != "" {
		t.Errorf("near gover (-want +got):\n%s", diff)
	}
	want = []Near{{Correction{"price", 5}, 2}}
	if diff := cmp.Diff(want, list.Near("prizes", 2)); diff != "" {
		t.Errorf("near prizes (-want +got):\n%s", diff)
	}
	if got := list.Near("prizes", 1); len(got) != 0 {
		t.Errorf("near prizes within one edit: %v, want none", got)
	}
	if list.Floor() != 3 {
		t.Errorf("floor %d, want Min (the whole dictionary read)", list.Floor())
	}
	// "prices" becomes frequent: not listed until a write and Refresh.
	put(1, "p1", "prices")
	put(1, "p2", "prices")
	if f.List() != list || isBuilding(f) {
		t.Error("built again without a write")
	}
	f.Changed()
	if f.List() != list || isBuilding(f) {
		t.Error("built again within Refresh of the build")
	}
	f.SetRefresh(0)
	if f.List() != list { // the use that starts the build gets the previous list
		t.Error("a use after a write and Refresh did not get the previous list")
	}
	if err := awaitBuild(t, built); err != nil {
		t.Fatal(err)
	}
	list = f.List()
	want = []Near{{Correction{"price", 5}, 1}, {Correction{"prices", 3}, 1}}
	if diff := cmp.Diff(want, list.Near("pricez", 1)); diff != "" {
		t.Errorf("near pricez after a write and Refresh (-want +got):\n%s", diff)
	}
	// Respellings: those of Near within one edit with the same first letter.
	for i := range 3 {
		put(i%2, fmt.Sprint("r", i), "rice")
	}
	f.Changed()
	f.List()
	if err := awaitBuild(t, built); err != nil {
		t.Fatal(err)
	}
	list = f.List()
	for _, term := range []string{"pricez", "price", "prcie", "rices", "gover", "p", ""} {
		var want []Near
		for _, n := range list.Near(term, 1) {
			if term != "" && n.Term[0] == term[0] {
				want = append(want, n)
			}
		}
		if diff := cmp.Diff(want, list.Respellings(term)); diff != "" {
			t.Errorf("respellings of %q (-want +got):\n%s", term, diff)
		}
	}
	var none *FrequentList
	if none.Near("pricez", 1) != nil || none.Respellings("pricez") != nil || none.Floor() != 0 {
		t.Error("a nil list is not empty")
	}
}

// TestFrequentUseDuringBuild: a use while the first build runs gets no
// list at once (it does not wait for the build), and starts no other.
func TestFrequentUseDuringBuild(t *testing.T) {
	shards := memShards(t, bleve.NewIndexMapping(), 1)
	for i := range 3 {
		if err := shards[0].Index(fmt.Sprint(i), map[string]any{"text": "govern"}); err != nil {
			t.Fatal(err)
		}
	}
	// Room for a second build's start, so that one would be seen, not hang.
	started, release := make(chan struct{}, 2), make(chan struct{})
	f, built := builtFrequent(t, shards, FrequentHooks{Building: func(context.Context) {
		started <- struct{}{}
		<-release
	}})
	f.Warm()
	<-started
	if l := f.List(); l != nil {
		t.Fatal("a list while the first build runs")
	}
	f.Warm() // one build at a time: this one starts none
	select {
	case <-f.Ready():
		t.Fatal("Ready closed while the first build runs")
	default:
	}
	close(release)
	if err := awaitBuild(t, built); err != nil {
		t.Fatal(err)
	}
	if got := f.List().Near("gover", 1); len(got) != 1 {
		t.Errorf("near gover after the build: %v", got)
	}
	if len(built) != 0 || len(started) != 0 {
		t.Error("a second build ran")
	}
}

// TestFrequentStop: Stop cancels a running build and returns once it
// ended, its reference released; no build starts after it.
func TestFrequentStop(t *testing.T) {
	shards := memShards(t, bleve.NewIndexMapping(), 1)
	started := make(chan struct{})
	refs := NewRefs(shards)
	f := NewFrequent("text", 3, time.Hour, shards, refs)
	built := make(chan error, 2)
	f.SetHooks(FrequentHooks{
		Building: func(ctx context.Context) { close(started); <-ctx.Done() },
		Built:    func(err error) { built <- err },
	})
	f.Warm()
	<-started
	if n := refs.refs.Load(); n != 2 {
		t.Fatalf("%d references while a build runs, want 2 (the owner's and the build's)", n)
	}
	stopped := make(chan struct{})
	go func() { f.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(time.Minute):
		t.Fatal("Stop did not return: the build was not cancelled")
	}
	select { // Built ran before Stop returned
	case err := <-built:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled build: %v, want context.Canceled", err)
		}
	default:
		t.Fatal("the build had not ended when Stop returned")
	}
	if n := refs.refs.Load(); n != 1 {
		t.Errorf("%d references after Stop, want the owner's only", n)
	}
	f.Warm()
	if f.List() != nil || isBuilding(f) {
		t.Error("a build started after Stop")
	}
	// The dictionary walk itself stops on a cancelled context.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rs, closeAll, err := Readers(shards)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	if _, err := frequentTerms(ctx, rs[0], "text", 1, map[string]uint64{}); !errors.Is(err, context.Canceled) {
		t.Errorf("frequentTerms with a cancelled context: %v", err)
	}
}

// TestFrequentFailedBuild: a build that fails (here over a closed shard)
// leaves no list, and the next is tried a Refresh later,
// not on every use.
func TestFrequentFailedBuild(t *testing.T) {
	f, built := builtFrequent(t, []bleve.Index{closedShard(t)}, FrequentHooks{})
	f.Warm()
	if err := awaitBuild(t, built); err == nil {
		t.Fatal("a build over a closed shard succeeded")
	}
	if f.List() != nil || isBuilding(f) {
		t.Error("a use within Refresh of the failure started a build")
	}
	f.SetRefresh(0)
	f.List()
	if err := awaitBuild(t, built); err == nil {
		t.Error("the retry over a closed shard succeeded")
	}
}
