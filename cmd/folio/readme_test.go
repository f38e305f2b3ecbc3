package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// The README's examples are kept true by the tests of this file:
//
//   - TestREADMEExamples runs every `curl` command of the README's fenced
//     shell blocks against a real `folio serve` (the run() wiring, on a free
//     loopback port, over an index built from testdata/articles) and checks
//     the status and, when a ```json block follows the shell block, the
//     shape of the answer (same keys at every level, same JSON types; arrays
//     by their first element). An error example ({"error": {...}}) must be
//     answered with the status the Errors table gives its code, and with the
//     same code, message and param.
//   - TestREADMEConfigTables compares the key and default columns of the
//     README's configuration tables with what `folio config` prints.
//
// README conventions the tests rely on:
//
//   - The examples use the base URL readmeBase and $KEY for an admin key
//     (server.admin_keys); both are substituted.
//   - `<!-- readme-test: skip (reason) -->` on the line before a fenced
//     block (blank lines may separate them) keeps its commands from running;
//     the test logs and counts them.
//   - A ```json block documents the answer of the shell block right above it
//     (only blank lines between), for each curl command in that block.

const (
	// readmeFile is the README, relative to this package.
	readmeFile = "../../README.md"
	// readmeBase is the server address the README's examples use.
	readmeBase = "http://127.0.0.1:8080"
	// readmeAdminKey is the admin key the test server accepts; it replaces $KEY.
	readmeAdminKey = "readme-test-admin-key-0123456789"
)

// readmeExample is one curl command of the README with its documented answer.
type readmeExample struct {
	line    int    // README line of the command
	command string // the command as written (continuations joined)
	skip    string // reason of a readme-test: skip marker, or ""
	req     curlRequest
	// response is the ```json block documented for this command, or "".
	response     string
	responseLine int
}

// curlRequest is what a curl command asks for.
type curlRequest struct {
	method  string
	url     string // with readmeBase, as written
	headers http.Header
	body    string
}

// readmeBlock is one fenced block of the README.
type readmeBlock struct {
	lang     string
	line     int // line of the opening fence
	text     []string
	textLine int          // line of text[0]
	skip     string       // the reason of a readme-test: skip marker right above the block, or ""
	follows  *readmeBlock // the block right above this one, with only blank lines between
}

var (
	markerRE = regexp.MustCompile(`^<!--\s*readme-test:\s*(.*?)\s*-->$`)
	skipRE   = regexp.MustCompile(`^skip(?:\s*\((.*)\))?$`) // the one directive: skip (reason)
)

// readmeBlocks splits README text into its fenced blocks.
func readmeBlocks(text string) ([]*readmeBlock, error) {
	lines := strings.Split(text, "\n")
	var blocks []*readmeBlock
	var open *readmeBlock
	fence := ""
	skip, markerLine := "", 0 // a marker waiting for its block
	var prev *readmeBlock     // last block, while only blank lines followed it
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimSpace(raw)
		if open != nil {
			if line == fence {
				blocks = append(blocks, open)
				prev, open = open, nil
				continue
			}
			open.text = append(open.text, raw)
			continue
		}
		if strings.HasPrefix(line, "```") {
			fence = "```"
			open = &readmeBlock{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n, textLine: n + 1, skip: skip, follows: prev}
			skip, prev = "", nil
			continue
		}
		if skip != "" && line != "" {
			return nil, fmt.Errorf("README.md:%d: readme-test marker is not followed by a fenced block", markerLine)
		}
		if m := markerRE.FindStringSubmatch(line); m != nil {
			d := skipRE.FindStringSubmatch(m[1])
			switch {
			case d == nil:
				return nil, fmt.Errorf("README.md:%d: unknown readme-test directive %q (known: skip (reason))", n, m[1])
			case strings.TrimSpace(d[1]) == "":
				return nil, fmt.Errorf("README.md:%d: readme-test: skip needs a reason: <!-- readme-test: skip (why) -->", n)
			}
			skip, markerLine, prev = strings.TrimSpace(d[1]), n, nil
			continue
		}
		if strings.Contains(line, "readme-test") {
			return nil, fmt.Errorf("README.md:%d: malformed readme-test marker %q (want <!-- readme-test: skip (reason) -->)", n, line)
		}
		if line != "" {
			prev = nil
		}
	}
	switch {
	case open != nil:
		return nil, fmt.Errorf("README.md:%d: fenced block is never closed", open.line)
	case skip != "":
		return nil, fmt.Errorf("README.md:%d: readme-test marker is not followed by a fenced block", markerLine)
	}
	return blocks, nil
}

