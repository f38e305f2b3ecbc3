// Package index is Folio's search engine facade: it opens, creates and
// closes an index (a directory of bleve shards in generations), writes
// articles to it (files, the HTTP write API, sync, watch, rebuild), backs it
// up, and turns a Query into a ranked, highlighted Result. It owns Options,
// Query, Result, Hit, Facet and every sentinel error callers map. Every
// write goes one way, source → article → log → apply (log.go): apply.go is
// the one place that writes bleve batches.
//
// Articles, their parsing and validation live in index/article, relevance
// metrics in index/eval; the bleve-specific machinery lives below
// index/internal. Only index and its internal packages import bleve; index
// knows nothing of HTTP or configuration files: it never imports server,
// config, cmd, echo or viper.
package index
