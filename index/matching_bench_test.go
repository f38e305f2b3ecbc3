package index

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/suggest"
)

// matchingIndex is an index of the Reuters corpus, or of the corpus named
// by FOLIO_BENCH_CORPUS (e.g. the 10× one of cmd/expand).
func matchingIndex(tb testing.TB) *Index {
	tb.Helper()
	corpus := os.Getenv("FOLIO_BENCH_CORPUS")
	if corpus == "" {
		corpus = needReuters(tb, "matching on the Reuters corpus is not checked")
	}
	opts := DefaultOptions(filepath.Join(tb.TempDir(), "idx"))
	// This index tests matching, not speed: under -race on a loaded machine
	// a search may take longer than the default 5 s deadline.
	opts.Timeout = time.Minute
	ix, err := Create(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if _, err := ix.Ingest(context.Background(), []string{corpus}, IngestOptions{}); err != nil {
		tb.Fatal(err)
	}
	frequentList(tb, ix) // benchmarks measure searches with the list built
	return ix
}

// TestMatchingReuters: on the whole Reuters corpus, did you mean corrects
// typos to the words people mean, and a misspelling finds its word's articles.
func TestMatchingReuters(t *testing.T) {
	ix := matchingIndex(t)
	for q, want := range map[string]string{
		"oill":       "oil",
		"oil pricez": "oil prices",
		"goverment":  "government",
		"oil prices": "",
		"aga":        "", // a short rare word the index holds is a name (AGA), not "ago"
		"+vtr":       "", // not "+dlrs": two edits and another first letter
	} {
		if res := mustSearch(t, ix, Query{Text: q}); res.Suggestion != want {
			t.Errorf("%q (total %d): suggestion %q, want %q", q, res.Total, res.Suggestion, want)
		}
	}
	// A rare misspelling the index holds ("goverment": 9 articles) is also
	// searched as its correction, after the articles holding it as typed,
	// in a graded query and in a long one ranked by score.
	misspelt := mustSearch(t, ix, Query{Text: "body:goverment", Size: 100}) // fielded: as typed
	if misspelt.Total == 0 || misspelt.Total > 20 {
		t.Fatalf("body:goverment: total %d, want the few articles holding the misspelling", misspelt.Total)
	}
	for _, c := range []struct{ text, both string }{
		{"goverment", "body:goverment body:government"},
		{"goverment budget deficit spending cuts", "body:goverment body:government budget deficit spending cuts"},
	} {
		res := mustSearch(t, ix, Query{Text: c.text, Size: 50})
		union := mustSearch(t, ix, Query{Text: c.both, Size: 1})
		if res.Total != union.Total || res.Total <= misspelt.Total {
			t.Errorf("%q: total %d, want %d (the articles holding goverment or government)", c.text, res.Total, union.Total)
		}
		if c.text != "goverment" {
			continue
		}
		first := ids(res)[:min(len(res.Hits), int(misspelt.Total))]
		if slices.Sort(first); !slices.Equal(first, slices.Sorted(slices.Values(ids(misspelt)))) {
			t.Errorf("%q: first hits %v, want the articles holding it as typed %v", c.text, first, ids(misspelt))
		}
		if n := int(misspelt.Total); len(res.Hits) <= n || !strings.Contains(strings.ToLower(strings.Join(append(res.Hits[n].Highlights.Body, res.Hits[n].Highlights.Title...), " ")), "<mark>government</mark>") {
			t.Errorf("%q: hit %d does not mark government", c.text, misspelt.Total)
		}
	}
	// Ranked by date, it is searched as typed only (no tier puts its
	// articles first).
	if res := mustSearch(t, ix, Query{Text: "goverment", Sort: SortDateDesc}); res.Total != misspelt.Total {
		t.Errorf("goverment sort=-date: total %d, want the %d articles holding it", res.Total, misspelt.Total)
	}

	// Did you mean looks for corrections two edits away in the list of
	// frequent terms when one a single edit away is frequent enough: it
	// finds what the walk of the dictionary finds.
	dict := engine.NewDict(ix.shards)
	defer dict.Close()
	list := frequentList(t, ix)
	listed := 0
	for _, typo := range []string{"oill", "pricez", "agricultrue", "bankk", "expotrs", "tradde", "compnay", "markte", "dollr", "stoks", "shraes", "wheta"} {
		term := string(ix.shards[0].Mapping().AnalyzerNamed(schema.Analyzer(ix.meta.Language)).Analyze([]byte(typo))[0].Term)
		cs, err := dict.Corrections(schema.Text, term, 1)
		if err != nil {
			t.Fatal(err)
		}
		var one []engine.Near
		best := uint64(0)
		for _, c := range cs {
			one = append(one, engine.Near{Correction: c, Edits: 1})
			best = max(best, c.Count*twoEditsDiscount)
		}
		floor := list.Floor()
		if floor == 0 {
			t.Fatalf("frequent list floor %d: want the whole dictionary read", floor)
		}
		if best < twoEditsDiscount*floor {
			continue
		}
		listed++
		fromList, err := listedTwoEdits(dict, list, term, one)
		if err != nil {
			t.Fatal(err)
		}
		walked, err := dict.Corrections(schema.Text, term, 2)
		if err != nil {
			t.Fatal(err)
		}
		var fromWalk []engine.Near
		for _, c := range walked {
			fromWalk = append(fromWalk, engine.Near{Correction: c, Edits: suggest.EditDistance(term, c.Term)})
		}
		a, err := pick(dict, term, 0, append(slices.Clone(one), fromList...), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := pick(dict, term, 0, append(slices.Clone(one), fromWalk...), nil)
		if err != nil {
			t.Fatal(err)
		}
		if a != b || a == "" {
			t.Errorf("%s: correction %q from the list of frequent terms, %q from the dictionary", typo, a, b)
		}
	}
	if listed < 6 {
		t.Errorf("only %d typos looked up in the list of frequent terms", listed)
	}
	// Before the list is built, a rare word's respellings come from a walk
	// of the dictionary: the same ones (a sample of 240 respelt Reuters
	// terms differed in one, 19.90, whose walk stops at its bound).
	for _, term := range []string{textTerm(ix, "goverment"), "analsyst", "augsut", "asssist", "admimistr", "broadacast", "billio", "alkso", "acccord"} {
		held, err := dict.Count(schema.Text, term)
		if err != nil || held == 0 {
			t.Fatalf("%s: held by %d, %v", term, held, err)
		}
		walked, err := walkedRespellings(dict, term)
		if err != nil {
			t.Fatal(err)
		}
		a, err := pick(dict, term, held, list.Respellings(term), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := pick(dict, term, held, walked, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a != b || a == "" {
			t.Errorf("%s: respelling %q from the list of frequent terms, %q from the dictionary", term, a, b)
		}
	}

	// A misspelling the index lacks finds its word's articles.
	right := mustSearch(t, ix, Query{Text: "agriculture", Size: 20})
	typo := mustSearch(t, ix, Query{Text: "agricultrue", Size: 20})
	if typo.Total < right.Total || len(typo.Hits) == 0 || !slices.Contains(ids(right), typo.Hits[0].ID) {
		t.Errorf("agricultrue: total %d, first %v; want at least agriculture's %d, one of its first articles first", typo.Total, ids(typo)[:min(1, len(typo.Hits))], right.Total)
	}
}

// BenchmarkMatching measures the typo, prefix (as you type), graded and
// did-you-mean paths on the Reuters corpus (FOLIO_BENCH_CORPUS for
// another, e.g. the 10× corpus of cmd/expand), reporting each search's
// p50 and p99 latency and the process's CPU time per search.
func BenchmarkMatching(b *testing.B) {
	ix := matchingIndex(b)
	for _, c := range []struct {
		name string
		q    Query
	}{
		{"as_typed", Query{Text: "oil prices"}},
		{"required", Query{Text: "+oil +prices"}},
		{"typo", Query{Text: "oil pricez"}},
		{"typo_two_edits", Query{Text: "goverment"}},
		{"transposition", Query{Text: "oil prcies"}},
		{"prefix", Query{Text: "oil pri", AsYouType: true}},
		{"prefix_two_letters", Query{Text: "oil pr", AsYouType: true}},
		{"graded_3_words", Query{Text: "japan trade surplus"}},
		{"graded_rare_and_common", Query{Text: "sandoz year"}},
		{"did_you_mean", Query{Text: "oill"}},
		{"long", Query{Text: "what did the opec ministers decide about oil prices in vienna"}},
		{"long_as_you_type", Query{Text: "what did the opec ministers decide about oil prices in vien", AsYouType: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var took []time.Duration
			b.ReportAllocs()
			cpu0 := cpuNow()
			for b.Loop() {
				start := time.Now()
				if _, err := ix.Search(context.Background(), c.q); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			b.ReportMetric(float64(cpuNow()-cpu0)/float64(len(took)), "cpu-ns/op")
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
