package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/engine"
)

// accessArticles holds public articles and articles of the groups hr,
// finance, eng and ops, made of words no other article has (zorbulent,
// quixotrel, marrowind: hr; flumbertex, grindlewick: eng).
const accessArticles = "../testdata/access"

// reader is one reader of the leak tests and the words it must never see.
type reader struct {
	name   string
	vis    Visibility
	hidden []string // words only articles it may not see hold
}

var accessReaders = []reader{
	{"hr", Visibility{Groups: []string{"hr"}}, []string{"flumbertex", "grindlewick"}},
	{"eng", Visibility{Groups: []string{"eng"}}, []string{"zorbulent", "quixotrel", "marrowind"}},
	{"public", Visibility{}, []string{"flumbertex", "grindlewick", "zorbulent", "quixotrel", "marrowind"}},
}

// visibleCopy is a folder holding only the articles of dir that vis may
// see (judged from their Groups headers), for an index to compare with.
func visibleCopy(t *testing.T, dir string, vis Visibility) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := &article.Parser{Dates: article.DefaultDateParser()}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		a, perr := p.ParseText(b, e.Name(), e.Name())
		if perr != nil {
			t.Fatal(perr)
		}
		if len(a.Groups) == 0 || slices.ContainsFunc(a.Groups, func(g string) bool { return slices.Contains(vis.Groups, g) }) {
			if err := os.WriteFile(filepath.Join(out, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// seenByReader is what a reader learns from a result apart from the order
// and scores (which use the whole index's term statistics): ids, total,
// facets, suggestion and the snippets' text.
func seenByReader(res *Result) string {
	got := slices.Sorted(slices.Values(ids(res)))
	var b strings.Builder
	fmt.Fprintf(&b, "total %d ids %v suggestion %q\n", res.Total, got, res.Suggestion)
	for _, f := range res.Facets {
		fmt.Fprintf(&b, "facet %s/%s %v\n", f.Field, f.Interval, f.Buckets)
	}
	for _, h := range res.Hits {
		fmt.Fprintf(&b, "hit %s %q %q %q %v\n", h.ID, h.Title, h.Highlights.Title, h.Highlights.Body, h.Tags)
	}
	return b.String()
}

// TestVisibilityLeaksNothing: for each reader, every search answers what an
// index of only the articles it may see answers (ids, total, every facet
// count, suggestions), and no result holds a word of the others.
func TestVisibilityLeaksNothing(t *testing.T) {
	full := builtIndexFrom(t, DefaultOptions(""), accessArticles)
	queries := []Query{
		{}, {Text: "salary"}, {Text: "spring"}, {Text: "zorbulent"}, {Text: "flumbertex grindlewick"},
		{Text: "payroll", Facets: []string{"source,tags,date"}},
		{Facets: []string{"source,tags,date"}},
		{Text: "spring", Facets: []string{"source", "tags"}, Filters: []string{"source:HR portal"}},
		{Text: "spring", Facets: []string{"source", "tags", "date"}, Filters: []string{"tags:confidential"}, From: "2025-01-01"},
		{Text: "zorbulant"},   // one edit from zorbulent: typo tolerance and did-you-mean
		{Text: "flumbertez"},  // one edit from flumbertex
		{Text: "marrowindd"},  // one edit from marrowind
		{Text: "grindlewack"}, // one edit from grindlewick (3 eng articles) and grindlewock (1 public)
		{Text: "grindlewick"}, // a public reader's typo for grindlewock
		{Text: "zorbulent OR cafeteria"},
		{Text: "grindle", AsYouType: true, Facets: []string{"source"}}, // completes to grindlewick (3 eng articles) and grindlewock (1 public)
		{Text: "zorb", AsYouType: true},
		{Text: "how the salary review and payroll bands work in spring"}, // relevance feedback
		{Text: "quixotrel", Mode: ModeText},
	}
	for _, r := range accessReaders {
		t.Run(r.name, func(t *testing.T) {
			only := builtIndexFrom(t, DefaultOptions(""), visibleCopy(t, accessArticles, r.vis))
			for _, q := range queries {
				q.Size = 20
				restricted := q
				restricted.Visible = r.vis
				got := mustSearch(t, full, restricted)
				q.Visible = AllArticles()
				want := mustSearch(t, only, q)
				if diff := cmp.Diff(seenByReader(want), seenByReader(got)); diff != "" {
					t.Errorf("%q as %s differs from an index of the visible articles (-visible only +restricted):\n%s", q.Text, r.name, diff)
				}
				text := strings.ToLower(seenByReader(got))
				for _, w := range r.hidden {
					if strings.Contains(text, w) {
						t.Errorf("%q as %s shows %q:\n%s", q.Text, r.name, w, text)
					}
				}
			}
		})
	}
}

// TestVisibilityOfSingleReads: an article a reader may not see is
// ErrNotFound with the message of a missing one, marked or related; it is
// never related to another; suggestions offer only visible titles.
func TestVisibilityOfSingleReads(t *testing.T) {
	ix := builtIndexFrom(t, DefaultOptions(""), accessArticles)
	ctx := context.Background()
	eng := Visibility{Groups: []string{"eng"}}
	hr := Visibility{Groups: []string{"hr"}}
	_, missing := ix.Article(ctx, "no-such", eng)
	for _, err := range []error{
		func() error { _, err := ix.Article(ctx, "hr-payroll", eng); return err }(),
		func() error { _, err := ix.Article(ctx, "hr-payroll", Visibility{}); return err }(),
		func() error { _, err := ix.MarkedArticle(ctx, "hr-payroll", "payroll", eng); return err }(),
		func() error { _, err := ix.Related(ctx, "hr-payroll", Query{Visible: eng}); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) || strings.ReplaceAll(err.Error(), "hr-payroll", "no-such") != missing.Error() {
			t.Errorf("hidden article: %v, want the error of a missing one (%v)", err, missing)
		}
	}
	if a, err := ix.Article(ctx, "hr-payroll", hr); err != nil || a.Title != "Zorbulent payroll adjustments" || !slices.Equal(a.Groups, []string{"hr"}) {
		t.Errorf("hr reads hr-payroll: %+v, %v", a, err)
	}
	if a, err := ix.Article(ctx, "hr-severance", AllArticles()); err != nil || !slices.Equal(a.Groups, []string{"hr", "finance"}) {
		t.Errorf("groups read back: %+v, %v (want hr, finance lower-cased)", a, err)
	}
	if m, err := ix.MarkedArticle(ctx, "hr-payroll", "zorbulent", hr); err != nil || !strings.Contains(m.TitleHTML, "<mark>Zorbulent</mark>") {
		t.Errorf("hr marks hr-payroll: %+v, %v", m, err)
	}
	// Related: a public article shares "salary" and "spring" with hidden ones.
	for _, r := range accessReaders {
		res, err := ix.Related(ctx, "salary-review", Query{Visible: r.vis, Size: 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if _, err := ix.Article(ctx, h.ID, r.vis); err != nil {
				t.Errorf("related to salary-review as %s: %s, which it may not see", r.name, h.ID)
			}
		}
	}
	all, err := ix.Related(ctx, "salary-review", Query{Visible: AllArticles(), Size: 20})
	if err != nil || !slices.Contains(ids(all), "hr-severance") {
		t.Errorf("related to salary-review for all: %v, %v; want hr-severance among them (else the test proves nothing)", ids(all), err)
	}
	for _, tt := range []struct {
		vis  Visibility
		text string
		want []string
	}{
		{hr, "zorb", []string{"Zorbulent payroll adjustments"}},
		{eng, "zorb", []string{}},
		{Visibility{}, "flumb", []string{}},
		{eng, "flumb", []string{"Flumbertex deployment runbook"}},
		{Visibility{}, "salary", []string{"How the salary review works"}},
	} {
		got, err := ix.Suggest(ctx, tt.text, 5, tt.vis)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Suggest(%q, %v) = %q, %v; want %q", tt.text, tt.vis.Groups, got, err, tt.want)
		}
	}
}

// TestCursorBoundToVisibility: a cursor continues for the reader it was
// made for and is refused for another.
func TestCursorBoundToVisibility(t *testing.T) {
	ix := builtIndexFrom(t, DefaultOptions(""), accessArticles)
	hr := Visibility{Groups: []string{"hr"}}
	first := mustSearch(t, ix, Query{Size: 1, Visible: hr})
	if first.Cursor == "" {
		t.Fatal("no cursor")
	}
	next := mustSearch(t, ix, Query{Size: 1, Cursor: first.Cursor, Visible: Visibility{Groups: []string{"hr"}}})
	if len(next.Hits) != 1 || next.Hits[0].ID == first.Hits[0].ID {
		t.Errorf("next page for hr: %v", ids(next))
	}
	for _, other := range []Visibility{{Groups: []string{"eng"}}, {}, AllArticles(), {Groups: []string{"hr"}, Tags: []string{"payroll"}}} {
		_, err := ix.Search(context.Background(), Query{Size: 1, Cursor: first.Cursor, Visible: other})
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Param != "cursor" || !strings.Contains(err.Error(), "another reader") {
			t.Errorf("hr's cursor used by %+v: %v, want a cursor error", other, err)
		}
	}
}

// TestVisibilityRestrictions: a token's sources, tags and dates narrow
// what its groups allow, also for counts of facets whose values are chosen.
func TestVisibilityRestrictions(t *testing.T) {
	ix := builtIndexFrom(t, DefaultOptions(""), accessArticles)
	for _, tt := range []struct {
		vis  Visibility
		q    Query
		want []string
	}{
		{Visibility{Groups: []string{"hr"}, Sources: []string{"HR portal"}}, Query{}, []string{"hr-payroll", "hr-severance"}},
		{Visibility{Groups: []string{"hr", "eng"}, Tags: []string{"runbook", "food"}}, Query{}, []string{"cafeteria", "eng-oncall", "eng-postmortem", "eng-runbook", "lunch-quiz"}},
		{Visibility{Groups: []string{"eng"}, Tags: []string{"runbook"}}, Query{Filters: []string{"tags:food"}}, nil},
	} {
		tt.q.Visible, tt.q.Size = tt.vis, 20
		tt.q.Facets = []string{"tags"}
		res := mustSearch(t, ix, tt.q)
		got := slices.Sorted(slices.Values(ids(res)))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %v, want %v", tt.vis, got, tt.want)
		}
		n := 0
		for _, b := range res.Facets[0].Buckets {
			if tt.vis.Tags != nil && !slices.Contains(tt.vis.Tags, b.Value) && b.Value != "oncall" {
				n += b.Count
			}
		}
		if n > 0 {
			t.Errorf("%+v: tag counts %v count articles outside the token's tags", tt.vis, res.Facets[0].Buckets)
		}
	}
	if _, err := ix.Search(context.Background(), Query{Visible: Visibility{Groups: make([]string, MaxVisibilityValues+1)}}); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("65 groups: %v, want ErrInvalidParameter", err)
	}
}

// TestNoFilterWithoutGroups: while no article has groups, a reader's
// searches carry no visibility filter (it would only cost time); the first
// article with groups, written over the API or by a rebuild, brings the
// filter back before any reader can see it.
func TestNoFilterWithoutGroups(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	pub, err := ix.DecodeArticle([]byte(`{"title":"Open zeppelin notes","body":"Zeppelins flew."}`), "pub")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Put(ctx, pub); err != nil {
		t.Fatal(err)
	}
	reader := Query{Text: "zeppelin"}
	if p, err := ix.plan(ctx, reader); err != nil || p.Visible != nil {
		t.Fatalf("no article has groups: filter %v (%v), want none", p.Visible, err)
	}
	first := mustSearch(t, ix, Query{Size: 1, Visible: Visibility{Groups: []string{"hr"}}})
	secret, err := ix.DecodeArticle([]byte(`{"title":"Secret zeppelin budget","body":"Zeppelins cost.","groups":["hr"]}`), "secret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Put(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if p, err := ix.plan(ctx, reader); err != nil || p.Visible == nil {
		t.Fatalf("an article has groups: filter %v (%v), want the visibility filter", p.Visible, err)
	}
	if got := ids(mustSearch(t, ix, reader)); !slices.Equal(got, []string{"pub"}) {
		t.Errorf("a reader without groups finds %v, want [pub]", got)
	}
	if _, err := ix.Article(ctx, "secret", Visibility{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("the secret article without a token: %v, want ErrNotFound", err)
	}
	// The cursor of a page made before groups existed still binds the reader.
	if _, err := ix.Search(ctx, Query{Size: 1, Cursor: first.Cursor, Visible: Visibility{Groups: []string{"eng"}}}); first.Cursor != "" && !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("hr's cursor for eng: %v, want a cursor error", err)
	}

	// A rebuild from files with groups: the new generation knows it has them.
	built := builtIndexFrom(t, DefaultOptions(""), visibleCopy(t, accessArticles, Visibility{}))
	if p, err := built.plan(ctx, Query{Text: "salary"}); err != nil || p.Filter != nil {
		t.Fatalf("public articles only: filter %v (%v)", p.Filter, err)
	}
	if _, err := built.Rebuild(ctx, []string{accessArticles}, IngestOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if got := mustSearch(t, built, Query{Text: "zorbulent"}); got.Total != 0 {
		t.Errorf("after a rebuild with hr articles, a reader without groups finds %v", ids(got))
	}
	if got := mustSearch(t, built, Query{Text: "zorbulent", Visible: Visibility{Groups: []string{"hr"}}}); got.Total != 1 {
		t.Errorf("after the rebuild, hr finds %v", ids(got))
	}
}

// TestVisibilityKeepsScores: the visibility filter changes neither the
// scores nor the order of the articles a reader sees: each reader's hits
// are, score for score (exactly) and in order, the visible ones among an
// unfiltered search's (the same index, so the same term statistics),
// through title boosts, graded tiers, date and keyword filters, date
// order and text mode. (Relevance feedback is left out: it expands a
// query by the words of the reader's own best matches, so its scores
// differ by design.)
func TestVisibilityKeepsScores(t *testing.T) {
	for _, shards := range []int{1, 2} {
		t.Run(fmt.Sprint(shards, "shards"), func(t *testing.T) { visibilityKeepsScores(t, shards) })
	}
}

// visibilityKeepsScores is TestVisibilityKeepsScores on an index of shards shards.
func visibilityKeepsScores(t *testing.T, shards int) {
	o := DefaultOptions("")
	o.Shards = shards
	ix := builtIndexFrom(t, o, accessArticles)
	type scored struct {
		id    string
		score float64
	}
	hits := func(q Query, vis Visibility) []scored {
		q.Visible, q.Size = vis, 50
		var out []scored
		for _, h := range mustSearch(t, ix, q).Hits {
			out = append(out, scored{h.ID, h.Score})
		}
		return out
	}
	for _, q := range []Query{
		{Text: "salary"}, {Text: "spring payroll"}, {Text: "salary OR zorbulent OR flumbertex"},
		{Text: "spring", Filters: []string{"tags:confidential"}, From: "2025-01-01"},
		{Text: "spring", Sort: "-date"}, {},
		{Text: "review payroll", Mode: ModeText},
		{Text: "+spring -cafeteria"},
	} {
		all := hits(q, AllArticles())
		for _, r := range accessReaders {
			var want []scored
			for _, h := range all {
				if _, err := ix.Article(context.Background(), h.id, r.vis); err == nil {
					want = append(want, h)
				}
			}
			if got := hits(q, r.vis); !slices.Equal(got, want) {
				t.Errorf("%+v as %s:\n got %v\nwant %v", q, r.name, got, want)
			}
		}
	}
}

// TestVisibilityKeepsSynonyms: a reader's search finds the articles it
// may see through synonyms as an unfiltered one does (bleve cannot see
// the query inside the visibility filter, which looks the synonyms up
// itself), on one shard and on two (global scoring), with the recency
// boost (engine.Rescored) and without, through the post-filter and the
// bitmap-driven search of sparse readers, and not the others.
func TestVisibilityKeepsSynonyms(t *testing.T) {
	for _, shards := range []int{1, 2} {
		for _, recency := range []time.Duration{0, 30 * 24 * time.Hour} {
			o := DefaultOptions("")
			o.Shards, o.Synonyms, o.RecencyHalfLife = shards, testSynonyms(t), recency
			ix := builtIndexFrom(t, o, testArticles)
			hidden := article.Article{ID: "hr-cambodia", Title: "Cambodia posting", Body: "Allowances for the Cambodia office.", Groups: []string{"hr"}}
			if _, err := ix.Put(context.Background(), hidden); err != nil {
				t.Fatal(err)
			}
			filters := ix.planner.Filters
			// 0: the bitmap filters the matches; 1: it drives the search (sparse readers).
			for _, share := range []float64{0, 1} {
				filters.SetSparseShare(share)
				for _, c := range []struct {
					vis  Visibility
					want []string
				}{
					{AllArticles(), []string{"hr-cambodia", "ironclad-friendship-cambodia"}},
					{Visibility{Groups: []string{"hr"}}, []string{"hr-cambodia", "ironclad-friendship-cambodia"}},
					{Visibility{Groups: []string{"eng"}}, []string{"ironclad-friendship-cambodia"}},
					{Visibility{}, []string{"ironclad-friendship-cambodia"}},
				} {
					res := mustSearch(t, ix, Query{Text: "Kampuchea", Visible: c.vis, Size: 50})
					if got := slices.Sorted(slices.Values(ids(res))); !slices.Equal(got, c.want) || res.Total != uint64(len(c.want)) {
						t.Errorf("%d shards, recency %v, sparse share %g, %+v: Kampuchea finds %v (total %d), want %v", shards, recency, share, c.vis, got, res.Total, c.want)
					}
				}
			}
			filters.SetSparseShare(engine.DefaultSparseShare)
		}
	}
}

// TestVisibilityAfterWrites: the bitmaps of the readers' filters, cached
// per index snapshot, follow every write: an article written, its groups
// changed and deleted are seen at once by who may see them, never by
// others (each search, count, typo word and did-you-mean in between
// filled the cache from the snapshot before).
func TestVisibilityAfterWrites(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	put := func(id, groups string) {
		t.Helper()
		a, err := ix.DecodeArticle([]byte(`{"title":"Zeppelin hangar `+id+`","body":"The zeppelin hangar plans.","groups":`+groups+`}`), id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ix.Put(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	hr, eng := Visibility{Groups: []string{"hr"}}, Visibility{Groups: []string{"eng"}}
	check := func(step string, want map[string][]string) {
		t.Helper()
		for name, vis := range map[string]Visibility{"hr": hr, "eng": eng, "public": {}} {
			for _, q := range []Query{{Text: "zeppelin"}, {Text: "zepelin hangar"}, {Facets: []string{"source"}}} {
				q.Visible = vis
				res := mustSearch(t, ix, q)
				got := slices.Sorted(slices.Values(ids(res)))
				if !slices.Equal(got, want[name]) || res.Total != uint64(len(want[name])) {
					t.Errorf("%s: %s searching %q finds %v (total %d), want %v", step, name, q.Text, got, res.Total, want[name])
				}
			}
		}
	}
	put("pub", "[]")
	put("a", `["hr"]`)
	check("written", map[string][]string{"hr": {"a", "pub"}, "eng": {"pub"}, "public": {"pub"}})
	put("b", `["eng"]`)
	check("another written", map[string][]string{"hr": {"a", "pub"}, "eng": {"b", "pub"}, "public": {"pub"}})
	put("a", `["eng"]`)
	check("groups changed", map[string][]string{"hr": {"pub"}, "eng": {"a", "b", "pub"}, "public": {"pub"}})
	if err := ix.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	check("deleted", map[string][]string{"hr": {"pub"}, "eng": {"a", "pub"}, "public": {"pub"}})
}
