package extract

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkFixtures reads each fixture of testdata/formats as folio index
// does (its kind from its name), for the documents-per-second figures of
// docs/formats.md.
func BenchmarkFixtures(b *testing.B) {
	entries, err := os.ReadDir(formats)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		doc, err := os.ReadFile(filepath.Join(formats, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		k, ok := KindOf(e.Name(), "")
		if !ok {
			b.Fatalf("%s: no kind", e.Name())
		}
		b.Run(e.Name(), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Document(k, e.Name(), bytes.NewReader(doc), 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
