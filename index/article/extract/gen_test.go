package extract

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// gen rewrites the generated fixtures in testdata/formats:
//
//	go test ./index/article/extract -run TestGenerateFixtures -gen
var gen = flag.Bool("gen", false, "rewrite the generated fixtures in testdata/formats")

// TestGenerateFixtures writes the binary fixtures (PDF, Word, OpenDocument) from their
// generators with -gen; without it, it checks that the committed files
// are what the generators write, so a fixture and its generator cannot
// drift apart.
func TestGenerateFixtures(t *testing.T) {
	for name, b := range map[string][]byte{
		"report.pdf":         reportPDF(),
		"travel-policy.docx": travelDocx(),
		"works-council.odt":  councilODT(),
	} {
		path := filepath.Join(formats, name)
		if *gen {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -gen to write it)", err)
		}
		if string(got) != string(b) {
			t.Errorf("%s differs from its generator's output: run go test ./index/article/extract -run TestGenerateFixtures -gen", name)
		}
	}
}
