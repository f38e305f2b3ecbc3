package article

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Only absolute http(s) URLs are stored; anything else (javascript:, data:,
// relative or host-less URLs) is an invalid article, from files and the
// write API alike, with the URL header's line for the text format.
func TestArticleURLMustBeHTTP(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://x.example/a?b=c#d", ""},
		{"HTTP://X.example", ""},
		{"javascript:alert(1)", `url "javascript:alert(1)" is not an http(s) URL (an absolute URL starting with https:// or http://)`},
		{"JavaScript:alert(1)", `url "JavaScript:alert(1)" is not an http(s) URL (an absolute URL starting with https:// or http://)`},
		{"data:text/html,<script>x</script>", `url "data:text/html,<script>x</script>" is not an http(s) URL (an absolute URL starting with https:// or http://)`},
		{"ftp://x.example/a", `url "ftp://x.example/a" is not an http(s) URL (an absolute URL starting with https:// or http://)`},
		{"//x.example/a", `url "//x.example/a" is not an http(s) URL (an absolute URL starting with https:// or http://)`},
		{"/articles/a", `url "/articles/a" is not an http(s) URL (an absolute URL starting with https:// or http://)`},
		{"https:///a", `url "https:///a" is not an http(s) URL (an absolute URL starting with https:// or http://)`},
		{"javascript:" + strings.Repeat("a", 200), `url "javascript:` + strings.Repeat("a", 49) + `…" is not an http(s) URL (an absolute URL starting with https:// or http://)`},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			a := Article{ID: "a", Title: "T", URL: tt.url}
			got := ""
			if err := a.Validate(); err != nil {
				got = err.Error()
			}
			want := tt.want
			if want != "" {
				want = ": " + want
			}
			if got != want {
				t.Errorf("Validate() = %q, want %q", got, want)
			}
		})
	}

	p := &Parser{Dates: DefaultDateParser()}
	_, err := p.ParseText([]byte("Title: T\nDate: 2024-12-04\nURL: javascript:alert(1)\n\nB"), "a/f.txt", "f")
	if want := `a/f.txt:3: url "javascript:alert(1)" is not an http(s) URL (an absolute URL starting with https:// or http://)`; err == nil || err.Error() != want {
		t.Errorf("parseText error = %v, want %s", err, want)
	}
	_, errs, _ := collect(t, `{"id":"j","title":"T","url":"javascript:alert(1)"}`+"\n", FormatJSONL)
	if diff := cmp.Diff([]string{`in.json:1: url "javascript:alert(1)" is not an http(s) URL (an absolute URL starting with https:// or http://)`}, errs); diff != "" {
		t.Errorf("JSON Lines (-want +got):\n%s", diff)
	}
}
