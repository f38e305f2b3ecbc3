package extract

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/rc4"
	"encoding/hex"
	"fmt"
	"strings"
)

// pdfObj is one object of a PDF the tests write: its dictionary (or other
// value) text and, for a stream, its data.
type pdfObj struct {
	dict   string
	stream []byte
	flate  bool
}

// pdfWriter writes small PDFs by hand (catalog, page tree, standard
// Helvetica, content streams, document information, cross-reference
// table), so the fixtures and the hostile inputs need no PDF library.
type pdfWriter struct {
	objs    []pdfObj
	trailer string // extra trailer entries
}

// add appends an object and returns its number.
func (w *pdfWriter) add(o pdfObj) int {
	w.objs = append(w.objs, o)
	return len(w.objs)
}

// bytes is the PDF file: objects in order, then the xref table and the
// trailer whose Root is object root.
func (w *pdfWriter) bytes(root int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(w.objs))
	for i, o := range w.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		if o.stream == nil {
			b.WriteString(o.dict)
		} else {
			data := o.stream
			filter := ""
			if o.flate {
				var z bytes.Buffer
				zw := zlib.NewWriter(&z)
				zw.Write(data)
				zw.Close()
				data, filter = z.Bytes(), " /Filter /FlateDecode"
			}
			fmt.Fprintf(&b, "<< %s /Length %d%s >>\nstream\n", o.dict, len(data), filter)
			b.Write(data)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(w.objs)+1, root, w.trailer, xref)
	return b.Bytes()
}

// pdfString is s as a PDF literal string.
func pdfString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return "(" + r.Replace(s) + ")"
}

// pdfLine is one line a test page draws: at x, y in size points.
type pdfLine struct {
	x, y, size float64
	text       string
}

// pdfContent is the content stream drawing lines in the order given, each
// placed with its own text matrix (as many generators do).
func pdfContent(lines []pdfLine) []byte {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "BT /F1 %g Tf 1 0 0 1 %g %g Tm %s Tj ET\n", l.size, l.x, l.y, pdfString(l.text))
	}
	return []byte(b.String())
}

