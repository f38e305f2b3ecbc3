package param

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		err       error
		kind      error
		name, msg string
	}{
		{Errorf("size", "size must be between 1 and %d, got %d", 100, 0), ErrInvalidParameter, "size", "size: size must be between 1 and 100, got 0"},
		{QueryErrorf("query is %d bytes long", 5000), ErrInvalidQuery, "q", "q: query is 5000 bytes long"},
	} {
		wrapped := fmt.Errorf("search: %w", tt.err)
		var pe *Error
		if !errors.As(wrapped, &pe) || pe.Param != tt.name || !errors.Is(wrapped, tt.kind) || tt.err.Error() != tt.msg {
			t.Errorf("%v: As %v (param %q), Is(%v) %v; want param %q, message %q", tt.err, pe != nil, pe.Param, tt.kind, errors.Is(wrapped, tt.kind), tt.name, tt.msg)
		}
		if other := map[error]error{ErrInvalidParameter: ErrInvalidQuery, ErrInvalidQuery: ErrInvalidParameter}[tt.kind]; errors.Is(tt.err, other) {
			t.Errorf("%v is also %v", tt.err, other)
		}
	}
}
