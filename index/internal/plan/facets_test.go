package plan

import (
	"slices"
	"testing"
	"time"
)

// TestDateFacet: the ranges run from the oldest match's year (and month) to
// the newest's, in the given zone, and a span of more than maxDateMonths
// months gives years only.
func TestDateFacet(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*3600)
	first := time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC) // 2024-01-01 01:00 in loc
	last := time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)
	dr := DateFacet(first, last, loc)
	if want := []string{"2024"}; !slices.Equal(dr.Years, want) {
		t.Errorf("years %v, want %v", dr.Years, want)
	}
	if want := []string{"2024-01", "2024-02", "2024-03"}; !slices.Equal(dr.Months, want) || dr.MonthRequest == nil {
		t.Errorf("months %v (request %v), want %v", dr.Months, dr.MonthRequest, want)
	}
	if dr.YearRequest.Size != 1 || len(dr.YearRequest.DateTimeRanges) != 1 || dr.MonthRequest.Size != 3 {
		t.Errorf("request sizes: years %d (%d ranges), months %d", dr.YearRequest.Size, len(dr.YearRequest.DateTimeRanges), dr.MonthRequest.Size)
	}
	long := DateFacet(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1960, 6, 1, 0, 0, 0, 0, time.UTC), time.UTC)
	if len(long.Years) != 61 || long.Years[0] != "1900" || long.Years[60] != "1960" || long.Months != nil || long.MonthRequest != nil {
		t.Errorf("a 61-year span: %d years (%v…), months %v", len(long.Years), long.Years[:1], long.Months)
	}
}
