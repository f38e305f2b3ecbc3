package extract

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/folio-search/folio/index/article"
)

// officeBoilerplate are the words of the office fixtures that are not
// their text: headers, footers, comments, annotations, footnotes, a
// tracked deletion and a text box's fallback copy.
var officeBoilerplate = []string{"Headerheron", "Footerflamingo", "Commentcormorant", "Annotationaardvark", "Footnotefalcon", "Deletedwalrus", "Fallbackferret"}

// TestOfficeFixtures: the Word and OpenDocument fixtures give title,
// author, tags and date from their properties and their paragraphs,
// headings, list items and table rows in order.
func TestOfficeFixtures(t *testing.T) {
	for _, tc := range []struct {
		file string
		want want
	}{
		{"travel-policy.docx", want{title: "Travel policy 2026: booking, rail and expenses", date: "2026-03-10T08:15:00Z", // dcterms:created, not modified
			author: "Human Resources", tags: []string{"travel", "expenses", "policy"},
			first: docxTitleStyled, last: docxLast, paragraphs: 10}}, // title, 6 paragraphs, heading, table, text box
		{"works-council.odt", want{title: "Works council minutes, 5 March 2026", date: "2026-03-05T17:45:12Z", // meta:creation-date
			author: "Works Council Office", tags: []string{"works council", "minutes"}, // meta:initial-creator, not dc:creator
			first: "Minutes of the works council, March 2026", last: odtLast, paragraphs: 8}}, // 2 headings, 3 paragraphs (one with a line break), 2 list items, the table
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(formats, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			k, ok := KindOf(tc.file, "")
			if !ok {
				t.Fatalf("KindOf(%q) not known", tc.file)
			}
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(b)
			zw.Close()
			for name, in := range map[string][]byte{tc.file: b, tc.file + ".gz": gz.Bytes()} {
				as, err := Document(k, name, bytes.NewReader(in), 0)
				if err != nil || len(as) != 1 {
					t.Fatalf("%s: %v %v", name, as, err)
				}
				a := as[0]
				a.Date = a.Date.Truncate(1e9)
				check(t, a, tc.want)
				for _, w := range officeBoilerplate {
					if strings.Contains(a.Body, w) {
						t.Errorf("%s: %q in the body:\n%s", name, w, a.Body)
					}
				}
			}
		})
	}
	a := mustDoc(t, "travel-policy.docx", travelDocx())
	for _, s := range []string{"through the new travel portal.", "at the negotiated rates where", "City Hotel rate per night\nBerlin EUR 140\nVienna EUR 120",
		"Receipts are uploaded within 30 days.\n\nTip: photograph receipts with the expenses app.\n\nLate receipts are not refunded."} {
		if !strings.Contains(a.Body, s) {
			t.Errorf("docx body lacks %q:\n%s", s, a.Body)
		}
	}
	a = mustDoc(t, "works-council.odt", councilODT())
	for _, s := range []string{"with nine of eleven members", "Votes: 8 for, 1 abstention.\nThe proposal passed.", "Present 9\nExcused 2", "a week.\n\nVotes"} {
		if !strings.Contains(a.Body, s) {
			t.Errorf("odt body lacks %q:\n%s", s, a.Body)
		}
	}
}

func mustDoc(t *testing.T, name string, b []byte) article.Article {
	t.Helper()
	k, _ := KindOf(name, "")
	as, err := Document(k, name, bytes.NewReader(b), 0)
	if err != nil || len(as) != 1 {
		t.Fatalf("%s: %v %v", name, as, err)
	}
	return as[0]
}

