// Package param holds the client errors of Folio's index: a request
// parameter (or the query text) that is out of range, unparsable or too
// expensive. The facade index re-exports them (index.ParamError,
// index.ErrInvalidQuery, index.ErrInvalidParameter), so callers match them
// with errors.Is and errors.As on the facade's names.
//
// It imports the standard library only: never the facade package index
// nor bleve. It is a sibling of the planner (index/internal/plan) because
// other internal packages (backup destinations, suggestions) report
// parameter errors too.
package param

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidQuery means the query text could not be parsed or is too expensive.
	ErrInvalidQuery = errors.New("invalid query")
	// ErrInvalidParameter means a search parameter (size, page, sort, from, to, ...) is out of range or unparsable.
	ErrInvalidParameter = errors.New("invalid parameter")
)

// Error is a client error tied to one named parameter. It wraps
// ErrInvalidParameter or ErrInvalidQuery (Kind).
type Error struct {
	Kind    error  // ErrInvalidParameter or ErrInvalidQuery
	Param   string // the parameter's name, e.g. "to"
	Message string // what was wrong and what is accepted
}

// Error returns the message prefixed with the parameter's name.
func (e *Error) Error() string { return e.Param + ": " + e.Message }

// Unwrap returns the kind, so errors.Is(err, ErrInvalidParameter) works.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf is the *Error wrapping ErrInvalidParameter for param, with the
// message formatted as fmt.Sprintf does.
func Errorf(param, format string, args ...any) error {
	return &Error{Kind: ErrInvalidParameter, Param: param, Message: fmt.Sprintf(format, args...)}
}

// QueryErrorf is the *Error wrapping ErrInvalidQuery for the query text
// (parameter "q"), with the message formatted as fmt.Sprintf does.
func QueryErrorf(format string, args ...any) error {
	return &Error{Kind: ErrInvalidQuery, Param: "q", Message: fmt.Sprintf(format, args...)}
}
