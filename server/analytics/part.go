package analytics

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// A report is built in two steps: each node computes its Part of it from
// its own store (Compute), counts and sums only, never means, and the
// parts of every node are added up and turned into rows (QueryRows,
// ZeroRows, VolumeRows, ArticleRows). A single node's report is the rows
// of its one part; a cluster's is the rows of every node's part, exact
// because sums add up where means would not.

// The reports a Request may ask for.
const (
	ReportQueries     = "queries"
	ReportZeroResults = "zero-results"
	ReportVolume      = "volume"
	ReportArticles    = "articles"
	// ReportPurge is not a report: it asks a node to delete the searches
	// it recorded before Request.To (a cluster-wide purge); its answer is
	// a PurgeAnswer.
	ReportPurge = "purge"
)

// PurgeAnswer is a node's answer to a ReportPurge request.
type PurgeAnswer struct {
	Deleted int `json:"deleted"` // the searches deleted, with their clicks
}

// Request is what a report asks of each node's store.
type Request struct {
	Report string        `json:"report"` // one of the Report constants
	From   time.Time     `json:"from"`   // the Range (zero: open)
	To     time.Time     `json:"to"`
	Step   time.Duration `json:"step,omitempty"` // volume: the bucket size
}

// Range is the span of time the request counts.
func (q Request) Range() Range { return Range{From: q.From, To: q.To} }

// Part is one node's share of a report: sums that add up across nodes.
type Part struct {
	Queries  []QueryPart   `json:"queries,omitempty"`  // queries, zero-results
	Volume   []VolumePart  `json:"volume,omitempty"`   // volume
	Articles []ArticlePart `json:"articles,omitempty"` // articles
	// Truncated: the node left out some of its queries or articles (more
	// than MaxGroups, or more than one answer of MaxPartBytes holds).
	Truncated bool `json:"truncated,omitempty"`
}

// QueryPart is one query's sums on one node.
type QueryPart struct {
	Query     string `json:"q"`
	Count     int    `json:"n"`                   // searches
	Hits      int    `json:"hits,omitempty"`      // sum of their totals
	Clicked   int    `json:"clicked,omitempty"`   // searches with at least one click
	Clicks    int    `json:"clicks,omitempty"`    // clicks
	Positions int    `json:"positions,omitempty"` // sum of the clicks' positions
	// Suggestion is the last did-you-mean offered for the query, at
	// SuggestedAt (Unix nanoseconds), so that merging keeps the last one.
	Suggestion  string `json:"suggestion,omitempty"`
	SuggestedAt int64  `json:"suggested_at,omitempty"`
}

// add adds o's sums to q's (o is the same query on another node).
func (q *QueryPart) add(o QueryPart) {
	q.Query = o.Query
	q.Count += o.Count
	q.Hits += o.Hits
	q.Clicked += o.Clicked
	q.Clicks += o.Clicks
	q.Positions += o.Positions
	if o.Suggestion != "" && o.SuggestedAt >= q.SuggestedAt {
		q.Suggestion, q.SuggestedAt = o.Suggestion, o.SuggestedAt
	}
}

// VolumePart is one bucket's counts on one node.
type VolumePart struct {
	Start       time.Time `json:"t"`
	Searches    int       `json:"n"`
	ZeroResults int       `json:"zero,omitempty"`
}

// ArticlePart is one article's clicks on one node.
type ArticlePart struct {
	ID        string         `json:"id"`
	Clicks    int            `json:"clicks"`
	Positions int            `json:"positions"` // sum of the clicks' positions
	Queries   map[string]int `json:"queries"`   // clicks by query (at most MaxPartArticleQueries in an encoded part)
}

// add adds o's clicks to a's (o is the same article on another node).
func (a *ArticlePart) add(o ArticlePart) {
	a.ID = o.ID
	a.Clicks += o.Clicks
	a.Positions += o.Positions
	if a.Queries == nil {
		a.Queries = map[string]int{}
	}
	for q, n := range o.Queries {
		a.Queries[q] += n
	}
}

// Compute is the part of q that st holds. A volume of more than
// MaxBuckets buckets is an error wrapping ErrTooManyBuckets.
func Compute(st Store, q Request) (Part, error) {
	switch q.Report {
	case ReportQueries, ReportZeroResults:
		return queryPart(st, q.Range(), q.Report == ReportZeroResults)
	case ReportVolume:
		if q.Step <= 0 {
			return Part{}, fmt.Errorf("analytics: volume without an interval")
		}
		return volumePart(st, q.Range(), q.Step)
	case ReportArticles:
		return articlePart(st, q.Range())
	}
	return Part{}, fmt.Errorf("analytics: no report %q", q.Report)
}

// queryPart sums the non-empty queries (a browse, q="", is no query) of r,
// only those that found nothing when zero.
func queryPart(st Store, r Range, zero bool) (Part, error) {
	g := newGroups[QueryPart]()
	err := st.Scan(r, func(s Search, clicks []Click) error {
		if s.Query == "" || !s.counted(len(clicks)) || zero && s.Total != 0 {
			return nil
		}
		a := g.get(s.Query)
		if a == nil {
			return nil
		}
		a.Count++
		a.Hits += int(min(s.Total, math.MaxInt32))
		if len(clicks) > 0 {
			a.Clicked++
		}
		a.Clicks += len(clicks)
		for _, c := range clicks {
			a.Positions += c.Position
		}
		if s.Suggestion != "" {
			a.Suggestion, a.SuggestedAt = s.Suggestion, s.Time.UnixNano()
		}
		return nil
	})
	return Part{Truncated: g.truncated, Queries: g.values(func(a *QueryPart, q string) { a.Query = q })}, err
}

