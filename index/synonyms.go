package index

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"

	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
)

// Synonyms use bleve's synonym support: the title and text fields name the
// synonym source schema.SynonymSource, whose collection holds one synonym
// definition per group (all words of a group are equivalent). bleve stores
// the definitions as documents of each shard, so Folio gives them reserved
// ids, leaves them out of counts and browsing, and replaces them when the
// configured groups change.
const synonymCountKey = "folio_synonym_groups" // bleve internal key: groups stored in the shard

// applySynonyms stores opts.Synonyms in every shard, deleting the groups of
// an earlier, longer list.
func (ix *Index) applySynonyms() error {
	for i, s := range ix.shards {
		prev := 0
		if b, err := s.GetInternal([]byte(synonymCountKey)); err == nil && b != nil {
			prev, _ = strconv.Atoi(string(b))
		}
		if prev == 0 && len(ix.opts.Synonyms) == 0 {
			continue
		}
		batch := s.NewBatch()
		for j, g := range ix.opts.Synonyms {
			if err := batch.IndexSynonym(plan.SynonymID(j), schema.SynonymSource, &bleve.SynonymDefinition{Synonyms: g}); err != nil {
				return fmt.Errorf("synonym group %d (%s): %w", j+1, strings.Join(g, ", "), err)
			}
		}
		for j := len(ix.opts.Synonyms); j < prev; j++ {
			batch.Delete(plan.SynonymID(j))
		}
		batch.SetInternal([]byte(synonymCountKey), []byte(strconv.Itoa(len(ix.opts.Synonyms))))
		if err := s.Batch(batch); err != nil {
			return fmt.Errorf("store synonyms in shard %d: %w", i, err)
		}
	}
	return nil
}

// synonymDocs is the number of synonym documents bleve counts as documents.
func (ix *Index) synonymDocs() uint64 { return uint64(len(ix.opts.Synonyms) * len(ix.shards)) }
