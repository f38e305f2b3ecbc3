package index

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// allPages reads every page of q by page number.
func allPages(t *testing.T, ix *Index, q Query) []string {
	t.Helper()
	var out []string
	for page := 1; ; page++ {
		q.Page = page
		res := mustSearch(t, ix, q)
		out = append(out, ids(res)...)
		if len(res.Hits) < q.Size || uint64(len(out)) >= res.Total {
			return out
		}
	}
}

// allByCursor reads every page of q by following cursors.
func allByCursor(t *testing.T, ix *Index, q Query) []string {
	t.Helper()
	var out []string
	for i := 0; ; i++ {
		res := mustSearch(t, ix, q)
		out = append(out, ids(res)...)
		if res.Cursor == "" {
			return out
		}
		if i > 500 {
			t.Fatal("cursor never ends")
		}
		q.Cursor = res.Cursor
	}
}

func TestCursorPagesEqualNumberedPages(t *testing.T) {
	ix := testIndex(t)
	for _, q := range []Query{
		{Text: "oil prices", Size: 3}, // all-words tier, then the rest
		{Text: "oil prices", Size: 4, Mode: ModeText},
		{Text: "+oil", Size: 5},                   // no tier
		{Text: "", Size: 7},                       // browse, newest first (undated last)
		{Text: "oil", Size: 4, Sort: SortDateAsc}, // date order
	} {
		t.Run(q.Text+"/"+q.Sort+"/"+q.Mode, func(t *testing.T) {
			paged := allPages(t, ix, q)
			cursored := allByCursor(t, ix, q)
			if len(paged) < 2*q.Size {
				t.Fatalf("only %d hits; the test needs several pages", len(paged))
			}
			if !slices.Equal(paged, cursored) {
				t.Errorf("ids by cursor differ from ids by page:\n page:   %v\n cursor: %v", paged, cursored)
			}
			if res := mustSearch(t, ix, q); res.Total != uint64(len(paged)) {
				t.Errorf("total = %d, want %d (every hit)", res.Total, len(paged))
			}
		})
	}
}

func TestCursorErrors(t *testing.T) {
	ix := testIndex(t)
	first := mustSearch(t, ix, Query{Text: "oil", Size: 2})
	if first.Cursor == "" {
		t.Fatal("no cursor on a first page with more hits")
	}
	for _, tt := range []struct {
		q    Query
		want string
	}{
		{Query{Text: "oil", Size: 2, Cursor: "not-a-cursor"}, "cursor: cursor is not one this server returned"},
		{Query{Text: "gold", Size: 2, Cursor: first.Cursor}, "cursor: the cursor was made for another query or sort"},
		{Query{Text: "oil", Size: 2, Page: 3, Cursor: first.Cursor}, "cursor: give either cursor or page"},
		{Query{Text: "oil", Size: 100, Page: 101}, "page × size must not exceed 10000 (search.max_window; got page 101 × size 100): to read deeper, follow the \"cursor\""},
	} {
		_, err := ix.Search(context.Background(), tt.q)
		if !errors.Is(err, ErrInvalidParameter) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Search(%+v) = %v, want ErrInvalidParameter containing %q", tt.q, err, tt.want)
		}
	}
}

// TestCursorPagesAreNumbered: a page fetched by cursor reports its real
// page number, counting on from the numbered page that gave the first cursor.
func TestCursorPagesAreNumbered(t *testing.T) {
	ix := testIndex(t)
	q := Query{Text: "oil", Size: 3}
	var pages []int
	for i := 0; i < 4; i++ {
		res := mustSearch(t, ix, q)
		pages = append(pages, res.Page)
		if res.Cursor == "" {
			t.Fatalf("page %d has no cursor; the test needs 4 pages", res.Page)
		}
		q.Cursor = res.Cursor
	}
	if want := []int{1, 2, 3, 4}; !slices.Equal(pages, want) {
		t.Errorf("pages = %v, want %v", pages, want)
	}
	// A cursor taken from page 2 (by number) continues with page 3.
	res := mustSearch(t, ix, Query{Text: "oil", Size: 3, Page: 2})
	if next := mustSearch(t, ix, Query{Text: "oil", Size: 3, Cursor: res.Cursor}); next.Page != 3 {
		t.Errorf("page after page 2 = %d, want 3", next.Page)
	}
}
