package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/folio-search/folio/index/article"
)

// Bounds of an HTML document beyond its size in bytes: the parsed tree of
// a page of limit bytes may still be far larger than the page, and the
// readability pass walks it several times, partly by recursion.
const (
	// MaxHTMLElements is the most elements of one HTML document.
	MaxHTMLElements = 200_000
	// MaxHTMLDepth is the deepest nesting of elements of one HTML document
	// (the limit of golang.org/x/net/html's parser, checked again here).
	MaxHTMLDepth = 512
	// maxJSONLDBytes bounds one JSON-LD script read for its date.
	maxJSONLDBytes = 256 << 10
)

// HTML reads one HTML page of at most limit bytes (0: article.DefaultMaxBytes)
// into an article: its text, not its navigation and other chrome, found by
// the readability algorithm; title, date, URL, author and tags from its
// metadata. pageURL (may be empty) resolves a relative canonical link, is
// the URL when the page names none, and names the page in errors. The
// article's ID is its URL, empty when it has none.
func HTML(r io.Reader, pageURL string, limit int64) (article.Article, error) {
	return (&Extractor{}).HTML(r, pageURL, limit)
}

// HTML is the package's HTML with x's date parser.
func (x *Extractor) HTML(r io.Reader, pageURL string, limit int64) (article.Article, error) {
	a, perr := x.html(r, pageURL, pageURL, limit)
	if perr != nil {
		return article.Article{}, perr
	}
	return a, nil
}

// html is HTML naming the document where in its errors.
func (x *Extractor) html(r io.Reader, pageURL, where string, limit int64) (article.Article, *article.InputError) {
	b, perr := readAll(r, where, limit)
	if perr != nil {
		return article.Article{}, perr
	}
	doc, perr := parseHTML(b, where)
	if perr != nil {
		return article.Article{}, perr
	}
	base, _ := url.Parse(pageURL)
	if base != nil && !base.IsAbs() {
		base = nil
	}
	m := readMeta(doc)
	a := article.Article{Title: m.title(), Author: m.author, Tags: m.tags}
	a.Date = x.firstDate(m.dates)
	a.URL = pageLink(m.canonical, base)
	a.ID = a.URL

	dropBanners(doc)
	p := readability.NewParser()
	p.MaxElemsToParse = MaxHTMLElements
	ra, err := p.ParseAndMutate(doc, base)
	if err == nil && ra.Node != nil {
		var b strings.Builder
		renderText(&b, ra.Node, false)
		a.Body = cleanText(b.String())
	}
	if a.Title == "" {
		a.Title = strings.TrimSpace(ra.Title())
	}
	a.Body = dropLeadingTitle(a.Body, a.Title)
	if a.Body == "" && a.Title == "" {
		return article.Article{}, problem(where, "no text", "page has no extractable text", "an HTML page with an article, or a title")
	}
	if perr := validate(a, where); perr != nil {
		return article.Article{}, perr
	}
	return a, nil
}

// parseHTML decodes b (in the charset its meta element or byte-order mark
// names, else UTF-8 or windows-1252) and parses it, refusing a tree over
// the element and depth bounds.
func parseHTML(b []byte, where string) (*html.Node, *article.InputError) {
	r, err := charset.NewReader(bytes.NewReader(b), "")
	if err != nil {
		return nil, problem(where, "bad encoding", fmt.Sprintf("unknown character encoding: %v", err), "UTF-8, or a charset the page declares")
	}
	doc, err := html.Parse(r)
	if err != nil && strings.Contains(err.Error(), "open stack of elements exceeds") {
		return nil, problem(where, "too deep", fmt.Sprintf("HTML elements are nested more than %d deep", MaxHTMLDepth), "a page nested less deeply")
	}
	if err != nil {
		return nil, problem(where, "invalid HTML", fmt.Sprintf("cannot parse HTML: %v", err), "an HTML page")
	}
	if perr := checkTree(doc, where); perr != nil {
		return nil, perr
	}
	return doc, nil
}

// bannerWords in an element's id or class mark a consent or cookie
// banner, which readability keeps when it sits beside the article: its
// list of unlikely candidates names "banner" and "gdpr", not these.
var bannerWords = []string{"cookie", "consent", "gdpr", "cmp-banner", "privacy-notice"}

// maxBannerText is the most text of an element removed as a banner: a
// larger one may be the page's content in a badly named container.
const maxBannerText = 2000

