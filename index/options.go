package index

import (
	"fmt"
	"time"
)

// Options configure an Index. Zero values are replaced by the defaults of
// DefaultOptions where noted.
type Options struct {
	Path         string        // index directory (bleve scorch)
	Language     string        // analyzer for title and body: "en" (default) or "standard"
	TitleBoost   float64       // extra weight of title matches over body matches (default 2)
	Dates        *DateParser   // date parser shared by ingest and queries (default: UTC, built-in layouts)
	FragmentSize int           // body snippet length in characters (default 200)
	DefaultSize  int           // hits per page when a query gives none (default 10)
	MaxSize      int           // largest page size accepted (default 100)
	Timeout      time.Duration // deadline of one search (default 5s)
	BatchSize    int           // documents per write batch during ingest (default 3000)
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
}

// DefaultOptions returns the defaults for an index at path.
func DefaultOptions(path string) Options {
	return Options{
		Path:         path,
		Language:     "en",
		TitleBoost:   2,
		Dates:        DefaultDateParser(),
		FragmentSize: 200,
		DefaultSize:  10,
		MaxSize:      100,
		Timeout:      5 * time.Second,
		BatchSize:    3000,
		Writers:      2,
		Shards:       1,
		LockTimeout:  time.Second,
		MinFreeBytes: 64 << 20,
	}
}

// withDefaults fills zero fields from DefaultOptions and checks the rest.
func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions(o.Path)
	if o.Language == "" {
		o.Language = d.Language
	}
	if o.TitleBoost == 0 {
		o.TitleBoost = d.TitleBoost
	}
	if o.Dates == nil {
		o.Dates = d.Dates
	}
	if o.FragmentSize == 0 {
		o.FragmentSize = d.FragmentSize
	}
	if o.DefaultSize == 0 {
		o.DefaultSize = d.DefaultSize
	}
	if o.MaxSize == 0 {
		o.MaxSize = d.MaxSize
	}
	if o.Timeout == 0 {
		o.Timeout = d.Timeout
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = d.LockTimeout
	}
	if o.Shards == 0 {
		o.Shards = d.Shards
	}
	if o.MinFreeBytes == 0 {
		o.MinFreeBytes = d.MinFreeBytes
	}
	if o.Shards < 1 || o.Shards > 64 {
		return o, fmt.Errorf("shards must be between 1 and 64, got %d", o.Shards)
	}
	if o.Writers == 0 {
		o.Writers = d.Writers
	}
	if o.BatchSize == 0 {
		o.BatchSize = d.BatchSize
	}
	if o.Path == "" {
		return o, fmt.Errorf("index path is empty")
	}
	if _, ok := analyzers[o.Language]; !ok {
		return o, fmt.Errorf("unknown language %q (accepted: %s)", o.Language, languageNames())
	}
	if o.DefaultSize > o.MaxSize {
		return o, fmt.Errorf("default size %d is larger than max size %d", o.DefaultSize, o.MaxSize)
	}
	return o, nil
}

// writers is the number of goroutines writing batches during an ingest.
func (o Options) writers() int { return max(1, o.Writers) }
