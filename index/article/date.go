package article

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// bleve stores datetimes as int64 nanoseconds since 1970 and silently drops
// values outside that range, so Folio refuses them first.
var (
	MinDate = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxDate = time.Date(2261, 12, 31, 23, 59, 59, 0, time.UTC)
)

// layout is one accepted date form. dayOnly layouts carry no time of day, so
// an inclusive upper bound with them covers the whole day.
type layout struct {
	layout  string
	dayOnly bool
}

// builtinLayouts are tried in order. Zone-less forms are read in the parser's
// location. Go matches month and day names case-insensitively and accepts
// fractional seconds after the seconds field, so "26-FEB-1987 15:01:01.79"
// matches "02-Jan-2006 15:04:05".
var builtinLayouts = []layout{
	{time.RFC3339Nano, false},
	{"2006-01-02T15:04:05", false},
	{"2006-01-02 15:04:05Z07:00", false},
	{"2006-01-02 15:04:05", false},
	{"2006-01-02T15:04", false},
	{"2006-01-02 15:04", false},
	{"2006-01-02", true},
	{time.RFC1123Z, false},
	{time.RFC1123, false},
	{"Mon, 02 Jan 2006 15:04:05", false},
	{"Mon, 2 Jan 2006 15:04:05 -0700", false},
	{"Mon, 2 Jan 2006 15:04:05 MST", false},
	{"Mon, 2 Jan 2006 15:04:05", false},
	{"02 Jan 2006 15:04:05 -0700", false},
	{"02 Jan 2006 15:04:05 MST", false},
	{"02 Jan 2006 15:04:05", false},
	{"02-Jan-2006 15:04:05", false},
	{"02-Jan-2006", true},
	{"Jan 2, 2006", true},
	{"January 2, 2006", true},
	{"Jan 2 2006", true},
	{"January 2 2006", true},
	{"Mon, Jan 2, 2006", true},
	{"Monday, January 2, 2006", true},
	{"2 Jan 2006", true},
	{"2 January 2006", true},
	{"2 Jan, 2006", true},
	{"2 January, 2006", true},
	{"Mon, 2 Jan 2006", true},
	{"Monday, 2 January 2006", true},
}

// acceptedDates is the short list shown in error messages.
const acceptedDates = "accepted: 2024-12-04, Dec 4, 2024, December 4, 2024, 4 Dec 2024, 4 December 2024, RFC 3339 (2024-12-04T10:00:00Z), RFC 1123 (Wed, 04 Dec 2024 10:00:00 GMT), 04-DEC-2024 10:00:00"

// DateParser turns date text into instants. It is shared by ingest, the
// search API and the CLI so that all accept exactly the same forms.
type DateParser struct {
	loc   *time.Location
	extra []layout
}

// DefaultDateParser reads the built-in layouts, zone-less dates as UTC.
func DefaultDateParser() *DateParser { return &DateParser{loc: time.UTC} }

// NewDateParser returns a parser that reads zone-less dates in the IANA time
// zone tz ("" or "UTC" for UTC) and also accepts the given extra Go layouts
// (for example "01/02/2006" to accept US-style numeric dates). It returns an
// error for an unknown zone or a layout that cannot format a date.
func NewDateParser(tz string, extraLayouts []string) (*DateParser, error) {
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return nil, fmt.Errorf("unknown time zone %q (expected an IANA name such as Europe/Paris or UTC)", tz)
		}
		loc = l
	}
	p := &DateParser{loc: loc}
	ref := time.Date(2024, 12, 4, 0, 0, 0, 0, time.UTC)
	for _, l := range extraLayouts {
		s := ref.Format(l)
		back, err := time.Parse(l, s)
		if err != nil || s == l || back.Year() != 2024 {
			return nil, fmt.Errorf("date layout %q is not a Go time layout with a year, month and day (e.g. 01/02/2006)", l)
		}
		// A layout is day-only if it has no hour field.
		dayOnly := !strings.ContainsAny(strings.NewReplacer("Jan", "", "January", "", "Mon", "", "Monday", "", "MST", "").Replace(l), "345")
		p.extra = append(p.extra, layout{l, dayOnly})
	}
	return p, nil
}

// Location is the zone in which zone-less dates are read.
func (p *DateParser) Location() *time.Location { return p.loc }

// Parse reads s in any accepted layout. The error names the accepted layouts.
func (p *DateParser) Parse(s string) (time.Time, error) {
	t, _, err := p.parse(s)
	return t, err
}

// ParseDay is Parse that also reports whether s named a whole day (no time of day).
func (p *DateParser) ParseDay(s string) (time.Time, bool, error) { return p.parse(s) }

// parse also reports whether s named a whole day (no time of day).
func (p *DateParser) parse(s string) (time.Time, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, fmt.Errorf("empty date (%s)", acceptedDates)
	}
	var rangeErr string // a layout matched but a value was out of range, e.g. ": day out of range"
	for _, ls := range [][]layout{p.extra, builtinLayouts} {
		for _, l := range ls {
			t, err := time.ParseInLocation(l.layout, s, p.loc)
			if err != nil {
				var pe *time.ParseError
				if rangeErr == "" && errors.As(err, &pe) && strings.HasSuffix(pe.Message, "out of range") {
					rangeErr = strings.TrimPrefix(pe.Message, ": ")
				}
				continue
			}
			if t.Before(MinDate) || t.After(MaxDate) {
				return time.Time{}, false, fmt.Errorf("date %q is out of range (the year must be between 1678 and 2261)", s)
			}
			return t, l.dayOnly, nil
		}
	}
	if readings, ok := numericReadings(s); ok {
		switch readings {
		case 2:
			return time.Time{}, false, fmt.Errorf("ambiguous date %q: day and month order is unknown (use 2024-12-04, or configure index.date_layouts such as 01/02/2006)", s)
		case 1:
			return time.Time{}, false, fmt.Errorf("numeric date %q is not an accepted form (use 2024-12-04, or configure index.date_layouts such as 01/02/2006 or 02/01/2006)", s)
		default:
			return time.Time{}, false, fmt.Errorf("invalid date %q: no such day, read as month/day/year or as day/month/year (use 2024-12-04)", s)
		}
	}
	if rangeErr != "" {
		return time.Time{}, false, fmt.Errorf("invalid date %q: %s (%s)", s, rangeErr, acceptedDates)
	}
	return time.Time{}, false, fmt.Errorf("unrecognised date %q (%s)", s, acceptedDates)
}

// numericReadings reports whether s has a form such as 01/02/2024 or
// 1.2.2024 (two numbers of at most 2 digits, then a year), and how many of
// its two readings, month/day/year and day/month/year, are real dates.
func numericReadings(s string) (int, bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(f) != 3 || strings.ContainsAny(s, " ") || len(f[0]) > 2 || len(f[1]) > 2 {
		return 0, false
	}
	var n [3]int
	for i, x := range f {
		v, err := strconv.Atoi(x)
		if err != nil || v < 0 {
			return 0, false
		}
		n[i] = v
	}
	real := func(month, day int) bool {
		if month < 1 || month > 12 || day < 1 {
			return false
		}
		t := time.Date(n[2], time.Month(month), day, 0, 0, 0, 0, time.UTC)
		return t.Day() == day // no normalisation into the next month
	}
	readings := 0
	if real(n[0], n[1]) {
		readings++
	}
	if real(n[1], n[0]) {
		readings++
	}
	if readings == 2 && n[0] == n[1] {
		readings = 1 // 05/05/2024: either order names the same day
	}
	return readings, true
}

func quote(s string) string { return strconv.Quote(s) }
