package index

import (
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/folio-search/folio/index/article"

	"github.com/folio-search/folio/index/internal/analysis"
	"github.com/folio-search/folio/index/internal/schema"
)

// Bulk ingest analyses documents itself (index/internal/analysis says why).
// analyzeArticle stays in the facade until the Article type has moved to
// index/article, and then moves beside the document building.

// tokenCounts are the analysed lengths of one document's schema.TokenFields.
type tokenCounts [2]int // in schema.TokenFields' order: schema.Text, schema.Title

// analyzeArticle maps a to a bleve document with m and analyses its
// indexed fields with w's analyzers, returning the document for
// Batch.IndexAdvanced and its token counts.
func analyzeArticle(m mapping.IndexMapping, w *analysis.Worker, a *article.Article) (*document.Document, tokenCounts, error) {
	var n tokenCounts
	doc := document.NewDocument(a.ID)
	if err := m.MapDocument(doc, schema.NewDocument(a)); err != nil {
		return nil, n, err
	}
	analysis.Document(doc, w, schema.TokenFields, n[:])
	return doc, n, nil
}
