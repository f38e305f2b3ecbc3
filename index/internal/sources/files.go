package sources

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/index/article/extract"
)

// File is one file to read, with the default id of its articles.
type File struct {
	Path  string // as shown in messages
	ID    string // path relative to the folder given, without extension
	Size  int64
	MTime int64 // modification time, Unix nanoseconds
	// Groups are the default groups of its articles (its source's, see
	// GroupsOf), those that name none of their own get them.
	Groups []string
}

// CollectFiles expands paths into the input files, sorted within each
// folder, and counts the files it rejected. Hidden files and folders are
// passed over; other files of an unknown type, and anything but regular
// files and links to them (named pipes, devices, sockets, links to
// folders), are reported to skip.
func CollectFiles(paths []string, skip func(*article.InputError) error) ([]File, int, error) {
	var files []File
	rejected := 0
	reject := func(e *article.InputError) error {
		rejected++
		return skip(e)
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			if e := reject(&article.InputError{Path: root, Reason: "unreadable file", Message: fmt.Sprintf("cannot read: %v", errors.Unwrap(err))}); e != nil {
				return nil, rejected, e
			}
			continue
		}
		if !info.IsDir() {
			if ie := checkInput(root, info, isLink(root)); ie != nil {
				if e := reject(ie); e != nil {
					return nil, rejected, e
				}
				continue
			}
			files = append(files, File{Path: root, ID: article.Stem(filepath.Base(root)), Size: info.Size(), MTime: info.ModTime().UnixNano()})
			continue
		}
		var found []File
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return reject(&article.InputError{Path: p, Reason: "unreadable file", Message: fmt.Sprintf("cannot read: %v", err)})
			}
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~")) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			fi, err := os.Stat(p) // follows a link, which WalkDir does not
			if err != nil {
				return reject(&article.InputError{Path: p, Reason: "unreadable file", Message: fmt.Sprintf("cannot read: %v", errors.Unwrap(err))})
			}
			if ie := checkInput(p, fi, d.Type()&fs.ModeSymlink != 0); ie != nil {
				return reject(ie)
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				rel = name
			}
			found = append(found, File{Path: p, ID: article.Stem(rel), Size: fi.Size(), MTime: fi.ModTime().UnixNano()})
			return nil
		})
		if err != nil {
			return nil, rejected, err
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Path < found[j].Path })
		files = append(files, found...)
	}
	return files, rejected, nil
}

// checkInput is the problem of reading path, of the type fi (the target's
// when link says path is a symbolic link), or nil when it is a regular file
// of a known format.
func checkInput(path string, fi fs.FileInfo, link bool) *article.InputError {
	if !fi.Mode().IsRegular() {
		what := fileKind(fi.Mode())
		if link {
			what = "a link to " + what
			if fi.IsDir() {
				what += ", which is not followed"
			}
		}
		return ErrNotRegular{what}.Input(path)
	}
	if k, _ := article.FormatOf(path); k == article.FormatUnknown {
		if _, ok := extract.KindOf(path, ""); ok {
			return nil
		}
		return &article.InputError{Path: path, Reason: "unsupported format", Message: "unsupported file type", Expected: "one of " + article.AcceptedFormats + ", " + extract.AcceptedKinds}
	}
	return nil
}

func isLink(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

// ErrNotRegular is the error of opening something other than a regular
// file for reading; What names it ("a named pipe").
type ErrNotRegular struct{ What string }

// Error says that the file is not regular and what it is.
func (e ErrNotRegular) Error() string { return "not a regular file: " + e.What }

// Input is e as the problem of the input path.
func (e ErrNotRegular) Input(path string) *article.InputError {
	return &article.InputError{Path: path, Reason: "not a regular file", Message: e.Error(), Expected: "only regular files and links to them are read"}
}

// fileKind names the type of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "an irregular file"
}

// Open opens path for reading. It never blocks on a named pipe (which
// may have replaced the file since the walk: it is opened non-blocking) and
// refuses anything but a regular file with an ErrNotRegular.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = ErrNotRegular{fileKind(fi.Mode())}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// CountingReader counts the bytes read through it in *N.
type CountingReader struct {
	R io.Reader
	N *int64
}

// Read reads from R and adds what it read to *N.
func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	*c.N += int64(n)
	return n, err
}
