//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"syscall/js"
	"testing"
)

// Node has no WebAuthn, so these tests install a fake navigator.credentials
// whose create and get record their options and return what the test's
// JavaScript snippet returns. Real ceremonies are tested in Chromium.

// setGlobal defines globalThis[name] for the test and restores the previous
// property afterwards (Node 21+ has a navigator of its own).
func setGlobal(t *testing.T, name string, value any) {
	t.Helper()
	object, global := js.Global().Get("Object"), js.Global()
	old := object.Call("getOwnPropertyDescriptor", global, name)
	object.Call("defineProperty", global, name, map[string]any{
		"value": value, "configurable": true, "writable": true,
	})
	t.Cleanup(func() {
		global.Delete(name)
		if !old.IsUndefined() {
			object.Call("defineProperty", global, name, old)
		}
	})
}

// installFake installs WebAuthn whose create and get run body, a JavaScript
// function body with the request in options and helper buf(...bytes)
// returning an ArrayBuffer. It returns the object that records the last
// request in its options property.
func installFake(t *testing.T, body string) js.Value {
	t.Helper()
	fake := js.Global().Get("Function").New(`
		const buf = (...bytes) => new Uint8Array(bytes).buffer;
		const settle = new Function("options", "buf", ` + "`" + body + "`" + `);
		const fake = {options: null};
		const call = (method) => (options) => {
			fake.method = method;
			fake.options = options;
			return settle(options, buf);
		};
		fake.credentials = {create: call("create"), get: call("get")};
		return fake;`).Invoke()
	setGlobal(t, "navigator", map[string]any{"credentials": fake.Get("credentials")})
	setGlobal(t, "PublicKeyCredential", js.Global().Get("Function").New())
	return fake
}

// seq returns the bytes from, from+1, … of length n.
func seq(from, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(from + i)
	}
	return b
}

// creationOptions is go-webauthn's protocol.CredentialCreation as the
// server sends it. Challenge: bytes 0–31; user id: "user-1";
// excluded credential id: bytes 1–3.
const creationOptions = `{"publicKey":{
	"rp":{"name":"Kanmon","id":"kanmon.example.lg.jp"},
	"user":{"name":"taro","displayName":"山田 太郎","id":"dXNlci0x"},
	"challenge":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
	"pubKeyCredParams":[{"type":"public-key","alg":-7},{"type":"public-key","alg":-257}],
	"timeout":300000,
	"excludeCredentials":[{"type":"public-key","id":"AQID","transports":["internal","hybrid"]}],
	"authenticatorSelection":{"residentKey":"preferred","userVerification":"preferred"},
	"attestation":"none",
	"extensions":{"credProps":true}}}`

// assertionOptions is go-webauthn's protocol.CredentialAssertion.
// Challenge: bytes 32–63; allowed credential id: bytes 1–3.
const assertionOptions = `{"publicKey":{
	"challenge":"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8",
	"timeout":300000,
	"rpId":"kanmon.example.lg.jp",
	"allowCredentials":[{"type":"public-key","id":"AQID","transports":["usb"]}],
	"userVerification":"preferred"},
	"mediation":"optional"}`

// ceremonyJSON runs kanmon[method](options) and decodes the JSON it
// resolves with.
func ceremonyJSON(t *testing.T, method, options string) map[string]any {
	t.Helper()
	res, err := await(kanmon(t).Call(method, options))
	if err != nil {
		t.Fatalf("%s rejected: %v", method, err)
	}
	if res.Type() != js.TypeString {
		t.Fatalf("%s resolved with %s, want a string", method, stringify(res))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(res.String()), &got); err != nil {
		t.Fatalf("%s resolved with invalid JSON %s: %v", method, res.String(), err)
	}
	return got
}

