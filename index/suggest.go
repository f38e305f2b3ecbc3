package index

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/param"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/suggest"
)

// MaxSuggestions is the largest number of completions Suggest returns.
const MaxSuggestions = 10

// maxSuggestLen bounds the text Suggest completes, in bytes.
const maxSuggestLen = 100

// Suggest returns up to n distinct article titles that complete text, as a
// search box offers while the user types: every word of text but the last
// must appear in the title (as analysed: stemmed, without stop words), and
// the last word, unless text ends with a space, is matched as a whole word
// or (when it has two letters or more) as the prefix of one of the 64 most
// frequent title words that start with it (see suggest.Completions). Titles come best match first, newest first
// among equals. Empty text returns no titles. It returns a *ParamError
// wrapping ErrInvalidParameter when text is longer than 100 bytes or n is
// not between 1 and MaxSuggestions, and ErrTimeout past the search deadline.
// Only titles of articles vis may see are offered (which completions of the
// last word are searched is decided by their frequency in the whole index).
func (ix *Index) Suggest(ctx context.Context, text string, n int, vis Visibility) ([]string, error) {
	if n < 1 || n > MaxSuggestions {
		return nil, param.Errorf("size", "size must be between 1 and %d, got %d", MaxSuggestions, n)
	}
	if len(text) > maxSuggestLen {
		return nil, param.Errorf("q", "q is %d bytes long; the limit for suggestions is %d", len(text), maxSuggestLen)
	}
	if !utf8.ValidString(text) {
		return nil, param.Errorf("q", "q is not valid UTF-8")
	}
	words, last := suggest.Split(text)
	if len(words) == 0 && last == "" {
		return []string{}, nil
	}
	ix.mu.RLock() // no rebuild swaps the shards while they are read
	defer ix.mu.RUnlock()
	m := ix.shards[0].Mapping()
	analyzer := m.AnalyzerNamed(m.AnalyzerNameForPath(schema.Title))
	if analyzer == nil {
		return nil, fmt.Errorf("suggest: no analyzer for the %s field", schema.Title)
	}
	q, err := suggest.TitleQuery(ix.shards, analyzer, schema.Title, words, last)
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	if q == nil { // only stop words so far
		return []string{}, nil
	}
	if f := ix.effective(vis).Filter(); f != nil {
		q = engine.Filtered(q, f)
	}
	req := bleve.NewSearchRequestOptions(q, 3*n, 0, false)
	req.Fields = []string{schema.Title}
	req.SortBy([]string{"-_score", "-" + schema.Date, "_id"})
	ctx, cancel := context.WithTimeout(ctx, ix.opts.Timeout)
	defer cancel()
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return nil, ix.searchErr(ctx, err)
	}
	return suggest.Titles(res.Hits, schema.Title, n), nil
}
