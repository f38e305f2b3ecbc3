package index

import (
	"fmt"
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/internal/schema"
	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/store"
)

// ShardsFor chooses the shard count of a new index built from paths (the
// "auto" setting of index.shards): one shard per core, up to 4, when the
// inputs hold about 96 MiB of text or more (gzip-compressed files count
// three times their size), else one.
func ShardsFor(paths []string) int { return store.ShardsFor(paths) }

// Options configure an Index. Zero values are replaced by the defaults of
// DefaultOptions where noted.
type Options struct {
	Path         string              // index directory (bleve scorch)
	Language     string              // analyzer for title and body: "en" (default), "cjk" or "standard"
	TitleBoost   float64             // extra weight of title matches over body matches (default 0.6, see testdata/relevance/RESULTS.md)
	Dates        *article.DateParser // date parser shared by ingest and queries (default: UTC, built-in layouts)
	FragmentSize int                 // body snippet length in characters (default 200)
	DefaultSize  int                 // hits per page when a query gives none (default 10)
	MaxSize      int                 // largest page size accepted (default 100)
	Timeout      time.Duration       // deadline of one search (default 5s)
	BatchSize    int                 // documents per write batch during ingest (default 3000)
	// Writers is the number of batches written at once during an ingest
	// (default 2): one batch's segment is built while the next is analysed.
	Writers int
	// Shards is the number of bleve indexes a new index is split into
	// (default 1); documents are routed by a hash of their id.
	Shards int
	// LockTimeout is how long Open waits for another process to release
	// the index before it returns ErrLocked (default 1s).
	LockTimeout time.Duration
	// MinFreeBytes is the free space the index's disk must keep: a write
	// that finds less fails with ErrNoSpace before touching the index
	// (default 64 MiB; negative disables the check).
	MinFreeBytes int64
	// MaxArticleBytes bounds every input reader of an ingest, in
	// decompressed bytes (default 10 MiB): a text or JSON file, or a JSON
	// Lines line, that is larger is reported and skipped.
	MaxArticleBytes int64
	// TextTier ranks documents that contain every word of a ModeText query
	// above the others (as syntax queries of optional words always do). Off
	// by default: on SciFact's long claims it lowers nDCG@10 (see
	// testdata/relevance/RESULTS.md).
	TextTier bool
	// GradedMaxWords is the most distinct words of a query of optional
	// words that is graded (articles matching more words first; default
	// 3); longer queries are ranked by score alone. Negative: never graded.
	GradedMaxWords int
	// MaxTerms caps the index terms one search may expand to (wildcards,
	// regexps, prefixes, fuzzy terms; default 1024): more is ErrInvalidQuery.
	MaxTerms int
	// TypoTolerance is "on" (default) or "off": with it, an unquoted word
	// that is not in the index also matches the index words one edit away
	// (words of TypoOneEdit letters or more, default 5) or two (TypoTwoEdits
	// or more, default 9), weighted below words matched as typed.
	TypoTolerance string
	// Feedback is "on" (default) or "off": with it, a query of at least
	// FeedbackMinWords plain words (natural language) is expanded by the
	// words its best matches use most before it is ranked (see
	// plan.FeedbackTerms); its matches and total stay those of its words.
	Feedback string
	// FeedbackMinWords is the fewest plain words that make a query natural language (default 7).
	FeedbackMinWords int
	// TypoOneEdit is the shortest word allowed one typo (default 5).
	TypoOneEdit int
	// TypoTwoEdits is the shortest word allowed two typos (default 9).
	TypoTwoEdits int
	// MaxWindow caps page × size (default 10,000): deeper pages need a cursor.
	MaxWindow int
	// MaxFragments is the most body snippets per hit (default 3).
	MaxFragments int
	// RecencyHalfLife, when > 0, gently favours newer articles in relevance
	// order (see index/internal/plan/recency.go); 0 (default) turns it off.
	RecencyHalfLife time.Duration
	// Synonyms are groups of equivalent terms (see article.ReadSynonyms), stored
	// with the index by Open and Create and used by every text query.
	Synonyms [][]string
	// KeywordFields are extra JSON fields (e.g. Reuters' "topics",
	// "places") indexed as keywords that can be faceted and filtered on;
	// changing them needs a rebuild.
	KeywordFields []string
	// MaxLoss is the share of the articles (0 to 1, default 0.5) that a
	// Sync or Rebuild may lose; one that would lose more is refused with
	// a *LossError unless IngestOptions.Force. 1 turns the check off.
	MaxLoss float64
	// BleveAvgDL keeps bleve's own BM25 average field length (vocabulary
	// size per document) instead of the true token counts Folio feeds it
	// (see bm25.go); for comparison only: it ranks worse.
	BleveAvgDL bool
	// BM25K1 and BM25B are BM25's term-frequency saturation (> 0) and
	// length normalisation (0..1); BM25K1 0 means DefaultBM25K1 and
	// DefaultBM25B. bleve keeps them process-wide, so Open and Create apply
	// them: the last index opened sets them for every index of the process.
	BM25K1, BM25B float64
	// Web configures the URL sources among the paths of Sync, Rebuild and
	// Ingest (index.crawl.* and the per-source options).
	Web WebOptions
	// SourceGroups are the default groups of sources (index.sources
	// entries with groups), by file, folder or URL: an article read from
	// a file under one of them (the nearest) or from a URL source that
	// names no groups of its own gets them; an empty list makes that
	// source's articles public. Paths are made absolute when the index is
	// opened. Sync reads a file again when its default groups changed.
	SourceGroups map[string][]string
	// Cluster, when set, puts the write log on a replicated NATS JetStream
	// stream (see ClusterOptions); nil is a single node with its local log.
	Cluster *ClusterOptions
}

