package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"

	"github.com/folio-search/folio/index/article"
)

// Bounds of a PDF beyond its size in bytes. The PDF library re-reads
// objects from the file for every look-up and can loop on a hostile file
// (a cycle in the page tree, an object stream extending itself), so the
// reading is bounded three ways: the bytes the library may read from the
// file, the decompressed bytes of the page contents and fonts, and a
// deadline.
const (
	// MaxPDFPages is the most pages of one PDF.
	MaxPDFPages = 2_000
	// PDFTimeout bounds the reading of one PDF.
	PDFTimeout = 20 * time.Second
	// pdfReadFactor times the file's size (at least pdfMinReads) is the
	// most bytes the library may read from the file: objects are re-read
	// for each look-up, 4 KiB at a time, so a sound file needs several
	// times its size (a 2,000-page file of small pages 40 times).
	pdfReadFactor = 256
	pdfMinReads   = 8 << 20
	// pdfContentFactor times the byte limit is the most decompressed bytes
	// of all content and font streams (operators outweigh their text).
	pdfContentFactor = 4
	// maxPDFOps is the most content-stream operators of one PDF.
	maxPDFOps = 5_000_000
	// maxPDFTreeDepth and maxPDFTreeNodes bound the walk of the page
	// tree: its levels, and its nodes (pages and inner nodes) visited.
	maxPDFTreeDepth = 64
	maxPDFTreeNodes = 2 * MaxPDFPages
)

// pdfStop is the panic that stops the PDF library when a bound is hit; its
// text is the problem's message.
type pdfStop struct{ reason, msg string }

// pdfSource is the file as the PDF library reads it: bounded in the bytes
// it may read and in time. Over a bound it panics with a pdfStop, which
// unwinds the library (its own recovers turn it into an error, which the
// reader then reports as the bound).
type pdfSource struct {
	b        []byte
	budget   int64 // bytes still to read
	deadline time.Time
	stopped  atomic.Pointer[pdfStop]
}

func (s *pdfSource) ReadAt(p []byte, off int64) (int, error) {
	if st := s.stopped.Load(); st != nil {
		panic(*st)
	}
	if time.Now().After(s.deadline) {
		s.stop(pdfStop{"too slow", fmt.Sprintf("reading the PDF took longer than %v", PDFTimeout)})
	}
	if s.budget -= int64(len(p)); s.budget < 0 {
		s.stop(pdfStop{"too complex", "the PDF's objects refer to each other too often (a loop in the file?)"})
	}
	if off < 0 || off >= int64(len(s.b)) {
		return 0, io.EOF
	}
	n := copy(p, s.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// stop records st (the first bound hit wins) and panics with it.
func (s *pdfSource) stop(st pdfStop) {
	s.stopped.CompareAndSwap(nil, &st)
	panic(*s.stopped.Load())
}

// pdfResult is what the goroutine reading a PDF hands back.
type pdfResult struct {
	a    article.Article
	perr *article.InputError
}

// pdfDoc reads a PDF (.pdf) of at most limit bytes: its text layer page by
// page, the title from the document information, else the first line, and
// the date from its creation date. An encrypted PDF or one without text
// (scanned pages) is a problem saying so; a panic in the PDF library is an
// "unreadable PDF" problem; a file over a bound is refused.
func (x *Extractor) pdfDoc(r io.Reader, where string, limit int64) (article.Article, *article.InputError) {
	limit = limitOr(limit)
	b, perr := readAll(r, where, limit)
	if perr != nil {
		return article.Article{}, perr
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		return article.Article{}, problem(where, "invalid PDF", "not a PDF: the file does not start with %PDF-", "a PDF document")
	}
	src := &pdfSource{b: b, budget: max(pdfReadFactor*int64(len(b)), pdfMinReads), deadline: time.Now().Add(PDFTimeout)}
	done := make(chan pdfResult, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- pdfResult{perr: pdfPanic(where, v, src)}
			}
		}()
		a, perr := x.readPDF(src, where, limit)
		if st := src.stopped.Load(); st != nil && perr != nil {
			perr = problem(where, st.reason, st.msg, "a smaller or simpler PDF")
		}
		done <- pdfResult{a, perr}
	}()
	timer := time.NewTimer(PDFTimeout + time.Second)
	defer timer.Stop()
	select {
	case res := <-done:
		return res.a, res.perr
	case <-timer.C:
		// The library is in a loop that does not read the file; the next
		// read it makes stops it.
		src.stopped.CompareAndSwap(nil, &pdfStop{"too slow", "reading the PDF took too long"})
		return article.Article{}, problem(where, "too slow", fmt.Sprintf("reading the PDF took longer than %v", PDFTimeout), "a smaller or simpler PDF")
	}
}

