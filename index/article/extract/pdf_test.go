package extract

import (
	"bytes"
	"errors"
	"testing"

	"github.com/folio-search/folio/index/article"
)

// TestPDFFixture: the two-page report gives its title and date from the
// document information and the two columns of page 2 in reading order.
func TestPDFFixture(t *testing.T) {
	as, err := Document(KindPDF, "report.pdf", bytes.NewReader(reportPDF()), 0)
	if err != nil || len(as) != 1 {
		t.Fatalf("%v %v", as, err)
	}
	check(t, as[0], want{title: "Quarterly facilities report, Q1 2026", date: "2026-04-02T07:30:00Z", author: "Facilities Team",
		first: reportHeading, last: reportRight})
}

// TestPDFHostile: truncated and garbage PDFs are input errors, not panics.
func TestPDFHostile(t *testing.T) {
	b := reportPDF()
	for n := 0; n < len(b); n += 97 {
		_, err := Document(KindPDF, "cut.pdf", bytes.NewReader(b[:n]), 0)
		var ie *article.InputError
		if n > 0 && !errors.As(err, &ie) {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
}
