package index

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
)

// await waits for ch to deliver (or be closed); the test fails when it does
// not within a minute: what it waits for never happening is the bug.
func await[T any](tb testing.TB, ch <-chan T, what string) T {
	tb.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Minute):
		tb.Fatalf("%s did not happen", what)
		var zero T
		return zero
	}
}

// frequentList is ix's list of frequent terms once built: a use starts
// the first build when none ran yet.
func frequentList(tb testing.TB, ix *Index) *engine.FrequentList {
	tb.Helper()
	currentList(ix)
	ix.mu.RLock()
	ready := ix.frequent.Ready()
	ix.mu.RUnlock()
	await(tb, ready, "the build of the list of frequent terms")
	return currentList(ix)
}

// currentList is ix's list of frequent terms in use now (nil: none yet),
// as a search gets it.
func currentList(ix *Index) *engine.FrequentList {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.frequent.List()
}

// heldBuilds makes the builds of ix's list of frequent terms from now on
// report when they start (started) and wait for release to be closed
// before reading the dictionaries; each sends its error to built when it ends.
func heldBuilds(ix *Index) (started chan struct{}, release chan struct{}, built chan error) {
	started, release, built = make(chan struct{}, 1), make(chan struct{}), make(chan error, 1)
	ix.frequent.SetHooks(engine.FrequentHooks{
		Building: func(context.Context) { started <- struct{}{}; <-release },
		Built:    func(err error) { built <- err },
	})
	return started, release, built
}

