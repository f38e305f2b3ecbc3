package index

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/engine"

	"github.com/folio-search/folio/index/internal/highlight"
	"github.com/folio-search/folio/index/internal/schema"
)

// maxQueryLen bounds the query text in bytes.
const maxQueryLen = 4096

// Search runs q and returns one page of ranked, highlighted hits. Bad
// parameters return a *ParamError wrapping ErrInvalidParameter or
// ErrInvalidQuery; a search past the deadline returns ErrTimeout.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	return ix.search(ctx, q, true)
}

// search is Search; without highlight, hits carry only ids and scores
// (evaluation: no stored fields are loaded).
func (ix *Index) search(ctx context.Context, q Query, highlight bool) (*Result, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	start := time.Now()
	p, err := ix.plan(q)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, ix.opts.Timeout)
	defer cancel()
	var hits []hitPhase
	var total uint64
	page := p.from/p.size + 1
	if p.after != nil {
		hits, total, err = ix.runAfter(ctx, p, p.after)
		page = 0 // a cursor of an older version: the page number is unknown
		if p.after.Page > 0 {
			page = p.after.Page + 1
		}
	} else {
		hits, total, err = ix.run(ctx, p)
	}
	if err != nil {
		return nil, ix.searchErr(ctx, err)
	}
	out := &Result{
		Query: q.Text,
		Total: total,
		Page:  page,
		Size:  p.size,
		Hits:  make([]Hit, 0, len(hits)),
	}
	if len(hits) == p.size && (p.after != nil || uint64(p.from+len(hits)) < total) {
		out.Cursor = nextCursor(q, p, hits, page)
	}
	if highlight && p.after == nil && total < suggestBelow && strings.TrimSpace(q.Text) != "" {
		if out.Suggestion, err = ix.suggest(ctx, p, q.Text); err != nil {
			return nil, ix.searchErr(ctx, err)
		}
	}
	if len(p.facets) > 0 {
		if out.Facets, err = ix.facets(ctx, p); err != nil {
			return nil, ix.searchErr(ctx, err)
		}
	}
	if !highlight {
		for _, h := range hits {
			out.Hits = append(out.Hits, Hit{ID: h.dm.ID, Score: h.dm.Score})
		}
	} else if len(hits) > 0 {
		for _, h := range hits {
			dm := h.dm
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

// plan is a validated search: the query, its optional all-words tier, the
// date filter, the window and the order.
type plan struct {
	main      query.Query // what matches
	all       query.Query // for pure OR queries of 2+ clauses: the same clauses all required; else nil
	filter    query.Query // non-scoring date range, or nil
	from      int
	size      int
	after     *cursor   // continue after this position instead of from
	facets    []string  // fields to count values of
	now       time.Time // reference time of the recency boost
	sortBy    string
	locations bool
}

// run executes p. When p has an all-words tier, documents matching every
// clause rank above those matching only some (as users expect of a search
// box): the tier is searched first and the rest of the window is filled
// from the remaining matches.
func (ix *Index) run(ctx context.Context, p *plan) ([]hitPhase, uint64, error) {
	tag := func(hits search.DocumentMatchCollection, phase int) []hitPhase {
		out := make([]hitPhase, len(hits))
		for i, dm := range hits {
			out[i] = hitPhase{dm, phase}
		}
		return out
	}
	if p.all == nil {
		res, err := ix.window(ctx, p, p.main, p.from, p.size)
		if err != nil {
			return nil, 0, err
		}
		return tag(res.Hits, phaseAll), res.Total, nil
	}
	tier, err := ix.window(ctx, p, p.all, p.from, p.size)
	if err != nil {
		return nil, 0, err
	}
	tierTotal := int(tier.Total)
	end := p.from + p.size
	rest := p.rest()
	if end <= tierTotal { // the page lies inside the tier: only count the rest
		n, err := ix.count(ctx, p, rest)
		if err != nil {
			return nil, 0, err
		}
		return tag(tier.Hits, phaseTier), tier.Total + n, nil
	}
	restFrom := max(0, p.from-tierTotal)
	res, err := ix.window(ctx, p, rest, restFrom, end-max(p.from, tierTotal))
	if err != nil {
		return nil, 0, err
	}
	return append(tag(tier.Hits, phaseTier), tag(res.Hits, phaseRest)...), tier.Total + res.Total, nil
}

// request builds one bleve request for q within p's filter and order.
func (ix *Index) request(p *plan, q query.Query, from, size int) *bleve.SearchRequest {
	if p.filter != nil {
		q = engine.Filtered(q, p.filter)
	}
	req := bleve.NewSearchRequestOptions(q, size, from, false)
	req.IncludeLocations = p.locations && size > 0
	if size == 0 {
		req.Score = "none" // counting only
	}
	req.SortByCustom(p.sortOrder())
	return req
}

func (ix *Index) searchErr(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w after %s", ErrTimeout, ix.opts.Timeout)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	if engine.TooComplex(err) {
		return queryErr("a regular expression, wildcard or fuzzy term of the query is too complex to search (%v): simplify it", err)
	}
	if engine.TooManyTerms(err) {
		return queryErr("the query expands to more than %d index terms (search.max_terms; every word, and every term a wildcard, regexp, prefix or fuzzy term matches, counts): make it more specific or shorter", ix.opts.MaxTerms)
	}
	return fmt.Errorf("search: %w", err)
}

// plan validates q and turns it into a plan.
func (ix *Index) plan(q Query) (*plan, error) {
	size, page := q.Size, q.Page
	if size == 0 {
		size = ix.opts.DefaultSize
	}
	if size < 1 || size > ix.opts.MaxSize {
		return nil, paramErr("size", "size must be between 1 and %d, got %d", ix.opts.MaxSize, q.Size)
	}
	if page == 0 {
		page = 1
	}
	if page < 1 {
		return nil, paramErr("page", "page must be 1 or more, got %d", q.Page)
	}
	if page > ix.opts.MaxWindow/size || page*size > ix.opts.MaxWindow {
		return nil, paramErr("page", "page × size must not exceed %d (search.max_window; got page %d × size %d): to read deeper, follow the \"cursor\" of each response (cursor=…) instead of page numbers", ix.opts.MaxWindow, q.Page, size)
	}
	p := &plan{from: (page - 1) * size, size: size, sortBy: q.Sort, now: time.Now()}
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, err
		}
		if q.Page > 1 {
			return nil, paramErr("cursor", "give either cursor or page, not both")
		}
		if c.Sort != q.Sort || c.Text != q.Text || c.Mode != q.Mode {
			return nil, paramErr("cursor", "the cursor was made for another query or sort; repeat q, mode and sort of the request that returned it")
		}
		p.after, p.from, p.now = c, 0, time.Unix(0, c.Now)
	}
	switch p.sortBy {
	case "", SortRelevance, SortDateAsc, SortDateDesc:
	default:
		return nil, paramErr("sort", "unknown sort %q (accepted: relevance, date, -date)", q.Sort)
	}
	start, end, err := rangeBounds(ix.opts.Dates, q.From, q.To)
	if err != nil {
		return nil, err
	}
	if !start.IsZero() || !end.IsZero() {
		p.filter = schema.DateFilter(start, end)
	}
	if err := ix.planFacets(p, q); err != nil {
		return nil, err
	}

	text := strings.TrimSpace(q.Text)
	if len(text) > maxQueryLen {
		return nil, queryErr("query is %d bytes long; the limit is %d", len(text), maxQueryLen)
	}
	if text == "" {
		p.main = ix.withoutSynonyms(bleve.NewMatchAllQuery())
		if p.sortBy == "" || p.sortBy == SortRelevance {
			p.sortBy = SortDateDesc // browsing: newest first
		}
		return p, nil
	}
	switch q.Mode {
	case "", ModeSyntax:
	case ModeText:
		return ix.planText(p, text), nil
	default:
		return nil, paramErr("mode", "unknown mode %q (accepted: syntax, text)", q.Mode)
	}
	parsed, err := query.NewQueryStringQuery(text).Parse()
	if err != nil {
		return nil, queryErr("cannot parse query %q: %v (accepted: words, \"phrases\", +must, -mustnot, field:word with fields %s, prefix*, fuzzy~1)", article.Clip(text, 80), err, queryFields)
	}
	if err := validateQuery(parsed); err != nil {
		return nil, err
	}
	if err := checkCost(parsed); err != nil {
		return nil, err
	}
	if !strings.Contains(text, "~") { // fuzzy matches keep their MatchQuery
		parsed = ix.simplify(parsed)
	}
	p.main = ix.withRecency(ix.withTitleBoost(parsed), p.now)
	p.locations = true
	if p.sortBy == "" || p.sortBy == SortRelevance {
		if all := allClauses(parsed); all != nil {
			p.all = ix.withRecency(ix.withTitleBoost(all), p.now)
		}
	}
	return p, nil
}

