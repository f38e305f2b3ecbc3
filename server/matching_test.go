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
