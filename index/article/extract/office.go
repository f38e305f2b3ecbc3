package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/folio-search/folio/index/article"
)

// Bounds of a Word (.docx) or OpenDocument (.odt) file beyond its size in
// bytes: both are zip archives of XML parts, so a small file can hold
// many entries or parts that decompress to far more than its size (a zip
// bomb), and XML nested or repeated without end.
const (
	// MaxZipEntries is the most entries of one office document's archive.
	MaxZipEntries = 10_000
	// officeXMLFactor times the byte limit is the most decompressed bytes
	// of one part read from the archive, and of all parts read together
	// (markup outweighs the text it holds several times).
	officeXMLFactor = 8
	// maxOfficeProps is the most decompressed bytes of a properties part
	// (docProps/core.xml, meta.xml) or of the package relationships.
	maxOfficeProps = 1 << 20
	// minOfficeTokens is the least bound on the XML tokens of one part,
	// which is else one token per byte of the byte limit.
	minOfficeTokens = 100_000
)

// XML namespaces of the parts read.
const (
	nsWord      = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsCompat    = "http://schemas.openxmlformats.org/markup-compatibility/2006"
	nsODFOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
	nsODFText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	nsODFTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	nsODFMeta   = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsDCTerms   = "http://purl.org/dc/terms/"
	nsCoreProps = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
	odtMimeType = "application/vnd.oasis.opendocument.text"
)

// officeZip is an office document's archive as it is read: the entries
// by name and the decompressed bytes still allowed.
type officeZip struct {
	where   string
	files   map[string]*zip.File
	limit   int64 // decompressed bytes allowed for one part
	tokens  int   // XML tokens allowed for one part
	budget  int64 // decompressed bytes still allowed in all
	what    string
	expects string
}

// openOffice opens the zip archive b of a document of the kind what
// ("Word document"), at most MaxZipEntries entries.
func openOffice(b []byte, where string, limit int64, what, expects string) (*officeZip, *article.InputError) {
	if bytes.HasPrefix(b, oleMagic) {
		// Office saves a password-protected document as an OLE compound
		// file holding the encrypted package; old binary .doc files are
		// compound files too.
		if bytes.Contains(b, utf16le("EncryptionInfo")) {
			return nil, problem(where, "encrypted", fmt.Sprintf("the %s is password-protected and cannot be read", what), "a "+what+" without a password")
		}
		return nil, problem(where, "invalid "+what, fmt.Sprintf("not a %s: it is an OLE compound file (an old binary .doc or another legacy Office format)", what), expects)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, problem(where, "invalid "+what, fmt.Sprintf("not a %s: cannot read it as a zip archive: %v", what, err), expects)
	}
	if len(zr.File) > MaxZipEntries {
		return nil, problem(where, "too large", fmt.Sprintf("the archive has %d entries, more than %d", len(zr.File), MaxZipEntries), "a "+what+" of fewer parts")
	}
	z := &officeZip{where: where, files: map[string]*zip.File{}, limit: officeXMLFactor * limit, budget: officeXMLFactor * limit, tokens: int(max(limit, minOfficeTokens)), what: what, expects: expects}
	for _, f := range zr.File {
		if _, dup := z.files[f.Name]; !dup {
			z.files[f.Name] = f
		}
	}
	return z, nil
}

// oleMagic starts every OLE compound file (legacy and encrypted Office documents).
var oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// utf16le is s (ASCII) in UTF-16LE, as compound files name their streams.
func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// errPartTooLarge stops a part's reader at its bound.
var errPartTooLarge = errors.New("part too large")

