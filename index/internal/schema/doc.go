// Package schema owns the shape of Folio's bleve documents: the field names,
// the index mapping with its analyzers and token length limits, the mapping
// version stored with every index, the day-number encoding of dates and the
// date filter over it, the fields whose true token counts feed BM25, the
// document built from an article (NewDocument) and the article read back
// from a stored document (Article), and a generation's empty shards with
// that mapping (CreateShards).
//
// It imports bleve, the standard library, index/article and
// index/internal/store (the shard directories) only: never the
// facade package index, nor server, config or cmd (the facade imports it).
package schema
