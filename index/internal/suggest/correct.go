package suggest

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/internal/engine"
)

// Correct returns text with each word whose analysed term is not in field
// replaced by the closest indexed term (see ClosestTerm), written as surface
// gives it (the word of an article the term came from; "" leaves the word)
// and lower-cased when the word was; "" when no word is corrected, or text
// has no words or more than maxWords. Words are runs of letters and digits;
// the corrected text joins them with single spaces.
func Correct(ctx context.Context, shards []bleve.Index, analyzer analysis.Analyzer, field, text string, maxWords int,
	surface func(ctx context.Context, term string) (string, error)) (_ string, err error) {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 || len(words) > maxWords {
		return "", nil
	}
	readers, closeAll, err := engine.Readers(shards)
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := closeAll(); err == nil {
			err = cerr
		}
	}()
	changed := false
	for i, w := range words {
		toks := analyzer.Analyze([]byte(w))
		if len(toks) != 1 { // a stop word, or split: leave it
			continue
		}
		term := string(toks[0].Term)
		df, err := engine.DocFreq(ctx, readers, field, term)
		if err != nil {
			return "", err
		}
		if df > 0 {
			continue
		}
		best, err := ClosestTerm(readers, field, term)
		if err != nil {
			return "", err
		}
		if best == "" {
			continue
		}
		s, err := surface(ctx, best)
		if err != nil {
			return "", err
		}
		if s == "" {
			continue
		}
		if strings.ToLower(w) == w {
			s = strings.ToLower(s)
		}
		words[i] = s
		changed = true
	}
	if !changed {
		return "", nil
	}
	return strings.Join(words, " "), nil
}

// ClosestTerm is the indexed term of field nearest to term: edit distance 1,
// or 2 for terms over 5 letters; the nearest first, then the most frequent
// over all readers, then term order. It is "" when no term is near or a
// reader cannot search fuzzily.
func ClosestTerm(readers []bleveindex.IndexReader, field, term string) (string, error) {
	fuzziness := 1
	if len([]rune(term)) > 5 {
		fuzziness = 2
	}
	type cand struct {
		dist  uint8
		count uint64
	}
	counts := map[string]cand{}
	for _, r := range readers {
		fr, ok := r.(bleveindex.IndexReaderFuzzy)
		if !ok {
			return "", nil
		}
		dict, err := fr.FieldDictFuzzy(field, term, fuzziness, "")
		if err != nil {
			return "", err
		}
		for {
			de, err := dict.Next()
			if err != nil {
				return "", errors.Join(err, dict.Close())
			}
			if de == nil {
				break
			}
			c := counts[de.Term]
			c.dist = de.EditDistance
			c.count += de.Count
			counts[de.Term] = c
		}
		if err := dict.Close(); err != nil {
			return "", err
		}
	}
	best, bc := "", cand{}
	for t, c := range counts {
		if best == "" || c.dist < bc.dist || c.dist == bc.dist && (c.count > bc.count || c.count == bc.count && t < best) {
			best, bc = t, c
		}
	}
	return best, nil
}

// Surface is the text of full at l, a location of a term in the field that
// full is the stored text of; "" when l lies outside full.
func Surface(full string, l *search.Location) string {
	if l.End > uint64(len(full)) || l.Start >= l.End {
		return ""
	}
	return full[l.Start:l.End]
}