// TestOfficeTitleFallback: without a title property the title is the
// styled Title (docx) or first level-1 heading (odt), else the first line.
func TestOfficeTitleFallback(t *testing.T) {
	docx := func(body string) []byte {
		return zipFile(zipEntry{name: "word/document.xml", body: `<w:document xmlns:w="` + nsWord + `"><w:body>` + body + `</w:body></w:document>`})
	}
	odt := func(body string) []byte {
		return zipFile(zipEntry{name: "mimetype", body: odtMimeType, store: true},
			zipEntry{name: "content.xml", body: `<office:document-content xmlns:office="` + nsODFOffice + `" xmlns:text="` + nsODFText + `"><office:body><office:text>` + body + `</office:text></office:body></office:document-content>`})
	}
	for _, tc := range []struct {
		name        string
		doc         []byte
		title, body string
	}{
		{"heading.docx", docx(wp("", "Intro line.") + wp("Heading1", "Section") + wp("Title", "The title") + wp("", "Text.")), "The title", "Intro line.\n\nSection\n\nThe title\n\nText."},
		{"plain.docx", docx(wp("", "First line") + wp("", "Second line.")), "First line", "Second line."},
		{"heading.odt", odt(`<text:p>Lead.</text:p><text:h text:outline-level="2">Sub</text:h><text:h text:outline-level="1">Top</text:h>`), "Top", "Lead.\n\nSub\n\nTop"},
		{"plain.odt", odt(`<text:p>Only line</text:p>`), "Only line", "Only line"},
	} {
		a := mustDoc(t, tc.name, tc.doc)
		if a.Title != tc.title || a.Body != tc.body || !a.Date.IsZero() {
			t.Errorf("%s: title %q body %q date %v; want %q, %q, none", tc.name, a.Title, a.Body, a.Date, tc.title, tc.body)
		}
	}
}

