package index

import (
	"errors"

	"github.com/folio-search/folio/index/internal/param"
)

// Sentinel errors. Every error returned by this package to a caller that can
// be blamed on its input wraps one of these, so callers map them with errors.Is.
var (
	// ErrInvalidQuery means the query text could not be parsed or is too expensive.
	ErrInvalidQuery = param.ErrInvalidQuery
	// ErrInvalidParameter means a search parameter (size, page, sort, from, to, ...) is out of range or unparsable.
	ErrInvalidParameter = param.ErrInvalidParameter
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
// ErrInvalidParameter or ErrInvalidQuery (Kind): Kind, Param (the
// parameter's name, e.g. "to") and Message (what was wrong and what is
// accepted); Error() is "Param: Message".
type ParamError = param.Error
