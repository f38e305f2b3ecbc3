package article

import (
	"errors"
	"fmt"
)

// ErrInvalidArticle means an article failed validation (missing id, title and body, bad date, ...).
// Every *InputError matches it.
var ErrInvalidArticle = errors.New("invalid article")

// InputError is a problem with one input record: a file that cannot be read
// or parsed, or an article that fails validation. Its text has the form
// "path:line: what is wrong (what was expected)".
type InputError struct {
	Path     string // file path as given (or "-" / "request" for API input)
	Line     int    // 1-based line; 0 when the whole file is concerned
	Reason   string // short stable category for summaries, e.g. "bad date", "invalid JSON"
	Message  string // what is wrong
	Expected string // what was expected; may be empty
}

// Error formats the problem as "path:line: message (expected)".
func (e *InputError) Error() string {
	s := e.Path
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	s += ": " + e.Message
	if e.Expected != "" {
		s += " (" + e.Expected + ")"
	}
	return s
}

// Unwrap makes every InputError match ErrInvalidArticle.
func (e *InputError) Unwrap() error { return ErrInvalidArticle }
