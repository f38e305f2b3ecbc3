package index

import (
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
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

// tokenCounts are the analysed lengths of one document's tokenFields.
type tokenCounts [2]int // in tokenFields' order: fieldText, fieldTitle

// analyzeArticle maps a to a bleve document with m and analyses its
// indexed fields, returning the document for Batch.IndexAdvanced and its
// token counts.
func analyzeArticle(m mapping.IndexMapping, a *Article) (*document.Document, tokenCounts, error) {
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
		tf.Analyze()
		doc.Fields[i] = analyzedText{tf}
		for j, name := range tokenFields {
			if tf.Name() == name {
				n[j] += tf.AnalyzedLength()
			}
		}
	}
	return doc, n, nil
}

// analyzeAll runs analyze(i) for i in [0, n) on every core.
func analyzeAll(n int, analyze func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				analyze(i)
			}
		}()
	}
	wg.Wait()
}
