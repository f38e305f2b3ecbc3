package index

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package to a caller that can
// be blamed on its input wraps one of these, so callers map them with errors.Is.
var (
	// ErrInvalidQuery means the query text could not be parsed or is too expensive.
	ErrInvalidQuery = errors.New("invalid query")
	// ErrInvalidParameter means a search parameter (size, page, sort, from, to, ...) is out of range or unparsable.
	ErrInvalidParameter = errors.New("invalid parameter")
	// ErrNotFound means no article has the requested id.
	ErrNotFound = errors.New("not found")
	// ErrTimeout means the search ran past its deadline and was cancelled.
	ErrTimeout = errors.New("search timed out")
	// ErrNoIndex means there is no index at the configured path.
	ErrNoIndex = errors.New("no index")
	// ErrIncompatible means the index on disk was built by another Folio
	// version or with settings that change the mapping: it must be rebuilt.
	ErrIncompatible = errors.New("incompatible index")
	// ErrLocked means another process (a running server, another ingest) has the index open.
	ErrLocked = errors.New("index in use")
)

// ParamError is a client error tied to one named parameter. It wraps
// ErrInvalidParameter or ErrInvalidQuery (Kind).
type ParamError struct {
	Kind    error  // ErrInvalidParameter or ErrInvalidQuery
	Param   string // the parameter's name, e.g. "to"
	Message string // what was wrong and what is accepted
}

// Error returns the message prefixed with the parameter's name.
func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

// Unwrap returns the kind, so errors.Is(err, ErrInvalidParameter) works.
func (e *ParamError) Unwrap() error { return e.Kind }

func paramErr(param, format string, args ...any) error {
	return &ParamError{Kind: ErrInvalidParameter, Param: param, Message: fmt.Sprintf(format, args...)}
}

func queryErr(format string, args ...any) error {
	return &ParamError{Kind: ErrInvalidQuery, Param: "q", Message: fmt.Sprintf(format, args...)}
}
