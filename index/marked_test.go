package index

import (
	"context"
	"errors"
	"html"
	"strings"
	"testing"
)

func TestMarkedArticle(t *testing.T) {
	ix := testIndex(t)
	ctx := context.Background()
	m, err := ix.MarkedArticle(ctx, "ironclad-friendship-cambodia", "cambodia friendship", Visibility{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Ironclad <mark>friendship</mark> with <mark>Cambodia</mark> hailed"; m.TitleHTML != want {
		t.Errorf("TitleHTML = %q, want %q", m.TitleHTML, want)
	}
	if plain := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(m.BodyHTML)); plain != m.Body {
		t.Errorf("BodyHTML without its marks is not the whole body: %.200q", plain)
	}
	if got, want := strings.Count(m.BodyHTML, "<mark>Cambodia</mark> "), strings.Count(m.Body, "Cambodia "); got != want || want < 2 {
		t.Errorf("BodyHTML marks Cambodia %d times, want every occurrence (%d)", got, want)
	}
	if strings.Contains(m.BodyHTML, "<mark>Cambodian</mark>") {
		t.Errorf("BodyHTML marks Cambodian, which is another term")
	}

	m, err = ix.MarkedArticle(ctx, "security-advisory-script-tags", "feeds", Visibility{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.BodyHTML, "<script>") || strings.Contains(m.TitleHTML, "<script>") || !strings.Contains(m.TitleHTML, "&lt;script&gt;") {
		t.Errorf("markup not escaped: title %q body %.200q", m.TitleHTML, m.BodyHTML)
	}

	m, err = ix.MarkedArticle(ctx, "ironclad-friendship-cambodia", "", Visibility{})
	if err != nil || strings.Contains(m.BodyHTML, "<mark>") {
		t.Errorf("MarkedArticle without a query: err %v, marks in %.100q", err, m.BodyHTML)
	}
	if _, err := ix.MarkedArticle(ctx, "no-such-article", "x", Visibility{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkedArticle(missing) error = %v, want ErrNotFound", err)
	}
	if _, err := ix.MarkedArticle(ctx, "ironclad-friendship-cambodia", "nosuchfield:x", Visibility{}); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("MarkedArticle(bad query) error = %v, want ErrInvalidQuery", err)
	}
}