// dropBanners removes from doc the consent and cookie banners and modal
// dialogs (<dialog>, role="dialog" or "alertdialog") that hold no
// <article> or <main> and at most maxBannerText bytes of text.
func dropBanners(doc *html.Node) {
	var drop []*html.Node
	walk(doc, func(n *html.Node) {
		if n.DataAtom == atom.Html || n.DataAtom == atom.Body || n.DataAtom == atom.Head || !isBanner(n) {
			return
		}
		for _, d := range drop {
			if isAncestor(d, n) {
				return
			}
		}
		text := 0
		holdsContent := false
		walk(n, func(c *html.Node) {
			if c.DataAtom == atom.Article || c.DataAtom == atom.Main {
				holdsContent = true
			}
			for t := c.FirstChild; t != nil; t = t.NextSibling {
				if t.Type == html.TextNode {
					text += len(strings.TrimSpace(t.Data))
				}
			}
		})
		if !holdsContent && text <= maxBannerText {
			drop = append(drop, n)
		}
	})
	for _, n := range drop {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
}

// isBanner reports whether element n is named or marked as a banner or dialog.
func isBanner(n *html.Node) bool {
	if n.DataAtom == atom.Dialog {
		return true
	}
	if r := strings.ToLower(attr(n, "role")); r == "dialog" || r == "alertdialog" {
		return true
	}
	names := strings.ToLower(attr(n, "id") + " " + attr(n, "class"))
	for _, w := range bannerWords {
		if strings.Contains(names, w) {
			return true
		}
	}
	return false
}

// isAncestor reports whether a is n or one of its ancestors.
func isAncestor(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

// checkTree is the problem of a tree with more than MaxHTMLElements
// elements or deeper than MaxHTMLDepth, or nil. It walks without recursion.
func checkTree(doc *html.Node, where string) *article.InputError {
	elems, depth := 0, 0
	for n := doc; n != nil; {
		if n.Type == html.ElementNode {
			elems++
		}
		if elems > MaxHTMLElements {
			return problem(where, "too large", fmt.Sprintf("HTML has more than %d elements", MaxHTMLElements), "a smaller page")
		}
		if n.FirstChild != nil {
			n, depth = n.FirstChild, depth+1
			if depth > MaxHTMLDepth {
				return problem(where, "too deep", fmt.Sprintf("HTML elements are nested more than %d deep", MaxHTMLDepth), "a page nested less deeply")
			}
			continue
		}
		for n != nil && n.NextSibling == nil {
			n, depth = n.Parent, depth-1
		}
		if n != nil {
			n = n.NextSibling
		}
	}
	return nil
}

// meta is what a page says about itself.
type meta struct {
	ogTitle, titleTag, h1 string
	dates                 []string // in the order of preference
	canonical             string
	author                string
	tags                  []string
}

// title is og:title, else <title>, else the first <h1>.
func (m *meta) title() string {
	for _, t := range []string{m.ogTitle, m.titleTag, m.h1} {
		if t = strings.Join(strings.Fields(t), " "); t != "" {
			return t
		}
	}
	return ""
}

// readMeta reads the metadata of doc: titles, date candidates in the order
// article:published_time, <time datetime>, JSON-LD datePublished,
// <meta name="date">, the canonical link, the author and the tags.
func readMeta(doc *html.Node) meta {
	var m meta
	var published, timeTag, jsonLD, metaDate, authors []string
	var keywords []string
	walk(doc, func(n *html.Node) {
		switch n.DataAtom {
		case atom.Title:
			if m.titleTag == "" {
				m.titleTag = textOf(n)
			}
		case atom.H1:
			if m.h1 == "" {
				m.h1 = textOf(n)
			}
		case atom.Time:
			if v := attr(n, "datetime"); v != "" {
				timeTag = append(timeTag, v)
			}
		case atom.Link:
			if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
				m.canonical = attr(n, "href")
			}
		case atom.Script:
			if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") {
				d, a := jsonLDFacts(textOf(n))
				if d != "" {
					jsonLD = append(jsonLD, d)
				}
				if a != "" {
					authors = append(authors, a)
				}
			}
		case atom.Meta:
			key := strings.ToLower(strings.TrimSpace(attr(n, "property")))
			if key == "" {
				key = strings.ToLower(strings.TrimSpace(attr(n, "name")))
			}
			v := strings.TrimSpace(attr(n, "content"))
			if v == "" {
				return
			}
			switch key {
			case "og:title":
				if m.ogTitle == "" {
					m.ogTitle = v
				}
			case "article:published_time", "og:published_time":
				published = append(published, v)
			case "date", "dc.date", "dcterms.date", "dc.date.issued":
				metaDate = append(metaDate, v)
			case "author", "article:author", "dc.creator":
				if !isHTTP(v) { // article:author is often a profile URL
					authors = append([]string{v}, authors...)
				}
			case "keywords", "news_keywords":
				keywords = append(keywords, strings.Split(v, ",")...)
			case "article:tag":
				keywords = append(keywords, v)
			}
		}
	})
	m.dates = append(append(append(published, timeTag...), jsonLD...), metaDate...)
	if len(authors) > 0 {
		m.author = authors[0]
	}
	m.tags = uniqueTags(keywords)
	return m
}

