package article

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// AcceptedFormats are the formats accepted by extension (each also with .gz appended).
const AcceptedFormats = ".txt, .md, .json, .jsonl, .ndjson, each optionally .gz"

// format is the kind of an input file, decided by its extension.
type Format int

const (
	FormatUnknown Format = iota
	FormatText           // .txt, .md: header lines, a blank line, the body
	FormatJSON           // .json: one object or an array of objects
	FormatJSONL          // .jsonl, .ndjson: one object a line
)

// FormatOf returns the format of path and whether it is gzipped.
func FormatOf(path string) (Format, bool) {
	p := strings.ToLower(path)
	gz := strings.HasSuffix(p, ".gz")
	p = strings.TrimSuffix(p, ".gz")
	switch filepath.Ext(p) {
	case ".txt", ".md":
		return FormatText, gz
	case ".json":
		return FormatJSON, gz
	case ".jsonl", ".ndjson":
		return FormatJSONL, gz
	}
	return FormatUnknown, gz
}

// stem is name without its format extension(s): "a/b.jsonl.gz" → "a/b".
func Stem(name string) string {
	name = filepath.ToSlash(name)
	if strings.HasSuffix(strings.ToLower(name), ".gz") {
		name = name[:len(name)-3]
	}
	return strings.TrimSuffix(name, filepath.Ext(name))
}

// Parser reads the input formats into Articles. It is stateless apart from its
// date parser and safe for concurrent use.
type Parser struct {
	Dates    *DateParser
	Keywords []string // extra JSON fields kept as keywords (Options.KeywordFields)
}

// Record is one parsed article or one problem, with the line it starts on.
type Record struct {
	Article Article
	Err     *InputError
}

// Reader reads one input file. id is the default id for records without
// their own (the path relative to the folder given, without extension).
type Reader struct {
	Parser  *Parser
	Path    string // path as shown in messages
	ID      string // default id
	Ignored map[string]struct{}
	Max     int64 // largest text or JSON file, or JSON Lines line, in decompressed bytes (0: the default)
	// Groups are the default groups of the records (their source's): a
	// record that names none (no Groups header, no groups field or a null
	// one) gets them; one that names an empty list has none (public).
	Groups []string
}

// limit is fr.Max, or the default of Options.MaxArticleBytes.
func (fr *Reader) limit() int64 {
	if fr.Max > 0 {
		return fr.Max
	}
	return DefaultMaxBytes
}

// read parses r according to f and calls emit for every record. It stops
// early only when emit returns an error, which it returns. At most
// fr.limit() decompressed bytes of a text or JSON file, and of each line of
// a JSON Lines file, are held in memory.
func (fr *Reader) Read(r io.Reader, f Format, gz bool, emit func(Record) error) error {
	if gz {
		zr, err := gzip.NewReader(r)
		if err == io.EOF {
			return emit(Record{Err: fr.emptyFile()})
		}
		if err != nil {
			return emit(Record{Err: fr.problem(0, "unreadable gzip", fmt.Sprintf("cannot read gzip data: %v", err), "a gzip-compressed file, as its .gz extension says")})
		}
		defer zr.Close()
		r = zr
	}
	switch f {
	case FormatText, FormatJSON:
		b, perr := fr.readAll(r, f, gz)
		if perr == nil {
			perr = fr.textProblem(b, 0)
		}
		if perr == nil && len(bytes.TrimSpace(bytes.TrimPrefix(b, bom))) == 0 {
			perr = fr.emptyFile()
		}
		if perr != nil {
			return emit(Record{Err: perr})
		}
		if f == FormatJSON {
			return fr.ReadJSON(b, emit)
		}
		a, perr := fr.Parser.parseText(b, fr.Path, fr.ID, fr.Groups)
		if perr != nil {
			return emit(Record{Err: perr})
		}
		return emit(Record{Article: a})
	case FormatJSONL:
		return fr.readJSONL(r, emit)
	}
	return emit(Record{Err: fr.problem(0, "unsupported format", "unsupported file type", "one of "+AcceptedFormats)})
}

