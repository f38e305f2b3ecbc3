package index

import (
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/folio-search/folio/index/internal/schema"
)

// Bulk ingest analyses documents itself, before handing them to bleve, for
// two reasons: the analysis runs on every core in Folio's own goroutines
// (bleve's Batch would do the same work in its analysis queue), and it yields
// each document's token counts, so a fresh build knows the true BM25 field
// lengths (bm25.go) without walking every posting afterwards.

// analyzedText is a text field whose analysis is already done: bleve's own
// analysis step calls Analyze again, which must keep the result.
type analyzedText struct{ *document.TextField }

// Analyze keeps the analysis done by analyzeArticle.
func (analyzedText) Analyze() {}

// tokenCounts are the analysed lengths of one document's schema.TokenFields.
type tokenCounts [2]int // in schema.TokenFields' order: schema.Text, schema.Title

// analyzeArticle maps a to a bleve document with m and analyses its
// indexed fields with w's analyzers, returning the document for
// Batch.IndexAdvanced and its token counts.
func analyzeArticle(m mapping.IndexMapping, w *analysisWorker, a *Article) (*document.Document, tokenCounts, error) {
	var n tokenCounts
	doc := document.NewDocument(a.ID)
	if err := m.MapDocument(doc, toBleveDoc(a)); err != nil {
		return nil, n, err
	}
	for i, f := range doc.Fields {
		tf, ok := f.(*document.TextField)
		if !ok || !f.Options().IsIndexed() {
			continue // dates and stored-only fields: bleve's analysis of them is cheap
		}
		if an := w.analyzer(tf.Analyzer()); an != tf.Analyzer() {
			tf = document.NewTextFieldCustom(tf.Name(), tf.ArrayPositions(), tf.Value(), tf.Options(), an)
		}
		tf.Analyze()
		doc.Fields[i] = analyzedText{tf}
		for j, name := range schema.TokenFields {
			if tf.Name() == name {
				n[j] += tf.AnalyzedLength()
			}
		}
	}
	return doc, n, nil
}

// analyzeAll runs analyze(w, i) for i in [0, n) on every core, each
// goroutine with a worker w of its own taken from pool.
func analyzeAll(pool *sync.Pool, n int, analyze func(w *analysisWorker, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, _ := pool.Get().(*analysisWorker)
			if w == nil {
				w = &analysisWorker{}
			}
			defer pool.Put(w)
			for i := g; i < n; i += workers {
				analyze(w, i)
			}
		}()
	}
	wg.Wait()
}

// An analysisWorker is the state of one bulk-analysis goroutine: its
// copies of the analyzers whose stemmer it memoizes.
//
// Stemming was an eighth of `folio index`'s CPU on Reuters (porter: 1.2 of
// 9.4 CPU-seconds), and the same few thousand words are stemmed again and
// again. A worker's copy of an analyzer that ends with bleve's porter
// stemmer ends instead with a memo in front of it: same tokens, each
// distinct word stemmed once. Other analyzers are used as they are.
type analysisWorker struct {
	copies map[analysis.Analyzer]analysis.Analyzer
}

// analyzer is w's analyzer to use in place of an: a copy with a memoized
// stemmer, or an itself (always an for a nil w).
func (w *analysisWorker) analyzer(an analysis.Analyzer) analysis.Analyzer {
	if w == nil {
		return an
	}
	if c, ok := w.copies[an]; ok {
		return c
	}
	c := an
	if d, ok := an.(*analysis.DefaultAnalyzer); ok && len(d.TokenFilters) > 0 {
		last := len(d.TokenFilters) - 1
		if stem, ok := d.TokenFilters[last].(*porter.PorterStemmer); ok {
			filters := append([]analysis.TokenFilter(nil), d.TokenFilters...)
			filters[last] = &memoStemmer{stem: stem, memo: map[string][]byte{}, one: make(analysis.TokenStream, 1)}
			c = &analysis.DefaultAnalyzer{CharFilters: d.CharFilters, Tokenizer: d.Tokenizer, TokenFilters: filters}
		}
	}
	if w.copies == nil {
		w.copies = map[analysis.Analyzer]analysis.Analyzer{}
	}
	w.copies[an] = c
	return c
}

// maxStemMemo bounds a memoStemmer's words (about 100 bytes each): the
// memo starts over when it is full.
const maxStemMemo = 1 << 17

// memoStemmer is a stemming token filter that remembers each word's stem.
// It must be the last filter of its analyzer: tokens of the same word share
// the stem's bytes, which no later filter may change.
type memoStemmer struct {
	stem analysis.TokenFilter // stems each token on its own, skipping keywords
	memo map[string][]byte
	one  analysis.TokenStream
}

// Filter stems input's tokens in place, as stem would.
func (m *memoStemmer) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if t.KeyWord {
			continue
		}
		if s, ok := m.memo[string(t.Term)]; ok {
			t.Term = s
			continue
		}
		word := string(t.Term)
		m.one[0] = t
		m.stem.Filter(m.one)
		if len(m.memo) >= maxStemMemo {
			clear(m.memo)
		}
		m.memo[word] = t.Term
	}
	m.one[0] = nil
	return input
}
