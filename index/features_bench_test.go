package index

import (
	"context"
	"testing"
)

// BenchmarkFeatures measures the searches this issue added, on testdata/articles.
func BenchmarkFeatures(b *testing.B) {
	ix := testIndex(&testing.T{})
	first, err := ix.Search(context.Background(), Query{Text: "oil prices", Size: 5})
	if err != nil {
		b.Fatal(err)
	}
	for name, q := range map[string]Query{
		"text_mode":    {Text: "oil prices fell as OPEC output: rose (traders said)", Mode: ModeText},
		"facets":       {Text: "oil prices", Facets: []string{"date,source,tags"}},
		"filter":       {Text: "oil", Filters: []string{"source:Facilities"}},
		"cursor":       {Text: "oil prices", Size: 5, Cursor: first.Cursor},
		"did_you_mean": {Text: "Cambodai"},
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ix.Search(context.Background(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("related", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ix.Related(context.Background(), "ironclad-friendship-cambodia", Query{Size: 5}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