// readAll reads a whole text or JSON file of at most fr.limit() bytes.
func (fr *Reader) readAll(r io.Reader, f Format, gz bool) ([]byte, *InputError) {
	max := fr.limit()
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fr.ReadErr(err)
	}
	if int64(len(b)) > max {
		msg := fmt.Sprintf("file is larger than index.max_article_bytes (%d bytes)", max)
		if gz {
			msg += " once decompressed"
		}
		expected := "a smaller file, or a larger index.max_article_bytes"
		if f == FormatJSON {
			expected = "a .json file is read whole: split it into JSON Lines (.jsonl), one article a line, or raise index.max_article_bytes"
		}
		return nil, fr.problem(0, "too large", msg, expected)
	}
	return b, nil
}

// bom is the UTF-8 byte-order mark, accepted at the start of a file.
var bom = []byte("\xef\xbb\xbf")

// textProblem is the problem of b (a whole file when line is 0, else the
// line numbered line) that is not UTF-8 text, or nil. A NUL byte makes it
// a binary file; invalid UTF-8 is reported with its line, as text in
// another encoding.
func (fr *Reader) textProblem(b []byte, line int) *InputError {
	if bytes.IndexByte(b, 0) >= 0 {
		return fr.problem(line, "not UTF-8 text", "binary file (not UTF-8 text)", "")
	}
	if utf8.Valid(b) {
		return nil
	}
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
	}
	if line == 0 {
		line = lineAt(b, i)
	}
	return fr.problem(line, "not UTF-8 text", fmt.Sprintf("not UTF-8 text: invalid byte %#x", b[i]), "convert it to UTF-8 first, e.g. with iconv -f latin1 -t utf-8")
}

func (fr *Reader) emptyFile() *InputError {
	return fr.problem(0, "empty file", "empty file", "")
}

func (fr *Reader) problem(line int, reason, msg, expected string) *InputError {
	return &InputError{Path: fr.Path, Line: line, Reason: reason, Message: msg, Expected: expected}
}

func (fr *Reader) ReadErr(err error) *InputError {
	return fr.problem(0, "unreadable file", fmt.Sprintf("cannot read: %v", err), "")
}

// ParseText parses the article text format: "Key: value" header lines up to
// the first blank line, then the body. Keys are case-insensitive; Title is
// required. CRLF line endings and a UTF-8 byte-order mark are accepted.
func (p *Parser) ParseText(b []byte, path, defaultID string) (Article, *InputError) {
	return p.parseText(b, path, defaultID, nil)
}