// volumePart counts the searches and zero-result searches of r per bucket.
func volumePart(st Store, r Range, step time.Duration) (Part, error) {
	m := map[time.Time]*VolumePart{}
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
			v = &VolumePart{Start: b}
			m[b] = v
		}
		v.Searches++
		if s.Total == 0 {
			v.ZeroResults++
		}
		return nil
	})
	if err != nil {
		return Part{}, err
	}
	p := Part{Volume: make([]VolumePart, 0, len(m))}
	for _, v := range m {
		p.Volume = append(p.Volume, *v)
	}
	slices.SortFunc(p.Volume, func(a, b VolumePart) int { return a.Start.Compare(b.Start) })
	return p, nil
}

// articlePart sums the clicks of r by article (by the time of the
// searches they were opened from).
func articlePart(st Store, r Range) (Part, error) {
	g := newGroups[ArticlePart]()
	err := st.Scan(r, func(s Search, clicks []Click) error {
		for _, c := range clicks {
			a := g.get(c.ID)
			if a == nil {
				continue
			}
			if a.Queries == nil {
				a.Queries = map[string]int{}
			}
			a.Clicks++
			a.Positions += c.Position
			if _, ok := a.Queries[s.Query]; ok || len(a.Queries) < MaxGroups {
				a.Queries[s.Query]++
			}
		}
		return nil
	})
	return Part{Truncated: g.truncated, Articles: g.values(func(a *ArticlePart, id string) { a.ID = id })}, err
}

// MaxPartBytes bounds an encoded part (one NATS message: the default
// maximum payload is 1 MiB). A part that would be larger keeps its
// queries (or articles) with the most searches (or clicks) that fit, and
// says Truncated.
const MaxPartBytes = 768 << 10

// MaxPartArticleQueries is the most queries an encoded part lists per
// article (its top ones by clicks; more makes the part Truncated).
const MaxPartArticleQueries = 100

// Encode is p as JSON of at most MaxPartBytes (see MaxPartBytes).
// The caller's slices are not reordered.
func (p Part) Encode() ([]byte, error) {
	p.Queries, p.Articles = slices.Clone(p.Queries), slices.Clone(p.Articles)
	slices.SortFunc(p.Queries, func(a, b QueryPart) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Query, b.Query)) })
	slices.SortFunc(p.Articles, func(a, b ArticlePart) int { return cmp.Or(cmp.Compare(b.Clicks, a.Clicks), cmp.Compare(a.ID, b.ID)) })
	for i, a := range p.Articles {
		if len(a.Queries) > MaxPartArticleQueries {
			top := map[string]int{}
			for _, q := range topQueries(a.Queries, MaxPartArticleQueries) {
				top[q.Query] = q.Clicks
			}
			p.Articles[i].Queries, p.Truncated = top, true
		}
	}
	budget := MaxPartBytes - 64 // the object around the rows
	// Most parts are far below the bound: encoded whole, they are done
	// (every row then fits its budget, so fit would keep them all).
	if b, err := json.Marshal(p); err == nil && len(b) <= budget {
		return b, nil
	}
	var cut bool
	if p.Queries, budget, cut = fit(p.Queries, budget); cut {
		p.Truncated = true
	}
	if p.Volume, budget, cut = fit(p.Volume, budget); cut {
		p.Truncated = true
	}
	if p.Articles, _, cut = fit(p.Articles, budget); cut {
		p.Truncated = true
	}
	return json.Marshal(p)
}

// fit keeps the first rows whose JSON fits in budget bytes and returns
// the budget left and whether rows were cut.
func fit[R any](rows []R, budget int) ([]R, int, bool) {
	for i, r := range rows {
		b, err := json.Marshal(r)
		if err != nil || len(b)+1 > budget {
			return rows[:i], budget, true
		}
		budget -= len(b) + 1
	}
	return rows, budget, false
}

// DecodePart reads a part another node encoded.
func DecodePart(b []byte) (Part, error) {
	var p Part
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Part{}, fmt.Errorf("analytics: a node's part: %w", err)
	}
	return p, nil
}

// answerFlushWait bounds how long Answer waits for the recorder's buffer
// to be written before computing (the asking node waits for the answer).
const answerFlushWait = time.Second

// Answer answers another node's report request (a Request as JSON) with
// this node's Part, encoded: the function a cluster node answers with.
// It writes the buffer first, as a report does.
func (r *Recorder) Answer(ctx context.Context, req []byte) ([]byte, error) {
	var q Request
	dec := json.NewDecoder(bytes.NewReader(req))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return nil, fmt.Errorf("analytics: a report request: %w", err)
	}
	fctx, cancel := context.WithTimeout(ctx, answerFlushWait)
	defer cancel()
	_ = r.Flush(fctx) // past the wait, answer with what is written
	if q.Report == ReportPurge {
		if q.To.IsZero() {
			return nil, errors.New("analytics: a purge request without its bound (to)")
		}
		n, err := r.store.Delete(q.To)
		if err != nil {
			return nil, err
		}
		return json.Marshal(PurgeAnswer{Deleted: n})
	}
	p, err := Compute(r.store, q)
	if err != nil {
		return nil, err
	}
	return p.Encode()
}
