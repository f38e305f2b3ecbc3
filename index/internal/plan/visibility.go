package plan

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/folio-search/folio/index/internal/param"
	"github.com/folio-search/folio/index/internal/schema"
)

// Visibility is what one reader may see (the facade's index.Visibility).
// The zero value sees only the articles without groups: a read that
// forgets to say who reads reveals nothing restricted. All sees every
// article (administration, operators' tools); otherwise the reader sees the
// articles without groups and those sharing one of Groups, further
// narrowed by Sources, Tags and the date range when given (restrictions a
// token's issuer adds; each non-empty list is a set of alternatives).
type Visibility struct {
	All     bool      // every article; the other fields are ignored
	Groups  []string  // the reader's groups (lower-case names)
	Sources []string  // when not empty: only articles of one of these sources
	Tags    []string  // when not empty: only articles with one of these tags
	Start   time.Time // when not zero: only articles dated at or after Start
	End     time.Time // when not zero: only articles dated before End
}

// MaxVisibilityValues bounds each list of a Visibility (groups, sources, tags).
const MaxVisibilityValues = 64

// check bounds v's lists; the reader's token is at fault.
func (v Visibility) check() error {
	for _, l := range []struct {
		name string
		vs   []string
	}{{"groups", v.Groups}, {"sources", v.Sources}, {"tags", v.Tags}} {
		if len(l.vs) > MaxVisibilityValues {
			return param.Errorf("token", "the token names %d %s; the limit is %d", len(l.vs), l.name, MaxVisibilityValues)
		}
	}
	if !v.Start.IsZero() && !v.End.IsZero() && !v.Start.Before(v.End) {
		return param.Errorf("token", "the token's date range is empty")
	}
	return nil
}

// Filter is the unscored filter of the articles v may see, or nil for All.
func (v Visibility) Filter() query.Query {
	if v.All {
		return nil
	}
	parts := []query.Query{schema.Visibility(v.Groups)}
	anyOf := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		terms := make([]query.Query, len(values))
		for i, s := range values {
			tq := query.NewTermQuery(s)
			tq.SetField(field)
			terms[i] = tq
		}
		parts = append(parts, query.NewDisjunctionQuery(terms))
	}
	anyOf(schema.Source, v.Sources)
	anyOf(schema.Tags, v.Tags)
	if !v.Start.IsZero() || !v.End.IsZero() {
		parts = append(parts, schema.DateFilter(v.Start, v.End))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return query.NewConjunctionQuery(parts)
}

// Key names what v may see, for binding cursors to it: "" for the zero
// Visibility (so cursors of versions before groups stay valid for
// readers without a token), else a short hash of the sorted lists and the
// range.
func (v Visibility) Key() string {
	if v.All {
		return "all"
	}
	if len(v.Groups) == 0 && len(v.Sources) == 0 && len(v.Tags) == 0 && v.Start.IsZero() && v.End.IsZero() {
		return ""
	}
	h := sha256.New()
	for _, l := range [][]string{v.Groups, v.Sources, v.Tags} {
		s := slices.Clone(l)
		slices.Sort(s)
		h.Write([]byte(strings.Join(s, "\x00") + "\x01"))
	}
	h.Write([]byte(v.Start.UTC().Format(time.RFC3339Nano) + "\x00" + v.End.UTC().Format(time.RFC3339Nano)))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}