// parseText is ParseText giving the article groups when it has no Groups
// header (one with an empty value gives it none).
func (p *Parser) parseText(b []byte, path, defaultID string, groups []string) (Article, *InputError) {
	b = bytes.TrimPrefix(b, bom)
	s := string(b)
	if !utf8.ValidString(s) { // files are checked by read; this guards other callers
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	a := Article{ID: defaultID, Groups: slices.Clone(groups)}
	fail := func(line int, reason, msg, expected string) (Article, *InputError) {
		return Article{}, &InputError{Path: path, Line: line, Reason: reason, Message: msg, Expected: expected}
	}
	seen := map[string]int{}
	titleLine := 0
	line := 0
	rest := s
	for rest != "" {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		line++
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			break
		}
		key, val, ok := strings.Cut(l, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			if line == 1 {
				return fail(line, "missing title", fmt.Sprintf("first line %q is not a header", Clip(l, 60)), `a first line "Title: …", then other "Key: value" headers, a blank line and the body`)
			}
			return fail(line, "bad header", fmt.Sprintf("header line %q is not \"Key: value\"", Clip(l, 60)), "header lines up to the first blank line, then the body")
		}
		val = strings.TrimSpace(val)
		if prev, dup := seen[key]; dup {
			return fail(line, "bad header", fmt.Sprintf("duplicate %s header (first on line %d)", headerName(key), prev), "each header at most once")
		}
		seen[key] = line
		switch key {
		case "title":
			a.Title, titleLine = val, line
		case "date":
			if val == "" {
				break
			}
			t, err := p.Dates.Parse(val)
			if err != nil {
				return fail(line, "bad date", err.Error(), "")
			}
			a.Date = t
		case "id":
			if val == "" {
				return fail(line, "missing id", "empty ID header", "an id, or no ID header to use the file name")
			}
			a.ID = val
		case "url":
			if val != "" && !isHTTPURL(val) {
				ie := badURL(val)
				ie.Path, ie.Line = path, line
				return Article{}, ie
			}
			a.URL = val
		case "source":
			a.Source = val
		case "author":
			a.Author = val
		case "tags":
			a.Tags = splitTags(val)
		case "groups":
			a.Groups = SplitGroups(val)
			if err := a.checkGroups(); err != nil {
				ie := err.(*InputError)
				ie.Path, ie.Line = path, line
				return Article{}, ie
			}
		default:
			return fail(line, "bad header", fmt.Sprintf("unknown header %q", headerName(key)), "Title, Date, ID, URL, Source, Author, Tags or Groups")
		}
	}
	if titleLine == 0 || a.Title == "" {
		l := titleLine
		if l == 0 {
			l = 1
		}
		return fail(l, "missing title", "missing or empty Title header", `a "Title: …" header before the first blank line`)
	}
	a.Body = strings.TrimSpace(rest)
	if err := a.Validate(); err != nil {
		ie := err.(*InputError)
		ie.Path, ie.Line = path, 1
		return Article{}, ie
	}
	return a, nil
}

func headerName(key string) string {
	if key == "" {
		return key
	}
	switch key {
	case "id", "url":
		return strings.ToUpper(key)
	}
	return strings.ToUpper(key[:1]) + key[1:]
}

func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// splitTags splits a comma-separated list, dropping empty items.
func splitTags(s string) []string {
	var tags []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// jsonFields are the object keys Folio reads; any other key is ignored and reported.
var jsonFields = map[string]bool{"id": true, "title": true, "date": true, "body": true, "url": true, "source": true, "author": true, "tags": true, "groups": true}

// readJSONL reads one JSON object a line; a bad line is reported and the
// others are still read. Blank lines are skipped; a line longer than
// fr.limit() is reported without being held in memory.
func (fr *Reader) readJSONL(r io.Reader, emit func(Record) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	max := fr.limit()
	line, records := 0, 0
	for {
		b, tooLong, err := ReadLine(br, int(max))
		if len(b) > 0 || tooLong {
			line++
			if t := bytes.TrimSpace(b); tooLong || len(t) > 0 {
				records++
				var rec Record
				if tooLong {
					rec.Err = fr.problem(line, "too large", fmt.Sprintf("line is longer than index.max_article_bytes (%d bytes)", max), "one article a line, each at most that size")
				} else if rec.Err = fr.textProblem(t, line); rec.Err == nil {
					rec = fr.Object(t, line, fmt.Sprintf("%s/%d", fr.ID, line))
				} else if bytes.IndexByte(t, 0) >= 0 { // binary data: no point reading on
					rec.Err.Message += "; the rest of the file is not read"
					return emit(rec)
				}
				if e := emit(rec); e != nil {
					return e
				}
			}
		}
		if err == io.EOF {
			if records == 0 {
				return emit(Record{Err: fr.emptyFile()})
			}
			return nil
		}
		if err != nil {
			return emit(Record{Err: fr.problem(line+1, "unreadable file", fmt.Sprintf("cannot read: %v", err), "")})
		}
	}
}

// readJSON reads one object or an array of objects. A syntax error in an
// array loses the rest of that file (JSON cannot resynchronise); a bad
// element is reported and the others are read.
func (fr *Reader) ReadJSON(b []byte, emit func(Record) error) error {
	b = bytes.TrimPrefix(b, bom)
	t := bytes.TrimSpace(b)
	if len(t) == 0 { // Read reports an empty file before; a write API body may be empty
		return emit(Record{Err: fr.emptyFile()})
	}
	if t[0] != '[' {
		return emit(fr.Object(b, 1, fr.ID))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return emit(Record{Err: fr.syntaxErr(b, dec.InputOffset(), err)})
	}
	n := 0
	for dec.More() {
		var raw json.RawMessage
		start := dec.InputOffset()
		if err := dec.Decode(&raw); err != nil {
			return emit(Record{Err: fr.syntaxErr(b, start, err)})
		}
		n++
		// The element starts after any separator and white space.
		line := lineAt(b, int(start)+countLeading(b[start:]))
		if e := emit(fr.Object(raw, line, fmt.Sprintf("%s/%d", fr.ID, n))); e != nil {
			return e
		}
	}
	if _, err := dec.Token(); err != nil {
		return emit(Record{Err: fr.syntaxErr(b, dec.InputOffset(), err)})
	}
	return nil
}

func countLeading(b []byte) int {
	return len(b) - len(bytes.TrimLeft(b, ", \t\r\n"))
}

// lineAt is the 1-based line of byte offset off in b.
func lineAt(b []byte, off int) int {
	if off > len(b) {
		off = len(b)
	}
	return bytes.Count(b[:off], []byte{'\n'}) + 1
}

func (fr *Reader) syntaxErr(b []byte, off int64, err error) *InputError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	return fr.problem(lineAt(b, int(off)), "invalid JSON", fmt.Sprintf("invalid JSON: %v", err), "a JSON object or an array of objects")
}

