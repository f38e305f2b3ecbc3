package extract

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
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

// TestPDFEncrypted: a PDF that needs a password is a reported, skipped
// input saying so; one encrypted with only an owner password (printing or
// copying restricted, readable by anyone) is read, unless its key is one
// the PDF library decrypts wrongly.
func TestPDFEncrypted(t *testing.T) {
	_, err := Document(KindPDF, "locked.pdf", bytes.NewReader(encryptedPDF("secret", "Quarterly salaries")), 0)
	var ie *article.InputError
	if !errors.As(err, &ie) || ie.Reason != "encrypted" || !strings.HasPrefix(err.Error(), "locked.pdf: the PDF is encrypted and cannot be read") {
		t.Fatalf("got %v", err)
	}
	as, err := Document(KindPDF, "restricted.pdf", bytes.NewReader(encryptedPDF("", "Printing of this memo is restricted.")), 0)
	if err != nil || len(as) != 1 || as[0].Title != "Restricted memo" || as[0].Body != "Printing of this memo is restricted." {
		t.Fatalf("owner-password PDF: %+v %v", as, err)
	}
	// 40-bit RC4, which the library decrypts with a wrong key: refused, not read as garbage.
	_, err = Document(KindPDF, "old.pdf", bytes.NewReader(encryptedPDFRev(2, "", "Printing of this memo is restricted.")), 0)
	if !errors.As(err, &ie) || ie.Reason != "encrypted" || err.Error() != "old.pdf: the PDF is encrypted with 40-bit RC4, which Folio's PDF reader cannot decrypt (a PDF without encryption, or with 128-bit encryption)" {
		t.Fatalf("40-bit RC4: got %v", err)
	}
}

