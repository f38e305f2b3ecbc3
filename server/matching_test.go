package server

import (
	"net/http"
	"net/url"
	"testing"
)

// TestSearchAsYouType: as_you_type=true completes the last word through
// the API; any value but true and false is a 400 naming the parameter.
func TestSearchAsYouType(t *testing.T) {
	srv := realServer(t)
	r := search(t, srv, url.Values{"q": {"Diamond Hexa"}, "as_you_type": {"true"}}.Encode())
	if len(r.Hits) == 0 || r.Hits[0].ID != ironclad {
		t.Errorf("Diamond Hexa as you type: ids %v, want %s first", ids(r.Hits), ironclad)
	}
	if r := search(t, srv, url.Values{"q": {"hexa"}, "as_you_type": {"false"}}.Encode()); r.Total != 0 {
		t.Errorf("hexa, as_you_type=false: total %d, want 0", r.Total)
	}
	for _, v := range []string{"yes", "1", "TRUE"} {
		rec := do(t, srv, http.MethodGet, "/api/search?q=hexa&as_you_type="+v)
		assertError(t, rec, http.StatusBadRequest, "as_you_type", "as_you_type must be true or false")
	}
}

// TestSearchMatch: match=all lists only the articles holding every word,
// match=any all of them, graded; a date sort defaults to all; another
// value is a 400 naming the parameter and the accepted values.
func TestSearchMatch(t *testing.T) {
	srv := realServer(t)
	anyR := search(t, srv, "q=japan+trade+surplus&size=100")
	allR := search(t, srv, "q=japan+trade+surplus&match=all&size=100")
	req := search(t, srv, "q=%2Bjapan+%2Btrade+%2Bsurplus&size=100")
	if allR.Total == 0 || allR.Total != req.Total || allR.Total >= anyR.Total {
		t.Errorf("totals: match=all %d, +japan +trade +surplus %d, match=any %d; want all = required < any", allR.Total, req.Total, anyR.Total)
	}
	for i, h := range allR.Hits {
		if i >= len(anyR.Hits) || anyR.Hits[i].ID != h.ID {
			t.Errorf("match=all hit %d is %s; want the graded ranking's first hits %v", i, h.ID, ids(anyR.Hits)[:len(allR.Hits)])
			break
		}
	}
	if d := search(t, srv, "q=japan+trade+surplus&sort=-date"); d.Total != allR.Total {
		t.Errorf("sort=-date: total %d, want %d (match=all by default)", d.Total, allR.Total)
	}
	if d := search(t, srv, "q=japan+trade+surplus&sort=-date&match=any"); d.Total != anyR.Total {
		t.Errorf("sort=-date&match=any: total %d, want %d", d.Total, anyR.Total)
	}
	rec := do(t, srv, http.MethodGet, "/api/search?q=oil&match=most")
	assertError(t, rec, http.StatusBadRequest, "match", "accepted: any, all")
}
