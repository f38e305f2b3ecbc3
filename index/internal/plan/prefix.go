package plan

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/schema"
)

// Search-as-you-type (Request.AsYouType): the last word of a query being
// typed is usually incomplete, so it also matches the index terms it
// begins, weighted below the word itself.
const (
	// prefixWeight scales the score of a match through a completion
	// (testdata/relevance/RESULTS.md: the queries with their last word cut
	// short, as while typing).
	prefixWeight = 0.35
	// maxCompletions bounds the index terms the last word is completed to
	// (the most frequent ones; see engine.Dict.Completions for the bound on
	// the dictionary entries read).
	maxCompletions = 20
	// minPrefix is the shortest word that is completed.
	minPrefix = 2
)

// withPrefix replaces, in q, the plain word that text ends with (unquoted,
// unfielded, not excluded, letters and digits only, at least minPrefix
// long) by the disjunction of its term and its most frequent completions
// in the index. A word with no completion is left as it is (typo
// tolerance may still correct it).
func (pl *Planner) withPrefix(q query.Query, text string, dict Dictionary, alts inexact) (query.Query, error) {
	word := lastWord(text)
	if word == "" || dict == nil {
		return q, nil
	}
	var last *query.MatchQuery
	walkClauses(q, false, func(q query.Query) {
		if mq, ok := q.(*query.MatchQuery); ok && mq.FieldVal == "" && mq.Fuzziness == 0 && mq.Prefix == 0 && mq.Match == word {
			last = mq
		}
	})
	if last == nil {
		return q, nil
	}
	boost := 1.0
	if last.BoostVal != nil {
		boost = last.BoostVal.Value()
	}
	whole, comps, err := pl.completions(word, dict, boost)
	if err != nil || comps == nil {
		return q, err
	}
	terms := comps.Disjuncts
	if whole != nil {
		terms = append([]query.Query{whole}, terms...)
	}
	completed := query.NewDisjunctionQuery(terms)
	alts[completed] = nil // no single term of it is the word as typed
	if whole != nil {
		alts[completed] = whole
	}
	return rewrite(q, false, func(q query.Query) query.Query {
		if q == query.Query(last) {
			return completed
		}
		return q
	}), nil
}

// completion is, for a long query of plain words being typed (planText
// with feedback), the clause that completes the word text ends with when
// the index lacks that word as typed: its most frequent completions, an
// optional clause (nil: none). A last word the index holds is taken as
// typed, so a finished question or sentence ranks as when it is submitted
// (testdata/relevance/RESULTS.md); one it lacks ("hexa") is being typed,
// and an article holding a completion of it scores more than one holding
// neither. An article holding a completion and none of the query's words
// does not match: in a question or a sentence, the other words say what
// is meant.
func (pl *Planner) completion(text string, dict Dictionary) (query.Query, error) {
	word := lastWord(text)
	if word == "" || dict == nil {
		return nil, nil
	}
	if an := pl.Analyzers[""]; an != nil {
		if tokens := an.Analyze([]byte(word)); len(tokens) == 1 {
			if held, err := dict.Has(schema.Text, string(tokens[0].Term)); held || err != nil {
				return nil, err
			}
		}
	}
	_, comps, err := pl.completions(word, dict, 1)
	if err != nil || comps == nil {
		return nil, err
	}
	return comps, nil
}

// completions are, for the last word of a query being typed, its term
// query weighted boost (nil unless it analyses to a single term) and the
// disjunction of its most frequent completions in the index, of the
// title+body text, each weighted prefixWeight·boost (nil: none). As in any
// disjunction, bleve's coord divides an article's match of one completion
// by their number; RESULTS.md has why that is kept.
func (pl *Planner) completions(word string, dict Dictionary, boost float64) (whole *query.TermQuery, comps *query.DisjunctionQuery, _ error) {
	an := pl.Analyzers[""]
	if an == nil {
		return nil, nil, nil
	}
	found, err := dict.Completions(schema.Text, strings.ToLower(word), maxCompletions)
	if err != nil || len(found) == 0 {
		return nil, nil, err
	}
	if tokens := an.Analyze([]byte(word)); len(tokens) == 1 {
		whole = query.NewTermQuery(string(tokens[0].Term))
		whole.SetBoost(boost)
	}
	terms := make([]query.Query, 0, len(found))
	for _, c := range found {
		tq := query.NewTermQuery(c.Term)
		tq.SetBoost(prefixWeight * boost)
		terms = append(terms, tq)
	}
	return whole, query.NewDisjunctionQuery(terms), nil
}

// lastWord is the word text ends with when the query syntax reads it as a
// plain word: letters and digits, preceded by nothing, a space or '+',
// outside quotes; "" otherwise.
func lastWord(text string) string {
	end := len(text)
	start := end
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:start])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		start -= size
	}
	if end-start < minPrefix || strings.Count(text[:start], `"`)%2 != 0 {
		return ""
	}
	if start > 0 {
		if c := text[start-1]; c != ' ' && c != '+' {
			return ""
		}
	}
	return text[start:end]
}
