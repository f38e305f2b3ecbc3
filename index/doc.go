// Package index owns Folio's domain: the Article type, the parsers for the
// article text format and JSON inputs, the shared date parser, the bleve
// mapping, building and updating the index, and turning a Query into a ranked,
// highlighted Result. It is the only package that imports bleve and it knows
// nothing of HTTP.
package index
