//go:build js && wasm

package main

import "syscall/js"

// The browser side of the WebAuthn ceremonies. The server's go-webauthn
// writes options as JSON with binary fields in base64url, and reads the
// result in the same form; the browser API wants and returns ArrayBuffers.
// This file converts between the two and leaves every check to the server,
// so the WASM does not need go-webauthn (megabytes; see deps_test.go).

// createCredential implements kanmon.createCredential(optionsJSON): it takes
// go-webauthn's protocol.CredentialCreation JSON, runs
// navigator.credentials.create and resolves with the JSON that
// protocol.ParseCredentialCreationResponseBody reads.
func createCredential(_ js.Value, args []js.Value) any {
	optionsJSON := arg(args, 0)
	return newPromise(func() (string, error) {
		return ceremony("create", optionsJSON, decodeCreationOptions, encodeAttestation)
	})
}

// getAssertion implements kanmon.getAssertion(optionsJSON): it takes
// go-webauthn's protocol.CredentialAssertion JSON, runs
// navigator.credentials.get and resolves with the JSON that
// protocol.ParseCredentialRequestResponseBody reads.
func getAssertion(_ js.Value, args []js.Value) any {
	optionsJSON := arg(args, 0)
	return newPromise(func() (string, error) {
		return ceremony("get", optionsJSON, decodeRequestOptions, encodeAssertion)
	})
}

// ceremony parses optionsJSON, lets decode turn its publicKey member into
// what the browser expects, calls navigator.credentials[method] and returns
// the resulting credential as JSON, built by encode.
func ceremony(method string, optionsJSON js.Value, decode func(publicKey js.Value) error, encode func(cred, out js.Value) error) (string, error) {
	credentials, err := credentialsContainer()
	if err != nil {
		return "", err
	}
	if optionsJSON.Type() != js.TypeString {
		return "", invalidOptions("not a JSON string")
	}
	options := js.Global().Get("JSON").Call("parse", optionsJSON) // throws on bad JSON; see protect
	if !isObject(options) || !isObject(options.Get("publicKey")) {
		return "", invalidOptions("no publicKey object")
	}
	publicKey := options.Get("publicKey")
	if err := decode(publicKey); err != nil {
		return "", err
	}
	request := newObject()
	request.Set("publicKey", publicKey)
	if m := options.Get("mediation"); m.Type() == js.TypeString {
		request.Set("mediation", m)
	}

	cred, err := await(credentials.Call(method, request))
	if err != nil {
		return "", err
	}
	if !isObject(cred) {
		return "", &ceremonyError{name: "UnknownError", message: "kanmon: the browser returned no credential"}
	}
	out, err := encodeCredential(cred)
	if err != nil {
		return "", err
	}
	if err := encode(cred, out); err != nil {
		return "", err
	}
	return js.Global().Get("JSON").Call("stringify", out).String(), nil
}

// credentialsContainer returns navigator.credentials, or NotSupportedError
// if the browser lacks it or WebAuthn (PublicKeyCredential): old browsers,
// and some embedded web views, have one without the other.
func credentialsContainer() (js.Value, error) {
	global := js.Global()
	if navigator := global.Get("navigator"); isObject(navigator) && global.Get("PublicKeyCredential").Type() == js.TypeFunction {
		if c := navigator.Get("credentials"); isObject(c) {
			return c, nil
		}
	}
	return js.Undefined(), &ceremonyError{name: "NotSupportedError", message: "kanmon: this browser does not support WebAuthn"}
}

// decodeCreationOptions converts the base64url fields of
// PublicKeyCredentialCreationOptions to ArrayBuffers, in place.
func decodeCreationOptions(publicKey js.Value) error {
	if err := decodeField(publicKey, "challenge", "publicKey.challenge"); err != nil {
		return err
	}
	user := publicKey.Get("user")
	if !isObject(user) {
		return invalidOptions("no publicKey.user object")
	}
	if err := decodeField(user, "id", "publicKey.user.id"); err != nil {
		return err
	}
	return decodeDescriptors(publicKey, "excludeCredentials")
}

// decodeRequestOptions converts the base64url fields of
// PublicKeyCredentialRequestOptions to ArrayBuffers, in place.
func decodeRequestOptions(publicKey js.Value) error {
	if err := decodeField(publicKey, "challenge", "publicKey.challenge"); err != nil {
		return err
	}
	return decodeDescriptors(publicKey, "allowCredentials")
}

