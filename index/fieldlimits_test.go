package index

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/folio-search/folio/index/article"

	"github.com/folio-search/folio/index/internal/analysis"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/store"
)

// TestLongTokensNotIndexed: every analyzer Folio builds (each language, and
// the keyword fields) leaves out tokens over the length limit, and bulk
// analysis (with its memoized stemmer) drops exactly the same tokens, so the
// BM25 token counts agree with the index.
func TestLongTokensNotIndexed(t *testing.T) {
	longest := strings.Repeat("é", MaxTokenRunes) // 2 bytes a rune: the limit counts runes
	tooLong := strings.Repeat("x", MaxTokenRunes+1)
	longKeyword := strings.Repeat("k", schema.MaxKeywordRunes+1)
	for _, lang := range schema.Languages() {
		t.Run(lang, func(t *testing.T) {
			m, err := schema.NewMapping(lang, []string{"topics"})
			if err != nil {
				t.Fatal(err)
			}
			a := &article.Article{ID: "x", Title: "Zebra " + tooLong, Body: "finch " + longest + " " + tooLong + " zebra",
				Source: longKeyword, Author: "A. Writer", Tags: []string{longKeyword, "ok"},
				Keywords: map[string][]string{"topics": {longKeyword, "grain"}}}
			plain, plainLens, err := analysis.Article(m, nil, a)
			if err != nil {
				t.Fatal(err)
			}
			memo, memoLens, err := analysis.Article(m, &analysis.Worker{}, a)
			if err != nil {
				t.Fatal(err)
			}
			if plainLens != memoLens {
				t.Errorf("token counts %v with the memo, %v without", memoLens, plainLens)
			}
			byField := map[string][]string{} // an array's values are fields of one name
			for i, f := range plain.Fields {
				pf, ok := f.(analysis.Text)
				if !ok {
					continue
				}
				terms := fieldTerms(pf.TextField)
				if got := fieldTerms(memo.Fields[i].(analysis.Text).TextField); !slices.Equal(terms, got) {
					t.Errorf("field %s: terms %.200q with the memo, %.200q without", pf.Name(), got, terms)
				}
				byField[pf.Name()] = append(byField[pf.Name()], terms...)
			}
			for name, terms := range byField {
				for _, term := range terms {
					if len([]rune(term)) > MaxTokenRunes && (name == schema.Text || name == schema.Title) || len(term) > article.MaxKeywordBytes {
						t.Errorf("field %s indexes a term of %d bytes", name, len(term))
					}
				}
			}
			if terms := byField[schema.Text]; !slices.Contains(terms, longest) || len(terms) < 2 {
				t.Errorf("text terms %.200q, want the %d-rune word and the short words", terms, MaxTokenRunes)
			}
			for name, want := range map[string][]string{schema.Tags: {"ok"}, schema.KeywordPrefix + ".topics": {"grain"}, schema.Source: nil, schema.Author: {"A. Writer"}} {
				if got := byField[name]; !slices.Equal(got, want) {
					t.Errorf("field %s terms %.200q, want %q", name, got, want)
				}
			}
			if lang == "cjk" { // bigrams: the counts differ, the limit holds (checked above)
				return
			}
			if plainLens != (analysis.TokenCounts{4, 1}) { // zebra, finch, the longest word, zebra; zebra
				t.Errorf("token counts (text, title) %v, want [4 1]", plainLens)
			}
		})
	}
}

// fieldTerms are the sorted distinct terms of an analysed field.
func fieldTerms(f *document.TextField) []string {
	var terms []string
	for term := range f.AnalyzedTokenFrequencies() {
		terms = append(terms, term)
	}
	slices.Sort(terms)
	return terms
}

