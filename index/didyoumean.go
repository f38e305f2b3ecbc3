package index

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
)

// suggestBelow: a query with fewer matches than this gets a "did you mean".
const suggestBelow = 3

// suggest returns a corrected query, made of the index's own words, for a
// query that found fewer than suggestBelow articles; "" when no word can be
// corrected or no article holds all the corrected words (within p's filters). Each word whose
// analysed term is not in the index is replaced by the closest indexed term
// (edit distance 1, or 2 for words over 5 letters; ties go to the most
// frequent), written as it appears in an article that contains it (the index
// holds stems such as "cambodia" → "cambodia", "prices" → "price").
func (ix *Index) suggest(ctx context.Context, p *plan.Plan, text string) (_ string, err error) {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 || len(words) > plan.MaxClauses {
		return "", nil
	}
	analyzer := ix.shards[0].Mapping().AnalyzerNamed(schema.Analyzer(ix.meta.Language))
	readers, closeAll, err := engine.Readers(ix.shards)
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
		df, err := engine.DocFreq(ctx, readers, schema.Text, term)
		if err != nil {
			return "", err
		}
		if df > 0 {
			continue
		}
		best, err := closestTerm(readers, term)
		if err != nil || best == "" {
			continue
		}
		surface, err := ix.surfaceForm(ctx, best)
		if err != nil || surface == "" {
			continue
		}
		if strings.ToLower(w) == w {
			surface = strings.ToLower(surface)
		}
		words[i] = surface
		changed = true
	}
	if !changed {
		return "", nil
	}
	s := strings.Join(words, " ")
	all := query.NewMatchQuery(s) // every corrected word must occur together
	all.SetOperator(query.MatchQueryOperatorAnd)
	n, err := ix.count(ctx, p, all)
	if err != nil || n == 0 {
		return "", err
	}
	return s, nil
}

// closestTerm is the indexed term of schema.Text nearest to term.
func closestTerm(readers []bleveindex.IndexReader, term string) (string, error) {
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
		dict, err := fr.FieldDictFuzzy(schema.Text, term, fuzziness, "")
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

// surfaceForm is the word of an article that the analysed term came from.
func (ix *Index) surfaceForm(ctx context.Context, term string) (string, error) {
	tq := query.NewTermQuery(term)
	tq.SetField(schema.Text)
	req := ix.request(&plan.Plan{Locations: true}, tq, 0, 1)
	req.IncludeLocations = true
	res, err := ix.searchAll(ctx, req)
	if err != nil || len(res.Hits) == 0 {
		return "", err
	}
	dm := res.Hits[0]
	locs := dm.Locations[schema.Text][term]
	if len(locs) == 0 {
		return "", nil
	}
	doc, err := ix.document(dm.ID)
	if err != nil || doc == nil {
		return "", err
	}
	a := ix.article(doc)
	full := a.Title + schema.TextSeparator + a.Body
	l := locs[0]
	if l.End > uint64(len(full)) || l.Start >= l.End {
		return "", nil
	}
	return full[l.Start:l.End], nil
}
