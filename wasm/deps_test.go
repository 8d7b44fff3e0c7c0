//go:build !js

package main

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestWASMDependencies keeps the WASM small and free of server code: it
// lists what GOOS=js GOARCH=wasm builds into the module and fails on
// packages known to cost megabytes (go-webauthn pulls in net/http, TLS and
// CBOR; see /work/shared/NOTES.md) or that belong to the server. It runs on
// the host, since the go command is not available under Node.
func TestWASMDependencies(t *testing.T) {
	const self = "github.com/kanmon/kanmon/wasm"
	cmd := exec.Command("go", "list", "-deps", self)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", self, err, stderr(err))
	}
	deps := strings.Fields(string(out))

	// Guard against a vacuous pass, e.g. if build tags excluded main.go.
	for _, want := range []string{self, self + "/codefmt", "syscall/js"} {
		if !slices.Contains(deps, want) {
			t.Errorf("go list -deps does not list %s; is the module built from %s?", want, self)
		}
	}
	for _, p := range deps {
		if forbidden(p) {
			t.Errorf("%s depends on %s; keep the WASM to syscall/js and small standard packages", self, p)
		}
	}
}

func forbidden(pkg string) bool {
	switch pkg {
	case "net/http", "encoding/json", "fmt":
		return true
	}
	return strings.HasPrefix(pkg, "github.com/go-webauthn/") ||
		pkg == "github.com/kanmon/kanmon/api" ||
		strings.HasPrefix(pkg, "github.com/kanmon/kanmon/api/")
}

// stderr returns what a failed command wrote to standard error.
func stderr(err error) []byte {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.Stderr
	}
	return nil
}
