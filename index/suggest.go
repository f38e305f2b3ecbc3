package index

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// MaxSuggestions is the largest number of completions Suggest returns.
const MaxSuggestions = 10

// minPrefix is the shortest last word that Suggest expands as a prefix.
const minPrefix = 2

// maxSuggestLen bounds the text Suggest completes, in bytes.
const maxSuggestLen = 100

// Suggest returns up to n distinct article titles that complete text, as a
// search box offers while the user types: every word of text but the last
// must appear in the title (as analysed: stemmed, without stop words), and
// the last word, unless text ends with a space, is matched as the prefix of a
// title word (when it has two letters or more) or as a whole word. Titles come best match first, newest first
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
	analyzer := m.AnalyzerNamed(m.AnalyzerNameForPath(fieldTitle))
	if analyzer == nil {
		return nil, fmt.Errorf("suggest: no analyzer for the %s field", fieldTitle)
	}
	for _, tok := range analyzer.Analyze([]byte(strings.Join(words, " "))) {
		tq := query.NewTermQuery(string(tok.Term))
		tq.SetField(fieldTitle)
		must = append(must, tq)
	}
	if last != "" {
		mq := query.NewMatchQuery(last)
		mq.SetField(fieldTitle)
		var lq query.Query = mq
		// A one-letter prefix would expand to a large part of the title
		// vocabulary (300 ms on Reuters-21578): it matches whole words only.
		if utf8.RuneCountInString(last) >= minPrefix {
			pq := query.NewPrefixQuery(last)
			pq.SetField(fieldTitle)
			lq = query.NewDisjunctionQuery([]query.Query{pq, mq})
		}
		must = append(must, lq)
	}
	if len(must) == 0 { // only stop words so far
		return []string{}, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery(must), 3*n, 0, false)
	req.Fields = []string{fieldTitle}
	req.SortBy([]string{"-_score", "-" + fieldDate, "_id"})
	ctx, cancel := context.WithTimeout(ctx, ix.opts.Timeout)
	defer cancel()
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return nil, ix.searchErr(ctx, err)
	}
	out := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for _, h := range res.Hits {
		title, _ := h.Fields[fieldTitle].(string)
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
