package article

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Groups come from a Groups header or a JSON "groups" field (array or
// comma-separated string), trimmed, lower-cased and deduplicated.
func TestGroupsParsed(t *testing.T) {
	p := &Parser{Dates: DefaultDateParser()}
	a, err := p.ParseText([]byte("Title: T\nGroups: HR, finance ,,hr\n\nB"), "a/f.txt", "f")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"hr", "finance"}, a.Groups); diff != "" {
		t.Errorf("text groups (-want +got):\n%s", diff)
	}
	arts, errs, _ := collect(t, `{"id":"a","title":"T","groups":["Legal","x.y_z-1"]}`+"\n"+`{"id":"b","title":"T","groups":"eng, ops"}`+"\n"+`{"id":"c","title":"T"}`, FormatJSONL)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := [][]string{arts[0].Groups, arts[1].Groups, arts[2].Groups}
	if diff := cmp.Diff([][]string{{"legal", "x.y_z-1"}, {"eng", "ops"}, nil}, got); diff != "" {
		t.Errorf("JSON groups (-want +got):\n%s", diff)
	}
}

// Bad groups are refused with the file, the line and what is accepted.
func TestGroupsRefused(t *testing.T) {
	p := &Parser{Dates: DefaultDateParser()}
	many := make([]string, MaxGroups+1)
	for i := range many {
		many[i] = fmt.Sprint("g", i)
	}
	for _, tt := range []struct{ name, in, want string }{
		{"space", "Title: T\nGroups: hr, human resources\n\nB", `a/f.txt:2: groups: group name "human resources" has the character ' '`},
		{"star", "Title: T\nGroups: *\n\nB", `a/f.txt:2: groups: group name "*" has the character '*'`},
		{"non-ascii", "Title: T\nGroups: équipe\n\nB", `a/f.txt:2: groups: group name "équipe" has the character 'é'`},
		{"too long", "Title: T\nGroups: " + strings.Repeat("g", MaxGroupBytes+1) + "\n\nB", "a/f.txt:2: groups: group name"},
		{"too many", "Title: T\nGroups: " + strings.Join(many, ",") + "\n\nB", "a/f.txt:2: groups: 65 groups, more than the 64 allowed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.ParseText([]byte(tt.in), "a/f.txt", "f")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !strings.Contains(err.Error(), "(letters a-z") {
				t.Errorf("error = %v, want it to start with %q and say what is accepted", err, tt.want)
			}
		})
	}
	_, errs, _ := collect(t, `{"id":"a","title":"T","groups":[1]}`+"\n"+`{"id":"b","title":"T","groups":["a b"]}`, FormatJSONL)
	want := []string{`in.json:1: field "groups" is an array (an array of group names or a comma-separated string)`, `in.json:2: groups: group name "a b" has the character ' '`}
	if len(errs) != 2 || errs[0] != want[0] || !strings.HasPrefix(errs[1], want[1]) {
		t.Errorf("JSON errors = %q, want %q", errs, want)
	}
	a := Article{ID: "x", Title: "T", Groups: []string{"HR"}}
	if err := a.Validate(); err == nil {
		t.Error("Validate accepted an upper-case group name")
	}
}
