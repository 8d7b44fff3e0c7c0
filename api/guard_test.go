package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kanmon/kanmon/api/apitest"
	"github.com/kanmon/kanmon/api/store/storetest"
)

// TestRequestGuard: requests another site could send, or that are not JSON, or
// too big, or malformed, are refused with a problem document and a stable code,
// never a 500 and never the SPA.
func TestRequestGuard(t *testing.T) {
	spa := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Kanmon</title>")}}
	a := apitest.New(t, storetest.Open(t, storetest.SQLite), apitest.Options{SPA: spa})
	login := []byte(`{"username":"sato","password":"correct horse battery staple"}`)
	cases := []struct {
		name, method, path, contentType string
		body                            []byte
		header                          http.Header
		status                          int
		code                            string
	}{
		{"cross-origin", "POST", "/api/v1/login", "application/json", login, http.Header{"Origin": {"https://evil.example"}}, 403, "forbidden_origin"},
		{"origin of another port", "POST", "/api/v1/login", "application/json", login, http.Header{"Origin": {"http://localhost:9999"}}, 403, "forbidden_origin"},
		{"opaque origin", "POST", "/api/v1/login", "application/json", login, http.Header{"Origin": {"null"}}, 403, "forbidden_origin"},
		{"cross-site fetch", "POST", "/api/v1/login", "application/json", login, http.Header{"Sec-Fetch-Site": {"cross-site"}}, 403, "forbidden_origin"},
		{"same-site fetch", "POST", "/api/v1/logout", "application/json", nil, http.Header{"Sec-Fetch-Site": {"same-site"}}, 403, "forbidden_origin"},
		{"text/plain", "POST", "/api/v1/login", "text/plain", login, nil, 415, "unsupported_media_type"},
		{"form", "POST", "/api/v1/login", "application/x-www-form-urlencoded", []byte("username=sato&password=x"), nil, 415, "unsupported_media_type"},
		{"multipart", "POST", "/api/v1/login", "multipart/form-data; boundary=x", []byte("--x--"), nil, 415, "unsupported_media_type"},
		{"no content type", "POST", "/api/v1/login", "", login, nil, 415, "unsupported_media_type"},
		{"oversize body", "POST", "/api/v1/login", "application/json", []byte(`{"username":"` + strings.Repeat("a", 70<<10) + `"}`), nil, 413, "body_too_large"},
		{"malformed JSON", "POST", "/api/v1/login", "application/json", []byte(`{"username":`), nil, 400, "invalid_input"},
		{"JSON of the wrong type", "POST", "/api/v1/login", "application/json", []byte(`{"username":1,"password":["x"]}`), nil, 400, "invalid_input"},
		{"JSON array", "POST", "/api/v1/login", "application/json", []byte(`[1,2]`), nil, 400, "invalid_input"},
		{"empty object", "POST", "/api/v1/login", "application/json", []byte(`{}`), nil, 400, "invalid_input"},
		{"password too long", "POST", "/api/v1/login", "application/json", []byte(`{"username":"sato","password":"` + strings.Repeat("x", 2000) + `"}`), nil, 400, "invalid_input"},
		{"unknown method", "POST", "/api/v1/login/verify", "application/json", []byte(`{"method":"sms","code":"123456"}`), nil, 400, "invalid_input"},
		{"verify without a flow", "POST", "/api/v1/login/verify", "application/json", []byte(`{"method":"totp","code":"123456"}`), nil, 401, "flow_not_found"},
		{"setup without a flow", "POST", "/api/v1/login/totp/setup", "application/json", nil, nil, 401, "flow_not_found"},
		{"flow without a flow", "GET", "/api/v1/login/flow", "", nil, nil, 401, "flow_not_found"},
		{"session without a session", "GET", "/api/v1/session", "", nil, nil, 401, "unauthenticated"},
		{"forged session cookie", "GET", "/api/v1/session", "", nil, http.Header{"Cookie": {"kanmon_session=forged"}}, 401, "unauthenticated"},
		{"unknown API path", "GET", "/api/v1/no-such-thing", "", nil, nil, 404, "not_found"},
		{"unknown API path, POST", "POST", "/api/v1/no-such-thing", "application/json", []byte(`{}`), nil, 404, "not_found"},
		{"GET of a POST route", "GET", "/api/v1/login", "", nil, nil, 404, "not_found"},
		{"static file that is not there", "GET", "/assets/missing.js", "", nil, nil, 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := a.Client("192.0.2.1").Do(t, tc.method, tc.path, tc.contentType, tc.body, tc.header)
			res.Problem(t, tc.status, tc.code)
		})
	}
	// The SPA answers its own routes, and only those.
	if res := a.Client("192.0.2.1").Get(t, "/login/totp"); res.Status != http.StatusOK || !strings.Contains(string(res.Body), "<title>Kanmon</title>") {
		t.Errorf("SPA route: %d %s", res.Status, res.Body)
	}
	if log := a.Log.String(); strings.Contains(log, "request failed") {
		t.Errorf("bad input was logged as an internal failure:\n%s", log)
	}
}

// TestSecurityHeaders checks the headers every answer carries.
func TestSecurityHeaders(t *testing.T) {
	a := apitest.NewSQLite(t)
	for _, path := range []string{"/healthz", "/api/v1/session", "/openapi.json"} {
		res := a.Client("192.0.2.1").Get(t, path)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s: %s %q, want %q", path, h, got, want)
			}
		}
	}
	if res := a.Client("192.0.2.1").Get(t, "/readyz"); res.Status != http.StatusOK || string(res.Body) != "ready" {
		t.Errorf("/readyz: %d %s", res.Status, res.Body)
	}
}

// TestChunkedOversizeBody: a body without Content-Length is cut at the limit
// too, and answered 413 rather than as malformed JSON.
func TestChunkedOversizeBody(t *testing.T) {
	a := apitest.NewSQLite(t)
	body := `{"username":"` + strings.Repeat("a", 70<<10) + `","password":"x"}`
	req := httptest.NewRequest(http.MethodPost, apitest.DevURL+"/api/v1/login", io.NopCloser(strings.NewReader(body)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	a.Echo.ServeHTTP(rec, req)
	res := &apitest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	res.Problem(t, http.StatusRequestEntityTooLarge, "body_too_large")
}
