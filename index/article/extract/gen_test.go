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

// TestEveryFixtureTested: every file in testdata/formats is one whose
// extraction a table test asserts (named here with that test), so a new
// fixture cannot be added without its expected title, date and text.
func TestEveryFixtureTested(t *testing.T) {
	tested := map[string]string{
		"blog.html": "TestHTMLFixtures", "intranet.html": "TestHTMLFixtures", "jsonld.html": "TestHTMLFixtures",
		"metadate.html": "TestHTMLFixtures", "seed.html": "TestHTMLFixtures",
		"news.rss": "TestFeedFixtures", "engineering.atom": "TestFeedFixtures", "status.xml": "TestFeedFixtures",
		"summer-party.eml": "TestEmailFixture", "report.pdf": "TestPDFFixture",
		"travel-policy.docx": "TestOfficeFixtures", "works-council.odt": "TestOfficeFixtures",
	}
	entries, err := os.ReadDir(formats)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Name()] = true
		if _, ok := tested[e.Name()]; !ok {
			t.Errorf("testdata/formats/%s is in no extraction table test", e.Name())
		}
	}
	for name, test := range tested {
		if !seen[name] {
			t.Errorf("%s names %s, which testdata/formats lacks", test, name)
		}
	}
}
