package analytics

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/folio-search/folio/index/article"
)

// Row is a report row that can be written as a table: CSV for the API's
// Accept: text/csv, aligned text for the CLI. Its cells follow Header.
type Row interface {
	QueryRow | ZeroRow | VolumeRow | ArticleRow
}

// Header returns the column names of rows of type R, the JSON field names.
func Header[R Row]() []string {
	var r R
	switch any(r).(type) {
	case QueryRow:
		return []string{"query", "count", "mean_hits", "clicks", "ctr", "mean_click_position"}
	case ZeroRow:
		return []string{"query", "count", "suggestion"}
	case VolumeRow:
		return []string{"start", "searches", "zero_results", "zero_share"}
	default:
		return []string{"id", "clicks", "mean_position", "queries"}
	}
}

// Cells returns the cells of r, in the order of Header. An article's
// queries are one cell: "query (clicks); query (clicks)".
func Cells[R Row](r R) []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	switch r := any(r).(type) {
	case QueryRow:
		return []string{r.Query, strconv.Itoa(r.Count), f(r.MeanHits), strconv.Itoa(r.Clicks), f(r.CTR), f(r.MeanClickPosition)}
	case ZeroRow:
		return []string{r.Query, strconv.Itoa(r.Count), r.Suggestion}
	case VolumeRow:
		return []string{r.Start.UTC().Format(time.RFC3339), strconv.Itoa(r.Searches), strconv.Itoa(r.ZeroResults), f(r.ZeroShare)}
	case ArticleRow:
		qs := make([]string, len(r.Queries))
		for i, q := range r.Queries {
			qs[i] = fmt.Sprintf("%s (%d)", q.Query, q.Clicks)
		}
		return []string{r.ID, strconv.Itoa(r.Clicks), f(r.MeanPosition), strings.Join(qs, "; ")}
	}
	return nil
}

// WriteCSV writes rows as CSV with a header line.
func WriteCSV[R Row](w io.Writer, rows []R) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header[R]()); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(Cells(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTable writes rows as text columns aligned with spaces, a header
// line first. Tabs and line breaks inside a cell become spaces.
func WriteTable[R Row](w io.Writer, rows []R) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	clean := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				io.WriteString(tw, "\t")
			}
			io.WriteString(tw, clean.Replace(c))
		}
		io.WriteString(tw, "\n")
	}
	line(Header[R]())
	for _, r := range rows {
		line(Cells(r))
	}
	return tw.Flush()
}

// ParseBound reads a report's from (end false) or to (end true) bound in
// the forms of p, Folio's date parser; "" is an open bound. A to that
// names a whole day (2024-12-04) includes that day; a to with a time of
// day is exclusive.
func ParseBound(p *article.DateParser, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, day, err := p.ParseDay(s)
	if err != nil {
		return time.Time{}, err
	}
	if end && day {
		t = t.AddDate(0, 0, 1)
	}
	return t.UTC(), nil
}
