package index

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/engine"
	"github.com/folio-search/folio/index/internal/plan"
	"github.com/folio-search/folio/index/internal/schema"
)

// Every read obeys the reader's Visibility through one filter
// (Visibility.Filter), the unscored clause search filters use: searches,
// counts and facets carry it in their plan; a single article is read only
// when a search of its id within the filter finds it (else ErrNotFound, as
// for a missing one); and the words offered back to a reader (typo
// tolerance, did-you-mean) are counted over the articles it may see.

// noteGroups marks the generation as holding articles with groups before
// ops writes the first of them. It takes ix.mu for writing to do so, so it
// waits for every read that found the generation without groups (and so
// skipped the visibility filter, see effective) to finish: no read can
// skip the filter and see an article with groups.
func (ix *Index) noteGroups(ops []writeOp) {
	ix.mu.RLock()
	seen := ix.mayHaveGroups()
	ix.mu.RUnlock()
	if seen || !hasGroups(ops) {
		return
	}
	ix.mu.Lock()
	if ix.grouped != nil {
		ix.grouped.Store(true)
	}
	ix.mu.Unlock()
}

// hasGroups reports whether ops write an article with groups.
func hasGroups(ops []writeOp) bool {
	return slices.ContainsFunc(ops, func(op writeOp) bool { return op.article != nil && len(op.article.Groups) > 0 })
}

// effective is the Visibility a read of vis filters with: AllArticles
// while no article of the generation has groups and vis restricts by
// groups only (every article is then visible, and the filter would only
// cost time), else vis. The caller holds ix.mu for reading. Cursors are
// bound to vis itself, not to this.
func (ix *Index) effective(vis Visibility) Visibility {
	if vis.All || ix.mayHaveGroups() || !groupsOnly(vis) {
		return vis
	}
	return AllArticles()
}

// groupsOnly reports whether vis restricts by groups alone (no sources,
// tags or dates of a token's filter).
func groupsOnly(vis Visibility) bool {
	return len(vis.Sources) == 0 && len(vis.Tags) == 0 && vis.Start.IsZero() && vis.End.IsZero()
}

// visible reports whether vis may see the article id (false also when
// there is no such article). The caller holds ix.mu for reading.
func (ix *Index) visible(ctx context.Context, id string, vis Visibility) (bool, error) {
	if vis = ix.effective(vis); vis.All {
		return true, nil
	}
	n, err := ix.countVisible(ctx, vis, query.NewDocIDQuery([]string{id}))
	return n > 0, err
}

// countVisible is the number of documents q matches that vis may see.
func (ix *Index) countVisible(ctx context.Context, vis Visibility, q query.Query) (uint64, error) {
	return (&plan.Plan{Visible: vis.Filter()}).Count(ctx, ix.searchAll, q)
}

// termCount is the number of documents holding term in field that vis may see.
func (ix *Index) termCount(ctx context.Context, vis Visibility, field, term string) (uint64, error) {
	tq := query.NewTermQuery(term)
	tq.SetField(field)
	return ix.countVisible(ctx, vis, tq)
}

// visibleDict is the index's dictionary as a reader sees it: a term is in
// it when an article the reader may see holds it, and corrections are
// counted over those articles only (those no such article holds are left
// out), so typo tolerance neither keeps a word only hidden articles hold
// nor expands a word into one.
type visibleDict struct {
	ctx  context.Context
	ix   *Index
	vis  Visibility
	dict *engine.Dict
	seen query.Query // vis's filter, cached (see engine.Cached); nil: built on first use
	walk uint64      // how far a walk of a term's postings counts at least; 0: not known yet
}

// filter is the reader's visibility filter, cached per snapshot.
func (d *visibleDict) filter() query.Query {
	if d.seen == nil {
		d.seen = engine.Cached(d.ix.planner.Filters, d.vis.Key(), d.vis.Filter())
	}
	return d.seen
}

