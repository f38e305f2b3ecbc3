package plan

import (
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
)

// planText completes p for a ModeText query: text is analysed as plain
// words (no character is query syntax), matched against the title+body text
// with the title boost, and, if the text has two or more words, with an
// all-words tier (TextTier); with MatchAll, only the articles holding
// every word match. A query being typed also has, with feedback, the
// completions of its last word (completion, optional: nil).
func (pl *Planner) planText(p *Plan, text string, completion query.Query) *Plan {
	m := query.NewMatchQuery(text)
	if p.Match == MatchAll {
		m.SetOperator(query.MatchQueryOperatorAnd)
	}
	feedback := pl.feedbackFor(p, len(strings.Fields(text)))
	main := pl.withTitleBoost(m)
	if completion != nil && feedback {
		main = query.NewBooleanQuery([]query.Query{main}, []query.Query{completion}, nil)
	}
	p.Main = pl.withRecency(main, p.Now)
	p.Locations = true
	if feedback {
		p.Feedback = true // feedback and the all-words tier do not go together (RESULTS.md)
		return p
	}
	if pl.TextTier && p.Match != MatchAll && (p.SortBy == "" || p.SortBy == SortRelevance) {
		and := query.NewMatchQuery(text)
		and.SetOperator(query.MatchQueryOperatorAnd)
		all := pl.withRecency(pl.withTitleBoost(and), p.Now)
		p.Tiers = []query.Query{all, query.NewBooleanQuery([]query.Query{p.Main}, nil, []query.Query{engine.Ending(all)})}
	}
	return p
}

// feedbackFor reports whether a query of n words in p's order gets
// pseudo-relevance feedback: on, n >= MinWords and relevance order.
func (pl *Planner) feedbackFor(p *Plan, n int) bool {
	return pl.Feedback.On && n >= pl.Feedback.MinWords && (p.SortBy == "" || p.SortBy == SortRelevance)
}
