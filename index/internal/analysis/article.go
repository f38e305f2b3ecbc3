package analysis

import (
	"sync"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/schema"
)

// TokenCounts are the analysed lengths of one document's schema.TokenFields.
type TokenCounts [2]int // in schema.TokenFields' order: schema.Text, schema.Title

// Article maps a to a bleve document with m and analyses its
// indexed fields with w's analyzers, returning the document for
// Batch.IndexAdvanced and its token counts.
func Article(m mapping.IndexMapping, w *Worker, a *article.Article) (*document.Document, TokenCounts, error) {
	var n TokenCounts
	doc := document.NewDocument(a.ID)
	if err := m.MapDocument(doc, schema.NewDocument(a)); err != nil {
		return nil, n, err
	}
	Document(doc, w, schema.TokenFields, n[:])
	return doc, n, nil
}

// BulkCounts sums, per shard, the documents and tokens written by a bulk
// load into an empty index. It is safe for concurrent use.
type BulkCounts struct {
	mu     sync.Mutex
	docs   []uint64
	tokens []TokenCounts
}

// NewBulkCounts returns empty counts of the given number of shards.
func NewBulkCounts(shards int) *BulkCounts {
	return &BulkCounts{docs: make([]uint64, shards), tokens: make([]TokenCounts, shards)}
}

// Add counts one document of shard with token counts n.
func (c *BulkCounts) Add(shard int, n TokenCounts) {
	c.mu.Lock()
	c.docs[shard]++
	for i := range n {
		c.tokens[shard][i] += n[i]
	}
	c.mu.Unlock()
}

// ForShard returns shard i's token totals when they describe the whole
// shard (its document count, less its synonym documents, is what was
// counted), in schema.TokenFields' order, else nil.
func (c *BulkCounts) ForShard(i int, r bleveindex.IndexReader, synonyms uint64) []int {
	if c == nil {
		return nil
	}
	n, err := r.DocCount()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || n != c.docs[i]+synonyms {
		return nil
	}
	t := c.tokens[i]
	return t[:]
}
