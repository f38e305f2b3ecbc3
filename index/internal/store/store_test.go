package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadMetaChecks: WriteMeta's folio.json reads back; a missing,
// unreadable or different one is an *IncompatibleError naming what differs.
func TestReadMetaChecks(t *testing.T) {
	dir := t.TempDir()
	want := Meta{MappingVersion: 7, Language: "en", Shards: 2, Generation: "gen-3", KeywordFields: []string{"tag"}}
	var ie *IncompatibleError
	if _, err := ReadMeta(dir, want); !errors.As(err, &ie) || !strings.Contains(ie.Reason, "has no folio.json") {
		t.Fatalf("no folio.json: %v", err)
	}
	if err := WriteMeta(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMeta(dir, want)
	if err != nil || got.Generation != "gen-3" || got.Shards != 2 || !slices.Equal(got.KeywordFields, want.KeywordFields) {
		t.Fatalf("ReadMeta = %+v, %v; want %+v", got, err, want)
	}
	for _, tt := range []struct {
		change func(*Meta)
		reason string
	}{
		{func(m *Meta) { m.MappingVersion = 8 }, "has mapping version 7, this Folio needs 8"},
		{func(m *Meta) { m.Language = "cjk" }, `built with index.language "en", the configuration says "cjk"`},
		{func(m *Meta) { m.KeywordFields = nil }, `built with index.keyword_fields ["tag"], the configuration says []`},
	} {
		w := want
		tt.change(&w)
		if _, err := ReadMeta(dir, w); !errors.As(err, &ie) || !strings.Contains(ie.Reason, tt.reason) {
			t.Errorf("ReadMeta = %v, want a reason with %q", err, tt.reason)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"shards":0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMeta(dir, want); !errors.As(err, &ie) || !strings.Contains(ie.Reason, "unreadable folio.json") {
		t.Errorf("zero shards: %v", err)
	}
}

// TestRemoveStaleGenerations keeps the current generation and what is not
// a generation, and removes the other gen-N directories and folio.json.tmp.
func TestRemoveStaleGenerations(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"gen-1", "gen-2", "gen-10", "gen-x", "other"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, MetaFile+".tmp"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	RemoveStaleGenerations(dir, "gen-2")
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{"gen-2", "gen-x", "other"}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
}

// TestClaimBackupDest: a claimed destination is refused as busy until the
// marker is removed; bad destinations are *DestErrors, not busy.
func TestClaimBackupDest(t *testing.T) {
	live, root := t.TempDir(), t.TempDir()
	dest := filepath.Join(root, "backup")
	got, created, err := ClaimBackupDest(dest, live)
	if err != nil || got != dest || !created {
		t.Fatalf("ClaimBackupDest = %q, %v, %v", got, created, err)
	}
	var de *DestError
	if _, _, err := ClaimBackupDest(dest, live); !errors.As(err, &de) || !de.Busy {
		t.Errorf("second claim: %v, want a busy *DestError", err)
	}
	if err := RemoveBackup(dest, "", created); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("RemoveBackup left %s: %v", dest, err)
	}
	for _, bad := range []string{"", "relative/dir", filepath.Join(live, "inside"), root, filepath.Join(root, "missing", "dir")} {
		if bad == root { // not empty
			if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := ClaimBackupDest(bad, live); !errors.As(err, &de) || de.Busy {
			t.Errorf("ClaimBackupDest(%q) = %v, want a *DestError", bad, err)
		}
	}
}

func TestGenNumber(t *testing.T) {
	for gen, want := range map[string]int{"gen-1": 1, "gen-12": 12, "": 0, "gen-": 0, "shard-01": 0, "1": 0} {
		if got := GenNumber(gen); got != want {
			t.Errorf("GenNumber(%q) = %d, want %d", gen, got, want)
		}
	}
}

// TestRemoveGeneration: a generation's directory goes, and in the layout
// without generations its shards and state file; nothing else does.
func TestRemoveGeneration(t *testing.T) {
	dir := t.TempDir()
	mk := func(rel string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, rel), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range []string{ShardPath("gen-1", 0), ShardPath("gen-2", 0), ShardPath("", 0), ShardPath("", 1)} {
		mk(rel)
	}
	if err := os.WriteFile(filepath.Join(dir, "state.json"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := RemoveGeneration(dir, Meta{Generation: "gen-1", Shards: 1}, "state.json"); err != nil {
		t.Fatal(err)
	}
	if err := RemoveGeneration(dir, Meta{Shards: 2}, "state.json"); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]bool{"gen-1": false, ShardPath("", 0): false, ShardPath("", 1): false, "state.json": false, "gen-2": true} {
		if _, err := os.Stat(filepath.Join(dir, rel)); (err == nil) != want {
			t.Errorf("%s: stat error %v, want present %v", rel, err, want)
		}
	}
	if err := RemoveGeneration(dir, Meta{Shards: 2}, "state.json"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("second removal of the state file: %v, want os.ErrNotExist", err)
	}
}
