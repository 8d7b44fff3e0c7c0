// Command openapi-gen turns swag's Swagger 2.0 output (openapi/swagger.json) into
// the OpenAPI 3.0 document Kanmon serves and the SPA's types come from
// (openapi/openapi.json), and fails if the result does not validate. `make
// openapi` runs it after swag.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: openapi-gen SWAGGER_JSON OPENAPI_JSON")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "openapi-gen:", err)
		os.Exit(1)
	}
}

func convert(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var v2 openapi2.T
	if err := json.Unmarshal(raw, &v2); err != nil {
		return fmt.Errorf("parse %s: %w", in, err)
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	markPublic(v3)
	if err := v3.Validate(context.Background()); err != nil {
		return fmt.Errorf("the converted document is invalid: %w", err)
	}
	doc, err := json.MarshalIndent(v3, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(doc, '\n'), 0o644)
}

// markPublic states that operations without a security requirement (login,
// health checks) need no credentials, with an explicit empty list, which
// Swagger 2.0 annotations cannot express.
func markPublic(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Security == nil {
				op.Security = &openapi3.SecurityRequirements{}
			}
		}
	}
}