// queryFields are the field names a query may name.
const queryFields = "title, body, source, author, tags, url"

var knownFields = map[string]bool{schema.Title: true, schema.Body: true, schema.Source: true, schema.Author: true, schema.Tags: true, schema.URL: true, schema.Date: true, schema.Text: true}

// validateQuery checks what bleve's parser lets through but a search would
// fail on or silently miss: unknown fields and invalid regular expressions.
// It also points body: clauses at the indexed title+body text.
func validateQuery(q query.Query) error {
	if v, ok := q.(query.ValidatableQuery); ok {
		if err := v.Validate(); err != nil {
			return queryErr("invalid query: %v", err)
		}
	}
	var err error
	walk(q, func(q query.Query) {
		if err != nil {
			return
		}
		if f, ok := q.(query.FieldableQuery); ok && f.Field() != "" {
			if !knownFields[f.Field()] {
				err = queryErr("unknown field %q in query (fields: %s)", f.Field(), queryFields)
				return
			}
			if f.Field() == schema.Body { // the body is searched as part of the text
				f.SetField(schema.Text)
			}
		}
		if r, ok := q.(*query.RegexpQuery); ok {
			if _, e := regexp.Compile(r.Regexp); e != nil {
				err = queryErr("invalid regular expression /%s/: %v", r.Regexp, e)
			}
		}
	})
	return err
}

