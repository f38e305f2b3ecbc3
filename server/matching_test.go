package server

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strings"
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

// TestSearchExplain: explain=true needs an admin key (403 when none is
// configured, 401 without it or with another) and gives each hit the parts
// of its score, the typo weight among them.
func TestSearchExplain(t *testing.T) {
	const target = "/api/search?q=diamond+hexagn&explain=true"
	if rec := do(t, realServer(t), http.MethodGet, target); rec.Code != http.StatusForbidden {
		t.Errorf("no admin key configured: status %d, want 403; body %s", rec.Code, rec.Body)
	}
	opts := DefaultOptions()
	opts.AdminKeys = []string{adminKey}
	srv := New(testIndex(t), opts, nil)
	for _, key := range []string{"", "wrong-key"} {
		if rec := send(t, srv, http.MethodGet, target, key, ""); rec.Code != http.StatusUnauthorized {
			t.Errorf("key %q: status %d, want 401; body %s", key, rec.Code, rec.Body)
		}
	}
	rec := send(t, srv, http.MethodGet, target, adminKey, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("admin key: status %d; body %s", rec.Code, rec.Body)
	}
	type part struct {
		Score   float64 `json:"score"`
		Message string  `json:"message"`
		Parts   []part  `json:"parts"`
	}
	var body struct {
		Hits []struct {
			ID      string  `json:"id"`
			Score   float64 `json:"score"`
			Explain *part   `json:"explain"`
		} `json:"hits"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Hits) == 0 || body.Hits[0].ID != ironclad || body.Hits[0].Explain == nil {
		t.Fatalf("hits %+v: want %s first with an explanation", body.Hits, ironclad)
	}
	top := body.Hits[0]
	if math.Abs(top.Explain.Score-top.Score) > 1e-9*top.Score {
		t.Errorf("explanation scores %g, the hit %g", top.Explain.Score, top.Score)
	}
	var messages []string
	var walk func(p part, depth int)
	walk = func(p part, depth int) {
		if depth > 20 {
			return
		}
		messages = append(messages, p.Message)
		for _, c := range p.Parts {
			walk(c, depth+1)
		}
	}
	walk(*top.Explain, 0)
	all := strings.Join(messages, "\n")
	for _, want := range []string{"weight(text:diamond^1.000000)", "weight(text:hexagon^0.300000)", "idf(docFreq="} {
		if !strings.Contains(all, want) {
			t.Errorf("explanation lacks %q:\n%s", want, all)
		}
	}
	if rec := send(t, srv, http.MethodGet, "/api/search?q=oil&explain=yes", adminKey, ""); rec.Code != http.StatusBadRequest {
		t.Errorf("explain=yes: status %d, want 400", rec.Code)
	}
	if r := search(t, srv, "q=diamond+hexagn"); len(r.Hits) == 0 {
		t.Error("without explain: no hits")
	}
}
