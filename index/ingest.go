package index

import "context"

// Ingest reads the files and folders in paths (folders recursively; formats by
// extension: .txt/.md articles, .json, .jsonl/.ndjson, each optionally .gz) and
// writes their articles in batches. Ids come from the article (ID header or id
// field) or else from the file's path relative to the folder given, without
// extension. Bad files and records are reported through opts.Problem, counted
// and skipped, unless opts.Strict, which returns the first one. The returned
// error is nil unless writing failed, ctx ended, or Strict stopped the run.
func (ix *Index) Ingest(ctx context.Context, paths []string, opts IngestOptions) (IngestSummary, error) {
	panic("TODO")
}
