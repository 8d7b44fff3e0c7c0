//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"github.com/kanmon/kanmon/wasm/codefmt"
)

// maxCodeLength bounds the length normalizeCode accepts; real codes have 6
// or 8 digits.
const maxCodeLength = 32

// newAPI returns the object published as globalThis.kanmon. Its functions
// live as long as the page, so they are never released.
func newAPI() js.Value {
	return js.ValueOf(map[string]any{
		"normalizeCode": js.FuncOf(normalizeCode),
		"formatCode":    stringFunc(codefmt.Display),
		"groupSecret":   stringFunc(codefmt.GroupSecret),
		"maskEmail":     stringFunc(codefmt.MaskEmail),

		"createCredential": js.FuncOf(createCredential),
		"getAssertion":     js.FuncOf(getAssertion),
	})
}

// announceReady marks api as ready and dispatches a "kanmon:ready" Event on
// global, so a page may either check the flag or wait for the event,
// whichever comes first for it. Node has no dispatchEvent on globalThis;
// there only the flag is set.
func announceReady(global js.Value) {
	global.Get("kanmon").Set("ready", true)
	if global.Get("dispatchEvent").Type() == js.TypeFunction {
		global.Call("dispatchEvent", global.Get("Event").New("kanmon:ready"))
	}
}

// normalizeCode implements kanmon.normalizeCode(raw, length): it returns
// {ok: true, digits} or {ok: false, reason: "invalid_char" | "length"}.
// Arguments of the wrong type give the same reasons, since a Go callback
// cannot throw: a non-string raw is "invalid_char", and a length that is
// not an integer in 1..maxCodeLength is "length".
func normalizeCode(_ js.Value, args []js.Value) any {
	raw, length := arg(args, 0), arg(args, 1)
	if raw.Type() != js.TypeString {
		return failure("invalid_char")
	}
	n := 0
	if length.Type() == js.TypeNumber {
		if f := length.Float(); f >= 1 && f <= maxCodeLength && f == float64(int(f)) {
			n = int(f)
		}
	}
	digits, err := codefmt.Digits(raw.String(), n)
	switch {
	case errors.Is(err, codefmt.ErrInvalid):
		return failure("invalid_char")
	case err != nil:
		return failure("length")
	}
	return map[string]any{"ok": true, "digits": digits}
}

func failure(reason string) any {
	return map[string]any{"ok": false, "reason": reason}
}

// stringFunc wraps a string → string function as a JavaScript function of
// one string argument; any other argument is treated as "".
func stringFunc(f func(string) string) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		s := ""
		if v := arg(args, 0); v.Type() == js.TypeString {
			s = v.String()
		}
		return f(s)
	})
}

// arg returns args[i], or undefined when the caller passed fewer arguments,
// as JavaScript itself would.
func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}
