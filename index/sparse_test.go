package index

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index/internal/engine"
)

// sparseArticle is one article of sparseCorpus, with what decides who sees it.
type sparseArticle struct {
	id     string
	groups []string
	tags   []string
	source string
	date   time.Time
}

// sparseCorpus writes n generated articles (a JSON line each) into a new
// folder: 1 in 10 public, the others in one of 23 groups; a few words of a
// small vocabulary each (so that queries match many), the tag "rare" on 1
// in 29, four sources, one date an hour. It returns the folder and the
// articles.
func sparseCorpus(t *testing.T, n int) (string, map[string]sparseArticle) {
	t.Helper()
	words := []string{"oil", "prices", "crude", "refinery", "refining", "refined", "petroleum", "markets", "shipping", "tanker", "barrel", "exports"}
	rng := rand.New(rand.NewPCG(7, 11))
	dir := t.TempDir()
	var b strings.Builder
	all := map[string]sparseArticle{}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		a := sparseArticle{id: fmt.Sprintf("a%04d", i), source: fmt.Sprintf("s%d", i%4), date: start.Add(time.Duration(i) * time.Hour)}
		if i%10 != 0 {
			a.groups = []string{fmt.Sprintf("g%d", i%23)}
		}
		a.tags = []string{fmt.Sprintf("t%d", i%3)}
		if i%29 == 0 {
			a.tags = append(a.tags, "rare")
		}
		var body, title []string
		for range 3 + rng.IntN(12) {
			body = append(body, words[rng.IntN(len(words))])
		}
		if i%5 == 0 {
			body = append(body, "crude", "oil")
		}
		for range 1 + rng.IntN(3) {
			title = append(title, words[rng.IntN(len(words))])
		}
		line, err := json.Marshal(map[string]any{
			"id": a.id, "title": strings.Join(title, " "), "body": strings.Join(body, " ") + ".",
			"date": a.date.Format(time.RFC3339), "groups": a.groups, "tags": a.tags, "source": a.source,
		})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
		all[a.id] = a
	}
	if err := os.WriteFile(filepath.Join(dir, "articles.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, all
}

// sees reports whether vis may see a, judged by hand from its groups, tags,
// source and date.
func sees(vis Visibility, a sparseArticle) bool {
	anyOf := func(want, have []string) bool {
		return len(want) == 0 || slices.ContainsFunc(have, func(s string) bool { return slices.Contains(want, s) })
	}
	inGroup := slices.ContainsFunc(a.groups, func(g string) bool { return slices.Contains(vis.Groups, g) })
	return (len(a.groups) == 0 || inGroup) && anyOf(vis.Tags, a.tags) &&
		anyOf(vis.Sources, []string{a.source}) &&
		(vis.Start.IsZero() || !a.date.Before(vis.Start)) && (vis.End.IsZero() || a.date.Before(vis.End))
}

// TestSparseReaders: a reader who sees few articles has the bitmap of its
// visibility drive the query's searcher (engine's driven search) rather
// than filter its matches; every answer — hits in order with their scores
// and snippets, total, facets, suggestion, cursor pages — is exactly that of
// the post-filter (forced with SetSparseShare(0) and SetSparseShare(1)),
// for sparse, small and broad readers and query shapes of every kind, on
// one shard and on two; and the hits are the admin's visible ones (by
// hand), in the admin's order with the admin's scores where the query is
// the same for both (not for typos and completions, which are counted
// over the reader's articles).
func TestSparseReaders(t *testing.T) {
	for _, shards := range []int{1, 2} {
		t.Run(fmt.Sprint(shards, "shards"), func(t *testing.T) { sparseReaders(t, shards) })
	}
}

// sparseReaders is TestSparseReaders on an index of shards shards.
func sparseReaders(t *testing.T, shards int) {
	dir, arts := sparseCorpus(t, 900)
	o := DefaultOptions("")
	o.Shards = shards
	ix := builtIndexFrom(t, o, dir)
	filters := ix.planner.Filters
	t.Cleanup(func() { filters.SetSparseShare(engine.DefaultSparseShare) })
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	broad := make([]string, 16)
	for i := range broad {
		broad[i] = fmt.Sprintf("g%d", i)
	}
	readers := []struct {
		name string
		vis  Visibility
	}{
		{"rare tag", Visibility{Groups: []string{"g5"}, Tags: []string{"rare"}}},
		{"few days", Visibility{Groups: []string{"g1", "g2"}, Start: day(5), End: day(8)}},
		{"one group", Visibility{Groups: []string{"g7"}}},
		{"no token", Visibility{}},
		{"16 groups", Visibility{Groups: broad}},
	}
	type shape struct {
		q       Query
		byScore bool // the reader's query is the admin's: same order and scores
	}
	shapes := []shape{
		{Query{Text: "oil prices"}, true},
		{Query{Text: "tanker"}, true},
		{Query{Text: `"crude oil"`}, true},
		{Query{Text: "+oil +refinery"}, true},
		{Query{Text: "+oil -prices"}, true},
		{Query{Text: "oil prices", Match: MatchAll}, true},
		{Query{Text: "shipping barrel", Mode: ModeText}, true},
		{Query{Text: "petrolem"}, false},
		{Query{Text: "markets refin", AsYouType: true}, false},
		{Query{}, true},
		{Query{Text: "exports", Sort: SortDateDesc}, true},
		{Query{Sort: SortDateAsc}, true},
		{Query{Text: "oil", Facets: []string{"tags,source", "date"}}, true},
		{Query{Text: "prices", Filters: []string{"tags:t1"}, From: "2024-01-03", To: "2024-01-30"}, true},
	}
	ctx := context.Background()
	search := func(q Query) *Result {
		t.Helper()
		res, err := ix.Search(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		return res
	}
	// walk is every hit of q, page by page through cursors (pages of
	// size), and the first page's answer written out whole.
	walk := func(q Query, size int) ([]Hit, string) {
		t.Helper()
		q.Size = size
		var hits []Hit
		var first string
		for page := 0; ; page++ {
			res := search(q)
			if page == 0 {
				first = answer(res)
			}
			hits = append(hits, res.Hits...)
			if res.Cursor == "" || page > 1000 {
				return hits, first
			}
			q.Cursor = res.Cursor
		}
	}
	driven := 0
	for _, s := range shapes {
		filters.SetSparseShare(0)
		aq := s.q
		aq.Facets, aq.Visible = nil, AllArticles()
		admin, _ := walk(aq, 100)
		for _, r := range readers {
			q := s.q
			q.Visible = r.vis
			var want, wantPages string
			for k, share := range []float64{0, 1, engine.DefaultSparseShare} {
				filters.SetSparseShare(share)
				all, first := walk(q, 100)
				paged, _ := walk(q, 7)
				got := answer(&Result{Hits: all})
				if p := answer(&Result{Hits: paged}); p != got {
					t.Errorf("%s, %+v, share %v: pages of 7 give\n%s\nall at once\n%s", r.name, s.q, share, p, got)
				}
				if k == 0 {
					want, wantPages = first, got
					continue
				}
				if first != want || got != wantPages {
					t.Errorf("%s, %+v: the driven search (share %v) answers\n%s\n%s\nthe post-filter\n%s\n%s", r.name, s.q, share, first, got, want, wantPages)
				}
			}
			var byHand []Hit
			for _, h := range admin {
				if sees(r.vis, arts[h.ID]) {
					byHand = append(byHand, h)
				}
			}
			all, _ := walk(q, 100)
			if s.byScore {
				if got, want := scoredIDs(all), scoredIDs(byHand); !slices.Equal(got, want) {
					t.Errorf("%s, %+v: hits\n%v\nwant the admin's visible ones\n%v", r.name, s.q, got, want)
				}
			} else if got, want := slices.Sorted(slices.Values(hitIDs(all))), slices.Sorted(slices.Values(hitIDs(byHand))); !slices.Equal(got, want) {
				t.Errorf("%s, %+v: hits %v, want the admin's visible ones %v", r.name, s.q, got, want)
			}
			if res := search(q); res.Total != uint64(len(all)) {
				t.Errorf("%s, %+v: total %d, %d hits", r.name, s.q, res.Total, len(all))
			}
			if len(s.q.Facets) > 0 {
				checkFacetsByHand(t, r.name, search(q), all, arts)
			}
			visible := 0
			for _, a := range arts {
				if sees(r.vis, a) {
					visible++
				}
			}
			if visible*10 <= len(arts) && len(all) > 0 {
				driven++
			}
		}
	}
	if driven < len(shapes) {
		t.Errorf("only %d searches were of sparse readers with hits", driven)
	}
}

// answer writes out what a reader is answered, scores and snippets included.
func answer(res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "total %d cursor %t suggestion %q\n", res.Total, res.Cursor != "", res.Suggestion)
	for _, f := range res.Facets {
		fmt.Fprintf(&b, "facet %s/%s %v\n", f.Field, f.Interval, f.Buckets)
	}
	for _, h := range res.Hits {
		fmt.Fprintf(&b, "hit %s %v %q %q\n", h.ID, h.Score, h.Highlights.Title, h.Highlights.Body)
	}
	return b.String()
}

// scoredIDs are the hits' ids with their scores, in order.
func scoredIDs(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s %v", h.ID, h.Score)
	}
	return out
}

// hitIDs are the hits' ids in order.
func hitIDs(hits []Hit) []string { return ids(&Result{Hits: hits}) }

// checkFacetsByHand compares res's source and tags facets with the counts
// of all (every hit of the search) by hand.
func checkFacetsByHand(t *testing.T, reader string, res *Result, all []Hit, arts map[string]sparseArticle) {
	t.Helper()
	want := map[string]map[string]int{"source": {}, "tags": {}}
	for _, h := range all {
		a := arts[h.ID]
		want["source"][a.source]++
		for _, tag := range a.tags {
			want["tags"][tag]++
		}
	}
	for _, f := range res.Facets {
		if w, ok := want[f.Field]; ok {
			got := map[string]int{}
			for _, b := range f.Buckets {
				got[b.Value] = b.Count
			}
			if fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("%s: facet %s %v, by hand %v", reader, f.Field, got, w)
			}
		}
	}
}