// Object decodes one JSON object into an article; defaultID is used when
// it has no "id". A Record that fails after its "id" was read keeps that id
// in its article, so that API results can name it.
func (fr *Reader) Object(b []byte, line int, defaultID string) (rec Record) {
	var id string
	defer func() {
		if rec.Err != nil && id != "" {
			rec.Article.ID = id
		}
	}()
	m, perr := fr.decodeObject(b, line)
	if perr != nil {
		return Record{Err: perr}
	}
	a := Article{ID: defaultID, Groups: slices.Clone(fr.Groups)} // unless m has groups
	var date string
	perr = fr.stringFields(m, line, &a, &id, &date)
	if perr == nil {
		perr = fr.tagsField(m, line, &a)
	}
	if perr == nil {
		perr = fr.groupsField(m, line, &a)
	}
	if perr == nil {
		perr = fr.keywordFields(m, line, &a)
	}
	if perr != nil {
		return Record{Err: perr}
	}
	if id != "" {
		a.ID = id
	}
	if date != "" {
		t, err := fr.Parser.Dates.Parse(date)
		if err != nil {
			return Record{Err: fr.problem(line, "bad date", fmt.Sprintf("article %q: %v", a.ID, err), "")}
		}
		a.Date = t
	}
	fr.noteIgnored(m)
	if err := a.Validate(); err != nil {
		ie := err.(*InputError)
		ie.Path, ie.Line = fr.Path, line
		return Record{Err: ie}
	}
	return Record{Article: a}
}

// decodeObject decodes b, which must be one JSON object, into its fields.
func (fr *Reader) decodeObject(b []byte, line int) (map[string]json.RawMessage, *InputError) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fr.problem(line, "invalid JSON", fmt.Sprintf("expected a JSON object, got %s", te.Value), `an object such as {"id": "…", "title": "…", "date": "…", "body": "…"}`)
		}
		return nil, fr.problem(line, "invalid JSON", fmt.Sprintf("invalid JSON: %v", err), "one JSON object")
	}
	return m, nil
}