// readmeExamples returns the curl commands of the README's shell blocks.
func readmeExamples(text string) ([]readmeExample, error) {
	blocks, err := readmeBlocks(text)
	if err != nil {
		return nil, err
	}
	responses := map[*readmeBlock]*readmeBlock{} // shell block -> its json block
	for _, b := range blocks {
		if b.lang == "json" && b.follows != nil {
			responses[b.follows] = b
		}
	}
	var out []readmeExample
	for _, b := range blocks {
		switch b.lang {
		case "sh", "bash", "shell", "console", "":
		default:
			continue
		}
		skip := b.skip
		for i := 0; i < len(b.text); i++ {
			n := b.textLine + i
			cmd := strings.TrimPrefix(strings.TrimSpace(b.text[i]), "$ ")
			for strings.HasSuffix(cmd, `\`) && i+1 < len(b.text) {
				i++
				cmd = strings.TrimSuffix(cmd, `\`) + " " + strings.TrimSpace(b.text[i])
			}
			if !strings.HasPrefix(cmd, "curl ") {
				continue
			}
			ex := readmeExample{line: n, command: cmd, skip: skip}
			if r := responses[b]; r != nil {
				ex.response, ex.responseLine = strings.Join(r.text, "\n"), r.textLine
			}
			if skip == "" {
				req, err := parseCurl(cmd, map[string]string{"KEY": readmeAdminKey})
				if err != nil {
					return nil, fmt.Errorf("README.md:%d: %s: %w (extend parseCurl in cmd/folio/readme_test.go, or mark the block <!-- readme-test: skip (reason) -->)", n, cmd, err)
				}
				ex.req = req
			}
			out = append(out, ex)
		}
	}
	return out, nil
}

// shellWords splits a command as a POSIX shell would, for the subset the
// README uses: single and double quotes, backslash escapes and $NAME or
// ${NAME} from vars. Pipes, redirections, command substitution and unknown
// variables are errors.
func shellWords(cmd string, vars map[string]string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	expand := func(s string, i int) (int, error) { // s[i] == '$'
		j := i + 1
		braced := j < len(s) && s[j] == '{'
		if braced {
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= '0' && s[k] <= '9') {
			k++
		}
		name := s[j:k]
		if braced {
			if k >= len(s) || s[k] != '}' {
				return 0, fmt.Errorf("unclosed ${")
			}
			k++
		}
		v, ok := vars[name]
		if name == "" || !ok {
			return 0, fmt.Errorf("unknown shell variable $%s (known: $KEY, an admin key)", name)
		}
		cur.WriteString(v)
		return k, nil
	}
	for i := 0; i < len(cmd); {
		c := cmd[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
			i++
		case c == '\'':
			end := strings.IndexByte(cmd[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unclosed single quote")
			}
			cur.WriteString(cmd[i+1 : i+1+end])
			inWord, i = true, i+end+2
		case c == '"':
			inWord = true
			i++
			for {
				if i >= len(cmd) {
					return nil, fmt.Errorf("unclosed double quote")
				}
				if cmd[i] == '"' {
					i++
					break
				}
				switch {
				case cmd[i] == '\\' && i+1 < len(cmd) && strings.IndexByte("\"\\$`", cmd[i+1]) >= 0:
					cur.WriteByte(cmd[i+1])
					i += 2
				case cmd[i] == '$':
					var err error
					if i, err = expand(cmd, i); err != nil {
						return nil, err
					}
				case cmd[i] == '`':
					return nil, fmt.Errorf("command substitution is not supported")
				default:
					cur.WriteByte(cmd[i])
					i++
				}
			}
		case c == '\\' && i+1 < len(cmd):
			cur.WriteByte(cmd[i+1])
			inWord, i = true, i+2
		case c == '$':
			inWord = true
			var err error
			if i, err = expand(cmd, i); err != nil {
				return nil, err
			}
		case strings.IndexByte("|&;<>()`", c) >= 0:
			return nil, fmt.Errorf("shell operator %q is not supported", c)
		default:
			cur.WriteByte(c)
			inWord, i = true, i+1
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// parseCurl turns a curl command into the request it sends, for the options
// the README uses; any other option is an error.
func parseCurl(cmd string, vars map[string]string) (curlRequest, error) {
	words, err := shellWords(cmd, vars)
	if err != nil {
		return curlRequest{}, err
	}
	words = splitShortOptions(words)
	req := curlRequest{headers: http.Header{}}
	var data []string
	get := false
	for i := 1; i < len(words); i++ {
		w := words[i]
		arg := func() (string, error) {
			if i+1 >= len(words) {
				return "", fmt.Errorf("curl option %s needs a value", w)
			}
			i++
			return words[i], nil
		}
		switch w {
		case "-s", "--silent", "-S", "--show-error", "-i", "--include", "-f", "--fail", "-v", "--verbose":
			// output options: the test reads status and body itself
		case "-o", "--output", "-w", "--write-out":
			if _, err := arg(); err != nil {
				return req, err
			}
		case "-I", "--head":
			req.method = http.MethodHead
		case "-G", "--get":
			get = true
		case "-X", "--request":
			if req.method, err = arg(); err != nil {
				return req, err
			}
		case "-H", "--header":
			h, err := arg()
			if err != nil {
				return req, err
			}
			name, value, ok := strings.Cut(h, ":")
			if !ok {
				return req, fmt.Errorf("header %q has no colon", h)
			}
			req.headers.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		case "-d", "--data", "--data-raw", "--data-binary":
			d, err := arg()
			if err != nil {
				return req, err
			}
			if strings.HasPrefix(d, "@") && w != "--data-raw" {
				return req, fmt.Errorf("data from a file (%s %s) is not supported", w, d)
			}
			data = append(data, d)
		case "--json":
			d, err := arg()
			if err != nil {
				return req, err
			}
			data = append(data, d)
			req.headers.Set("Content-Type", "application/json")
			req.headers.Set("Accept", "application/json")
		case "--data-urlencode":
			d, err := arg()
			if err != nil {
				return req, err
			}
			name, value, ok := strings.Cut(d, "=")
			if !ok {
				data = append(data, url.QueryEscape(d))
			} else {
				data = append(data, name+"="+url.QueryEscape(value))
			}
		default:
			if strings.HasPrefix(w, "-") {
				return req, fmt.Errorf("curl option %s is not supported", w)
			}
			if req.url != "" {
				return req, fmt.Errorf("two URLs: %s and %s", req.url, w)
			}
			req.url = w
		}
	}
	if req.url == "" {
		return req, fmt.Errorf("no URL")
	}
	if !strings.HasPrefix(req.url, readmeBase+"/") {
		return req, fmt.Errorf("URL %s does not start with %s/", req.url, readmeBase)
	}
	body := strings.Join(data, "&")
	switch {
	case get:
		if body != "" {
			sep := "?"
			if strings.Contains(req.url, "?") {
				sep = "&"
			}
			req.url += sep + body
		}
	case len(data) > 0:
		req.body = body
		if req.method == "" {
			req.method = http.MethodPost
		}
		if req.headers.Get("Content-Type") == "" {
			req.headers.Set("Content-Type", "application/x-www-form-urlencoded") // as curl does
		}
	}
	if req.method == "" {
		req.method = http.MethodGet
	}
	return req, nil
}

// splitShortOptions writes combined short options one by one, as curl
// reads them: -sS is -s -S, -XPUT is -X PUT.
func splitShortOptions(words []string) []string {
	var out []string
	for _, w := range words {
		if len(w) <= 2 || w[0] != '-' || w[1] == '-' {
			out = append(out, w)
			continue
		}
		for i := 1; i < len(w); i++ {
			out = append(out, "-"+w[i:i+1])
			if strings.IndexByte("XHdow", w[i]) >= 0 { // takes a value: the rest of the word
				if i+1 < len(w) {
					out = append(out, w[i+1:])
				}
				break
			}
		}
	}
	return out
}

// readmeErrorStatuses reads the Errors table of the README: code -> status.
func readmeErrorStatuses(text string) (map[string]int, error) {
	_, after, ok := strings.Cut(text, "\n### Errors\n")
	if !ok {
		return nil, fmt.Errorf("README.md has no ### Errors section")
	}
	section, _, _ := strings.Cut(after, "\n#")
	codes := map[string]int{}
	for _, table := range markdownTables(section) {
		for _, row := range table {
			if len(row.cells) < 2 {
				continue
			}
			status, err := strconv.Atoi(row.cells[0])
			if err != nil {
				continue // the header row
			}
			code := strings.Trim(row.cells[1], "`")
			if s, dup := codes[code]; dup && s != status {
				return nil, fmt.Errorf("README.md's Errors table gives code %s two statuses, %d and %d", code, s, status)
			}
			codes[code] = status
		}
	}
	if len(codes) == 0 {
		return nil, fmt.Errorf("README.md's ### Errors section has no table")
	}
	return codes, nil
}

// tableRow is one row of a Markdown table, with its line within the text given to markdownTables.
type tableRow struct {
	line  int
	cells []string
}

// markdownTables returns the Markdown tables in text, each as its rows
// (the header first, separator rows left out).
func markdownTables(text string) [][]tableRow {
	var tables [][]tableRow
	var rows []tableRow
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") {
			if len(rows) > 0 {
				tables, rows = append(tables, rows), nil
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		sep := true
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
			if strings.Trim(cells[j], "-: ") != "" {
				sep = false
			}
		}
		if !sep {
			rows = append(rows, tableRow{line: i + 1, cells: cells})
		}
	}
	if len(rows) > 0 {
		tables = append(tables, rows)
	}
	return tables
}

// jsonShapeDiff returns how got's shape differs from want's: the keys of
// every object, the JSON type of every value, arrays by their first element.
func jsonShapeDiff(path string, want, got any) []string {
	kind := func(v any) string {
		switch v.(type) {
		case nil:
			return "null"
		case bool:
			return "boolean"
		case float64, json.Number:
			return "number"
		case string:
			return "string"
		case []any:
			return "array"
		case map[string]any:
			return "object"
		}
		return fmt.Sprintf("%T", v)
	}
	if kind(want) != kind(got) {
		return []string{fmt.Sprintf("%s: the README shows a %s, the server answers a %s (%s)", path, kind(want), kind(got), compactJSON(got))}
	}
	var diffs []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for _, k := range sortedKeysOf(w) {
			if _, ok := g[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: documented, but missing from the answer", path, k))
				continue
			}
			diffs = append(diffs, jsonShapeDiff(path+"."+k, w[k], g[k])...)
		}
		for _, k := range sortedKeysOf(g) {
			if _, ok := w[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: in the answer (%s), but not in the README example", path, k, compactJSON(g[k])))
			}
		}
	case []any:
		g := got.([]any)
		switch {
		case len(w) == 0:
		case len(g) == 0:
			diffs = append(diffs, fmt.Sprintf("%s: the README shows elements, the answer is empty", path))
		default:
			diffs = append(diffs, jsonShapeDiff(path+"[0]", w[0], g[0])...)
		}
	}
	return diffs
}

func sortedKeysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// compactJSON is v as short JSON for a failure message.
func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		return string(b[:117]) + "..."
	}
	return string(b)
}

// shorten is the start of an answer's body for a failure message.
func shorten(body []byte) string {
	if len(body) > 600 {
		return string(body[:600]) + fmt.Sprintf("... (%d bytes)", len(body))
	}
	return string(body)
}

// startREADMEServer runs `folio serve` through run() on a free loopback
// port, over an index it builds from a copy of testdata/articles, with
// readmeAdminKey as its admin key, and returns its base URL.
func startREADMEServer(t *testing.T) string {
	t.Helper()
	cfg := isolate(t)
	src := copyAllArticles(t)
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	addr := freeAddr(t)
	t.Setenv("FOLIO_INDEX_SOURCES", src)
	t.Setenv("FOLIO_SERVER_ADMIN_KEYS", readmeAdminKey)
	t.Setenv("FOLIO_LOG_LEVEL", "warn")

	ctx, cancel := context.WithCancel(t.Context())
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--config", cfg, "serve", "--index", ix, "--addr", addr}, io.Discard, &stderr)
	}()
	t.Cleanup(func() { stopServe(t, cancel, done, &stderr) })
	base := "http://" + addr
	waitHealthy(t, base, done)
	return base
}

