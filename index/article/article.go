package article

import (
	"net/url"
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
	// Groups are the groups whose members may read the article (lower-case
	// names, see CheckGroup); none means every reader may.
	Groups []string
}

// Validate reports whether a is indexable: it needs an id, and a title or a
// body, valid groups (CheckGroups), and no field over its size limit
// (MaxTitleBytes, ...). The error
// wraps ErrInvalidArticle.
func (a *Article) Validate() error {
	if err := a.checkSizes(); err != nil { // first: no message quotes an over-long field
		return err
	}
	if err := a.checkGroups(); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(a.ID) == "":
		return &InputError{Reason: "missing id", Message: "article has no id", Expected: "an id field or header"}
	case strings.TrimSpace(a.Title) == "" && strings.TrimSpace(a.Body) == "":
		return &InputError{Reason: "empty article", Message: "article " + quote(a.ID) + " has neither title nor body", Expected: "a title or a body"}
	case !a.Date.IsZero() && (a.Date.Before(MinDate) || a.Date.After(MaxDate)):
		return &InputError{Reason: "bad date", Message: "date " + a.Date.Format(time.RFC3339) + " is out of range", Expected: "a year between 1678 and 2261"}
	case a.URL != "" && !isHTTPURL(a.URL):
		return badURL(a.URL)
	}
	return nil
}

// isHTTPURL reports whether s is an absolute http or https URL with a host:
// the only links Folio stores (javascript:, data: and relative URLs are not).
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func badURL(s string) *InputError {
	return &InputError{Reason: "bad url", Message: "url " + quote(Clip(s, 60)) + " is not an http(s) URL", Expected: "an absolute URL starting with https:// or http://"}
}
