package index

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestRelated(t *testing.T) {
	ix := facetIndex(t)
	// f1 "Oil prices rise" (crude oil, supply): the other oil articles are
	// related, the wheat article is not, and f1 itself is never listed.
	res, err := ix.Related(context.Background(), "f1", Query{Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := ids(res)
	if slices.Contains(got, "f1") || slices.Contains(got, "f5") || len(got) != 4 {
		t.Errorf("related to f1: %v, want the 4 other oil articles (not f1 itself, not the wheat article f5)", got)
	}
	// Date filters apply.
	res, err = ix.Related(context.Background(), "f1", Query{From: "2024-01-01", To: "2024-01-31"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res); !slices.Equal(got, []string{"f2"}) {
		t.Errorf("related to f1 in January 2024: %v, want [f2]", got)
	}
	if _, err := ix.Related(context.Background(), "nope", Query{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
	if _, err := ix.Related(context.Background(), "f1", Query{Size: 1000}); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("size 1000: %v, want ErrInvalidParameter", err)
	}
}

func TestRelatedOnRealArticles(t *testing.T) {
	ix := testIndex(t)
	res, err := ix.Related(context.Background(), "ironclad-friendship-cambodia", Query{Size: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 {
		t.Fatal("no related articles")
	}
	for _, h := range res.Hits {
		if h.ID == "ironclad-friendship-cambodia" {
			t.Error("the article is related to itself")
		}
	}
}
