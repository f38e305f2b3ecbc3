package plan

import (
	"regexp"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/param"
	"github.com/folio-search/folio/index/internal/schema"
)

// maxQueryLen bounds the query text in bytes.
const maxQueryLen = 4096

// Sort orders of a Request (the facade's index.SortRelevance, ...).
const (
	SortRelevance = "relevance" // best match first (default)
	SortDateAsc   = "date"      // oldest first
	SortDateDesc  = "-date"     // newest first
)

// Query modes of a Request (the facade's index.ModeSyntax, index.ModeText).
const (
	ModeSyntax = "syntax" // query-string syntax: "phrases", +must, -not, field:word, prefix*, fuzzy~
	ModeText   = "text"   // natural-language text: every character is searched as text
)

// Request is one search as a user gave it: the fields of index.Query, in
// the same order and of the same types, so that the facade converts one
// into the other (plan.Request(q)); see index.Query for their meaning.
type Request struct {
	Text    string
	From    string
	To      string
	Size    int
	Page    int
	Sort    string
	Mode    string
	Cursor  string
	Facets  []string
	Filters []string
	// FacetSize is the number of values counted per keyword facet; 0 means DefaultFacetSize.
	FacetSize int
	// AsYouType: the query is being typed; its last word is also a prefix (see prefix.go).
	AsYouType bool
	// Match is MatchAny, MatchAll or "" (MatchAll for date orders, else MatchAny); see graded.go.
	Match string
	// Explain asks bleve for each hit's score explanation.
	Explain bool
	// Visible is what the reader may see; every search of the plan is
	// restricted to it (an unscored required clause of its filter).
	Visible Visibility
}

// Planner turns Requests into Plans. It holds what planning needs of the
// index's options and mapping; it is built once when the index opens and
// is never modified, so it is safe for concurrent use.
type Planner struct {
	DefaultSize int                 // hits per page when a request gives none
	MaxSize     int                 // largest page size accepted
	MaxWindow   int                 // largest page × size (search.max_window)
	Dates       *article.DateParser // parser of the from and to bounds
	TitleBoost  float64             // extra weight of title matches
	// TextTier ranks the articles containing every word of a ModeText
	// request above the others.
	TextTier bool
	// GradedMaxWords is the most distinct words a query of optional words
	// may have to be graded (see graded.go); longer ones are ranked by
	// score alone. 0: never graded.
	GradedMaxWords int
	// RecencyHalfLife, when > 0, gently favours newer articles (see withRecency).
	RecencyHalfLife time.Duration
	// Synonyms is the number of synonym groups stored in each shard (see SynonymID).
	Synonyms int
	// KeywordFields are the extra keyword fields that can be faceted and filtered on.
	KeywordFields []string
	// Analyzers are the query-time analyzers of the searchable text fields
	// ("" is the default field); see Analyzers.
	Analyzers map[string]analysis.Analyzer
	// Typos is the typo tolerance of unquoted words (see typo.go).
	Typos Typos
	// Feedback is the pseudo-relevance feedback of natural-language queries (see feedback.go).
	Feedback Feedback
	// Filters, when set, keeps the articles each reader's visibility
	// matches per shard snapshot (see engine.FilterCache).
	Filters *engine.FilterCache
}

// Analyzers looks up the query-time analyzers of the searchable text
// fields of m ("" is the default field), for Planner.Analyzers.
func Analyzers(m mapping.IndexMapping) map[string]analysis.Analyzer {
	out := map[string]analysis.Analyzer{}
	for _, f := range []string{"", schema.Text, schema.Title} {
		name := m.AnalyzerNameForPath(f)
		if f == "" {
			name = m.AnalyzerNameForPath(m.DefaultSearchField())
		}
		if an := m.AnalyzerNamed(name); an != nil {
			out[f] = an
		}
	}
	return out
}

// Plan is a validated search: the query, its tiers, the date filter, the
// window and the order.
type Plan struct {
	Main query.Query // what matches
	// Tiers partition Main's matches into groups ranked one after the
	// other (graded word matching, see graded.go; the all-words tier of
	// ModeText): nil when Main is ranked by score alone.
	Tiers  []query.Query
	Filter query.Query // non-scoring date range (and keyword filters), or nil
	// Visible is the filter of the articles the reader may see, or nil
	// for every article (see SearchRequest for where it goes).
	Visible query.Query
	// choices are the parts of Filter: the date range ("date") and each
	// filtered field's values, in the order Filter conjoins them.
	choices   []choice
	From      int
	Size      int
	After     *Cursor   // continue after this position instead of From
	Facets    []string  // fields to count values of
	FacetSize int       // values counted per keyword facet
	Now       time.Time // reference time of the recency boost
	SortBy    string
	Match     string // the match strategy in force (MatchAny or MatchAll)
	Explain   bool   // the hits carry bleve's score explanations
	Locations bool   // the search needs term locations (to highlight)
	// Feedback says that the query is natural language: the search reads
	// its best matches first and Expands the query by their words.
	Feedback bool
	marks    query.Query // the query before Expand: what snippets mark
}

