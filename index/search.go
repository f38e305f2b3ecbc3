package index

import "context"

// Search runs q and returns one page of ranked, highlighted hits. Bad
// parameters return a *ParamError wrapping ErrInvalidParameter or
// ErrInvalidQuery; a search past the deadline returns ErrTimeout.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	panic("TODO")
}

// Article returns the stored article with the given id, or ErrNotFound.
func (ix *Index) Article(ctx context.Context, id string) (*Article, error) {
	panic("TODO")
}
