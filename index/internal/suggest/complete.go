package suggest

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/internal/engine"
)

// MinPrefix is the shortest last word that TitleQuery expands as a prefix.
const MinPrefix = 2

// Bounds of the walk of the title dictionary that completes the last word
// of a suggestion: a prefix search would read, and search, every title word
// with that prefix (all of them for a two-letter prefix on a large
// collection).
const (
	MaxCompletions = 64    // completions searched: the most frequent ones
	MaxWalk        = 10000 // dictionary entries read per shard, in term order
)

// Completions returns up to MaxCompletions terms of field that start with
// prefix, the most frequent first, from the first MaxWalk terms with that
// prefix of each shard. The caller keeps shards open while it runs.
func Completions(shards []bleve.Index, field, prefix string) (_ []string, err error) {
	readers, closeAll, err := engine.Readers(shards)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, closeAll()) }()
	counts := map[string]uint64{}
	for _, r := range readers {
		d, err := r.FieldDictPrefix(field, []byte(prefix))
		if err != nil {
			return nil, err
		}
		for range MaxWalk {
			var e *bleveindex.DictEntry
			if e, err = d.Next(); err != nil || e == nil {
				break
			}
			counts[e.Term] += e.Count
		}
		if err = errors.Join(err, d.Close()); err != nil {
			return nil, err
		}
	}
	terms := slices.Collect(maps.Keys(counts))
	slices.SortFunc(terms, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), strings.Compare(a, b))
	})
	return terms[:min(len(terms), MaxCompletions)], nil
}

// Split divides the text of a suggestion into its whole words and its last,
// unfinished word (lower-cased; "" when text ends with a space). Text of
// spaces only has no words.
func Split(text string) (words []string, last string) {
	words = strings.Fields(text)
	if len(words) > 0 && !unicode.IsSpace(rune(text[len(text)-1])) {
		last = strings.ToLower(words[len(words)-1])
		words = words[:len(words)-1]
	}
	return words, last
}

// TitleQuery is the query of the titles that complete words and last (see
// Split) in field: every analysed term of words, and last as a whole word
// or, when it has MinPrefix letters or more, as one of its Completions. It
// is nil when there is nothing to search (only stop words).
func TitleQuery(shards []bleve.Index, analyzer analysis.Analyzer, field string, words []string, last string) (query.Query, error) {
	var must []query.Query
	for _, tok := range analyzer.Analyze([]byte(strings.Join(words, " "))) {
		tq := query.NewTermQuery(string(tok.Term))
		tq.SetField(field)
		must = append(must, tq)
	}
	if last != "" {
		mq := query.NewMatchQuery(last)
		mq.SetField(field)
		var lq query.Query = mq
		// A one-letter prefix would expand to a large part of the title
		// vocabulary (300 ms on Reuters-21578): it matches whole words only.
		if utf8.RuneCountInString(last) >= MinPrefix {
			terms, err := Completions(shards, field, last)
			if err != nil {
				return nil, err
			}
			alts := []query.Query{mq}
			for _, term := range terms {
				tq := query.NewTermQuery(term)
				tq.SetField(field)
				alts = append(alts, tq)
			}
			lq = query.NewDisjunctionQuery(alts)
		}
		must = append(must, lq)
	}
	if len(must) == 0 {
		return nil, nil
	}
	return query.NewConjunctionQuery(must), nil
}

// Titles returns up to n distinct titles (stored in field) of hits, in
// order; titles that differ only in case or surrounding space count once.
func Titles(hits search.DocumentMatchCollection, field string, n int) []string {
	out := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for _, h := range hits {
		title, _ := h.Fields[field].(string)
		key := strings.ToLower(strings.TrimSpace(title))
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, title)
		if len(out) == n {
			break
		}
	}
	return out
}
