package article

import (
	"fmt"
	"maps"
	"slices"
)

// Field size limits, checked by Article.Validate so that files and the HTTP
// write API refuse the same articles with the same error. Each value of a
// keyword field is indexed as one term, and a term of n bytes costs the
// index's dictionary builder a few hundred times n bytes of memory at every
// write and merge (BLEVE-NOTES), so no field may be unbounded. The body is
// bounded by the readers' index.max_article_bytes and server.max_body_bytes;
// its words, like the title's, are indexed only up to MaxTokenRunes.
const (
	// DefaultMaxBytes is the default bound of a Reader (Reader.Max) and of
	// index.max_article_bytes: the default of the write API's body limit
	// (server.max_body_bytes), so a file holds no larger article than one
	// request may.
	DefaultMaxBytes = 10 << 20
	// MaxIDBytes is the longest article id.
	MaxIDBytes = 1024
	// MaxTitleBytes is the longest title.
	MaxTitleBytes = 4096
	// MaxKeywordBytes is the longest url, source, author, tag, or value of
	// an extra keyword field (the sitemap protocol's URL limit is 2048 characters).
	MaxKeywordBytes = 2048
	// MaxValues is the most tags, or values of one extra keyword field, per article.
	MaxValues = 100
)

// checkSizes reports the first field of a that is over its limit, as an
// *InputError with Reason "field too long" or "too many values".
func (a *Article) checkSizes() error {
	tooLong := func(what string, n, limit int) error {
		return &InputError{Reason: "field too long", Message: fmt.Sprintf("%s is %d bytes, more than the %d allowed", what, n, limit)}
	}
	one := []struct {
		name  string
		value string
		limit int
	}{
		{"id", a.ID, MaxIDBytes},
		{"title", a.Title, MaxTitleBytes},
		{"url", a.URL, MaxKeywordBytes},
		{"source", a.Source, MaxKeywordBytes},
		{"author", a.Author, MaxKeywordBytes},
	}
	for _, f := range one {
		if len(f.value) > f.limit {
			return tooLong(f.name, len(f.value), f.limit)
		}
	}
	many := func(name string, vs []string) error {
		if len(vs) > MaxValues {
			return &InputError{Reason: "too many values", Message: fmt.Sprintf("%s has %d values, more than the %d allowed", name, len(vs), MaxValues)}
		}
		for i, v := range vs {
			if len(v) > MaxKeywordBytes {
				return tooLong(fmt.Sprintf("%s value %d", name, i+1), len(v), MaxKeywordBytes)
			}
		}
		return nil
	}
	if err := many("tags", a.Tags); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(a.Keywords)) {
		if err := many(k, a.Keywords[k]); err != nil {
			return err
		}
	}
	return nil
}
