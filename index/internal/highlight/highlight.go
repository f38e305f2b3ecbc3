package highlight

import (
	"bytes"
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
	blevehl "github.com/blevesearch/bleve/v2/search/highlight"
	htmlformat "github.com/blevesearch/bleve/v2/search/highlight/format/html"
	"github.com/blevesearch/bleve/v2/search/highlight/fragmenter/simple"
	simplehl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/simple"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/internal/schema"
)

// Highlighter drives bleve's simple highlighter with Folio's settings. It is
// built once per Index: the html formatter escapes all text and adds only
// <mark> tags.
type Highlighter struct {
	body  *simplehl.Highlighter
	title *simplehl.Highlighter
	whole *simplehl.Highlighter // one fragment holding the whole field (article pages)
}

// New returns a Highlighter whose body fragments are about fragmentSize runes.
func New(fragmentSize int) *Highlighter {
	f := spanFormatter{htmlformat.NewFragmentFormatter(markOpen, markClose)}
	return &Highlighter{
		body:  simplehl.NewHighlighter(wordFragmenter{simple.NewFragmenter(fragmentSize)}, f, simplehl.DefaultSeparator),
		title: simplehl.NewHighlighter(simple.NewFragmenter(1<<20), f, ""),
		whole: simplehl.NewHighlighter(simple.NewFragmenter(1<<30), f, ""),
	}
}

const (
	markOpen  = "<mark>"
	markClose = "</mark>"
)

// spanFormatter is bleve's html formatter with adjacent matches, separated
// by spaces only, marked as one span: a phrase ("Diamond Hexagon") is one
// <mark>, and a page counting marks counts phrase occurrences, not words.
type spanFormatter struct{ inner blevehl.FragmentFormatter }

// Format implements highlight.FragmentFormatter.
func (f spanFormatter) Format(frag *blevehl.Fragment, locs blevehl.TermLocations) string {
	return JoinAdjacent(f.inner.Format(frag, locs))
}

// JoinAdjacent joins marks of s that only spaces or tabs separate into one.
func JoinAdjacent(s string) string {
	if strings.Count(s, markOpen) < 2 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.Index(s, markClose)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		gap := i + len(markClose)
		j := gap
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j > gap && strings.HasPrefix(s[j:], markOpen) {
			b.WriteString(s[:i])
			b.WriteString(s[gap:j])
			s = s[j+len(markOpen):]
			continue
		}
		b.WriteString(s[:gap])
		s = s[gap:]
	}
}

// SplitLocations moves the term locations found in schema.Text to the title
// and the body they came from (the text is title + schema.TextSeparator +
// body), so bleve's highlighter can mark the stored fields.
func SplitLocations(dm *search.DocumentMatch, titleLen int) {
	text := dm.Locations[schema.Text]
	if len(text) == 0 {
		return
	}
	off := uint64(titleLen + len(schema.TextSeparator))
	for term, locs := range text {
		for _, l := range locs {
			field := schema.Title
			if l.Start >= off {
				field = schema.Body
				l.Start -= off
				l.End -= off
			}
			if dm.Locations[field] == nil {
				dm.Locations[field] = search.TermLocationMap{}
			}
			dm.Locations[field][term] = append(dm.Locations[field][term], l)
		}
	}
	delete(dm.Locations, schema.Text)
}

// TitleFragments returns the whole title with its matches marked, or nil.
func (h *Highlighter) TitleFragments(dm *search.DocumentMatch, doc bleveindex.Document) []string {
	if len(dm.Locations[schema.Title]) == 0 {
		return nil
	}
	return h.title.BestFragmentsInField(dm, doc, schema.Title, 1)
}

// BodyFragments returns up to n best non-overlapping body fragments around
// the matches (best first; matches close together share one fragment), or nil.
func (h *Highlighter) BodyFragments(dm *search.DocumentMatch, doc bleveindex.Document, n int) []string {
	if len(dm.Locations[schema.Body]) == 0 {
		return nil
	}
	return h.body.BestFragmentsInField(dm, doc, schema.Body, n)
}

// WholeBody returns the whole body with its matches marked as one
// fragment, or nil.
func (h *Highlighter) WholeBody(dm *search.DocumentMatch, doc bleveindex.Document) []string {
	if len(dm.Locations[schema.Body]) == 0 {
		return nil
	}
	return h.whole.BestFragmentsInField(dm, doc, schema.Body, 1)
}

// wordFragmenter moves the edges of bleve's rune-counted fragments to word
// boundaries (and the start to a sentence or line start when one lies before
// the first match), so snippets do not begin or end inside a word.
type wordFragmenter struct {
	inner blevehl.Fragmenter
}

// Fragment implements highlight.Fragmenter.
func (w wordFragmenter) Fragment(orig []byte, ot blevehl.TermLocations) []*blevehl.Fragment {
	frags := w.inner.Fragment(orig, ot)
	// bleve's highlighter hands over ot ordered by start, and its fragmenter
	// makes a fragment per location: find each fragment's matches by
	// binary search, not by a scan of all (quadratic on long articles).
	for _, f := range frags {
		first, last := f.End, f.Start
		i := sort.Search(len(ot), func(i int) bool { return ot[i].Start >= f.Start })
		for _, tl := range ot[i:] {
			if tl.Start >= f.End {
				break
			}
			if tl.End <= f.End {
				first = min(first, tl.Start)
				last = max(last, tl.End)
			}
		}
		if first < f.Start || first > len(orig) { // no match inside: leave it
			continue
		}
		if f.Start > 0 && !isSpace(orig[f.Start-1]) {
			head := orig[f.Start:first]
			if i := max(bytes.LastIndexByte(head, '\n'), lastSentenceEnd(head)); i >= 0 {
				f.Start += i + 1
			} else if i := bytes.IndexAny(head, " \t"); i >= 0 {
				f.Start += i + 1
			}
		}
		for f.Start < first && isSpace(orig[f.Start]) {
			f.Start++
		}
		if f.End < len(orig) && !isSpace(orig[f.End]) && last <= f.End {
			if i := bytes.LastIndexAny(orig[last:f.End], " \t\n"); i >= 0 {
				f.End = last + i
			}
		}
	}
	return frags
}

// lastSentenceEnd is the index of the space after the last ". ", "! " or "? " in b, or -1.
func lastSentenceEnd(b []byte) int {
	for i := len(b) - 1; i > 0; i-- {
		if b[i] == ' ' && (b[i-1] == '.' || b[i-1] == '!' || b[i-1] == '?') {
			return i
		}
	}
	return -1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Opening is the escaped start of body, cut at a word boundary near n runes.
// Only the first n+1 runes are looked at: a body may be megabytes long.
func Opening(body string, n int) string {
	offs := make([]int, 0, n+1) // byte offsets of the first n+1 runes
	for i := range body {
		if len(offs) == n+1 {
			break
		}
		offs = append(offs, i)
	}
	if len(offs) <= n {
		return html.EscapeString(body)
	}
	cut := offs[n]
	for i := n; i > n/2; i-- {
		if r, _ := utf8.DecodeRuneInString(body[offs[i]:]); unicode.IsSpace(r) {
			cut = offs[i]
			break
		}
	}
	return html.EscapeString(strings.TrimRightFunc(body[:cut], unicode.IsSpace)) + "…"
}
