// Package engine holds Folio's extensions of bleve and its workarounds for
// bleve's limits, with no domain types: statistics of every shard for one
// search (document frequencies and term expansions, see GlobalQuery),
// unscored filters (Filtered), BM25's true field lengths (FieldTokens,
// AddShardStats) and parameters (SetBM25), readers and document
// frequencies over shards, the tie windows of relevance order (TieRuns),
// read-only and closed shards and the reopen after a failed persist
// (Reopen), the reference count of shards that readers share (Refs),
// segment merging, the routing of ids to shards (ShardOf) with one batch
// per shard (ShardBatches), id look-ups (Existing, IDPage), and the
// recognition of bleve's limit and full-disk errors.
//
// It imports bleve and the standard library only: never the facade package
// index, nor any package of Folio's domain (articles, field names, the
// mapping). A field name or a limit it needs is a parameter.
package engine
