package index

import (
	"context"
	"strings"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Bounds on expensive queries. A wildcard, regexp, prefix or fuzzy term is
// expanded by bleve into one term searcher per matching index term; the
// per-request limit (bleve's MaxTermSearchersKey, counted per shard) turns
// an expansion past MaxTerms into a 400 instead of a memory blow-up.
const (
	maxClauses = 64 // words, phrases and operators of one syntax query
)

// limitTerms installs the per-search cap on leaf term searchers.
func (ix *Index) limitTerms(ctx context.Context) context.Context {
	return context.WithValue(ctx, search.MaxTermSearchersKey, ix.opts.MaxTerms)
}

// tooManyTerms reports whether err is bleve's term-searcher limit.
func tooManyTerms(err error) bool {
	return err != nil && strings.Contains(err.Error(), "TooManyTermSearchers")
}

// checkCost rejects syntax queries that are expensive by shape: more than
// maxClauses leaves, and wildcards or regular expressions that begin with a
// pattern (which must scan the whole term dictionary).
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
				err = queryErr("wildcard %q starts with a pattern: give at least 2 letters before * or ? (e.g. econ*), which bounds the terms it expands to", q.Wildcard)
			}
		case *query.PrefixQuery:
			if len(q.Prefix) < 2 {
				err = queryErr("prefix %q* is too short: give at least 2 letters before *", q.Prefix)
			}
		case *query.RegexpQuery:
			if literalPrefix(q.Regexp) < 2 {
				err = queryErr("regular expression /%s/ must start with at least 2 literal letters (e.g. /econ.*/), which bounds the terms it expands to", q.Regexp)
			}
		case *query.MatchQuery:
			err = checkFuzziness(q.Fuzziness)
		case *query.FuzzyQuery:
			err = checkFuzziness(q.Fuzziness)
		case *query.MatchPhraseQuery:
			err = checkFuzziness(q.Fuzziness)
		}
		leaves++
	})
	if err == nil && leaves > maxClauses {
		err = queryErr("query has %d clauses; the limit is %d: use fewer words, or mode=text for long natural-language text", leaves, maxClauses)
	}
	return err
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
		return queryErr("fuzziness ~%d is out of range (accepted: ~1 or ~2 edits)", n)
	}
	return nil
}
