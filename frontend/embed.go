//go:build !no_ui

// Package frontend holds the login SPA (TypeScript, Vite, Preact) and embeds
// its production build for the kanmon binary.
//
// The build output in frontend/dist is not committed: `npm ci && npm run
// build` (or `make`, which runs it before `go build`) creates it. A Go-only
// build that needs no Node toolchain uses the `no_ui` build tag
// (`go build -tags no_ui ./...`); then Dist is nil and the server serves the
// API without the SPA.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist is the SPA build rooted at dist/ (index.html at its top), or nil in a
// build with the no_ui tag.
var Dist fs.FS = mustSub(dist, "dist")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant that the embed directive guarantees
	}
	return sub
}
