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

// checkExpansion rejects wildcard and regular-expression terms that do not
// start with minExpansionPrefix literal characters, with an ErrInvalidQuery
// that says what to write instead.
func checkExpansion(q query.Query) error {
	var err error
	walk(q, func(q query.Query) {
		if err != nil {
			return
		}
		switch q := q.(type) {
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