// pdfPanic is the problem of a panic v out of the PDF library.
func pdfPanic(where string, v any, src *pdfSource) *article.InputError {
	if st, ok := v.(pdfStop); ok {
		return problem(where, st.reason, st.msg, "a smaller or simpler PDF")
	}
	if st := src.stopped.Load(); st != nil {
		return problem(where, st.reason, st.msg, "a smaller or simpler PDF")
	}
	return problem(where, "invalid PDF", fmt.Sprintf("cannot read the PDF: %v", v), "a well-formed PDF document")
}

// readPDF is pdfDoc's work on the file's bytes.
func (x *Extractor) readPDF(src *pdfSource, where string, limit int64) (article.Article, *article.InputError) {
	pr, err := pdf.NewReader(src, int64(len(src.b)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) || bytes.Contains(src.b, []byte("/Encrypt")) {
			return article.Article{}, problem(where, "encrypted", fmt.Sprintf("the PDF is encrypted and cannot be read: %v", err), "a PDF without a password")
		}
		return article.Article{}, problem(where, "invalid PDF", fmt.Sprintf("cannot read the PDF: %v", err), "a well-formed PDF document")
	}
	if enc := pr.Trailer().Key("Encrypt"); !enc.IsNull() {
		// The library keys each object with the whole MD5 hash where the
		// standard takes its first n+5 bytes: keys shorter than 88 bits
		// (40-bit RC4, the old default) decrypt to garbage.
		bits := enc.Key("Length").Int64()
		if bits == 0 {
			bits = 40
		}
		if bits/8+5 < 16 {
			return article.Article{}, problem(where, "encrypted", fmt.Sprintf("the PDF is encrypted with %d-bit RC4, which Folio's PDF reader cannot decrypt", bits), "a PDF without encryption, or with 128-bit encryption")
		}
	}
	kids, perr := pdfPages(pr.Trailer().Key("Root").Key("Pages"), where)
	if perr != nil {
		return article.Article{}, perr
	}
	w := &pdfText{limit: pdfContentFactor * limit, budget: pdfContentFactor * limit, ops: maxPDFOps}
	var pages []string
	for i, kid := range kids {
		text, perr := w.page(pdf.Page{V: kid}, where, i+1)
		if perr != nil {
			return article.Article{}, perr
		}
		if text != "" {
			pages = append(pages, text)
		}
		if w.text > limit {
			return article.Article{}, tooLarge(where, limit, "the PDF's text")
		}
	}
	info := pr.Trailer().Key("Info")
	a := article.Article{
		Title:  cleanLine(info.Key("Title").Text()),
		Author: cleanLine(info.Key("Author").Text()),
		Body:   cleanText(strings.Join(pages, "\n\n")),
	}
	if d, ok := pdfDate(info.Key("CreationDate").Text()); ok {
		a.Date = x.firstDate([]string{d})
	}
	if a.Body == "" {
		return article.Article{}, problem(where, "no text layer", "the PDF has no text layer (scanned or image-only pages)", "a PDF with text, or its text run through OCR")
	}
	if a.Title == "" {
		first, _, _ := strings.Cut(a.Body, "\n")
		a.Title = truncateRunes(first, 200)
	}
	a.Body = dropLeadingTitle(a.Body, a.Title)
	if a.Body == "" {
		a.Body = a.Title
	}
	if perr := validate(a, where); perr != nil {
		return article.Article{}, perr
	}
	return a, nil
}

