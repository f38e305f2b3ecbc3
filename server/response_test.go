package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/folio-search/folio/index"
)

func TestNewSearchResponseJSON(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	r := &index.Result{
		Query: `"Diamond Hexagon"`,
		Total: 2,
		Took:  1700*time.Microsecond + 456*time.Nanosecond,
		Page:  1,
		Size:  10,
		Hits: []index.Hit{
			{
				ID: "a", Title: "A <b>", Date: time.Date(2024, 12, 4, 1, 0, 0, 0, tokyo),
				Tags: []string{"x"}, Score: 2.5,
				Highlights: index.Highlights{Body: []string{"… <mark>Diamond</mark> <mark>Hexagon</mark> …"}},
			},
			{ID: "b"},
		},
	}
	got, err := json.Marshal(NewSearchResponse(r))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"query":"\"Diamond Hexagon\"","total":2,"took_ms":1.7,"page":1,"size":10,"hits":[` +
		`{"id":"a","title":"A \u003cb\u003e","date":"2024-12-04","datetime":"2024-12-04T01:00:00+09:00","url":"","source":"","author":"","tags":["x"],"score":2.5,"highlights":{"title":[],"body":["… \u003cmark\u003eDiamond\u003c/mark\u003e \u003cmark\u003eHexagon\u003c/mark\u003e …"]}},` +
		`{"id":"b","title":"","date":"","datetime":"","url":"","source":"","author":"","tags":[],"score":0,"highlights":{"title":[],"body":[]}}],"cursor":"","suggestion":""}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
}

func TestNewSearchResponseNoHits(t *testing.T) {
	got, err := json.Marshal(NewSearchResponse(&index.Result{Took: 2*time.Millisecond + 345678*time.Nanosecond}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"query":"","total":0,"took_ms":2.346,"page":0,"size":0,"hits":[],"cursor":"","suggestion":""}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
}
