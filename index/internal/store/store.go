// Package store owns the on-disk layout of a Folio index directory:
// folio.json (Meta) and its atomic rewrite, the generation directories
// (gen-1, gen-2, ...) and their shard directories, the removal of replaced and stale
// generations, the checks and claiming of a backup's destination, and the
// file-system facts (free space, read-only mounts, kernel file systems)
// that writes and backups check, and how many shards a new index gets for
// the size of its inputs. It knows paths and files, not searches: it
// imports the standard library, x/sys and index/article only, never the
// facade index nor bleve.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// MetaFile is the name of Folio's own metadata file inside the index directory.
const MetaFile = "folio.json"

// Meta is what folio.json records; Open checks it against the options.
type Meta struct {
	MappingVersion int    `json:"mapping_version"`
	Language       string `json:"language"`
	Shards         int    `json:"shards"`
	// Generation is the subdirectory holding the current shards (gen-1,
	// gen-2, ...; empty for the shards directly in the index directory).
	// A rebuild writes a new generation beside it and then rewrites
	// folio.json atomically to name it.
	Generation string `json:"generation,omitempty"`
	// KeywordFields are the extra JSON fields indexed as keywords.
	KeywordFields []string `json:"keyword_fields,omitempty"`
}

// ShardPath is the directory of shard i inside the generation directory dir.
func ShardPath(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("shard-%02d", i)) }

// ShardPaths are the directories of the n shards inside the generation
// directory dir.
func ShardPaths(dir string, n int) []string {
	paths := make([]string, n)
	for i := range paths {
		paths[i] = ShardPath(dir, i)
	}
	return paths
}

// GenDir is the directory of the shards of generation gen.
func GenDir(path, gen string) string { return filepath.Join(path, gen) }

// IncompatibleError says why the index directory's folio.json does not
// describe an index the caller can open (the facade wraps it in its
// ErrIncompatible with the advice to rebuild).
type IncompatibleError struct {
	// Reason names the directory and what differs.
	Reason string
}

// Error is the reason.
func (e *IncompatibleError) Error() string { return e.Reason }

// ReadMeta reads folio.json in path and checks it against want's mapping
// version, language and keyword fields (want's other fields are ignored).
// A missing, unreadable or different folio.json is an *IncompatibleError.
func ReadMeta(path string, want Meta) (Meta, error) {
	var m Meta
	b, err := os.ReadFile(filepath.Join(path, MetaFile))
	if errors.Is(err, os.ErrNotExist) {
		return m, &IncompatibleError{fmt.Sprintf("%s has no %s, so it was not built by this Folio", path, MetaFile)}
	}
	if err != nil {
		return m, fmt.Errorf("read index metadata: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Shards < 1 {
		return m, &IncompatibleError{fmt.Sprintf("unreadable %s in %s (%v)", MetaFile, path, err)}
	}
	if m.MappingVersion != want.MappingVersion {
		return m, &IncompatibleError{fmt.Sprintf("%s has mapping version %d, this Folio needs %d", path, m.MappingVersion, want.MappingVersion)}
	}
	if m.Language != want.Language {
		return m, &IncompatibleError{fmt.Sprintf("%s was built with index.language %q, the configuration says %q", path, m.Language, want.Language)}
	}
	if !slices.Equal(m.KeywordFields, want.KeywordFields) {
		return m, &IncompatibleError{fmt.Sprintf("%s was built with index.keyword_fields %q, the configuration says %q", path, m.KeywordFields, want.KeywordFields)}
	}
	return m, nil
}

// LoadMeta reads folio.json in path as it is, without checking it
// against a configuration (for looking at an index without opening it).
func LoadMeta(path string) (Meta, error) {
	var m Meta
	b, err := os.ReadFile(filepath.Join(path, MetaFile))
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

// WriteMeta replaces folio.json in dir atomically: it writes a temporary
// file, syncs it, renames it over folio.json and syncs the directory, so a
// crash leaves either the old or the new file, never a torn one.
func WriteMeta(dir string, m Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, MetaFile), append(b, '\n'))
}

// WriteFileAtomic writes b to path through a synced temporary file and a rename.
func WriteFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", filepath.Dir(path), err)
		}
	}
	return nil
}

// GenNumber is n of "gen-n", 0 for anything else.
func GenNumber(gen string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(gen, "gen-"))
	if err != nil || !strings.HasPrefix(gen, "gen-") {
		return 0
	}
	return n
}

// RemoveGeneration deletes the files of generation m of the index
// directory path: its directory, or in the layout without generations
// (m.Generation "") its shard directories and the sync state's file
// stateFile. It returns every removal's error.
func RemoveGeneration(path string, m Meta, stateFile string) error {
	var errs []error
	if m.Generation == "" { // the layout without generations
		for i := range m.Shards {
			errs = append(errs, os.RemoveAll(ShardPath(path, i)))
		}
		errs = append(errs, os.Remove(filepath.Join(path, stateFile)))
	} else {
		errs = append(errs, os.RemoveAll(GenDir(path, m.Generation)))
	}
	return errors.Join(errs...)
}

// RemoveStaleGenerations deletes the generation directories other than
// current: leftovers of a rebuild that crashed before or after its swap,
// and a folio.json.tmp of a crash while folio.json was rewritten. Failures
// are ignored; the next open tries again.
func RemoveStaleGenerations(path, current string) {
	os.Remove(filepath.Join(path, MetaFile+".tmp"))
	entries, err := os.ReadDir(path)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != current && GenNumber(e.Name()) > 0 {
			os.RemoveAll(filepath.Join(path, e.Name()))
		}
	}
}
