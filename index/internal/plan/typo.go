package plan

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
)

// Typo tolerance: an unquoted, unfielded word whose analysed term is not
// in the index is searched as the most frequent index terms one edit away
// (or two, for long words, when none is one edit away) instead, weighted below words matched as typed, so a
// misspelling finds what its correct spelling finds, after the articles
// that match the other words as typed. Words that are in the index are
// never expanded: a query the index can answer as typed costs one
// dictionary look-up per long word and nothing else.
const (
	// MaxTypoWords is the most words a query may have for typo tolerance:
	// typos are corrected in keyword queries; a longer, natural-language
	// query is searched as typed (its unknown words are more often rare
	// terms than misspellings, and expanding them lowered SciFact's nDCG).
	MaxTypoWords = 6
	// oneEditWeight and twoEditsWeight scale the score of a match through
	// one or two edits (a match as typed weighs 1).
	oneEditWeight  = 0.3
	twoEditsWeight = 0.1
	// maxCorrections bounds the index terms one misspelt word is searched as.
	maxCorrections = 3
)

// Typos configures typo tolerance; the zero value turns it off.
type Typos struct {
	On       bool // expand unquoted words that are not in the index
	OneEdit  int  // shortest word (in letters) allowed one edit
	TwoEdits int  // shortest word allowed two edits
}

// Dictionary is what typo tolerance and completions ask of the index's
// terms: Terms, and the respellings of rare words.
type Dictionary interface {
	Terms
	// Respelling is the far more frequent term that term, which the index
	// holds in a few articles only, most likely misspells ("government"
	// for "goverment", which Reuters holds 9 times), or "" (letters: the
	// word's length as typed).
	Respelling(term string, letters int) (string, error)
}

// Terms tells whether an analysed term occurs in a field of the index, and
// which terms are near it.
type Terms interface {
	Has(field, term string) (bool, error)
	// Corrections are the terms of field exactly edits away from term,
	// most frequent first.
	Corrections(field, term string, edits int) ([]engine.Correction, error)
	// Completions are at most limit terms of field that begin with prefix
	// (and are longer), most frequent first.
	Completions(field, prefix string, limit int) ([]engine.Correction, error)
}

// withTypos replaces, in q's required and optional clauses (never the
// excluded ones), each plain word that typo tolerance applies to and the
// dictionary lacks by its fuzzy expansion; with respell (a ranking whose
// tiers put the words matched as typed first), also each such word the
// index holds rarely by the word or its far more frequent respelling. It
// runs before simplify, on the parser's MatchQuery, which still holds the
// word as typed.
func (pl *Planner) withTypos(q query.Query, dict Dictionary, alts inexact, respell bool) (query.Query, error) {
	if !pl.Typos.On || dict == nil {
		return q, nil
	}
	words := 0
	walk(q, func(q query.Query) {
		if _, ok := q.(*query.MatchQuery); ok {
			words++
		}
	})
	if words > MaxTypoWords {
		return q, nil
	}
	var err error
	q = rewrite(q, false, func(q query.Query) query.Query {
		mq, ok := q.(*query.MatchQuery)
		if !ok || err != nil {
			return q
		}
		fq, typed, e := pl.typoQuery(mq, dict, respell)
		if err = e; fq != nil {
			if typed != fq {
				alts[fq] = typed // nil: nothing matches the word as typed
			}
			return fq
		}
		return q
	})
	return q, err
}

// typoQuery is the query of the plain word mq and the part of it that
// matches the word as typed: the word's term query (both) when the index
// holds it, the disjunction of it and its respelling with respell (see
// withTypos), the fuzzy expansion (and nil) when the index lacks it; nil
// when typo tolerance does not apply to it (a fielded, fuzzy or prefix
// word, one with digits, one shorter than Typos.OneEdit, one that analyses
// to no or several terms).
func (pl *Planner) typoQuery(mq *query.MatchQuery, dict Dictionary, respell bool) (q, typed query.Query, _ error) {
	if mq.FieldVal != "" || mq.Fuzziness != 0 || mq.Prefix != 0 || mq.Analyzer != "" {
		return nil, nil, nil
	}
	n := utf8.RuneCountInString(mq.Match)
	if n < pl.Typos.OneEdit {
		return nil, nil, nil
	}
	for _, r := range mq.Match {
		if !unicode.IsLetter(r) {
			return nil, nil, nil
		}
	}
	an := pl.Analyzers[""]
	if an == nil {
		return nil, nil, nil
	}
	tokens := an.Analyze([]byte(mq.Match))
	if len(tokens) != 1 {
		return nil, nil, nil
	}
	term := string(tokens[0].Term)
	boost := 1.0
	if mq.BoostVal != nil {
		boost = mq.BoostVal.Value()
	}
	if ok, err := dict.Has(schema.Text, term); ok || err != nil {
		// In the index: the word's term query, as simplify would build it
		// (so the word is not analysed twice).
		tq := query.NewTermQuery(term)
		tq.SetBoost(boost)
		if err != nil || !respell {
			return tq, tq, err
		}
		fix, err := dict.Respelling(term, n)
		if err != nil || fix == "" {
			return tq, tq, err
		}
		alt := query.NewTermQuery(fix)
		alt.SetBoost(oneEditWeight * boost)
		return query.NewDisjunctionQuery([]query.Query{tq, alt}), tq, nil
	}
	cands, weight, err := pl.corrections(dict, term, n)
	if err != nil || len(cands) == 0 {
		return nil, nil, err
	}
	// The corrections people mean are frequent words: keep the most
	// frequent one and those at least half as frequent (a rare word one
	// edit away, e.g. "lover" for "gover(ment)", would otherwise win on
	// its idf), at most maxCorrections.
	var alts []query.Query
	for _, c := range cands {
		if len(alts) == maxCorrections || c.Count*2 < cands[0].Count {
			break
		}
		tq := query.NewTermQuery(c.Term)
		tq.SetBoost(weight * boost)
		alts = append(alts, tq)
	}
	if len(alts) == 1 {
		return alts[0], nil, nil
	}
	return query.NewDisjunctionQuery(alts), nil, nil
}

// corrections are the index terms a misspelt term (of n letters as typed)
// is searched as, most frequent first, and the weight of their matches:
// those one edit away; else, for a word of Typos.TwoEdits letters or more,
// those two edits away. Two adjacent letters swapped ("diamnod" for
// "diamond") count as one edit, as people make that typo as often as any
// other: a word too short for two edits still finds its transposition.
func (pl *Planner) corrections(dict Dictionary, term string, n int) ([]engine.Correction, float64, error) {
	cands, err := dict.Corrections(schema.Text, term, 1)
	if err != nil || len(cands) > 0 {
		return cands, oneEditWeight, err
	}
	if cands, err = dict.Corrections(schema.Text, term, 2); err != nil {
		return nil, 0, err
	}
	var swapped []engine.Correction
	for _, c := range cands {
		if transposed(term, c.Term) {
			swapped = append(swapped, c)
		}
	}
	if len(swapped) > 0 {
		return swapped, oneEditWeight, nil
	}
	if n < pl.Typos.TwoEdits {
		return nil, 0, nil
	}
	return cands, twoEditsWeight, nil
}

// transposed reports whether b is a with two adjacent letters swapped.
func transposed(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if i+1 >= len(ra) || ra[i] != rb[i+1] || ra[i+1] != rb[i] {
		return false
	}
	return string(ra[i+2:]) == string(rb[i+2:])
}
