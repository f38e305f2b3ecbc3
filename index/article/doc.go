// Package article owns what an article is before any index sees it: the
// Article type and its validation (field sizes, dates, http(s) URLs), the
// one date parser, the readers of the input formats (Folio's text format,
// JSON, JSON Lines, each optionally gzipped) with format detection and
// their bounds, and InputError, the "path:line: what (expected)" error of
// a bad input.
//
// It is pure: it imports only the standard library, never bleve nor any
// other Folio package (make pure-check enforces it), so config, sources and
// the write API can parse and validate without pulling in the engine.
package article
