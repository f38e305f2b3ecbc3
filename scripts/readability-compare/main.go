// Command readability-compare measures the two maintained Go readability
// libraries, codeberg.org/readeck/go-readability/v2 (the one Folio ships)
// and github.com/go-shiori/go-readability, on Folio's HTML fixtures, and
// the PDF library Folio ships, github.com/ledongthuc/pdf, on the PDF
// fixture, against Folio's own readers. It prints the Markdown tables of
// docs/formats.md. It is a module of its own so that the library Folio
// does not use never enters Folio's build:
//
//	cd scripts/readability-compare && go run .
package main

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	readeck "codeberg.org/readeck/go-readability/v2"
	shiori "github.com/go-shiori/go-readability"
	"github.com/ledongthuc/pdf"
	"golang.org/x/net/html"

	"github.com/folio-search/folio/index/article/extract"
)

const formats = "../../testdata/formats"

// fixture is one HTML fixture and what a reader should get from it (the
// same expectations as index/article/extract's tests).
type fixture struct {
	file, pageURL       string
	title, author, date string // date as 2006-01-02
	first, last         string // first and last paragraph of the article text
	firstAlt            string // an acceptable other first paragraph (the byline a library keeps), may be empty
	boilerplate         []string
}

var chrome = []string{"Newsletterpalooza", "Gingersnapconsent", "Footerwombat", "Scriptkangaroo", "adslotZebrafish",
	"TRACKERWIDGET", "Quokkaphones", "hummingbirdcomment", "Crumbleotter", "Yakform", "Roombooker", "Chatterweasel",
	"Footerpangolin", "scriptnarwhal", "Pixelbadger", "Noscriptmarmot", "Capybaralink", "Narwhalnews", "Mongoosemenu", "cookie", "Accept all",
	"Sharewalrus", "Signupsalamander", "Relatedrhino", "Biobison", "Commentcoyote", "Footeriguana", "Consentcassowary"}

var fixtures = []fixture{
	{file: "blog.html", pageURL: "https://blog.corp.example.com/x", title: "Why we moved the intranet to HTTP/3", author: "Priya Raman", date: "2026-04-08",
		first: "Most of our colleagues reach the intranet over office Wi-Fi or from home, and both lose packets far more often than a data centre link does.",
		last:  "HTTP/3 is now on for every office, and we will switch the API gateway next quarter."},
	{file: "seed.html", pageURL: "https://www.chinadaily.com.cn/x", title: "Ironclad friendship with Cambodia hailed", author: "Cao Desheng", date: "2024-12-04",
		first: "By Cao Desheng | chinadaily.com.cn | Updated: 2024-12-04 07:24",
		last:  `Ties between China and Cambodia reached new heights under Hun Sen's tenure as Cambodian prime minister, becoming an "all-weather, ironclad partnership".`},
	{file: "intranet.html", title: "Canteen reopens after renovation", author: "Facilities Team", date: "2026-03-02",
		first: "Posted by Facilities Team on 2 March 2026", firstAlt: "The staff canteen on the ground floor reopens on Monday after six weeks of renovation & repairs.",
		last: "Please return trays to the racks by the exit, and tell us what you think of the new menu."},
	{file: "jsonld.html", pageURL: "https://corp.example.com/any/page", title: "Quarterly results beat expectations", author: "Ada Lovelace", date: "2025-07-15",
		first: "Revenue for the second quarter rose 12 percent to 4.2 billion euros, driven by strong demand for cloud services in Europe and Asia.",
		last:  "The company will publish its third-quarter results on 14 October."},
	{file: "metadate.html", pageURL: "https://status.example.com/maintenance", title: "Network maintenance this weekend", date: "2026-01-09",
		first: "The core switches in both data centres will be replaced on Saturday between 22:00 and 02:00.",
		last:  "No action is needed from staff, but please save your work before leaving on Friday."},
}

// result is what one reader got from one fixture.
type result struct {
	title, author, date, body string
	err                       error
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	readers := []struct {
		name string
		read func(b []byte, u *url.URL) result
	}{
		{"readeck/go-readability/v2 v2.1.3", readReadeck},
		{"go-shiori/go-readability (2025-12-05)", readShiori},
		{"Folio (extract.HTML: own metadata + readeck body)", readFolio},
	}
	fmt.Fprintln(w, "| fixture | reader | title | author | date | first paragraph | last paragraph | boilerplate in body |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, f := range fixtures {
		b, err := os.ReadFile(filepath.Join(formats, f.file))
		if err != nil {
			return err
		}
		u, _ := url.Parse(f.pageURL)
		if f.pageURL == "" {
			u = nil
		}
		for _, r := range readers {
			res := r.read(b, u)
			if res.err != nil {
				fmt.Fprintf(w, "| %s | %s | error: %v ||||||\n", f.file, r.name, res.err)
				continue
			}
			paras := strings.Split(res.body, "\n\n")
			first, last := strings.TrimSpace(paras[0]), strings.TrimSpace(paras[len(paras)-1])
			var leaks []string
			for _, c := range chrome {
				if strings.Contains(strings.ToLower(res.body), strings.ToLower(c)) {
					leaks = append(leaks, c)
				}
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", f.file, r.name,
				mark(res.title == f.title, res.title), mark(res.author == f.author, res.author), mark(res.date == f.date, res.date),
				mark(first == f.first || f.firstAlt != "" && first == f.firstAlt, short(first)), mark(last == f.last, short(last)),
				leakText(leaks))
		}
	}
	fmt.Fprintln(w)
	return comparePDF(w)
}

