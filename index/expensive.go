package index

import (
	"regexp"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"
)

// minExpansionPrefix is the number of literal characters a wildcard or
// regular-expression term must start with. Without one, bleve expands the
// term over the whole term dictionary (bleve#1796): `*` or /.*/ on a large
// index builds a disjunction of every term, which costs memory and CPU in
// proportion to the index.
const minExpansionPrefix = 2

// maxFuzziness is bleve's limit on edit distance (searcher.MaxFuzziness);
// a larger one fails only when the search runs.
const maxFuzziness = 2

// checkExpansion rejects wildcard and regular-expression terms that do not
// start with minExpansionPrefix literal characters, and fuzzy terms (word~N)
// over maxFuzziness, with an ErrInvalidQuery that says what to write instead.
func checkExpansion(q query.Query) error {
	var err error
	walk(q, func(q query.Query) {
		if err != nil {
			return
		}
		fuzzy := func(n int) {
			if n < 0 || n > maxFuzziness {
				err = queryErr("fuzziness ~%d is out of range (accepted: ~1 or ~2 edits)", n)
			}
		}
		switch q := q.(type) {
		case *query.MatchQuery:
			fuzzy(q.Fuzziness)
		case *query.FuzzyQuery:
			fuzzy(q.Fuzziness)
		case *query.MatchPhraseQuery:
			fuzzy(q.Fuzziness)
		case *query.WildcardQuery:
			prefix, _, _ := strings.Cut(q.Wildcard, "*")
			prefix, _, _ = strings.Cut(prefix, "?")
			if len([]rune(prefix)) < minExpansionPrefix {
				err = queryErr("wildcard %q must start with at least %d letters before * or ? (it would match too many words); to list all articles, leave q empty", q.Wildcard, minExpansionPrefix)
			}
		case *query.RegexpQuery:
			re, e := regexp.Compile(q.Regexp)
			if e != nil {
				return // validateQuery reports it
			}
			if prefix, _ := re.LiteralPrefix(); len([]rune(prefix)) < minExpansionPrefix {
				err = queryErr("regular expression /%s/ must start with at least %d literal letters (it would match too many words)", q.Regexp, minExpansionPrefix)
			}
		}
	})
	return err
}
