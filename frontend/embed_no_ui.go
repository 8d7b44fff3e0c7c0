//go:build no_ui

package frontend

import "io/fs"

// Dist is nil in a build with the no_ui tag: the binary has no SPA.
var Dist fs.FS
