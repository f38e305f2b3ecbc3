// Package suggest owns the reading helpers that offer words from the index's
// own dictionaries: the completions of a search box (the bounded walk of the
// title dictionary and the query over the most frequent completions), the
// words of "did you mean" (which words of a query a correction replaces and how
// a corrected index term is written),
// and the distinctive terms of an article that a more-like-this query
// searches.
//
// It imports bleve, the standard library and index/internal/engine (readers
// and document frequencies over shards) only: never the facade package index,
// nor schema, server, config or cmd. Field names, analyzers, shards and limits
// are parameters; searching, locking and the facade's types stay in index.
package suggest