// boundedReader reads r until n bytes, then fails with errPartTooLarge;
// every byte read is also taken from *budget.
type boundedReader struct {
	r      io.Reader
	n      int64
	budget *int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n <= 0 || *b.budget <= 0 {
		return 0, errPartTooLarge
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	*b.budget -= int64(n)
	return n, err
}

// part walks the XML entry name with fn, reading at most max decompressed
// bytes (0: the part limit), at most MaxXMLDepth deep and z.tokens
// tokens (officeZip.tokens); false when the archive has no such entry.
func (z *officeZip) part(name string, max int64, fn func(tok xml.Token, depth int)) (bool, *article.InputError) {
	f, ok := z.files[name]
	if !ok {
		return false, nil
	}
	if max <= 0 {
		max = z.limit
	}
	rc, err := f.Open()
	if err != nil {
		return true, problem(z.where, "invalid "+z.what, fmt.Sprintf("%s: cannot read the archive entry: %v", name, err), z.expects)
	}
	defer rc.Close()
	br := &boundedReader{r: rc, n: max, budget: &z.budget}
	d := xml.NewDecoder(br)
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	depth, tokens := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return true, nil
		}
		if errors.Is(err, errPartTooLarge) {
			if br.n > 0 {
				return true, problem(z.where, "too large", fmt.Sprintf("%s: the archive's parts are larger than %d bytes once decompressed (a zip bomb?)", name, z.limit), "a smaller "+z.what+", or a larger index.max_article_bytes")
			}
			return true, problem(z.where, "too large", fmt.Sprintf("%s is larger than %d bytes once decompressed (a zip bomb?)", name, max), "a smaller "+z.what+", or a larger index.max_article_bytes")
		}
		if err != nil {
			line, _ := d.InputPos()
			msg := err.Error()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line, msg = se.Line, se.Msg
			}
			return true, problem(z.where, "invalid XML", fmt.Sprintf("%s:%d: malformed XML: %s", name, line, msg), "a "+z.what+" with well-formed XML parts")
		}
		if tokens++; tokens > z.tokens {
			return true, problem(z.where, "too large", fmt.Sprintf("%s has more than %d XML tokens", name, z.tokens), "a smaller "+z.what)
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > MaxXMLDepth {
				return true, problem(z.where, "too deep", fmt.Sprintf("%s: XML elements are nested more than %d deep", name, MaxXMLDepth), "a "+z.what+" nested less deeply")
			}
		case xml.EndElement:
			depth--
		}
		fn(tok, depth)
	}
}

// docProps are what a document's properties say about it.
type docProps struct {
	title, author, created, modified string
	keywords                         []string
}

// propsText collects the text of the property elements named by key
// (namespace + " " + local name) from a properties part.
type propsText struct {
	keys map[string]*string
	list map[string]*[]string
	cur  *strings.Builder
	out  func(string)
}

func (p *propsText) token(tok xml.Token, depth int) {
	switch t := tok.(type) {
	case xml.StartElement:
		k := t.Name.Space + " " + t.Name.Local
		if dst, ok := p.keys[k]; ok && depth == 2 {
			p.cur = &strings.Builder{}
			p.out = func(s string) {
				if *dst == "" {
					*dst = s
				}
			}
		} else if dst, ok := p.list[k]; ok && depth >= 2 {
			p.cur = &strings.Builder{}
			p.out = func(s string) { *dst = append(*dst, s) }
		}
	case xml.CharData:
		if p.cur != nil && p.cur.Len() < article.MaxKeywordBytes*4 {
			p.cur.Write(t)
		}
	case xml.EndElement:
		if p.cur != nil {
			p.out(cleanLine(p.cur.String()))
			p.cur = nil
		}
	}
}

