package b64url

import (
	"bytes"
	"testing"
)

// Known answers from RFC 4648 §10, in the URL alphabet and without padding,
// plus bytes that exercise '-' and '_'.
var vectors = []struct {
	raw []byte
	enc string
}{
	{[]byte(""), ""},
	{[]byte("f"), "Zg"},
	{[]byte("fo"), "Zm8"},
	{[]byte("foo"), "Zm9v"},
	{[]byte("foob"), "Zm9vYg"},
	{[]byte("fooba"), "Zm9vYmE"},
	{[]byte("foobar"), "Zm9vYmFy"},
	{[]byte{0xfb, 0xff, 0xbf}, "-_-_"},
	{[]byte{0, 0, 0}, "AAAA"},
	{[]byte{0xff}, "_w"},
}

func TestEncode(t *testing.T) {
	for _, v := range vectors {
		if got := Encode(v.raw); got != v.enc {
			t.Errorf("Encode(%x) = %q, want %q", v.raw, got, v.enc)
		}
	}
}

func TestDecode(t *testing.T) {
	for _, v := range vectors {
		got, ok := Decode(v.enc)
		if !ok || !bytes.Equal(got, v.raw) {
			t.Errorf("Decode(%q) = %x, %v; want %x", v.enc, got, ok, v.raw)
		}
	}
}

func TestDecodePadding(t *testing.T) {
	for in, want := range map[string]string{
		"Zg==":     "f",
		"Zm8=":     "fo",
		"Zm9vYg==": "foob",
		"Zm9v":     "foo",
	} {
		got, ok := Decode(in)
		if !ok || string(got) != want {
			t.Errorf("Decode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestDecodeInvalid(t *testing.T) {
	for _, in := range []string{
		"Zg=",    // incomplete padding
		"Zg===",  // too much padding
		"Zm9=v",  // padding inside
		"====",   // padding only
		"Z",      // impossible length
		"Zm9vY",  // impossible length
		"Zh",     // unused bits set: not what Encode produces
		"+/+/",   // standard alphabet
		"Zm9 v",  // white space
		"Zm9v\n", // trailing newline
		"Zm9vYmE\x00",
		"Ｚｍ９ｖ", // full-width look-alikes
	} {
		if got, ok := Decode(in); ok || got != nil {
			t.Errorf("Decode(%q) = %x, %v; want nil, false", in, got, ok)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	for n := 0; n <= len(b); n++ {
		enc := Encode(b[:n])
		got, ok := Decode(enc)
		if !ok || !bytes.Equal(got, b[:n]) {
			t.Fatalf("Decode(Encode(%d bytes)) = %x, %v", n, got, ok)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.enc)
	}
	f.Add("Zg==")
	f.Add("Zh")
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := Decode(s)
		if !ok {
			return
		}
		// An accepted string is canonical apart from its padding.
		enc := Encode(b)
		if enc != s && enc+"=" != s && enc+"==" != s {
			t.Fatalf("Decode(%q) = %x, but Encode gives %q", s, b, enc)
		}
	})
}
