// Package plan is Folio's query planning: it validates one search request
// (query text and mode, page and size, cursor, sort, date bounds, facets
// and keyword filters) and turns it into bleve queries — the query that
// matches, its all-words tier, the unscored filter and the order — with
// the title boost, the recency boost, synonym documents left out, and the
// bounds on expensive queries (clauses, wildcards, regular expressions,
// fuzziness, boosts). Bad requests are *param.Error values naming the
// parameter at fault. It also encodes and decodes the cursors of deep pages,
// and builds the bleve request of one search of a Plan (Plan.SearchRequest)
// and the ranges of a date facet (DateFacet).
//
// It also runs a Plan's searches in order (Run, RunAfter: the all-words
// tier, then the rest; relevance windows sized by the recent ties; counts)
// through a Searcher the facade gives it, which reaches the shards; facets,
// highlighting and results are the facade's work. plan imports bleve, index/article
// and Folio's internal schema, param and engine packages: never the facade
// package index.
package plan
