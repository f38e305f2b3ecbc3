package index

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/folio-search/folio/index/article"
	"github.com/google/go-cmp/cmp"
)

// ingestDir ingests dir into a new index with opts and returns the summary,
// the problems reported (sorted) and the ids found by a match-all search.
func ingestDir(t *testing.T, opts Options, dir string) (IngestSummary, []string, []string) {
	t.Helper()
	opts.Path = filepath.Join(t.TempDir(), "idx")
	sum, problems, got, err := ingestInto(opts, dir)
	if err != nil {
		t.Fatal(err)
	}
	return sum, problems, got
}

// ingestInto is ingestDir for any goroutine: it creates the index at
// opts.Path, ingests dir and closes the index.
func ingestInto(opts Options, dir string) (IngestSummary, []string, []string, error) {
	ix, err := Create(opts)
	if err != nil {
		return IngestSummary{}, nil, nil, err
	}
	defer ix.Close()
	var problems []string
	sum, err := ix.Ingest(context.Background(), []string{dir}, IngestOptions{Problem: func(e *article.InputError) { problems = append(problems, e.Error()) }})
	if err != nil {
		return sum, nil, nil, err
	}
	sort.Strings(problems)
	res, err := ix.Search(context.Background(), Query{Size: 100})
	if err != nil {
		return sum, nil, nil, err
	}
	got := ids(res)
	sort.Strings(got)
	return sum, problems, got, nil
}

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Every reader is bounded by MaxArticleBytes (decompressed bytes): an
// oversized JSON Lines line is skipped and the next line still read; an
// oversized text or JSON file, or a gzip bomb, is skipped; the sibling
// files are indexed.
func TestIngestBoundsEveryReader(t *testing.T) {
	const limit = 64 << 10
	opts := DefaultOptions("")
	opts.MaxArticleBytes = limit
	dir := t.TempDir()
	word := strings.Repeat("x", 4*limit) // one "word" four times the limit
	writeFile(t, filepath.Join(dir, "a-good.txt"), "Title: Good okapi\n\nfine")
	writeFile(t, filepath.Join(dir, "b-lines.jsonl.gz"), gzipped(t,
		`{"id":"long","title":"`+word+`"}`+"\n"+`{"id":"after","title":"After the long line"}`+"\n"))
	writeFile(t, filepath.Join(dir, "c-word.jsonl"), word+"\n"+`{"id":"next","title":"Next"}`)
	writeFile(t, filepath.Join(dir, "d-big.txt"), "Title: Big\n\n"+strings.Repeat("word ", limit))
	writeFile(t, filepath.Join(dir, "e-bomb.txt.gz"), gzipped(t, "Title: Bomb\n\n"+strings.Repeat("a", 64*limit)))
	writeFile(t, filepath.Join(dir, "f-array.json"), "["+strings.Repeat(`{"title":"T"},`, limit/10)+`{"title":"T"}]`)
	writeFile(t, filepath.Join(dir, "g-fits.json"), `{"id":"fits","title":"Fits"}`)

	sum, problems, got := ingestDir(t, opts, dir)
	if diff := cmp.Diff([]string{"a-good", "after", "fits", "next"}, got); diff != "" {
		t.Errorf("indexed ids (-want +got):\n%s", diff)
	}
	tooLong := fmt.Sprintf("line is longer than index.max_article_bytes (%d bytes) (one article a line, each at most that size)", limit)
	tooBig := fmt.Sprintf("file is larger than index.max_article_bytes (%d bytes)", limit)
	want := []string{
		filepath.Join(dir, "b-lines.jsonl.gz") + ":1: " + tooLong,
		filepath.Join(dir, "c-word.jsonl") + ":1: " + tooLong,
		filepath.Join(dir, "d-big.txt") + ": " + tooBig + " (a smaller file, or a larger index.max_article_bytes)",
		filepath.Join(dir, "e-bomb.txt.gz") + ": " + tooBig + " once decompressed (a smaller file, or a larger index.max_article_bytes)",
		filepath.Join(dir, "f-array.json") + ": " + tooBig + " (a .json file is read whole: split it into JSON Lines (.jsonl), one article a line, or raise index.max_article_bytes)",
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if sum.SkippedByReason["too large"] != 5 || sum.Skipped != 5 {
		t.Errorf("summary %+v, want 5 skipped as too large", sum)
	}
}

// TestPutRefusesNonHTTPURL: the write API validates urls like file input
// (the parsing cases are in index/article).
func TestPutRefusesNonHTTPURL(t *testing.T) {
	ix := newIndex(t)
	if _, err := ix.Put(context.Background(), article.Article{ID: "j", Title: "T", URL: "javascript:alert(1)"}); !errors.Is(err, article.ErrInvalidArticle) {
		t.Errorf("Put with a javascript: URL = %v, want article.ErrInvalidArticle", err)
	}
}

// Binary and empty files get one rule each, the same for every format, and
// the summary counts every file found, the unsupported ones included.
func TestIngestReportsBinaryAndEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a-good.txt"), "Title: Good okapi\n\nfine")
	writeFile(t, filepath.Join(dir, "b-image.txt"), "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\xff\xfe binary")
	writeFile(t, filepath.Join(dir, "c-latin1.txt"), "Title: Caf\xe9\n\nLatin-1, not UTF-8")
	writeFile(t, filepath.Join(dir, "d-lines.jsonl"), `{"id":"line1","title":"First"}`+"\n"+`{"id":"bad","title":"Caf`+"\xe9"+`"}`+"\n"+`{"id":"line3","title":"Third"}`+"\n"+"\x00\x01\x02\n"+`{"id":"after-nul","title":"Not read"}`+"\n")
	writeFile(t, filepath.Join(dir, "e-empty.txt"), "")
	writeFile(t, filepath.Join(dir, "f-blank.md"), "\xef\xbb\xbf \r\n\n")
	writeFile(t, filepath.Join(dir, "g-empty.jsonl"), "\n\n")
	writeFile(t, filepath.Join(dir, "h-empty.json"), " ")
	writeFile(t, filepath.Join(dir, "i-empty.json.gz"), "")
	writeFile(t, filepath.Join(dir, "j-empty.jsonl.gz"), gzipped(t, ""))
	writeFile(t, filepath.Join(dir, "k-image.json"), "{\"title\":\"\x00\"}")
	writeFile(t, filepath.Join(dir, "notes.xls"), "\xd0\xcf\x11\xe0 spreadsheet")

	sum, problems, got := ingestDir(t, DefaultOptions(""), dir)
	if diff := cmp.Diff([]string{"a-good", "line1", "line3"}, got); diff != "" {
		t.Errorf("indexed ids (-want +got):\n%s", diff)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	want := []string{
		p("b-image.txt") + ": binary file (not UTF-8 text)",
		p("c-latin1.txt") + ":1: not UTF-8 text: invalid byte 0xe9 (convert it to UTF-8 first, e.g. with iconv -f latin1 -t utf-8)",
		p("d-lines.jsonl") + ":2: not UTF-8 text: invalid byte 0xe9 (convert it to UTF-8 first, e.g. with iconv -f latin1 -t utf-8)",
		p("d-lines.jsonl") + ":4: binary file (not UTF-8 text); the rest of the file is not read",
		p("e-empty.txt") + ": empty file",
		p("f-blank.md") + ": empty file",
		p("g-empty.jsonl") + ": empty file",
		p("h-empty.json") + ": empty file",
		p("i-empty.json.gz") + ": empty file",
		p("j-empty.jsonl.gz") + ": empty file",
		p("k-image.json") + ": binary file (not UTF-8 text)",
		p("notes.xls") + ": unsupported file type (one of .txt, .md, .json, .jsonl, .ndjson, each optionally .gz, .html, .htm, .rss, .atom, .xml (RSS or Atom), .eml, .pdf, .docx, .odt, each optionally .gz)",
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"not UTF-8 text": 5, "empty file": 6, "unsupported format": 1}, sum.SkippedByReason); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if sum.Files != 12 || sum.Skipped != 12 || sum.Indexed != 3 {
		t.Errorf("summary %+v, want 12 files, 12 skipped, 3 indexed", sum)
	}
}

