package sources

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMergeInputs(t *testing.T) {
	for _, c := range []struct {
		name            string
		recorded, roots []string
		want            []string
	}{
		{"first", nil, []string{"/a"}, []string{"/a"}},
		{"inside a recorded one adds nothing", []string{"/a"}, []string{"/a/b"}, []string{"/a"}},
		{"a new root replaces those inside it", []string{"/a/b", "/c", "/a/d"}, []string{"/a"}, []string{"/c", "/a"}},
		{"a sibling with a common prefix is another input", []string{"/a"}, []string{"/ab"}, []string{"/a", "/ab"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, MergeInputs(c.recorded, c.roots)); diff != "" {
				t.Errorf("MergeInputs(%q, %q) (-want +got):\n%s", c.recorded, c.roots, diff)
			}
		})
	}
}

func TestLoadState(t *testing.T) {
	dir := t.TempDir()
	st, err := LoadState(filepath.Join(dir, StateFile))
	if err != nil || st.Files == nil || len(st.Files) != 0 {
		t.Fatalf("missing state = %+v, %v; want an empty state", st, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "delete it to re-read every file") {
		t.Errorf("torn state: err = %v, want one naming %s and how to start over", err, bad)
	}
	if got := RecordedInputs(bad); got != nil {
		t.Errorf("RecordedInputs of a torn state = %q, want nil", got)
	}
}

func TestFileOfIDsAndUnchanged(t *testing.T) {
	st := State{Files: map[string]FileState{
		"/a.jsonl": {Hash: "h1", IDs: []string{"a1", "a2"}},
		"/b.txt":   {Hash: "h2", IDs: []string{"b"}},
		"/bad.txt": {Size: -1, IDs: []string{"c"}},
	}}
	want := map[string]string{"a1": "/a.jsonl", "a2": "/a.jsonl", "b": "/b.txt", "c": "/bad.txt"}
	if diff := cmp.Diff(want, st.FileOfIDs()); diff != "" {
		t.Errorf("FileOfIDs (-want +got):\n%s", diff)
	}
	later := State{Files: map[string]FileState{
		"/a.jsonl": {Hash: "h1"},
		"/b.txt":   {Hash: "h3"},
		"/bad.txt": {},
	}}
	for abs, want := range map[string]bool{"/a.jsonl": true, "/b.txt": false, "/bad.txt": false, "/gone.txt": false} {
		if got := st.Unchanged(later, abs); got != want {
			t.Errorf("Unchanged(%s) = %v, want %v", abs, got, want)
		}
	}
}

func TestGroupsOf(t *testing.T) {
	roots := map[string][]string{"/srv/hr": {"hr"}, "/srv/hr/open": {}, "/srv/hrx": {"x"}, "https://intranet.example/feed.xml": {"eng"}}
	for _, tt := range []struct {
		abs  string
		want []string
	}{
		{"/srv/hr", []string{"hr"}},
		{"/srv/hr/a/b.txt", []string{"hr"}},
		{"/srv/hr/open/c.txt", []string{}},
		{"/srv/hrx/d.txt", []string{"x"}},
		{"/srv/other/e.txt", nil},
		{"https://intranet.example/feed.xml", []string{"eng"}},
		{"https://intranet.example/feed.xml/x", nil},
	} {
		got := GroupsOf(tt.abs, roots)
		if (got == nil) != (tt.want == nil) || !slices.Equal(got, tt.want) {
			t.Errorf("GroupsOf(%q) = %#v, want %#v", tt.abs, got, tt.want)
		}
	}
}
