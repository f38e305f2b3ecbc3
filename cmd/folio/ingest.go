package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server/analytics"
)

// maxProblemLines is how many input problems are printed before the rest are only counted.
const maxProblemLines = 50

// inputs are the files and folders a run reads: paths (PATH arguments)
// when given, else those the index records, else fallback (index.sources).
type inputs struct {
	paths, fallback []string
}

// errNothingToIndex is the error of a run without any inputs.
var errNothingToIndex = errors.New("nothing to index: give PATH arguments or set index.sources")

// of returns the inputs for the existing index ix.
func (in inputs) of(ix *index.Index) ([]string, error) {
	if len(in.paths) > 0 {
		return in.paths, nil
	}
	p, err := ix.InputsOr(in.fallback)
	if err == nil && len(p) == 0 {
		err = errNothingToIndex
	}
	return p, err
}

// forNew returns the inputs of a new index: paths, else fallback.
func (in inputs) forNew() []string {
	if len(in.paths) > 0 {
		return in.paths
	}
	return in.fallback
}

// ingestInPlace syncs the index at opts.Path with its inputs, creating it
// if needed: new and changed files are (re)indexed, articles of files that
// disappeared are deleted, unchanged files are not read. Articles already
// indexed under the same id are replaced, so running it twice changes
// nothing. While another process holds the index, it returns an error
// wrapping index.ErrLocked.
func ingestInPlace(ctx context.Context, opts index.Options, in inputs, iopts index.IngestOptions, w io.Writer) (index.IngestSummary, error) {
	ix, err := index.OpenOrCreate(opts)
	if err != nil {
		return index.IngestSummary{}, err
	}
	var sum index.IngestSummary
	paths, err := in.of(ix)
	if err == nil {
		sum, err = ix.Sync(ctx, paths, iopts)
	}
	if cerr := ix.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close index %s: %w", opts.Path, cerr))
	}
	return sum, err
}

// rebuild builds a new index from its inputs and swaps it in. An existing,
// compatible index is rebuilt in place (index.Rebuild: a new generation
// beside the live one, swapped in atomically); a missing one is created;
// an incompatible one (built with other settings) is replaced by one built
// in a sibling directory (PATH.rebuild-<pid>) and renamed into place. On
// failure the live index is left untouched. While a server holds the
// index, it returns an error wrapping index.ErrLocked. Build directories
// left by killed runs are removed first (removeStaleBuilds).
func rebuild(ctx context.Context, opts index.Options, in inputs, iopts index.IngestOptions) (index.IngestSummary, error) {
	removeStaleBuilds(filepath.Clean(opts.Path))
	ix, err := index.Open(opts)
	switch {
	case err == nil:
		var sum index.IngestSummary
		paths, err := in.of(ix)
		if err == nil {
			sum, err = ix.Rebuild(ctx, paths, iopts)
		}
		if cerr := ix.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close index %s: %w", opts.Path, cerr))
		}
		return sum, err
	case errors.Is(err, index.ErrLocked):
		return index.IngestSummary{}, err
	case errors.Is(err, index.ErrNoIndex), errors.Is(err, index.ErrIncompatible):
		paths := in.paths
		if len(paths) == 0 { // an incompatible index is rebuilt from its own inputs
			paths = index.RecordedInputs(opts.Path)
		}
		if len(paths) == 0 {
			paths = in.fallback
		}
		if len(paths) == 0 {
			return index.IngestSummary{}, errNothingToIndex
		}
		return rebuildBeside(ctx, opts, paths, iopts)
	}
	return index.IngestSummary{}, err
}

// rebuildBeside builds a new index from paths in a sibling directory
// (PATH.rebuild-<pid>) and, once it is complete and closed, moves it to
// opts.Path in place of the old one, so readers never see a half-built index.
// On failure the sibling is removed and the live index is left untouched.
func rebuildBeside(ctx context.Context, opts index.Options, paths []string, iopts index.IngestOptions) (index.IngestSummary, error) {
	live := filepath.Clean(opts.Path)
	tmp := fmt.Sprintf("%s.rebuild-%d", live, os.Getpid())
	if err := os.RemoveAll(tmp); err != nil { // a leftover of a crashed run with the same pid
		return index.IngestSummary{}, err
	}
	tmpOpts := opts
	tmpOpts.Path = tmp
	ix, err := index.Create(tmpOpts)
	if err != nil {
		return index.IngestSummary{}, errors.Join(err, removeAll(tmp))
	}
	sum, err := ix.Sync(ctx, paths, iopts)
	if cerr := ix.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close index %s: %w", tmp, cerr))
	}
	if err != nil {
		return sum, errors.Join(err, removeAll(tmp))
	}
	return sum, swapIn(tmp, live)
}

