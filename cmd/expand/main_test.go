package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.jsonl")
	in := `{"id":"a","title":"A","date":"1987-02-26T15:01:01Z","body":"x","topics":["t"]}` + "\n" +
		`{"id":"b","title":"B","date":"","body":"y"}` + "\n"
	if err := os.WriteFile(src, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.jsonl")
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-scale", "3", "-out", out, src}, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want := in +
		`{"body":"x","date":"1988-02-26T15:01:01Z","id":"a-x1","title":"A","topics":["t"]}` + "\n" +
		`{"body":"y","date":"","id":"b-x1","title":"B"}` + "\n" +
		`{"body":"x","date":"1989-02-26T15:01:01Z","id":"a-x2","title":"A","topics":["t"]}` + "\n" +
		`{"body":"y","date":"","id":"b-x2","title":"B"}` + "\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	gz := filepath.Join(dir, "out.jsonl.gz")
	for range 2 { // deterministic: the same bytes twice
		if err := run(context.Background(), []string{"-scale", "2", "-out", gz, src}, &bytes.Buffer{}, &stderr); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := os.ReadFile(gz)
	if err := run(context.Background(), []string{"-scale", "2", "-out", gz, src}, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(gz)
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Error("gzip output differs between runs")
	}
	if err := run(context.Background(), []string{"-out", out}, &bytes.Buffer{}, &stderr); err == nil {
		t.Error("missing corpus argument accepted")
	}
}
