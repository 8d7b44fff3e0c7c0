//go:build js && wasm

package main

import (
	"syscall/js"
	"testing"
)

// kanmon installs the API on globalThis as main does and returns it, so the
// tests call it the way the SPA will.
func kanmon(t *testing.T) js.Value {
	t.Helper()
	js.Global().Set("kanmon", newAPI())
	t.Cleanup(func() { js.Global().Delete("kanmon") })
	return js.Global().Get("kanmon")
}

func TestNormalizeCode(t *testing.T) {
	k := kanmon(t)
	tests := []struct {
		name   string
		args   []any
		digits string // empty: expect failure with reason
		reason string
	}{
		{"ascii", []any{"123456", 6}, "123456", ""},
		{"ime input", []any{"１２３ー４５６", 6}, "123456", ""},
		{"eight digits", []any{" 1234 5678 ", 8}, "12345678", ""},
		{"letter", []any{"12345a", 6}, "", "invalid_char"},
		{"too short", []any{"12345", 6}, "", "length"},
		{"fractional length", []any{"123456", 6.5}, "", "length"},
		{"length as string", []any{"123456", "6"}, "", "length"},
		{"length too large", []any{"123456", 1e300}, "", "length"},
		{"NaN length", []any{"123456", js.Global().Get("NaN")}, "", "length"},
		{"raw not a string", []any{123456, 6}, "", "invalid_char"},
		{"no arguments", nil, "", "invalid_char"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := k.Call("normalizeCode", tt.args...)
			ok := r.Get("ok").Bool()
			if tt.digits != "" {
				if !ok || r.Get("digits").String() != tt.digits {
					t.Errorf("got %s, want digits %q", stringify(r), tt.digits)
				}
				return
			}
			if ok || r.Get("reason").String() != tt.reason {
				t.Errorf("got %s, want reason %q", stringify(r), tt.reason)
			}
		})
	}
}

func TestStringFunctions(t *testing.T) {
	k := kanmon(t)
	tests := []struct {
		fn   string
		arg  any
		want string
	}{
		{"formatCode", "123456", "123 456"},
		{"groupSecret", "JBSWY3DPEHPK3PXP", "JBSW Y3DP EHPK 3PXP"},
		{"maskEmail", "taro@example.jp", "t***@example.jp"},
		{"maskEmail", "invalid", "***"},
		{"maskEmail", nil, "***"},
		{"formatCode", 123456, ""},
	}
	for _, tt := range tests {
		if got := k.Call(tt.fn, tt.arg); got.Type() != js.TypeString || got.String() != tt.want {
			t.Errorf("%s(%v) = %s, want %q", tt.fn, tt.arg, stringify(got), tt.want)
		}
	}
}

func TestAnnounceReady(t *testing.T) {
	k := kanmon(t)
	var events []string
	listener := js.FuncOf(func(_ js.Value, args []js.Value) any {
		events = append(events, args[0].Get("type").String())
		return nil
	})
	defer listener.Release()
	// Node's globalThis is no EventTarget; give it the one method used.
	js.Global().Set("dispatchEvent", listener)
	defer js.Global().Delete("dispatchEvent")

	announceReady(js.Global())

	if !k.Get("ready").Bool() {
		t.Error("kanmon.ready is not true")
	}
	if len(events) != 1 || events[0] != "kanmon:ready" {
		t.Errorf("dispatched %q, want one kanmon:ready", events)
	}
}

func TestAnnounceReadyWithoutDispatchEvent(t *testing.T) {
	k := kanmon(t)
	announceReady(js.Global()) // must not panic in Node
	if !k.Get("ready").Bool() {
		t.Error("kanmon.ready is not true")
	}
}

func stringify(v js.Value) string {
	return js.Global().Get("JSON").Call("stringify", v).String()
}