// removeStaleBuilds removes the build directories live.rebuild-<pid> that
// a run killed while building (kill -9, power loss) left behind: those
// whose process no longer exists. The build of a running process is kept;
// so is anything whose name does not end in a pid. Failures are ignored:
// the next start tries again.
func removeStaleBuilds(live string) {
	dirs, _ := filepath.Glob(live + ".rebuild-*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(d, live+".rebuild-"))
		if err != nil || pid <= 0 || pid == os.Getpid() || processExists(pid) {
			continue
		}
		os.RemoveAll(d)
	}
}

// swapIn moves the directory tmp to live. An existing live directory is first
// renamed aside and removed only once tmp is in place; if that fails, it is
// put back and tmp removed.
func swapIn(tmp, live string) error {
	old := fmt.Sprintf("%s.old-%d", live, os.Getpid())
	hadOld := index.Exists(live)
	if hadOld {
		if err := os.Rename(live, old); err != nil {
			return errors.Join(fmt.Errorf("move the old index aside: %w", err), removeAll(tmp))
		}
	}
	if err := os.Rename(tmp, live); err != nil {
		err = fmt.Errorf("move the new index into place: %w", err)
		if hadOld {
			if rerr := os.Rename(old, live); rerr != nil {
				return errors.Join(err, fmt.Errorf("restore the old index from %s: %w", old, rerr))
			}
		}
		return errors.Join(err, removeAll(tmp))
	}
	if hadOld {
		if err := keepBeside(old, live); err != nil {
			return err
		}
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("new index in place, but removing the old one failed: %w", err)
		}
	}
	return nil
}

// keepBeside moves what the old index directory holds beside the index
// itself, which a rebuild in a sibling directory must not lose, to the new
// one: the analytics store (`folio serve` opens it in a missing index's
// directory before building the index there, and keeps it open; a rename
// keeps its open file).
func keepBeside(old, live string) error {
	for _, name := range []string{analytics.Dir} {
		from, to := filepath.Join(old, name), filepath.Join(live, name)
		if _, err := os.Stat(from); err != nil {
			continue
		}
		if _, err := os.Stat(to); err == nil {
			continue // the new index has its own (never: builds do not make one)
		}
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("new index in place, but keeping %s failed (it is in %s): %w", name, old, err)
		}
	}
	return nil
}

func removeAll(path string) error {
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// ingestReport shows an ingest run as it goes: every problem as it is found
// (up to maxProblemLines, then only counted), and progress either as a bar
// redrawn in place on a terminal or as a log line at each Progress call.
// Ingest may call it from several goroutines.
type ingestReport struct {
	w      io.Writer    // problems and the progress bar
	bar    bool         // draw a progress bar on w (a terminal)
	logger *slog.Logger // progress when !bar; problems too when logProblems
	// logProblems logs problems as warnings instead of printing them (serve).
	logProblems bool

	mu      sync.Mutex
	printed int    // problems printed
	hidden  int    // problems past maxProblemLines
	line    string // the bar currently shown, "" for none
}

// options returns IngestOptions reporting to r.
func (r *ingestReport) options(strict bool) index.IngestOptions {
	every := 5 * time.Second
	if r.bar {
		every = 200 * time.Millisecond
	}
	opts := index.IngestOptions{Strict: strict, Progress: r.progress, ProgressEvery: every, Merge: true}
	if !strict { // with Strict the first problem is returned, and printed once by the caller
		opts.Problem = r.problem
	}
	return opts
}

func (r *ingestReport) problem(e *article.InputError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.printed >= maxProblemLines {
		r.hidden++
		return
	}
	r.printed++
	if r.logProblems {
		r.logger.Warn("skipped input", "problem", e.Error())
		return
	}
	if r.line != "" {
		fmt.Fprint(r.w, "\r\x1b[K")
	}
	fmt.Fprintln(r.w, e.Error())
	if r.line != "" {
		fmt.Fprint(r.w, r.line)
	}
}

func (r *ingestReport) progress(p index.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.bar {
		if !p.Done { // the summary follows the last call
			r.logger.Info("indexing", "percent", percent(p), "docs", p.Docs, "docs_per_sec", int(docsPerSecond(p)),
				"files", fmt.Sprintf("%d/%d", p.FilesDone, p.Files), "skipped", p.Skipped)
		}
		return
	}
	r.line = progressBar(p)
	fmt.Fprint(r.w, "\r"+r.line+"\x1b[K")
	if p.Done {
		fmt.Fprintln(r.w)
		r.line = ""
	}
}

// finish ends an unfinished progress bar and reports the problems that were not printed.
func (r *ingestReport) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.line != "" { // the run failed before its last Progress call
		fmt.Fprintln(r.w)
		r.line = ""
	}
	if r.hidden == 0 {
		return
	}
	msg := fmt.Sprintf("... %s more %s", commas(r.hidden), plural(r.hidden, "problem", "problems"))
	if r.logProblems {
		r.logger.Warn(msg)
		return
	}
	fmt.Fprintln(r.w, msg)
}