// pdfPages are the pages of the page tree root in order. The tree is
// walked once, without trusting its counts (the library's Page(i) walks it
// from the root for every page, which is quadratic in the pages, and
// believes /Count): at most MaxPDFPages pages, maxPDFTreeDepth levels and
// maxPDFTreeNodes nodes, so a loop in the tree ends there.
func pdfPages(root pdf.Value, where string) ([]pdf.Value, *article.InputError) {
	if root.Key("Type").Name() == "Page" {
		return []pdf.Value{root}, nil
	}
	type node struct {
		kids pdf.Value
		next int
	}
	var pages []pdf.Value
	nodes := 0
	stack := []node{{kids: root.Key("Kids")}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next >= top.kids.Len() {
			stack = stack[:len(stack)-1]
			continue
		}
		kid := top.kids.Index(top.next)
		top.next++
		if nodes++; nodes > maxPDFTreeNodes {
			return nil, problem(where, "too complex", fmt.Sprintf("the PDF's page tree has more than %d nodes (a loop in the file?)", maxPDFTreeNodes), "a PDF of fewer pages")
		}
		if kid.Kind() != pdf.Dict {
			continue
		}
		if kids := kid.Key("Kids"); kid.Key("Type").Name() == "Pages" || kid.Key("Type").Name() != "Page" && kids.Kind() == pdf.Array {
			if len(stack) == maxPDFTreeDepth {
				return nil, problem(where, "too complex", fmt.Sprintf("the PDF's page tree is nested more than %d deep (a loop in the file?)", maxPDFTreeDepth), "a well-formed PDF")
			}
			stack = append(stack, node{kids: kids})
			continue
		}
		if len(pages) == MaxPDFPages {
			return nil, problem(where, "too large", fmt.Sprintf("the PDF has more than %d pages", MaxPDFPages), "a PDF of fewer pages")
		}
		pages = append(pages, kid)
	}
	return pages, nil
}

// cleanLine is s with its runs of white space as single spaces.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncateRunes is s cut to at most n runes.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}

// pdfDate is a PDF date ("D:20260315093000+01'00'", every part after the
// year optional) as RFC 3339, for the date parser; false when it is none.
func pdfDate(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	digits := 0
	for digits < len(s) && digits < 14 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits < 4 || digits%2 != 0 {
		return "", false
	}
	d := s[:digits] + "0101000000"[digits-4:]
	zone := "Z"
	if rest := strings.ReplaceAll(s[digits:], "'", ""); len(rest) >= 3 && (rest[0] == '+' || rest[0] == '-') {
		mm := "00"
		if len(rest) >= 5 {
			mm = rest[3:5]
		}
		zone = rest[:3] + ":" + mm
	}
	t, err := time.Parse("20060102150405Z07:00", d+zone)
	if err != nil {
		return "", false
	}
	return t.Format(time.RFC3339), true
}

// pdfText turns page content into text, within a document's budgets.
type pdfText struct {
	limit  int64 // decompressed content and font bytes allowed in all
	budget int64 // of which still allowed
	ops    int   // operators still allowed
	text   int64 // bytes of text so far
}

// pdfRun is one line of text as the page draws it: where it starts, its
// font size and its text.
type pdfRun struct {
	x, y, size float64
	text       strings.Builder
}