func TestCreateCredential(t *testing.T) {
	fake := installFake(t, `return Promise.resolve({
		id: "BAUG", rawId: buf(4, 5, 6), type: "public-key", authenticatorAttachment: "platform",
		response: {
			clientDataJSON: buf(123, 125),
			attestationObject: buf(0xa3, 0x63),
			getTransports() { return ["internal", "hybrid"]; },
		},
		getClientExtensionResults() { return {credProps: {rk: true}}; },
	});`)

	got := ceremonyJSON(t, "createCredential", creationOptions)

	want := map[string]any{
		"id": "BAUG", "rawId": "BAUG", "type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON": "e30", "attestationObject": "o2M",
			"transports": []any{"internal", "hybrid"},
		},
		"clientExtensionResults": map[string]any{"credProps": map[string]any{"rk": true}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("createCredential resolved with\n%v\nwant\n%v", got, want)
	}

	if m := fake.Get("method").String(); m != "create" {
		t.Errorf("called navigator.credentials.%s, want create", m)
	}
	pk := fake.Get("options").Get("publicKey")
	for _, f := range []struct {
		name string
		v    js.Value
		want []byte
	}{
		{"challenge", pk.Get("challenge"), seq(0, 32)},
		{"user.id", pk.Get("user").Get("id"), []byte("user-1")},
		{"excludeCredentials[0].id", pk.Get("excludeCredentials").Index(0).Get("id"), seq(1, 3)},
	} {
		if got := jsBytes(t, f.v); !bytes.Equal(got, f.want) {
			t.Errorf("publicKey.%s = %x, want %x", f.name, got, f.want)
		}
	}
	// Everything else reaches the browser unchanged.
	pk.Delete("challenge")
	pk.Get("user").Delete("id")
	pk.Get("excludeCredentials").Index(0).Delete("id")
	wantRest := `{"rp":{"name":"Kanmon","id":"kanmon.example.lg.jp"},` +
		`"user":{"name":"taro","displayName":"山田 太郎"},` +
		`"pubKeyCredParams":[{"type":"public-key","alg":-7},{"type":"public-key","alg":-257}],` +
		`"timeout":300000,"excludeCredentials":[{"type":"public-key","transports":["internal","hybrid"]}],` +
		`"authenticatorSelection":{"residentKey":"preferred","userVerification":"preferred"},` +
		`"attestation":"none","extensions":{"credProps":true}}`
	if rest := stringify(pk); rest != wantRest {
		t.Errorf("other options = %s\nwant %s", rest, wantRest)
	}
	if m := fake.Get("options").Get("mediation"); !m.IsUndefined() {
		t.Errorf("mediation = %s, want none", stringify(m))
	}
}

// A browser without getTransports, getClientExtensionResults or
// authenticatorAttachment (null) still yields what go-webauthn accepts.
func TestCreateCredentialMinimalBrowser(t *testing.T) {
	installFake(t, `return {
		id: "BAUG", rawId: new Uint8Array([4, 5, 6]), type: "public-key", authenticatorAttachment: null,
		response: {clientDataJSON: buf(123, 125), attestationObject: buf(0xa3, 0x63)},
	};`)
	got := ceremonyJSON(t, "createCredential", creationOptions)
	want := map[string]any{
		"id": "BAUG", "rawId": "BAUG", "type": "public-key",
		"response":               map[string]any{"clientDataJSON": "e30", "attestationObject": "o2M"},
		"clientExtensionResults": map[string]any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("createCredential resolved with\n%v\nwant\n%v", got, want)
	}
}

