package index

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/engine"

	"github.com/folio-search/folio/index/internal/highlight"
	"github.com/folio-search/folio/index/internal/param"
	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
)

// Search runs q and returns one page of ranked, highlighted hits. Bad
// parameters return a *ParamError wrapping ErrInvalidParameter or
// ErrInvalidQuery; a search past the deadline returns ErrTimeout.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	return ix.search(ctx, q, true)
}

// search is Search; without highlight, hits carry only ids and scores
// (evaluation: no stored fields are loaded).
func (ix *Index) search(ctx context.Context, q Query, highlight bool) (res *Result, err error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, ix.opts.Timeout)
	defer cancel()
	dict := engine.NewDict(ix.shards) // planning and did you mean ask it about the same words
	defer func() {
		if cerr := dict.Close(); cerr != nil && err == nil {
			res, err = nil, fmt.Errorf("close dictionary readers: %w", cerr)
		}
	}()
	p, err := ix.planWith(ctx, q, dict)
	if err != nil {
		return nil, ix.planErr(ctx, err)
	}
	if p.Feedback {
		if err := ix.feedback(ctx, p, q.Text); err != nil {
			return nil, ix.searchErr(ctx, err)
		}
	}
	var hits []plan.Hit
	var total uint64
	page := p.From/p.Size + 1
	if p.After != nil {
		hits, total, err = p.RunAfter(ctx, ix.searchAll, &ix.ties, p.After)
		page = 0 // a cursor of an older version: the page number is unknown
		if p.After.Page > 0 {
			page = p.After.Page + 1
		}
	} else {
		hits, total, err = p.Run(ctx, ix.searchAll, &ix.ties)
	}
	if err != nil {
		return nil, ix.searchErr(ctx, err)
	}
	out := &Result{
		Query: q.Text,
		Total: total,
		Page:  page,
		Size:  p.Size,
		Hits:  make([]Hit, 0, len(hits)),
	}
	if len(hits) == p.Size && (p.After != nil || uint64(p.From+len(hits)) < total) {
		last := hits[len(hits)-1]
		out.Cursor = plan.NextCursor(plan.Request(q), p, last.Match, last.Phase, page)
	}
	if highlight && p.After == nil && strings.TrimSpace(q.Text) != "" {
		if out.Suggestion, err = ix.suggest(ctx, q, ix.effective(q.Visible), dict); err != nil {
			return nil, ix.searchErr(ctx, err)
		}
	}
	if len(p.Facets) > 0 {
		if out.Facets, err = ix.facets(ctx, p); err != nil {
			return nil, ix.searchErr(ctx, err)
		}
	}
	if !highlight {
		for _, h := range hits {
			out.Hits = append(out.Hits, Hit{ID: h.Match.ID, Score: h.Match.Score})
		}
	} else if len(hits) > 0 {
		if err := ix.markFeedback(ctx, p, hits); err != nil {
			return nil, ix.searchErr(ctx, err)
		}
		for _, h := range hits {
			dm := h.Match
			doc, err := ix.document(dm.ID)
			if err != nil {
				return nil, fmt.Errorf("load article %q: %w", dm.ID, err)
			}
			if doc == nil { // deleted since the search
				continue
			}
			out.Hits = append(out.Hits, ix.hit(dm, doc))
		}
	}
	out.Took = time.Since(start)
	return out, nil
}

func (ix *Index) searchErr(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w after %s", ErrTimeout, ix.opts.Timeout)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	if engine.Closed(err) {
		return closedErr(err)
	}
	if engine.TooComplex(err) {
		return param.QueryErrorf("a regular expression, wildcard or fuzzy term of the query is too complex to search (%v): simplify it", err)
	}
	if engine.TooManyTerms(err) {
		return param.QueryErrorf("the query expands to more than %d index terms (search.max_terms; every word, and every term a wildcard, regexp, prefix or fuzzy term matches, counts): make it more specific or shorter", ix.opts.MaxTerms)
	}
	return fmt.Errorf("search: %w", err)
}

// closedErr is err, a read of a shard closed after a failed write and not
// reopened (engine.Closed), as ErrNoIndex: the index is unavailable.
func closedErr(err error) error {
	return fmt.Errorf("%w: a shard could not be reopened after a failed write; restart folio once its storage works (%v)", ErrNoIndex, err)
}

// planErr is searchErr for an error of plan: its parameter errors as they are.
func (ix *Index) planErr(ctx context.Context, err error) error {
	var pe *ParamError
	if errors.As(err, &pe) {
		return err
	}
	return ix.searchErr(ctx, err)
}

// plan validates q and turns it into a plan (see plan.Planner.Plan).
// Typo tolerance looks words up in the live shards' dictionary, as the
// reader (q.Visible) sees it.
func (ix *Index) plan(ctx context.Context, q Query) (*plan.Plan, error) {
	dict := engine.NewDict(ix.shards)
	p, err := ix.planWith(ctx, q, dict)
	if cerr := dict.Close(); cerr != nil && err == nil {
		return nil, fmt.Errorf("close dictionary readers: %w", cerr)
	}
	return p, err
}