// Plan validates q and turns it into a Plan. Bad parameters return a
// *param.Error wrapping param.ErrInvalidParameter or param.ErrInvalidQuery;
// the parameters are checked in this order: size, page, cursor, sort,
// dates, facets and filters, then the query text and mode.
func (pl *Planner) Plan(q Request) (*Plan, error) { return pl.PlanWith(q, nil, q.Visible) }

// PlanWith is Plan with the index's dictionary, which typo tolerance asks
// whether a word is in the index (a nil dict plans without typo
// tolerance), filtering with seen: q.Visible, or what it amounts to in this
// index (AllArticles when no article has groups). Cursors are bound to
// q.Visible.
func (pl *Planner) PlanWith(q Request, dict Dictionary, seen Visibility) (*Plan, error) {
	p, err := pl.window(q)
	if err == nil {
		err = continueAfter(p, q)
	}
	if err == nil {
		err = checkSort(q.Sort)
	}
	if err == nil {
		p.Match, err = checkMatch(q.Match, q.Sort)
		p.Explain = q.Explain
	}
	if err == nil {
		err = pl.filters(p, q, seen)
	}
	if err != nil {
		return nil, err
	}
	return pl.planQuery(p, q, dict)
}

// window checks the page and its size and starts the Plan with them.
func (pl *Planner) window(q Request) (*Plan, error) {
	size, page := q.Size, q.Page
	if size == 0 {
		size = pl.DefaultSize
	}
	if size < 1 || size > pl.MaxSize {
		return nil, param.Errorf("size", "size must be between 1 and %d, got %d", pl.MaxSize, q.Size)
	}
	if page == 0 {
		page = 1
	}
	if page < 1 {
		return nil, param.Errorf("page", "page must be 1 or more, got %d", q.Page)
	}
	if page > pl.MaxWindow/size || page*size > pl.MaxWindow {
		return nil, param.Errorf("page", "page × size must not exceed %d (search.max_window; got page %d × size %d): to read deeper, follow the \"cursor\" of each response (cursor=…) instead of page numbers", pl.MaxWindow, q.Page, size)
	}
	return &Plan{From: (page - 1) * size, Size: size, SortBy: q.Sort, Now: time.Now()}, nil
}

// continueAfter makes p continue after q.Cursor, which must have been made
// for the same query text, mode and sort.
func continueAfter(p *Plan, q Request) error {
	if q.Cursor == "" {
		return nil
	}
	c, err := DecodeCursor(q.Cursor)
	if err != nil {
		return err
	}
	if q.Page > 1 {
		return param.Errorf("cursor", "give either cursor or page, not both")
	}
	if c.Sort != q.Sort || c.Text != q.Text || c.Mode != q.Mode || c.Match != q.Match || c.Typing != q.AsYouType {
		return param.Errorf("cursor", "the cursor was made for another query or sort; repeat q, mode, sort, match and as_you_type of the request that returned it")
	}
	if c.Visible != q.Visible.Key() {
		return param.Errorf("cursor", "the cursor was made for another reader (token); start again from the first page")
	}
	p.After, p.From, p.Now = c, 0, time.Unix(0, c.Now)
	return nil
}

// checkSort accepts the sort orders of a Request.
func checkSort(sort string) error {
	switch sort {
	case "", SortRelevance, SortDateAsc, SortDateDesc:
		return nil
	}
	return param.Errorf("sort", "unknown sort %q (accepted: relevance, date, -date)", sort)
}

// filters adds the reader's visibility, the date range and the facets and
// keyword filters of q to p. The visibility is a choice of no facet's
// field, so that no disjunctive facet count ever leaves it out.
func (pl *Planner) filters(p *Plan, q Request, seen Visibility) error {
	if err := q.Visible.check(); err != nil {
		return err
	}
	p.Visible = seen.Filter() // no facet's choice: no count leaves it out
	if p.Visible != nil && pl.Filters != nil {
		p.Visible = engine.Cached(pl.Filters, seen.Key(), p.Visible)
	}
	start, end, err := rangeBounds(pl.Dates, q.From, q.To)
	if err != nil {
		return err
	}
	if !start.IsZero() || !end.IsZero() {
		p.choices = append(p.choices, choice{field: schema.Date, q: schema.DateFilter(start, end)})
	}
	return pl.planFacets(p, q)
}