// TestREADMEExamples runs the README's curl examples against a real server
// and compares the answers with the documented ones (see the top of this file).
func TestREADMEExamples(t *testing.T) {
	raw, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	examples, err := readmeExamples(text)
	if err != nil {
		t.Fatal(err)
	}
	statuses, err := readmeErrorStatuses(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) < 5 {
		t.Fatalf("found %d curl examples in README.md, expected at least 5: is the parser still reading the fenced ```sh blocks?", len(examples))
	}
	base := startREADMEServer(t)
	client := &http.Client{Timeout: 15 * time.Second}
	checkREADMEErrorCodes(t, client, base, statuses)
	ran, skipped := 0, 0
	for _, ex := range examples {
		where := fmt.Sprintf("README.md:%d: %s", ex.line, ex.command)
		if ex.skip != "" {
			skipped++
			t.Logf("%s: skipped (%s)", where, ex.skip)
			continue
		}
		ran++
		checkREADMEExample(t, client, base, where, ex, statuses)
	}
	t.Logf("README.md: %d curl examples run, %d skipped by readme-test markers", ran, skipped)
}

// checkREADMEExample sends one example and checks its status and answer.
func checkREADMEExample(t *testing.T, client *http.Client, base, where string, ex readmeExample, statuses map[string]int) {
	t.Helper()
	var want any
	wantStatus := 0 // 0: any 2xx
	if ex.response != "" {
		dec := json.NewDecoder(strings.NewReader(ex.response))
		if err := dec.Decode(&want); err != nil {
			t.Errorf("README.md:%d: the example answer of %s is not valid JSON: %v", ex.responseLine, where, err)
			return
		}
		if code, ok := errorCode(want); ok {
			s, known := statuses[code]
			if !known {
				t.Errorf("README.md:%d: the example answer has error code %q, which the Errors table does not list", ex.responseLine, code)
				return
			}
			wantStatus = s
		}
	}
	req, err := http.NewRequestWithContext(t.Context(), ex.req.method, base+strings.TrimPrefix(ex.req.url, readmeBase), strings.NewReader(ex.req.body))
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	req.Header = ex.req.headers.Clone()
	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	if err != nil {
		t.Errorf("%s: read answer: %v", where, err)
		return
	}
	switch {
	case wantStatus == 0 && (resp.StatusCode < 200 || resp.StatusCode > 299):
		t.Errorf("%s: status %d, want 2xx (the README documents no error for it): %s", where, resp.StatusCode, shorten(body))
		return
	case wantStatus != 0 && resp.StatusCode != wantStatus:
		t.Errorf("%s: status %d, want %d (the status the Errors table gives the example's code): %s", where, resp.StatusCode, wantStatus, shorten(body))
		return
	}
	isJSON := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")
	if want == nil || ex.req.method == http.MethodHead {
		if isJSON && ex.req.method != http.MethodHead && !json.Valid(body) {
			t.Errorf("%s: the answer says it is JSON but is not: %s", where, shorten(body))
		}
		return
	}
	var got any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Errorf("%s: the answer is not JSON (%v), the README documents JSON at line %d: %s", where, err, ex.responseLine, shorten(body))
		return
	}
	for _, d := range jsonShapeDiff("$", want, got) {
		t.Errorf("%s: answer differs from the example at README.md:%d: %s", where, ex.responseLine, d)
	}
	if _, ok := errorCode(want); ok { // clients match on an error's code, message and param
		we, ge := want.(map[string]any)["error"], got.(map[string]any)["error"]
		if !reflect.DeepEqual(we, ge) {
			wb, _ := json.Marshal(we)
			gb, _ := json.Marshal(ge)
			t.Errorf("%s: error differs from the example at README.md:%d:\nREADME: %s\nserver: %s", where, ex.responseLine, wb, gb)
		}
	}
}