// docx reads a Word document (.docx, Office Open XML) of at most limit
// bytes: the paragraphs of its main part (word/document.xml), title,
// author, keywords (tags) and dates from docProps/core.xml. Headers,
// footers, footnotes and comments are not read; deleted text of tracked
// changes neither.
func (x *Extractor) docx(r io.Reader, where string, limit int64) (article.Article, *article.InputError) {
	limit = limitOr(limit)
	b, perr := readAll(r, where, limit)
	if perr != nil {
		return article.Article{}, perr
	}
	const expects = "a .docx file as Word, LibreOffice or Google Docs save it"
	z, perr := openOffice(b, where, limit, "Word document", expects)
	if perr != nil {
		return article.Article{}, perr
	}
	main, core := "word/document.xml", "docProps/core.xml"
	rels := map[string]string{}
	if _, perr := z.part("_rels/.rels", maxOfficeProps, relsOf(rels)); perr != nil {
		return article.Article{}, perr
	}
	if t := rels["/officeDocument"]; t != "" {
		main = t
	}
	if t := rels["/core-properties"]; t != "" {
		core = t
	}
	var w wordText
	ok, perr := z.part(main, 0, w.token)
	if perr != nil {
		return article.Article{}, perr
	}
	if !ok {
		return article.Article{}, problem(where, "invalid Word document", fmt.Sprintf("not a Word document: the archive has no %s", main), expects)
	}
	var p docProps
	pt := &propsText{keys: map[string]*string{
		nsDC + " title": &p.title, nsDC + " creator": &p.author,
		nsDCTerms + " created": &p.created, nsDCTerms + " modified": &p.modified,
	}, list: map[string]*[]string{nsCoreProps + " keywords": &p.keywords}}
	if _, perr := z.part(core, maxOfficeProps, pt.token); perr != nil {
		return article.Article{}, perr
	}
	var tags []string
	for _, k := range p.keywords {
		tags = append(tags, strings.FieldsFunc(k, func(r rune) bool { return r == ',' || r == ';' })...)
	}
	p.keywords = tags
	return x.officeArticle(p, w.b.String(), w.heading, where, limit)
}

// relsOf collects the targets of the package relationships into rels, by
// the last path element of their type ("/officeDocument").
func relsOf(rels map[string]string) func(xml.Token, int) {
	return func(tok xml.Token, depth int) {
		t, ok := tok.(xml.StartElement)
		if !ok || t.Name.Local != "Relationship" || depth != 2 {
			return
		}
		var typ, target string
		for _, a := range t.Attr {
			switch a.Name.Local {
			case "Type":
				typ = a.Value
			case "Target":
				target = a.Value
			}
		}
		if i := strings.LastIndexByte(typ, '/'); i >= 0 && target != "" && !strings.Contains(target, "://") {
			if _, seen := rels[typ[i:]]; !seen {
				rels[typ[i:]] = strings.TrimPrefix(path.Clean("/"+target), "/")
			}
		}
	}
}

// wordText turns the tokens of word/document.xml into text: a blank line
// after each paragraph, cells of a table row on one line; the first
// paragraph styled Title (else Heading1) is the heading.
type wordText struct {
	b        strings.Builder
	inText   bool   // inside <w:t>
	runs     int    // depth of open <w:r>
	skip     int    // depth at which a skipped subtree started, 0: none
	tables   int    // open <w:tbl>
	paras    int    // open <w:p> (a text box's paragraphs sit inside another's run)
	style    string // style of the current paragraph
	para     strings.Builder
	heading  string
	headRank int // 1: Title, 2: Heading1
}

func (w *wordText) token(tok xml.Token, depth int) {
	switch t := tok.(type) {
	case xml.StartElement:
		if w.skip > 0 {
			return
		}
		if t.Name.Space == nsCompat && t.Name.Local == "Fallback" || t.Name.Space == nsWord && (t.Name.Local == "del" || t.Name.Local == "moveFrom") {
			w.skip = depth // the fallback repeats the choice's text; deleted text is gone
			return
		}
		if t.Name.Space != nsWord {
			return
		}
		switch t.Name.Local {
		case "t":
			w.inText = true
		case "r":
			w.runs++
		case "tab":
			if w.runs > 0 {
				w.para.WriteByte('\t')
			}
		case "br", "cr":
			if w.runs > 0 {
				w.para.WriteByte('\n')
			}
		case "noBreakHyphen":
			w.para.WriteByte('-')
		case "p":
			if w.paras++; w.paras > 1 { // the outer paragraph's text so far comes first
				w.b.WriteString(w.para.String())
				w.b.WriteString("\n\n")
			}
			w.style = ""
			w.para.Reset()
		case "pStyle":
			for _, a := range t.Attr {
				if a.Name.Local == "val" {
					w.style = a.Value
				}
			}
		case "tbl":
			w.tables++
		}
	case xml.CharData:
		if w.skip == 0 && w.inText {
			w.para.Write(t)
		}
	case xml.EndElement:
		if w.skip > 0 {
			if depth+1 == w.skip {
				w.skip = 0
			}
			return
		}
		if t.Name.Space != nsWord {
			return
		}
		switch t.Name.Local {
		case "t":
			w.inText = false
		case "r":
			w.runs--
		case "p":
			w.endPara()
			w.paras--
		case "tc":
			w.b.WriteByte('\t')
		case "tr":
			w.b.WriteByte('\n')
		case "tbl":
			w.tables--
			w.b.WriteString("\n\n")
		}
	}
}

