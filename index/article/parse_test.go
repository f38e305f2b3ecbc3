package article

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseText(t *testing.T) {
	p := &Parser{Dates: DefaultDateParser()}
	dec4 := time.Date(2024, 12, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want Article
	}{
		{"minimal", "Title: Hello\nDate: Dec 4, 2024\n\nBody line one.\nLine two.\n",
			Article{ID: "f", Title: "Hello", Date: dec4, Body: "Body line one.\nLine two."}},
		{"crlf and bom", "\xef\xbb\xbfTitle: Hello\r\nDate: 2024-12-04\r\n\r\nBody.\r\nMore.\r\n",
			Article{ID: "f", Title: "Hello", Date: dec4, Body: "Body.\nMore."}},
		{"all headers, any case", "TITLE: T\ndate: 4 December 2024\nId: my-id\nurl: https://x.example/a\nSOURCE: Wire\nAuthor: A. B.\nTags: one, two ,,three\n\nB",
			Article{ID: "my-id", Title: "T", Date: dec4, Body: "B", URL: "https://x.example/a", Source: "Wire", Author: "A. B.", Tags: []string{"one", "two", "three"}}},
		{"title only", "Title: Flash\n", Article{ID: "f", Title: "Flash"}},
		{"no date", "Title: T\n\nBody", Article{ID: "f", Title: "T", Body: "Body"}},
		{"empty date", "Title: T\nDate:\n\nBody", Article{ID: "f", Title: "T", Body: "Body"}},
		{"colon in title", "Title: Flash: news at 22:00\n\nB", Article{ID: "f", Title: "Flash: news at 22:00", Body: "B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.ParseText([]byte(tt.in), "a/f.txt", "f")
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseText (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTextErrors(t *testing.T) {
	p := &Parser{Dates: DefaultDateParser()}
	tests := []struct{ name, in, want string }{
		{"no title", "Date: 2024-12-04\n\nBody", `a/f.txt:1: missing or empty Title header (a "Title: …" header before the first blank line)`},
		{"empty title", "Title:\n\nBody", `a/f.txt:1: missing or empty Title header (a "Title: …" header before the first blank line)`},
		{"body first", "Just some text\n", `a/f.txt:1: first line "Just some text" is not a header (a first line "Title: …", then other "Key: value" headers, a blank line and the body)`},
		{"bad header", "Title: T\nnot a header\n\nB", `a/f.txt:2: header line "not a header" is not "Key: value" (header lines up to the first blank line, then the body)`},
		{"unknown header", "Title: T\nColour: red\n\nB", `a/f.txt:2: unknown header "Colour" (Title, Date, ID, URL, Source, Author, Tags or Groups)`},
		{"duplicate header", "Title: T\nTitle: U\n\nB", `a/f.txt:2: duplicate Title header (first on line 1) (each header at most once)`},
		{"bad date", "Title: T\nDate: 01/02/2024\n\nB", `a/f.txt:2: ambiguous date "01/02/2024": day and month order is unknown (use 2024-12-04, or configure index.date_layouts such as 01/02/2006)`},
		{"empty id", "Title: T\nID:\n\nB", `a/f.txt:2: empty ID header (an id, or no ID header to use the file name)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.ParseText([]byte(tt.in), "a/f.txt", "f")
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

// collect reads in through a Reader and returns articles and problems.
func collect(t *testing.T, in string, f Format) ([]Article, []string, []string) {
	t.Helper()
	fr := &Reader{Parser: &Parser{Dates: DefaultDateParser()}, Path: "in.json", ID: "in", Ignored: map[string]struct{}{}}
	var arts []Article
	var errs []string
	err := fr.Read(strings.NewReader(in), f, false, func(r Record) error {
		if r.Err != nil {
			errs = append(errs, r.Err.Error())
		} else {
			arts = append(arts, r.Article)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return arts, errs, slices.Sorted(maps.Keys(fr.Ignored))
}

func TestReadJSONL(t *testing.T) {
	in := `{"id":"a","title":"A","date":"2024-12-04","body":"x","topics":["t"],"places":[]}
{"id":"b","title": oops}

{"title":"no id","body":"y","tags":"p, q"}
{"id":"c","title":"C","date":"yesterday"}
{"id":"d","title":"","body":""}
{"id":"e","title":7}
[1,2]
{"id":"f","body":"only a body","tags":["x"," y "],"date":null}
`
	arts, errs, ignored := collect(t, in, FormatJSONL)
	var ids []string
	for _, a := range arts {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"a", "in/4", "f"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	wantErrs := []string{
		"in.json:2: invalid JSON: invalid character 'o' looking for beginning of value (one JSON object)",
		`in.json:5: article "c": unrecognised date "yesterday" (accepted: 2024-12-04, Dec 4, 2024, December 4, 2024, 4 Dec 2024, 4 December 2024, RFC 3339 (2024-12-04T10:00:00Z), RFC 1123 (Wed, 04 Dec 2024 10:00:00 GMT), 04-DEC-2024 10:00:00)`,
		`in.json:6: article "d" has neither title nor body (a title or a body)`,
		`in.json:7: field "title" is a number (a string)`,
		`in.json:8: expected a JSON object, got array (an object such as {"id": "…", "title": "…", "date": "…", "body": "…"})`,
	}
	if diff := cmp.Diff(wantErrs, errs); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"places", "topics"}, ignored); diff != "" {
		t.Errorf("ignored fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"p", "q"}, arts[1].Tags); diff != "" {
		t.Errorf("string tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"x", "y"}, arts[2].Tags); diff != "" {
		t.Errorf("array tags (-want +got):\n%s", diff)
	}
}

func TestReadJSON(t *testing.T) {
	arts, errs, _ := collect(t, `{"title":"single","body":"b"}`, FormatJSON)
	if len(errs) != 0 || len(arts) != 1 || arts[0].ID != "in" {
		t.Errorf("single object: %+v %v", arts, errs)
	}
	arts, errs, _ = collect(t, "[\n {\"id\":\"x\",\"title\":\"X\"},\n {\"id\":\"y\",\"date\":\"bad\",\"title\":\"Y\"},\n {\"title\":\"Z\"}\n]", FormatJSON)
	if len(arts) != 2 || arts[0].ID != "x" || arts[1].ID != "in/3" {
		t.Errorf("array articles: %+v", arts)
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], `in.json:3: article "y": unrecognised date "bad"`) {
		t.Errorf("array problems: %v", errs)
	}
	arts, errs, _ = collect(t, "[\n {\"id\":\"x\",\"title\":\"X\"},\n {\"id\": }\n]", FormatJSON)
	if len(arts) != 1 || len(errs) != 1 || !strings.HasPrefix(errs[0], "in.json:3: invalid JSON: invalid character '}'") {
		t.Errorf("syntax error in array: %+v %v", arts, errs)
	}
	_, errs, _ = collect(t, "  ", FormatJSON)
	if len(errs) != 1 || errs[0] != "in.json: empty file" {
		t.Errorf("empty file: %v", errs)
	}
}

func TestFormatAndStem(t *testing.T) {
	tests := []struct {
		path string
		f    Format
		gz   bool
		stem string
	}{
		{"a/b.txt", FormatText, false, "a/b"},
		{"notes.MD", FormatText, false, "notes"},
		{"x.json.gz", FormatJSON, true, "x"},
		{"articles.jsonl.gz", FormatJSONL, true, "articles"},
		{"feed.ndjson", FormatJSONL, false, "feed"},
		{"image.png", FormatUnknown, false, "image"},
	}
	for _, tt := range tests {
		f, gz := FormatOf(tt.path)
		if f != tt.f || gz != tt.gz || Stem(tt.path) != tt.stem {
			t.Errorf("%s: Format %v gz %v stem %q", tt.path, f, gz, Stem(tt.path))
		}
	}
}

// TestReadJSONEmptyBody: ReadJSON called directly (as the write API does,
// without Read's empty-file check) reports an empty or blank body as an
// empty input instead of panicking.
func TestReadJSONEmptyBody(t *testing.T) {
	for _, body := range []string{"", " \n\t", "\xef\xbb\xbf "} {
		fr := &Reader{Parser: &Parser{Dates: DefaultDateParser()}, Path: "request", Ignored: map[string]struct{}{}}
		var got []Record
		if err := fr.ReadJSON([]byte(body), func(r Record) error { got = append(got, r); return nil }); err != nil {
			t.Fatalf("ReadJSON(%q) = %v", body, err)
		}
		if len(got) != 1 || got[0].Err == nil || got[0].Err.Reason != "empty file" {
			t.Errorf("ReadJSON(%q) emitted %+v, want one empty-file problem", body, got)
		}
	}
}
