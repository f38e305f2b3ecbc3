package index

import (
	"strings"
	"time"
)

// Article is one document of the collection.
type Article struct {
	ID     string    // unique, deterministic id
	Title  string    // may be empty when Body is not
	Date   time.Time // zero when the article has no date
	Body   string    // may be empty when Title is not
	URL    string    // optional link to the original
	Source string    // optional publisher or feed
	Author string    // optional
	Tags   []string  // optional keywords
	// Keywords holds the values of the extra JSON fields kept as keyword
	// fields (Options.KeywordFields, e.g. Reuters' topics and places).
	Keywords map[string][]string
}

// Validate reports whether a is indexable: it needs an id, and a title or a
// body, and no field over its size limit (MaxTitleBytes, ...). The error
// wraps ErrInvalidArticle.
func (a *Article) Validate() error {
	if err := a.checkSizes(); err != nil { // first: no message quotes an over-long field
		return err
	}
	switch {
	case strings.TrimSpace(a.ID) == "":
		return &InputError{Reason: "missing id", Message: "article has no id", Expected: "an id field or header"}
	case strings.TrimSpace(a.Title) == "" && strings.TrimSpace(a.Body) == "":
		return &InputError{Reason: "empty article", Message: "article " + quote(a.ID) + " has neither title nor body", Expected: "a title or a body"}
	case !a.Date.IsZero() && (a.Date.Before(minDate) || a.Date.After(maxDate)):
		return &InputError{Reason: "bad date", Message: "date " + a.Date.Format(time.RFC3339) + " is out of range", Expected: "a year between 1678 and 2261"}
	}
	return nil
}
