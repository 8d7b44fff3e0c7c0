// Package apitest runs the real Echo application of Kanmon (api.New) over a real
// store and a test clock, for the tests of the api package and of anything that
// drives the HTTP surface. Requests go through an http.Client with a cookie jar
// whose transport calls the handler in-process, so cookies behave as in a
// browser (Secure cookies only over https, __Host- names) without a socket.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kanmon/kanmon/api"
	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/authtest"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

// Argon2 is the small argon2id cost the API tests hash with, to stay fast.
var Argon2 = auth.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

// DevURL is the base URL of dev mode: plain cookie names, no Secure.
const DevURL = "http://localhost:8080"

// Options configure an App; the zero value is dev mode on DevURL with the
// default policy.
type Options struct {
	// BaseURL is the public origin; "" means DevURL with Dev set.
	BaseURL string
	Dev     bool
	// Auth is the login policy; the zero value means auth.DefaultConfig().
	Auth auth.Config
	// SPA is the built single-page app to serve at /; nil serves none.
	SPA fs.FS
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
}

// App is the Echo application of Kanmon over a real store, with its clock.
type App struct {
	Echo    *echo.Echo
	Store   *store.Store
	Service *auth.Service
	Clock   *authtest.Clock
	Config  auth.Config
	BaseURL *url.URL
	// SessionCookie and FlowCookie are the cookie names the base URL implies.
	SessionCookie, FlowCookie string
	// Log holds what the server logged at level warn and above.
	Log *SyncBuffer
}

