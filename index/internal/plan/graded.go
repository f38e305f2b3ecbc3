package plan

import (
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/param"
)

// Graded word matching: a short keyword query of optional words lists the
// articles matching all its distinct words first, then those matching all
// but one, and so on down to one word; among articles matching as many
// words, those matching more of them as typed (not only through a typo or
// a completion of the last word) come first; then the score (BM25, title
// boost, recency) decides. Each such group is a tier: the query restricted
// by an unscored filter that counts matched words (a disjunction with a
// minimum), so every article keeps the score the query gives it. A
// longer query is ranked by score alone, except that the articles matching
// only through typos come after all those matching a word as typed
// (typedFirst): that order holds by construction, whatever the scores. A
// query with required clauses is ranked by score too, except that the
// articles matching one of its typo-tolerant words as typed come before
// those matching them only through typos or not at all (typedFirst over
// typoWords).

// Match strategies of a Request.
const (
	MatchAny = "any" // articles matching at least one word (graded); the default of relevance order
	MatchAll = "all" // only articles matching every word (through typos and completions); the default of date orders
)

// maxTiers bounds the tiers of one ranking (and the phase of a cursor).
const maxTiers = 64

// inexact records the word clauses that match through typos or
// completions, each with the part of it that matches the word as typed
// (nil when nothing does: a misspelling the index lacks).
type inexact map[query.Query]query.Query

// words are the distinct word clauses of a query (a word, its typo
// expansion or completion, a phrase) and what of each matches as typed.
type words struct {
	all, exact []query.Query // exact holds only the clauses that can match as typed
	inexact    int           // clauses that also match through typos or completions
}

// optionalWords are the word clauses of q when q is made only of optional
// clauses (and exclusions): the ones that can match (a stop word cannot),
// each once; nil for a query with required clauses.
func (pl *Planner) optionalWords(q query.Query, alts inexact) *words {
	d := optional(q)
	if d == nil {
		return nil
	}
	w := &words{}
	seen := map[[2]string]bool{}
	for _, c := range d.Disjuncts {
		switch c := c.(type) {
		case *query.TermQuery:
			k := [2]string{c.FieldVal, c.Term}
			if seen[k] {
				continue
			}
			seen[k] = true
		case *query.MatchQuery:
			if pl.matchesNothing(c.FieldVal, c.Match) {
				continue
			}
		case *query.MatchPhraseQuery:
			if pl.matchesNothing(c.FieldVal, c.MatchPhrase) {
				continue
			}
		}
		w.add(c, alts)
	}
	return w
}

// add adds the word clause c to w, with what of it matches as typed
// (alts[c], else c itself).
func (w *words) add(c query.Query, alts inexact) {
	w.all = append(w.all, c)
	exact, ok := alts[c]
	if !ok {
		exact = c
	} else {
		w.inexact++
	}
	if exact != nil {
		w.exact = append(w.exact, exact)
	}
}

// typoWords are, for q with required clauses (as the query-string parser
// builds it) of which a word matches through typos or completions, its
// optional word clauses with what of each matches as typed; nil when no
// word of q matches through a typo. typedFirst over them lists the
// articles matching an optional word as typed before those that match the
// optional words only through typos (or not at all: they match only the
// required clauses), so that a typo never outranks a word as typed. (A
// word the index holds is searched as typed only, one it lacks through
// typos only: the required clauses match alike in every article.)
func typoWords(q query.Query, alts inexact) *words {
	bq, ok := q.(*query.BooleanQuery)
	if !ok || len(alts) == 0 {
		return nil
	}
	w := &words{}
	if c, ok := bq.Must.(*query.ConjunctionQuery); ok {
		for _, c := range c.Conjuncts {
			if _, ok := alts[c]; ok {
				w.inexact++
			}
		}
	}
	if d, ok := bq.Should.(*query.DisjunctionQuery); ok {
		for _, c := range d.Disjuncts {
			w.add(c, alts)
		}
	}
	if w.inexact == 0 {
		return nil
	}
	return w
}

// optional is the disjunction of q's optional clauses when q, as the
// query-string parser builds it, has no required clause; nil otherwise.
func optional(q query.Query) *query.DisjunctionQuery {
	bq, ok := q.(*query.BooleanQuery)
	if !ok {
		return nil
	}
	if bq.Must != nil {
		if c, ok := bq.Must.(*query.ConjunctionQuery); !ok || len(c.Conjuncts) > 0 {
			return nil
		}
	}
	d, _ := bq.Should.(*query.DisjunctionQuery)
	return d
}

// onlyOptional reports whether q is made of optional clauses (and
// exclusions) only: the queries whose relevance order is tiered (see grade).
func onlyOptional(q query.Query) bool { return optional(q) != nil }

// matchesNothing reports whether text analyses to no term in field (a stop word).
func (pl *Planner) matchesNothing(field, text string) bool {
	an := pl.Analyzers[field]
	return an != nil && len(an.Analyze([]byte(text))) == 0
}

// checkMatch accepts the match strategies of a Request and returns the
// one in force: "" is MatchAll for date orders, MatchAny for relevance.
func checkMatch(match, sort string) (string, error) {
	switch match {
	case MatchAll, MatchAny:
		return match, nil
	case "":
		if sort == SortDateAsc || sort == SortDateDesc {
			return MatchAll, nil
		}
		return MatchAny, nil
	}
	return "", param.Errorf("match", "unknown match %q (accepted: any, all)", match)
}

// atLeast is the unscored-filter query of the articles matching at least
// n of qs; nil when every article of the ranking does (n ≤ 1 of all the words).
func atLeast(qs []query.Query, n int) query.Query {
	d := query.NewDisjunctionQuery(qs)
	d.SetMin(float64(n))
	return d
}

// tiers are the rankings of main's matches that match k of w's words
// (from all of them down to minWords) and, for each k, e of them as
// typed (from the most down), each main restricted to them; nil when
// there is a single tier (main itself) or more than maxTiers.
func tiers(main query.Query, w *words, minWords int) []query.Query {
	n, x := len(w.all), len(w.exact)
	var out []query.Query
	for k := n; k >= minWords; k-- {
		for e := min(k, x); e >= max(0, k-w.inexact); e-- {
			var must, not []query.Query
			if k > 1 {
				must = append(must, atLeast(w.all, k))
			}
			if k < n {
				not = append(not, engine.Ending(atLeast(w.all, k+1)))
			}
			if e > 0 && e > k-w.inexact {
				must = append(must, atLeast(w.exact, e))
			}
			if e < min(k, x) {
				not = append(not, engine.Ending(atLeast(w.exact, e+1)))
			}
			if len(must) == 0 && len(not) == 0 {
				out = append(out, main)
				continue
			}
			if len(must) == 0 {
				must = []query.Query{query.NewMatchAllQuery()}
			}
			out = append(out, engine.Filtered(main, query.NewBooleanQuery(must, nil, not)))
			if len(out) > maxTiers {
				return nil
			}
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// typedFirst are the two tiers of a query ranked by score alone whose
// words w match through typos too: main's matches holding a word as typed,
// then those matching only through typos; nil when no word matches
// through a typo or none can match as typed (a single tier).
func typedFirst(main query.Query, w *words) []query.Query {
	if w.inexact == 0 || len(w.exact) == 0 {
		return nil
	}
	typed := atLeast(w.exact, 1)
	only := query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{engine.Ending(atLeast(w.exact, 1))})
	return []query.Query{engine.Filtered(main, typed), engine.Filtered(main, only)}
}
