package plan

import (
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"
)

// planText completes p for a ModeText query: text is analysed as plain
// words (no character is query syntax), matched against the title+body text
// with the title boost, and, if the text has two or more words, with an
// all-words tier, like a syntax query of optional words.
func (pl *Planner) planText(p *Plan, text string) *Plan {
	m := query.NewMatchQuery(text)
	p.Main = pl.withRecency(pl.withTitleBoost(m), p.Now)
	p.Locations = true
	if pl.feedbackFor(p, len(strings.Fields(text))) {
		p.Feedback = true // feedback and the all-words tier do not go together (RESULTS.md)
		return p
	}
	if pl.TextTier && (p.SortBy == "" || p.SortBy == SortRelevance) {
		all := query.NewMatchQuery(text)
		all.SetOperator(query.MatchQueryOperatorAnd)
		p.All = pl.withRecency(pl.withTitleBoost(all), p.Now)
	}
	return p
}

// feedbackFor reports whether a query of n words in p's order gets
// pseudo-relevance feedback: on, n >= MinWords and relevance order.
func (pl *Planner) feedbackFor(p *Plan, n int) bool {
	return pl.Feedback.On && n >= pl.Feedback.MinWords && (p.SortBy == "" || p.SortBy == SortRelevance)
}
