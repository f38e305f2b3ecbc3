package analysis

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"

	"github.com/folio-search/folio/index/internal/schema"
)

// TestMemoStemmer: a Worker's copy of the English analyzer memoizes its
// stemmer and gives every test article's title and text the same tokens and
// token counts as bleve's analyzer.
func TestMemoStemmer(t *testing.T) {
	m, err := schema.NewMapping("en", nil)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.FromSlash("../../../testdata/articles/*.txt"))
	if err != nil || len(files) < 100 {
		t.Fatalf("test articles: %d files, %v", len(files), err)
	}
	w := &Worker{}
	words := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		title, body, _ := strings.Cut(string(data), "\n")
		fields := struct { // in this order, as the facade's documents
			Title string `json:"title"`
			Body  string `json:"body"`
			Text  string `json:"text"`
		}{title, body, title + schema.TextSeparator + body}
		var plainLens, memoLens [2]int
		plain, memo := document.NewDocument("x"), document.NewDocument("x")
		if err := m.MapDocument(plain, fields); err != nil {
			t.Fatal(err)
		}
		if err := m.MapDocument(memo, fields); err != nil {
			t.Fatal(err)
		}
		Document(plain, nil, schema.TokenFields, plainLens[:])
		Document(memo, w, schema.TokenFields, memoLens[:])
		if plainLens != memoLens || plainLens[0] == 0 {
			t.Fatalf("%s: token counts %v with the memo, %v without", name, memoLens, plainLens)
		}
		for i, f := range plain.Fields {
			pf, ok := f.(Text)
			if !ok {
				continue
			}
			mf := memo.Fields[i].(Text)
			if !reflect.DeepEqual(pf.AnalyzedTokenFrequencies(), mf.AnalyzedTokenFrequencies()) {
				t.Fatalf("%s: field %s analyses differently with the memo", name, pf.Name())
			}
			words += len(pf.AnalyzedTokenFrequencies())
		}
	}
	stems := 0
	for _, c := range w.copies {
		if d, ok := c.(*analysis.DefaultAnalyzer); ok && len(d.TokenFilters) > 0 {
			if ms, ok := d.TokenFilters[len(d.TokenFilters)-1].(*memoStemmer); ok {
				stems += len(ms.memo)
			}
		}
	}
	if words < 10000 || stems < 1000 { // the memo was used
		t.Fatalf("compared %d words, memoized %d stems", words, stems)
	}
}
