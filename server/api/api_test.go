package api

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOnlyStandardLibrary: the wire types are shared with clients
// (the CLI), so the package stays free of echo, bleve and Folio's packages.
func TestImportsOnlyStandardLibrary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s: server/api may import only the standard library", f, p)
			}
		}
	}
}

// TestWireJSON pins the bytes of each type as encoding/json (and so echo's
// c.JSON) writes them: field order and omitempty are part of the API.
func TestWireJSON(t *testing.T) {
	zero, three := 0, 3
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"search", SearchResponse{Query: "q", Total: 1, TookMS: 1.5, Page: 1, Size: 10, Hits: []Hit{{
			ID: "a", Title: "T", Date: "2024-01-02", Datetime: "2024-01-02T00:00:00Z", Tags: []string{},
			Score: 2, Highlights: Highlights{Title: []string{}, Body: []string{"<mark>q</mark>"}},
		}}, Cursor: "c"},
			`{"query":"q","total":1,"took_ms":1.5,"page":1,"size":10,"hits":[{"id":"a","title":"T","date":"2024-01-02","datetime":"2024-01-02T00:00:00Z","url":"","source":"","author":"","tags":[],"score":2,"highlights":{"title":[],"body":["\u003cmark\u003eq\u003c/mark\u003e"]}}],"cursor":"c","suggestion":""}`},
		{"search facets and keywords", SearchResponse{Hits: []Hit{{Keywords: map[string][]string{"desk": {"x"}}}},
			Facets: []Facet{{Field: "date", Interval: "year", Buckets: []FacetBucket{{Value: "2024", Count: 2}}}, {Field: "tags", Buckets: []FacetBucket{}}}},
			`{"query":"","total":0,"took_ms":0,"page":0,"size":0,"hits":[{"id":"","title":"","date":"","datetime":"","url":"","source":"","author":"","tags":null,"keywords":{"desk":["x"]},"score":0,"highlights":{"title":null,"body":null}}],"cursor":"","suggestion":"","facets":[{"field":"date","interval":"year","buckets":[{"value":"2024","count":2}]},{"field":"tags","buckets":[]}]}`},
		{"article", Article{ID: "a", Tags: []string{"t"}},
			`{"id":"a","title":"","date":"","datetime":"","body":"","url":"","source":"","author":"","tags":["t"]}`},
		{"article marked", Article{ID: "a", Tags: []string{}, Marked: &Marked{Title: "<mark>T</mark>", Body: "b"}, Keywords: map[string][]string{"k": {"v"}}},
			`{"id":"a","title":"","date":"","datetime":"","body":"","url":"","source":"","author":"","tags":[],"marked":{"title":"\u003cmark\u003eT\u003c/mark\u003e","body":"b"},"keywords":{"k":["v"]}}`},
		{"health", Health{Status: "ok", Documents: 3}, `{"status":"ok","documents":3}`},
		{"single write", WriteResult{ID: "a", Status: "created"}, `{"id":"a","status":"created"}`},
		{"array write", ArrayResponse{WriteSummary: WriteSummary{Errors: true, Created: 1, Failed: 1}, Results: []WriteResult{
			{Index: &zero, ID: "a", Status: "created", Ignored: []string{"colour"}}, {Index: &three, Status: "error", Error: "request[3]: no id"}}},
			`{"errors":true,"created":1,"updated":0,"failed":1,"results":[{"index":0,"id":"a","status":"created","ignored":["colour"]},{"index":3,"status":"error","error":"request[3]: no id"}]}`},
		{"bulk line", WriteResult{Line: 7, ID: "b", Status: "updated"}, `{"line":7,"id":"b","status":"updated"}`},
		{"bulk summary", WriteSummary{Status: "aborted", Error: "bulk stopped: x", Errors: true, Updated: 2},
			`{"status":"aborted","error":"bulk stopped: x","errors":true,"created":0,"updated":2,"failed":0}`},
		{"rebuild", RebuildResponse{Indexed: 1, Skipped: 2, Deleted: 3, Unchanged: 4, Before: 5, After: 6, TookMS: 7, Fetched: 8, NotModified: 9},
			`{"indexed":1,"skipped":2,"deleted":3,"unchanged_files":4,"before":5,"after":6,"took_ms":7,"fetched":8,"not_modified":9}`},
		{"backup request", BackupRequest{Dest: "/b"}, `{"dest":"/b"}`},
		// Was map[string]any{"dest", "took_ms"}, whose keys encoding/json sorts.
		{"backup", BackupResponse{Dest: "/b", TookMS: 12}, `{"dest":"/b","took_ms":12}`},
		{"error", ErrorResponse{Error: ErrorBody{Code: "invalid_parameter", Message: "size must be an integer", Param: "size"}},
			`{"error":{"code":"invalid_parameter","message":"size must be an integer","param":"size"}}`},
		{"error without param", ErrorResponse{Error: ErrorBody{Code: "internal", Message: "internal error"}},
			`{"error":{"code":"internal","message":"internal error"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("JSON\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