// progressBar renders p as "[#####-----]  52%  11,203 docs  8,120 docs/s  3/20 files".
func progressBar(p index.Progress) string {
	const width = 20
	pc := percent(p)
	filled := pc * width / 100
	return fmt.Sprintf("[%s%s] %3d%%  %s docs  %s docs/s  %d/%d files",
		strings.Repeat("#", filled), strings.Repeat("-", width-filled), pc,
		commas(p.Docs), commas(int(docsPerSecond(p))), p.FilesDone, p.Files)
}

// percent is the share of input bytes read, 0 to 100.
func percent(p index.Progress) int {
	switch {
	case p.Done:
		return 100
	case p.Bytes <= 0:
		return 0
	}
	return int(min(100, p.BytesDone*100/p.Bytes))
}

func docsPerSecond(p index.Progress) float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Docs) / p.Elapsed.Seconds()
}

// formatSummary renders s as one line:
// "indexed 21,577 new, 0 updated, 3 skipped (2 bad date, 1 invalid JSON) from
// 1 file in 3.2s (6,742 docs/s); ignored fields: places, topics"; URL
// sources are counted after the files: "from 1 URL source (4 fetched, 118
// not modified)".
func formatSummary(s index.IngestSummary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "indexed %s new, %s updated, %s skipped", commas(s.Indexed), commas(s.Updated), commas(s.Skipped))
	if len(s.SkippedByReason) > 0 {
		reasons := slices.SortedFunc(maps.Keys(s.SkippedByReason), func(a, b string) int {
			return cmp.Or(cmp.Compare(s.SkippedByReason[b], s.SkippedByReason[a]), strings.Compare(a, b))
		})
		parts := make([]string, len(reasons))
		for i, r := range reasons {
			parts[i] = commas(s.SkippedByReason[r]) + " " + r
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	from := commas(s.Files) + " " + plural(s.Files, "file", "files")
	if n := len(s.URLSources); n > 0 {
		web := fmt.Sprintf("%s URL %s (%s fetched, %s not modified)", commas(n), plural(n, "source", "sources"), commas(s.Fetched), commas(s.NotModified))
		if s.Files == 0 {
			from = web
		} else {
			from += " and " + web
		}
	}
	fmt.Fprintf(&b, " from %s in %s (%s docs/s", from, formatDuration(s.Elapsed), commas(int(s.DocsPerSecond())))
	if s.Merge >= 10*time.Millisecond { // worth mentioning
		fmt.Fprintf(&b, ", merge to one segment per shard %s included", formatDuration(s.Merge))
	}
	b.WriteString(")")
	if len(s.IgnoredFields) > 0 {
		fmt.Fprintf(&b, "; ignored fields: %s", strings.Join(s.IgnoredFields, ", "))
	}
	if s.Unchanged > 0 || s.Deleted > 0 {
		fmt.Fprintf(&b, "; %s unchanged %s not read, %s deleted", commas(s.Unchanged), plural(s.Unchanged, "file", "files"), commas(s.Deleted))
	}
	return b.String()
}

// skippedError is the error of a run that skipped inputs, or nil.
func skippedError(s index.IngestSummary) error {
	if s.Skipped == 0 {
		return nil
	}
	return fmt.Errorf("%s %s skipped (use --strict to stop at the first)", commas(s.Skipped), plural(s.Skipped, "input", "inputs"))
}

// formatDuration rounds d for people: 12ms, 3.2s, 2m5.3s.
func formatDuration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// commas formats n with thousands separators: 21577 → "21,577".
func commas(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
