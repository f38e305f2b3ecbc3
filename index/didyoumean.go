package index

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/suggest"
)

// Did you mean: each word of the query whose analysed term the index does
// not hold is replaced by its correction (see correction), written as the
// articles write it; the corrected query is offered when, all its words
// required, it finds clearly more articles (more than twice as many) than
// the query as typed with all its words required and no typo tolerance —
// also when typo tolerance already found the corrected words' articles
// (`oil pricez` lists the articles with "prices" and offers `oil prices`).
// Quotes, +, - and fields stay as typed.
const (
	// twoEditsDiscount: a correction two edits away must be this many
	// times more frequent than one a single edit away to be chosen.
	twoEditsDiscount = 10
	// surfaceHits and surfaceLocations bound the articles and locations
	// read to learn how a corrected term is written.
	surfaceHits      = 3
	surfaceLocations = 32
	// rareShare and heldRatio: a word the index holds is corrected only when
	// it has search.typo_one_edit letters or more, fewer than one article in
	// rareShare holds it, and its correction is one edit away, with the same
	// first letter, and heldRatio times more frequent (Reuters holds
	// "goverment" 9 times, "government" in 2,263 articles; short rare words
	// are mostly names: "aga", "gem" and "bic" are companies, not "ago",
	// "get" and "bid").
	rareShare = 500
	heldRatio = 100
	// frequentRefresh is the least time between two builds of a
	// generation's list of frequent terms after writes (engine.Frequent):
	// a word that became frequent since the last build is offered later.
	frequentRefresh = 30 * time.Second
)

// suggest is the did-you-mean of q; "" when no word needs a
// correction or the correction does not find clearly more. What vis may
// not see plays no part: words are known, corrections counted and written,
// and queries counted only over the articles vis may see.
func (ix *Index) suggest(ctx context.Context, q Query, vis Visibility, dict *engine.Dict) (string, error) {
	syntax := q.Mode != ModeText
	words := suggest.Words(q.Text, syntax, plan.MaxClauses)
	typing := 0 // the bytes of the word being typed, at the end
	if n := len(words); q.AsYouType && n > 0 && words[n-1].End == len(q.Text) {
		typing = words[n-1].End - words[n-1].Start
		words = words[:n-1] // completed, not corrected, nor counted
	}
	if len(words) == 0 {
		return "", nil
	}
	analyzer := ix.shards[0].Mapping().AnalyzerNamed(schema.Analyzer(ix.meta.Language))
	var seen *visibleDict   // nil: every article
	var visible query.Query // the reader's filter; nil: every article
	if !vis.All {
		seen = &visibleDict{ctx: ctx, ix: ix, vis: vis, dict: dict}
		visible = seen.filter()
	}
	repl := make([]string, len(words))
	changed := false
	for i, w := range words {
		typed := q.Text[w.Start:w.End]
		tokens := analyzer.Analyze([]byte(typed))
		if len(tokens) != 1 { // a stop word, or split in several terms
			continue
		}
		best, err := ix.correction(dict, string(tokens[0].Term), utf8.RuneCountInString(typed), seen)
		if err != nil || best == "" {
			if err != nil {
				return "", err
			}
			continue
		}
		form, err := ix.surfaceForm(ctx, best, typed, visible)
		if err != nil {
			return "", err
		}
		if form != "" {
			repl[i], changed = suggest.Cased(form, typed), true
		}
	}
	if !changed {
		return "", nil
	}
	corrected := suggest.Replace(q.Text, words, repl)
	before, err := ix.allWords(ctx, q, q.Text[:len(q.Text)-typing])
	if err != nil {
		return "", err
	}
	after, err := ix.allWords(ctx, q, corrected[:len(corrected)-typing])
	if err != nil || after <= 2*before {
		return "", err
	}
	return corrected, nil
}

// correction is the index term that term, which the index lacks or holds
// in a few articles only (see rareShare), most likely misspells: the most
// frequent term one edit away (an adjacent swap is one edit), or two edits
// away or with another first letter (people seldom get the first letter
// wrong: "oill" is "oil", not "will") if it is twoEditsDiscount times more
// frequent; "" for a term the index holds in more articles or none near.
// A term the index holds is corrected as respelling corrects it. Every
// candidate is counted here: seen, when not nil, restricts the articles
// whose words are counted (and offered) to those its reader may see.
func (ix *Index) correction(dict *engine.Dict, term string, letters int, seen *visibleDict) (string, error) {
	held, docs, err := ix.held(dict, term, seen)
	if err != nil {
		return "", err
	}
	if held > 0 {
		return ix.respell(dict, term, letters, held, docs, seen)
	}
	one, err := dict.Corrections(schema.Text, term, 1)
	if err != nil {
		return "", err
	}
	cands := make([]engine.Near, 0, len(one))
	for _, c := range one {
		cands = append(cands, engine.Near{Correction: c, Edits: 1})
	}
	two, err := ix.twoEdits(dict, term, cands, seen)
	if err != nil {
		return "", err
	}
	return pick(dict, term, 0, append(cands, two...), seen)
}

