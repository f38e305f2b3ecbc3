package index

import (
	"reflect"
	"testing"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/analysis"
	"github.com/folio-search/folio/index/internal/schema"
)

// TestMemoStemmer checks that bulk analysis with the memoized stemmer gives
// every field of every test article the same tokens as bleve's analyzer.
// That the memo is really used is checked in index/internal/analysis.
func TestMemoStemmer(t *testing.T) {
	m, err := schema.NewMapping("en", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &article.Parser{Dates: article.DefaultDateParser()}
	w := &analysis.Worker{}
	words := 0
	for _, f := range readTestArticles(t) {
		a, perr := p.ParseText(f, "x.txt", "x")
		if perr != nil {
			continue // the bad articles among them
		}
		plain, plainLens, err := analysis.Article(m, nil, &a)
		if err != nil {
			t.Fatal(err)
		}
		memo, memoLens, err := analysis.Article(m, w, &a)
		if err != nil {
			t.Fatal(err)
		}
		if plainLens != memoLens {
			t.Fatalf("%s: token counts %v with the memo, %v without", a.Title, memoLens, plainLens)
		}
		for i, f := range plain.Fields {
			pf, ok := f.(analysis.Text)
			if !ok {
				continue
			}
			mf := memo.Fields[i].(analysis.Text)
			if !reflect.DeepEqual(pf.AnalyzedTokenFrequencies(), mf.AnalyzedTokenFrequencies()) {
				t.Fatalf("%s: field %s analyses differently with the memo", a.Title, pf.Name())
			}
			words += len(pf.AnalyzedTokenFrequencies())
		}
	}
	if words < 10000 {
		t.Fatalf("compared %d words", words)
	}
}