// checkREADMEErrorCodes fails for a code of the README's Errors table that
// the server's /openapi.json does not list among its error codes.
func checkREADMEErrorCodes(t *testing.T, client *http.Client, base string, statuses map[string]int) {
	t.Helper()
	resp, err := client.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Components struct {
			Schemas struct {
				Error struct {
					Properties struct {
						Error struct {
							Properties struct {
								Code struct {
									Enum []string `json:"enum"`
								} `json:"code"`
							} `json:"properties"`
						} `json:"error"`
					} `json:"properties"`
				} `json:"Error"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("GET /openapi.json: %v", err)
	}
	known := map[string]bool{}
	for _, c := range doc.Components.Schemas.Error.Properties.Error.Properties.Code.Enum {
		known[c] = true
	}
	if len(known) == 0 {
		t.Fatal("/openapi.json lists no error codes at components.schemas.Error.properties.error.properties.code.enum")
	}
	for code := range statuses {
		if !known[code] {
			t.Errorf("README.md's Errors table lists code %q, which /openapi.json's Error schema does not", code)
		}
	}
}

// errorCode returns the code of an error answer {"error": {"code": …}}.
func errorCode(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	e, ok := m["error"].(map[string]any)
	if !ok {
		return "", false
	}
	code, ok := e["code"].(string)
	return code, ok
}

// TestREADMEConfigTables checks the README's configuration tables (every
// table whose first columns are "key" and "default") against `folio config`:
// every key exists, its default is the one printed, its env column names its
// variable, and every key printed is documented in one of the tables.
func TestREADMEConfigTables(t *testing.T) {
	raw, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := isolate(t)
	var printed map[string]any
	if err := yaml.Unmarshal([]byte(mustRun(t, "--config", cfg, "config")), &printed); err != nil {
		t.Fatal(err)
	}
	actual := map[string]any{}
	flattenConfig("", printed, actual)

	documented := map[string]bool{}
	tables := 0
	for _, table := range markdownTables(string(raw)) {
		header := table[0].cells
		if len(header) < 2 || header[0] != "key" || header[1] != "default" {
			continue
		}
		tables++
		for _, row := range table[1:] {
			checkConfigRow(t, header, row, actual, documented)
		}
	}
	if tables < 2 {
		t.Errorf("README.md has %d tables with the columns key | default, want 2 (Configuration and Limits)", tables)
	}
	for _, key := range sortedKeysOf(actual) {
		if !documented[key] {
			t.Errorf("README.md: `%s` (printed by folio config) is in none of the README's key | default tables", key)
		}
	}
}

// remarkRE matches a parenthesised remark after a default ("0 (off)").
var remarkRE = regexp.MustCompile(`\s*\(.*\)$`)

// checkConfigRow checks one row of a key | default table against folio config's values.
func checkConfigRow(t *testing.T, header []string, row tableRow, actual map[string]any, documented map[string]bool) {
	t.Helper()
	where := fmt.Sprintf("README.md:%d", row.line)
	if len(row.cells) != len(header) {
		t.Errorf("%s: %d cells, the table's header has %d", where, len(row.cells), len(header))
		return
	}
	keys := backticked(row.cells[0])
	defaults := backticked(row.cells[1])
	if len(defaults) == 0 {
		for _, d := range strings.Split(row.cells[1], " / ") {
			defaults = append(defaults, strings.TrimSpace(remarkRE.ReplaceAllString(d, "")))
		}
	}
	if len(keys) == 0 || len(keys) != len(defaults) {
		t.Errorf("%s: %d keys %q but %d defaults %q: write one default per key (`a`, `b` / `1`, `2`, or a / b)", where, len(keys), keys, len(defaults), defaults)
		return
	}
	for i, key := range keys {
		documented[key] = true
		v, ok := actual[key]
		if !ok {
			t.Errorf("%s: `%s` is not a configuration key (folio config does not print it)", where, key)
			continue
		}
		if !sameDefault(defaults[i], v) {
			t.Errorf("%s: `%s` defaults to %q in the README, folio config prints %v", where, key, defaults[i], v)
		}
	}
	if len(header) > 2 && header[2] == "env" && len(keys) == 1 {
		env := "FOLIO_" + strings.ToUpper(strings.ReplaceAll(keys[0], ".", "_"))
		if got := backticked(row.cells[2]); len(got) != 1 || got[0] != env {
			t.Errorf("%s: env of `%s` is %s, want `%s`", where, keys[0], row.cells[2], env)
		}
	}
}

var backtickRE = regexp.MustCompile("`([^`]*)`")

// backticked returns the `code` spans of a table cell.
func backticked(cell string) []string {
	var out []string
	for _, m := range backtickRE.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

// flattenConfig turns the nested YAML of `folio config` into "section.key" -> value.
func flattenConfig(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flattenConfig(prefix+k+".", sub, out)
			continue
		}
		out[prefix+k] = v
	}
}

// sameDefault reports whether the README's default doc (as written in a
// table: `10 MiB`, `120s`, `[a, b]`, `""`) is the value folio config prints.
func sameDefault(doc string, v any) bool {
	doc = strings.TrimSpace(doc)
	switch v := v.(type) {
	case []any:
		if !strings.HasPrefix(doc, "[") || !strings.HasSuffix(doc, "]") {
			return false
		}
		var items []string
		if inner := strings.TrimSpace(doc[1 : len(doc)-1]); inner != "" {
			for _, s := range strings.Split(inner, ",") {
				items = append(items, strings.TrimSpace(s))
			}
		}
		if len(items) != len(v) {
			return false
		}
		for i := range items {
			if items[i] != fmt.Sprint(v[i]) {
				return false
			}
		}
		return true
	case int:
		n, ok := parseSize(doc)
		return ok && n == int64(v)
	case float64:
		f, err := strconv.ParseFloat(doc, 64)
		return err == nil && f == v
	case bool:
		return doc == strconv.FormatBool(v)
	case string:
		if d, err := time.ParseDuration(v); err == nil {
			dd, err := time.ParseDuration(doc)
			return err == nil && dd == d
		}
		if doc == `""` {
			return v == ""
		}
		return doc == v
	}
	return false
}

// parseSize reads an integer, with thousands separators or a KiB/MiB/GiB unit.
func parseSize(s string) (int64, bool) {
	mult := int64(1)
	for unit, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, unit) {
			s, mult = strings.TrimSuffix(s, unit), m
		}
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), 10, 64)
	return n * mult, err == nil
}

// TestREADMEParsing checks the README parser of TestREADMEExamples on a
// made-up README: curl commands, continuations, $KEY, skip markers and the
// pairing of a shell block with the JSON block under it.
func TestREADMEParsing(t *testing.T) {
	readme := strings.Join([]string{
		"# Title", // 1
		"```sh",   // 2
		"curl -s 'http://127.0.0.1:8080/api/search?q=a+b'",                           // 3
		"curl -s -X PUT -H \"Authorization: Bearer $KEY\" -d '{\"title\":\"x\"}' \\", // 4
		"     http://127.0.0.1:8080/api/articles/x",                                  // 5
		"```",      // 6
		"",         // 7
		"```json",  // 8
		`{"a": 1}`, // 9
		"```",      // 10
		"<!-- readme-test: skip (rebuilds the index) -->", // 11
		"  ```sh", // 12
		"  curl -s -X POST -H \"Authorization: Bearer $KEY\" http://127.0.0.1:8080/api/admin/rebuild", // 13
		"  ```",        // 14
		"text between", // 15
		"```json",      // 16
		`{"b": 2}`,     // 17
		"```",          // 18
		"```sh",        // 19
		"curl -s -G --data-urlencode 'q=\"Diamond Hexagon\"' http://127.0.0.1:8080/api/search", // 20
		"```", // 21
	}, "\n")
	got, err := readmeExamples(readme)
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		Line         int
		Skip         string
		Method, URL  string
		Auth, Body   string
		Response     string
		ResponseLine int
	}
	var sums []summary
	for _, ex := range got {
		sums = append(sums, summary{ex.line, ex.skip, ex.req.method, ex.req.url, ex.req.headers.Get("Authorization"), ex.req.body, ex.response, ex.responseLine})
	}
	want := []summary{
		{Line: 3, Method: "GET", URL: "http://127.0.0.1:8080/api/search?q=a+b", Response: `{"a": 1}`, ResponseLine: 9},
		{Line: 4, Method: "PUT", URL: "http://127.0.0.1:8080/api/articles/x", Auth: "Bearer " + readmeAdminKey, Body: `{"title":"x"}`, Response: `{"a": 1}`, ResponseLine: 9},
		{Line: 13, Skip: "rebuilds the index"},
		{Line: 20, Method: "GET", URL: "http://127.0.0.1:8080/api/search?q=%22Diamond+Hexagon%22"},
	}
	if diff := cmp.Diff(want, sums); diff != "" {
		t.Errorf("readmeExamples (-want +got):\n%s", diff)
	}

	for cmd, want := range map[string]curlRequest{
		"curl -sSXPUT -d x http://127.0.0.1:8080/api/articles/a":                                                      {method: "PUT", url: "http://127.0.0.1:8080/api/articles/a", body: "x"},
		"curl -sI http://127.0.0.1:8080/healthz":                                                                      {method: "HEAD", url: "http://127.0.0.1:8080/healthz"},
		"curl -s -I -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/healthz":                                     {method: "HEAD", url: "http://127.0.0.1:8080/healthz"},
		`curl -s --json '{"dest":"/tmp/b"}' -H "Authorization: Bearer ${KEY}" http://127.0.0.1:8080/api/admin/backup`: {method: "POST", url: "http://127.0.0.1:8080/api/admin/backup", body: `{"dest":"/tmp/b"}`},
	} {
		got, err := parseCurl(cmd, map[string]string{"KEY": "k"})
		if err != nil {
			t.Errorf("parseCurl(%s): %v", cmd, err)
			continue
		}
		got.headers = nil
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(curlRequest{})); diff != "" {
			t.Errorf("parseCurl(%s) (-want +got):\n%s", cmd, diff)
		}
	}

	for _, bad := range []struct{ readme, want string }{
		{"```sh\ncurl -s -F a=b http://127.0.0.1:8080/healthz\n```", "README.md:2: curl -s -F a=b http://127.0.0.1:8080/healthz: curl option -F is not supported"},
		{"```sh\ncurl -s http://example.com/healthz\n```", "does not start with http://127.0.0.1:8080/"},
		{"```sh\ncurl -s -H \"X: $TOKEN\" http://127.0.0.1:8080/healthz\n```", "unknown shell variable $TOKEN"},
		{"```sh\ncurl -s http://127.0.0.1:8080/healthz | jq .\n```", "shell operator '|' is not supported"},
		{"<!-- readme-test: skip -->\n```sh\ncurl -s http://127.0.0.1:8080/healthz\n```", "README.md:1: readme-test: skip needs a reason"},
		{"<!-- readme-test: skipp (typo) -->\n```sh\ncurl -s http://127.0.0.1:8080/healthz\n```", "README.md:1: unknown readme-test directive"},
		{"<!-- readme-test skip (no colon) -->\n", "README.md:1: malformed readme-test marker"},
		{"```sh\ncurl -s http://127.0.0.1:8080/healthz\n", "README.md:1: fenced block is never closed"},
		{"<!-- readme-test: skip (why) -->\nprose\n```sh\ncurl -s http://127.0.0.1:8080/healthz\n```", "README.md:1: readme-test marker is not followed by a fenced block"},
	} {
		if _, err := readmeExamples(bad.readme); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("readmeExamples(%q) = %v, want an error containing %q", bad.readme, err, bad.want)
		}
	}
}

