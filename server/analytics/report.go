package analytics

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// MaxGroups bounds the distinct queries (or articles) one report keeps in
// memory; past it, new ones are left out and the report says Truncated.
const MaxGroups = 100000

// MaxBuckets bounds the buckets of a volume report.
const MaxBuckets = 10000

// MaxReportRows is the most rows a report returns.
const MaxReportRows = 1000

// MaxArticleQueries is the number of queries listed per article.
const MaxArticleQueries = 10

// QueryRow is one row of the top queries.
type QueryRow struct {
	Query             string  `json:"query"`
	Count             int     `json:"count"`
	MeanHits          float64 `json:"mean_hits"`
	Clicks            int     `json:"clicks"`
	CTR               float64 `json:"ctr"`                 // share of the searches with at least one click
	MeanClickPosition float64 `json:"mean_click_position"` // 0 without clicks
}

// ZeroRow is one row of the queries that found nothing.
type ZeroRow struct {
	Query      string `json:"query"`
	Count      int    `json:"count"`
	Suggestion string `json:"suggestion"` // the last did-you-mean Folio offered for it, or ""
}

// VolumeRow is one bucket of the search volume.
type VolumeRow struct {
	Start       time.Time `json:"start"`
	Searches    int       `json:"searches"`
	ZeroResults int       `json:"zero_results"`
	ZeroShare   float64   `json:"zero_share"`
}

// ArticleRow is one of the most opened articles.
type ArticleRow struct {
	ID           string         `json:"id"`
	Clicks       int            `json:"clicks"`
	MeanPosition float64        `json:"mean_position"`
	Queries      []ArticleQuery `json:"queries"` // the queries it was opened from, most clicks first
}

// ArticleQuery is a query an article was opened from, with its clicks.
type ArticleQuery struct {
	Query  string `json:"query"`
	Clicks int    `json:"clicks"`
}

// Report is a report's rows and whether MaxGroups cut it short.
type Report[R any] struct {
	Rows      []R
	Truncated bool
}

// groups is a bounded map of accumulators.
type groups[V any] struct {
	m         map[string]*V
	truncated bool
}

func newGroups[V any]() *groups[V] { return &groups[V]{m: map[string]*V{}} }

// get returns the accumulator of k, or nil when k is new and the map full.
func (g *groups[V]) get(k string) *V {
	v, ok := g.m[k]
	if !ok {
		if len(g.m) >= MaxGroups {
			g.truncated = true
			return nil
		}
		v = new(V)
		g.m[k] = v
	}
	return v
}

// values lists the accumulators, each given its key by setKey.
func (g *groups[V]) values(setKey func(*V, string)) []V {
	out := make([]V, 0, len(g.m))
	for k, v := range g.m {
		setKey(v, k)
		out = append(out, *v)
	}
	return out
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// limitRows sorts rows by less and keeps the first limit (all when limit <= 0).
func limitRows[R any](rows []R, limit int, less func(a, b R) int) []R {
	slices.SortFunc(rows, less)
	if limit > 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	return rows
}

func queryOrder(a, b QueryRow) int {
	return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Query, b.Query))
}
func zeroOrder(a, b ZeroRow) int {
	return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Query, b.Query))
}
func articleOrder(a, b ArticleRow) int {
	return cmp.Or(cmp.Compare(b.Clicks, a.Clicks), cmp.Compare(a.ID, b.ID))
}

// Queries returns the top queries of r by number of searches, at most limit.
func Queries(st Store, r Range, limit int) (Report[QueryRow], error) {
	p, err := Compute(st, Request{Report: ReportQueries, From: r.From, To: r.To})
	return QueryRows([]Part{p}, limit), err
}

// ZeroResults returns the top queries of r that found nothing, at most limit.
func ZeroResults(st Store, r Range, limit int) (Report[ZeroRow], error) {
	p, err := Compute(st, Request{Report: ReportZeroResults, From: r.From, To: r.To})
	return ZeroRows([]Part{p}, limit), err
}

// Volume returns the searches and zero-result searches of r per bucket of
// size step (UTC), with empty buckets between the first and the last.
func Volume(st Store, r Range, step time.Duration) ([]VolumeRow, error) {
	p, err := Compute(st, Request{Report: ReportVolume, From: r.From, To: r.To, Step: step})
	if err != nil {
		return nil, err
	}
	return VolumeRows([]Part{p}, r, step)
}

// Articles returns the most opened articles of r (by the time of the
// searches they were opened from), at most limit.
func Articles(st Store, r Range, limit int) (Report[ArticleRow], error) {
	p, err := Compute(st, Request{Report: ReportArticles, From: r.From, To: r.To})
	return ArticleRows([]Part{p}, limit), err
}

// Intervals are the bucket sizes of a volume report, by name.
var Intervals = map[string]time.Duration{"day": 24 * time.Hour, "hour": time.Hour}

// ErrTooManyBuckets is returned when a volume report would have more than MaxBuckets buckets.
var ErrTooManyBuckets = errors.New("too many buckets")