// twoEdits are the candidate corrections of term, which the index lacks,
// two edits away (or one adjacent swap, counted as one edit), given those
// one edit away. A fuzzy walk of the dictionary within two edits costs
// milliseconds; when the best candidate one edit away is frequent enough
// that only a term of the generation's list of frequent terms could win
// over it (see pick: twoEditsDiscount times its count, more than the list's
// floor), they are looked up in that list instead. With seen (a reader
// who sees some articles only), or while the list is not built yet (see
// engine.Frequent), the dictionary is walked.
func (ix *Index) twoEdits(dict *engine.Dict, term string, one []engine.Near, seen *visibleDict) ([]engine.Near, error) {
	var best uint64 // what a candidate not one edit away must exceed
	for _, c := range one {
		score := c.Count
		if firstRune(c.Term) == firstRune(term) {
			score *= twoEditsDiscount
		}
		best = max(best, score)
	}
	if seen == nil && best > 0 {
		list := ix.frequent.List()
		// A term off the list is held by fewer than floor articles: it
		// scores less than twoEditsDiscount × floor even as an adjacent swap.
		if floor := list.Floor(); floor > 0 && best >= twoEditsDiscount*floor {
			return listedTwoEdits(dict, list, term, one)
		}
	}
	cs, err := dict.Corrections(schema.Text, term, 2)
	if err != nil {
		return nil, err
	}
	out := make([]engine.Near, 0, len(cs))
	for _, c := range cs {
		out = append(out, engine.Near{Correction: c, Edits: suggest.EditDistance(term, c.Term)}) // 1 for an adjacent swap
	}
	return out, nil
}

