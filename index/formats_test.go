package index

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// formatsIndex indexes testdata/formats (HTML pages and feeds) with the
// seed article's text version beside it, in a real index.
func formatsIndex(t *testing.T) (*Index, IngestSummary) {
	t.Helper()
	dir := t.TempDir()
	seed, err := os.ReadFile("../testdata/articles/ironclad-friendship-cambodia.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "seed-text.txt"), seed, 0o644); err != nil {
		t.Fatal(err)
	}
	htmlBody := "Title: Harbour news\n\n<p>Quokka <b>harbour</b> news &amp; notes</p><script>Scriptwallaby()</script>\n"
	if err := os.WriteFile(filepath.Join(dir, "html-body.txt"), []byte(htmlBody), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := Create(DefaultOptions(filepath.Join(t.TempDir(), "idx")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	sum, err := ix.Ingest(context.Background(), []string{"../testdata/formats", dir}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ix, sum
}

// TestFormatsSeedHTML: the HTML version of the seed article is found by
// "Diamond Hexagon" with the same title and date as the text version; its
// id is its path; feed items are indexed by guid; no boilerplate word of
// the pages (menus, cookie banners, scripts, comments) is searchable.
func TestFormatsSeedHTML(t *testing.T) {
	ix, sum := formatsIndex(t)
	if sum.Skipped != 0 || sum.Indexed != 16 {
		t.Fatalf("summary %+v; want 16 indexed (5 pages, 5 feed items, 1 e-mail, 1 PDF, 1 docx, 1 odt, 2 text), none skipped", sum)
	}
	res := mustSearch(t, ix, Query{Text: `"Diamond Hexagon"`})
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"seed", "seed-text"}) {
		t.Fatalf("hits %v; want the HTML and the text seed", ids)
	}
	if a, b := res.Hits[0], res.Hits[1]; a.Title != b.Title || !a.Date.Equal(b.Date) || a.Title != "Ironclad friendship with Cambodia hailed" {
		t.Fatalf("title/date differ: %q %v vs %q %v", a.Title, a.Date, b.Title, b.Date)
	}
	if res := mustSearch(t, ix, Query{Text: "Lisbon"}); res.Total != 1 || res.Hits[0].ID != "news-2026-0042" {
		t.Fatalf("feed item by guid: %+v", res.Hits)
	}
	for _, w := range []string{"Newsletterpalooza", "Gingersnapconsent", "Footerwombat", "Scriptkangaroo", "hummingbirdcomment",
		"Crumbleotter", "Yakform", "Chatterweasel", "scriptnarwhal", "Capybaralink", "Mongoosemenu", "Feedscriptocelot", "cookies",
		"Sharewalrus", "Signupsalamander", "Relatedrhino", "Biobison", "Commentcoyote", "Footeriguana", "Consentcassowary"} {
		if res := mustSearch(t, ix, Query{Text: w}); res.Total != 0 {
			t.Errorf("boilerplate %q is searchable: %d hits", w, res.Total)
		}
	}
}

// TestFormatsHTMLInTextBody: a text-format body that is HTML is indexed as
// its text: no script content, no tags.
func TestFormatsHTMLInTextBody(t *testing.T) {
	ix, _ := formatsIndex(t)
	if res := mustSearch(t, ix, Query{Text: "Scriptwallaby"}); res.Total != 0 {
		t.Fatalf("script content searchable: %d hits", res.Total)
	}
	res := mustSearch(t, ix, Query{Text: "harbour notes"})
	if res.Total == 0 || res.Hits[0].ID != "html-body" {
		t.Fatalf("hits %+v", res.Hits)
	}
	if body := strings.Join(res.Hits[0].Highlights.Body, " "); body != "Quokka <mark>harbour</mark> news &amp; <mark>notes</mark>" {
		t.Fatalf("snippet %q; want the text without its tags", body)
	}
}

// TestFormatsPDF: the PDF fixture is indexed under its path with its
// document title, and both columns of its second page are searchable.
func TestFormatsPDF(t *testing.T) {
	ix, _ := formatsIndex(t)
	res := mustSearch(t, ix, Query{Text: `"food truck serves lunch"`})
	if res.Total != 1 || res.Hits[0].ID != "report" || res.Hits[0].Title != "Quarterly facilities report, Q1 2026" {
		t.Fatalf("hits %+v", res.Hits)
	}
}

// TestFormatsOffice: the Word and OpenDocument fixtures are indexed under
// their paths with the titles of their properties; their text is
// searchable, their headers, footers, comments, annotations, footnotes,
// tracked deletions and text-box fallbacks are not.
func TestFormatsOffice(t *testing.T) {
	ix, _ := formatsIndex(t)
	for q, want := range map[string][2]string{
		`"negotiated rates"`:           {"travel-policy", "Travel policy 2026: booking, rail and expenses"},
		`"photograph receipts"`:        {"travel-policy", "Travel policy 2026: booking, rail and expenses"},
		`"canteen subsidy"`:            {"works-council", "Works council minutes, 5 March 2026"},
		`"next meeting is on 2 April"`: {"works-council", "Works council minutes, 5 March 2026"},
	} {
		res := mustSearch(t, ix, Query{Text: q})
		if res.Total != 1 || res.Hits[0].ID != want[0] || res.Hits[0].Title != want[1] {
			t.Errorf("%s: hits %+v; want %s", q, res.Hits, want[0])
		}
	}
	for _, w := range []string{"Headerheron", "Footerflamingo", "Commentcormorant", "Annotationaardvark", "Footnotefalcon", "Deletedwalrus", "Fallbackferret"} {
		if res := mustSearch(t, ix, Query{Text: w}); res.Total != 0 {
			t.Errorf("%q is searchable: %d hits", w, res.Total)
		}
	}
}