// Has reports whether an article the reader may see holds term in field:
// by walking the term's postings against the reader's cached filter (see
// countUpTo), else for a reader of groups only to the first document of
// one of its groups (no search: typo tolerance asks this of every long
// word of a query); else by counting.
func (d *visibleDict) Has(field, term string) (bool, error) {
	if n, ok, err := d.walkUpTo(field, term, 1); ok || err != nil {
		return n > 0, err
	}
	if groupsOnly(d.vis) {
		return d.dict.HasAmong(field, term, schema.Groups, append([]string{schema.PublicGroup}, d.vis.Groups...))
	}
	n, err := d.ix.termCount(d.ctx, d.vis, field, term)
	return n > 0, err
}

// completionsRecounted is how many more of the whole index's most
// frequent completions Completions recounts than it returns.
const completionsRecounted = 4

// Completions are the terms of field that begin with prefix, most frequent
// first over the articles the reader may see: the completionsRecounted ×
// limit most frequent in the whole index, recounted, without those none of
// the reader's articles holds.
func (d *visibleDict) Completions(field, prefix string, limit int) ([]engine.Correction, error) {
	all, err := d.dict.Completions(field, prefix, completionsRecounted*limit)
	if err != nil {
		return nil, err
	}
	out, err := d.recount(field, all)
	return out[:min(len(out), limit)], err
}

// count is the number of the reader's articles holding term in field.
func (d *visibleDict) count(field, term string) (uint64, error) {
	return d.countUpTo(field, term, math.MaxUint64)
}

// countUpTo is count, or limit when it is at least limit: counting stops
// there (a walk of term's postings, no search).
func (d *visibleDict) countUpTo(field, term string, limit uint64) (uint64, error) {
	if n, ok, err := d.walkUpTo(field, term, limit); ok || err != nil {
		return n, err
	}
	if groupsOnly(d.vis) {
		return d.dict.CountAmongUpTo(field, term, schema.Groups, append([]string{schema.PublicGroup}, d.vis.Groups...), limit)
	}
	n, err := d.ix.termCount(d.ctx, d.vis, field, term)
	return min(n, limit), err
}

// walkUpTo is countUpTo by a walk of term's postings against the reader's
// cached filter (engine.Dict.CountIn); ok is false when the filter's
// matches cannot be held in a bitmap. The walk goes on to the count that
// makes a word common for did you mean (see rareShare), which the
// dictionary remembers: typo tolerance asks whether the reader sees a
// word, did you mean how often, and opening the term's postings costs far
// more than reading a few dozen more of them.
func (d *visibleDict) walkUpTo(field, term string, limit uint64) (n uint64, ok bool, err error) {
	if d.walk == 0 {
		docs, err := d.dict.Docs()
		if err != nil {
			return 0, true, err
		}
		d.walk = docs/rareShare + 1
	}
	n, ok, err = d.dict.CountIn(field, term, d.filter(), max(limit, d.walk))
	return min(n, limit), ok, err
}

// recount counts cs over the reader's articles, drops those none holds and
// orders the rest most frequent first, then by term.
func (d *visibleDict) recount(field string, cs []engine.Correction) ([]engine.Correction, error) {
	out := make([]engine.Correction, 0, len(cs)) // cs may be the dictionary's remembered answer
	for _, c := range cs {
		n, err := d.count(field, c.Term)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, engine.Correction{Term: c.Term, Count: n})
		}
	}
	slices.SortFunc(out, func(a, b engine.Correction) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Term, b.Term))
	})
	return out, nil
}

// Corrections are the dictionary's corrections of term recounted over the
// articles the reader may see, most frequent first, without those none of
// them holds.
func (d *visibleDict) Corrections(field, term string, edits int) ([]engine.Correction, error) {
	all, err := d.dict.Corrections(field, term, edits)
	if err != nil {
		return nil, err
	}
	return d.recount(field, all)
}
