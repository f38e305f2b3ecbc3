package sources

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/folio-search/folio/index/article"
	"github.com/google/go-cmp/cmp"
)

func TestPlan(t *testing.T) {
	dir := t.TempDir()
	touched := filepath.Join(dir, "touched.txt")
	if err := os.WriteFile(touched, []byte("same"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := State{Inputs: []string{dir}, Files: map[string]FileState{
		filepath.Join(dir, "same.txt"):    {Size: 1, MTime: 1, IDs: []string{"s"}},
		touched:                           {Size: 4, MTime: 1, Hash: HashFile(touched), IDs: []string{"t"}},
		filepath.Join(dir, "changed.txt"): {Size: 1, MTime: 1, IDs: []string{"c", "moved"}},
		filepath.Join(dir, "gone.txt"):    {Size: 1, MTime: 1, IDs: []string{"g", "s"}},
		"/elsewhere/x.txt":                {Size: 1, MTime: 1, IDs: []string{"x"}},
	}}
	p := NewPlan(old, []string{dir})
	files := []File{
		{Path: filepath.Join(dir, "same.txt"), Size: 1, MTime: 1},
		{Path: touched, Size: 4, MTime: 2},
		{Path: filepath.Join(dir, "changed.txt"), Size: 2, MTime: 2},
		{Path: filepath.Join(dir, "new.txt"), Size: 1, MTime: 2},
	}
	changed, unchanged := p.SelectChanged(files)
	if unchanged != 2 || len(changed) != 2 || changed[0].Path != files[2].Path || changed[1].Path != files[3].Path {
		t.Fatalf("SelectChanged = %+v, %d; want changed.txt and new.txt, 2 unchanged", changed, unchanged)
	}
	if !p.Touched || p.Next.Files[touched].MTime != 2 {
		t.Errorf("touched file: Touched %v, state %+v; want its new mtime kept", p.Touched, p.Next.Files[touched])
	}
	reread := p.RecordRead(changed, []FileResult{{IDs: []string{"c"}, Hash: "h"}, {IDs: []string{"moved"}, Problem: true}})
	if diff := cmp.Diff([]string{"c", "moved"}, reread); diff != "" {
		t.Errorf("RecordRead (-want +got):\n%s", diff)
	}
	if fs := p.Next.Files[files[3].Path]; fs.Size != -1 {
		t.Errorf("a file with problems has state %+v; want size -1", fs)
	}
	del, gone := p.Stale()
	slices.Sort(gone)
	if diff := cmp.Diff([]string{"g"}, del); diff != "" {
		t.Errorf("Stale deletes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"c", "g", "moved", "s"}, gone); diff != "" {
		t.Errorf("Stale gone (-want +got):\n%s", diff)
	}
	if _, ok := p.Next.Files["/elsewhere/x.txt"]; !ok {
		t.Error("a file outside the synced paths lost its state")
	}
}

func TestProduce(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	if err := os.WriteFile(a, []byte(`{"id":"1","title":"One","body":"b"}
{"id":"2","title":"Two","body":"b"}
{"id":"3","title":"Three","body":"b"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{{Path: a, ID: "a"}, {Path: filepath.Join(dir, "missing.txt"), ID: "missing"}}
	results := make([]FileResult, len(files))
	out := make(chan Batch, 10)
	reader := article.Reader{Parser: &article.Parser{}}
	if err := Produce(context.Background(), files, reader, 2, results, out); err != nil {
		t.Fatal(err)
	}
	close(out)
	var sizes []int
	var last Batch
	for b := range out {
		sizes = append(sizes, len(b.Recs))
		last = b
	}
	if diff := cmp.Diff([]int{2, 2}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if last.Seq != 1 || last.FilesRead != 2 || last.Recs[1].Err == nil {
		t.Errorf("last batch %+v; want seq 1, 2 files read, the missing file's problem", last)
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, results[0].IDs); diff != "" || results[0].Hash != HashFile(a) || results[0].Problem {
		t.Errorf("a.jsonl gave %+v; want ids 1-3, its hash, no problem", results[0])
	}
	if !results[1].Problem {
		t.Error("the missing file has no problem")
	}
}

func TestIDSetAndOverrides(t *testing.T) {
	s := NewIDSet(State{Files: map[string]FileState{"/f": {IDs: []string{"a", "b"}}}})
	if !s.Has("a") || !s.Has("b") || s.Has("c") {
		t.Errorf("IDSet of a, b: Has a %v, b %v, c %v", s.Has("a"), s.Has("b"), s.Has("c"))
	}
	if string(OverrideKey("x/1")) != "folio_api/x/1" || string(OverrideOf(true)) != "delete" || string(OverrideOf(false)) != "put" {
		t.Errorf("override encoding changed: %q %q %q", OverrideKey("x/1"), OverrideOf(true), OverrideOf(false))
	}
}
