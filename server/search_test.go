package server

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const ironclad = "ironclad-friendship-cambodia"

func TestSearchDiamondHexagon(t *testing.T) {
	srv := realServer(t)
	for _, q := range []string{`"Diamond Hexagon"`, `Diamond Hexagon`} {
		t.Run(q, func(t *testing.T) {
			r := search(t, srv, url.Values{"q": {q}}.Encode())
			if r.Total == 0 || len(r.Hits) == 0 {
				t.Fatalf("q=%s: no hits", q)
			}
			if r.Query != q {
				t.Errorf("query = %q, want %q", r.Query, q)
			}
			if r.Page != 1 || r.Size != 10 {
				t.Errorf("page, size = %d, %d, want 1, 10 (the defaults)", r.Page, r.Size)
			}
			top := r.Hits[0]
			if top.ID != ironclad {
				t.Fatalf("q=%s: ids %v, want %s first", q, ids(r.Hits), ironclad)
			}
			if top.Date != "2024-12-04" || !strings.HasPrefix(top.Datetime, "2024-12-04T") {
				t.Errorf("date, datetime = %q, %q, want 2024-12-04 and an RFC 3339 time that day", top.Date, top.Datetime)
			}
			if _, err := time.Parse(time.RFC3339, top.Datetime); err != nil {
				t.Errorf("datetime %q is not RFC 3339: %v", top.Datetime, err)
			}
			const want = "<mark>Diamond Hexagon</mark>"
			if !slices.ContainsFunc(top.Highlights.Body, func(s string) bool { return strings.Contains(s, want) }) {
				t.Errorf("q=%s: no body snippet contains %q; body snippets %q", q, want, top.Highlights.Body)
			}
			if r.TookMS < 0 {
				t.Errorf("took_ms = %v, want >= 0", r.TookMS)
			}
		})
	}
}

func TestSearchDateRange(t *testing.T) {
	srv := realServer(t)
	tests := []struct {
		name     string
		from, to string
		included bool
	}{
		{"from the next day", "2024-12-05", "", false},
		{"to the same day", "", "2024-12-04", true},
		{"to the day before", "", "2024-12-03", false},
		{"that day in words", "Dec 4, 2024", "Dec 4, 2024", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{"q": {"Diamond Hexagon"}}
			if tt.from != "" {
				v.Set("from", tt.from)
			}
			if tt.to != "" {
				v.Set("to", tt.to)
			}
			r := search(t, srv, v.Encode())
			got := slices.Contains(ids(r.Hits), ironclad)
			if got != tt.included {
				t.Fatalf("%s: %s among hits = %v, want %v; ids %v", v.Encode(), ironclad, got, tt.included, ids(r.Hits))
			}
			if tt.included && r.Hits[0].ID != ironclad {
				t.Errorf("%s: ids %v, want %s first", v.Encode(), ids(r.Hits), ironclad)
			}
		})
	}
}

// markup finds every tag-like sequence in a snippet.
var markup = regexp.MustCompile(`<[^>]*>?`)

func TestSearchSnippetsEscapeMarkup(t *testing.T) {
	srv := realServer(t)
	r := search(t, srv, url.Values{"q": {"syndicated feed"}}.Encode())
	if !slices.Contains(ids(r.Hits), "security-advisory-script-tags") {
		t.Fatalf("ids %v, want security-advisory-script-tags among them", ids(r.Hits))
	}
	escaped := false
	for _, h := range r.Hits {
		for _, s := range slices.Concat(h.Highlights.Title, h.Highlights.Body) {
			if strings.Contains(s, "<script") {
				t.Errorf("hit %s: snippet has a raw <script>: %q", h.ID, s)
			}
			for _, tag := range markup.FindAllString(s, -1) {
				if tag != "<mark>" && tag != "</mark>" {
					t.Errorf("hit %s: snippet has markup %q other than <mark>: %q", h.ID, tag, s)
				}
			}
			if h.ID == "security-advisory-script-tags" && strings.Contains(s, "&lt;script&gt;") {
				escaped = true
			}
		}
	}
	if !escaped {
		t.Errorf("no snippet of security-advisory-script-tags shows &lt;script&gt;: %+v", r.Hits)
	}
}

