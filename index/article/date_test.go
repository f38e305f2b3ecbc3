package article

import (
	"strings"
	"testing"
	"time"
)

func TestDateParserLayouts(t *testing.T) {
	p := DefaultDateParser()
	utc := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, time.UTC)
	}
	tests := []struct {
		in      string
		want    time.Time
		dayOnly bool
	}{
		{"Dec 4, 2024", utc(2024, 12, 4, 0, 0, 0), true},
		{"December 4, 2024", utc(2024, 12, 4, 0, 0, 0), true},
		{"4 Dec 2024", utc(2024, 12, 4, 0, 0, 0), true},
		{"4 December 2024", utc(2024, 12, 4, 0, 0, 0), true},
		{"2024-12-04", utc(2024, 12, 4, 0, 0, 0), true},
		{"  2024-12-04 ", utc(2024, 12, 4, 0, 0, 0), true},
		{"2024-12-04T10:30:00Z", utc(2024, 12, 4, 10, 30, 0), false},
		{"2024-12-04T10:30:00+02:00", utc(2024, 12, 4, 8, 30, 0), false},
		{"2024-12-04T10:30:00", utc(2024, 12, 4, 10, 30, 0), false},
		{"Wed, 04 Dec 2024 10:30:00 GMT", utc(2024, 12, 4, 10, 30, 0), false},
		{"Wed, 04 Dec 2024 10:30:00 +0100", utc(2024, 12, 4, 9, 30, 0), false},
		{"Wed, 04 Dec 2024 10:30:00", utc(2024, 12, 4, 10, 30, 0), false},
		{"26-FEB-1987 15:01:01.79", time.Date(1987, 2, 26, 15, 1, 1, 790000000, time.UTC), false},
		{"dec 4, 2024", utc(2024, 12, 4, 0, 0, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, day, err := p.parse(tt.in)
			if err != nil {
				t.Fatalf("parse(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || day != tt.dayOnly {
				t.Errorf("parse(%q) = %v (day-only %v), want %v (day-only %v)", tt.in, got, day, tt.want, tt.dayOnly)
			}
		})
	}
}

func TestDateParserErrors(t *testing.T) {
	p := DefaultDateParser()
	tests := []struct{ in, want string }{
		{"", "empty date (accepted: 2024-12-04, Dec 4, 2024"},
		{"01/02/2024", `ambiguous date "01/02/2024": day and month order is unknown (use 2024-12-04, or configure index.date_layouts such as 01/02/2006)`},
		{"4.12.2024", `ambiguous date "4.12.2024"`},
		{"yesterday", `unrecognised date "yesterday" (accepted: 2024-12-04, Dec 4, 2024, December 4, 2024, 4 Dec 2024, 4 December 2024, RFC 3339`},
		{"2024-13-01", `invalid date "2024-13-01": month out of range (accepted: 2024-12-04`},
		{"Feb 30, 2024", `invalid date "Feb 30, 2024": day out of range`},
		{"31/31/2024", `invalid date "31/31/2024": no such day, read as month/day/year or as day/month/year (use 2024-12-04)`},
		{"02/30/2024", `invalid date "02/30/2024": no such day`},
		{"29.02.2023", `invalid date "29.02.2023": no such day`},
		{"31/12/2024", `numeric date "31/12/2024" is not an accepted form (use 2024-12-04, or configure index.date_layouts such as 01/02/2006 or 02/01/2006)`},
		{"12/31/2024", `numeric date "12/31/2024" is not an accepted form`},
		{"05/05/2024", `numeric date "05/05/2024" is not an accepted form`},
		{"29.02.2024", `numeric date "29.02.2024" is not an accepted form`},
		{"1500-01-01", `date "1500-01-01" is out of range (the year must be between 1678 and 2261)`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := p.Parse(tt.in)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %v, want prefix %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestDateParserZoneAndLayouts(t *testing.T) {
	p, err := NewDateParser("Europe/Paris", []string{"01/02/2006"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Parse("12/04/2024")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2024, 12, 3, 23, 0, 0, 0, time.UTC) // midnight in Paris
	if !got.Equal(want) {
		t.Errorf("Parse(12/04/2024) in Europe/Paris = %v, want %v", got.UTC(), want)
	}
	// A zone in the text wins over the configured one.
	got, _ = p.Parse("2024-12-04T00:00:00Z")
	if !got.Equal(time.Date(2024, 12, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("explicit zone Ignored: %v", got)
	}
	if _, err := NewDateParser("Mars/Olympus", nil); err == nil || !strings.Contains(err.Error(), `unknown time zone "Mars/Olympus"`) {
		t.Errorf("bad zone error = %v", err)
	}
	if _, err := NewDateParser("", []string{"banana"}); err == nil || !strings.Contains(err.Error(), `date layout "banana" is not a Go time layout`) {
		t.Errorf("bad layout error = %v", err)
	}
}
