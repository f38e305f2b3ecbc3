package index

import (
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight/format/html"
	"github.com/blevesearch/bleve/v2/search/highlight/fragmenter/simple"
	simplehl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/simple"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// highlighter drives bleve's simple highlighter with Folio's settings. It is
// built once per Index: the html formatter escapes all text and adds only
// <mark> tags.
type highlighter struct {
	body  *simplehl.Highlighter
	title *simplehl.Highlighter
}

func newHighlighter(fragmentSize int) *highlighter {
	f := html.NewFragmentFormatter("<mark>", "</mark>")
	return &highlighter{
		body:  simplehl.NewHighlighter(simple.NewFragmenter(fragmentSize), f, simplehl.DefaultSeparator),
		title: simplehl.NewHighlighter(simple.NewFragmenter(1<<20), f, ""),
	}
}

// titleFragments returns the whole title with its matches marked, or nil.
func (h *highlighter) titleFragments(dm *search.DocumentMatch, doc bleveindex.Document) []string {
	if len(dm.Locations[fieldTitle]) == 0 {
		return nil
	}
	return h.title.BestFragmentsInField(dm, doc, fieldTitle, 1)
}

// bodyFragments returns the best body fragment around the matches, or nil.
func (h *highlighter) bodyFragments(dm *search.DocumentMatch, doc bleveindex.Document) []string {
	if len(dm.Locations[fieldBody]) == 0 {
		return nil
	}
	return h.body.BestFragmentsInField(dm, doc, fieldBody, 1)
}
