package schema

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/length"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
	"github.com/folio-search/folio/index/article"
)

// Field names in the bleve documents.
const (
	// Title is the analysed, stored title.
	Title = "title"
	// Body is the stored (not indexed) body.
	Body = "body"
	// Date is the article's date (stored, with doc values).
	Date = "date"
	// URL is the article's URL (keyword).
	URL = "url"
	// Source is the article's source (keyword).
	Source = "source"
	// Author is the article's author (keyword).
	Author = "author"
	// Tags are the article's tags (keyword).
	Tags = "tags"
	// Groups are the groups that may read the article (keyword, stored,
	// no doc values); an article without groups holds PublicGroup, so that
	// a reader's visibility is one disjunction of terms (see Visibility).
	Groups = "groups"
	// Day is the date as a whole number of UTC days since 1970
	// (indexed, not stored): a date filter on whole days ranges over a
	// few dozen day terms instead of the many prefix-coded terms of
	// distinct timestamps (6.7% of all search CPU on Reuters).
	Day = "day"
	// Text is the title and the body as one indexed text (not stored):
	// unfielded query terms are scored against it, which ranks better than a
	// disjunction over two fields (BLEVE-NOTES: coord halves one-field
	// matches). The body itself is stored but not indexed, so the body's words
	// are inverted once, not twice; highlighting maps the text's term
	// locations back to title and body (see highlight.SplitLocations).
	Text = "text"
)

// PublicGroup is the groups term of the articles without groups: every
// reader sees them. No group name can be "*" (article.CheckGroup).
const PublicGroup = "*"

// KeywordPrefix is the sub-document of the extra keyword fields: field
// "topics" is indexed as "kw.topics".
const KeywordPrefix = "kw"

// TextSeparator joins title and body in Text.
const TextSeparator = "\n"

// MappingVersion changes whenever the mapping or the stored document shape
// changes; an index with another version must be rebuilt. Version 5: token
// and keyword length limits; empty keyword values are not indexed. Version
// 6: the groups field (every document holds a group or PublicGroup).
const MappingVersion = 6

// SynonymSource is the name of the synonym source of the title and text
// fields, and of its collection.
const SynonymSource = "folio"

// Token length limits. bleve has no cap of its own (BLEVE-NOTES): one 10 MB
// word made its dictionary builder (vellum) allocate ~3 GB when indexing, at
// every merge, and for every prefix, regexp or suggestion read that walked
// the dictionary near it. Every analyzer Folio builds therefore drops longer
// tokens right after the tokenizer, before any other filter touches them.
const (
	// MaxTokenRunes is the longest word of analysed text that is indexed;
	// longer ones are left out of the index (the article is still stored
	// and shown whole). 255 is Lucene's and Elasticsearch's default
	// max_token_length: no word of any language is longer, only blobs
	// such as base64 data, which nobody searches for.
	MaxTokenRunes = 255
	// MaxKeywordRunes is the longest keyword value indexed (url, source,
	// author, tags, extra keyword fields): a backstop behind
	// article.MaxKeywordBytes, which ingest enforces with an error, and equal to it.
	MaxKeywordRunes = article.MaxKeywordBytes
)

// Names of the analysis components Folio defines in every mapping.
const (
	maxTokenFilter   = "folio_max_token"
	maxKeywordFilter = "folio_max_keyword"
	keywordAnalyzer  = "folio_keyword"
)

// analyzers maps index.language values to the names of Folio's analyzers.
var analyzers = map[string]string{
	"en":       "folio_en",
	"standard": "folio_standard",
	"cjk":      "folio_cjk", // Chinese, Japanese, Korean: overlapping character bigrams
}

// analyzerChains are the token filters of Folio's text analyzers (each
// after the unicode tokenizer): bleve's analyzer of the same language
// (en.AnalyzerName, standard.Name, cjk.AnalyzerName) with the length limit
// first. The English one ends with the porter stemmer, which bulk analysis
// memoizes (index/internal/analysis).
var analyzerChains = map[string][]string{
	"folio_en":       {maxTokenFilter, en.PossessiveName, lowercase.Name, en.StopName, porter.Name},
	"folio_standard": {maxTokenFilter, lowercase.Name, en.StopName},
	"folio_cjk":      {maxTokenFilter, cjk.WidthName, lowercase.Name, cjk.BigramName},
}

// TokenFields are the analysed fields whose true token counts replace
// bleve's vocabulary-based cardinality in BM25.
var TokenFields = []string{Text, Title}

// addAnalyzers defines Folio's length filters and analyzers in im.
func addAnalyzers(im *mapping.IndexMappingImpl) error {
	filters := map[string]int{maxTokenFilter: MaxTokenRunes, maxKeywordFilter: MaxKeywordRunes}
	for name, max := range filters {
		if err := im.AddCustomTokenFilter(name, map[string]any{"type": length.Name, "max": float64(max)}); err != nil {
			return fmt.Errorf("token filter %s: %w", name, err)
		}
	}
	for name, chain := range analyzerChains {
		if err := im.AddCustomAnalyzer(name, map[string]any{"type": custom.Name, "tokenizer": unicode.Name, "token_filters": chain}); err != nil {
			return fmt.Errorf("analyzer %s: %w", name, err)
		}
	}
	// Keyword fields index each whole value as one term, as bleve's keyword analyzer does.
	if err := im.AddCustomAnalyzer(keywordAnalyzer, map[string]any{"type": custom.Name, "tokenizer": single.Name, "token_filters": []string{maxKeywordFilter}}); err != nil {
		return fmt.Errorf("analyzer %s: %w", keywordAnalyzer, err)
	}
	return nil
}

