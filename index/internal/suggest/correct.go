package suggest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/internal/engine"
)

// Count is the number of the documents a reader may see that hold an
// analysed term (of the field Correct corrects in).
type Count func(ctx context.Context, term string) (uint64, error)

// maxRecounts bounds the candidates of one word that Correct recounts with a Count.
const maxRecounts = 32

// Correct returns text with each word whose analysed term is not in field
// replaced by the closest indexed term (the first of Candidates), written as surface
// gives it (the word of an article the term came from; "" leaves the word)
// and lower-cased when the word was; "" when no word is corrected, or text
// has no words or more than maxWords. Words are runs of letters and digits;
// the corrected text joins them with single spaces. With a count (a reader
// who may not see every document), a word is known, and a candidate
// counted, as count gives them: a candidate none of that reader's
// documents holds is never offered; the maxRecounts nearest, most frequent
// candidates are recounted.
func Correct(ctx context.Context, shards []bleve.Index, analyzer analysis.Analyzer, field, text string, maxWords int,
	count Count, surface func(ctx context.Context, term string) (string, error)) (_ string, err error) {
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
		var df uint64
		if count != nil {
			df, err = count(ctx, term)
		} else {
			df, err = engine.DocFreq(ctx, readers, field, term)
		}
		if err != nil {
			return "", err
		}
		if df > 0 {
			continue
		}
		cands, err := Candidates(readers, field, term)
		if err != nil {
			return "", err
		}
		if count != nil {
			if cands, err = recount(ctx, cands, count); err != nil {
				return "", err
			}
		}
		best := ""
		if len(cands) > 0 {
			best = cands[0].Term
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

// Candidate is an indexed term near a misspelt one.
type Candidate struct {
	Term  string
	Dist  uint8  // edit distance
	Count uint64 // documents holding it
}

// Candidates are the indexed terms of field near term: edit distance 1, or
// 2 for terms over 5 letters; the nearest first, then the most frequent
// over all readers, then term order. There are none when a reader cannot
// search fuzzily.
func Candidates(readers []bleveindex.IndexReader, field, term string) ([]Candidate, error) {
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
			return nil, nil
		}
		dict, err := fr.FieldDictFuzzy(field, term, fuzziness, "")
		if err != nil {
			return nil, err
		}
		for {
			de, err := dict.Next()
			if err != nil {
				return nil, errors.Join(err, dict.Close())
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
			return nil, err
		}
	}
	out := make([]Candidate, 0, len(counts))
	for t, c := range counts {
		out = append(out, Candidate{Term: t, Dist: c.dist, Count: c.count})
	}
	sortCandidates(out)
	return out, nil
}

// sortCandidates orders cs nearest first, then most frequent, then by term.
func sortCandidates(cs []Candidate) {
	slices.SortFunc(cs, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.Dist, b.Dist), cmp.Compare(b.Count, a.Count), strings.Compare(a.Term, b.Term))
	})
}

// recount counts the first maxRecounts of cs with count, leaves out those
// it finds in no document, and orders the rest again (sortCandidates).
func recount(ctx context.Context, cs []Candidate, count Count) ([]Candidate, error) {
	cs = cs[:min(len(cs), maxRecounts)]
	out := cs[:0]
	for _, c := range cs {
		n, err := count(ctx, c.Term)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			c.Count = n
			out = append(out, c)
		}
	}
	sortCandidates(out)
	return out, nil
}

// Surface is the text of full at l, a location of a term in the field that
// full is the stored text of; "" when l lies outside full.
func Surface(full string, l *search.Location) string {
	if l.End > uint64(len(full)) || l.Start >= l.End {
		return ""
	}
	return full[l.Start:l.End]
}
