package eval

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The expected figures are computed by hand with trec_eval's definitions.
func TestScoreRanking(t *testing.T) {
	tests := []struct {
		name   string
		ranked []string
		rel    map[string]int
		want   Metrics
	}{
		{
			name:   "one relevant at rank 1",
			ranked: []string{"a", "b", "c"},
			rel:    map[string]int{"a": 1},
			want:   Metrics{Queries: 1, NDCG10: 1, MAP: 1, Recall: 1, MRR10: 1},
		},
		{
			// DCG = 1/log2(3) = 0.6309; IDCG = 1; AP = 1/2; RR = 1/2.
			name:   "one relevant at rank 2",
			ranked: []string{"x", "a"},
			rel:    map[string]int{"a": 1, "z": 0},
			want:   Metrics{Queries: 1, NDCG10: 1 / math.Log2(3), MAP: 0.5, Recall: 1, MRR10: 0.5},
		},
		{
			// Relevant a (rank 1) and b (rank 3), c never retrieved.
			// DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.1309.
			// AP = (1/1 + 2/3) / 3 = 0.5556; recall = 2/3; RR = 1.
			name:   "two of three relevant retrieved",
			ranked: []string{"a", "x", "b", "y"},
			rel:    map[string]int{"a": 1, "b": 1, "c": 1},
			want:   Metrics{Queries: 1, NDCG10: 1.5 / (1 + 1/math.Log2(3) + 0.5), MAP: (1 + 2.0/3) / 3, Recall: 2.0 / 3, MRR10: 1},
		},
		{
			// Graded: b has grade 2 (gain 3) at rank 1, a grade 1 (gain 1) at rank 2.
			// DCG = 3 + 1/log2(3); IDCG equal (ideal order) → 1.
			name:   "graded in ideal order",
			ranked: []string{"b", "a"},
			rel:    map[string]int{"a": 1, "b": 2},
			want:   Metrics{Queries: 1, NDCG10: 1, MAP: 1, Recall: 1, MRR10: 1},
		},
		{
			// Graded, reversed: DCG = 1 + 3/log2(3) = 2.8928; IDCG = 3 + 1/log2(3) = 3.6309.
			name:   "graded reversed",
			ranked: []string{"a", "b"},
			rel:    map[string]int{"a": 1, "b": 2},
			want:   Metrics{Queries: 1, NDCG10: (1 + 3/math.Log2(3)) / (3 + 1/math.Log2(3)), MAP: 1, Recall: 1, MRR10: 1},
		},
		{
			// Relevant at rank 11: outside nDCG@10 and MRR@10, inside MAP and recall@100.
			name:   "relevant at rank 11",
			ranked: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "a"},
			rel:    map[string]int{"a": 1},
			want:   Metrics{Queries: 1, NDCG10: 0, MAP: 1.0 / 11, Recall: 1, MRR10: 0},
		},
		{
			name:   "nothing relevant retrieved",
			ranked: nil,
			rel:    map[string]int{"a": 1},
			want:   Metrics{Queries: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScoreRanking(tt.ranked, tt.rel)
			if got.Queries != tt.want.Queries || !near(got.NDCG10, tt.want.NDCG10) || !near(got.MAP, tt.want.MAP) ||
				!near(got.Recall, tt.want.Recall) || !near(got.MRR10, tt.want.MRR10) {
				t.Errorf("ScoreRanking = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadQueriesAndQrels(t *testing.T) {
	qs, err := ReadQueries(strings.NewReader("1\tfirst: claim (x)\n\n2\tsecond\n"), "q.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0] != (Query{ID: "1", Text: "first: claim (x)"}) || qs[1].ID != "2" {
		t.Errorf("ReadQueries = %+v", qs)
	}
	_, err = ReadQueries(strings.NewReader("1\tok\nno tab here\n"), "q.tsv")
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 || le.Reason != "bad query line" || !strings.HasPrefix(err.Error(), "q.tsv:2: ") {
		t.Errorf("bad query line: got %v, want q.tsv:2: ...", err)
	}

	qr, err := ReadQrels(strings.NewReader("1\td1\t1\n1\td2\t0\n2 0 d3 2\n"), "r.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if qr["1"]["d1"] != 1 || qr["1"]["d2"] != 0 || qr["2"]["d3"] != 2 || len(qr["1"]) != 2 {
		t.Errorf("ReadQrels = %v", qr)
	}
	_, err = ReadQrels(strings.NewReader("1\td1\thigh\n"), "r.tsv")
	if err == nil || !strings.Contains(err.Error(), `r.tsv:1: grade "high" is not an integer`) {
		t.Errorf("bad grade: got %v", err)
	}
}

// TestRun averages the scored queries, skips (and does not rank) those
// without a relevant judgment, and names the query whose ranking failed.
func TestRun(t *testing.T) {
	queries := []Query{{"q1", "first"}, {"q2", "second"}, {"q3", "unjudged"}, {"q4", "all zero"}}
	qrels := Qrels{
		"q1": {"a": 1},
		"q2": {"b": 1},
		"q4": {"x": 0},
	}
	rankings := map[string][]string{
		"first":  {"a", "x"}, // every metric 1
		"second": {"x", "b"}, // nDCG 1/log2(3), MAP and MRR 1/2, recall 1
	}
	var asked []string
	m, err := Run(queries, qrels, func(text string) ([]string, error) {
		asked = append(asked, text)
		return rankings[text], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Queries != 2 || m.Skipped != 2 || !near(m.NDCG10, (1+1/math.Log2(3))/2) || !near(m.MAP, 0.75) || !near(m.Recall, 1) || !near(m.MRR10, 0.75) {
		t.Errorf("Run = %+v, want 2 queries (2 skipped), nDCG %.4f, MAP and MRR 0.75, recall 1", m, (1+1/math.Log2(3))/2)
	}
	if strings.Join(asked, ",") != "first,second" {
		t.Errorf("ranked %q, want only the judged queries first,second", asked)
	}

	boom := errors.New("boom")
	_, err = Run(queries, qrels, func(text string) ([]string, error) {
		if text == "second" {
			return nil, boom
		}
		return rankings[text], nil
	})
	if !errors.Is(err, boom) || err.Error() != "query q2: boom" {
		t.Errorf("failing ranker: got %v, want query q2: boom", err)
	}
}

// TestRunRefused scores a query the ranker refuses as an empty ranking,
// counts it and keeps the first refusal's reason, and goes on.
func TestRunRefused(t *testing.T) {
	queries := []Query{{"q1", "first"}, {"q2", "bad: syntax"}, {"q3", "bad too"}}
	qrels := Qrels{"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}}
	m, err := Run(queries, qrels, func(text string) ([]string, error) {
		if strings.HasPrefix(text, "bad") {
			return []string{"b", "c"}, Refused(errors.New("cannot parse " + text))
		}
		return []string{"a"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Queries != 3 || m.Refused != 2 || !near(m.NDCG10, 1.0/3) || !near(m.MAP, 1.0/3) || m.FirstRefusal != "query q2: cannot parse bad: syntax" {
		t.Errorf("Run = %+v, want 3 queries, 2 refused (first q2) and scored 0, every metric 1/3", m)
	}
}

// TestWords keeps letters and digits of any script, lower-cased, and
// turns every run of anything else into one space.
func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"Human T-lymphotropic virus / tropical (HTLV-I)?": "human t lymphotropic virus tropical htlv i",
		"  what is  the  α-helix ,  of 5%+ 'IL-6' ? ":     "what is the α helix of 5 il 6",
		"Diamond Hexagon: cooperation":                    "diamond hexagon cooperation",
		"?!*":                                             "",
	} {
		if got := Words(in); got != want {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}