// TestFieldSizeLimits: Validate refuses each over-long field, and too many
// values, saying which field, how long it is and the limit.
func TestFieldSizeLimits(t *testing.T) {
	ok := func() article.Article { return article.Article{ID: "x", Title: "Title"} }
	tests := []struct {
		name   string
		change func(a *article.Article)
		want   string // "" for valid
	}{
		{"at the limits", func(a *article.Article) {
			a.ID, a.Title, a.URL = strings.Repeat("i", article.MaxIDBytes), strings.Repeat("t", article.MaxTitleBytes), "https://"+strings.Repeat("u", article.MaxKeywordBytes-len("https://"))
			a.Tags = slices.Repeat([]string{strings.Repeat("g", article.MaxKeywordBytes)}, article.MaxValues)
		}, ""},
		{"id", func(a *article.Article) { a.ID = strings.Repeat("i", 1025) }, "id is 1025 bytes, more than the 1024 allowed"},
		{"title", func(a *article.Article) { a.Title = strings.Repeat("h", 10<<20) }, "title is 10485760 bytes, more than the 4096 allowed"},
		{"url", func(a *article.Article) { a.URL = strings.Repeat("u", 2049) }, "url is 2049 bytes, more than the 2048 allowed"},
		{"source", func(a *article.Article) { a.Source = strings.Repeat("s", 4000) }, "source is 4000 bytes, more than the 2048 allowed"},
		{"author", func(a *article.Article) { a.Author = strings.Repeat("a", 2049) }, "author is 2049 bytes, more than the 2048 allowed"},
		{"tag", func(a *article.Article) { a.Tags = []string{"a", "b", strings.Repeat("g", 2049)} }, "tags value 3 is 2049 bytes, more than the 2048 allowed"},
		{"tag count", func(a *article.Article) { a.Tags = slices.Repeat([]string{"t"}, 101) }, "tags has 101 values, more than the 100 allowed"},
		{"keyword", func(a *article.Article) { a.Keywords = map[string][]string{"topics": {strings.Repeat("k", 2049)}} }, "topics value 1 is 2049 bytes, more than the 2048 allowed"},
		{"keyword count", func(a *article.Article) {
			a.Keywords = map[string][]string{"places": slices.Repeat([]string{"p"}, 101)}
		}, "places has 101 values, more than the 100 allowed"},
		{"long title without body", func(a *article.Article) { a.Title, a.Body = strings.Repeat(" ", 5000), "" }, "title is 5000 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok()
			tt.change(&a)
			err := a.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ie *article.InputError
			if !errors.As(err, &ie) || !errors.Is(err, article.ErrInvalidArticle) || !strings.HasPrefix(ie.Message, tt.want) {
				t.Fatalf("Validate = %v, want an article.InputError %q", err, tt.want)
			}
		})
	}
}

// TestFacetsLeaveOutMissingValues: articles without a source (most of
// testdata) are not counted as a bucket with an empty value, which no
// filter could select.
func TestFacetsLeaveOutMissingValues(t *testing.T) {
	ix := builtIndex(t, DefaultOptions(""))
	res := mustSearch(t, ix, Query{Facets: []string{"source,author,tags"}})
	if len(res.Facets) != 3 {
		t.Fatalf("facets %+v, want source, author and tags", res.Facets)
	}
	for _, f := range res.Facets {
		if len(f.Buckets) == 0 {
			t.Errorf("facet %s has no buckets", f.Field)
		}
		for _, b := range f.Buckets {
			if b.Value == "" {
				t.Errorf("facet %s has an empty-value bucket of %d articles", f.Field, b.Count)
			}
			if filtered := mustSearch(t, ix, Query{Filters: []string{f.Field + ":" + b.Value}}); int(filtered.Total) != b.Count {
				t.Errorf("facet %s: bucket %q counts %d, filtering on it finds %d", f.Field, b.Value, b.Count, filtered.Total)
			}
		}
	}
}

// TestOpenOldMappingVersion: an index built with the previous mapping (no
// token length limits) is refused with a rebuild hint, not opened.
func TestOpenOldMappingVersion(t *testing.T) {
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(opts.Path, store.MetaFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["mapping_version"] = 4 // the mapping before the token length limits
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(opts)
	if err == nil {
		ix.Close()
	}
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "mapping version 4, this Folio needs") || !strings.Contains(err.Error(), "folio index --rebuild") {
		t.Fatalf("Open of a version-4 index = %v, want ErrIncompatible with a rebuild hint", err)
	}
}