// planQuery plans the query text of q: all articles for an empty one
// (browsing, newest first), plain words in text mode, else the query
// syntax, validated and bounded, with the title and recency boosts and,
// for relevance order, the all-words tier.
func (pl *Planner) planQuery(p *Plan, q Request, dict Dictionary) (*Plan, error) {
	text := strings.TrimSpace(q.Text)
	if len(text) > maxQueryLen {
		return nil, param.QueryErrorf("query is %d bytes long; the limit is %d", len(text), maxQueryLen)
	}
	if text == "" {
		p.Main = pl.withoutSynonyms(bleve.NewMatchAllQuery())
		if p.SortBy == "" || p.SortBy == SortRelevance {
			p.SortBy = SortDateDesc // browsing: newest first
		}
		return p, nil
	}
	switch q.Mode {
	case "", ModeSyntax:
	case ModeText:
		return pl.planText(p, text, nil), nil
	default:
		return nil, param.Errorf("mode", "unknown mode %q (accepted: syntax, text)", q.Mode)
	}
	parsed, err := parseSyntax(text)
	if err != nil {
		return nil, err
	}
	if n, ok := plainWords(parsed); ok && pl.feedbackFor(p, n) {
		// Plain words are the same query in both modes: a long one is
		// natural language, ranked by BM25 and feedback, without the tier;
		// while typing, its last word is completed too.
		var completion query.Query
		if q.AsYouType {
			if completion, err = pl.completion(text, dict); err != nil {
				return nil, err
			}
		}
		return pl.planText(p, text, completion), nil
	}
	alts := inexact{}
	if q.AsYouType {
		if parsed, err = pl.withPrefix(parsed, text, dict, alts); err != nil {
			return nil, err
		}
	}
	if !strings.Contains(text, "~") { // fuzzy matches keep their MatchQuery
		// Rare words are also searched as their frequent spelling only
		// where tiers rank what matches as typed first (see grade).
		respell := (p.SortBy == "" || p.SortBy == SortRelevance) && onlyOptional(parsed)
		if parsed, err = pl.withTypos(parsed, dict, alts, respell); err != nil {
			return nil, err
		}
		parsed = pl.simplify(parsed)
	}
	p.Main = pl.withRecency(pl.withTitleBoost(parsed), p.Now)
	p.Locations = true
	if w := pl.optionalWords(parsed, alts); w != nil {
		pl.grade(p, w)
	} else if p.SortBy == "" || p.SortBy == SortRelevance {
		// Required clauses: no graded tiers, but what matches a word
		// as typed still comes before what matches only through a typo.
		if tw := typoWords(parsed, alts); tw != nil {
			p.Tiers = typedFirst(p.Main, tw)
		}
	}
	return p, nil
}

// grade applies p's match strategy to the words w of its query (nil: not
// only optional clauses): MatchAll keeps the articles matching every word;
// in relevance order, MatchAny grades a query of at most GradedMaxWords
// words and lists, for a longer one, the articles matching a word as
// typed before those matching only through typos (typedFirst), and
// MatchAll orders its articles by the words matched as typed.
func (pl *Planner) grade(p *Plan, w *words) {
	if w == nil || len(w.all) == 0 {
		return
	}
	relevance := p.SortBy == "" || p.SortBy == SortRelevance
	minWords := 1
	if p.Match == MatchAll {
		minWords = len(w.all)
	} else if len(w.all) > pl.GradedMaxWords {
		if relevance {
			p.Tiers = typedFirst(p.Main, w)
		}
		return
	}
	if !relevance {
		if minWords > 1 {
			p.Main = engine.Filtered(p.Main, atLeast(w.all, minWords))
		}
		return
	}
	p.Tiers = tiers(p.Main, w, minWords)
	if p.Tiers == nil && minWords > 1 {
		p.Main = engine.Filtered(p.Main, atLeast(w.all, minWords))
	}
	if p.Tiers == nil { // too many tiers: at least the typed words first
		p.Tiers = typedFirst(p.Main, w)
	}
}

// parseSyntax parses text in the query-string syntax and refuses unknown
// fields and queries too expensive to run.
func parseSyntax(text string) (query.Query, error) {
	parsed, err := query.NewQueryStringQuery(text).Parse()
	if err != nil {
		return nil, param.QueryErrorf("cannot parse query %q: %v (accepted: words, \"phrases\", +must, -mustnot, field:word with fields %s, prefix*, fuzzy~1)", article.Clip(text, 80), err, queryFields)
	}
	if err := validateQuery(parsed); err != nil {
		return nil, err
	}
	if err := checkCost(parsed); err != nil {
		return nil, err
	}
	return parsed, nil
}

// queryFields are the field names a query may name.
const queryFields = "title, body, source, author, tags, url"

var knownFields = map[string]bool{schema.Title: true, schema.Body: true, schema.Source: true, schema.Author: true, schema.Tags: true, schema.URL: true, schema.Date: true, schema.Text: true}