// TestJSONShapeDiff checks the shape comparison of TestREADMEExamples.
func TestJSONShapeDiff(t *testing.T) {
	decode := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name, want, got string
		diffs           []string
	}{
		{"same shape, other values", `{"a": 1, "b": "x", "c": [{"d": true}], "e": []}`, `{"a": 2.5, "b": "", "c": [{"d": false}, {"x": 1}], "e": ["y"]}`, nil},
		{"missing key", `{"a": 1, "b": {"c": 1}}`, `{"a": 1, "b": {}}`, []string{"$.b.c: documented, but missing from the answer"}},
		{"undocumented key", `{"a": 1}`, `{"a": 1, "z": [1]}`, []string{"$.z: in the answer ([1]), but not in the README example"}},
		{"other type", `{"a": [{"b": 1}]}`, `{"a": [{"b": "1"}]}`, []string{`$.a[0].b: the README shows a number, the server answers a string ("1")`}},
		{"empty answer array", `{"hits": [{"id": "x"}]}`, `{"hits": []}`, []string{"$.hits: the README shows elements, the answer is empty"}},
		{"null", `{"a": null}`, `{"a": {}}`, []string{"$.a: the README shows a null, the server answers a object ({})"}},
	} {
		if diff := cmp.Diff(tc.diffs, jsonShapeDiff("$", decode(tc.want), decode(tc.got))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