// page is the text of page p (number i): its lines in reading order, a
// two-column layout read column by column, lines of a paragraph joined.
func (w *pdfText) page(p pdf.Page, where string, i int) (string, *article.InputError) {
	contents := p.V.Key("Contents")
	if contents.IsNull() {
		return "", nil
	}
	if perr := w.measure(contents, where, i); perr != nil {
		return "", perr
	}
	fonts := p.Resources().Key("Font")
	for _, name := range fonts.Keys() {
		if perr := w.measure(fonts.Key(name).Key("ToUnicode"), where, i); perr != nil {
			return "", perr
		}
	}
	runs, perr := w.runs(p, contents, where, i)
	if perr != nil {
		return "", perr
	}
	width := 612.0
	if mb := inherited(p.V, "MediaBox"); mb.Len() == 4 {
		width = mb.Index(2).Float64() - mb.Index(0).Float64()
	}
	return joinRuns(columnOrder(runs, width)), nil
}

// inherited is the page attribute key of page v or of its nearest
// ancestor that has it (at most 64 levels up).
func inherited(v pdf.Value, key string) pdf.Value {
	for i := 0; i < 64 && !v.IsNull(); i, v = i+1, v.Key("Parent") {
		if r := v.Key(key); !r.IsNull() {
			return r
		}
	}
	return pdf.Value{}
}

// measure reads the decompressed bytes of a stream (or an array of them)
// against the budget without keeping them.
func (w *pdfText) measure(v pdf.Value, where string, i int) *article.InputError {
	var streams []pdf.Value
	switch v.Kind() {
	case pdf.Stream:
		streams = []pdf.Value{v}
	case pdf.Array:
		for j := 0; j < v.Len() && j < 10_000; j++ {
			streams = append(streams, v.Index(j))
		}
	}
	for _, s := range streams {
		if s.Kind() != pdf.Stream {
			continue
		}
		rc := s.Reader()
		n, _ := io.Copy(io.Discard, io.LimitReader(rc, w.budget+1))
		rc.Close()
		if w.budget -= n; w.budget < 0 {
			return problem(where, "too large", fmt.Sprintf("page %d: the PDF's content and font streams are larger than %d bytes once decompressed", i, w.limit), "a smaller PDF")
		}
	}
	return nil
}

// runs interprets the content of page p into its lines of text.
func (w *pdfText) runs(p pdf.Page, contents pdf.Value, where string, i int) (runs []*pdfRun, perr *article.InputError) {
	encs := map[string]pdf.TextEncoding{}
	var enc pdf.TextEncoding
	var size float64 = 12
	var tm, tlm [6]float64 // text matrix and line matrix
	ident := [6]float64{1, 0, 0, 1, 0, 0}
	tm, tlm = ident, ident
	var leading float64
	var cur *pdfRun
	overOps := false
	newLine := func() { cur = nil }
	show := func(raw string) {
		if enc == nil {
			return
		}
		s := enc.Decode(raw)
		if s == "" {
			return
		}
		x, y := tm[4], tm[5]
		fs := math.Abs(size * tm[3])
		if fs == 0 {
			fs = math.Abs(size)
		}
		if cur == nil || math.Abs(y-cur.y) > fs*0.5 || x < cur.x-fs {
			cur = &pdfRun{x: x, y: y, size: fs}
			runs = append(runs, cur)
		}
		cur.text.WriteString(s)
		w.text += int64(len(s))
		// advance roughly, so that the next show on this line is known
		tm[4] += float64(utf8.RuneCountInString(s)) * fs * 0.5
	}
	space := func() {
		if cur != nil && cur.text.Len() > 0 && !strings.HasSuffix(cur.text.String(), " ") {
			cur.text.WriteByte(' ')
		}
	}
	move := func(tx, ty float64) {
		e := tlm[4] + tx*tlm[0] + ty*tlm[2]
		f := tlm[5] + tx*tlm[1] + ty*tlm[3]
		tlm[4], tlm[5] = e, f
		tm = tlm
		if ty != 0 {
			newLine()
		} else {
			space()
		}
	}
	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		if overOps {
			return
		}
		if w.ops--; w.ops < 0 {
			overOps = true
			return
		}
		args := make([]pdf.Value, stk.Len())
		for j := len(args) - 1; j >= 0; j-- {
			args[j] = stk.Pop()
		}
		switch op {
		case "BT":
			tm, tlm = ident, ident
		case "ET":
		case "Tf":
			if len(args) != 2 {
				return
			}
			name := args[0].Name()
			e, ok := encs[name]
			if !ok {
				f := p.Font(name)
				e = f.Encoder()
				encs[name] = e
			}
			enc, size = e, args[1].Float64()
		case "TL":
			if len(args) == 1 {
				leading = args[0].Float64()
			}
		case "Td", "TD":
			if len(args) != 2 {
				return
			}
			if op == "TD" {
				leading = -args[1].Float64()
			}
			move(args[0].Float64(), args[1].Float64())
		case "Tm":
			if len(args) != 6 {
				return
			}
			for j := range tm {
				tm[j] = args[j].Float64()
			}
			tlm = tm
			newLine()
		case "T*":
			move(0, -leading)
		case "'", "\"":
			if len(args) == 0 {
				return
			}
			move(0, -leading)
			show(args[len(args)-1].RawString())
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			v := args[0]
			for j := 0; j < v.Len(); j++ {
				e := v.Index(j)
				switch e.Kind() {
				case pdf.String:
					show(e.RawString())
				case pdf.Integer, pdf.Real:
					if e.Float64() < -200 { // a gap wider than a fifth of an em is a space
						space()
					}
				}
			}
		}
	})
	if overOps {
		return nil, problem(where, "too complex", fmt.Sprintf("page %d: the PDF has more than %d drawing operators", i, maxPDFOps), "a simpler PDF")
	}
	return runs, nil
}