// Fields are the indexed fields a query may search (those it names, the
// date and the title+body text), in no particular order.
func Fields() []string {
	out := make([]string, 0, len(knownFields))
	for f := range knownFields {
		out = append(out, f)
	}
	return out
}

// validateQuery checks what bleve's parser lets through but a search would
// fail on or silently miss: unknown fields and invalid regular expressions.
// It also points body: clauses at the indexed title+body text.
func validateQuery(q query.Query) error {
	if v, ok := q.(query.ValidatableQuery); ok {
		if err := v.Validate(); err != nil {
			return param.QueryErrorf("invalid query: %v", err)
		}
	}
	var err error
	walk(q, func(q query.Query) {
		if err != nil {
			return
		}
		if f, ok := q.(query.FieldableQuery); ok && f.Field() != "" {
			if !knownFields[f.Field()] {
				err = param.QueryErrorf("unknown field %q in query (fields: %s)", f.Field(), queryFields)
				return
			}
			if f.Field() == schema.Body { // the body is searched as part of the text
				f.SetField(schema.Text)
			}
		}
		if r, ok := q.(*query.RegexpQuery); ok {
			if _, e := regexp.Compile(r.Regexp); e != nil {
				err = param.QueryErrorf("invalid regular expression /%s/: %v", r.Regexp, e)
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

// withTitleBoost adds an optional clause that scores the query's positive
// words and phrases against the title alone, so title matches weigh more. A
// should clause of a BooleanQuery sums without coord, unlike a disjunction.
// The boost is set on every leaf: bleve ignores the boost of a
// DisjunctionQuery (only leaf scorers apply boosts).
func (pl *Planner) withTitleBoost(q query.Query) query.Query {
	var leaves []query.Query
	collectPositive(q, &leaves, pl.TitleBoost)
	if len(leaves) == 0 || pl.TitleBoost <= 0 {
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
func (pl *Planner) simplify(q query.Query) query.Query {
	return rewrite(q, true, func(q query.Query) query.Query {
		mq, ok := q.(*query.MatchQuery)
		if !ok || mq.Fuzziness != 0 || mq.Prefix != 0 || mq.Analyzer != "" {
			return q
		}
		an := pl.Analyzers[mq.FieldVal]
		if an == nil {
			return q
		}
		tokens := an.Analyze([]byte(mq.Match))
		if len(tokens) != 1 {
			return q
		}
		tq := query.NewTermQuery(string(tokens[0].Term))
		tq.SetField(mq.FieldVal)
		if mq.BoostVal != nil {
			tq.SetBoost(mq.BoostVal.Value())
		}
		return tq
	})
}

// rewrite replaces, in place, every leaf of q (a query that is not a
// boolean, conjunction or disjunction) by fn of it; with excluded false it
// leaves what a boolean query excludes (MustNot) as it is.
func rewrite(q query.Query, excluded bool, fn func(query.Query) query.Query) query.Query {
	switch q := q.(type) {
	case *query.BooleanQuery:
		parts := []*query.Query{&q.Must, &q.Should, &q.MustNot}
		if !excluded {
			parts = parts[:2]
		}
		for _, c := range parts {
			if *c != nil {
				*c = rewrite(*c, excluded, fn)
			}
		}
		return q
	case *query.ConjunctionQuery:
		for i, c := range q.Conjuncts {
			q.Conjuncts[i] = rewrite(c, excluded, fn)
		}
		return q
	case *query.DisjunctionQuery:
		for i, c := range q.Disjuncts {
			q.Disjuncts[i] = rewrite(c, excluded, fn)
		}
		return q
	}
	return fn(q)
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

// SearchRequest builds one bleve request for q within p's filter and order.
//
// The reader's visibility filters q's matches (engine.PostFiltered): each
// match's document number is looked up in the visibility's bitmap (cached
// per snapshot, see Planner.Filters), which costs less than one more
// clause of the query's conjunction, moved after every match; a bitmap of
// few documents (a sparse reader) drives the query's searcher from one of
// them to the next instead (docs/access.md has the figures).
func (p *Plan) SearchRequest(q query.Query, from, size int) *bleve.SearchRequest {
	if p.Filter != nil {
		q = engine.Filtered(q, p.Filter)
	}
	if p.Visible != nil {
		q = engine.PostFiltered(q, p.Visible)
	}
	req := bleve.NewSearchRequestOptions(q, size, from, false)
	req.IncludeLocations = p.Locations && size > 0
	req.Explain = p.Explain && size > 0
	if size == 0 {
		// Counting only: no scores, and no order, which would read every
		// match's date or external id (the id tie-break) for nothing.
		req.Score = "none"
		req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
		return req
	}
	req.SortByCustom(p.SortOrder())
	return req
}