// TestOfficeHostile: zip bombs, archives of too many entries, XML too deep
// or too long, malformed parts and files that are no office documents
// are input errors naming the file and what is wrong; nothing panics.
func TestOfficeHostile(t *testing.T) {
	doc := func(inner string) string {
		return `<w:document xmlns:w="` + nsWord + `"><w:body>` + inner + `</w:body></w:document>`
	}
	bombDoc := doc(wp("", strings.Repeat("a", 3<<20))) // 3 MiB of text, ~3 KiB deflated
	var many []zipEntry
	for i := 0; i <= MaxZipEntries; i++ {
		many = append(many, zipEntry{name: "word/media/image" + strconv.Itoa(i) + ".png", store: true})
	}
	many = append(many, zipEntry{name: "word/document.xml", body: doc(wp("", "x"))})
	for _, tc := range []struct {
		name   string
		doc    []byte
		limit  int64
		reason string
		msg    string
	}{
		{"bomb.docx", zipFile(zipEntry{name: "word/document.xml", body: bombDoc}), 256 << 10, "too large", "bomb.docx: word/document.xml is larger than 2097152 bytes once decompressed (a zip bomb?)"},
		{"bombs.docx", zipFile(zipEntry{name: "word/document.xml", body: doc(strings.Repeat(`<w:p w:rsid="`+strings.Repeat("0", 1000)+`"/>`, 1900))},
			zipEntry{name: "docProps/core.xml", body: strings.Repeat(" ", 200<<10) + "<x/>"}), 256 << 10, "too large", "bombs.docx: docProps/core.xml: the archive's parts are larger than"},
		{"props.docx", zipFile(zipEntry{name: "word/document.xml", body: doc(wp("", "x"))},
			zipEntry{name: "docProps/core.xml", body: "<x>" + strings.Repeat("a", 2<<20) + "</x>"}), 0, "too large", "props.docx: docProps/core.xml is larger than 1048576 bytes"},
		{"text.docx", zipFile(zipEntry{name: "word/document.xml", body: doc(wp("", strings.Repeat("word ", 300<<10)))}), 1 << 20, "too large", "text.docx: the document's text is larger than 1048576 bytes"},
		{"bomb.odt", zipFile(zipEntry{name: "content.xml", body: `<office:document-content xmlns:office="` + nsODFOffice + `" xmlns:text="` + nsODFText + `"><office:body><office:text><text:p>` +
			strings.Repeat("b", 3<<20) + `</text:p></office:text></office:body></office:document-content>`}), 256 << 10, "too large", "bomb.odt: content.xml is larger than"},
		{"many.docx", zipFile(many...), 0, "too large", "many.docx: the archive has 10002 entries, more than 10000"},
		{"deep.docx", zipFile(zipEntry{name: "word/document.xml", body: doc(strings.Repeat("<w:p>", MaxXMLDepth+1))}), 0, "too deep", "deep.docx: word/document.xml: XML elements are nested more than 256 deep"},
		{"tokens.odt", zipFile(zipEntry{name: "content.xml", body: "<r>" + strings.Repeat("<a/>", minOfficeTokens/2+1) + "</r>"}), 50_000, "too large", "tokens.odt: content.xml has more than 100000 XML tokens"},
		{"malformed.docx", zipFile(zipEntry{name: "word/document.xml", body: doc("<w:p>\n<w:r></w:p>")}), 0, "invalid XML", "malformed.docx: word/document.xml:2: malformed XML"},
		{"entity.docx", zipFile(zipEntry{name: "word/document.xml", body: `<!DOCTYPE d [<!ENTITY e "lol">]>` + doc(wp("", "&e;&e;"))}), 0, "invalid XML", "entity.docx: word/document.xml:1: malformed XML: invalid character entity &e;"},
		{"notzip.docx", []byte("PK this is not a zip archive at all"), 0, "invalid Word document", "notzip.docx: not a Word document: cannot read it as a zip archive"},
		{"empty-zip.docx", zipFile(zipEntry{name: "readme.txt", body: "hello"}), 0, "invalid Word document", "empty-zip.docx: not a Word document: the archive has no word/document.xml (a .docx file as Word, LibreOffice or Google Docs save it)"},
		{"sheet.odt", zipFile(zipEntry{name: "mimetype", body: "application/vnd.oasis.opendocument.spreadsheet", store: true}, zipEntry{name: "content.xml", body: "<x/>"}), 0,
			"invalid OpenDocument text", `sheet.odt: not an OpenDocument text: its mimetype is "application/vnd.oasis.opendocument.spreadsheet" (application/vnd.oasis.opendocument.text)`},
		{"nocontent.odt", zipFile(zipEntry{name: "mimetype", body: odtMimeType, store: true}), 0, "invalid OpenDocument text", "nocontent.odt: not an OpenDocument text: the archive has no content.xml"},
		{"blank.odt", zipFile(zipEntry{name: "content.xml", body: `<office:document-content xmlns:office="` + nsODFOffice + `"><office:body><office:text/></office:body></office:document-content>`}), 0, "no text", "blank.odt: the document has no text"},
		{"over.docx", travelDocx(), 1000, "too large", "over.docx: document is larger than 1000 bytes"},
		{"locked.docx", append(append(append([]byte(nil), oleMagic...), make([]byte, 504)...), utf16le("EncryptionInfo")...), 0, "encrypted",
			"locked.docx: the Word document is password-protected and cannot be read (a Word document without a password)"},
		{"legacy.docx", append(append([]byte(nil), oleMagic...), make([]byte, 504)...), 0, "invalid Word document",
			"legacy.docx: not a Word document: it is an OLE compound file (an old binary .doc or another legacy Office format)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, _ := KindOf(tc.name, "")
			_, err := Document(k, tc.name, bytes.NewReader(tc.doc), tc.limit)
			var ie *article.InputError
			if !errors.As(err, &ie) || ie.Reason != tc.reason || !strings.HasPrefix(err.Error(), tc.msg) {
				t.Fatalf("got %v (reason %q); want reason %q, %q…", err, reasonOf(ie), tc.reason, tc.msg)
			}
		})
	}
	// Every cut of the fixtures is an input error, not a panic.
	for name, b := range map[string][]byte{"cut.docx": travelDocx(), "cut.odt": councilODT()} {
		for n := 1; n < len(b); n += 53 {
			k, _ := KindOf(name, "")
			_, err := Document(k, name, bytes.NewReader(b[:n]), 0)
			var ie *article.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("%s cut at %d: %v", name, n, err)
			}
		}
	}
}

func reasonOf(ie *article.InputError) string {
	if ie == nil {
		return ""
	}
	return ie.Reason
}
