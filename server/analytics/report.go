package analytics

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// MaxGroups bounds the distinct queries (or articles) one report keeps in
// memory; past it, new ones are left out and the report says Truncated.
const MaxGroups = 100000

// MaxBuckets bounds the buckets of a volume report.
const MaxBuckets = 10000

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

// queryAcc accumulates one query.
type queryAcc struct {
	count, hits, clicked, clicks, positions int
	suggestion                              string
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

// byQuery scans r and accumulates its non-empty queries (a browse, q="",
// is no query) that pass keep.
func byQuery(st Store, r Range, keep func(Search) bool) (*groups[queryAcc], error) {
	g := newGroups[queryAcc]()
	err := st.Scan(r, func(s Search, clicks []Click) error {
		if s.Query == "" || !s.counted(len(clicks)) || !keep(s) {
			return nil
		}
		a := g.get(s.Query)
		if a == nil {
			return nil
		}
		a.count++
		a.hits += int(min(s.Total, math.MaxInt32))
		if len(clicks) > 0 {
			a.clicked++
		}
		a.clicks += len(clicks)
		for _, c := range clicks {
			a.positions += c.Position
		}
		if s.Suggestion != "" {
			a.suggestion = s.Suggestion
		}
		return nil
	})
	return g, err
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
	g, err := byQuery(st, r, func(Search) bool { return true })
	if err != nil {
		return Report[QueryRow]{}, err
	}
	rows := make([]QueryRow, 0, len(g.m))
	for q, a := range g.m {
		rows = append(rows, QueryRow{Query: q, Count: a.count, MeanHits: ratio(a.hits, a.count), Clicks: a.clicks,
			CTR: ratio(a.clicked, a.count), MeanClickPosition: ratio(a.positions, a.clicks)})
	}
	return Report[QueryRow]{Rows: limitRows(rows, limit, queryOrder), Truncated: g.truncated}, nil
}

// ZeroResults returns the top queries of r that found nothing, at most limit.
func ZeroResults(st Store, r Range, limit int) (Report[ZeroRow], error) {
	g, err := byQuery(st, r, func(s Search) bool { return s.Total == 0 })
	if err != nil {
		return Report[ZeroRow]{}, err
	}
	rows := make([]ZeroRow, 0, len(g.m))
	for q, a := range g.m {
		rows = append(rows, ZeroRow{Query: q, Count: a.count, Suggestion: a.suggestion})
	}
	return Report[ZeroRow]{Rows: limitRows(rows, limit, zeroOrder), Truncated: g.truncated}, nil
}

// Intervals are the bucket sizes of a volume report, by name.
var Intervals = map[string]time.Duration{"day": 24 * time.Hour, "hour": time.Hour}

// ErrTooManyBuckets is returned when a volume report would have more than MaxBuckets buckets.
var ErrTooManyBuckets = errors.New("too many buckets")

// Volume returns the searches and zero-result searches of r per bucket of
// size step (UTC), with empty buckets between the first and the last.
func Volume(st Store, r Range, step time.Duration) ([]VolumeRow, error) {
	m := map[time.Time]*VolumeRow{}
	err := st.Scan(r, func(s Search, clicks []Click) error {
		if !s.counted(len(clicks)) {
			return nil
		}
		b := s.Time.Truncate(step)
		v := m[b]
		if v == nil {
			if len(m) >= MaxBuckets {
				return fmt.Errorf("%w: the range holds more than %d buckets; narrow it or use a larger interval", ErrTooManyBuckets, MaxBuckets)
			}
			v = &VolumeRow{Start: b}
			m[b] = v
		}
		v.Searches++
		if s.Total == 0 {
			v.ZeroResults++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fillVolume(m, r, step)
}

// fillVolume orders the buckets of m and adds the empty ones between the
// first and the last (or the range's bounds, when both are set).
func fillVolume(m map[time.Time]*VolumeRow, r Range, step time.Duration) ([]VolumeRow, error) {
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

// articleAcc accumulates one article.
type articleAcc struct {
	clicks, positions int
	queries           map[string]int
}

// Articles returns the most opened articles of r (by the time of the
// searches they were opened from), at most limit.
func Articles(st Store, r Range, limit int) (Report[ArticleRow], error) {
	g := newGroups[articleAcc]()
	err := st.Scan(r, func(s Search, clicks []Click) error {
		for _, c := range clicks {
			a := g.get(c.ID)
			if a == nil {
				continue
			}
			if a.queries == nil {
				a.queries = map[string]int{}
			}
			a.clicks++
			a.positions += c.Position
			if _, ok := a.queries[s.Query]; ok || len(a.queries) < MaxGroups {
				a.queries[s.Query]++
			}
		}
		return nil
	})
	if err != nil {
		return Report[ArticleRow]{}, err
	}
	rows := make([]ArticleRow, 0, len(g.m))
	for id, a := range g.m {
		rows = append(rows, ArticleRow{ID: id, Clicks: a.clicks, MeanPosition: ratio(a.positions, a.clicks), Queries: topQueries(a.queries)})
	}
	return Report[ArticleRow]{Rows: limitRows(rows, limit, articleOrder), Truncated: g.truncated}, nil
}

// topQueries lists the MaxArticleQueries queries with most clicks.
func topQueries(m map[string]int) []ArticleQuery {
	qs := make([]ArticleQuery, 0, len(m))
	for q, n := range m {
		qs = append(qs, ArticleQuery{Query: q, Clicks: n})
	}
	return limitRows(qs, MaxArticleQueries, func(a, b ArticleQuery) int {
		return cmp.Or(cmp.Compare(b.Clicks, a.Clicks), cmp.Compare(a.Query, b.Query))
	})
}
