package plan

import (
	"errors"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"
	vellumre "github.com/blevesearch/vellum/regexp"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/param"
)

// Bounds on expensive queries. A wildcard, regexp, prefix or fuzzy term is
// expanded by bleve into one term searcher per matching index term; the
// per-request limit (bleve's MaxTermSearchersKey, counted per shard) turns
// an expansion past MaxTerms into a 400 instead of a memory blow-up.
const (
	// MaxClauses bounds the words, phrases and operators of one syntax query.
	MaxClauses = 64
)

// checkCost rejects syntax queries that are expensive by shape or that a
// search would fail on: more than MaxClauses leaves, wildcards or regular
// expressions that begin with a pattern (which must scan the whole term
// dictionary) or whose automaton is too large for bleve (vellum's limit of
// 10,000 states, found by compiling it as bleve will), and boosts outside
// [minBoost, maxBoost].
func checkCost(q query.Query) error {
	leaves := 0
	var err error
	walk(q, func(q query.Query) {
		if err != nil {
			return
		}
		switch q := q.(type) {
		case *query.BooleanQuery, *query.ConjunctionQuery, *query.DisjunctionQuery:
			return
		case *query.WildcardQuery:
			if strings.IndexAny(q.Wildcard, "*?") < 2 {
				err = param.QueryErrorf("wildcard %q starts with a pattern: give at least 2 letters before * or ? (e.g. econ*), which bounds the terms it expands to", q.Wildcard)
			} else if _, e := vellumre.New(wildcardRegexp.Replace(q.Wildcard)); e != nil {
				err = automatonErr("wildcard "+article.Clip(q.Wildcard, 80), e, "use fewer * and ?")
			}
		case *query.PrefixQuery:
			if len(q.Prefix) < 2 {
				err = param.QueryErrorf("prefix %q* is too short: give at least 2 letters before *", q.Prefix)
			}
		case *query.RegexpQuery:
			if literalPrefix(q.Regexp) < 2 {
				err = param.QueryErrorf("regular expression /%s/ must start with at least 2 literal letters (e.g. /econ.*/), which bounds the terms it expands to", q.Regexp)
			} else if _, e := vellumre.New(q.Regexp); e != nil {
				err = automatonErr("regular expression /"+article.Clip(q.Regexp, 80)+"/", e, "use fewer repetitions and character classes")
			}
		case *query.MatchQuery:
			err = checkFuzziness(q.Fuzziness)
		case *query.FuzzyQuery:
			err = checkFuzziness(q.Fuzziness)
		case *query.MatchPhraseQuery:
			err = checkFuzziness(q.Fuzziness)
		}
		if err == nil {
			err = checkBoost(q)
		}
		leaves++
	})
	if err == nil && leaves > MaxClauses {
		err = param.QueryErrorf("query has %d clauses; the limit is %d: use fewer words, or mode=text for long natural-language text", leaves, MaxClauses)
	}
	return err
}

// automatonErr is the query error for what, whose automaton vellum (which
// bleve searches the term dictionary with) refused with e; hint says how to
// simplify a pattern that is too large.
func automatonErr(what string, e error, hint string) error {
	if errors.Is(e, vellumre.ErrTooManyStates) || errors.Is(e, vellumre.ErrCompiledTooBig) {
		return param.QueryErrorf("%s is too complex to search (%v): %s", what, e, hint)
	}
	// Anchors (^ $ \b), lazy quantifiers and byte literals.
	return param.QueryErrorf("%s is not supported: %v (a regular expression matches whole index terms: it needs no anchors or word boundaries; lazy quantifiers and bytes are not accepted)", what, e)
}

// wildcardRegexp turns a wildcard into the regular expression bleve
// searches for it (as search/query/wildcard.go does).
var wildcardRegexp = strings.NewReplacer(
	"+", `\+`, "(", `\(`, ")", `\)`, "^", `\^`, "$", `\$`, ".", `\.`,
	"{", `\{`, "}", `\}`, "[", `\[`, "]", `\]`, `|`, `\|`, `\`, `\\`,
	"*", ".*", "?", ".")

// Boost limits: outside them scores lose their meaning. A boost of 0 (or
// one whose square underflows) makes bleve's query norm infinite and the
// scores NaN, which JSON cannot encode; ^Inf or ^1e308 overflow the same way.
const (
	minBoost = 0.001
	maxBoost = 1000
)

// checkBoost rejects a boost (word^N) of q outside [minBoost, maxBoost].
func checkBoost(q query.Query) error {
	bq, ok := q.(query.BoostableQuery)
	if !ok {
		return nil
	}
	if b := bq.Boost(); !(b >= minBoost && b <= maxBoost) { // NaN fails both
		return param.QueryErrorf("boost ^%s is out of range: a boost must be a number from %g to %g (e.g. oil^2)", strconv.FormatFloat(b, 'g', -1, 64), float64(minBoost), float64(maxBoost))
	}
	return nil
}

// literalPrefix is the number of leading bytes of a regexp that are plain letters or digits.
func literalPrefix(re string) int {
	n := 0
	for n < len(re) && (re[n] >= 'a' && re[n] <= 'z' || re[n] >= 'A' && re[n] <= 'Z' || re[n] >= '0' && re[n] <= '9') {
		n++
	}
	return n
}

// maxFuzziness is bleve's limit on edit distance (searcher.MaxFuzziness); a
// larger one (or a negative one) fails only when the search runs, as a 500.
const maxFuzziness = 2

// checkFuzziness rejects word~N with N outside 0..maxFuzziness.
func checkFuzziness(n int) error {
	if n < 0 || n > maxFuzziness {
		return param.QueryErrorf("fuzziness ~%d is out of range (accepted: ~1 or ~2 edits)", n)
	}
	return nil
}