// The progress percentage follows the articles written, not the bytes the
// reader has run ahead to (it reached 70% with a fifth of the documents
// written, batches being parsed while earlier ones are indexed).
func TestIngestProgressFollowsWrittenDocs(t *testing.T) {
	const docs, batch = 150, 15
	dir := t.TempDir()
	var b strings.Builder
	for i := range docs {
		body := strings.Repeat(fmt.Sprintf("word%d ", i%97), 1200) // about 8 KiB, so the read-ahead buffers hold few articles
		fmt.Fprintf(&b, `{"id":"d%03d","title":"Doc %d","body":%q}`+"\n", i, i, body)
	}
	writeFile(t, filepath.Join(dir, "all.jsonl"), b.String())
	opts := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	opts.BatchSize = batch
	ix, err := Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var seen []Progress
	if _, err := ix.Ingest(context.Background(), []string{dir}, IngestOptions{ProgressEvery: time.Nanosecond, Progress: func(p Progress) { seen = append(seen, p) }}); err != nil {
		t.Fatal(err)
	}
	if len(seen) < 3 || !seen[len(seen)-1].Done || seen[len(seen)-1].BytesDone != seen[len(seen)-1].Bytes {
		t.Fatalf("progress calls %+v, want several and a complete last one", seen)
	}
	for _, p := range seen {
		bytesPct := p.BytesDone * 100 / p.Bytes
		docsPct := int64(p.Docs * 100 / docs)
		// Slack: the reader's 64 KiB buffer (5%) and one batch (10%) that a
		// second writer may finish before the one ahead of it.
		if d := bytesPct - docsPct; d > 18 || d < -18 {
			t.Errorf("progress at %d%% of the bytes with %d%% of the documents written: %+v", bytesPct, docsPct, p)
		}
		if p.FilesDone > 0 && p.Docs < docs {
			t.Errorf("file counted done with %d of %d documents written: %+v", p.Docs, docs, p)
		}
	}
}
