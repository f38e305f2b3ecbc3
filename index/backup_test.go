package index

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio-search/folio/index/internal/sources"
	"github.com/folio-search/folio/index/internal/store"
)

// reutersCorpus finds ../shared/corpora/reuters21578/articles.jsonl.gz beside
// the repository (or beside the folder holding a worktree), or returns "".
func reutersCorpus() string {
	for _, up := range []string{"../..", "../../.."} {
		p, err := filepath.Abs(filepath.Join(up, "shared", "corpora", "reuters21578", "articles.jsonl.gz"))
		if err != nil {
			return ""
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// reutersLines is the Reuters corpus (needReuters), decompressed: JSON
// lines, one article each; closed when the test ends.
func reutersLines(tb testing.TB, what string) io.Reader {
	tb.Helper()
	f, err := os.Open(needReuters(tb, what))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	return zr
}

// needReuters is reutersCorpus for a test or benchmark that indexes it: it
// skips (what says what goes unchecked) when the corpus is missing, or fails
// under CI, and skips with -short.
func needReuters(tb testing.TB, what string) string {
	tb.Helper()
	corpus := reutersCorpus()
	if corpus == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("../shared/corpora/reuters21578/articles.jsonl.gz is missing: CI must run with ../shared beside the repository")
		}
		tb.Skip("SKIPPED: ../shared/corpora/reuters21578/articles.jsonl.gz not found beside the repository; " + what)
	}
	if testing.Short() {
		tb.Skip("SKIPPED with -short: indexes 21,577 Reuters articles")
	}
	return corpus
}

// TestSearchesAnswerDuringBackupAndSwap: while a backup of the Reuters
// index copies it and a rebuild reaches its swap, every search answers
// (none waits for the backup or the swap), the rebuild swaps without waiting for the backup, and the
// backup is a complete copy of the generation it started on (folio.json
// and sync state included), whose directory goes once the backup is done.
func TestSearchesAnswerDuringBackupAndSwap(t *testing.T) {
	corpus := needReuters(t, "searches during a backup are not checked")
	ctx := context.Background()
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.Shards = 2
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Sync(ctx, []string{corpus}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	articles, _ := ix.Count()
	if articles < 20000 {
		t.Fatalf("Reuters index holds %d articles", articles)
	}

	copying, release := make(chan struct{}), make(chan struct{})
	releaseBackup := sync.OnceFunc(func() { close(release) })
	defer releaseBackup() // before ix.Close: a failed run must not leave the backup blocked
	ix.hooks.backupCopied = func(shard int) {
		if shard == 0 {
			close(copying)
			<-release
		}
	}
	swapping := make(chan struct{})
	ix.hooks.beforeSwap = func() { close(swapping) }

	dest := filepath.Join(t.TempDir(), "backup")
	backupDone := make(chan error, 1)
	go func() { backupDone <- ix.Backup(dest) }()
	wait := func(ch <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(2 * time.Minute):
			t.Fatalf("%s did not happen within 2 minutes", what)
		}
	}
	wait(copying, "the backup copying its first shard")
	rebuildDone := make(chan error, 1)
	rctx, stopRebuild := context.WithCancel(ctx)
	t.Cleanup(func() { // before ix.Close (cleanups run last first): a failed run must not close the index under the rebuild
		stopRebuild()
		<-rebuildDone
	})
	go func() {
		// From the small testdata folder, so that the rebuild reaches its
		// swap at once; forced, since it keeps only a few of the articles.
		_, err := ix.Rebuild(rctx, []string{testArticles}, IngestOptions{Force: true})
		rebuildDone <- err
	}()
	select {
	case <-swapping:
	case <-time.After(time.Minute):
		// The rebuild waits for the index's lock (held by the backup);
		// the searches below show what that does to them.
		t.Errorf("the rebuild did not reach its swap within a minute while the backup ran")
	}

	// 20 searches, one after the other, while the backup is held inside
	// its copy (it waits for release, which comes only after them): a
	// search that waited for the backup or for the swap's lock would never
	// answer, so each one that does shows it did not. The 30 s are a hang
	// detector, not a speed bound (speed is measured by benchmarks).
	for i := range 20 {
		done := make(chan error, 1)
		go func() {
			_, err := ix.Search(ctx, Query{Text: "oil prices"})
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("search %d: %v", i, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("search %d did not answer while a backup ran and a rebuild was swapping", i)
		}
	}

	select {
	case err := <-rebuildDone:
		rebuildDone <- err // for the cleanup
		if err != nil {
			t.Fatalf("rebuild: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the rebuild's swap waited for the backup")
	}
	if _, err := os.Stat(filepath.Join(opts.Path, "gen-1")); err != nil {
		t.Errorf("the generation being backed up is gone before the backup ends: %v", err)
	}
	releaseBackup()
	if err := <-backupDone; err != nil {
		t.Fatalf("backup: %v", err)
	}
	if _, err := os.Stat(filepath.Join(opts.Path, "gen-1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the replaced generation is left after the backup: %v", err)
	}

	ix.mu.RLock()
	gen := ix.meta.Generation
	ix.mu.RUnlock()
	small, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "small")))
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	if _, err := small.Ingest(ctx, []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	want, _ := small.Count()
	if live, _ := ix.Count(); live != want || gen != "gen-2" {
		t.Errorf("live index after the rebuild: %d articles in %s, want testdata's %d in gen-2", live, gen, want)
	}
	cp, err := Open(DefaultOptions(dest))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if n, _ := cp.Count(); n != articles {
		t.Errorf("backup holds %d articles, want the %d of the generation it started on", n, articles)
	}
	if cp.meta.Generation != "gen-1" || cp.Shards() != 2 {
		t.Errorf("backup's folio.json names %q with %d shards, want gen-1 with 2", cp.meta.Generation, cp.Shards())
	}
	st, err := cp.loadSyncState()
	if err != nil || len(st.Files) != 1 || len(st.Files[corpus].IDs) != int(articles) {
		t.Errorf("backup's sync state: %d files (%v), want the Reuters file with %d ids", len(st.Files), err, articles)
	}
}

// TestBackupDestinations: a destination must be absolute, outside the
// live index, on storage, and new or an empty directory; every refusal is
// a *ParamError for "dest" and leaves nothing behind.
func TestBackupDestinations(t *testing.T) {
	ix := newIndex(t)
	if _, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	full := filepath.Join(tmp, "full")
	link := filepath.Join(tmp, "link")
	for _, err := range []error{
		os.WriteFile(file, []byte("x"), 0o644),
		os.MkdirAll(filepath.Join(full, "old"), 0o755),
		os.Symlink(ix.Path(), link),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	cwd, _ := os.Getwd()
	for _, tt := range []struct{ name, dest, want string }{
		{"empty", " ", "absolute path"},
		{"relative", "relative-dir", "relative path"},
		{"stale generation name", filepath.Join(ix.Path(), "gen-7"), "inside the live index"},
		{"inside", filepath.Join(ix.Path(), "inside"), "inside the live index"},
		{"the index itself", ix.Path(), "inside the live index"},
		{"inside through a symlink", filepath.Join(link, "inside"), "inside the live index"},
		{"non-empty", full, "not empty"},
		{"below a file", filepath.Join(file, "backup"), "not a directory"},
		{"a file", file, "not a directory"},
		{"missing parent", filepath.Join(tmp, "no", "such", "backup"), "no such file or directory"},
		{"long name", filepath.Join(tmp, strings.Repeat("a", 300)), "file name too long"},
		{"long path", "/" + strings.Repeat("abcdefgh/", 450), "at most"},
		{"proc", "/proc/folio-backup", "kernel"},
		{"sys", "/sys/folio-backup", "kernel"},
		{"cgroup", "/sys/fs/cgroup/folio-backup", "kernel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if strings.HasPrefix(tt.dest, "/proc") || strings.HasPrefix(tt.dest, "/sys") {
				if _, err := os.Stat(filepath.Dir(tt.dest)); err != nil {
					t.Skipf("SKIPPED: %s is not mounted here", filepath.Dir(tt.dest))
				}
			}
			before := dirNames(t, ix.Path())
			err := ix.Backup(tt.dest)
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != "dest" || !errors.Is(err, ErrInvalidParameter) || !strings.Contains(pe.Message, tt.want) {
				t.Fatalf("Backup(%q) = %v; want a ParamError for dest saying %q", tt.dest, err, tt.want)
			}
			if after := dirNames(t, ix.Path()); !slices.Equal(after, before) {
				t.Errorf("index directory %v → %v", before, after)
			}
			for _, p := range []string{filepath.Join(cwd, tt.dest), filepath.Join(tmp, "no"), filepath.Join(filepath.Dir(tt.dest), "folio-backup")} {
				if _, err := os.Stat(p); err == nil && p != tt.dest {
					t.Errorf("%s was created", p)
				}
			}
			if _, err := os.Stat(tt.dest); err == nil && tt.name != "non-empty" && tt.name != "a file" && !strings.HasPrefix(tt.name, "the index") {
				t.Errorf("%s was created", tt.dest)
			}
		})
	}
	// The index still opens with its generation after the refusals.
	path := ix.Path()
	ix.Close()
	re, err := Open(DefaultOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	if n, _ := re.Count(); n == 0 {
		t.Error("index empty after refused backups")
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestBackupToEmptyDirectory: an existing empty directory (a mount point,
// say) is used as it is, and kept when the backup is refused there later.
func TestBackupToEmptyDirectory(t *testing.T) {
	ix := newIndex(t)
	if _, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	if err := ix.Backup(dest); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dest, store.BackupMarker)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup marker left in a complete backup: %v", err)
	}
	cp, err := Open(DefaultOptions(dest))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	want, _ := ix.Count()
	if got, _ := cp.Count(); got != want {
		t.Errorf("backup holds %d articles, want %d", got, want)
	}
}

// TestConcurrentBackupsToOneDestination: of three backups started at once
// to the same new directory exactly one succeeds; the others are refused
// (ErrBusy, or a ParamError once the winner's copy is in place) and do not
// disturb the winner's copy.
func TestConcurrentBackupsToOneDestination(t *testing.T) {
	ix := newIndex(t)
	if _, err := ix.Ingest(context.Background(), []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		dest := filepath.Join(t.TempDir(), "backup")
		errs := make([]error, 3)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start.Wait()
				errs[i] = ix.Backup(dest)
			}()
		}
		start.Done()
		wg.Wait()
		won := 0
		for _, err := range errs {
			var pe *ParamError
			switch {
			case err == nil:
				won++
			case errors.Is(err, ErrBusy), errors.As(err, &pe) && pe.Param == "dest":
			default:
				t.Errorf("round %d: a losing backup failed with %v; want ErrBusy or a ParamError for dest", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d of 3 backups to one destination succeeded (%v), want exactly 1", round, won, errs)
		}
		cp, err := Open(DefaultOptions(dest))
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		want, _ := ix.Count()
		if got, _ := cp.Count(); got != want {
			t.Errorf("round %d: backup holds %d articles, want %d", round, got, want)
		}
		cp.Close()
	}
}

// TestBackupOfLayoutWithoutGenerations: an index whose shards lie directly
// in its directory (folio.json without "generation") is copied into a
// generation directory, and the copy opens.
func TestBackupOfLayoutWithoutGenerations(t *testing.T) {
	ix := newIndex(t)
	if _, err := ix.Sync(context.Background(), []string{testArticles}, IngestOptions{}); err != nil {
		t.Fatal(err)
	}
	want, _ := ix.Count()
	path := ix.Path()
	ix.Close()
	for _, name := range []string{"shard-00", sources.StateFile} {
		if err := os.Rename(filepath.Join(path, "gen-1", name), filepath.Join(path, name)); err != nil {
			t.Fatal(err)
		}
	}
	m := ix.meta
	m.Generation = ""
	if err := store.WriteMeta(path, m); err != nil {
		t.Fatal(err)
	}
	old, err := Open(DefaultOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	dest := filepath.Join(t.TempDir(), "backup")
	if err := old.Backup(dest); err != nil {
		t.Fatal(err)
	}
	cp, err := Open(DefaultOptions(dest))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if got, _ := cp.Count(); got != want || cp.meta.Generation != "gen-1" {
		t.Errorf("backup holds %d articles in %q, want %d in gen-1", got, cp.meta.Generation, want)
	}
	if st, err := cp.loadSyncState(); err != nil || len(st.Files) == 0 {
		t.Errorf("backup's sync state: %d files (%v)", len(st.Files), err)
	}
}