// endPara writes the paragraph just closed.
func (w *wordText) endPara() {
	text := w.para.String()
	rank := 0
	switch strings.ToLower(w.style) {
	case "title":
		rank = 1
	case "heading1", "heading 1":
		rank = 2
	}
	if line := cleanLine(text); rank > 0 && line != "" && (w.headRank == 0 || rank < w.headRank) {
		w.heading, w.headRank = line, rank
	}
	w.b.WriteString(text)
	if w.tables > 0 {
		w.b.WriteByte(' ')
	} else {
		w.b.WriteString("\n\n")
	}
	w.para.Reset()
}

// odt reads an OpenDocument text (.odt) of at most limit bytes: the
// paragraphs and headings of its text (content.xml), title, author,
// keywords (tags) and dates from meta.xml. Notes, annotations and tracked
// deletions are not read.
func (x *Extractor) odt(r io.Reader, where string, limit int64) (article.Article, *article.InputError) {
	limit = limitOr(limit)
	b, perr := readAll(r, where, limit)
	if perr != nil {
		return article.Article{}, perr
	}
	const expects = "an .odt file as LibreOffice or another OpenDocument editor saves it"
	z, perr := openOffice(b, where, limit, "OpenDocument text", expects)
	if perr != nil {
		return article.Article{}, perr
	}
	if f, ok := z.files["mimetype"]; ok {
		mt, perr := z.small(f, 256)
		if perr != nil {
			return article.Article{}, perr
		}
		if mt = strings.TrimSpace(mt); mt != odtMimeType {
			return article.Article{}, problem(where, "invalid OpenDocument text", fmt.Sprintf("not an OpenDocument text: its mimetype is %q", mt), odtMimeType)
		}
	}
	var o odfText
	ok, perr := z.part("content.xml", 0, o.token)
	if perr != nil {
		return article.Article{}, perr
	}
	if !ok {
		return article.Article{}, problem(where, "invalid OpenDocument text", "not an OpenDocument text: the archive has no content.xml", expects)
	}
	var p docProps
	var creator string
	pt := &propsText{keys: map[string]*string{
		nsDC + " title": &p.title, nsODFMeta + " initial-creator": &p.author, nsDC + " creator": &creator,
		nsODFMeta + " creation-date": &p.created, nsDC + " date": &p.modified,
	}, list: map[string]*[]string{nsODFMeta + " keyword": &p.keywords}}
	// meta.xml is office:document-meta > office:meta > the properties.
	if _, perr := z.part("meta.xml", maxOfficeProps, func(tok xml.Token, depth int) { pt.token(tok, depth-1) }); perr != nil {
		return article.Article{}, perr
	}
	if p.author == "" {
		p.author = creator
	}
	return x.officeArticle(p, o.b.String(), o.heading, where, limit)
}

// small is the content of a small entry f, at most n bytes.
func (z *officeZip) small(f *zip.File, n int64) (string, *article.InputError) {
	rc, err := f.Open()
	if err != nil {
		return "", problem(z.where, "invalid "+z.what, fmt.Sprintf("%s: cannot read the archive entry: %v", f.Name, err), z.expects)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, n))
	if err != nil {
		return "", problem(z.where, "invalid "+z.what, fmt.Sprintf("%s: cannot read the archive entry: %v", f.Name, err), z.expects)
	}
	return string(b), nil
}

// odfText turns the tokens of content.xml into text: a blank line after
// each paragraph and heading of office:text, cells of a table row on one
// line; the first heading of outline level 1 is the heading.
type odfText struct {
	b       strings.Builder
	inBody  bool // inside office:text
	paras   int  // open text:p and text:h
	skip    int  // depth at which a skipped subtree started, 0: none
	tables  int
	level1  bool // the open heading is of outline level 1
	para    strings.Builder
	heading string
}

