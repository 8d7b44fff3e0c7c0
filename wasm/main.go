//go:build js && wasm

// Command wasm is Kanmon's browser-side helper module, loaded by the SPA as
// kanmon.wasm next to Go's wasm_exec.js (see scripts/wasm-build.sh).
//
// It publishes globalThis.kanmon with the one-time-code formatting of
// wasm/codefmt, so the browser accepts exactly what the server accepts, and
// the browser side of the WebAuthn ceremonies (webauthn.go), which turns
// go-webauthn's JSON into navigator.credentials calls and back. It
// announces itself with globalThis.kanmon.ready and a "kanmon:ready" event. It uses syscall/js and a few small standard packages only: no fmt,
// encoding/json or net/http, and nothing from api/ or go-webauthn, because
// every import is paid for in download size (deps_test.go checks this).
package main

import "syscall/js"

func main() {
	js.Global().Set("kanmon", newAPI())
	announceReady(js.Global())
	select {} // stay alive to serve calls from JavaScript
}
