package server

import (
	_ "embed"
	"encoding/json"
)

// openapiJSON is the hand-written OpenAPI 3 description of every route;
// TestOpenAPI validates real responses against it so that it cannot drift.
//
//go:embed openapi.json
var openapiJSON []byte

// openAPIDocument returns the OpenAPI document with basePath as its server
// URL ("/" when empty), computed once per Server.
func openAPIDocument(basePath string) []byte {
	if basePath == "" {
		return openapiJSON
	}
	var doc map[string]any
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		return openapiJSON // a test checks that the embedded document parses
	}
	doc["servers"] = []any{map[string]any{"url": basePath}}
	b, err := json.Marshal(doc)
	if err != nil {
		return openapiJSON
	}
	return b
}