// simplePDF is a PDF of the given page contents (one stream each) with a
// document information dictionary info (may be empty).
func simplePDF(info string, pages ...[]byte) []byte {
	w := &pdfWriter{}
	font := w.add(pdfObj{dict: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"})
	pagesID := len(pages)*2 + 2 // after the font, each page's content and page
	var kids []string
	for _, c := range pages {
		content := w.add(pdfObj{stream: c, flate: len(c) > 256}) // small streams as written, as many generators do
		page := w.add(pdfObj{dict: fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", pagesID, font, content)})
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	w.add(pdfObj{dict: fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages))})
	root := w.add(pdfObj{dict: fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesID)})
	if info != "" {
		w.trailer = fmt.Sprintf(" /Info %d 0 R", w.add(pdfObj{dict: info}))
	}
	return w.bytes(root)
}

// wrap cuts text into lines of at most n characters at spaces.
func wrap(text string, n int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > n {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// Text of the report fixture: page 1 a heading and two paragraphs, page 2
// a heading over two columns, drawn row by row across both columns (left
// line, right line, next row), which a reader in drawing order interleaves.
const (
	reportHeading = "Quarterly facilities report"
	reportP1      = "The facilities team closed the first quarter with all three buildings open. Heating costs fell by eleven percent after the boiler replacement in January."
	reportP2      = "The east wing lifts were serviced in February. A second charging station for electric bicycles opened beside the main entrance."
	reportHead2   = "Building projects"
	reportLeft    = "The roof of the library annex was resealed in March. Work finished two weeks early and under budget. The reading room reopened on the first of April."
	reportRight   = "The canteen kitchen will be renovated in the summer. During the works a food truck serves lunch in the courtyard. Questions go to the facilities desk."
	reportInfo    = "<< /Title (Quarterly facilities report, Q1 2026) /Author (Facilities Team) /CreationDate (D:20260402093000+02'00') /Producer (Folio test generator) >>"
)

// reportPDF is the two-page report fixture (testdata/formats/report.pdf).
func reportPDF() []byte {
	var p1 []pdfLine
	y := 720.0
	p1 = append(p1, pdfLine{72, y, 18, reportHeading})
	y -= 36
	for _, para := range []string{reportP1, reportP2} {
		for _, l := range wrap(para, 80) {
			p1 = append(p1, pdfLine{72, y, 11, l})
			y -= 14
		}
		y -= 14
	}
	var p2 []pdfLine
	p2 = append(p2, pdfLine{72, 720, 16, reportHead2})
	left, right := wrap(reportLeft, 40), wrap(reportRight, 40)
	for i := 0; i < max(len(left), len(right)); i++ {
		y := 690 - float64(i)*14
		if i < len(left) {
			p2 = append(p2, pdfLine{72, y, 11, left[i]})
		}
		if i < len(right) {
			p2 = append(p2, pdfLine{320, y, 11, right[i]})
		}
	}
	return simplePDF(reportInfo, pdfContent(p1), pdfContent(p2))
}

// pdfPad is the padding of PDF passwords (PDF 1.7, 7.6.3.3).
var pdfPad = []byte("\x28\xbf\x4e\x5e\x4e\x75\x8a\x41\x64\x00\x4e\x56\xff\xfa\x01\x08\x2e\x2e\x00\xb6\xd0\x68\x3e\x80\x2f\x0c\xa9\xfe\x64\x53\x69\x7a")

// pdfHex is b as a PDF hexadecimal string.
func pdfHex(b []byte) string { return "<" + hex.EncodeToString(b) + ">" }

// encryptedPDF is a one-page PDF encrypted with the standard security
// handler (RC4, 128-bit, revision 3) whose user password is userPW: with
// an empty one any reader opens it (only the owner password restricts
// it), with another one it cannot be read without that password.
func encryptedPDF(userPW, text string) []byte { return encryptedPDFRev(3, userPW, text) }

// encryptedPDFRev is encryptedPDF with revision 3 (RC4, 128-bit) or 2
// (RC4, 40-bit), whose object keys the spec truncates to 10 bytes.
func encryptedPDFRev(rev int, userPW, text string) []byte {
	id := []byte("0123456789abcdef")
	owner := bytes.Repeat([]byte{0x5a}, 32)
	perms := int32(-3904)
	pw := append([]byte(userPW), pdfPad...)[:32]
	h := md5.New()
	h.Write(pw)
	h.Write(owner)
	p := uint32(perms)
	h.Write([]byte{byte(p), byte(p >> 8), byte(p >> 16), byte(p >> 24)})
	h.Write(id)
	key := h.Sum(nil)
	if rev == 2 {
		key = key[:5]
	}
	for i := 0; rev == 3 && i < 50; i++ {
		s := md5.Sum(key[:16])
		key = s[:]
	}
	// The U entry is computed with the empty password's key: for another
	// user password the empty one does not open the file.
	emptyKey := key
	if userPW != "" {
		emptyKey = bytes.Repeat([]byte{0x11}, 16)
	}
	h = md5.New()
	h.Write(pdfPad)
	h.Write(id)
	u := h.Sum(nil)
	if rev == 2 {
		u = append([]byte(nil), pdfPad...)
		c, _ := rc4.NewCipher(emptyKey[:5])
		c.XORKeyStream(u, u)
	}
	for i := 0; rev == 3 && i <= 19; i++ {
		k := make([]byte, 16)
		for j := range k {
			k[j] = emptyKey[j] ^ byte(i)
		}
		c, _ := rc4.NewCipher(k)
		c.XORKeyStream(u, u)
	}
	if rev == 3 {
		u = append(u, bytes.Repeat([]byte{0}, 16)...)
	}
	crypt := func(obj int, b []byte) []byte {
		h := md5.New()
		h.Write(key)
		h.Write([]byte{byte(obj), byte(obj >> 8), byte(obj >> 16), 0, 0})
		c, _ := rc4.NewCipher(h.Sum(nil)[:min(len(key)+5, 16)])
		out := make([]byte, len(b))
		c.XORKeyStream(out, b)
		return out
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(pdfContent([]pdfLine{{72, 720, 12, text}}))
	zw.Close()
	w := &pdfWriter{}
	w.add(pdfObj{dict: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"})
	w.add(pdfObj{dict: "/Filter /FlateDecode", stream: crypt(2, z.Bytes())})
	w.add(pdfObj{dict: "<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 1 0 R >> >> /Contents 2 0 R >>"})
	w.add(pdfObj{dict: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"})
	root := w.add(pdfObj{dict: "<< /Type /Catalog /Pages 4 0 R >>"})
	info := w.add(pdfObj{dict: "<< /Title " + pdfHex(crypt(6, []byte("Restricted memo"))) + " >>"})
	v, bits := 2, 128
	if rev == 2 {
		v, bits = 1, 40
	}
	enc := w.add(pdfObj{dict: fmt.Sprintf("<< /Filter /Standard /V %d /R %d /Length %d /O %s /U %s /P %d >>", v, rev, bits, pdfHex(owner), pdfHex(u), perms)})
	w.trailer = fmt.Sprintf(" /Info %d 0 R /Encrypt %d 0 R /ID [%s %s]", info, enc, pdfHex(id), pdfHex(id))
	return w.bytes(root)
}
