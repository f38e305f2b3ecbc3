package article

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets below check the parsers' contract on arbitrary input: no
// panic, and every outcome is either a valid article or an *InputError that
// names its file, a line inside the input and a reason. Seeds live in
// testdata/fuzz/<FuzzName>/ (go test's layout) beside the f.Add calls.

// checkRecord fails t unless r is a valid article or a well-formed problem.
func checkRecord(t *testing.T, r Record, path string, lines int) {
	t.Helper()
	if r.Err != nil {
		e := r.Err
		if e.Path != path || e.Reason == "" || e.Message == "" {
			t.Fatalf("malformed InputError %+v", e)
		}
		if e.Line < 0 || e.Line > lines+1 {
			t.Fatalf("InputError line %d outside the input's %d lines: %v", e.Line, lines, e)
		}
		if !errors.Is(e, ErrInvalidArticle) {
			t.Fatalf("InputError %v does not wrap ErrInvalidArticle", e)
		}
		return
	}
	a := r.Article
	if err := a.Validate(); err != nil {
		t.Fatalf("parser returned an invalid article %+v: %v", a, err)
	}
	for _, s := range []string{a.ID, a.Title, a.Body, a.URL, a.Source, a.Author} {
		if !utf8.ValidString(s) {
			t.Fatalf("parser returned invalid UTF-8 %q", s)
		}
	}
}

func FuzzParseText(f *testing.F) {
	for _, s := range []string{
		"Title: Hello\nDate: Dec 4, 2024\n\nBody line one.\nLine two.\n",
		"\xef\xbb\xbfTitle: Hello\r\nDate: 2024-12-04\r\n\r\nBody.\r\n",
		"TITLE: T\ndate: 4 December 2024\nId: my-id\nurl: https://x.example/a\nTags: one, two ,,three\n\nB",
		"Title: T\nDate: 01/02/2024\n\nB",
		"Title: T\nTitle: U\n\nB",
		"Just some text\n",
		"Title: \xff\xfe\nDate: 9999-01-01\n\n\x00",
		"",
	} {
		f.Add([]byte(s))
	}
	p := &Parser{Dates: DefaultDateParser()}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := p.ParseText(b, "in.txt", "in")
		r := Record{Article: a}
		if err != nil {
			r = Record{Err: err}
		}
		checkRecord(t, r, "in.txt", bytes.Count(b, []byte("\n"))+1)
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","title":"T","date":"2024-12-04","body":"B","tags":["x","y"]}`,
		`[{"title":"T"},{"title":"U","date":"Dec 4, 2024"}]`,
		"{\"title\":\"T\"}\n{\"title\": 3}\n\n{broken\n",
		`[{"title":"T"}, 1, "x", null, {"title":"U","extra":{"a":[1,2]}}]`,
		`{"title":"T","date":"01/02/2024"}`,
		`{"title":"","body":""}`,
		`[`,
		"\xef\xbb\xbf[]",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	p := &Parser{Dates: DefaultDateParser()}
	f.Fuzz(func(t *testing.T, b []byte, lines bool) {
		fr := &Reader{Parser: p, Path: "in.json", ID: "in", Ignored: map[string]struct{}{}}
		Format := FormatJSON
		if lines {
			Format = FormatJSONL
		}
		n := bytes.Count(b, []byte("\n")) + 1
		err := fr.Read(bytes.NewReader(b), Format, false, func(r Record) error {
			checkRecord(t, r, "in.json", n)
			return nil
		})
		if err != nil {
			t.Fatalf("read returned %v; problems must be records", err)
		}
	})
}

func FuzzDateParse(f *testing.F) {
	for _, s := range []string{
		"2024-12-04", "Dec 4, 2024", "4 December 2024", "2024-12-04T10:00:00Z",
		"Wed, 04 Dec 2024 10:00:00 GMT", "04-DEC-2024 10:00:00", "01/02/2024",
		"1.2.2024", "9999-12-31", "0000-01-01", "", "   ", "\x00", "2024-02-30",
	} {
		f.Add(s)
	}
	parsers := []*DateParser{DefaultDateParser()}
	if p, err := NewDateParser("Europe/Paris", []string{"01/02/2006", "2006.01.02 15:04"}); err == nil {
		parsers = append(parsers, p)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range parsers {
			tm, err := p.Parse(s)
			if err != nil {
				if err.Error() == "" || !strings.Contains(err.Error(), "date") {
					t.Fatalf("Parse(%q): unhelpful error %q", s, err)
				}
				continue
			}
			if tm.Before(MinDate) || tm.After(MaxDate) {
				t.Fatalf("Parse(%q) = %v, outside [%v, %v]", s, tm, MinDate, MaxDate)
			}
			// Accepted dates must be usable as a range bound too.
			if _, _, err := p.ParseDay(s); err != nil {
				t.Fatalf("Parse(%q) accepted it, ParseDay rejected it: %v", s, err)
			}
		}
	})
}