// walk calls fn on every element of the tree doc (doc included), in
// document order, without recursion.
func walk(doc *html.Node, fn func(*html.Node)) {
	for n := doc; n != nil; {
		if n.Type == html.ElementNode {
			fn(n)
		}
		if n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != doc && n.NextSibling == nil {
			n = n.Parent
		}
		if n == doc {
			return
		}
		n = n.NextSibling
	}
}

// textOf is the text of n's descendants, white space collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		if c.FirstChild != nil {
			c = c.FirstChild
			continue
		}
		for c != nil && c != n && c.NextSibling == nil {
			c = c.Parent
		}
		if c == nil || c == n {
			break
		}
		c = c.NextSibling
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hasToken reports whether the space-separated list s holds tok (case-insensitively).
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// jsonLDFacts is the datePublished and the author's name of the first
// article-like object of a JSON-LD script (an object, an array of them,
// or an @graph).
func jsonLDFacts(s string) (date, author string) {
	if len(s) > maxJSONLDBytes {
		return "", ""
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<![CDATA["), "]]>"))
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return "", ""
	}
	var objs []map[string]any
	var add func(v any, depth int)
	add = func(v any, depth int) {
		if depth > 3 {
			return
		}
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				add(e, depth+1)
			}
		case map[string]any:
			objs = append(objs, t)
			if g, ok := t["@graph"]; ok {
				add(g, depth+1)
			}
		}
	}
	add(v, 0)
	for _, o := range objs {
		d, _ := o["datePublished"].(string)
		if d == "" {
			continue
		}
		return d, authorName(o["author"])
	}
	return "", ""
}

// authorName is a JSON-LD author: a name, a Person, or a list of them.
func authorName(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		s, _ := t["name"].(string)
		return strings.TrimSpace(s)
	case []any:
		if len(t) > 0 {
			return authorName(t[0])
		}
	}
	return ""
}

// firstDate is the first of candidates the date parser reads, or the zero time.
func (x *Extractor) firstDate(candidates []string) time.Time {
	dp := x.dates()
	for _, c := range candidates {
		if t, err := dp.Parse(strings.TrimSpace(c)); err == nil && !t.Before(article.MinDate) && !t.After(article.MaxDate) {
			return t
		}
	}
	return time.Time{}
}

// pageLink is the canonical link resolved against base, else base, as
// long as it is an http(s) URL; else "".
func pageLink(canonical string, base *url.URL) string {
	if c := strings.TrimSpace(canonical); c != "" {
		if u, err := url.Parse(c); err == nil {
			if base != nil {
				u = base.ResolveReference(u)
			}
			if s := u.String(); isHTTP(s) && len(s) <= article.MaxKeywordBytes {
				return s
			}
		}
	}
	if base != nil {
		if s := base.String(); isHTTP(s) && len(s) <= article.MaxKeywordBytes {
			return s
		}
	}
	return ""
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// uniqueTags trims tags and drops empty and repeated ones (case-insensitively),
// keeping at most article.MaxValues.
func uniqueTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.Join(strings.Fields(t), " ")
		k := strings.ToLower(t)
		if t == "" || seen[k] || len(t) > article.MaxKeywordBytes {
			continue
		}
		seen[k] = true
		out = append(out, t)
		if len(out) == article.MaxValues {
			break
		}
	}
	return out
}

// dropLeadingTitle removes a first paragraph that only repeats the title.
func dropLeadingTitle(body, title string) string {
	first, rest, _ := strings.Cut(body, "\n")
	if title != "" && strings.EqualFold(strings.TrimSpace(first), title) {
		return strings.TrimSpace(rest)
	}
	return body
}