// planWith is plan asking dict, which the caller closes.
func (ix *Index) planWith(ctx context.Context, q Query, dict *engine.Dict) (*plan.Plan, error) {
	d := spelling{Terms: dict, ix: ix, dict: dict}
	seen := ix.effective(q.Visible)
	if !seen.All {
		d.seen = &visibleDict{ctx: ctx, ix: ix, vis: seen, dict: dict}
		d.Terms = d.seen
	}
	return ix.planner.PlanWith(plan.Request(q), d, seen)
}

// newPlanner is the query planner of ix's options and mapping.
func (ix *Index) newPlanner() *plan.Planner {
	return &plan.Planner{
		DefaultSize: ix.opts.DefaultSize, MaxSize: ix.opts.MaxSize, MaxWindow: ix.opts.MaxWindow,
		Dates: ix.opts.Dates, TitleBoost: ix.opts.TitleBoost, TextTier: ix.opts.TextTier,
		GradedMaxWords:  max(ix.opts.GradedMaxWords, 0),
		RecencyHalfLife: ix.opts.RecencyHalfLife, Synonyms: len(ix.opts.Synonyms),
		KeywordFields: ix.meta.KeywordFields, Analyzers: plan.Analyzers(ix.shards[0].Mapping()),
		Typos:    plan.Typos{On: ix.opts.TypoTolerance == "on", OneEdit: ix.opts.TypoOneEdit, TwoEdits: ix.opts.TypoTwoEdits},
		Feedback: plan.Feedback{On: ix.opts.Feedback == "on", MinWords: ix.opts.FeedbackMinWords},
		Filters:  engine.NewFilterCache(),
	}
}

// hit converts a bleve match and its stored document into a Hit.
func (ix *Index) hit(dm *search.DocumentMatch, doc bleveindex.Document) Hit {
	a := ix.article(doc)
	h := Hit{
		ID: dm.ID, Title: a.Title, Date: a.Date, URL: a.URL, Source: a.Source,
		Author: a.Author, Tags: a.Tags, Keywords: a.Keywords, Score: dm.Score,
		Explanation: explanation(dm),
	}
	highlight.SplitLocations(dm, len(a.Title))
	h.Highlights.Title = ix.hl.TitleFragments(dm, doc)
	h.Highlights.Body = ix.hl.BodyFragments(dm, doc, ix.opts.MaxFragments)
	if len(h.Highlights.Body) == 0 && a.Body != "" {
		h.Highlights.Body = []string{highlight.Opening(a.Body, ix.opts.FragmentSize)}
	}
	return h
}

// article decodes a stored document (schema.Article).
func (ix *Index) article(doc bleveindex.Document) article.Article {
	return schema.Article(doc, ix.opts.Dates.Location())
}

// Article returns the stored article with the given id, or an error
// wrapping ErrNotFound when there is none or vis may not see it (the same
// error: a hidden article is indistinguishable from a missing one).
func (ix *Index) Article(ctx context.Context, id string, vis Visibility) (*article.Article, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.storedArticle(ctx, id, vis)
}

// storedArticle is Article for a caller holding ix.mu for reading.
func (ix *Index) storedArticle(ctx context.Context, id string, vis Visibility) (*article.Article, error) {
	ok, err := ix.visible(ctx, id, vis)
	if err != nil {
		return nil, fmt.Errorf("load article %q: %w", id, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: no article with id %q", ErrNotFound, id)
	}
	doc, err := ix.document(id)
	if err != nil {
		return nil, fmt.Errorf("load article %q: %w", id, err)
	}
	if doc == nil {
		return nil, fmt.Errorf("%w: no article with id %q", ErrNotFound, id)
	}
	a := ix.article(doc)
	return &a, nil
}

// explanation is Folio's copy of dm's score explanation, nil without one.
// The recency boost rescales scores after bleve explains them: a score
// that differs from its explanation's value gets that factor as its top part.
func explanation(dm *search.DocumentMatch) *Explanation {
	if dm.Expl == nil {
		return nil
	}
	e := explainPart(dm.Expl, 0)
	if dm.Expl.Value != 0 && dm.Score != dm.Expl.Value {
		e = Explanation{Score: dm.Score, Message: fmt.Sprintf("recency boost: product of ×%.4f and", dm.Score/dm.Expl.Value), Parts: []Explanation{e}}
	}
	return &e
}

// explainPart converts one node of a bleve explanation, at most
// maxExplainDepth deep and maxExplainParts wide.
func explainPart(x *search.Explanation, depth int) Explanation {
	e := Explanation{Score: x.Value, Message: explainMessage(x.Message)}
	if depth == maxExplainDepth {
		return e
	}
	for i, c := range x.Children {
		if i == maxExplainParts {
			e.Parts = append(e.Parts, Explanation{Message: fmt.Sprintf("(%d more parts left out)", len(x.Children)-i)})
			break
		}
		if c != nil {
			e.Parts = append(e.Parts, explainPart(c, depth+1))
		}
	}
	return e
}

// explainMessage is bleve's wording without the internal document number
// it prints as 8 raw bytes ("weight(text:oil in \x00…\x2a), …").
func explainMessage(m string) string {
	var b strings.Builder
	for {
		i := strings.Index(m, " in ")
		if i < 0 || len(m) < i+4+8+1 || m[i+4+8] != ')' {
			b.WriteString(m)
			break
		}
		b.WriteString(m[:i])
		m = m[i+4+8:]
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(b.String(), ""))
}
