package index

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rankingCases is the data-driven ranking suite: queries over
// testdata/articles and the ids they must return, in order.
const rankingCases = "../testdata/ranking/cases.json"

var updateRanking = flag.Bool("update", false, "rewrite "+rankingCases+" with the ids and totals the code returns now")

// rankingCase is one search of the suite. The fields up to Index are the
// request (as GET /api/search takes it); Total and IDs are what today's code
// answers, written by -update. Scores are deliberately not recorded.
type rankingCase struct {
	Name    string   `json:"name"`
	Q       string   `json:"q"`
	Mode    string   `json:"mode,omitempty"`
	Sort    string   `json:"sort,omitempty"`
	From    string   `json:"from,omitempty"`
	To      string   `json:"to,omitempty"`
	Filters []string `json:"filters,omitempty"`
	Size    int      `json:"size,omitempty"`
	Page    int      `json:"page,omitempty"`
	// Index is "" for DefaultOptions, or "synonyms" for DefaultOptions
	// with testdata/synonyms/synonyms.txt.
	Index string   `json:"index,omitempty"`
	Total uint64   `json:"total"`
	IDs   []string `json:"ids"`
}

func (c rankingCase) query() Query {
	return Query{Text: c.Q, Mode: c.Mode, Sort: c.Sort, From: c.From, To: c.To, Filters: c.Filters, Size: c.Size, Page: c.Page}
}

// TestRanking runs every case of testdata/ranking/cases.json through Search
// on an index built from testdata/articles and checks the total and the ids
// in order. After a deliberate ranking change, regenerate the file with
//
//	go test ./index -run '^TestRanking$' -update
//
// and review its diff like code.
func TestRanking(t *testing.T) {
	raw, err := os.ReadFile(rankingCases)
	if err != nil {
		t.Fatal(err)
	}
	var cases []rankingCase
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("%s: %v", rankingCases, err)
	}
	if len(cases) == 0 {
		t.Fatalf("%s holds no case", rankingCases)
	}
	indexes := map[string]func() *Index{
		"": func() *Index { return builtIndex(t, DefaultOptions("")) },
		"synonyms": func() *Index {
			o := DefaultOptions("")
			o.Synonyms = testSynonyms(t)
			return builtIndex(t, o)
		},
	}
	built := map[string]*Index{}
	names := map[string]bool{}
	for i := range cases {
		c := &cases[i]
		if c.Name == "" || names[c.Name] {
			t.Fatalf("%s: case %d has an empty or repeated name %q", rankingCases, i+1, c.Name)
		}
		names[c.Name] = true
		build, ok := indexes[c.Index]
		if !ok {
			t.Fatalf("%s: case %q: unknown index %q (want \"\" or \"synonyms\")", rankingCases, c.Name, c.Index)
		}
		if built[c.Index] == nil {
			built[c.Index] = build()
		}
		res, err := built[c.Index].Search(context.Background(), c.query())
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		got := ids(res)
		if *updateRanking {
			if len(got) == 0 {
				t.Errorf("%s: finds nothing; a ranking case must rank something", c.Name)
			}
			c.Total, c.IDs = res.Total, got
			continue
		}
		if diff := cmp.Diff(c.IDs, got); diff != "" || res.Total != c.Total {
			t.Errorf("%s (%s): total %d, want %d; ids (-want +got):\n%s", c.Name, c.describe(), res.Total, c.Total, diff)
		}
	}
	if !*updateRanking {
		if t.Failed() {
			t.Log("if the change is deliberate: go test ./index -run '^TestRanking$' -update, then review the diff of " + rankingCases)
		}
		return
	}
	if t.Failed() {
		t.Fatalf("%s not rewritten", rankingCases)
	}
	out, err := marshalRankingCases(cases)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rankingCases, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("rewrote %s (%d cases)", rankingCases, len(cases))
}

// describe renders the case's request as URL-like parameters for messages.
func (c rankingCase) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "q=%q", c.Q)
	for _, kv := range [][2]string{{"mode", c.Mode}, {"sort", c.Sort}, {"from", c.From}, {"to", c.To}, {"index", c.Index}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
	}
	for _, f := range c.Filters {
		fmt.Fprintf(&b, " filter=%s", f)
	}
	if c.Size != 0 {
		fmt.Fprintf(&b, " size=%d", c.Size)
	}
	if c.Page != 0 {
		fmt.Fprintf(&b, " page=%d", c.Page)
	}
	return b.String()
}

// marshalRankingCases writes the cases as a JSON array with one case per
// line, so a ranking change shows in a diff as exactly the cases it moved.
func marshalRankingCases(cases []rankingCase) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteString("[\n")
	for i, c := range cases {
		if i > 0 {
			// Encode ends each case with a newline: put the comma before it.
			b.Truncate(b.Len() - 1)
			b.WriteString(",\n")
		}
		if err := enc.Encode(c); err != nil {
			return nil, err
		}
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}
