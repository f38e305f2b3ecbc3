// Package analysis owns bulk analysis: the per-goroutine workers whose
// copies of the analyzers memoize the porter stemmer, the running of
// analysis on every core, and the analysed text fields that bleve's own
// analysis step keeps as they are.
//
// Bulk ingest analyses documents itself, before handing them to bleve, for
// two reasons: the analysis runs on every core in Folio's own goroutines
// (bleve's Batch would do the same work in its analysis queue), and it yields
// each document's token counts, so a fresh build knows the true BM25 field
// lengths without walking every posting afterwards.
//
// It also turns an article into its analysed bleve document (Article), with
// the token counts that a bulk load sums per shard (BulkCounts).
//
// It imports bleve, the standard library, index/article and
// index/internal/schema only: never the facade package index, nor server,
// config or cmd.
package analysis

import (
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/document"
)

// Text is a text field whose analysis is already done: bleve's own
// analysis step calls Analyze again, which must keep the result.
type Text struct{ *document.TextField }

// Analyze keeps the analysis done by Document.
func (Text) Analyze() {}

// Document analyses doc's indexed text fields with w's analyzers, in place
// (each becomes a Text), and adds the analysed length of the field named
// fields[j] to counts[j].
func Document(doc *document.Document, w *Worker, fields []string, counts []int) {
	for i, f := range doc.Fields {
		tf, ok := f.(*document.TextField)
		if !ok || !f.Options().IsIndexed() {
			continue // dates and stored-only fields: bleve's analysis of them is cheap
		}
		if an := w.Analyzer(tf.Analyzer()); an != tf.Analyzer() {
			tf = document.NewTextFieldCustom(tf.Name(), tf.ArrayPositions(), tf.Value(), tf.Options(), an)
		}
		tf.Analyze()
		doc.Fields[i] = Text{tf}
		for j, name := range fields {
			if tf.Name() == name {
				counts[j] += tf.AnalyzedLength()
			}
		}
	}
}

// All runs analyze(w, i) for i in [0, n) on every core, each
// goroutine with a worker w of its own taken from pool.
func All(pool *sync.Pool, n int, analyze func(w *Worker, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, _ := pool.Get().(*Worker)
			if w == nil {
				w = &Worker{}
			}
			defer pool.Put(w)
			for i := g; i < n; i += workers {
				analyze(w, i)
			}
		}()
	}
	wg.Wait()
}

// A Worker is the state of one bulk-analysis goroutine: its
// copies of the analyzers whose stemmer it memoizes. The zero Worker is
// ready to use.
//
// Stemming was an eighth of `folio index`'s CPU on Reuters (porter: 1.2 of
// 9.4 CPU-seconds), and the same few thousand words are stemmed again and
// again. A worker's copy of an analyzer that ends with bleve's porter
// stemmer ends instead with a memo in front of it: same tokens, each
// distinct word stemmed once. Other analyzers are used as they are.
type Worker struct {
	copies map[analysis.Analyzer]analysis.Analyzer
}

// Analyzer is w's analyzer to use in place of an: a copy with a memoized
// stemmer, or an itself (always an for a nil w).
func (w *Worker) Analyzer(an analysis.Analyzer) analysis.Analyzer {
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
