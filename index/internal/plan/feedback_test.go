package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index/internal/schema"
)

// TestFeedbackApplies: feedback is for queries of at least MinWords plain
// words in relevance order, in both modes; anything with query syntax, a
// shorter query, a date sort or feedback off is planned as before.
func TestFeedbackApplies(t *testing.T) {
	m, err := schema.NewMapping("en", nil)
	if err != nil {
		t.Fatal(err)
	}
	pl := &Planner{DefaultSize: 10, MaxSize: 100, MaxWindow: 10000, TitleBoost: 0.6, Analyzers: Analyzers(m),
		Feedback: Feedback{On: true, MinWords: 7}}
	long := "what similarity laws must be obeyed when constructing aeroelastic models"
	tests := []struct {
		name string
		q    Request
		want bool
	}{
		{"long plain words", Request{Text: long}, true},
		{"long with a number", Request{Text: "results of 1987 oil price talks in vienna this week"}, true},
		{"long text mode", Request{Text: long, Mode: ModeText}, true},
		{"six words", Request{Text: "similarity laws aeroelastic models heated aircraft"}, false},
		{"a phrase", Request{Text: `"similarity laws" must be obeyed when constructing aeroelastic models`}, false},
		{"a required word", Request{Text: "+similarity laws must be obeyed when constructing aeroelastic models"}, false},
		{"an excluded word", Request{Text: "similarity laws must be obeyed when constructing -aeroelastic models"}, false},
		{"a field", Request{Text: "title:similarity laws must be obeyed when constructing aeroelastic models"}, false},
		{"a wildcard", Request{Text: "similar* laws must be obeyed when constructing aeroelastic models"}, false},
		{"a boost", Request{Text: "similarity^2 laws must be obeyed when constructing aeroelastic models"}, false},
		{"date sort", Request{Text: long, Sort: SortDateDesc}, false},
		{"long, while typing", Request{Text: long, AsYouType: true}, true},
		{"browse", Request{Text: ""}, false},
	}
	for _, tt := range tests {
		p, err := pl.Plan(tt.q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if p.Feedback != tt.want {
			t.Errorf("%s (%q): Feedback %v, want %v", tt.name, tt.q.Text, p.Feedback, tt.want)
		}
		if p.Feedback && p.Tiers != nil {
			t.Errorf("%s: a feedback query has tiers", tt.name)
		}
	}
	pl.Feedback.On = false
	if p, err := pl.Plan(Request{Text: long}); err != nil || p.Feedback {
		t.Errorf("feedback off: Feedback %v, err %v; want false", p != nil && p.Feedback, err)
	}
}

// TestFeedbackTerms: each article's relative term frequencies weighted by
// its share of the score, numbers and one-letter terms left out, ties by
// term, at most n.
func TestFeedbackTerms(t *testing.T) {
	docs := []FeedbackDoc{
		{Score: 3, Terms: []string{"wing", "wing", "flutter", "x", "1958"}},
		{Score: 1, Terms: []string{"flutter", "panel"}},
		{Score: 0, Terms: []string{"ignored"}},
		{Score: 2}, // an empty article counts in the score sum only
	}
	got, _ := FeedbackTerms(docs, 3, func(string) (bool, error) { return true, nil })
	// wing 2/5·3/6 = 0.2; flutter 1/5·3/6 + 1/2·1/6 = 0.1833; panel 1/2·1/6 = 0.0833; ignored 0.
	want := []WeightedTerm{{"wing", 0.2}, {"flutter", 0.1 + 1.0/12}, {"panel", 1.0 / 12}}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 })); diff != "" {
		t.Errorf("FeedbackTerms (-want +got):\n%s", diff)
	}
	if got, _ := FeedbackTerms(nil, 3, nil); got != nil {
		t.Errorf("no docs: %v, want nil", got)
	}
	if got, _ := FeedbackTerms(docs, 0, nil); got != nil {
		t.Errorf("n 0: %v, want nil", got)
	}
}
