package index

import (
	"slices"
	"testing"
)

// TestTypoTolerance: a misspelt word that is not in the index finds what
// its spelling finds; phrases, fielded words, short words and words the
// index holds are searched as typed; "off" turns it off.
func TestTypoTolerance(t *testing.T) {
	ix := testIndex(t)
	seed := "ironclad-friendship-cambodia"

	// One edit (5+ letters) and two edits (9+ letters) away.
	for _, q := range []string{"frendship", "ironclad frendship", "Ironclad Frendship Cambodai", "+frendship +cambodia", "friendsihp"} {
		res := mustSearch(t, ix, Query{Text: q})
		if got := ids(res); len(got) == 0 || got[0] != seed {
			t.Errorf("%q: ids %v, want %s first", q, got, seed)
		}
	}
	// The misspelling finds what the right spelling finds, ranked below
	// nothing matched as typed: every article holding "government" is found.
	right := mustSearch(t, ix, Query{Text: "government", Size: 100})
	typo := mustSearch(t, ix, Query{Text: "goverment", Size: 100})
	if right.Total == 0 {
		t.Fatal("government: no hits in testdata")
	}
	// ... and only that: a rare word one edit from the stem ("lover" for
	// "gover", the stem of "goverment") is not searched for.
	if typo.Total != right.Total || len(typo.Hits) == 0 || !slices.Contains(ids(right), typo.Hits[0].ID) {
		t.Errorf("goverment: total %d, first %v; want government's total %d and one of its articles first", typo.Total, ids(typo)[:min(1, len(typo.Hits))], right.Total)
	}
	for _, id := range ids(right) {
		if !slices.Contains(ids(typo), id) {
			t.Errorf("goverment: misses %s, which government finds", id)
		}
	}

	// Searched as typed: phrases, fielded words, words shorter than 5
	// letters, words with digits, excluded words.
	for _, q := range []string{`"ironclad frendship"`, "title:frendship", "fiendship~0", "cambodiaa1", "oill"} {
		if res := mustSearch(t, ix, Query{Text: q}); res.Total != 0 {
			t.Errorf("%q: total %d (ids %v), want 0: typo tolerance must not apply", q, res.Total, ids(res))
		}
	}
	if res := mustSearch(t, ix, Query{Text: "cambodia -frendship"}); !slices.Contains(ids(res), seed) {
		t.Errorf("cambodia -frendship: ids %v: an excluded misspelling must not exclude %s", ids(res), seed)
	}

	// Off: the misspelling finds nothing.
	o := DefaultOptions("")
	o.TypoTolerance = "off"
	off := builtIndex(t, o)
	if res := mustSearch(t, off, Query{Text: "frendship"}); res.Total != 0 {
		t.Errorf("typo tolerance off: frendship total %d, want 0", res.Total)
	}
	// Words the index holds: the same ids and scores with it on or off.
	for _, q := range []string{"government", "oil prices", "+bank +rates", "diamond hexagon"} {
		on, offRes := mustSearch(t, ix, Query{Text: q}), mustSearch(t, off, Query{Text: q})
		if on.Total != offRes.Total || !slices.Equal(ids(on), ids(offRes)) {
			t.Errorf("%q: on total %d ids %v, off total %d ids %v: words in the index must be searched as typed", q, on.Total, ids(on), offRes.Total, ids(offRes))
			continue
		}
		for i := range on.Hits {
			if on.Hits[i].Score != offRes.Hits[i].Score {
				t.Errorf("%q: hit %d score %g on, %g off", q, i, on.Hits[i].Score, offRes.Hits[i].Score)
			}
		}
	}
	// A query of more than 6 words is searched as typed.
	if res := mustSearch(t, ix, Query{Text: "zzqx qqzv wwxy frendship yyzz vvqq kkjj"}); res.Total != 0 {
		t.Errorf("7-word query: total %d (ids %v), want 0: long queries are searched as typed", res.Total, ids(res))
	}
	if res := mustSearch(t, ix, Query{Text: "zzqx qqzv wwxy frendship yyzz vvqq"}); res.Total == 0 {
		t.Error("6-word query: frendship found nothing, want the typo matched")
	}
	if _, err := Create(Options{Path: t.TempDir() + "/x", TypoTolerance: "maybe"}); err == nil {
		t.Error("typo tolerance \"maybe\": no error, want one naming on and off")
	}
}
