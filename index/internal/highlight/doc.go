// Package highlight owns Folio's snippets: the fragments of the body around
// the matches, the marked title, the wholly marked body of an article page,
// and the article's opening when its body has no match. Its output is
// HTML-escaped text in which only <mark>…</mark> is markup.
//
// It imports bleve, the standard library and index/internal/schema (for the
// field names): never the facade package index, nor server, config or cmd.
package highlight
