package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEval runs `folio eval` over testdata/articles with a three-query
// collection: two queries find their one relevant article first, one finds
// nothing, and one without judgments is skipped. Through the default search
// path, the first query ("Diamond Hexagon: cooperation (framework)") is
// refused as bad syntax unless sent as its words (--words) or as text
// (--param mode=text).
func TestEval(t *testing.T) {
	cfg := isolate(t)
	q, r := "../../testdata/relevance/mini-queries.tsv", "../../testdata/relevance/mini-qrels.tsv"
	out := mustRun(t, "--config", cfg, "eval", "--json", "--words", "--queries", q, "--qrels", r, "--corpus", "../../testdata/articles")
	var m struct {
		Queries int     `json:"queries"`
		NDCG    float64 `json:"ndcg@10"`
		MAP     float64 `json:"map@1000"`
		Recall  float64 `json:"recall@100"`
		MRR     float64 `json:"mrr@10"`
		Skipped int     `json:"skipped"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("eval --json output %q: %v", out, err)
	}
	const two3 = 2.0 / 3
	if m.Queries != 3 || m.Skipped != 1 || !near(m.NDCG, two3) || !near(m.MAP, two3) || !near(m.Recall, two3) || !near(m.MRR, two3) {
		t.Errorf("metrics %+v, want 3 queries (1 skipped), every metric 2/3", m)
	}

	// The table, from an existing index: as written, query 1 is refused.
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	mustRun(t, "--config", cfg, "index", "--index", ix, "../../testdata/articles")
	table := mustRun(t, "--config", cfg, "eval", "--index", ix, "--queries", q, "--qrels", r)
	wantLines(t, table, "nDCG@10 0.3333", "MAP@1000 0.3333", "Recall@100 0.3333", "MRR@10 0.3333", "queries 3", "skipped (no relevant judgment) 1",
		`refused (400: not valid query syntax), scored 0 1 (first: query 1: q: unknown field "Hexagon" in query (fields: title, body, source, author, tags, url))`)
	// A parameter of GET /api/search passes through to every query.
	table = mustRun(t, "--config", cfg, "eval", "--index", ix, "--queries", q, "--qrels", r, "--param", "mode=text")
	wantLines(t, table, "nDCG@10 0.6667", "MAP@1000 0.6667", "Recall@100 0.6667", "MRR@10 0.6667", "queries 3")
	for _, c := range []struct{ param, want string }{
		{"mode", `--param "mode": want NAME=VALUE, a parameter of GET /api/search (e.g. mode=text)`},
		{"size=5", `--param "size=5": size is set by the evaluation for each query`},
		{"colour=red", `--param: colour: unknown parameter "colour" (accepted: [q mode`},
		{"mode=fuzzy", `query 1: mode: unknown mode "fuzzy" (accepted: syntax, text)`},
	} {
		_, _, err := runCLI(t, "--config", cfg, "eval", "--index", ix, "--queries", q, "--qrels", r, "--param", c.param)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--param %s: error %v, want it to contain %q", c.param, err, c.want)
		}
	}

	// A bad judgments file names file:line.
	bad := filepath.Join(t.TempDir(), "qrels.tsv")
	if err := os.WriteFile(bad, []byte("1\tdoc\t1\n1\tdoc\tyes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, "--config", cfg, "eval", "--index", ix, "--queries", q, "--qrels", bad)
	if err == nil || !strings.Contains(err.Error(), bad+`:2: grade "yes" is not an integer`) {
		t.Errorf("bad qrels: %v", err)
	}
}

// wantLines fails unless out holds each of want as a line (runs of spaces squeezed).
func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	squeezed := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		squeezed[strings.Join(strings.Fields(line), " ")] = true
	}
	for _, w := range want {
		if !squeezed[w] {
			t.Errorf("output lacks the line %q:\n%s", w, out)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