// walk calls fn for q and every query inside it.
func walk(q query.Query, fn func(query.Query)) { walkClauses(q, true, fn) }

// walkClauses calls fn for q and the queries inside it; with negative false,
// it skips what a boolean query excludes (MustNot) and its filter.
func walkClauses(q query.Query, negative bool, fn func(query.Query)) {
	fn(q)
	switch q := q.(type) {
	case *query.BooleanQuery:
		children := []query.Query{q.Must, q.Should}
		if negative {
			children = append(children, q.MustNot, q.Filter)
		}
		for _, c := range children {
			if c != nil {
				walkClauses(c, negative, fn)
			}
		}
	case *query.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			walkClauses(c, negative, fn)
		}
	case *query.DisjunctionQuery:
		for _, c := range q.Disjuncts {
			walkClauses(c, negative, fn)
		}
	}
}

// allClauses returns, for a query-string query made only of optional
// clauses (and exclusions), the query that requires all of them; nil when
// the query has required clauses or fewer than two optional ones.
func allClauses(q query.Query) query.Query {
	bq, ok := q.(*query.BooleanQuery)
	if !ok {
		return nil
	}
	if bq.Must != nil {
		if c, ok := bq.Must.(*query.ConjunctionQuery); !ok || len(c.Conjuncts) > 0 {
			return nil
		}
	}
	d, ok := bq.Should.(*query.DisjunctionQuery)
	if !ok || len(d.Disjuncts) < 2 {
		return nil
	}
	var mustNot []query.Query
	if bq.MustNot != nil {
		mustNot = []query.Query{bq.MustNot}
	}
	return query.NewBooleanQuery([]query.Query{query.NewConjunctionQuery(d.Disjuncts)}, nil, mustNot)
}

// withTitleBoost adds an optional clause that scores the query's positive
// words and phrases against the title alone, so title matches weigh more. A
// should clause of a BooleanQuery sums without coord, unlike a disjunction.
// The boost is set on every leaf: bleve ignores the boost of a
// DisjunctionQuery (only leaf scorers apply boosts).
func (ix *Index) withTitleBoost(q query.Query) query.Query {
	var leaves []query.Query
	collectPositive(q, &leaves, ix.opts.TitleBoost)
	if len(leaves) == 0 || ix.opts.TitleBoost <= 0 {
		return q
	}
	title := query.NewDisjunctionQuery(leaves)
	// A query with required clauses and no optional ones takes the title
	// clause as its optional part: one boolean level less to evaluate.
	if bq, ok := q.(*query.BooleanQuery); ok && bq.Should == nil && bq.Must != nil {
		flat := *bq
		flat.Should = title
		return &flat
	}
	return query.NewBooleanQuery([]query.Query{q}, []query.Query{title}, nil)
}

