package index

import (
	"github.com/folio-search/folio/index/internal/highlight"
	"github.com/folio-search/folio/index/internal/schema"
)

// Aliases for the names that moved to index/internal/schema and
// index/internal/highlight, so the facade compiles unchanged while the move
// is merged; the next commit replaces them by the packages' own names.

const (
	fieldTitle      = schema.Title
	fieldBody       = schema.Body
	fieldDate       = schema.Date
	fieldURL        = schema.URL
	fieldSource     = schema.Source
	fieldAuthor     = schema.Author
	fieldTags       = schema.Tags
	fieldDay        = schema.Day
	fieldText       = schema.Text
	keywordPrefix   = schema.KeywordPrefix
	textSeparator   = schema.TextSeparator
	mappingVersion  = schema.MappingVersion
	maxKeywordRunes = schema.MaxKeywordRunes
	synonymSource   = schema.SynonymSource
)

var tokenFields = schema.TokenFields

var (
	newMapping     = schema.NewMapping
	dateFilter     = schema.DateFilter
	languageNames  = schema.LanguageNames
	splitLocations = highlight.SplitLocations
	opening        = highlight.Opening
	newHighlighter = highlight.New
)

type highlighter = highlight.Highlighter
