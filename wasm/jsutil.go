//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/kanmon/kanmon/wasm/internal/b64url"
)

// toBuffer decodes base64url (padding optional) into a new ArrayBuffer, or
// returns null if s is not base64url.
func toBuffer(s string) js.Value {
	b, ok := b64url.Decode(s)
	if !ok {
		return js.Null()
	}
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	return u8.Get("buffer")
}

// fromBuffer encodes the bytes of an ArrayBuffer, or of a view of one (a
// typed array or DataView), as unpadded base64url. It reports false for any
// other value.
func fromBuffer(v js.Value) (string, bool) {
	arrayBuffer, uint8Array := js.Global().Get("ArrayBuffer"), js.Global().Get("Uint8Array")
	var u8 js.Value
	switch {
	case v.InstanceOf(arrayBuffer):
		u8 = uint8Array.New(v)
	case arrayBuffer.Call("isView", v).Bool():
		u8 = uint8Array.New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))
	default:
		return "", false
	}
	b := make([]byte, u8.Length())
	js.CopyBytesToGo(b, u8)
	return b64url.Encode(b), true
}

// newObject returns a new, empty JavaScript object.
func newObject() js.Value {
	return js.Global().Get("Object").New()
}

// isObject reports whether v is a non-null object (functions included),
// the values whose properties may be read without a panic.
func isObject(v js.Value) bool {
	return v.Type() == js.TypeObject || v.Type() == js.TypeFunction
}

// newPromise returns a JavaScript Promise settled by run, which is called
// on a goroutine of its own so that it may await other promises. A string
// result resolves the promise; an error rejects it with errorValue(err).
func newPromise(run func() (string, error)) js.Value {
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			s, err := protect(run)
			if err != nil {
				reject.Invoke(errorValue(err))
				return
			}
			resolve.Invoke(s)
		}()
		return nil
	})
	// The Promise constructor calls the executor before it returns.
	defer executor.Release()
	return js.Global().Get("Promise").New(executor)
}

// protect calls run and turns a panic into an error. syscall/js reports a
// JavaScript exception (JSON.parse of bad input, a throwing getter) as a
// panic; left alone it would end the Go program, and every later call to
// kanmon would fail.
func protect(run func() (string, error)) (s string, err error) {
	defer func() {
		switch r := recover().(type) {
		case nil:
		case js.Error:
			err = exceptionError(r.Value)
		case error:
			err = &ceremonyError{name: "UnknownError", message: "kanmon: " + r.Error()}
		default:
			err = &ceremonyError{name: "UnknownError", message: "kanmon: internal error"}
		}
	}()
	return run()
}

// await blocks until p (or a plain value, like Promise.resolve) settles,
// and returns its value, or its rejection reason as an error. It must run
// on its own goroutine, never directly in a js.Func callback: while a
// callback blocks, JavaScript cannot run the callbacks that settle p.
func await(p js.Value) (js.Value, error) {
	type settled struct {
		value     js.Value
		fulfilled bool
	}
	done := make(chan settled, 1)
	onFulfilled := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- settled{arg(args, 0), true}
		return nil
	})
	defer onFulfilled.Release()
	onRejected := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- settled{arg(args, 0), false}
		return nil
	})
	defer onRejected.Release()

	js.Global().Get("Promise").Call("resolve", p).Call("then", onFulfilled, onRejected)
	r := <-done
	if !r.fulfilled {
		return js.Undefined(), exceptionError(r.value)
	}
	return r.value, nil
}