// simplify replaces word queries that analyse to a single term by that
// term's TermQuery, in place: bleve wraps every MatchQuery in a disjunction
// searcher even for one term, and a search evaluates it for every candidate.
func (ix *Index) simplify(q query.Query) query.Query {
	switch q := q.(type) {
	case *query.BooleanQuery:
		for _, c := range []*query.Query{&q.Must, &q.Should, &q.MustNot} {
			if *c != nil {
				*c = ix.simplify(*c)
			}
		}
	case *query.ConjunctionQuery:
		for i, c := range q.Conjuncts {
			q.Conjuncts[i] = ix.simplify(c)
		}
	case *query.DisjunctionQuery:
		for i, c := range q.Disjuncts {
			q.Disjuncts[i] = ix.simplify(c)
		}
	case *query.MatchQuery:
		if q.Fuzziness != 0 || q.Prefix != 0 || q.Analyzer != "" {
			return q
		}
		an := ix.analyzers[q.FieldVal]
		if an == nil {
			return q
		}
		tokens := an.Analyze([]byte(q.Match))
		if len(tokens) != 1 {
			return q
		}
		tq := query.NewTermQuery(string(tokens[0].Term))
		tq.SetField(q.FieldVal)
		if q.BoostVal != nil {
			tq.SetBoost(q.BoostVal.Value())
		}
		return tq
	}
	return q
}

// collectPositive appends title-field copies, boosted by boost, of the
// unfielded word, term and phrase queries that q requires or prefers (not
// those it excludes). The boost is set on every leaf: bleve ignores the
// boost of a DisjunctionQuery (only leaf scorers apply boosts).
func collectPositive(q query.Query, out *[]query.Query, boost float64) {
	walkClauses(q, false, func(q query.Query) {
		var c query.Query
		switch q := q.(type) {
		case *query.MatchQuery:
			c = titleCopy(q, boost)
		case *query.MatchPhraseQuery:
			c = titleCopy(q, boost)
		case *query.TermQuery:
			c = titleCopy(q, boost)
		}
		if c != nil {
			*out = append(*out, c)
		}
	})
}

// leafQuery is a pointer to a bleve leaf query type T that has a field and a boost.
type leafQuery[T any] interface {
	*T
	query.FieldableQuery
	query.BoostableQuery
}

// titleCopy returns a copy of q aimed at the title with its boost times
// boost, or nil when q names a field of its own.
func titleCopy[T any, P leafQuery[T]](q P, boost float64) query.Query {
	if q.Field() != "" {
		return nil
	}
	cp := P(new(T))
	*cp = *q
	cp.SetField(schema.Title)
	cp.SetBoost(boost * q.Boost())
	return cp
}

// hit converts a bleve match and its stored document into a Hit.
func (ix *Index) hit(dm *search.DocumentMatch, doc bleveindex.Document) Hit {
	a := ix.article(doc)
	h := Hit{
		ID: dm.ID, Title: a.Title, Date: a.Date, URL: a.URL, Source: a.Source,
		Author: a.Author, Tags: a.Tags, Keywords: a.Keywords, Score: dm.Score,
	}
	highlight.SplitLocations(dm, len(a.Title))
	h.Highlights.Title = ix.hl.TitleFragments(dm, doc)
	h.Highlights.Body = ix.hl.BodyFragments(dm, doc, ix.opts.MaxFragments)
	if len(h.Highlights.Body) == 0 && a.Body != "" {
		h.Highlights.Body = []string{highlight.Opening(a.Body, ix.opts.FragmentSize)}
	}
	return h
}

// article decodes a stored document.
func (ix *Index) article(doc bleveindex.Document) article.Article {
	a := article.Article{ID: doc.ID()}
	doc.VisitFields(func(f bleveindex.Field) {
		switch f.Name() {
		case schema.Title:
			a.Title = string(f.Value())
		case schema.Body:
			a.Body = string(f.Value())
		case schema.URL:
			a.URL = string(f.Value())
		case schema.Source:
			a.Source = string(f.Value())
		case schema.Author:
			a.Author = string(f.Value())
		case schema.Tags:
			a.Tags = append(a.Tags, string(f.Value()))
		default:
			if k, ok := strings.CutPrefix(f.Name(), schema.KeywordPrefix+"."); ok {
				if a.Keywords == nil {
					a.Keywords = map[string][]string{}
				}
				a.Keywords[k] = append(a.Keywords[k], string(f.Value()))
			}
		case schema.Date:
			if df, ok := f.(bleveindex.DateTimeField); ok {
				if t, _, err := df.DateTime(); err == nil {
					a.Date = t.In(ix.opts.Dates.Location())
				}
			}
		}
	})
	return a
}

// Article returns the stored article with the given id, or ErrNotFound.
func (ix *Index) Article(ctx context.Context, id string) (*article.Article, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.storedArticle(id)
}

// storedArticle is Article for a caller holding ix.mu for reading.
func (ix *Index) storedArticle(id string) (*article.Article, error) {
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