// TestPDFBounds: image-only pages, loops in the file, too many pages,
// decompression bombs and lying page counts are input errors with their
// reason, each found within its bound.
func TestPDFBounds(t *testing.T) {
	image := func() []byte {
		w := &pdfWriter{}
		img := w.add(pdfObj{dict: "/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8", stream: bytes.Repeat([]byte{0x80}, 64*64), flate: true})
		content := w.add(pdfObj{stream: []byte("q 612 0 0 792 0 0 cm /Im1 Do Q\n"), flate: true})
		w.add(pdfObj{dict: fmt.Sprintf("<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>", img, content)})
		w.add(pdfObj{dict: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"})
		root := w.add(pdfObj{dict: "<< /Type /Catalog /Pages 4 0 R >>"})
		w.trailer = fmt.Sprintf(" /Info %d 0 R", w.add(pdfObj{dict: "<< /Title (Scanned contract) /Producer (Scanner 3000) >>"}))
		return w.bytes(root)
	}
	// A page tree whose node lists itself as its own kid, with a count
	// that makes a reader descend into it again and again.
	treeLoop := func() []byte {
		w := &pdfWriter{}
		w.add(pdfObj{dict: "<< /Type /Pages /Kids [1 0 R] /Count 3 >>"})
		root := w.add(pdfObj{dict: "<< /Type /Catalog /Pages 1 0 R >>"})
		return w.bytes(root)
	}
	// A page tree of more inner nodes than a PDF of MaxPDFPages needs, and no page.
	wide := func() []byte {
		w := &pdfWriter{}
		w.add(pdfObj{dict: "<< /Type /Pages /Kids [" + strings.Repeat("3 0 R ", maxPDFTreeNodes+1) + "] /Count 0 >>"})
		root := w.add(pdfObj{dict: "<< /Type /Catalog /Pages 1 0 R >>"})
		w.add(pdfObj{dict: "<< /Type /Pages /Parent 1 0 R /Kids [] /Count 0 >>"})
		return w.bytes(root)
	}
	// A cross-reference table whose /Prev is itself.
	xrefLoop := func() []byte {
		b := simplePDF("", pdfContent([]pdfLine{{72, 720, 12, "Looping xref"}}))
		i := bytes.LastIndex(b, []byte("startxref\n"))
		var off int
		fmt.Sscanf(string(b[i+len("startxref\n"):]), "%d", &off)
		return bytes.Replace(b, []byte("/Root "), []byte(fmt.Sprintf("/Prev %d /Root ", off)), 1)
	}
	var pages [][]byte
	for i := 0; i <= MaxPDFPages; i++ {
		pages = append(pages, []byte("BT /F1 12 Tf 72 720 Td (p) Tj ET\n"))
	}
	bomb := simplePDF("", append(pdfContent([]pdfLine{{72, 720, 12, "Bomb"}}), bytes.Repeat([]byte(" "), 8<<20)...)) // 8 MiB of content, ~8 KiB deflated
	for _, tc := range []struct {
		name   string
		doc    []byte
		limit  int64
		reason string
		msg    string
	}{
		{"scan.pdf", image(), 0, "no text layer", "scan.pdf: the PDF has no text layer (scanned or image-only pages) (a PDF with text, or its text run through OCR)"},
		{"tree.pdf", treeLoop(), 0, "too complex", "tree.pdf: the PDF's page tree is nested more than 64 deep (a loop in the file?)"},
		{"wide.pdf", wide(), 0, "too complex", "wide.pdf: the PDF's page tree has more than 4000 nodes (a loop in the file?)"},
		{"prev.pdf", xrefLoop(), 0, "too complex", "prev.pdf: the PDF's objects refer to each other too often"},
		{"pages.pdf", simplePDF("", pages...), 0, "too large", "pages.pdf: the PDF has more than 2000 pages"},
		{"bomb.pdf", bomb, 1 << 20, "too large", "bomb.pdf: page 1: the PDF's content and font streams are larger than 4194304 bytes once decompressed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Document(KindPDF, tc.name, bytes.NewReader(tc.doc), tc.limit)
			var ie *article.InputError
			if !errors.As(err, &ie) || ie.Reason != tc.reason || !strings.HasPrefix(err.Error(), tc.msg) {
				t.Fatalf("got %v (reason %q); want %q, %q…", err, reasonOf(ie), tc.reason, tc.msg)
			}
		})
	}
}

// TestPDFPageTree: the page tree is walked once, not trusting its counts:
// a sound 2,000-page PDF is read (the library's Page(i) walk from the root
// for every page refused it as a loop), and a /Count that lies reads the
// pages there are.
func TestPDFPageTree(t *testing.T) {
	var pages [][]byte
	for i := 1; i <= MaxPDFPages; i++ {
		pages = append(pages, pdfContent([]pdfLine{{72, 720, 12, fmt.Sprintf("Page %d of the handbook.", i)}}))
	}
	as, err := Document(KindPDF, "handbook.pdf", bytes.NewReader(simplePDF("", pages...)), 0)
	if err != nil || len(as) != 1 {
		t.Fatalf("%v %v", as, err)
	}
	if a := as[0]; a.Title != "Page 1 of the handbook." || !strings.HasPrefix(a.Body, "Page 2 of the handbook.\n\nPage 3 of") || !strings.HasSuffix(a.Body, "\n\nPage 2000 of the handbook.") {
		t.Fatalf("title %q, body %q…%q", a.Title, a.Body[:60], a.Body[len(a.Body)-60:])
	}
	w := &pdfWriter{}
	font := w.add(pdfObj{dict: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"})
	content := w.add(pdfObj{stream: pdfContent([]pdfLine{{72, 720, 12, "The only page."}})})
	w.add(pdfObj{dict: fmt.Sprintf("<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", font, content)})
	w.add(pdfObj{dict: "<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>"})
	as, err = Document(KindPDF, "lying.pdf", bytes.NewReader(w.bytes(w.add(pdfObj{dict: "<< /Type /Catalog /Pages 4 0 R >>"}))), 0)
	if err != nil || len(as) != 1 || as[0].Body != "The only page." {
		t.Fatalf("lying count: %+v %v", as, err)
	}
}
