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
	// prefixWeight scales the score of a match through a completion.
	prefixWeight = 0.2
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
func (pl *Planner) withPrefix(q query.Query, text string, dict Dictionary) (query.Query, error) {
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
	an := pl.Analyzers[""]
	if last == nil || an == nil {
		return q, nil
	}
	comps, err := dict.Completions(schema.Text, strings.ToLower(word), maxCompletions)
	if err != nil || len(comps) == 0 {
		return q, err
	}
	boost := 1.0
	if last.BoostVal != nil {
		boost = last.BoostVal.Value()
	}
	var alts []query.Query
	if tokens := an.Analyze([]byte(word)); len(tokens) == 1 {
		tq := query.NewTermQuery(string(tokens[0].Term))
		tq.SetBoost(boost)
		alts = append(alts, tq)
	}
	for _, c := range comps {
		tq := query.NewTermQuery(c.Term)
		tq.SetBoost(prefixWeight * boost)
		alts = append(alts, tq)
	}
	completed := query.NewDisjunctionQuery(alts)
	return rewrite(q, false, func(q query.Query) query.Query {
		if q == query.Query(last) {
			return completed
		}
		return q
	}), nil
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