// QueryRows is the report of top queries from the parts of one node or
// more, at most limit rows.
func QueryRows(parts []Part, limit int) Report[QueryRow] {
	sums, truncated := sumQueries(parts)
	rows := make([]QueryRow, 0, len(sums))
	for _, a := range sums {
		rows = append(rows, QueryRow{Query: a.Query, Count: a.Count, MeanHits: ratio(a.Hits, a.Count), Clicks: a.Clicks,
			CTR: ratio(a.Clicked, a.Count), MeanClickPosition: ratio(a.Positions, a.Clicks)})
	}
	return Report[QueryRow]{Rows: limitRows(rows, limit, queryOrder), Truncated: truncated}
}

// ZeroRows is the report of the queries that found nothing from the parts
// of one node or more (each a ReportZeroResults part), at most limit rows.
func ZeroRows(parts []Part, limit int) Report[ZeroRow] {
	sums, truncated := sumQueries(parts)
	rows := make([]ZeroRow, 0, len(sums))
	for _, a := range sums {
		rows = append(rows, ZeroRow{Query: a.Query, Count: a.Count, Suggestion: a.Suggestion})
	}
	return Report[ZeroRow]{Rows: limitRows(rows, limit, zeroOrder), Truncated: truncated}
}

// VolumeRows adds up the buckets of the parts of one node or more, in
// order, with the empty ones between the first and the last (or the
// range's bounds, when both are set).
func VolumeRows(parts []Part, r Range, step time.Duration) ([]VolumeRow, error) {
	m := map[time.Time]*VolumeRow{}
	for _, p := range parts {
		for _, v := range p.Volume {
			t := v.Start.UTC()
			b := m[t]
			if b == nil {
				b = &VolumeRow{Start: t}
				m[t] = b
			}
			b.Searches += v.Searches
			b.ZeroResults += v.ZeroResults
		}
	}
	var first, last time.Time
	for t := range m {
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	if !r.From.IsZero() && !r.To.IsZero() {
		first, last = r.From.UTC().Truncate(step), r.To.UTC().Add(-1).Truncate(step)
	}
	if first.IsZero() || last.Before(first) {
		return []VolumeRow{}, nil
	}
	if n := last.Sub(first)/step + 1; n > MaxBuckets {
		return nil, fmt.Errorf("%w: the range holds %d buckets, at most %d are allowed; narrow it or use a larger interval", ErrTooManyBuckets, n, MaxBuckets)
	}
	var rows []VolumeRow
	for t := first; !t.After(last); t = t.Add(step) {
		v := VolumeRow{Start: t}
		if b := m[t]; b != nil {
			v = *b
		}
		v.ZeroShare = ratio(v.ZeroResults, v.Searches)
		rows = append(rows, v)
	}
	return rows, nil
}

// ArticleRows is the report of the most opened articles from the parts of
// one node or more, at most limit rows.
func ArticleRows(parts []Part, limit int) Report[ArticleRow] {
	sums, truncated := sumParts(parts, func(p Part) []ArticlePart { return p.Articles }, func(a ArticlePart) string { return a.ID })
	rows := make([]ArticleRow, 0, len(sums))
	for _, a := range sums {
		rows = append(rows, ArticleRow{ID: a.ID, Clicks: a.Clicks, MeanPosition: ratio(a.Positions, a.Clicks), Queries: topQueries(a.Queries, MaxArticleQueries)})
	}
	return Report[ArticleRow]{Rows: limitRows(rows, limit, articleOrder), Truncated: truncated}
}

// sumQueries adds up the query parts of several nodes by query.
func sumQueries(parts []Part) (map[string]*QueryPart, bool) {
	return sumParts(parts, func(p Part) []QueryPart { return p.Queries }, func(q QueryPart) string { return q.Query })
}

// summable is a part's row that adds another node's row of the same key.
type summable[P any] interface {
	*P
	add(P)
}

// sumParts adds up the rows (of) several parts by key, and says whether
// any part was truncated.
func sumParts[P any, PP summable[P]](parts []Part, of func(Part) []P, key func(P) string) (map[string]*P, bool) {
	sums := map[string]*P{}
	truncated := false
	for _, p := range parts {
		truncated = truncated || p.Truncated
		for _, r := range of(p) {
			s := sums[key(r)]
			if s == nil {
				s = new(P)
				sums[key(r)] = s
			}
			PP(s).add(r)
		}
	}
	return sums, truncated
}

// topQueries lists the n queries of m with most clicks.
func topQueries(m map[string]int, n int) []ArticleQuery {
	qs := make([]ArticleQuery, 0, len(m))
	for q, c := range m {
		qs = append(qs, ArticleQuery{Query: q, Clicks: c})
	}
	return limitRows(qs, n, func(a, b ArticleQuery) int {
		return cmp.Or(cmp.Compare(b.Clicks, a.Clicks), cmp.Compare(a.Query, b.Query))
	})
}
