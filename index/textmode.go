package index

import (
	"github.com/blevesearch/bleve/v2/search/query"
)

// planText completes p for a ModeText query: text is analysed as plain
// words (no character is query syntax), matched against the title+body text
// with the title boost, and, if the text has two or more words, with an
// all-words tier, like a syntax query of optional words.
func (ix *Index) planText(p *plan, text string) *plan {
	m := query.NewMatchQuery(text)
	p.main = ix.withRecency(ix.withTitleBoost(m), p.now)
	p.locations = true
	if ix.opts.TextTier && (p.sortBy == "" || p.sortBy == SortRelevance) {
		all := query.NewMatchQuery(text)
		all.SetOperator(query.MatchQueryOperatorAnd)
		p.all = ix.withRecency(ix.withTitleBoost(all), p.now)
	}
	return p
}
