package extract

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/folio-search/folio/index/article"
)

// Bounds of a feed or any other XML document beyond its size in bytes.
const (
	// MaxFeedItems is the most items read from one feed; later ones are dropped and reported.
	MaxFeedItems = 10_000
	// MaxXMLDepth is the deepest nesting of XML elements.
	MaxXMLDepth = 256
	// MaxXMLElements is the most XML elements of one document.
	MaxXMLElements = 1_000_000
)

// Feed reads an RSS 2.0 (or 1.0), Atom or JSON Feed document of at most
// limit bytes into one article per item: id from the guid (Atom: id),
// else the link; title, date (published, else updated), author,
// categories as tags; body from the full content, else the summary, HTML
// turned into text; the item's link in URL (resolved against feedURL,
// which also names the feed in errors). Items with a problem are left
// out and reported: the error is then an errors.Join of their
// *article.InputErrors, beside the good items. A document that is no feed
// is one *article.InputError and no items.
func Feed(r io.Reader, feedURL string, limit int64) ([]article.Article, error) {
	return (&Extractor{}).Feed(r, feedURL, limit)
}

// Feed is the package's Feed with x's date parser.
func (x *Extractor) Feed(r io.Reader, feedURL string, limit int64) ([]article.Article, error) {
	return split(x.feed(r, feedURL, feedURL, limit))
}

// split turns records into the articles and a joined error of the problems.
func split(recs []article.Record) ([]article.Article, error) {
	var as []article.Article
	var errs []error
	for _, r := range recs {
		if r.Err != nil {
			errs = append(errs, r.Err)
		} else {
			as = append(as, r.Article)
		}
	}
	return as, errors.Join(errs...)
}

// feed reads a feed into records, naming it where in problems.
func (x *Extractor) feed(r io.Reader, feedURL, where string, limit int64) []article.Record {
	b, perr := readAll(r, where, limit)
	if perr != nil {
		return []article.Record{{Err: perr}}
	}
	if t := bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))); len(t) > 0 && t[0] == '<' {
		if perr := checkXML(b, where); perr != nil {
			return []article.Record{{Err: perr}}
		}
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(b))
	if err != nil {
		msg := fmt.Sprintf("cannot read feed: %v", err)
		reason := "invalid feed"
		switch {
		case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
			msg = "not an RSS, Atom or JSON feed"
		case strings.Contains(err.Error(), "XML syntax error"):
			reason = "invalid XML"
		}
		return []article.Record{{Err: problem(where, reason, msg, "an RSS 2.0, Atom or JSON Feed document")}}
	}
	base, _ := url.Parse(feedURL)
	if base != nil && !base.IsAbs() {
		base = nil
	}
	var recs []article.Record
	for i, it := range f.Items {
		if i == MaxFeedItems {
			recs = append(recs, article.Record{Err: problem(where, "too many items", fmt.Sprintf("feed has %d items; those after the first %d are not read", len(f.Items), MaxFeedItems), "a feed of fewer items")})
			break
		}
		a, perr := x.item(it, base, where, i+1)
		recs = append(recs, article.Record{Article: a, Err: perr})
	}
	if len(recs) == 0 {
		recs = append(recs, article.Record{Err: problem(where, "empty file", "feed has no items", "")})
	}
	return recs
}

// item is the article of the n-th item of a feed.
func (x *Extractor) item(it *gofeed.Item, base *url.URL, where string, n int) (article.Article, *article.InputError) {
	link := strings.TrimSpace(it.Link)
	if link == "" && len(it.Links) > 0 {
		link = strings.TrimSpace(it.Links[0])
	}
	if link != "" {
		link = resolve(link, base)
	}
	a := article.Article{
		ID:    strings.TrimSpace(it.GUID),
		Title: strings.Join(strings.Fields(Text(it.Title)), " "),
		Tags:  uniqueTags(it.Categories),
	}
	if a.ID == "" {
		a.ID = link
	}
	if isHTTP(link) {
		a.URL = link
	}
	if len(it.Authors) > 0 && it.Authors[0] != nil {
		a.Author = strings.TrimSpace(it.Authors[0].Name)
		if a.Author == "" {
			a.Author = strings.TrimSpace(it.Authors[0].Email)
		}
	}
	a.Date = x.itemDate(it)
	body := it.Content
	if strings.TrimSpace(body) == "" {
		body = it.Description
	}
	a.Body = cleanText(BodyText(body))
	name := fmt.Sprintf("item %d", n)
	if a.Title != "" {
		name += fmt.Sprintf(" %q", article.Clip(a.Title, 60))
	}
	if a.ID == "" {
		return article.Article{}, problem(where, "missing id", name+" has neither a guid (Atom: id) nor a link", "a guid or a link on every item")
	}
	if err := a.Validate(); err != nil {
		ie := err.(*article.InputError)
		ie.Path, ie.Message = where, name+": "+ie.Message
		return article.Article{}, ie
	}
	return a, nil
}

// itemDate is the item's published date, else its updated date, read by
// Folio's date parser; gofeed's own reading of the same text is the
// fallback for the many variants of RFC 822 dates feeds carry.
func (x *Extractor) itemDate(it *gofeed.Item) time.Time {
	if t := x.firstDate([]string{it.Published, it.Updated}); !t.IsZero() {
		return t
	}
	for _, p := range []*time.Time{it.PublishedParsed, it.UpdatedParsed} {
		if p != nil && !p.Before(article.MinDate) && !p.After(article.MaxDate) {
			return p.UTC()
		}
	}
	return time.Time{}
}

// resolve is ref resolved against base (when there is one).
func resolve(ref string, base *url.URL) string {
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return u.String()
}

// checkXML is the problem of an XML document deeper than MaxXMLDepth or
// with more than MaxXMLElements elements, or malformed, or nil. It reads
// raw tokens only: no entity is expanded, nothing is kept.
func checkXML(b []byte, where string) *article.InputError {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	depth, elems := 0, 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			line, _ := d.InputPos()
			ie := problem(where, "invalid XML", fmt.Sprintf("malformed XML: %v", err), "a well-formed feed")
			ie.Line = line
			return ie
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			elems++
			if depth > MaxXMLDepth {
				return problem(where, "too deep", fmt.Sprintf("XML elements are nested more than %d deep", MaxXMLDepth), "a document nested less deeply")
			}
			if elems > MaxXMLElements {
				return problem(where, "too large", fmt.Sprintf("XML has more than %d elements", MaxXMLElements), "a smaller document")
			}
		case xml.EndElement:
			depth--
		}
	}
}
