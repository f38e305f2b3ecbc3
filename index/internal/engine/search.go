package engine

import (
	"context"
	"errors"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
)

// Search runs req over shards through alias (the alias of those shards),
// with the BM25 statistics st (nil: bleve's own) and at most maxTerms
// expansions of a prefix, wildcard, fuzzy or regexp term. With more than
// one shard, BM25's document count and field lengths are gathered from all
// shards first (bleve's global scoring), and a scored request's query is
// wrapped in a GlobalQuery, which takes each term's document frequency and
// each prefix, wildcard and fuzzy expansion from all shards: scores and
// ranking do not depend on how the documents are spread. A single shard
// searches req as it is. A shard's failure fails the search (PartialError).
func Search(ctx context.Context, alias bleve.IndexAlias, shards []bleve.Index, req *bleve.SearchRequest, st *search.BM25Stats, maxTerms int) (_ *bleve.SearchResult, err error) {
	ctx = LimitTerms(ctx, maxTerms)
	if st != nil {
		req.PreSearchData = map[string]any{search.BM25PreSearchDataKey: st}
	}
	if len(shards) > 1 {
		ctx = context.WithValue(ctx, search.SearchTypeKey, search.GlobalScoring)
		// Without Folio's statistics (Options.BleveAvgDL) bleve gathers
		// its own from the query tree, which a GlobalQuery would hide.
		if st != nil && req.Score != "none" {
			var all *ShardStats
			if all, err = OpenShardStats(shards); err != nil {
				return nil, err
			}
			if all != nil {
				defer func() { err = errors.Join(err, all.Close()) }()
				global := *req
				global.Query = &GlobalQuery{Query: req.Query, Stats: all}
				req = &global
			}
		}
	}
	res, err := alias.SearchInContext(ctx, req)
	if perr := PartialError(res); err == nil && perr != nil {
		return nil, perr
	}
	return res, err
}
