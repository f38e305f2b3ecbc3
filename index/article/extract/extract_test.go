package extract

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index/article"
)

const formats = "../../../testdata/formats"

// want is what a table test expects of one extracted article.
type want struct {
	id, title, date, url, author string
	tags                         []string
	first, last                  string // first and last line of the body
	paragraphs                   int    // blank-line separated paragraphs, 0: not checked
}

// boilerplate are the words the fixtures hide in navigation, cookie
// banners, scripts, comments, footers and ads: none may reach a body.
var boilerplate = []string{"Newsletterpalooza", "Gingersnapconsent", "Footerwombat", "Scriptkangaroo", "adslotZebrafish",
	"TRACKERWIDGET", "Quokkaphones", "hummingbirdcomment", "Crumbleotter", "Yakform", "Roombooker", "Chatterweasel",
	"Footerpangolin", "scriptnarwhal", "Pixelbadger", "Noscriptmarmot", "Capybaralink", "Narwhalnews", "Mongoosemenu",
	"Feedscriptocelot", "cookie", "Accept all", "Sharewalrus", "Signupsalamander", "Relatedrhino", "Biobison", "Commentcoyote", "Footeriguana", "Consentcassowary"}

func check(t *testing.T, a article.Article, w want) {
	t.Helper()
	got := want{id: a.ID, title: a.Title, url: a.URL, author: a.Author, tags: a.Tags}
	if !a.Date.IsZero() {
		got.date = a.Date.UTC().Format(time.RFC3339)
	}
	lines := strings.Split(a.Body, "\n")
	got.first, got.last = lines[0], lines[len(lines)-1]
	if w.paragraphs > 0 {
		got.paragraphs = len(strings.Split(a.Body, "\n\n"))
	}
	if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{})); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	for _, b := range boilerplate {
		if strings.Contains(strings.ToLower(a.Body+" "+a.Title), strings.ToLower(b)) {
			t.Errorf("boilerplate %q in the article: %q", b, a.Body)
		}
	}
	for _, ent := range []string{"&amp;", "&eacute;", "&ldquo;", "&#39;", "<p>", "</"} {
		if strings.Contains(a.Body, ent) {
			t.Errorf("markup %q left in the body", ent)
		}
	}
}

