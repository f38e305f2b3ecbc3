package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// StateFile is the name of the sync state's file inside a generation directory.
const StateFile = "sources.json"

// State is what a sync remembers about the files it read: per absolute
// path, its size, modification time, content hash and article ids; and
// about the documents of URL sources, per URL, the same with what the
// next sync's conditional requests need.
type State struct {
	// Inputs are the absolute paths of the files and folders the index was
	// built from (see index.InputsOr); empty in the state of an older Folio.
	Inputs []string             `json:"inputs,omitempty"`
	Files  map[string]FileState `json:"files"`
}

// FileState is one file, or one document of a URL source, as last read.
// Size -1 marks one that had problems: it is read again on every run, so
// its problems are reported again.
type FileState struct {
	Size  int64    `json:"size"`
	MTime int64    `json:"mtime"`
	Hash  string   `json:"sha256"`
	IDs   []string `json:"ids"`
	// Groups are the default groups (the source's) it was read with: a
	// file whose source's groups changed is read again.
	Groups []string `json:"groups,omitempty"`

	// The fields of a document of a URL source (its key is its URL).
	Source       string `json:"source,omitempty"`        // the configured URL it was found from
	From         string `json:"from,omitempty"`          // the sitemap that lists it, if any
	Kind         string `json:"kind,omitempty"`          // sitemap, feed or page
	ETag         string `json:"etag,omitempty"`          // sent back as If-None-Match
	LastModified string `json:"last_modified,omitempty"` // sent back as If-Modified-Since
	Lastmod      string `json:"lastmod,omitempty"`       // the sitemap's lastmod when it was read
}

// LoadState reads the sync state in file; a missing file is an empty
// state, an unreadable one an error that says how to start over.
func LoadState(file string) (State, error) {
	st := State{Files: map[string]FileState{}}
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil {
		return State{Files: map[string]FileState{}}, fmt.Errorf("read sync state %s: %w (delete it to re-read every file)", file, err)
	}
	if st.Files == nil {
		st.Files = map[string]FileState{}
	}
	return st, nil
}

// RecordedInputs returns the inputs recorded in the sync state file, or
// nil when it cannot be read.
func RecordedInputs(file string) []string {
	st, err := LoadState(file)
	if err != nil {
		return nil
	}
	return st.Inputs
}

// MergeInputs adds roots to the recorded inputs: a root inside a recorded
// one adds nothing, and recorded inputs inside a new root are replaced by it.
func MergeInputs(recorded, roots []string) []string {
	out := slices.Clone(recorded)
	for _, r := range roots {
		if Under(r, out) {
			continue
		}
		out = slices.DeleteFunc(out, func(p string) bool { return Under(p, []string{r}) })
		out = append(out, r)
	}
	return out
}

// IsURL reports whether p is a URL source (http:// or https://) rather
// than a file or folder.
func IsURL(p string) bool {
	l := strings.ToLower(p)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// SplitURLs separates the URL sources of paths from the files and folders.
func SplitURLs(paths []string) (files, urls []string) {
	for _, p := range paths {
		if IsURL(p) {
			urls = append(urls, p)
		} else {
			files = append(files, p)
		}
	}
	return files, urls
}

// AbsPath is p made absolute (cleaned if that fails); a URL is kept as it is.
func AbsPath(p string) string {
	if IsURL(p) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// AbsPaths returns paths made absolute.
func AbsPaths(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = AbsPath(p)
	}
	return out
}

// Under reports whether path is one of roots or inside one (a URL is only
// inside itself).
func Under(path string, roots []string) bool {
	for _, r := range roots {
		if path == r || !IsURL(r) && strings.HasPrefix(path, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// HashFile is the hex SHA-256 of the file's bytes, "" if it cannot be read.
func HashFile(path string) string {
	f, err := Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// FileOfIDs maps every id the files of st produced to its file's absolute
// path.
func (st State) FileOfIDs() map[string]string {
	fromFiles := map[string]string{} // id → its file
	for abs, f := range st.Files {
		for _, id := range f.IDs {
			fromFiles[id] = abs
		}
	}
	return fromFiles
}

// Unchanged reports whether the file abs was read with the same content
// in st and in later (a file of no known content counts as changed).
func (st State) Unchanged(later State, abs string) bool {
	old := st.Files[abs]
	return old.Hash != "" && old.Hash == later.Files[abs].Hash
}

// GroupsOf returns the default groups of the file or URL abs (absolute):
// those of the nearest of roots (absolute paths and URLs, with their
// groups) that is abs or holds it, nil when none does.
func GroupsOf(abs string, roots map[string][]string) []string {
	var best string
	var groups []string
	for r, gs := range roots {
		if len(r) > len(best) && Under(abs, []string{r}) {
			best, groups = r, gs
		}
	}
	return groups
}
