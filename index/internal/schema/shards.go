package schema

import (
	"fmt"
	"os"

	"github.com/blevesearch/bleve/v2"

	"github.com/folio-search/folio/index/internal/store"
)

// CreateShards makes n empty bleve indexes in dir (the shard directories
// of store.ShardPath), each with the mapping of language and keywordFields.
func CreateShards(dir string, n int, language string, keywordFields []string) ([]bleve.Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	var shards []bleve.Index
	for i := range n {
		m, err := NewMapping(language, keywordFields)
		if err != nil {
			for _, s := range shards {
				s.Close()
			}
			return nil, fmt.Errorf("create index: %w", err)
		}
		bi, err := bleve.New(store.ShardPath(dir, i), m)
		if err != nil {
			for _, s := range shards {
				s.Close()
			}
			return nil, fmt.Errorf("create index %s: %w", store.ShardPath(dir, i), err)
		}
		shards = append(shards, bi)
	}
	return shards, nil
}