// bulk writes the JSON lines of articles (id, body) to ix.
func bulk(tb testing.TB, ix *Index, bodies map[string]string) {
	tb.Helper()
	var sb strings.Builder
	for _, id := range slices.Sorted(maps.Keys(bodies)) {
		fmt.Fprintf(&sb, `{"id":%q,"title":"Report","body":%q}`+"\n", id, bodies[id])
	}
	err := ix.Bulk(context.Background(), strings.NewReader(sb.String()), 1<<20, func(rs []WriteResult) error {
		for _, r := range rs {
			if r.Status == StatusError {
				return fmt.Errorf("%s: %w", r.ID, r.Err)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// zebras are 601 articles: 150 about zebras, one misspelling it "zebrra"
// (held by fewer than one article in rareShare: a respelling's candidate).
func zebras() map[string]string {
	bodies := map[string]string{"rare": "A zebrra was seen near the river"}
	for i := range 600 {
		bodies[fmt.Sprint("a", i)] = fmt.Sprintf("Market report %d on wheat and corn", i)
		if i < 150 {
			bodies[fmt.Sprint("a", i)] = fmt.Sprintf("The zebra herd %d grazed near the river", i)
		}
	}
	return bodies
}

// zebraIndex is the path of a closed index of zebras.
func zebraIndex(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "idx")
	ix, err := Create(DefaultOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	bulk(t, ix, zebras())
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// textTerm is the term the index holds for word.
func textTerm(ix *Index, word string) string {
	return string(ix.shards[0].Mapping().AnalyzerNamed(schema.Analyzer(ix.meta.Language)).Analyze([]byte(word))[0].Term)
}

// respellings are the terms list offers as respellings of word.
func respellings(ix *Index, list *engine.FrequentList, word string) []string {
	var out []string
	for _, n := range list.Respellings(textTerm(ix, word)) {
		out = append(out, fmt.Sprintf("%s:%d", n.Term, n.Count))
	}
	return out
}

// TestFrequentWarmedAtOpen: Open builds the list of frequent terms in the
// background, without a search.
func TestFrequentWarmedAtOpen(t *testing.T) {
	ix, err := Open(DefaultOptions(zebraIndex(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	await(t, ix.frequent.Ready(), "the build started by Open") // no search: Open started it
	if got := respellings(ix, currentList(ix), "zebrra"); !slices.Equal(got, []string{"zebra:150"}) {
		t.Errorf("respellings of zebrra: %v, want zebra:150", got)
	}
	if res := mustSearch(t, ix, Query{Text: "zebrra"}); res.Suggestion != "zebra" || res.Total != 151 {
		t.Errorf("zebrra: suggestion %q, total %d; want zebra, 151 (as typed and respelt)", res.Suggestion, res.Total)
	}
}

// TestSearchDuringFirstFrequentBuild: a search while the first build of
// the list runs does not wait for it: it walks the dictionary instead, with
// the same answers (a rare misspelling is offered and searched as its
// respelling).
func TestSearchDuringFirstFrequentBuild(t *testing.T) {
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	started, release, built := heldBuilds(ix) // no build ran yet: Create starts none
	bulk(t, ix, zebras())
	for range 2 { // the first starts the build, the second finds it running
		res := mustSearch(t, ix, Query{Text: "zebrra"})
		if res.Suggestion != "zebra" || res.Total != 151 {
			t.Errorf("zebrra while the list is built: suggestion %q, total %d; want zebra, 151", res.Suggestion, res.Total)
		}
	}
	await(t, started, "the build started by the first search") // still held by release: no search waited for it
	if currentList(ix) != nil {
		t.Fatal("a list while its first build is held")
	}
	close(release)
	if err := await(t, built, "the build's end"); err != nil {
		t.Fatal(err)
	}
	if got := respellings(ix, frequentList(t, ix), "zebrra"); !slices.Equal(got, []string{"zebra:150"}) {
		t.Errorf("respellings of zebrra once built: %v, want zebra:150", got)
	}
}

// TestFrequentRefreshedAfterWrites: after writes and Refresh, a search
// starts a build in the background and gets the previous list meanwhile;
// once built, a word that became frequent is offered.
func TestFrequentRefreshedAfterWrites(t *testing.T) {
	ix, err := Open(DefaultOptions(zebraIndex(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	before := frequentList(t, ix)
	ix.frequent.SetRefresh(0)
	started, release, built := heldBuilds(ix)
	okapis := map[string]string{"okkapi": "An okkapi was seen in the forest"}
	for i := range 150 {
		okapis[fmt.Sprint("o", i)] = fmt.Sprintf("The okapi %d hid in the forest", i)
	}
	bulk(t, ix, okapis)
	// The list in use was built before the okapis: okkapi is not respelt.
	if res := mustSearch(t, ix, Query{Text: "okkapi"}); res.Suggestion != "" {
		t.Errorf("okkapi with the previous list: suggestion %q, want none", res.Suggestion)
	}
	await(t, started, "the build started by the search after the writes")
	if currentList(ix) != before {
		t.Error("not the previous list while the next is built")
	}
	close(release)
	if err := await(t, built, "the build's end"); err != nil {
		t.Fatal(err)
	}
	if got := respellings(ix, currentList(ix), "okkapi"); !slices.Equal(got, []string{"okapi:150"}) {
		t.Errorf("respellings of okkapi after the rebuild: %v, want okapi:150", got)
	}
	if res := mustSearch(t, ix, Query{Text: "okkapi"}); res.Suggestion != "okapi" {
		t.Errorf("okkapi after the rebuild: suggestion %q, want okapi", res.Suggestion)
	}
}

// TestCloseDuringFrequentBuild: Close cancels a running build and returns
// once it ended (its goroutine done, its reference released).
func TestCloseDuringFrequentBuild(t *testing.T) {
	ix, err := Open(DefaultOptions(zebraIndex(t)))
	if err != nil {
		t.Fatal(err)
	}
	frequentList(t, ix)
	ix.frequent.SetRefresh(0)
	started, built := make(chan struct{}, 1), make(chan error, 1)
	ix.frequent.SetHooks(engine.FrequentHooks{
		Building: func(ctx context.Context) { started <- struct{}{}; <-ctx.Done() }, // ends only when cancelled
		Built:    func(err error) { built <- err },
	})
	bulk(t, ix, map[string]string{"new": "One more zebra"})
	mustSearch(t, ix, Query{Text: "zebrra"})
	await(t, started, "the build started by the search after the write")
	closed := make(chan error, 1)
	go func() { closed <- ix.Close() }()
	if err := await(t, closed, "Close during a build"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-built:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the build cancelled by Close ended with %v", err)
		}
	default:
		t.Fatal("Close returned before the build ended")
	}
}

// TestFrequentWarmedAtSwap: a rebuild's generation builds its list once
// swapped in, without a search.
func TestFrequentWarmedAtSwap(t *testing.T) {
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	if _, err := ix.Sync(ctx, []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	old := frequentList(t, ix)
	if _, err := ix.Rebuild(ctx, []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	ix.mu.RLock()
	f := ix.frequent
	ix.mu.RUnlock()
	await(t, f.Ready(), "the build started by the swap") // no search since the swap
	if list := currentList(ix); list == old || list.Floor() == 0 {
		t.Errorf("after the swap: the old list (%v) or one of floor %d", list == old, list.Floor())
	}
}
