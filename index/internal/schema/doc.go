// Package schema owns the shape of Folio's bleve documents: the field names,
// the index mapping with its analyzers and token length limits, the mapping
// version stored with every index, the day-number encoding of dates and the
// date filter over it, and the fields whose true token counts feed BM25.
//
// It imports bleve and the standard library only: never the facade package
// index, nor server, config or cmd (the facade imports it).
package schema
