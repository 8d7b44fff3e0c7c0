// Package openapi holds Kanmon's API contract, generated from the swag
// annotations of package api by `make openapi` and never edited by hand: swag's
// Swagger 2.0 output and the OpenAPI 3.0 document converted from it, which the
// binary serves at /openapi.json and the SPA's types are generated from.
package openapi

import _ "embed"

// Document is the OpenAPI 3.0 document (openapi.json).
//
//go:embed openapi.json
var Document []byte
