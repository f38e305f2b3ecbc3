package index

import (
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/folio-search/folio/index/internal/schema"
)

// TestMemoStemmer checks that bulk analysis with the memoized stemmer gives
// every field of every test article the same tokens as bleve's analyzer.
func TestMemoStemmer(t *testing.T) {
	m, err := schema.NewMapping("en", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Parser{Dates: DefaultDateParser()}
	w := &analysisWorker{}
	words := 0
	for _, f := range readTestArticles(t) {
		a, perr := p.parseText(f, "x.txt", "x")
		if perr != nil {
			continue // the bad articles among them
		}
		plain, plainLens, err := analyzeArticle(m, nil, &a)
		if err != nil {
			t.Fatal(err)
		}
		memo, memoLens, err := analyzeArticle(m, w, &a)
		if err != nil {
			t.Fatal(err)
		}
		if plainLens != memoLens {
			t.Fatalf("%s: token counts %v with the memo, %v without", a.Title, memoLens, plainLens)
		}
		for i, f := range plain.Fields {
			pf, ok := f.(analyzedText)
			if !ok {
				continue
			}
			mf := memo.Fields[i].(analyzedText)
			if !reflect.DeepEqual(pf.AnalyzedTokenFrequencies(), mf.AnalyzedTokenFrequencies()) {
				t.Fatalf("%s: field %s analyses differently with the memo", a.Title, pf.Name())
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
