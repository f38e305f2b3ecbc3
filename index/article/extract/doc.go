// Package extract owns the reading of documents Folio does not write
// itself into articles: HTML pages (the article text, not the page
// chrome, through a readability library), RSS, Atom and JSON feeds, PDF,
// Word (.docx), OpenDocument (.odt) and e-mail (.eml), each optionally
// gzipped, and the plain text of HTML that arrives inside another
// format's body. KindOf names a document's kind from its file name or
// content type; Document reads one.
//
// Every reader is bounded: at most limit bytes are read (decompressed
// bytes for gzip and for the members of a zip archive), HTML and XML have
// element, depth and count limits, and a PDF's pages and objects are
// capped; a document over a bound is refused with an *article.InputError
// saying which. Dates go through Folio's one date parser
// (article.DateParser).
//
// It is pure: no bleve, no HTTP client, no other Folio package but
// index/article (make pure-check enforces it), so the file sources and
// the URL sources share it.
package extract
