package index

import (
	"testing"
)

func TestDidYouMean(t *testing.T) {
	ix := testIndex(t)
	for _, tt := range []struct{ q, want string }{
		{"Cambodai", "Cambodia"},
		{"diamond hexagn", "diamond hexagon"},
		{"ironclad frendship", "ironclad friendship"},
		{"Cambodia", ""},   // found: nothing to correct
		{"zzzzqqqq", ""},   // nothing close
		{"oil prices", ""}, // many hits
		{"oill", "oil"},
		{"oil pricez", "oil prices"},      // offered although typo tolerance found them
		{"goverment", "government"},       // the index holds the stem "govern"
		{"Goverment", "Government"},       // the case as typed
		{`"oil pricez"`, `"oil prices"`},  // phrase-aware: the quotes stay
		{"+oill -pricez", "+oil -pricez"}, // excluded words stay as typed
	} {
		res := mustSearch(t, ix, Query{Text: tt.q})
		if res.Suggestion != tt.want {
			t.Errorf("%q (total %d): suggestion %q, want %q", tt.q, res.Total, res.Suggestion, tt.want)
		}
	}
	// While typing, the last word is completed, not corrected.
	for q, want := range map[string]string{"oil pri": "", "oill pri": "oil pri"} {
		if res := mustSearch(t, ix, Query{Text: q, AsYouType: true}); res.Suggestion != want {
			t.Errorf("%q as you type: suggestion %q, want %q", q, res.Suggestion, want)
		}
	}
	// Text mode is corrected the same way.
	if res := mustSearch(t, ix, Query{Text: "diamond hexagn", Mode: ModeText}); res.Suggestion != "diamond hexagon" {
		t.Errorf("mode text: suggestion %q, want %q", res.Suggestion, "diamond hexagon")
	}
}