func (o *odfText) token(tok xml.Token, depth int) {
	switch t := tok.(type) {
	case xml.StartElement:
		if o.skip > 0 {
			return
		}
		switch {
		case t.Name.Space == nsODFOffice && t.Name.Local == "text":
			o.inBody = true
		case !o.inBody:
		case t.Name.Space == nsODFOffice && t.Name.Local == "annotation",
			t.Name.Space == nsODFText && (t.Name.Local == "note" || t.Name.Local == "tracked-changes"):
			o.skip = depth
		case t.Name.Space == nsODFText:
			switch t.Name.Local {
			case "p", "h":
				if o.paras++; o.paras == 1 {
					o.para.Reset()
					o.level1 = false
					if t.Name.Local == "h" {
						lvl := "1"
						for _, a := range t.Attr {
							if a.Name.Local == "outline-level" {
								lvl = a.Value
							}
						}
						o.level1 = lvl == "1"
					}
				}
			case "s":
				n := 1
				for _, a := range t.Attr {
					if a.Name.Local == "c" {
						if c, err := strconv.Atoi(a.Value); err == nil && c > 0 {
							n = min(c, 100)
						}
					}
				}
				o.para.WriteString(strings.Repeat(" ", n))
			case "tab":
				o.para.WriteByte('\t')
			case "line-break":
				o.para.WriteByte('\n')
			}
		case t.Name.Space == nsODFTable && t.Name.Local == "table":
			o.tables++
		}
	case xml.CharData:
		if o.skip == 0 && o.paras > 0 {
			o.para.Write(t)
		}
	case xml.EndElement:
		if o.skip > 0 {
			if depth+1 == o.skip {
				o.skip = 0
			}
			return
		}
		switch {
		case !o.inBody:
		case t.Name.Space == nsODFOffice && t.Name.Local == "text":
			o.inBody = false
		case t.Name.Space == nsODFText && (t.Name.Local == "p" || t.Name.Local == "h"):
			if o.paras--; o.paras == 0 {
				o.endPara()
			}
		case t.Name.Space == nsODFTable:
			switch t.Name.Local {
			case "table-cell":
				o.b.WriteByte('\t')
			case "table-row":
				o.b.WriteByte('\n')
			case "table":
				o.tables--
				o.b.WriteString("\n\n")
			}
		}
	}
}

// endPara writes the paragraph or heading just closed.
func (o *odfText) endPara() {
	text := o.para.String()
	if line := cleanLine(text); o.level1 && o.heading == "" && line != "" {
		o.heading = line
	}
	o.b.WriteString(text)
	if o.tables > 0 {
		o.b.WriteByte(' ')
	} else {
		o.b.WriteString("\n\n")
	}
	o.para.Reset()
}

// officeArticle is the article of an office document: its properties,
// its text; the title from the properties, else its heading, else its
// first line; the date its creation, else its modification date.
func (x *Extractor) officeArticle(p docProps, text, heading, where string, limit int64) (article.Article, *article.InputError) {
	a := article.Article{Title: truncateRunes(p.title, 500), Author: truncateRunes(p.author, 200), Tags: uniqueTags(p.keywords), Body: cleanText(text)}
	if int64(len(a.Body)) > limit {
		return article.Article{}, tooLarge(where, limit, "the document's text")
	}
	a.Date = x.firstDate([]string{p.created, p.modified})
	if a.Title == "" {
		a.Title = heading
	}
	if a.Title == "" {
		first, _, _ := strings.Cut(a.Body, "\n")
		a.Title = truncateRunes(first, 200)
	}
	a.Body = dropLeadingTitle(a.Body, a.Title)
	if a.Body == "" && a.Title == "" {
		return article.Article{}, problem(where, "no text", "the document has no text", "a document with text")
	}
	if a.Body == "" {
		a.Body = a.Title
	}
	if perr := validate(a, where); perr != nil {
		return article.Article{}, perr
	}
	return a, nil
}