// Analyzer is the name of the text analyzer of language (an index.language
// value), or "" for a language Folio does not know.
func Analyzer(language string) string { return analyzers[language] }

// Languages are the index.language values Folio knows, sorted.
func Languages() []string {
	names := make([]string, 0, len(analyzers))
	for k := range analyzers {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// LanguageNames lists Languages for error messages ("cjk, en, standard").
func LanguageNames() string { return strings.Join(Languages(), ", ") }

// NewMapping is Folio's static mapping: the analysed, stored title and the
// analysed title+body text, both with term vectors (phrases and
// highlighting); the stored body; a datetime date with doc values (sorting,
// ranges); keyword url/source/author/tags/groups; BM25 scoring; no _all field.
func NewMapping(language string, keywordFields []string) (*mapping.IndexMappingImpl, error) {
	analyzer := analyzers[language]
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = true
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		f.SynonymSource = SynonymSource
		return f
	}
	stored := bleve.NewTextFieldMapping()
	stored.Index = false
	stored.Store = true
	stored.IncludeTermVectors = false
	stored.IncludeInAll = false
	stored.DocValues = false
	combined := text()
	combined.Store = false
	keyword := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keywordAnalyzer
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = true
		return f
	}
	date := bleve.NewDateTimeFieldMapping()
	date.Store = true
	date.IncludeInAll = false
	date.DocValues = true

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(Title, text())
	doc.AddFieldMappingsAt(Body, stored)
	doc.AddFieldMappingsAt(Text, combined)
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	doc.AddFieldMappingsAt(Date, date)
	day := bleve.NewNumericFieldMapping()
	day.Store = false
	day.IncludeInAll = false
	day.DocValues = false
	doc.AddFieldMappingsAt(Day, day)
	doc.AddFieldMappingsAt(URL, keyword())
	doc.AddFieldMappingsAt(Source, keyword())
	doc.AddFieldMappingsAt(Author, keyword())
	doc.AddFieldMappingsAt(Tags, keyword())
	groups := keyword()
	groups.DocValues = false // never sorted nor faceted
	doc.AddFieldMappingsAt(Groups, groups)
	if len(keywordFields) > 0 {
		kw := bleve.NewDocumentStaticMapping()
		for _, f := range keywordFields {
			kw.AddFieldMappingsAt(f, keyword())
		}
		doc.AddSubDocumentMapping(KeywordPrefix, kw)
	}

	im := bleve.NewIndexMapping()
	if err := addAnalyzers(im); err != nil {
		return nil, err
	}
	if err := im.AddSynonymSource(SynonymSource, map[string]interface{}{"collection": SynonymSource, "analyzer": analyzer}); err != nil {
		return nil, fmt.Errorf("synonym source: %w", err)
	}
	im.DefaultMapping = doc
	im.DefaultAnalyzer = analyzer
	im.DefaultField = Text
	im.ScoringModel = bleveindex.BM25Scoring
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im, nil
}

// DayNumber is the number of whole UTC days from 1970-01-01 to t (negative before).
func DayNumber(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// DateFilter is the non-scoring filter of dates in [start, end) (a zero
// bound is open): on the day numbers when both bounds are UTC midnights
// (whole days, as from/to give them in the default time zone), else on
// the timestamps.
func DateFilter(start, end time.Time) query.Query {
	midnight := func(t time.Time) bool { return t.IsZero() || (t.Unix()%86400 == 0 && t.Nanosecond() == 0) }
	if midnight(start) && midnight(end) {
		var lo, hi *float64
		if !start.IsZero() {
			v := float64(DayNumber(start))
			lo = &v
		}
		if !end.IsZero() {
			v := float64(DayNumber(end))
			hi = &v
		}
		incl, excl := true, false
		q := query.NewNumericRangeInclusiveQuery(lo, hi, &incl, &excl)
		q.SetField(Day)
		return q
	}
	incl, excl := true, false
	q := query.NewDateRangeInclusiveQuery(start, end, &incl, &excl)
	q.SetField(Date)
	return q
}

// Visibility is the non-scoring filter of the documents a reader in groups
// may see: those without groups (PublicGroup) and those sharing one of
// groups. The caller bounds the number of groups.
func Visibility(groups []string) query.Query {
	terms := make([]query.Query, 0, len(groups)+1)
	for _, g := range append([]string{PublicGroup}, groups...) {
		tq := query.NewTermQuery(g)
		tq.SetField(Groups)
		terms = append(terms, tq)
	}
	if len(terms) == 1 {
		return terms[0]
	}
	return query.NewDisjunctionQuery(terms)
}