// New builds the application over st. The clock starts at the current time
// rounded down to a TOTP step, so that cookie lifetimes (which browsers count
// by their own clock) stay positive; tests move it with App.Clock.Advance.
func New(t testing.TB, st *store.Store, o Options) *App {
	t.Helper()
	if o.BaseURL == "" {
		o.BaseURL, o.Dev = DevURL, true
	}
	if o.Auth == (auth.Config{}) {
		o.Auth = auth.DefaultConfig()
	}
	base, err := url.Parse(o.BaseURL)
	if err != nil {
		t.Fatalf("base URL: %v", err)
	}
	hasher, err := auth.NewHasher(Argon2, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(auth.RandomKey())
	if err != nil {
		t.Fatal(err)
	}
	clock := authtest.NewClock(time.Now().UTC().Truncate(30 * time.Second))
	svc := auth.New(st, hasher, sealer, o.Auth, clock.Now)
	log := &SyncBuffer{}
	logger := slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := api.New(api.Config{BaseURL: base, Dev: o.Dev, TrustedProxies: o.TrustedProxies}, svc, st, logger, o.SPA, []byte(`{"openapi":"3.0.3"}`))
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	a := &App{Echo: e, Store: st, Service: svc, Clock: clock, Config: o.Auth, BaseURL: base, Log: log,
		SessionCookie: "kanmon_session", FlowCookie: "kanmon_flow"}
	if base.Scheme == "https" {
		a.SessionCookie, a.FlowCookie = "__Host-kanmon_session", "__Host-kanmon_flow"
	}
	return a
}

// NewSQLite builds the application in dev mode over a fresh SQLite file.
func NewSQLite(t testing.TB) *App {
	t.Helper()
	return New(t, storetest.Open(t, storetest.SQLite), Options{})
}

// EachDB runs body on an application over each database (see storetest.EachDB).
func EachDB(t *testing.T, o Options, body func(t *testing.T, a *App)) {
	t.Helper()
	storetest.EachDB(t, func(t *testing.T, st *store.Store) { body(t, New(t, st, o)) })
}

// CreateUser adds a user without an e-mail address (so TOTP is the only second
// factor offered) through the domain service.
func (a *App) CreateUser(t testing.TB, name, password string) {
	t.Helper()
	_, err := a.Service.CreateUser(context.Background(), auth.NewUser{Username: name, Password: password}, auth.Actor{Name: "test"})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
}

// AuditEvent is a row of the audit trail as tests look at it.
type AuditEvent struct {
	Type     string `bun:"type"`
	Username string `bun:"username"`
	ClientIP string `bun:"client_ip"`
	Detail   string `bun:"detail"`
}

// Audit returns the audit trail, oldest first.
func (a *App) Audit(t testing.TB) []AuditEvent {
	t.Helper()
	var evs []AuditEvent
	err := a.Store.DB().NewSelect().Table("audit_events").Column("type", "username", "client_ip", "detail").
		Order("id").Scan(context.Background(), &evs)
	if err != nil {
		t.Fatalf("read audit events: %v", err)
	}
	return evs
}

// AuditCount counts the audit events of type typ.
func (a *App) AuditCount(t testing.TB, typ string) int {
	t.Helper()
	n := 0
	for _, e := range a.Audit(t) {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// Client is a browser: a cookie jar and a client address.
type Client struct {
	HTTP *http.Client
	App  *App
	// IP is the address the server sees the requests come from.
	IP string
	// Header is added to every request (after the browser-like defaults).
	Header http.Header
}

// Client returns a new browser with an empty cookie jar, seen at ip.
func (a *App) Client(ip string) *Client {
	jar, _ := cookiejar.New(nil)
	c := &Client{App: a, IP: ip, Header: http.Header{}}
	c.HTTP = &http.Client{Jar: jar, Transport: handlerTransport{c},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c
}

// handlerTransport serves requests with the App's handler in-process.
type handlerTransport struct{ c *Client }

func (h handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.RemoteAddr = h.c.IP + ":50000"
	r.RequestURI = r.URL.RequestURI()
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	h.c.App.Echo.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = req
	return res, nil
}

// Response is an answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Cookies are the Set-Cookie headers of this answer.
	Cookies []*http.Cookie
}

// Cookie returns the Set-Cookie of this answer named name, or nil.
func (r *Response) Cookie(name string) *http.Cookie {
	for _, c := range r.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Do sends a request with a raw body; the browser-like defaults are an Origin
// of the base URL and Sec-Fetch-Site same-origin, overridden by c.Header and
// then hdr. It fails the test only on errors of the test itself, so it may be
// called from goroutines; check the answers on the test's goroutine.
func (c *Client) Do(t testing.TB, method, path, contentType string, body []byte, hdr http.Header) *Response {
	t.Helper()
	req, err := http.NewRequest(method, c.App.BaseURL.Scheme+"://"+c.App.BaseURL.Host+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("Origin", c.App.BaseURL.Scheme+"://"+c.App.BaseURL.Host)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, h := range []http.Header{c.Header, hdr} {
		for k, vs := range h {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b, Cookies: res.Cookies()}
}

// JSON sends v (nil: no body) as JSON.
func (c *Client) JSON(t testing.TB, method, path string, v any) *Response {
	t.Helper()
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	return c.Do(t, method, path, "application/json", body, nil)
}

// Get sends a GET.
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	return c.Do(t, http.MethodGet, path, "", nil, nil)
}

// Decode decodes the body into v, failing on anything but status want.
func (r *Response) Decode(t testing.TB, want int, v any) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem checks that the answer is an application/problem+json document with
// status and code, and returns it.
func (r *Response) Problem(t testing.TB, status int, code string) api.Problem {
	t.Helper()
	var p api.Problem
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json (status %d, body %s)", ct, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("decode problem %s: %v", r.Body, err)
	}
	if r.Status != status || p.Status != status || p.Code != code {
		t.Fatalf("got %d %q (document status %d), want %d %q; body %s", r.Status, p.Code, p.Status, status, code, r.Body)
	}
	return p
}

// Flow is the answer of a login step.
type Flow struct {
	State        string    `json:"state"`
	ExpiresAt    time.Time `json:"expires_at"`
	Methods      []string  `json:"methods"`
	AttemptsLeft int       `json:"attempts_left"`
}

// Login posts a user name and password and expects a flow.
func (c *Client) Login(t testing.TB, name, password string) Flow {
	t.Helper()
	var f Flow
	c.JSON(t, http.MethodPost, "/api/v1/login", map[string]string{"username": name, "password": password}).Decode(t, http.StatusOK, &f)
	return f
}

// Enrol logs in a user without a second factor, sets up TOTP with a code from
// oathtool and returns the secret; the client then holds a session. The clock
// is moved to the next TOTP step, so the enrolment code is not reused by the
// caller's next login.
func (c *Client) Enrol(t testing.TB, name, password string) string {
	t.Helper()
	if f := c.Login(t, name, password); f.State != "mfa_setup_required" {
		t.Fatalf("login of a user without TOTP: state %q, want mfa_setup_required", f.State)
	}
	var setup struct {
		Secret string `json:"secret"`
	}
	c.JSON(t, http.MethodPost, "/api/v1/login/totp/setup", nil).Decode(t, http.StatusOK, &setup)
	var f Flow
	c.JSON(t, http.MethodPost, "/api/v1/login/totp/activate", map[string]string{"code": TOTP(t, setup.Secret, c.App.Clock.Now())}).
		Decode(t, http.StatusOK, &f)
	if f.State != "authenticated" {
		t.Fatalf("activate: state %q, want authenticated", f.State)
	}
	c.App.Clock.Advance(30 * time.Second)
	return setup.Secret
}

// Verify posts a TOTP code for the client's flow.
func (c *Client) Verify(t testing.TB, code string) *Response {
	t.Helper()
	return c.JSON(t, http.MethodPost, "/api/v1/login/verify", map[string]string{"method": "totp", "code": code})
}

// TOTP returns the code of a base32 secret at the given time, computed by
// oathtool (Debian's oath-toolkit), an RFC 6238 implementation independent of
// Kanmon's. Without oathtool the test is skipped, or fails when CI is set.
func TOTP(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	path, err := exec.LookPath("oathtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("oathtool is not installed (apt-get install oathtool); CI must run the TOTP tests")
		}
		t.Skip("oathtool is not installed (apt-get install oathtool): TOTP tests skipped")
	}
	out, err := exec.Command(path, "--totp", "-b", secret, "-N", at.UTC().Format("2006-01-02 15:04:05")+" UTC").CombinedOutput()
	if err != nil {
		t.Fatalf("oathtool: %v: %s", err, out)
	}
	code := strings.TrimSpace(string(out))
	if len(code) != 6 {
		t.Fatalf("oathtool printed %q, want six digits", out)
	}
	return code
}

// WrongCode returns six digits that are not the code of secret in any step
// TOTP accepts at t (one either side), so a test's wrong code is never right
// by chance.
func WrongCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		valid[TOTP(t, secret, at.Add(d))] = true
	}
	for i := 0; ; i++ {
		if c := fmt.Sprintf("%06d", i*111111%1000000); !valid[c] {
			return c
		}
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers (the server's log).
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
