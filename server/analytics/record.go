// Package analytics owns Folio's search analytics: the records of searches
// and of the results opened from them (clicks), their bounded, non-blocking
// recorder, their bbolt store in <index.path>/analytics, the retention sweep,
// and the reports built from them (top queries, zero-result queries, volume
// over time, most opened articles), including the merge of several nodes'
// reports into one. It knows nothing of HTTP, configuration or bleve: the
// server records into it and serves its reports, cmd/folio wires it.
package analytics

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// Dir is the name of the analytics directory inside an index directory.
const Dir = "analytics"

// Search is the record of one search: what was asked and what it found.
// It never holds the client's address or user agent; Sub is the token's
// subject and is kept only when the recorder records users.
type Search struct {
	ID   string    `json:"-"` // query_id: the record's key in hex (time, then random bytes)
	Time time.Time `json:"-"` // when it ran (also in the key)

	Query      string   `json:"q"` // normalised: lower-cased, white space folded
	Mode       string   `json:"mode,omitempty"`
	From       string   `json:"from,omitempty"`
	To         string   `json:"to,omitempty"`
	Filters    []string `json:"filters,omitempty"`
	Sort       string   `json:"sort,omitempty"`
	Total      uint64   `json:"total"`
	Page       int      `json:"page"`
	TookMS     float64  `json:"took_ms"`
	Suggestion string   `json:"suggestion,omitempty"` // the did-you-mean Folio offered
	// Typing marks a search made while the query was being typed
	// (as_you_type): the reports count it only when a result was opened
	// from it, so that the prefixes searched on the way are not counted.
	Typing bool   `json:"typing,omitempty"`
	Sub    string `json:"sub,omitempty"`
}

// counted reports whether the reports count s, whose results were opened
// clicks times: every search but one made while typing that nobody acted on.
func (s Search) counted(clicks int) bool { return !s.Typing || clicks > 0 }

// Click is the record of one result opened from a search.
type Click struct {
	QueryID  string    `json:"-"`
	ID       string    `json:"id"`       // the article opened
	Position int       `json:"position"` // its rank in the results, from 1
	Time     time.Time `json:"t"`
}

// Normalise is the query as analytics counts it: lower-cased, with runs of
// white space folded into one space and none at either end.
func Normalise(q string) string {
	return strings.Join(strings.Fields(strings.ToLower(q)), " ")
}

// keyLen is the length of a search's key: 8 bytes of Unix nanoseconds
// (big-endian, so keys sort by time) and 8 random bytes.
const keyLen = 16

// newKey returns a fresh key for a search made at t.
func newKey(t time.Time) [keyLen]byte {
	var k [keyLen]byte
	binary.BigEndian.PutUint64(k[:8], uint64(t.UnixNano()))
	rand.Read(k[8:]) // never fails (crypto/rand panics rather)
	return k
}

// timeKey is the smallest key of a search made at t or later.
func timeKey(t time.Time) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(max(t.UnixNano(), 0)))
	return k[:]
}

// keyTime is the time a key was made.
func keyTime(k []byte) time.Time { return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC() }

// parseID returns the key a query_id names, or false when id is not one.
func parseID(id string) ([]byte, bool) {
	if len(id) != 2*keyLen {
		return nil, false
	}
	k, err := hex.DecodeString(id)
	return k, err == nil
}