// listedTwoEdits are the terms of list (of frequent terms) near term that
// are not among one, counted again (the list's counts may be old).
func listedTwoEdits(dict *engine.Dict, list *engine.FrequentList, term string, one []engine.Near) ([]engine.Near, error) {
	var out []engine.Near
	for _, c := range list.Near(term, 2) {
		var err error
		if slices.ContainsFunc(one, func(o engine.Near) bool { return o.Term == c.Term }) {
			continue
		}
		if c.Count, err = dict.Count(schema.Text, c.Term); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// respelling is the correction of a term the index holds (typed in
// letters runes): "" unless it has search.typo_one_edit letters or more and
// fewer than one article in rareShare holds it (as seen, when not nil, sees
// them), and a term one edit away with the same first letter is heldRatio
// times more frequent. Typo tolerance searches such a rare word as its
// respelling too, where the words as typed rank first (see plan.Dictionary).
func (ix *Index) respelling(dict *engine.Dict, term string, letters int, seen *visibleDict) (string, error) {
	held, docs, err := ix.held(dict, term, seen)
	if err != nil || held == 0 {
		return "", err
	}
	return ix.respell(dict, term, letters, held, docs, seen)
}

// held is the number of articles holding term (as seen sees them, when not
// nil, up to what makes a word common: see rareShare) and, when some do,
// the number of articles of the index.
func (ix *Index) held(dict *engine.Dict, term string, seen *visibleDict) (held, docs uint64, err error) {
	held, err = dict.Count(schema.Text, term) // the whole index's: at least the reader's
	if err != nil || held == 0 {
		return 0, 0, err
	}
	if docs, err = dict.Docs(); err != nil {
		return 0, 0, err
	}
	if seen != nil {
		// The reader's count, up to what makes the word common (see
		// rareShare): beyond, its exact value changes nothing.
		if held, err = seen.countUpTo(schema.Text, term, docs/rareShare+1); err != nil {
			return 0, 0, err
		}
	}
	return held, docs, nil
}

// respell is respelling of a term held articles of docs hold: its
// candidates come from the generation's list of frequent terms
// (engine.Frequent), not a fuzzy walk of the whole dictionary, except
// while that list is not built yet (walkedRespellings).
func (ix *Index) respell(dict *engine.Dict, term string, letters int, held, docs uint64, seen *visibleDict) (string, error) {
	if letters < ix.opts.TypoOneEdit || held*rareShare > docs {
		return "", nil
	}
	list := ix.frequent.List()
	if list == nil {
		cands, err := walkedRespellings(dict, term)
		if err != nil {
			return "", err
		}
		return pick(dict, term, held, cands, seen)
	}
	return pick(dict, term, held, list.Respellings(term), seen)
}

// walkedRespellings are the candidate respellings of term that a fuzzy walk
// of the dictionary finds (bounded as engine.Dict.Corrections): the terms
// one edit away with its first letter, an adjacent swap being one edit:
// those the list would offer, within the walk's bounds, for a few
// milliseconds more.
func walkedRespellings(dict *engine.Dict, term string) ([]engine.Near, error) {
	cs, err := dict.Corrections(schema.Text, term, 2) // the terms within two edits: a swap is two for the walk
	if err != nil {
		return nil, err
	}
	var out []engine.Near
	for _, c := range cs {
		if firstRune(c.Term) == firstRune(term) && suggest.EditDistance(term, c.Term) == 1 {
			out = append(out, engine.Near{Correction: c, Edits: 1})
		}
	}
	return out, nil
}

// pick is the best of cands as a correction of term, which held articles
// hold: by count, times twoEditsDiscount for a term one edit away with
// the same first letter; for a held term only such a one, and only when it
// is heldRatio times more frequent. Candidates are counted again (as seen
// sees them, when not nil) when the counts they carry may differ.
func pick(dict *engine.Dict, term string, held uint64, cands []engine.Near, seen *visibleDict) (string, error) {
	count := func(t string) (uint64, error) {
		if seen == nil {
			return dict.Count(schema.Text, t)
		}
		return seen.count(schema.Text, t)
	}
	best, bestScore := "", uint64(0)
	for _, c := range cands {
		n := c.Count
		if seen != nil || held > 0 { // the list's counts may be old
			var err error
			if n, err = count(c.Term); err != nil {
				return "", err
			}
		}
		score := n
		if c.Edits == 1 && firstRune(c.Term) == firstRune(term) {
			score = n * twoEditsDiscount
		} else if held > 0 {
			continue
		}
		if score > bestScore || score == bestScore && best != "" && c.Term < best {
			best, bestScore = c.Term, score
		}
	}
	if held > 0 && bestScore < held*heldRatio*twoEditsDiscount {
		return "", nil
	}
	return best, nil
}

// surfaceForm is the word of the articles that the analysed term comes
// from that is nearest to typed (the index holds stems: "price" is written
// "prices", "price" or "priced"; "pricez" gets "prices"); "" when no
// article holds term.
func (ix *Index) surfaceForm(ctx context.Context, term, typed string, visible query.Query) (string, error) {
	tq := query.NewTermQuery(term)
	tq.SetField(schema.Text)
	req := (&plan.Plan{Locations: true, Visible: visible}).SearchRequest(tq, 0, surfaceHits)
	req.IncludeLocations = true
	res, err := ix.searchAll(ctx, req)
	if err != nil {
		return "", err
	}
	forms := map[string]int{}
	for _, dm := range res.Hits {
		doc, err := ix.document(dm.ID)
		if err != nil || doc == nil {
			return "", err
		}
		a := ix.article(doc)
		full := a.Title + schema.TextSeparator + a.Body
		locs := dm.Locations[schema.Text][term]
		for _, l := range locs[:min(len(locs), surfaceLocations)] {
			if f := suggest.Surface(full, l); f != "" {
				forms[strings.ToLower(f)]++
			}
		}
	}
	return suggest.Nearest(typed, forms), nil
}

// allWords is the number of articles that hold every word of text, as
// typed (no typo tolerance, no completion), within q's filters; 0 when
// text is not a valid query.
func (ix *Index) allWords(ctx context.Context, q Query, text string) (uint64, error) {
	r := plan.Request(q)
	r.Text, r.Sort, r.Match, r.AsYouType = text, plan.SortDateDesc, plan.MatchAll, false
	r.Page, r.Cursor, r.Facets, r.Size = 0, "", nil, 0
	p, err := ix.planner.Plan(r) // no dictionary: no typo tolerance
	if err != nil {
		return 0, nil
	}
	return p.Count(ctx, ix.searchAll, p.Main)
}

// spelling is the dictionary typo tolerance asks (the index's, or the
// reader's: see visibleDict) with the respellings of rare words.
type spelling struct {
	plan.Terms
	ix   *Index
	dict *engine.Dict
	seen *visibleDict // nil: every article
}

// Respelling is the frequent term that term, which the index holds in a
// few articles only, most likely misspells, or "" (see respelling).
func (s spelling) Respelling(term string, letters int) (string, error) {
	return s.ix.respelling(s.dict, term, letters, s.seen)
}

// firstRune is the first rune of s.
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
