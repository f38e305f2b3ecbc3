package extract

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/folio-search/folio/index/article"
)

// Extractor reads documents with a configured date parser. The zero value
// uses article.DefaultDateParser. It is safe for concurrent use.
type Extractor struct {
	Dates *article.DateParser
}

func (x *Extractor) dates() *article.DateParser {
	if x == nil || x.Dates == nil {
		return article.DefaultDateParser()
	}
	return x.Dates
}

// limitOr is limit, or article.DefaultMaxBytes when limit is not positive.
func limitOr(limit int64) int64 {
	if limit <= 0 {
		return article.DefaultMaxBytes
	}
	return limit
}

// problem is the InputError of the document where (a path or a URL).
func problem(where, reason, msg, expected string) *article.InputError {
	return &article.InputError{Path: where, Reason: reason, Message: msg, Expected: expected}
}

// tooLarge is the problem of a document over limit bytes.
func tooLarge(where string, limit int64, what string) *article.InputError {
	return problem(where, "too large", fmt.Sprintf("%s is larger than %d bytes", what, limit), "a smaller document, or a larger index.max_article_bytes")
}

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// readAll reads at most limit bytes of r, decompressing it first when it
// is gzip data (by its magic bytes, so "page.html.gz" and a gzipped
// response read alike); more than limit decompressed bytes is a "too
// large" problem, so a decompression bomb stops at the limit.
func readAll(r io.Reader, where string, limit int64) ([]byte, *article.InputError) {
	limit = limitOr(limit)
	br := bufio.NewReader(r)
	what := "document"
	if head, _ := br.Peek(2); bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, problem(where, "unreadable gzip", fmt.Sprintf("cannot read gzip data: %v", err), "a gzip-compressed document")
		}
		defer zr.Close()
		r, what = zr, "document once decompressed"
	} else {
		r = br
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, problem(where, "unreadable file", fmt.Sprintf("cannot read: %v", err), "")
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(where, limit, what)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, problem(where, "empty file", "empty file", "")
	}
	return b, nil
}

// validate is the problem of a (Article.Validate) at where, or nil; an
// empty id passes, for the caller gives it (a file's path, a page's URL).
func validate(a article.Article, where string) *article.InputError {
	if a.ID == "" {
		a.ID = "-"
	}
	if err := a.Validate(); err != nil {
		ie := err.(*article.InputError)
		ie.Path = where
		return ie
	}
	return nil
}