// columnOrder is runs in reading order: the order the page draws them,
// except on a page laid out in two columns (lines starting in both halves
// at the same heights), which is read left column then right column, full
// width lines (headings) staying where they are between them.
func columnOrder(runs []*pdfRun, width float64) []*pdfRun {
	mid := width / 2
	var left, right int
	for _, r := range runs {
		if r.x >= mid-r.size {
			right++
		} else if r.x+estWidth(r) <= mid+r.size {
			left++
		}
	}
	if left < 3 || right < 3 {
		return runs
	}
	// Sections between full-width lines; in each, left lines then right
	// lines, each by height from the top.
	var out, l, rt []*pdfRun
	flush := func() {
		sortByHeight(l)
		sortByHeight(rt)
		out = append(append(out, l...), rt...)
		l, rt = nil, nil
	}
	for _, r := range sortedCopy(runs) {
		switch {
		case r.x >= mid-r.size:
			rt = append(rt, r)
		case r.x+estWidth(r) <= mid+r.size:
			l = append(l, r)
		default:
			flush()
			out = append(out, r)
		}
	}
	flush()
	return out
}

// estWidth is the width of a run's text, estimated from its font size
// (half an em per character: widths of the standard fonts are not in the
// file).
func estWidth(r *pdfRun) float64 {
	return float64(utf8.RuneCountInString(r.text.String())) * r.size * 0.5
}

// sortedCopy is runs ordered from the top of the page down (stable).
func sortedCopy(runs []*pdfRun) []*pdfRun {
	out := append([]*pdfRun(nil), runs...)
	sortByHeight(out)
	return out
}

// sortByHeight orders runs from the top of the page down, keeping the
// drawing order of lines at the same height.
func sortByHeight(runs []*pdfRun) {
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].y > runs[j].y })
}

// joinRuns is the text of lines in order: the lines of a paragraph joined
// by spaces, a paragraph ending where the gap to the next line is wider
// than one and a half lines or the next line is not below it.
func joinRuns(runs []*pdfRun) string {
	var b strings.Builder
	var prev *pdfRun
	for _, r := range runs {
		t := cleanLine(r.text.String())
		if t == "" {
			continue
		}
		if prev != nil {
			gap := prev.y - r.y
			if gap > 0 && gap <= prev.size*1.6 {
				b.WriteByte(' ')
			} else {
				b.WriteString("\n\n")
			}
		}
		b.WriteString(t)
		prev = r
	}
	return b.String()
}