func mark(ok bool, s string) string {
	if s == "" {
		s = "—"
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	if ok {
		return "✓ " + s
	}
	return "✗ " + s
}

func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "…"
	}
	return s
}

func leakText(leaks []string) string {
	if len(leaks) == 0 {
		return "✓ none"
	}
	return "✗ " + strings.Join(leaks, ", ")
}

// text is the plain text of a library's article node, through Folio's
// one HTML-to-text rendering, so that the libraries differ only in what
// they keep.
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b bytes.Buffer
	html.Render(&b, n)
	return extract.Text(b.String())
}

func day(t time.Time, err error) string {
	if err != nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func readReadeck(b []byte, u *url.URL) result {
	a, err := readeck.FromReader(bytes.NewReader(b), u)
	if err != nil {
		return result{err: err}
	}
	return result{title: a.Title(), author: a.Byline(), date: day(a.PublishedTime()), body: text(a.Node)}
}

func readShiori(b []byte, u *url.URL) result {
	if u == nil {
		u = &url.URL{}
	}
	a, err := shiori.FromReader(bytes.NewReader(b), u)
	if err != nil {
		return result{err: err}
	}
	r := result{title: a.Title, author: a.Byline, body: text(a.Node)}
	if a.PublishedTime != nil {
		r.date = a.PublishedTime.UTC().Format("2006-01-02")
	}
	return r
}

func readFolio(b []byte, u *url.URL) result {
	pageURL := ""
	if u != nil {
		pageURL = u.String()
	}
	a, err := extract.HTML(bytes.NewReader(b), pageURL, 0)
	if err != nil {
		return result{err: err}
	}
	// Folio drops a first paragraph that repeats the title; the others keep it.
	return result{title: a.Title, author: a.Author, date: day(a.Date, nil), body: a.Body}
}

// comparePDF reads the two-page PDF fixture with the library's own text
// functions and with Folio's reader: does page 2 come out column by
// column?
func comparePDF(w io.Writer) error {
	b, err := os.ReadFile(filepath.Join(formats, "report.pdf"))
	if err != nil {
		return err
	}
	const left = "The roof of the library annex was resealed in March."
	const leftEnd = "The reading room reopened on the first of April."
	const right = "The canteen kitchen will be renovated in the summer."
	order := func(s string) string {
		s = strings.Join(strings.Fields(s), " ")
		l, le, r := strings.Index(s, left), strings.Index(s, leftEnd), strings.Index(s, right)
		switch {
		case l < 0 || le < 0 || r < 0:
			return "✗ a column's sentences are not whole (lines interleaved)"
		case l < le && le < r:
			return "✓ left column, then right column"
		}
		return "✗ columns interleaved"
	}
	pr, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	plain, err := pr.GetPlainText()
	if err != nil {
		return err
	}
	pt, err := io.ReadAll(plain)
	if err != nil {
		return err
	}
	rows, err := pr.Page(2).GetTextByRow()
	if err != nil {
		return err
	}
	var byRow strings.Builder
	for _, row := range rows {
		for _, t := range row.Content {
			byRow.WriteString(t.S)
		}
		byRow.WriteByte(' ')
	}
	as, err := extract.Document(extract.KindPDF, "report.pdf", bytes.NewReader(b), 0)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "| report.pdf, page 2 (two columns) | reading order | title | words run together |")
	fmt.Fprintln(w, "|---|---|---|---|")
	fmt.Fprintf(w, "| ledongthuc/pdf Reader.GetPlainText | %s | %s | %s |\n", order(string(pt)), "(no title: text only)", runTogether(string(pt)))
	fmt.Fprintf(w, "| ledongthuc/pdf Page.GetTextByRow | %s | %s | %s |\n", order(byRow.String()), "(no title: text only)", runTogether(byRow.String()))
	fmt.Fprintf(w, "| Folio (extract, on ledongthuc/pdf's objects and content interpreter) | %s | ✓ %s | %s |\n", order(as[0].Body), as[0].Title, runTogether(as[0].Body))
	return nil
}

// runTogether says whether words of the fixture come out glued together
// (a reader that drops the spaces between text-showing operators).
func runTogether(s string) string {
	for _, glued := range []string{"annexwas", "summer.During", "March.Work"} {
		if strings.Contains(strings.ReplaceAll(s, "\n", ""), glued) {
			return "✗ e.g. " + glued
		}
	}
	return "✓ none"
}