func TestHTMLFixtures(t *testing.T) {
	seedURL := "https://www.chinadaily.com.cn/a/202412/04/WS674f9a1ca310f1265a1d1c5e.html"
	for _, tc := range []struct {
		file, pageURL string
		want          want
	}{
		{"seed.html", "https://www.chinadaily.com.cn/x", want{
			id: seedURL, title: "Ironclad friendship with Cambodia hailed", // og:title, not <title>'s "... - Chinadaily.com.cn"
			date: "2024-12-04T00:00:00Z", // article:published_time before <time datetime="2024-12-04T07:24:00+08:00">
			url:  seedURL, author: "Cao Desheng", tags: []string{"Xi Jinping", "Hun Sen", "Cambodia", "diplomacy"},
			first:      "By Cao Desheng | chinadaily.com.cn | Updated: 2024-12-04 07:24", // the byline block stays: readability keeps it
			last:       `Ties between China and Cambodia reached new heights under Hun Sen's tenure as Cambodian prime minister, becoming an "all-weather, ironclad partnership".`,
			paragraphs: 18, // the byline, the caption, 16 paragraphs
		}},
		{"blog.html", "https://blog.corp.example.com/any", want{
			id: "https://blog.corp.example.com/2026/04/http3", title: "Why we moved the intranet to HTTP/3", // og:title, not <title>'s "... · Platform Engineering Blog"
			date: "2026-04-08T08:00:00Z", // article time and JSON-LD in @graph agree; a comment's later <time> is not taken
			url:  "https://blog.corp.example.com/2026/04/http3", author: "Priya Raman", tags: []string{"http3", "networking", "performance"},
			first:      "Most of our colleagues reach the intranet over office Wi-Fi or from home, and both lose packets far more often than a data centre link does.", // a consent banner before <main> is dropped: readability kept it
			last:       "HTTP/3 is now on for every office, and we will switch the API gateway next quarter.",                                                          // no author bio, related posts, comments
			paragraphs: 9,                                                                                                                                              // 6 paragraphs, 2 headings, the quote; not the newsletter box
		}},
		{"intranet.html", "", want{
			id: "https://intranet.example.com/news/canteen-reopens", title: "Canteen reopens after renovation", // <title>
			date: "2026-03-02T09:30:00Z", // <time datetime>
			url:  "https://intranet.example.com/news/canteen-reopens", author: "Facilities Team", tags: []string{"canteen", "facilities"},
			first:      "Posted by Facilities Team on 2 March 2026",
			last:       "Please return trays to the racks by the exit, and tell us what you think of the new menu.",
			paragraphs: 6,
		}},
		{"jsonld.html", "https://corp.example.com/any/page", want{
			id: "https://corp.example.com/press/2025/quarterly-results", title: "Quarterly results beat expectations", // first <h1>
			date: "2025-07-15T12:00:00Z",                                                          // JSON-LD datePublished
			url:  "https://corp.example.com/press/2025/quarterly-results", author: "Ada Lovelace", // relative canonical resolved
			first:      "Revenue for the second quarter rose 12 percent to 4.2 billion euros, driven by strong demand for cloud services in Europe and Asia.",
			last:       "The company will publish its third-quarter results on 14 October.",
			paragraphs: 4,
		}},
		{"metadate.html", "https://status.example.com/maintenance", want{
			id: "https://status.example.com/maintenance", title: "Network maintenance this weekend",
			date: "2026-01-09T00:00:00Z",                                                             // <meta name="date">
			url:  "https://status.example.com/maintenance", tags: []string{"network", "maintenance"}, // no canonical: the page URL
			first:      "The core switches in both data centres will be replaced on Saturday between 22:00 and 02:00.",
			last:       "No action is needed from staff, but please save your work before leaving on Friday.",
			paragraphs: 3,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(formats, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			a, err := HTML(f, tc.pageURL, 0)
			if err != nil {
				t.Fatal(err)
			}
			check(t, a, tc.want)
		})
	}
}

// TestHTMLEntitiesAndBreaks: entities are decoded, <br> is a line break,
// paragraphs are separated by a blank line.
func TestHTMLEntitiesAndBreaks(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(formats, "intranet.html"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := HTML(bytes.NewReader(b), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"renovation & repairs.", "Café au lait", "“the best in the building”",
		"cash is no longer accepted.\nTop up your badge", "Opening hours: 08:00 to 16:00\nHot meals"} {
		if !strings.Contains(a.Body, s) {
			t.Errorf("body lacks %q:\n%s", s, a.Body)
		}
	}
}

func TestFeedFixtures(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []want
	}{
		{"news.rss", []want{{
			id: "news-2026-0042", title: "New office opens in Lisbon", date: "2026-02-10T08:00:00Z",
			url: "https://news.example.com/2026/lisbon-office", author: "Maria Silva", tags: []string{"offices", "Portugal"},
			first: "Our new office in Lisbon opens its doors on 2 March, with room for 120 people.", // content:encoded, not the description
			last:  "The office is a ten-minute walk from Caçador station & close to the river.",
		}, {
			id: "https://news.example.com/2026/carnival-holiday", title: "Holiday schedule for Carnival", date: "2026-02-09T11:30:00Z", // no guid: the link
			url: "https://news.example.com/2026/carnival-holiday", tags: []string{"holidays"},
			first: "The offices in Brazil and Portugal close on 17 February for Carnival.", // escaped HTML description
			last:  "Support stays open.",
		}}},
		{"engineering.atom", []want{{
			id: "tag:eng.example.com,2026:monorepo", title: "Moving the build to a monorepo", date: "2026-02-18T09:15:00Z", // published, not updated
			url: "https://eng.example.com/posts/monorepo", author: "Grace Hopper", tags: []string{"build", "tooling"},
			first: "Why", last: "One repository means one build, one review queue & one set of tools.",
		}, {
			id: "tag:eng.example.com,2026:dns-outage", title: "Postmortem: the DNS outage", date: "2026-02-12T16:40:00Z", // updated only
			url:   "https://eng.example.com/posts/dns-outage",
			first: "A stale record took down internal name resolution for 47 minutes.", last: "A stale record took down internal name resolution for 47 minutes.",
		}}},
		{"status.xml", []want{{
			id: "https://status.example.com/incidents/81", title: "Email delivery delayed", date: "2026-03-04T07:10:00Z",
			url:   "https://status.example.com/incidents/81",
			first: "Outbound email is delayed by up to 20 minutes while a queue drains.", last: "Outbound email is delayed by up to 20 minutes while a queue drains.",
		}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(formats, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			as, err := Feed(f, "https://feeds.example.com/"+tc.file, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(as) != len(tc.want) {
				t.Fatalf("got %d items, want %d", len(as), len(tc.want))
			}
			for i := range as {
				check(t, as[i], tc.want[i])
			}
		})
	}
}

func TestJSONFeed(t *testing.T) {
	doc := `{"version": "https://jsonfeed.org/version/1.1", "title": "Team", "items": [
	  {"id": "jf-1", "url": "/posts/1", "title": "Hello", "content_html": "<p>First &amp; best.</p><p>Second.</p>",
	   "date_published": "2026-01-05T10:00:00Z", "authors": [{"name": "Kim"}], "tags": ["intro"]},
	  {"url": "https://team.example.com/posts/2", "title": "Plain", "content_text": "Just text."}]}`
	as, err := Feed(strings.NewReader(doc), "https://team.example.com/feed.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 {
		t.Fatalf("got %d items", len(as))
	}
	check(t, as[0], want{id: "jf-1", title: "Hello", date: "2026-01-05T10:00:00Z", url: "https://team.example.com/posts/1",
		author: "Kim", tags: []string{"intro"}, first: "First & best.", last: "Second."})
	check(t, as[1], want{id: "https://team.example.com/posts/2", title: "Plain", url: "https://team.example.com/posts/2", first: "Just text.", last: "Just text."})
}

// TestFeedBadItem: an item with neither guid nor link is reported, the others kept.
func TestFeedBadItem(t *testing.T) {
	doc := `<rss version="2.0"><channel><title>x</title>
	<item><title>No id</title><description>lost</description></item>
	<item><title>Kept</title><link>https://a.example/kept</link><description>kept</description></item>
	</channel></rss>`
	as, err := Feed(strings.NewReader(doc), "https://a.example/feed", 0)
	if len(as) != 1 || as[0].ID != "https://a.example/kept" {
		t.Fatalf("items %+v", as)
	}
	var ie *article.InputError
	if !errors.As(err, &ie) || ie.Reason != "missing id" || !strings.Contains(err.Error(), `https://a.example/feed: item 1 "No id" has neither a guid`) {
		t.Fatalf("error %v", err)
	}
}

// TestHostileInputs: every bound holds and is reported as an InputError
// with its reason; nothing panics or reads without limit.
func TestHostileInputs(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	bomb := gz(bytes.Repeat([]byte("<p>aaaaaaaa</p>"), 1<<20)) // 15 MiB decompressed, ~30 KiB compressed
	deepHTML := strings.Repeat("<div>", MaxHTMLDepth+10) + "text"
	manyElems := "<body>" + strings.Repeat("<b></b>", MaxHTMLElements+1) + "</body>"
	deepXML := `<rss version="2.0"><channel>` + strings.Repeat("<x>", MaxXMLDepth+10) + strings.Repeat("</x>", MaxXMLDepth+10) + `</channel></rss>`
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` +
		`<rss version="2.0"><channel><title>&lol2;</title><item><title>&lol2;</title><link>https://a.example/1</link></item></channel></rss>`
	for _, tc := range []struct {
		name   string
		doc    []byte
		limit  int64
		feed   bool
		reason string
	}{
		{"html over limit", []byte("<p>" + strings.Repeat("a", 5000) + "</p>"), 1000, false, "too large"},
		{"html gzip bomb", bomb, 1 << 20, false, "too large"},
		{"html too deep", []byte(deepHTML), 0, false, "too deep"},
		{"html too many elements", []byte(manyElems), 0, false, "too large"},
		{"html empty", []byte("  \n"), 0, false, "empty file"},
		{"html no text", []byte("<html><head><script>x()</script></head><body><nav></nav></body></html>"), 0, false, "no text"},
		{"feed over limit", []byte(`<rss version="2.0"><channel>` + strings.Repeat(" ", 5000) + `</channel></rss>`), 1000, true, "too large"},
		{"feed gzip bomb", bomb, 1 << 20, true, "too large"},
		{"feed too deep", []byte(deepXML), 0, true, "too deep"},
		{"feed malformed", []byte(`<rss version="2.0"><channel><item><title>x</item></channel>`), 0, true, "invalid XML"},
		{"not a feed", []byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/</loc></url></urlset>`), 0, true, "invalid feed"},
		{"feed without items", []byte(`<rss version="2.0"><channel><title>x</title></channel></rss>`), 0, true, "empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.feed {
				_, err = Feed(bytes.NewReader(tc.doc), "https://a.example/feed", tc.limit)
			} else {
				_, err = HTML(bytes.NewReader(tc.doc), "https://a.example/page", tc.limit)
			}
			var ie *article.InputError
			if !errors.As(err, &ie) || ie.Reason != tc.reason || !strings.HasPrefix(err.Error(), "https://a.example/") {
				t.Fatalf("got %v (%#v), want reason %q", err, ie, tc.reason)
			}
		})
	}
	// Entities a DTD declares are not expanded (encoding/xml reads no DTD):
	// the billion-laughs feed costs its own size.
	as, err := Feed(strings.NewReader(laughs), "https://a.example/feed", 0)
	if err == nil && len(as) == 1 && strings.Count(as[0].Title, "lol") > 10 {
		t.Fatalf("entities expanded: %q", as[0].Title)
	}
}

func TestTextOfHTMLBodies(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text with a < b & c", "plain text with a < b & c"},
		{"<p>One &amp; two.</p><p>Three<br>four.</p><script>evil()</script><!-- note -->", "One & two.\n\nThree\nfour."},
		{"<div><h2>Head</h2>Body&nbsp;text</div><style>p{}</style>", "Head\n\nBody text"},
	} {
		if got := BodyText(tc.in); got != tc.want {
			t.Errorf("BodyText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEmailFixture(t *testing.T) {
	f, err := os.Open(filepath.Join(formats, "summer-party.eml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	as, err := Document(KindEmail, "summer-party.eml", f, 0)
	if err != nil || len(as) != 1 {
		t.Fatalf("%v %v", as, err)
	}
	check(t, as[0], want{title: "Summer party – save the date", date: "2026-05-14T07:00:00Z", author: "HR Team",
		first: "The summer party takes place on 26 June in the garden.", last: "Please register by 12 June.", paragraphs: 2})
	_, err = Document(KindEmail, "bad.eml", strings.NewReader("no headers here"), 0)
	var ie *article.InputError
	if !errors.As(err, &ie) || ie.Reason != "invalid e-mail" {
		t.Fatalf("got %v", err)
	}
}

// TestHTMLBanners: consent banners and dialogs are dropped before
// readability, but a container so named that holds the article (or more
// text than a banner has) is kept.
func TestHTMLBanners(t *testing.T) {
	para := "<p>" + strings.Repeat("The quarterly numbers are in and they look good for everyone. ", 8) + "</p>"
	for _, tc := range []struct {
		name, page string
		kept       bool
	}{
		{"banner", `<div class="cc-window cookie-bar">We use Bannerword cookies.</div><main>` + para + para + `</main>`, false},
		{"dialog", `<dialog open>Bannerword: subscribe now</dialog><main>` + para + para + `</main>`, false},
		{"role", `<div role="alertdialog">Bannerword survey</div><main>` + para + para + `</main>`, false},
		{"holds main", `<div class="consent-wrapper"><main><p>Bannerword opening.</p>` + para + para + `</main></div>`, true},
		{"long", `<div id="gdpr-text"><p>Bannerword.</p>` + strings.Repeat(para, 6) + `</div>`, true},
	} {
		a, err := HTML(strings.NewReader("<html><body>"+tc.page+"</body></html>"), "", 0)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := strings.Contains(a.Body, "Bannerword"); got != tc.kept {
			t.Errorf("%s: Bannerword kept %v, want %v: %q", tc.name, got, tc.kept, a.Body)
		}
	}
}
