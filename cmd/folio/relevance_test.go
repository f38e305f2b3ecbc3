package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The floors of Folio's figures with its shipped defaults, through the
// default GET /api/search path with each query's words (`make relevance`;
// testdata/relevance/RESULTS.md has how they were reached).
const (
	minSciFactNDCG   = 0.690 // BEIR's published BM25: 0.665; shipped 0.6938
	minCranfieldMAP  = 0.320 // textbook BM25 over the same tokens: 0.301; shipped 0.3248
	minCranfieldNDCG = 0.370 // textbook BM25: 0.352; shipped 0.3715
)

// collectionDir finds ../shared/relevance/NAME beside the repository (or
// beside the folder holding a worktree), or returns "".
func collectionDir(name string) string {
	for _, up := range []string{"../../..", "../../../.."} {
		dir, err := filepath.Abs(filepath.Join(up, "shared", "relevance", name))
		if err != nil {
			return ""
		}
		if _, err := os.Stat(filepath.Join(dir, "qrels.tsv")); err == nil {
			return dir
		}
	}
	return ""
}

// evalMetrics are the fields of `folio eval --json` the floors check.
type evalMetrics struct {
	Queries int     `json:"queries"`
	NDCG10  float64 `json:"ndcg@10"`
	MAP     float64 `json:"map@1000"`
	Recall  float64 `json:"recall@100"`
	Refused int     `json:"refused"`
}

// evalCollection runs `folio eval --words` with the default configuration
// on the collection ../shared/relevance/NAME (skipping the test when it is
// missing outside CI) and returns its metrics.
func evalCollection(t *testing.T, name string) evalMetrics {
	t.Helper()
	dir := collectionDir(name)
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("../shared/relevance/%s is missing: CI must run with ../shared beside the repository", name)
		}
		t.Skipf("SKIPPED: ../shared/relevance/%s not found beside the repository; its relevance floor is not checked", name)
	}
	// The binary, not run(): under -race, indexing thousands of abstracts
	// in-process takes minutes; the built binary is what `make relevance` measures.
	bin := filepath.Join(t.TempDir(), "folio")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "eval", "--json", "--words",
		"--queries", filepath.Join(dir, "queries.tsv"),
		"--qrels", filepath.Join(dir, "qrels.tsv"),
		"--corpus", filepath.Join(dir, "corpus.jsonl.gz"))
	cmd.Dir = t.TempDir() // no folio.yaml
	cmd.Env = defaultEnv()
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("folio eval: %v\n%s", err, stderr.String())
	}
	var m evalMetrics
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("eval output %q: %v", stdout.String(), err)
	}
	t.Logf("%s: %s", name, stdout.String())
	if m.Refused != 0 {
		t.Errorf("%s: %d queries refused as bad syntax; their words must always be a valid query", name, m.Refused)
	}
	return m
}

// TestSciFactRelevance runs `folio eval` on SciFact (5,183 abstracts, 300
// claims) with the default configuration and fails if nDCG@10 drops below
// minSciFactNDCG.
func TestSciFactRelevance(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED with -short: indexes 5,183 SciFact abstracts")
	}
	m := evalCollection(t, "scifact")
	if m.Queries != 300 {
		t.Errorf("queries = %d, want 300", m.Queries)
	}
	if m.NDCG10 < minSciFactNDCG {
		t.Errorf("SciFact nDCG@10 = %.4f, below the floor %.3f", m.NDCG10, minSciFactNDCG)
	}
}

// TestCranfieldRelevance runs `folio eval` on Cranfield (1,398 abstracts
// with titles, 225 queries, graded judgments) with the default
// configuration and fails if MAP or nDCG@10 drops below its floor.
func TestCranfieldRelevance(t *testing.T) {
	m := evalCollection(t, "cranfield")
	if m.Queries != 225 {
		t.Errorf("queries = %d, want 225", m.Queries)
	}
	if m.MAP < minCranfieldMAP {
		t.Errorf("Cranfield MAP = %.4f, below the floor %.3f", m.MAP, minCranfieldMAP)
	}
	if m.NDCG10 < minCranfieldNDCG {
		t.Errorf("Cranfield nDCG@10 = %.4f, below the floor %.3f", m.NDCG10, minCranfieldNDCG)
	}
}

// defaultEnv is the environment without FOLIO_* settings, so the shipped
// defaults are measured.
func defaultEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FOLIO_") {
			env = append(env, kv)
		}
	}
	return env
}
