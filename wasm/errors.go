//go:build js && wasm

package main

import "syscall/js"

// ceremonyError is a failure that kanmon reports to JavaScript as an Error
// whose name is one of the few the SPA translates (see errorName).
type ceremonyError struct {
	name    string
	message string
	cause   js.Value // the original exception, if there was one
}

func (e *ceremonyError) Error() string {
	return e.name + ": " + e.message
}

// invalidOptions reports options JSON from the server that kanmon cannot
// use. That is a bug between server and SPA, not something the user can
// fix, hence UnknownError.
func invalidOptions(what string) error {
	return &ceremonyError{name: "UnknownError", message: "kanmon: invalid WebAuthn options: " + what}
}

// exceptionError converts a thrown or rejected JavaScript value, usually a
// DOMException from navigator.credentials, keeping its message.
func exceptionError(v js.Value) error {
	e := &ceremonyError{name: "UnknownError", cause: v}
	if isObject(v) {
		if name := v.Get("name"); name.Type() == js.TypeString {
			e.name = errorName(name.String())
		}
		if msg := v.Get("message"); msg.Type() == js.TypeString {
			e.message = msg.String()
			return e
		}
	}
	e.message = js.Global().Call("String", v).String()
	return e
}

// errorName passes through the DOMException names the SPA distinguishes
// and folds every other name (TypeError, ConstraintError, …) into
// UnknownError:
//   - NotAllowedError: the user cancelled, or the ceremony timed out;
//   - InvalidStateError: the authenticator already holds a credential from
//     excludeCredentials;
//   - NotSupportedError: no WebAuthn, or no supported algorithm;
//   - SecurityError: wrong RP ID for the origin, or an insecure context;
//   - AbortError: the ceremony was aborted.
func errorName(name string) string {
	switch name {
	case "NotAllowedError", "InvalidStateError", "NotSupportedError", "SecurityError", "AbortError":
		return name
	}
	return "UnknownError"
}

// errorValue converts err to the JavaScript Error a ceremony promise
// rejects with: its name is the ceremonyError name (UnknownError for other
// errors), its message the browser's message, its cause the original
// exception.
func errorValue(err error) js.Value {
	e, ok := err.(*ceremonyError)
	if !ok {
		e = &ceremonyError{name: "UnknownError", message: err.Error()}
	}
	var v js.Value
	if e.cause.IsUndefined() {
		v = js.Global().Get("Error").New(e.message)
	} else {
		v = js.Global().Get("Error").New(e.message, map[string]any{"cause": e.cause})
	}
	v.Set("name", e.name)
	return v
}
