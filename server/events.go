package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

// maxEventBytes is the largest body POST /api/events accepts.
const maxEventBytes = 1024

// maxEventID is the longest article id an event may name.
const maxEventID = 512

// handleEvent serves POST /api/events: a result opened from a search,
// {"query_id", "id", "position"}. It answers 204 whether or not the
// query_id is known (an unknown or expired one is ignored when written).
//
// It asks for no search key and no reader token (routes.go): the page and
// the widget send it with navigator.sendBeacon, which cannot set headers.
// The query_id is the credential instead: only a search that passed the
// keys and tokens gets one, 64 of its 128 bits are random (crypto/rand),
// and a click is stored only with the search it names, so a client that
// could not search cannot add a click to anything. Every answer is the
// same 204 (no oracle for guessing ids), bodies are at most maxEventBytes,
// and the server-wide rate limit applies.
func (s *Server) handleEvent(c echo.Context) error {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxEventBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var ev api.Event
	if err := dec.Decode(&ev); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("an event body is at most %d bytes", maxEventBytes))
		}
		return &index.ParamError{Kind: index.ErrInvalidParameter, Param: "body", Message: `send one JSON object {"query_id": "…", "id": "…", "position": 1}: ` + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &index.ParamError{Kind: index.ErrInvalidParameter, Param: "body", Message: "send one JSON object and nothing after it"}
	}
	switch {
	case len(ev.QueryID) != 32 || strings.Trim(ev.QueryID, "0123456789abcdef") != "":
		return &index.ParamError{Kind: index.ErrInvalidParameter, Param: "query_id", Message: fmt.Sprintf("want the 32 hex digits a search answered, got %q", ev.QueryID)}
	case ev.ID == "" || len(ev.ID) > maxEventID:
		return &index.ParamError{Kind: index.ErrInvalidParameter, Param: "id", Message: fmt.Sprintf("want an article id of 1 to %d bytes", maxEventID)}
	case ev.Position < 1 || ev.Position > 100000:
		return &index.ParamError{Kind: index.ErrInvalidParameter, Param: "position", Message: fmt.Sprintf("want the result's rank, 1 to 100000, got %d", ev.Position)}
	}
	if s.opts.Analytics != nil {
		s.opts.Analytics.Click(ev.QueryID, ev.ID, ev.Position)
	}
	return c.NoContent(http.StatusNoContent)
}
