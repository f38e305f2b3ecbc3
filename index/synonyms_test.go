package index

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index/internal/plan"
)

func TestSynonyms(t *testing.T) {
	groups := testSynonyms(t)
	dir := filepath.Join(t.TempDir(), "idx")
	o := DefaultOptions(dir)
	plain, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Ingest(context.Background(), []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	want, _ := plain.Count()
	if res := mustSearch(t, plain, Query{Text: "Kampuchea"}); res.Total != 0 {
		t.Fatalf("without synonyms Kampuchea finds %v", ids(res))
	}
	plain.Close()

	o.Synonyms = groups
	ix, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	res := mustSearch(t, ix, Query{Text: "Kampuchea"})
	if got := ids(res); len(got) == 0 || got[0] != "ironclad-friendship-cambodia" {
		t.Errorf("Kampuchea with synonyms: %v, want the Cambodia article first", got)
	}
	// A group with a multi-word member: PRC finds what China finds.
	prc, china := mustSearch(t, ix, Query{Text: "PRC", Size: 100}), mustSearch(t, ix, Query{Text: "China", Size: 100})
	if prc.Total == 0 || !slices.Equal(ids(prc), ids(china)) || !slices.Contains(ids(prc), "ironclad-friendship-cambodia") {
		t.Errorf("PRC: %v; China: %v; want the same articles, the Cambodia one among them", ids(prc), ids(china))
	}
	if n, _ := ix.Count(); n != want {
		t.Errorf("Count = %d with synonyms, want %d (synonym definitions are not articles)", n, want)
	}
	browse := mustSearch(t, ix, Query{Size: 100})
	if browse.Total != want || slices.ContainsFunc(ids(browse), func(id string) bool { return strings.HasPrefix(id, plan.SynonymIDPrefix) }) {
		t.Errorf("browsing: total %d (want %d), synonym definitions listed: %v", browse.Total, want, ids(browse))
	}
	ix.Close()

	// Removing the groups removes them from the index.
	o.Synonyms = nil
	ix, err = Open(o)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if res := mustSearch(t, ix, Query{Text: "Kampuchea"}); res.Total != 0 {
		t.Errorf("after removing the synonyms, Kampuchea still finds %v", ids(res))
	}
}

// TestRecencyKeepsSynonyms: with the recency boost (a rescoring bleve's
// synonym lookup does not see into), synonyms still match, on one shard
// and on two, with and without a reader's visibility filter and in
// graded tiers.
func TestRecencyKeepsSynonyms(t *testing.T) {
	for _, shards := range []int{1, 2} {
		o := DefaultOptions("")
		o.Shards, o.Synonyms = shards, testSynonyms(t)
		o.RecencyHalfLife = 30 * 24 * time.Hour
		ix := builtIndexFrom(t, o, testArticles)
		for _, vis := range []Visibility{AllArticles(), {Groups: []string{"eng"}}} {
			res := mustSearch(t, ix, Query{Text: "Kampuchea", Visible: vis})
			if got := ids(res); len(got) == 0 || got[0] != "ironclad-friendship-cambodia" {
				t.Errorf("%d shards, %+v: Kampuchea with recency: %v, want the Cambodia article first", shards, vis, got)
			}
			prc := mustSearch(t, ix, Query{Text: "PRC", Size: 100, Visible: vis})
			china := mustSearch(t, ix, Query{Text: "China", Size: 100, Visible: vis})
			if prc.Total == 0 || prc.Total != china.Total || !slices.Contains(ids(prc), "ironclad-friendship-cambodia") {
				t.Errorf("%d shards, %+v: PRC %d %v; China %d; want as many, the Cambodia article among them", shards, vis, prc.Total, ids(prc), china.Total)
			}
			// Two words: graded tiers (unscored filters around the rescored query).
			if res := mustSearch(t, ix, Query{Text: "Kampuchea friendship", Visible: vis}); len(res.Hits) == 0 || res.Hits[0].ID != "ironclad-friendship-cambodia" {
				t.Errorf("%d shards, %+v: Kampuchea friendship with recency: %v, want the Cambodia article first", shards, vis, ids(res))
			}
		}
	}
}
