package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
)

const mappingGolden = "testdata/mapping.golden.json"

var updateMapping = flag.Bool("update", false, "rewrite "+mappingGolden+" with the mappings the code builds now")

// TestMappingUnchanged: the mapping of every language, with and without
// extra keyword fields, is the one indexes of MappingVersion were built
// with. A change on purpose bumps MappingVersion and rewrites the golden
// file with -update; a change by accident fails here.
func TestMappingUnchanged(t *testing.T) {
	got := map[string]json.RawMessage{}
	for _, lang := range Languages() {
		for _, kw := range [][]string{nil, {"topics", "places"}} {
			m, err := NewMapping(lang, kw)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			got[strings.Join(append([]string{lang}, kw...), "+")] = b
		}
	}
	b, err := json.MarshalIndent(map[string]any{"mapping_version": MappingVersion, "mappings": got}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *updateMapping {
		if err := os.WriteFile(filepath.FromSlash(mappingGolden), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(filepath.FromSlash(mappingGolden))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("the mapping differs from %s: bump MappingVersion if that is meant, then run with -update", mappingGolden)
	}
}

// TestUnknownLanguage: only the listed languages have analyzers.
func TestUnknownLanguage(t *testing.T) {
	if got := LanguageNames(); got != "cjk, en, standard" {
		t.Errorf("LanguageNames() = %q", got)
	}
	if Analyzer("xx") != "" || Analyzer("en") == "" {
		t.Errorf(`Analyzer("xx") = %q, Analyzer("en") = %q`, Analyzer("xx"), Analyzer("en"))
	}
}

// TestDayNumber counts whole UTC days, rounding down before 1970.
func TestDayNumber(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		want int64
	}{
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{time.Date(1970, 1, 1, 23, 59, 59, 0, time.UTC), 0},
		{time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC), 1},
		{time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), -1},
		{time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), -1},
		{time.Date(1969, 12, 30, 23, 0, 0, 0, time.UTC), -2},
		{time.Date(1987, 3, 1, 1, 0, 0, 0, time.FixedZone("", 2*3600)), 6267}, // 1987-02-28T23:00Z
	} {
		if got := DayNumber(tt.t); got != tt.want {
			t.Errorf("DayNumber(%v) = %d, want %d", tt.t, got, tt.want)
		}
	}
}

// TestDateFilterField: whole-day bounds filter on Day, others on Date.
func TestDateFilterField(t *testing.T) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		start, end time.Time
		field      string
	}{
		{day(1987, 3, 1), day(1987, 4, 1), Day},
		{time.Time{}, day(1987, 4, 1), Day},
		{day(1987, 3, 1), time.Time{}, Day},
		{day(1987, 3, 1).Add(time.Hour), day(1987, 4, 1), Date},
		{day(1987, 3, 1), day(1987, 4, 1).Add(time.Nanosecond), Date},
	} {
		q, ok := DateFilter(tt.start, tt.end).(query.FieldableQuery)
		if !ok || q.Field() != tt.field {
			t.Errorf("DateFilter(%v, %v) = %T on %v, want a filter on %q", tt.start, tt.end, q, q, tt.field)
		}
	}
}
