package index

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestCJKLanguage indexes Chinese and Japanese articles with index.language
// cjk and finds each by a two-character word inside a longer run of text.
func TestCJKLanguage(t *testing.T) {
	o := DefaultOptions(filepath.Join(t.TempDir(), "idx"))
	o.Language = "cjk"
	ix, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Ingest(context.Background(), []string{"../testdata/cjk"}, IngestOptions{Strict: true}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ q, want string }{
		{"地铁", "beijing-subway"}, // "subway", inside 北京地铁新线路开通
		{"机场", "beijing-subway"}, // "airport", body only
		{"天気", "tokyo-weather"},  // "weather"
	} {
		for _, mode := range []string{ModeSyntax, ModeText} {
			res := mustSearch(t, ix, Query{Text: tt.q, Mode: mode})
			if got := ids(res); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("%s (mode %s): ids %v, want [%s]", tt.q, mode, got, tt.want)
			}
		}
	}
}
