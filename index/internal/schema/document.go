package schema

import (
	"slices"
	"strings"
	"time"

	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/folio-search/folio/index/article"
)

// Document is the shape handed to bleve; its json names are the field
// names. bleve's mapping ignores omitempty and indexes an empty string as a
// keyword "" (a facet bucket nobody can filter on), so optional keyword
// values are pointers, nil when empty, and empty tags are left out.
type Document struct {
	Title  string     `json:"title"`
	Body   string     `json:"body"`
	Text   string     `json:"text"`
	Date   *time.Time `json:"date,omitempty"`
	Day    *float64   `json:"day,omitempty"`
	URL    *string    `json:"url,omitempty"`
	Source *string    `json:"source,omitempty"`
	Author *string    `json:"author,omitempty"`
	Tags   []string   `json:"tags,omitempty"`
	Groups []string   `json:"groups"` // never empty: PublicGroup for an article without groups
	// Keywords are the extra keyword fields, indexed as "kw.<name>".
	Keywords map[string][]string `json:"kw,omitempty"`
}

// NewDocument is the document of a as bleve indexes it.
func NewDocument(a *article.Article) Document {
	d := Document{Title: a.Title, Body: a.Body, Text: a.Title + TextSeparator + a.Body,
		URL: nonEmpty(a.URL), Source: nonEmpty(a.Source), Author: nonEmpty(a.Author), Tags: withoutEmpty(a.Tags),
		Groups: withoutEmpty(a.Groups)}
	if len(d.Groups) == 0 {
		d.Groups = []string{PublicGroup}
	}
	for k, vs := range a.Keywords {
		if vs = withoutEmpty(vs); len(vs) > 0 {
			if d.Keywords == nil {
				d.Keywords = make(map[string][]string, len(a.Keywords))
			}
			d.Keywords[k] = vs
		}
	}
	if !a.Date.IsZero() {
		t := a.Date
		d.Date = &t
		day := float64(DayNumber(t))
		d.Day = &day
	}
	return d
}

// Article decodes a stored document; its date is in loc.
func Article(doc bleveindex.Document, loc *time.Location) article.Article {
	a := article.Article{ID: doc.ID()}
	doc.VisitFields(func(f bleveindex.Field) {
		switch f.Name() {
		case Title:
			a.Title = string(f.Value())
		case Body:
			a.Body = string(f.Value())
		case URL:
			a.URL = string(f.Value())
		case Source:
			a.Source = string(f.Value())
		case Author:
			a.Author = string(f.Value())
		case Tags:
			a.Tags = append(a.Tags, string(f.Value()))
		case Groups:
			if g := string(f.Value()); g != PublicGroup {
				a.Groups = append(a.Groups, g)
			}
		case Date:
			if df, ok := f.(bleveindex.DateTimeField); ok {
				if t, _, err := df.DateTime(); err == nil {
					a.Date = t.In(loc)
				}
			}
		default:
			if k, ok := strings.CutPrefix(f.Name(), KeywordPrefix+"."); ok {
				if a.Keywords == nil {
					a.Keywords = map[string][]string{}
				}
				a.Keywords[k] = append(a.Keywords[k], string(f.Value()))
			}
		}
	})
	return a
}

// nonEmpty is &s, or nil for "".
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// withoutEmpty is vs without its empty strings (vs itself when it has none).
func withoutEmpty(vs []string) []string {
	if !slices.Contains(vs, "") {
		return vs
	}
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