func TestGetAssertion(t *testing.T) {
	tests := []struct {
		name       string
		userHandle string // JavaScript expression
		want       any    // response.userHandle; nil: omitted
	}{
		{"discoverable credential", "buf(0x75, 0x2d, 0x31)", "dS0x"},
		{"no user handle", "null", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := installFake(t, `return Promise.resolve({
				id: "AQID", rawId: buf(1, 2, 3), type: "public-key", authenticatorAttachment: "cross-platform",
				response: {
					clientDataJSON: buf(123, 125),
					authenticatorData: buf(1, 2, 3, 4, 5),
					signature: buf(0x30, 0x45),
					userHandle: `+tt.userHandle+`,
				},
				getClientExtensionResults() { return {}; },
			});`)

			got := ceremonyJSON(t, "getAssertion", assertionOptions)

			response := map[string]any{"clientDataJSON": "e30", "authenticatorData": "AQIDBAU", "signature": "MEU"}
			if tt.want != nil {
				response["userHandle"] = tt.want
			}
			want := map[string]any{
				"id": "AQID", "rawId": "AQID", "type": "public-key", "authenticatorAttachment": "cross-platform",
				"response": response, "clientExtensionResults": map[string]any{},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("getAssertion resolved with\n%v\nwant\n%v", got, want)
			}

			if m := fake.Get("method").String(); m != "get" {
				t.Errorf("called navigator.credentials.%s, want get", m)
			}
			options := fake.Get("options")
			pk := options.Get("publicKey")
			if got := jsBytes(t, pk.Get("challenge")); !bytes.Equal(got, seq(32, 32)) {
				t.Errorf("publicKey.challenge = %x, want %x", got, seq(32, 32))
			}
			if got := jsBytes(t, pk.Get("allowCredentials").Index(0).Get("id")); !bytes.Equal(got, seq(1, 3)) {
				t.Errorf("publicKey.allowCredentials[0].id = %x, want %x", got, seq(1, 3))
			}
			for key, want := range map[string]string{"rpId": "kanmon.example.lg.jp", "userVerification": "preferred"} {
				if got := pk.Get(key).String(); got != want {
					t.Errorf("publicKey.%s = %q, want %q", key, got, want)
				}
			}
			if got := options.Get("mediation").String(); got != "optional" {
				t.Errorf("mediation = %q, want optional", got)
			}
		})
	}
}

// Without allowCredentials (go-webauthn omits an empty list for
// discoverable logins) the options pass as they are.
func TestGetAssertionDiscoverable(t *testing.T) {
	fake := installFake(t, `return {id: "AQID", rawId: buf(1, 2, 3), type: "public-key",
		response: {clientDataJSON: buf(1), authenticatorData: buf(2), signature: buf(3), userHandle: buf(4)}};`)
	ceremonyJSON(t, "getAssertion", `{"publicKey":{"challenge":"AAEC","rpId":"kanmon.example.lg.jp"}}`)
	if got := fake.Get("options").Get("publicKey").Get("allowCredentials"); !got.IsUndefined() {
		t.Errorf("allowCredentials = %s, want undefined", stringify(got))
	}
}

