package analytics

import (
	"math"
	"time"
)

// The merges combine the reports of several nodes (each node records its
// own searches) into the report of the whole cluster. Each node's means are
// weighted by its counts, so the merge of complete reports is exact; a
// node's report cut at its limit may leave out a query that would rank
// in the merged top, so the server asks each node for MaxMergeRows rows.

// MaxMergeRows is the number of rows asked of each node for a merge.
const MaxMergeRows = 1000

// sum is mean × n rounded back to the integer total it was computed from.
func sum(mean float64, n int) int { return int(math.Round(mean * float64(n))) }

// MergeQueries merges the top queries of several nodes and keeps limit.
func MergeQueries(parts [][]QueryRow, limit int) []QueryRow {
	acc := map[string]*queryAcc{}
	for _, rows := range parts {
		for _, r := range rows {
			a := acc[r.Query]
			if a == nil {
				a = &queryAcc{}
				acc[r.Query] = a
			}
			a.count += r.Count
			a.hits += sum(r.MeanHits, r.Count)
			a.clicked += sum(r.CTR, r.Count)
			a.clicks += r.Clicks
			a.positions += sum(r.MeanClickPosition, r.Clicks)
		}
	}
	rows := make([]QueryRow, 0, len(acc))
	for q, a := range acc {
		rows = append(rows, QueryRow{Query: q, Count: a.count, MeanHits: ratio(a.hits, a.count), Clicks: a.clicks,
			CTR: ratio(a.clicked, a.count), MeanClickPosition: ratio(a.positions, a.clicks)})
	}
	return limitRows(rows, limit, queryOrder)
}

// MergeZeroResults merges the zero-result queries of several nodes and keeps limit.
func MergeZeroResults(parts [][]ZeroRow, limit int) []ZeroRow {
	acc := map[string]*ZeroRow{}
	for _, rows := range parts {
		for _, r := range rows {
			a := acc[r.Query]
			if a == nil {
				a = &ZeroRow{Query: r.Query}
				acc[r.Query] = a
			}
			a.Count += r.Count
			if a.Suggestion == "" {
				a.Suggestion = r.Suggestion
			}
		}
	}
	rows := make([]ZeroRow, 0, len(acc))
	for _, a := range acc {
		rows = append(rows, *a)
	}
	return limitRows(rows, limit, zeroOrder)
}

// MergeVolume adds up the buckets of several nodes.
func MergeVolume(parts [][]VolumeRow, r Range, step time.Duration) ([]VolumeRow, error) {
	m := map[time.Time]*VolumeRow{}
	for _, rows := range parts {
		for _, v := range rows {
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
	return fillVolume(m, r, step)
}

// MergeArticles merges the most opened articles of several nodes and keeps limit.
func MergeArticles(parts [][]ArticleRow, limit int) []ArticleRow {
	acc := map[string]*articleAcc{}
	for _, rows := range parts {
		for _, r := range rows {
			a := acc[r.ID]
			if a == nil {
				a = &articleAcc{queries: map[string]int{}}
				acc[r.ID] = a
			}
			a.clicks += r.Clicks
			a.positions += sum(r.MeanPosition, r.Clicks)
			for _, q := range r.Queries {
				a.queries[q.Query] += q.Clicks
			}
		}
	}
	rows := make([]ArticleRow, 0, len(acc))
	for id, a := range acc {
		rows = append(rows, ArticleRow{ID: id, Clicks: a.clicks, MeanPosition: ratio(a.positions, a.clicks), Queries: topQueries(a.queries)})
	}
	return limitRows(rows, limit, articleOrder)
}
