package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/schema"
)

// MaxSuggestions is the largest number of completions Suggest returns.
const MaxSuggestions = 10

// minPrefix is the shortest last word that Suggest expands as a prefix.
const minPrefix = 2

// maxSuggestLen bounds the text Suggest completes, in bytes.
const maxSuggestLen = 100

// Bounds of the walk of the title dictionary that completes Suggest's last
// word: a prefix search would read, and search, every title word with that
// prefix (all of them for a two-letter prefix on a large collection).
const (
	maxCompletions = 64    // completions searched: the most frequent ones
	maxSuggestWalk = 10000 // dictionary entries read per shard, in term order
)

// completions returns up to maxCompletions title terms that start with
// prefix, the most frequent first, from the first maxSuggestWalk terms
// with that prefix of each shard. Each term is at most MaxTokenRunes long.
// The caller holds ix.mu for reading.
func (ix *Index) completions(prefix string) (_ []string, err error) {
	readers, closeAll, err := engine.Readers(ix.shards)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, closeAll()) }()
	counts := map[string]uint64{}
	for _, r := range readers {
		d, err := r.FieldDictPrefix(schema.Title, []byte(prefix))
		if err != nil {
			return nil, err
		}
		for range maxSuggestWalk {
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
	return terms[:min(len(terms), maxCompletions)], nil
}

// Suggest returns up to n distinct article titles that complete text, as a
// search box offers while the user types: every word of text but the last
// must appear in the title (as analysed: stemmed, without stop words), and
// the last word, unless text ends with a space, is matched as a whole word
// or (when it has two letters or more) as the prefix of one of the 64 most
// frequent title words that start with it (see completions). Titles come best match first, newest first
// among equals. Empty text returns no titles. It returns a *ParamError
// wrapping ErrInvalidParameter when text is longer than 100 bytes or n is
// not between 1 and MaxSuggestions, and ErrTimeout past the search deadline.
func (ix *Index) Suggest(ctx context.Context, text string, n int) ([]string, error) {
	if n < 1 || n > MaxSuggestions {
		return nil, paramErr("size", "size must be between 1 and %d, got %d", MaxSuggestions, n)
	}
	if len(text) > maxSuggestLen {
		return nil, paramErr("q", "q is %d bytes long; the limit for suggestions is %d", len(text), maxSuggestLen)
	}
	if !utf8.ValidString(text) {
		return nil, paramErr("q", "q is not valid UTF-8")
	}
	words := strings.Fields(text)
	if len(words) == 0 {
		return []string{}, nil
	}
	var last string
	if !unicode.IsSpace(rune(text[len(text)-1])) {
		last = strings.ToLower(words[len(words)-1])
		words = words[:len(words)-1]
	}
	ix.mu.RLock() // no rebuild swaps the shards while they are read
	defer ix.mu.RUnlock()
	var must []query.Query
	m := ix.shards[0].Mapping()
	analyzer := m.AnalyzerNamed(m.AnalyzerNameForPath(schema.Title))
	if analyzer == nil {
		return nil, fmt.Errorf("suggest: no analyzer for the %s field", schema.Title)
	}
	for _, tok := range analyzer.Analyze([]byte(strings.Join(words, " "))) {
		tq := query.NewTermQuery(string(tok.Term))
		tq.SetField(schema.Title)
		must = append(must, tq)
	}
	if last != "" {
		mq := query.NewMatchQuery(last)
		mq.SetField(schema.Title)
		var lq query.Query = mq
		// A one-letter prefix would expand to a large part of the title
		// vocabulary (300 ms on Reuters-21578): it matches whole words only.
		if utf8.RuneCountInString(last) >= minPrefix {
			terms, err := ix.completions(last)
			if err != nil {
				return nil, fmt.Errorf("suggest: %w", err)
			}
			alts := []query.Query{mq}
			for _, term := range terms {
				tq := query.NewTermQuery(term)
				tq.SetField(schema.Title)
				alts = append(alts, tq)
			}
			lq = query.NewDisjunctionQuery(alts)
		}
		must = append(must, lq)
	}
	if len(must) == 0 { // only stop words so far
		return []string{}, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery(must), 3*n, 0, false)
	req.Fields = []string{schema.Title}
	req.SortBy([]string{"-_score", "-" + schema.Date, "_id"})
	ctx, cancel := context.WithTimeout(ctx, ix.opts.Timeout)
	defer cancel()
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return nil, ix.searchErr(ctx, err)
	}
	out := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for _, h := range res.Hits {
		title, _ := h.Fields[schema.Title].(string)
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
	return out, nil
}
