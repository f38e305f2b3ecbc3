package server

import (
	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
)

// readerKey is the echo context key of the Visibility of a request's reader.
const readerKey = "folio.reader"

// visibility is what the request's reader may see: what its verified
// token allows (set by requireToken), else only the articles without groups.
func visibility(c echo.Context) index.Visibility {
	if v, ok := c.Get(readerKey).(index.Visibility); ok {
		return v
	}
	return index.Visibility{}
}

// subKey is the echo context key of the verified token's sub ("" for none).
const subKey = "folio.sub"

// readerSub is the sub of the request's verified token, or "".
func readerSub(c echo.Context) string {
	s, _ := c.Get(subKey).(string)
	return s
}
