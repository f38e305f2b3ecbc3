package web

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/folio-search/folio/index/article"
)

// Sitemap is what one sitemap document lists: pages (a <urlset>) or
// further sitemaps (a <sitemapindex>), in document order.
type Sitemap struct {
	Index   bool
	Entries []Entry
}

// Entry is one <url> or <sitemap> of a sitemap: its location and its
// lastmod as written ("" when absent).
type Entry struct {
	Loc     string `xml:"loc"`
	Lastmod string `xml:"lastmod"`
}

// maxLocBytes bounds one <loc> or <lastmod> (the protocol allows 2,048
// characters for a URL).
const maxLocBytes = 4096

// ParseSitemap reads the sitemap or sitemap index in b (name is shown in
// problems). It accepts at most max entries; problems, with the line they
// were found on, are *article.InputError values of ReasonBadSitemap.
func ParseSitemap(b []byte, name string, max int) (Sitemap, *article.InputError) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	bad := func(msg, expected string) (Sitemap, *article.InputError) {
		line, _ := d.InputPos()
		return Sitemap{}, &article.InputError{Path: name, Line: line, Reason: ReasonBadSitemap, Message: msg, Expected: expected}
	}
	root, err := firstElement(d)
	if err != nil {
		return bad("not well-formed XML: "+xmlMessage(err), "a sitemap (<urlset> or <sitemapindex>)")
	}
	var sm Sitemap
	item := "url"
	switch root.Name.Local {
	case "urlset":
	case "sitemapindex":
		sm.Index, item = true, "sitemap"
	default:
		return bad(fmt.Sprintf("root element <%s> is not a sitemap", root.Name.Local), "<urlset> or <sitemapindex>")
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return bad("the document ends inside <"+root.Name.Local+">", "a complete sitemap")
		}
		if err != nil {
			return bad("not well-formed XML: "+xmlMessage(err), "a sitemap (<urlset> or <sitemapindex>)")
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return sm, nil // the root's end: the decoder checks the nesting
		case xml.StartElement:
			if t.Name.Local != item {
				if err := skip(d); errors.Is(err, errTooDeep) {
					return bad(fmt.Sprintf("elements nested more than %d levels deep", maxSitemapDepth), "a sitemap (<url> elements inside <urlset>)")
				} else if err != nil {
					return bad("not well-formed XML: "+xmlMessage(err), "a sitemap")
				}
				continue
			}
			if len(sm.Entries) >= max {
				return bad(fmt.Sprintf("more than %d entries", max), "at most 50,000 URLs per sitemap, and index.crawl.max_urls per source")
			}
			e, err := readEntry(d)
			switch {
			case errors.Is(err, errTooDeep):
				return bad(fmt.Sprintf("elements nested more than %d levels deep", maxSitemapDepth), "a sitemap (<url> elements inside <urlset>)")
			case errors.Is(err, errTooLong):
				return bad(fmt.Sprintf("<loc> or <lastmod> longer than %d bytes", maxLocBytes), "URLs of at most 2,048 characters")
			case err != nil:
				return bad("not well-formed XML: "+xmlMessage(err), "a sitemap")
			}
			e.Loc, e.Lastmod = strings.TrimSpace(e.Loc), strings.TrimSpace(e.Lastmod)
			switch {
			case e.Loc == "":
				return bad("<"+item+"> without <loc>", "a <loc> in every <"+item+">")
			case len(e.Loc) > maxLocBytes || len(e.Lastmod) > maxLocBytes:
				return bad(fmt.Sprintf("<loc> or <lastmod> longer than %d bytes", maxLocBytes), "URLs of at most 2,048 characters")
			}
			sm.Entries = append(sm.Entries, e)
		}
	}
}

// maxSitemapDepth bounds the nesting of the elements a sitemap's reader
// skips (extensions such as image:image are 2 levels deep): the XML
// decoder keeps every open element, so a document of nothing but opening
// tags would otherwise cost it some 35 times its size in memory.
const maxSitemapDepth = 32

var errTooDeep = errors.New("nested too deep")

// skip reads past the element just started, as xml.Decoder.Skip does, but
// fails with errTooDeep past maxSitemapDepth levels.
func skip(d *xml.Decoder) error {
	depth := 1
	for depth > 0 {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxSitemapDepth {
				return errTooDeep
			}
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

var errTooLong = errors.New("text too long")

// readEntry reads the <url> or <sitemap> element just started: the text of
// its <loc> and <lastmod>, each at most maxLocBytes; other elements are
// skipped (bounded by maxSitemapDepth).
func readEntry(d *xml.Decoder) (Entry, error) {
	var e Entry
	for {
		tok, err := d.Token()
		if err != nil {
			return e, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return e, nil
		case xml.StartElement:
			var dst *string
			switch t.Name.Local {
			case "loc":
				dst = &e.Loc
			case "lastmod":
				dst = &e.Lastmod
			default:
				if err := skip(d); err != nil {
					return e, err
				}
				continue
			}
			if *dst, err = elementText(d); err != nil {
				return e, err
			}
		}
	}
}

// elementText is the text of the element just started, at most
// maxLocBytes (errTooLong past it); child elements are refused.
func elementText(d *xml.Decoder) (string, error) {
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if b.Len()+len(t) > maxLocBytes {
				return "", errTooLong
			}
			b.Write(t)
		case xml.StartElement:
			return "", fmt.Errorf("element <%s> inside <loc> or <lastmod>", t.Name.Local)
		case xml.EndElement:
			return b.String(), nil
		}
	}
}

// firstElement returns the document's root element, skipping the prolog.
func firstElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = errors.New("no root element")
			}
			return xml.StartElement{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, nil
		}
	}
}

// xmlMessage is err's text without the decoder's "XML syntax error on line N:" prefix (the line is in the problem).
func xmlMessage(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

// kind is what a fetched document is.
type kind string

const (
	kindSitemap kind = "sitemap"
	kindFeed    kind = "feed"
	kindPage    kind = "page"
)

// sniff tells a sitemap, a feed (RSS, Atom, RDF, JSON Feed) and an HTML
// page apart by the root element or the content type; ok is false for
// anything else.
func sniff(b []byte, contentType string) (kind, bool) {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "html"):
		return kindPage, true
	case strings.Contains(ct, "json"):
		if bytes.Contains(b[:min(len(b), 4096)], []byte("jsonfeed.org")) {
			return kindFeed, true
		}
		return "", false
	}
	d := xml.NewDecoder(bytes.NewReader(b[:min(len(b), 64<<10)]))
	d.Strict = false
	if root, err := firstElement(d); err == nil {
		switch strings.ToLower(root.Name.Local) {
		case "urlset", "sitemapindex":
			return kindSitemap, true
		case "rss", "feed", "rdf":
			return kindFeed, true
		case "html":
			return kindPage, true
		}
	}
	head := bytes.ToLower(b[:min(len(b), 1024)])
	if bytes.Contains(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html")) {
		return kindPage, true
	}
	return "", false
}
