package engine

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// Rescored is q with each match's score replaced by score of it (fields:
// the doc values score reads), as bleve's CustomScoreQuery does, but with
// the synonyms of q's terms: bleve looks them up in a request's query tree
// before it asks for the searcher and does not descend into a
// CustomScoreQuery (v2.6.3), so a rescored query (the recency boost) lost
// every synonym. They are looked up here for q.
func Rescored(q query.Query, score searcher.CustomScoreFunc, fields []string) query.Query {
	return rescored{CustomScoreQuery: query.NewCustomScoreQueryWithScorer(q, score, fields, nil), q: q}
}

// rescored is a CustomScoreQuery that looks up its query's synonyms.
type rescored struct {
	*query.CustomScoreQuery
	q query.Query
}

// Searcher is the CustomScoreQuery's searcher, with q's synonyms in ctx.
func (q rescored) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	ctx, err := withSynonyms(ctx, r, m, q.q)
	if err != nil {
		return nil, err
	}
	return q.CustomScoreQuery.Searcher(ctx, r, m, o)
}