// DefaultOptions returns the defaults for an index at path: the values of
// config.Default (a test in cmd/folio keeps them equal).
func DefaultOptions(path string) Options {
	return Options{
		Path:             path,
		Language:         "en",
		TitleBoost:       0.6,
		Dates:            article.DefaultDateParser(),
		FragmentSize:     200,
		DefaultSize:      10,
		MaxSize:          100,
		Timeout:          5 * time.Second,
		BatchSize:        3000,
		Writers:          2,
		Shards:           1,
		LockTimeout:      time.Second,
		MinFreeBytes:     64 << 20,
		MaxTerms:         1024,
		TypoTolerance:    "on",
		TypoOneEdit:      5,
		TypoTwoEdits:     9,
		Feedback:         "on",
		FeedbackMinWords: 7,
		GradedMaxWords:   DefaultGradedMaxWords,
		MaxWindow:        10000,
		MaxFragments:     3,
		MaxLoss:          0.5,
		BM25K1:           DefaultBM25K1,
		BM25B:            DefaultBM25B,

		MaxArticleBytes: article.DefaultMaxBytes,
		Web:             DefaultWebOptions(),
	}
}

// Bounds of Options.GradedMaxWords.
const (
	DefaultGradedMaxWords = 3  // queries of up to 3 distinct words are graded (testdata/relevance/RESULTS.md)
	MaxGradedWords        = 10 // the most accepted: a graded query is searched once per tier
)

// withDefaults fills zero fields from DefaultOptions and checks the rest.
func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions(o.Path)
	fill(&o.Language, d.Language)
	fill(&o.TitleBoost, d.TitleBoost)
	fill(&o.Dates, d.Dates)
	fill(&o.FragmentSize, d.FragmentSize)
	fill(&o.DefaultSize, d.DefaultSize)
	fill(&o.MaxSize, d.MaxSize)
	fill(&o.Timeout, d.Timeout)
	fill(&o.MaxTerms, d.MaxTerms)
	fill(&o.TypoTolerance, d.TypoTolerance)
	fill(&o.TypoOneEdit, d.TypoOneEdit)
	fill(&o.TypoTwoEdits, d.TypoTwoEdits)
	fill(&o.GradedMaxWords, d.GradedMaxWords)
	if o.GradedMaxWords > MaxGradedWords {
		return o, fmt.Errorf("graded max words must be at most %d, got %d", MaxGradedWords, o.GradedMaxWords)
	}
	fill(&o.Feedback, d.Feedback)
	fill(&o.FeedbackMinWords, d.FeedbackMinWords)
	if o.Feedback != "on" && o.Feedback != "off" {
		return o, fmt.Errorf("feedback must be on or off, got %q", o.Feedback)
	}
	if o.FeedbackMinWords < 1 {
		return o, fmt.Errorf("feedback min words must be >= 1, got %d", o.FeedbackMinWords)
	}
	fill(&o.MaxWindow, d.MaxWindow)
	fill(&o.MaxFragments, d.MaxFragments)
	fill(&o.MaxLoss, d.MaxLoss)
	if o.TypoTolerance != "on" && o.TypoTolerance != "off" {
		return o, fmt.Errorf("typo tolerance must be on or off, got %q", o.TypoTolerance)
	}
	if o.TypoOneEdit < 1 || o.TypoTwoEdits < o.TypoOneEdit {
		return o, fmt.Errorf("typo word lengths must be >= 1 and the two-edit one >= the one-edit one, got %d and %d", o.TypoOneEdit, o.TypoTwoEdits)
	}
	if o.MaxLoss < 0 || o.MaxLoss > 1 {
		return o, fmt.Errorf("max loss must be a share between 0 and 1, got %g", o.MaxLoss)
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = d.LockTimeout
	}
	fill(&o.Shards, d.Shards)
	fill(&o.MinFreeBytes, d.MinFreeBytes)
	if o.BM25K1 == 0 { // b 0 is valid (no length normalisation): only k1 says "unset"
		o.BM25K1, o.BM25B = d.BM25K1, d.BM25B
	}
	fill(&o.MaxArticleBytes, d.MaxArticleBytes)
	if o.MaxArticleBytes < 0 {
		return o, fmt.Errorf("max article bytes must be >= 1, got %d", o.MaxArticleBytes)
	}
	if o.Shards < 1 || o.Shards > 64 {
		return o, fmt.Errorf("shards must be between 1 and 64, got %d", o.Shards)
	}
	fill(&o.Writers, d.Writers)
	fill(&o.BatchSize, d.BatchSize)
	if o.Path == "" {
		return o, fmt.Errorf("index path is empty")
	}
	for _, f := range o.KeywordFields {
		if err := article.CheckKeywordField(f); err != nil {
			return o, err
		}
	}
	if len(o.SourceGroups) > 0 {
		abs := make(map[string][]string, len(o.SourceGroups))
		for p, gs := range o.SourceGroups {
			if err := article.CheckGroups(gs); err != nil {
				return o, fmt.Errorf("groups of source %q: %v", p, err)
			}
			abs[sources.AbsPath(p)] = gs
		}
		o.SourceGroups = abs
	}
	if schema.Analyzer(o.Language) == "" {
		return o, fmt.Errorf("unknown language %q (accepted: %s)", o.Language, schema.LanguageNames())
	}
	if o.DefaultSize > o.MaxSize {
		return o, fmt.Errorf("default size %d is larger than max size %d", o.DefaultSize, o.MaxSize)
	}
	return o, nil
}

// fill sets *v to def when it is the zero value.
func fill[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// writers is the number of goroutines writing batches during an ingest.
func (o Options) writers() int { return max(1, o.Writers) }
