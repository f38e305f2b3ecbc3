package extract

import (
	"archive/zip"
	"bytes"
	"strings"
	"time"
)

// zipEntry is one file of an archive a test writes.
type zipEntry struct {
	name, body string
	store      bool // stored, not deflated (an ODF mimetype must be)
}

// zipFile is the archive of entries in order, with fixed times so that
// the output is the same on every run.
func zipFile(entries ...zipEntry) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
		if e.store {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			panic(err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Text of the Word fixture (testdata/formats/travel-policy.docx): a Title
// paragraph, a heading, paragraphs split into runs, a table, a text box
// (written twice, as DrawingML and as its VML fallback), a tracked
// deletion, and a header, a footer and a comment in parts of their own.
const (
	docxTitleStyled = "Travel policy 2026"
	docxFirst       = "From 1 April, all business travel is booked through the new travel portal."
	docxLast        = "Questions about the policy go to travel@corp.example.com."
	docxCore        = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Travel policy 2026: booking, rail and expenses</dc:title><dc:subject>Travel</dc:subject><dc:creator>Human Resources</dc:creator><cp:keywords>travel, expenses; policy</cp:keywords><cp:lastModifiedBy>Jonas Weber</cp:lastModifiedBy><cp:revision>7</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">2026-03-10T08:15:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2026-03-12T16:02:00Z</dcterms:modified></cp:coreProperties>`
)

// wp is a Word paragraph of one run per part, styled style (may be empty).
func wp(style string, parts ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	if style != "" {
		b.WriteString(`<w:pPr><w:pStyle w:val="` + style + `"/><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>`)
	}
	for _, p := range parts {
		b.WriteString(`<w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">` + p + `</w:t></w:r>`)
	}
	b.WriteString("</w:p>")
	return b.String()
}

// travelDocx is the Word fixture.
func travelDocx() []byte {
	cell := func(s string) string {
		return `<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr>` + wp("", s) + `</w:tc>`
	}
	body := wp("Title", docxTitleStyled) +
		wp("", "From 1 April, all business travel is booked ", "through the new travel portal.") +
		wp("Heading1", "Rail before air") +
		wp("", "Trips under 600 km go by rail. ", "First class is allowed for trips of more than four hours.") +
		`<w:p><w:r><w:t>Hotels are booked at the </w:t></w:r><w:del w:id="1" w:author="Jonas Weber"><w:r><w:delText>Deletedwalrus </w:delText></w:r></w:del><w:r><w:t>negotiated rates</w:t></w:r><w:r><w:tab/><w:t>where the city has one.</w:t></w:r></w:p>` +
		`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr>` +
		`<w:tr>` + cell("City") + cell("Hotel rate per night") + `</w:tr>` +
		`<w:tr>` + cell("Berlin") + cell("EUR 140") + `</w:tr>` +
		`<w:tr>` + cell("Vienna") + cell("EUR 120") + `</w:tr></w:tbl>` +
		`<w:p><w:r><w:t xml:space="preserve">Receipts are uploaded within 30 days. </w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>` +
		wp("", "Tip: photograph receipts with the expenses app.") +
		`</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>` +
		wp("", "Fallbackferret tip: photograph receipts with the expenses app.") +
		`</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>Late receipts are not refunded.</w:t></w:r></w:p>` +
		wp("", "Questions about the policy go to travel@corp.example.com.")
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"><w:body>` +
		body + `<w:sectPr><w:headerReference w:type="default" r:id="rId2"/><w:footerReference w:type="default" r:id="rId3"/><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`
	const wns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	return zipFile(
		zipEntry{name: "[Content_Types].xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`},
		zipEntry{name: "_rels/.rels", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		zipEntry{name: "word/document.xml", body: doc},
		zipEntry{name: "word/_rels/document.xml.rels", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/></Relationships>`},
		zipEntry{name: "word/header1.xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr ` + wns + `>` + wp("Header", "Headerheron Corp internal") + `</w:hdr>`},
		zipEntry{name: "word/footer1.xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr ` + wns + `>` + wp("Footer", "Footerflamingo page 1") + `</w:ftr>`},
		zipEntry{name: "word/comments.xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments ` + wns + `><w:comment w:id="0" w:author="Jonas Weber">` + wp("", "Commentcormorant: check the rates") + `</w:comment></w:comments>`},
		zipEntry{name: "docProps/core.xml", body: docxCore},
		zipEntry{name: "docProps/app.xml", body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Office Word</Application><Pages>1</Pages><Company>Corp</Company></Properties>`},
	)
}

// Text of the OpenDocument fixture (testdata/formats/works-council.odt):
// headings, paragraphs with spans, runs of spaces and a line break, a
// list, a table, a footnote and an annotation (not read).
const (
	odtFirst = "The works council met on 5 March 2026 with nine of eleven members present."
	odtLast  = "The next meeting is on 2 April 2026 in room 4.12."
)

// councilODT is the OpenDocument fixture.
func councilODT() []byte {
	const ns = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"`
	content := `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content ` + ns + ` office:version="1.3"><office:automatic-styles><style:style style:name="P1" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style></office:automatic-styles><office:body><office:text><text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Table"/></text:sequence-decls>` +
		`<text:h text:style-name="Heading_20_1" text:outline-level="1">Minutes of the works council, March 2026</text:h>` +
		`<text:p text:style-name="Text_20_body">The works council met on 5 March 2026 with <text:span text:style-name="T1">nine of eleven</text:span> members present.</text:p>` +
		`<text:h text:style-name="Heading_20_2" text:outline-level="2">Decisions</text:h>` +
		`<text:list text:style-name="L1"><text:list-item><text:p>The canteen subsidy rises to 3.50 euros per meal.</text:p></text:list-item>` +
		`<text:list-item><text:p>Remote work stays at up to three days a week.<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Footnotefalcon: see the agreement of 2024.</text:p></text:note-body></text:note></text:p></text:list-item></text:list>` +
		`<text:p>Votes:<text:s text:c="3"/>8 for,<text:tab/>1 abstention.<text:line-break/>The proposal passed.<office:annotation><dc:creator>Jonas Weber</dc:creator><text:p>Annotationaardvark check the count</text:p></office:annotation></text:p>` +
		`<table:table table:name="Attendance"><table:table-column table:number-columns-repeated="2"/>` +
		`<table:table-row><table:table-cell office:value-type="string"><text:p>Present</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="9"><text:p>9</text:p></table:table-cell></table:table-row>` +
		`<table:table-row><table:table-cell office:value-type="string"><text:p>Excused</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="2"><text:p>2</text:p></table:table-cell></table:table-row></table:table>` +
		`<text:p text:style-name="Text_20_body">The next meeting is on 2 April 2026 in room 4.12.</text:p>` +
		`</office:text></office:body></office:document-content>`
	meta := `<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta ` + ns + ` office:version="1.3"><office:meta><meta:creation-date>2026-03-05T17:45:12.480000000</meta:creation-date><dc:date>2026-03-06T08:01:40.120000000</dc:date><meta:editing-duration>PT42M</meta:editing-duration><meta:generator>LibreOffice/24.8.4.2$Linux_X86_64 LibreOffice_project/480</meta:generator><dc:title>Works council minutes, 5 March 2026</dc:title><meta:initial-creator>Works Council Office</meta:initial-creator><dc:creator>Jonas Weber</dc:creator><meta:keyword>works council</meta:keyword><meta:keyword>minutes</meta:keyword><meta:document-statistic meta:page-count="1" meta:paragraph-count="9"/></office:meta></office:document-meta>`
	return zipFile(
		zipEntry{name: "mimetype", body: odtMimeType, store: true},
		zipEntry{name: "META-INF/manifest.xml", body: `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>`},
		zipEntry{name: "content.xml", body: content},
		zipEntry{name: "styles.xml", body: `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles ` + ns + `><office:master-styles><style:master-page style:name="Standard"><style:header><text:p>Headerheron works council</text:p></style:header></style:master-page></office:master-styles></office:document-styles>`},
		zipEntry{name: "meta.xml", body: meta},
	)
}