// decodeField replaces obj[key], a base64url string, with an ArrayBuffer;
// path names the field in the error.
func decodeField(obj js.Value, key, path string) error {
	if v := obj.Get(key); v.Type() == js.TypeString {
		if buf := toBuffer(v.String()); !buf.IsNull() {
			obj.Set(key, buf)
			return nil
		}
	}
	return invalidOptions(path + " is not a base64url string")
}

// decodeDescriptors decodes the ids of the credential descriptors in
// publicKey[key]. The list may be absent: go-webauthn omits empty lists.
func decodeDescriptors(publicKey js.Value, key string) error {
	list := publicKey.Get(key)
	if list.IsUndefined() || list.IsNull() {
		return nil
	}
	path := "publicKey." + key
	if !js.Global().Get("Array").Call("isArray", list).Bool() {
		return invalidOptions(path + " is not an array")
	}
	for i := range list.Length() {
		d := list.Index(i)
		if !isObject(d) {
			return invalidOptions(path + " holds a non-object")
		}
		if err := decodeField(d, "id", path+"[].id"); err != nil {
			return err
		}
	}
	return nil
}

// encodeCredential returns the PublicKeyCredential members common to both
// ceremonies in go-webauthn's JSON form, with an empty response object for
// the ceremony's encoder to fill.
func encodeCredential(cred js.Value) (js.Value, error) {
	rawID, ok := fromBuffer(cred.Get("rawId"))
	if !ok {
		return js.Undefined(), malformed("rawId")
	}
	out := newObject()
	out.Set("id", cred.Get("id"))
	out.Set("rawId", rawID)
	out.Set("type", cred.Get("type"))
	// null when the browser does not know, which go-webauthn would reject.
	if a := cred.Get("authenticatorAttachment"); a.Type() == js.TypeString {
		out.Set("authenticatorAttachment", a)
	}
	// Passed through as they are: credProps and the like are plain JSON.
	// Binary outputs (prf, largeBlob) would need encoding; Kanmon requests
	// none of them.
	extensions := newObject()
	if cred.Get("getClientExtensionResults").Type() == js.TypeFunction {
		extensions = cred.Call("getClientExtensionResults")
	}
	out.Set("clientExtensionResults", extensions)
	out.Set("response", newObject())
	return out, nil
}

// encodeAttestation fills out.response from an AuthenticatorAttestationResponse.
func encodeAttestation(cred, out js.Value) error {
	response, err := encodeBuffers(cred, out, "clientDataJSON", "attestationObject")
	if err != nil {
		return err
	}
	// getTransports is missing in older browsers; the server then simply
	// stores no transport hints.
	if response.Get("getTransports").Type() == js.TypeFunction {
		out.Get("response").Set("transports", response.Call("getTransports"))
	}
	return nil
}

// encodeAssertion fills out.response from an AuthenticatorAssertionResponse.
func encodeAssertion(cred, out js.Value) error {
	response, err := encodeBuffers(cred, out, "clientDataJSON", "authenticatorData", "signature")
	if err != nil {
		return err
	}
	// userHandle is null for a non-discoverable credential; go-webauthn
	// reads an omitted one as empty.
	if h := response.Get("userHandle"); !h.IsNull() && !h.IsUndefined() {
		enc, ok := fromBuffer(h)
		if !ok {
			return malformed("response.userHandle")
		}
		out.Get("response").Set("userHandle", enc)
	}
	return nil
}

// encodeBuffers copies the named ArrayBuffer members of cred.response to
// out.response as base64url and returns cred.response.
func encodeBuffers(cred, out js.Value, keys ...string) (js.Value, error) {
	response := cred.Get("response")
	if !isObject(response) {
		return js.Undefined(), malformed("response")
	}
	for _, key := range keys {
		enc, ok := fromBuffer(response.Get(key))
		if !ok {
			return js.Undefined(), malformed("response." + key)
		}
		out.Get("response").Set(key, enc)
	}
	return response, nil
}

// malformed reports a credential from the browser without a field the
// server needs.
func malformed(field string) error {
	return &ceremonyError{name: "UnknownError", message: "kanmon: the browser returned a credential without " + field}
}
