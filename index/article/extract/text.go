package extract

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlTag matches an opening or closing tag of the elements that mark a
// body as HTML rather than text that happens to hold a "<".
var htmlTag = regexp.MustCompile(`(?i)</?(p|div|br|hr|span|a|b|i|u|em|strong|small|sup|sub|h[1-6]|ul|ol|li|dl|dt|dd|table|tr|td|th|thead|tbody|img|figure|figcaption|blockquote|pre|code|section|article|header|footer|nav|aside|main|html|body|head|script|style|iframe|noscript)(\s[^<>]*)?/?>`)

// LooksLikeHTML reports whether s holds HTML markup: an element tag such
// as <p>, <br> or </div>. Plain text with a stray "<" or "&" does not.
func LooksLikeHTML(s string) bool {
	return htmlTag.MatchString(s)
}

// Text is the plain text of an HTML fragment or page s: entities decoded,
// scripts, styles and comments dropped, a blank line between paragraphs
// and other blocks, a line break for <br>. It does not look for the
// article in a page (HTML does); it is for HTML inside another format's
// body (feed items, JSON or text-format bodies, e-mail parts). Markup
// nested deeper than the HTML parser allows (512 open elements) is read
// as text.
func Text(s string) string {
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return cleanText(s)
	}
	var b strings.Builder
	for _, n := range nodes {
		renderText(&b, n, false)
	}
	return cleanText(b.String())
}

// BodyText is body, or its text (Text) when it is HTML.
func BodyText(body string) string {
	if !LooksLikeHTML(body) {
		return body
	}
	return Text(body)
}

// spaces is a run of white space, which HTML shows as one space.
var spaces = regexp.MustCompile(`[ \t\n\r\f]+`)

// paragraphs are the elements set off by a blank line; lines those on a line of their own.
var (
	paragraphs = map[atom.Atom]bool{atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
		atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Table: true, atom.Blockquote: true, atom.Pre: true, atom.Hr: true, atom.Figure: true}
	lines = map[atom.Atom]bool{atom.Div: true, atom.Li: true, atom.Tr: true, atom.Dt: true, atom.Dd: true, atom.Section: true, atom.Article: true,
		atom.Header: true, atom.Footer: true, atom.Main: true, atom.Aside: true, atom.Nav: true, atom.Figcaption: true, atom.Address: true,
		atom.Form: true, atom.Fieldset: true, atom.Details: true, atom.Summary: true, atom.Caption: true, atom.Body: true, atom.Html: true}
	silent = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Head: true, atom.Template: true, atom.Noscript: true,
		atom.Iframe: true, atom.Svg: true, atom.Canvas: true, atom.Select: true, atom.Button: true, atom.Input: true, atom.Textarea: true, atom.Object: true}
)

// renderText writes the text of n to b: a blank line around paragraphs, a
// line break around other blocks and for <br>, a tab between table cells.
// pre keeps line breaks. The parser bounds the nesting, so the recursion.
func renderText(b *strings.Builder, n *html.Node, pre bool) {
	switch n.Type {
	case html.TextNode:
		if pre {
			b.WriteString(n.Data)
		} else {
			b.WriteString(spaces.ReplaceAllString(n.Data, " "))
		}
		return
	case html.ElementNode:
		if silent[n.DataAtom] || n.DataAtom == 0 && n.Namespace != "" {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	sep := ""
	switch {
	case paragraphs[n.DataAtom]:
		sep = "\n\n"
	case lines[n.DataAtom]:
		sep = "\n"
	case n.DataAtom == atom.Br:
		b.WriteByte('\n')
		return
	case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
		sep = "\t"
	}
	b.WriteString(sep)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		renderText(b, c, pre || n.DataAtom == atom.Pre)
	}
	b.WriteString(sep)
}

// cleanText trims every line, turns no-break spaces into spaces and keeps
// at most one blank line between paragraphs; a line of white space only is
// dropped without making a paragraph break.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	blank := false
	for _, l := range strings.Split(s, "\n") {
		empty := l == "" // a line of spaces between two blocks is no paragraph break
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			blank = blank || empty && b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(l)
	}
	return b.String()
}