// stringFields sets the string fields of a (and *id, *date) from m,
// trimmed; the first field that is not a string (or null) is the problem.
func (fr *Reader) stringFields(m map[string]json.RawMessage, line int, a *Article, id, date *string) *InputError {
	for _, f := range []struct {
		key string
		dst *string
	}{{"id", id}, {"title", &a.Title}, {"body", &a.Body}, {"date", date}, {"url", &a.URL}, {"source", &a.Source}, {"author", &a.Author}} {
		raw, ok := m[f.key]
		if !ok || string(raw) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fr.problem(line, "invalid field", fmt.Sprintf("field %q is %s", f.key, jsonKind(raw)), "a string")
		}
		*f.dst = strings.TrimSpace(s)
	}
	return nil
}

// tagsField sets a.Tags from m's "tags": an array of strings or a
// comma-separated string.
func (fr *Reader) tagsField(m map[string]json.RawMessage, line int, a *Article) *InputError {
	raw, ok := m["tags"]
	if !ok || string(raw) == "null" {
		return nil
	}
	var list []string
	var tags string
	if err := json.Unmarshal(raw, &list); err == nil {
		for _, t := range list {
			if t = strings.TrimSpace(t); t != "" {
				a.Tags = append(a.Tags, t)
			}
		}
	} else if err := json.Unmarshal(raw, &tags); err == nil {
		a.Tags = splitTags(tags)
	} else {
		return fr.problem(line, "invalid field", fmt.Sprintf("field \"tags\" is %s", jsonKind(raw)), "an array of strings or a comma-separated string")
	}
	return nil
}

// groupsField sets a.Groups from m's "groups": an array of strings or a
// comma-separated string, normalised (NormalizeGroups).
func (fr *Reader) groupsField(m map[string]json.RawMessage, line int, a *Article) *InputError {
	raw, ok := m["groups"]
	if !ok || string(raw) == "null" {
		return nil
	}
	var list []string
	var one string
	if err := json.Unmarshal(raw, &list); err == nil {
		a.Groups = NormalizeGroups(list)
	} else if err := json.Unmarshal(raw, &one); err == nil {
		a.Groups = SplitGroups(one)
	} else {
		return fr.problem(line, "invalid field", fmt.Sprintf("field \"groups\" is %s", jsonKind(raw)), "an array of group names or a comma-separated string")
	}
	return nil
}

// keywordFields sets a.Keywords from m's keyword fields (the Parser's
// Keywords), each an array of strings or a comma-separated string.
func (fr *Reader) keywordFields(m map[string]json.RawMessage, line int, a *Article) *InputError {
	for _, k := range fr.Parser.Keywords {
		raw, ok := m[k]
		if !ok || string(raw) == "null" {
			continue
		}
		var list []string
		var one string
		if err := json.Unmarshal(raw, &list); err == nil {
		} else if err := json.Unmarshal(raw, &one); err == nil {
			list = splitTags(one)
		} else {
			return fr.problem(line, "invalid field", fmt.Sprintf("field %q is %s", k, jsonKind(raw)), "an array of strings or a comma-separated string")
		}
		for _, v := range list {
			if v = strings.TrimSpace(v); v != "" {
				if a.Keywords == nil {
					a.Keywords = map[string][]string{}
				}
				a.Keywords[k] = append(a.Keywords[k], v)
			}
		}
	}
	return nil
}

// noteIgnored adds m's keys that Folio does not read to fr.Ignored.
func (fr *Reader) noteIgnored(m map[string]json.RawMessage) {
	for k := range m {
		if !jsonFields[k] && !slices.Contains(fr.Parser.Keywords, k) {
			fr.Ignored[k] = struct{}{}
		}
	}
}

// jsonKind names the JSON type of raw for error messages.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "empty"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// TakeIgnored returns the ignored fields gathered since its last call, sorted, and forgets them.
func (fr *Reader) TakeIgnored() []string {
	if len(fr.Ignored) == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(fr.Ignored))
	clear(fr.Ignored)
	return keys
}

// ReadLine reads one line of at most max bytes; past that it discards the
// rest of the line and reports tooLong.
func ReadLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			line = append(line, chunk...)
			if len(line) > max+1 { // +1: the newline
				tooLong, line = true, nil
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return line, tooLong, err
	}
}
