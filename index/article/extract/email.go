package extract

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"

	"encoding/base64"

	"github.com/folio-search/folio/index/article"
)

// maxMIMEParts bounds the parts of one e-mail, nested parts included.
const maxMIMEParts = 100

// email reads one RFC 5322 message (.eml): subject as title, Date, From
// as author, the body from its text/plain part, else its text/html part.
func (x *Extractor) email(r io.Reader, where string, limit int64) (article.Article, *article.InputError) {
	b, perr := readAll(r, where, limit)
	if perr != nil {
		return article.Article{}, perr
	}
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return article.Article{}, problem(where, "invalid e-mail", fmt.Sprintf("cannot read e-mail: %v", err), "an RFC 5322 message with headers, a blank line and a body")
	}
	dec := new(mime.WordDecoder)
	a := article.Article{}
	if s, err := dec.DecodeHeader(m.Header.Get("Subject")); err == nil {
		a.Title = strings.TrimSpace(s)
	}
	if from, err := mail.ParseAddress(m.Header.Get("From")); err == nil {
		a.Author = from.Name
		if a.Author == "" {
			a.Author = from.Address
		}
	}
	a.Date = x.firstDate([]string{m.Header.Get("Date")})
	if a.Date.IsZero() {
		if t, err := m.Header.Date(); err == nil {
			a.Date = t
		}
	}
	parts := 0
	plain, htm := mailBody(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, &parts)
	if strings.TrimSpace(plain) != "" {
		a.Body = cleanText(plain)
	} else {
		a.Body = Text(htm)
	}
	if a.Title == "" && a.Body == "" {
		return article.Article{}, problem(where, "no text", "e-mail has neither subject nor text", "")
	}
	if perr := validate(a, where); perr != nil {
		return article.Article{}, perr
	}
	return a, nil
}

// mailBody is the first text/plain and text/html content of a part,
// searching multiparts (at most maxMIMEParts parts in all).
func mailBody(contentType, encoding string, body io.Reader, parts *int) (plain, htm string) {
	*parts++
	if *parts > maxMIMEParts {
		return "", ""
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return plain, htm
			}
			pl, h := mailBody(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, parts)
			if plain == "" {
				plain = pl
			}
			if htm == "" {
				htm = h
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(body) // bounded: the message is in memory already
	switch mt {
	case "text/plain":
		return string(b), ""
	case "text/html":
		return "", string(b)
	}
	return "", ""
}
