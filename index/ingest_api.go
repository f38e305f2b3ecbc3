package index

import (
	"time"

	"github.com/folio-search/folio/index/article"
)

// IngestOptions control one Ingest run.
type IngestOptions struct {
	// Strict stops at the first bad file or record and returns its *InputError.
	Strict bool
	// Problem, when set, is called for every skipped file or record as it is found.
	Problem func(*article.InputError)
	// Progress, when set, is called about every ProgressEvery and once at the end.
	Progress func(Progress)
	// ProgressEvery is the interval between Progress calls (default 1s).
	ProgressEvery time.Duration
	// Merge, after a run that wrote documents, merges every shard to one
	// segment (Optimize): slower to finish, faster to query.
	Merge bool
	// Force lets a Sync or Rebuild lose more than Options.MaxLoss of the articles.
	Force bool
}

// Progress is a snapshot of a running ingest.
type Progress struct {
	Files     int           // input files found
	FilesDone int           // files whose articles are all written
	Bytes     int64         // total size of the input files on disk
	BytesDone int64         // bytes of input whose articles are written (compressed bytes for .gz); Bytes once Done
	Docs      int           // documents written so far
	Skipped   int           // records skipped so far
	Elapsed   time.Duration // since the start
	Done      bool          // the last call
}

// IngestSummary is the outcome of one Ingest run.
type IngestSummary struct {
	Files           int            // input files found: those read and those rejected unread (unsupported, not regular, unreadable)
	Indexed         int            // documents that were new to the index
	Updated         int            // documents that replaced one with the same id
	Skipped         int            // files or records skipped, see SkippedByReason
	SkippedByReason map[string]int // article.InputError.Reason → count
	IgnoredFields   []string       // JSON fields present in the input that Folio does not index, sorted
	Elapsed         time.Duration  // the whole run, merge included
	Merge           time.Duration  // of which merging (IngestOptions.Merge)
	Unchanged       int            // files Sync found unchanged since its last run and did not read
	Deleted         int            // articles Sync deleted because their file disappeared or no longer holds them
	Before          int            // articles in the index before a Sync or Rebuild
	After           int            // articles in the index after it (or that a refused one would have left)
	Fetched         int            // documents of URL sources fetched (answered 200)
	NotModified     int            // documents of URL sources not modified (304, or an unchanged sitemap lastmod)
	URLSources      []SourceStats  // per URL source, in the order given
}

// DocsPerSecond is (Indexed+Updated) per second of Elapsed.
func (s IngestSummary) DocsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Indexed+s.Updated) / s.Elapsed.Seconds()
}
