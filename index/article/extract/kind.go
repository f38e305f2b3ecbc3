package extract

import (
	"io"
	"mime"
	"path/filepath"
	"strings"

	"github.com/folio-search/folio/index/article"
)

// Kind is the kind of a document that extract reads.
type Kind int

const (
	KindHTML  Kind = iota + 1 // .html, .htm; text/html, application/xhtml+xml
	KindFeed                  // .rss, .atom, .xml; RSS, Atom and JSON Feed content types
	KindEmail                 // .eml; message/rfc822
	KindPDF                   // .pdf; application/pdf
	KindDocx                  // .docx; the Word (Office Open XML) content type
	KindODT                   // .odt; application/vnd.oasis.opendocument.text
)

// AcceptedKinds lists the file extensions KindOf knows (each also with .gz).
const AcceptedKinds = ".html, .htm, .rss, .atom, .xml (RSS or Atom), .eml, .pdf, .docx, .odt, each optionally .gz"

// KindOf is the kind of a document from its content type (when known and
// not generic) or else its name's extension, ".gz" removed; false when
// extract does not read it.
func KindOf(name, contentType string) (Kind, bool) {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		switch mt {
		case "text/html", "application/xhtml+xml":
			return KindHTML, true
		case "application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml", "application/xml", "text/xml":
			return KindFeed, true
		case "message/rfc822":
			return KindEmail, true
		case "application/pdf":
			return KindPDF, true
		case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
			return KindDocx, true
		case odtMimeType:
			return KindODT, true
		}
	}
	n := strings.TrimSuffix(strings.ToLower(name), ".gz")
	switch filepath.Ext(n) {
	case ".html", ".htm":
		return KindHTML, true
	case ".rss", ".atom", ".xml":
		return KindFeed, true
	case ".eml":
		return KindEmail, true
	case ".pdf":
		return KindPDF, true
	case ".docx":
		return KindDocx, true
	case ".odt":
		return KindODT, true
	}
	return 0, false
}

// Document reads the document name (a path or URL, for errors and for
// resolving links) of the given kind, at most limit bytes, gzipped or not.
// An HTML page, an e-mail, a PDF, a Word or an OpenDocument text gives one article whose ID is left empty for the caller (a
// file's relative path, a page's URL); a feed gives one article per item,
// each with its guid or link as ID. Problems are returned as Feed does.
func Document(kind Kind, name string, r io.Reader, limit int64) ([]article.Article, error) {
	return split((&Extractor{}).Records(kind, name, r, limit))
}

// Records is Document with x's date parser, each problem a record of its own.
func (x *Extractor) Records(kind Kind, name string, r io.Reader, limit int64) []article.Record {
	link := ""
	if isHTTP(name) {
		link = name
	}
	switch kind {
	case KindHTML:
		a, perr := x.html(r, link, name, limit)
		a.ID = ""
		return []article.Record{{Article: a, Err: perr}}
	case KindFeed:
		return x.feed(r, link, name, limit)
	case KindEmail:
		a, perr := x.email(r, name, limit)
		return []article.Record{{Article: a, Err: perr}}
	case KindPDF:
		a, perr := x.pdfDoc(r, name, limit)
		return []article.Record{{Article: a, Err: perr}}
	case KindDocx:
		a, perr := x.docx(r, name, limit)
		return []article.Record{{Article: a, Err: perr}}
	case KindODT:
		a, perr := x.odt(r, name, limit)
		return []article.Record{{Article: a, Err: perr}}
	}
	return []article.Record{{Err: problem(name, "unsupported format", "unsupported document kind", "one of "+AcceptedKinds)}}
}