func TestCeremonyErrors(t *testing.T) {
	validCredential := `return {id: "AQID", rawId: buf(1, 2, 3), type: "public-key",
		response: {clientDataJSON: buf(1), attestationObject: buf(2), authenticatorData: buf(3), signature: buf(4)}};`
	tests := []struct {
		name     string
		fake     string // JavaScript body of create/get; empty: no WebAuthn at all
		method   string
		options  any
		wantName string
		wantMsg  string // substring of the message
	}{
		{"cancelled", `return Promise.reject(new DOMException("The operation either timed out or was not allowed.", "NotAllowedError"));`,
			"createCredential", creationOptions, "NotAllowedError", "timed out or was not allowed"},
		{"already registered", `return Promise.reject(new DOMException("excluded", "InvalidStateError"));`,
			"createCredential", creationOptions, "InvalidStateError", "excluded"},
		{"wrong RP ID", `return Promise.reject(new DOMException("bad rp", "SecurityError"));`,
			"getAssertion", assertionOptions, "SecurityError", "bad rp"},
		{"aborted", `return Promise.reject(new DOMException("stop", "AbortError"));`,
			"getAssertion", assertionOptions, "AbortError", "stop"},
		{"no algorithm", `return Promise.reject(new DOMException("no alg", "NotSupportedError"));`,
			"createCredential", creationOptions, "NotSupportedError", "no alg"},
		{"thrown synchronously", `throw new DOMException("sync", "NotAllowedError");`,
			"getAssertion", assertionOptions, "NotAllowedError", "sync"},
		{"other DOMException", `return Promise.reject(new DOMException("uv", "ConstraintError"));`,
			"createCredential", creationOptions, "UnknownError", "uv"},
		{"TypeError", `return Promise.reject(new TypeError("bad options"));`,
			"createCredential", creationOptions, "UnknownError", "bad options"},
		{"rejected with a string", `return Promise.reject("odd");`,
			"getAssertion", assertionOptions, "UnknownError", "odd"},
		{"resolved with null", `return Promise.resolve(null);`,
			"getAssertion", assertionOptions, "UnknownError", "no credential"},
		{"credential without rawId", `return {id: "AQID", type: "public-key", response: {}};`,
			"createCredential", creationOptions, "UnknownError", "rawId"},
		{"credential without signature", `return {id: "AQID", rawId: buf(1), type: "public-key",
			response: {clientDataJSON: buf(1), authenticatorData: buf(2)}};`,
			"getAssertion", assertionOptions, "UnknownError", "response.signature"},

		{"no WebAuthn", "", "createCredential", creationOptions, "NotSupportedError", "does not support"},

		{"options not JSON", validCredential, "createCredential", "{", "UnknownError", "JSON"},
		{"options not a string", validCredential, "getAssertion", 42, "UnknownError", "not a JSON string"},
		{"no publicKey", validCredential, "getAssertion", `{"mediation":"optional"}`, "UnknownError", "no publicKey"},
		{"challenge not base64url", validCredential, "getAssertion", `{"publicKey":{"challenge":"a+b/"}}`,
			"UnknownError", "publicKey.challenge"},
		{"challenge missing", validCredential, "getAssertion", `{"publicKey":{}}`, "UnknownError", "publicKey.challenge"},
		{"no user", validCredential, "createCredential", `{"publicKey":{"challenge":"AAEC"}}`, "UnknownError", "publicKey.user"},
		{"user id not base64url", validCredential, "createCredential", `{"publicKey":{"challenge":"AAEC","user":{"id":7}}}`,
			"UnknownError", "publicKey.user.id"},
		{"excludeCredentials not a list", validCredential, "createCredential",
			`{"publicKey":{"challenge":"AAEC","user":{"id":"AQ"},"excludeCredentials":{}}}`, "UnknownError", "not an array"},
		{"allowCredentials id invalid", validCredential, "getAssertion",
			`{"publicKey":{"challenge":"AAEC","allowCredentials":[{"type":"public-key","id":"A"}]}}`,
			"UnknownError", "publicKey.allowCredentials[].id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fake != "" {
				installFake(t, tt.fake)
			} else {
				setGlobal(t, "navigator", js.Undefined())
			}
			_, err := await(kanmon(t).Call(tt.method, tt.options))
			if err == nil {
				t.Fatal("the promise resolved; want a rejection")
			}
			// await wrapped the rejection; its cause is the Error kanmon made.
			e := err.(*ceremonyError).cause
			if !e.InstanceOf(js.Global().Get("Error")) {
				t.Fatalf("rejected with %s, want an Error", stringify(e))
			}
			if name := e.Get("name").String(); name != tt.wantName {
				t.Errorf("name = %q, want %q", name, tt.wantName)
			}
			if msg := e.Get("message").String(); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.wantMsg)
			}
		})
	}
}

// WebAuthn needs both navigator.credentials and PublicKeyCredential.
func TestCeremonyWithoutPublicKeyCredential(t *testing.T) {
	installFake(t, `return null;`)
	setGlobal(t, "PublicKeyCredential", js.Undefined())
	_, err := await(kanmon(t).Call("getAssertion", assertionOptions))
	if err == nil || err.(*ceremonyError).cause.Get("name").String() != "NotSupportedError" {
		t.Errorf("got %v, want NotSupportedError", err)
	}
}
