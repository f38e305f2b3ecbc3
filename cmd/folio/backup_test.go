package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupCommandDestinations: `folio backup` follows the server's rules:
// a destination inside the index (where the next start would delete a
// gen-N) or not empty is refused naming dest; a relative one is taken
// from the current directory, as cp does; an empty directory is used.
func TestBackupCommandDestinations(t *testing.T) {
	cfg := isolate(t)
	src := copyFiles(t, "../../testdata/articles", testArticles...)
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	mustRun(t, "--config", cfg, "index", "--index", ix, src)

	for _, dest := range []string{filepath.Join(ix, "gen-7"), filepath.Join(ix, "inside")} {
		_, _, err := runCLI(t, "--config", cfg, "backup", "--index", ix, dest)
		if err == nil || !strings.Contains(err.Error(), "dest: ") || !strings.Contains(err.Error(), "inside the live index") {
			t.Errorf("folio backup %s: %v; want a refusal naming dest", dest, err)
		}
		if _, err := os.Stat(dest); err == nil {
			t.Errorf("%s was created inside the index", dest)
		}
	}

	empty := t.TempDir()
	if out := mustRun(t, "--config", cfg, "backup", "--index", ix, empty); !strings.Contains(out, "copied the index to "+empty) {
		t.Errorf("backup output = %q", out)
	}
	if _, _, err := runCLI(t, "--config", cfg, "backup", "--index", ix, empty); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second backup to %s: %v; want a refusal: not empty", empty, err)
	}

	t.Chdir(t.TempDir())
	wd, _ := os.Getwd()
	mustRun(t, "--config", cfg, "backup", "--index", ix, "relative-copy")
	if _, err := os.Stat(filepath.Join(wd, "relative-copy", "folio.json")); err != nil {
		t.Errorf("relative destination not resolved against the current directory: %v", err)
	}
	resp := searchJSON(t, "--config", cfg, "--index", filepath.Join(wd, "relative-copy"), `"Diamond`, `Hexagon"`)
	if resp.Total != 1 {
		t.Errorf("search in the backup = %+v", resp)
	}
}
