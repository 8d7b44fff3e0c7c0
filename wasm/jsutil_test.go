//go:build js && wasm

package main

import (
	"bytes"
	"syscall/js"
	"testing"
)

// jsBytes returns the bytes of an ArrayBuffer, independently of fromBuffer.
func jsBytes(t *testing.T, buf js.Value) []byte {
	t.Helper()
	if !buf.InstanceOf(js.Global().Get("ArrayBuffer")) {
		t.Fatalf("%s is not an ArrayBuffer", js.Global().Call("String", buf).String())
	}
	u8 := js.Global().Get("Uint8Array").New(buf)
	b := make([]byte, u8.Length())
	js.CopyBytesToGo(b, u8)
	return b
}

// jsBuffer returns a new ArrayBuffer holding b, independently of toBuffer.
func jsBuffer(b []byte) js.Value {
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	return u8.Get("buffer")
}

func TestToBuffer(t *testing.T) {
	for in, want := range map[string][]byte{
		"":         {},
		"AQID":     {1, 2, 3},
		"-_-_":     {0xfb, 0xff, 0xbf},
		"Zm9vYg":   []byte("foob"),
		"Zm9vYg==": []byte("foob"), // padding tolerated
		"Zm9vYmE=": []byte("fooba"),
	} {
		if got := jsBytes(t, toBuffer(in)); !bytes.Equal(got, want) {
			t.Errorf("toBuffer(%q) = %x, want %x", in, got, want)
		}
	}
}

func TestToBufferInvalid(t *testing.T) {
	for _, in := range []string{"+/+/", "Zm9v YmE", "Z", "Zg=", "Zh", "Ｚｍ９ｖ"} {
		if got := toBuffer(in); !got.IsNull() {
			t.Errorf("toBuffer(%q) = %s, want null", in, js.Global().Call("String", got).String())
		}
	}
}

func TestFromBuffer(t *testing.T) {
	buf := jsBuffer([]byte{0, 1, 2, 3, 4, 5, 0xfb, 0xff})
	u8 := js.Global().Get("Uint8Array")
	tests := []struct {
		name string
		v    js.Value
		want string
	}{
		{"ArrayBuffer", buf, "AAECAwQF-_8"},
		{"empty ArrayBuffer", jsBuffer(nil), ""},
		{"Uint8Array", u8.New(buf), "AAECAwQF-_8"},
		{"view with offset", u8.New(buf, 2, 3), "AgME"},
		{"DataView", js.Global().Get("DataView").New(buf, 6), "-_8"},
		{"Uint16Array", js.Global().Get("Uint16Array").New(buf, 0, 2), "AAECAw"},
	}
	for _, tt := range tests {
		got, ok := fromBuffer(tt.v)
		if !ok || got != tt.want {
			t.Errorf("%s: fromBuffer = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

func TestFromBufferInvalid(t *testing.T) {
	for _, v := range []js.Value{
		js.Undefined(), js.Null(), js.ValueOf("AQID"), js.ValueOf(3),
		js.ValueOf([]any{1, 2, 3}), newObject(),
	} {
		if got, ok := fromBuffer(v); ok {
			t.Errorf("fromBuffer(%s) = %q, want failure", js.Global().Call("String", v).String(), got)
		}
	}
}

func TestBufferRoundTrip(t *testing.T) {
	b := make([]byte, 70)
	for i := range b {
		b[i] = byte(i * 37)
	}
	for n := range len(b) + 1 {
		enc, ok := fromBuffer(jsBuffer(b[:n]))
		if !ok {
			t.Fatalf("fromBuffer(%d bytes) failed", n)
		}
		if got := jsBytes(t, toBuffer(enc)); !bytes.Equal(got, b[:n]) {
			t.Fatalf("toBuffer(fromBuffer(%x)) = %x", b[:n], got)
		}
	}
}