func TestSearchBrowseNewestFirst(t *testing.T) {
	srv := realServer(t)
	files := countArticleFiles(t)
	var all []hitJSON
	for page := 1; ; page++ {
		v := url.Values{"size": {"100"}, "page": {strconv.Itoa(page)}}
		r := search(t, srv, v.Encode())
		if r.Total != uint64(files) {
			t.Fatalf("empty q: total %d, want %d (every article)", r.Total, files)
		}
		if r.Page != page || r.Size != 100 {
			t.Fatalf("page, size = %d, %d, want %d, 100", r.Page, r.Size, page)
		}
		if len(r.Hits) == 0 {
			break
		}
		all = append(all, r.Hits...)
	}
	if len(all) != files {
		t.Fatalf("paged through %d hits, want %d", len(all), files)
	}
	var prev time.Time
	undated := false
	for i, h := range all {
		if h.Date == "" {
			if h.Datetime != "" {
				t.Errorf("hit %d %s: date empty but datetime %q", i, h.ID, h.Datetime)
			}
			undated = true
			continue
		}
		if undated {
			t.Fatalf("hit %d %s (%s) comes after an undated article; undated ones must be last", i, h.ID, h.Datetime)
		}
		d, err := time.Parse(time.RFC3339, h.Datetime)
		if err != nil {
			t.Fatalf("hit %d %s: datetime %q: %v", i, h.ID, h.Datetime, err)
		}
		if i > 0 && d.After(prev) {
			t.Errorf("hit %d %s (%s) is newer than the one before (%s)", i, h.ID, h.Datetime, prev.Format(time.RFC3339))
		}
		prev = d
	}
	if last := all[len(all)-1]; last.ID != "archive-migration-undated" {
		t.Errorf("last hit %s, want archive-migration-undated (the only undated article)", last.ID)
	}
	seen := map[string]bool{}
	for _, h := range all {
		if seen[h.ID] {
			t.Errorf("id %s appears on two pages", h.ID)
		}
		seen[h.ID] = true
	}
}

func TestSearchPastTheLastPage(t *testing.T) {
	srv := realServer(t)
	rec := do(t, srv, http.MethodGet, "/api/search?q=Diamond+Hexagon&page=50")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if !strings.Contains(rec.Body.String(), `"hits":[]`) {
		t.Errorf("body %s, want \"hits\":[]", rec.Body)
	}
}

func TestHealthz(t *testing.T) {
	srv := realServer(t)
	rec := do(t, srv, http.MethodGet, "/healthz")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	var got struct {
		Status    string `json:"status"`
		Documents int    `json:"documents"`
	}
	decodeJSON(t, rec, &got)
	want := got
	want.Status, want.Documents = "ok", countArticleFiles(t)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET /healthz (-want +got):\n%s\ningest problems: %q", diff, shared.problems)
	}
}

// TestArticleIsPlainJSONText: GET /api/articles/:id is JSON whose strings
// are plain text: the title's "<script>" is escaped by encoding/json, the
// HTML body arrives as its text (no script, no handler, entities decoded).
func TestArticleIsPlainJSONText(t *testing.T) {
	srv := realServer(t)
	rec := do(t, srv, http.MethodGet, "/api/articles/security-advisory-script-tags")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "<script>") {
		t.Errorf("raw <script> in the JSON bytes; encoding/json should write \\u003cscript\\u003e: %s", rec.Body)
	}
	var got articleJSON
	decodeJSON(t, rec, &got)
	want := articleJSON{
		ID:       "security-advisory-script-tags",
		Title:    "Portal security advisory: <script> tags in syndicated feeds",
		Date:     "2024-11-20",
		Datetime: "2024-11-20T00:00:00Z",
		// The body holds HTML elements, so it is stored as its text (README
		// "HTML inside a body"); the title is no body and keeps its markup.
		Body: "A syndicated feed delivered this body verbatim: and an image tag that must never run. " +
			"Renderers must escape markup such as bold & entities like & before showing any snippet.",
		Source: "Intranet Security Team",
		Author: "J. Doe",
		Tags:   []string{"security", "xss", "feeds"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET /api/articles/security-advisory-script-tags (-want +got):\n%s", diff)
	}
}

func countArticleFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir(articlesDir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Type().IsRegular() {
			n++
		}
	}
	return n
}
