package api_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/apitest"
	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

const password = "correct horse battery staple"

func post(t *testing.T, c *apitest.Client, path string, v any) *apitest.Response {
	t.Helper()
	return c.JSON(t, http.MethodPost, path, v)
}

// toFullWidth turns ASCII digits into the full-width ones a Japanese IME types.
func toFullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

// TestLoginTOTP enrols an authenticator and logs in with codes computed by
// oathtool, on each database: the enrolment, a login, and a replay refused.
func TestLoginTOTP(t *testing.T) {
	apitest.EachDB(t, apitest.Options{}, func(t *testing.T, a *apitest.App) {
		a.CreateUser(t, "sato-kensetsu", password)
		secret := a.Client("192.0.2.1").Enrol(t, "sato-kensetsu", password)

		c := a.Client("192.0.2.2")
		f := c.Login(t, "Sato-Kensetsu", password)
		if f.State != "mfa_required" || !slices.Contains(f.Methods, "totp") || f.AttemptsLeft != 5 {
			t.Fatalf("login of an enrolled user = %+v; want mfa_required offering totp with 5 attempts", f)
		}
		code := apitest.TOTP(t, secret, a.Clock.Now())
		res := c.Verify(t, code)
		var done apitest.Flow
		res.Decode(t, http.StatusOK, &done)
		if done.State != "authenticated" {
			t.Fatalf("verify: state %q, want authenticated", done.State)
		}
		if ck := res.Cookie(a.SessionCookie); ck == nil || ck.Value == "" {
			t.Fatalf("verify set no session cookie: %v", res.Cookies)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("login answer Cache-Control %q, want no-store", cc)
		}
		if ck := res.Cookie(a.FlowCookie); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("verify did not clear the flow cookie: %v", ck)
		}
		var sess struct {
			User struct {
				Username string `json:"username"`
			} `json:"user"`
			Factors []string `json:"factors"`
		}
		c.Get(t, "/api/v1/session").Decode(t, http.StatusOK, &sess)
		if sess.User.Username != "sato-kensetsu" || !slices.Equal(sess.Factors, []string{"password", "totp"}) {
			t.Errorf("session = %+v; want sato-kensetsu with password+totp", sess)
		}

		// The same code again, in a new login within the same step: refused.
		replay := a.Client("192.0.2.3")
		replay.Login(t, "sato-kensetsu", password)
		replay.Verify(t, code).Problem(t, http.StatusUnauthorized, auth.CodeCodeReused)
		// The next step's code works.
		a.Clock.Advance(30 * time.Second)
		replay.Verify(t, apitest.TOTP(t, secret, a.Clock.Now())).Decode(t, http.StatusOK, &done)

		for _, typ := range []string{auth.EventMFAEnrolled, auth.EventLoginSucceeded, auth.EventPasswordAccepted} {
			if a.AuditCount(t, typ) == 0 {
				t.Errorf("no %s in the audit trail %v", typ, a.Audit(t))
			}
		}
		if n := a.AuditCount(t, auth.EventLoginSucceeded); n != 3 {
			t.Errorf("%d login.succeeded events, want 3 (enrolment, login, login after replay)", n)
		}
	})
}

// TestReplayConcurrent sends one code in two requests at once, on each database:
// exactly one logs in. Once from two logins (the device's compare-and-set
// decides), once from one login (the flow is consumed once).
func TestReplayConcurrent(t *testing.T) {
	apitest.EachDB(t, apitest.Options{}, func(t *testing.T, a *apitest.App) {
		a.CreateUser(t, "sato", password)
		secret := a.Client("192.0.2.1").Enrol(t, "sato", password)
		for _, shared := range []bool{false, true} {
			name := map[bool]string{false: "two logins", true: "one login"}[shared]
			clients := []*apitest.Client{a.Client("192.0.2.2"), a.Client("192.0.2.3")}
			if shared {
				clients[1] = clients[0]
			}
			clients[0].Login(t, "sato", password)
			if !shared {
				clients[1].Login(t, "sato", password)
			}
			code := apitest.TOTP(t, secret, a.Clock.Now())
			res := make([]*apitest.Response, len(clients))
			var wg sync.WaitGroup
			for i, c := range clients {
				wg.Go(func() { res[i] = c.Verify(t, code) })
			}
			wg.Wait()
			ok := 0
			for _, r := range res {
				switch {
				case r.Status == http.StatusOK:
					ok++
				case r.Status == http.StatusUnauthorized && (strings.Contains(string(r.Body), `"code":"code_reused"`) ||
					shared && strings.Contains(string(r.Body), `"code":"flow_not_found"`)):
				default:
					t.Errorf("%s: unexpected answer %d %s", name, r.Status, r.Body)
				}
			}
			if ok != 1 {
				t.Fatalf("%s: %d of two requests with one code logged in, want exactly 1", name, ok)
			}
			a.Clock.Advance(30 * time.Second)
		}
	})
}

// TestCodeInput checks what a typed code may look like: full-width digits and
// separators are accepted; letters are invalid input and cost no attempt.
func TestCodeInput(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	secret := a.Client("192.0.2.1").Enrol(t, "sato", password)
	accepted := []struct {
		name   string
		format func(string) string
	}{
		{"full-width", toFullWidth},
		{"spaces", func(c string) string { return " " + c[:3] + " " + c[3:] + "\n" }},
		{"hyphen", func(c string) string { return c[:3] + "-" + c[3:] }},
		{"full-width with ideographic space and long vowel mark", func(c string) string { return toFullWidth(c[:3]) + "\u3000ー" + toFullWidth(c[3:]) }},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			c := a.Client("192.0.2.2")
			c.Login(t, "sato", password)
			typed := tc.format(apitest.TOTP(t, secret, a.Clock.Now()))
			var f apitest.Flow
			c.Verify(t, typed).Decode(t, http.StatusOK, &f)
			if f.State != "authenticated" {
				t.Fatalf("code %q: state %q", typed, f.State)
			}
			a.Clock.Advance(30 * time.Second)
		})
	}

	failuresBefore := a.AuditCount(t, auth.EventLoginFailed)
	c := a.Client("192.0.2.3")
	c.Login(t, "sato", password)
	for _, typed := range []string{"12a456", "１２３４５Ａ", "12345", "1234567", "", "١٢٣٤٥٦", "123_456", "12\xff456"} {
		c.Verify(t, typed).Problem(t, http.StatusBadRequest, auth.CodeInvalidInput)
	}
	var f apitest.Flow
	c.Get(t, "/api/v1/login/flow").Decode(t, http.StatusOK, &f)
	if f.AttemptsLeft != 5 {
		t.Errorf("attempts left after malformed codes = %d, want 5 (malformed is not wrong)", f.AttemptsLeft)
	}
	if n := a.AuditCount(t, auth.EventLoginFailed); n != failuresBefore {
		t.Errorf("malformed codes wrote %d login.failed events, want none", n-failuresBefore)
	}
	c.Verify(t, apitest.TOTP(t, secret, a.Clock.Now())).Decode(t, http.StatusOK, &f)
}

// TestWrongCodesEndFlow: five wrong codes end the login.
func TestWrongCodesEndFlow(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	secret := a.Client("192.0.2.1").Enrol(t, "sato", password)
	c := a.Client("192.0.2.2")
	c.Login(t, "sato", password)
	wrong := apitest.WrongCode(t, secret, a.Clock.Now())
	for left := 4; left >= 1; left-- {
		p := c.Verify(t, wrong).Problem(t, http.StatusUnauthorized, auth.CodeCodeInvalid)
		if p.AttemptsLeft == nil || *p.AttemptsLeft != left {
			t.Fatalf("attempts_left = %v, want %d", p.AttemptsLeft, left)
		}
	}
	c.Verify(t, wrong).Problem(t, http.StatusUnauthorized, auth.CodeFlowExhausted)
	// Even the right code cannot revive it.
	c.Verify(t, apitest.TOTP(t, secret, a.Clock.Now())).Problem(t, http.StatusUnauthorized, auth.CodeFlowNotFound)
	c.Get(t, "/api/v1/login/flow").Problem(t, http.StatusUnauthorized, auth.CodeFlowNotFound)
	if n := a.AuditCount(t, auth.EventLoginFailed); n != 5 {
		t.Errorf("%d login.failed events, want 5", n)
	}
}

// TestLockout: ten failures lock the user until the window has passed, even
// for the right password; the lock is audited once.
func TestLockout(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	a.Client("192.0.2.1").Enrol(t, "sato", password)
	c := a.Client("192.0.2.2")
	for i := 1; i < 10; i++ {
		post(t, c, "/api/v1/login", map[string]string{"username": "sato", "password": "wrong password " + strconv.Itoa(i)}).
			Problem(t, http.StatusUnauthorized, auth.CodeBadCredentials)
		a.Clock.Advance(time.Second)
	}
	res := post(t, c, "/api/v1/login", map[string]string{"username": "sato", "password": "wrong password 10"})
	p := res.Problem(t, http.StatusTooManyRequests, auth.CodeRateLimited)
	if res.Header.Get("Retry-After") != "900" || p.RetryAfter != 900 {
		t.Errorf("tenth failure: Retry-After %q, retry_after %d; want 900 (the failure window)", res.Header.Get("Retry-After"), p.RetryAfter)
	}
	// Locked for everyone, from any address, with the right password too.
	res = post(t, a.Client("198.51.100.7"), "/api/v1/login", map[string]string{"username": "sato", "password": password})
	res.Problem(t, http.StatusTooManyRequests, auth.CodeRateLimited)
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra <= 0 || ra > 900 {
		t.Errorf("Retry-After while locked = %q, want 1..900", res.Header.Get("Retry-After"))
	}
	if n := a.AuditCount(t, auth.EventUserLocked); n != 1 {
		t.Errorf("%d login.locked events, want 1", n)
	}
	if n := a.AuditCount(t, auth.EventLoginFailed); n != 10 {
		t.Errorf("%d login.failed events, want 10 (refused attempts are not counted)", n)
	}
	// The lock ends when the first failure leaves the window, not a second before.
	a.Clock.Advance(a.Config.FailureWindow - 10*time.Second)
	post(t, c, "/api/v1/login", map[string]string{"username": "sato", "password": password}).Problem(t, http.StatusTooManyRequests, auth.CodeRateLimited)
	a.Clock.Advance(time.Second)
	if f := c.Login(t, "sato", password); f.State != "mfa_required" {
		t.Fatalf("login after the window: state %q", f.State)
	}
}

// TestClientLockout: failures from one address over many user names lock that
// address, not the users.
func TestClientLockout(t *testing.T) {
	cfg := auth.DefaultConfig()
	cfg.ClientFailureLimit = 3
	a := apitest.New(t, storeFor(t), apitest.Options{Auth: cfg})
	a.CreateUser(t, "sato", password)
	c := a.Client("203.0.113.9")
	// Without trusted proxies, X-Forwarded-For is the client's word: it must not
	// give each attempt a new address to be counted under.
	c.Header.Set("X-Forwarded-For", "198.51.100.1")
	for i, name := range []string{"a1", "a2"} {
		c.Header.Set("X-Forwarded-For", "198.51.100."+strconv.Itoa(i+2))
		post(t, c, "/api/v1/login", map[string]string{"username": name, "password": "x"}).Problem(t, http.StatusUnauthorized, auth.CodeBadCredentials)
	}
	// The failure that reaches the limit is answered with the lock, as for users.
	post(t, c, "/api/v1/login", map[string]string{"username": "a3", "password": "x"}).Problem(t, http.StatusTooManyRequests, auth.CodeRateLimited)
	post(t, c, "/api/v1/login", map[string]string{"username": "a4", "password": "x"}).Problem(t, http.StatusTooManyRequests, auth.CodeRateLimited)
	post(t, c, "/api/v1/login", map[string]string{"username": "sato", "password": password}).Problem(t, http.StatusTooManyRequests, auth.CodeRateLimited)
	if f := a.Client("203.0.113.10").Login(t, "sato", password); f.State != "mfa_setup_required" {
		t.Fatalf("login from another address: state %q", f.State)
	}
}

// TestIndistinguishable: an unknown user, a wrong password and a disabled user
// get the same status and the same bytes.
func TestIndistinguishable(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	a.CreateUser(t, "abe", password)
	if err := a.Service.SetDisabled(t.Context(), "abe", true, auth.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, user, password string }{
		{"unknown user", "nobody", password},
		{"wrong password", "sato", "not the password"},
		{"disabled user", "abe", password},
	}
	var first *apitest.Response
	for _, tc := range cases {
		res := post(t, a.Client("192.0.2.1"), "/api/v1/login", map[string]string{"username": tc.user, "password": tc.password})
		res.Problem(t, http.StatusUnauthorized, auth.CodeBadCredentials)
		if res.Cookie(a.FlowCookie) != nil {
			t.Errorf("%s: a flow cookie was set", tc.name)
		}
		if first == nil {
			first = res
			continue
		}
		if string(res.Body) != string(first.Body) {
			t.Errorf("%s answers %s, but %s answers %s", tc.name, res.Body, cases[0].name, first.Body)
		}
	}
	var failed []string
	for _, e := range a.Audit(t) {
		if e.Type == auth.EventLoginFailed {
			failed = append(failed, e.Username)
		}
	}
	if strings.Join(failed, ",") != "nobody,sato,abe" {
		t.Errorf("login.failed events name %v, want nobody, sato, abe", failed)
	}
	// Full-width and upper-case letters name the same user.
	if f := a.Client("192.0.2.1").Login(t, "ＳＡＴＯ", password); f.State != "mfa_setup_required" {
		t.Errorf("full-width user name: state %q", f.State)
	}
}

// TestCookies checks the attributes of the flow and session cookies behind
// HTTPS and in dev mode on http://localhost.
func TestCookies(t *testing.T) {
	cases := []struct {
		name    string
		opts    apitest.Options
		prefix  string
		secure  bool
		session string
	}{
		{"https", apitest.Options{BaseURL: "https://login.example.jp"}, "__Host-", true, "__Host-kanmon_session"},
		{"dev on localhost", apitest.Options{BaseURL: "http://localhost:8080", Dev: true}, "", false, "kanmon_session"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := apitest.New(t, storeFor(t), tc.opts)
			a.CreateUser(t, "sato", password)
			c := a.Client("192.0.2.1")
			check := func(t *testing.T, ck *http.Cookie, name string, cleared bool) {
				t.Helper()
				if ck == nil {
					t.Fatalf("no Set-Cookie %s", name)
				}
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" || ck.Secure != tc.secure {
					t.Errorf("cookie %s: HttpOnly %v SameSite %v Path %q Domain %q Secure %v; want HttpOnly, Lax, /, no domain, Secure %v",
						name, ck.HttpOnly, ck.SameSite, ck.Path, ck.Domain, ck.Secure, tc.secure)
				}
				if cleared != (ck.MaxAge < 0) {
					t.Errorf("cookie %s: Max-Age %d, cleared %v", name, ck.MaxAge, cleared)
				}
			}
			res := post(t, c, "/api/v1/login", map[string]string{"username": "sato", "password": password})
			check(t, res.Cookie(tc.prefix+"kanmon_flow"), tc.prefix+"kanmon_flow", false)
			if got := res.Cookie(tc.prefix + "kanmon_flow"); got != nil && (got.MaxAge != 600) {
				t.Errorf("flow cookie Max-Age %d, want the flow's 600 s", got.MaxAge)
			}
			var setup struct{ Secret string }
			post(t, c, "/api/v1/login/totp/setup", nil).Decode(t, http.StatusOK, &setup)
			res = post(t, c, "/api/v1/login/totp/activate", map[string]string{"code": apitest.TOTP(t, setup.Secret, a.Clock.Now())})
			check(t, res.Cookie(tc.session), tc.session, false)
			check(t, res.Cookie(tc.prefix+"kanmon_flow"), tc.prefix+"kanmon_flow", true)
			c.Get(t, "/api/v1/session").Decode(t, http.StatusOK, &struct{}{})

			res = post(t, c, "/api/v1/logout", nil)
			if res.Status != http.StatusNoContent {
				t.Fatalf("logout: %d %s", res.Status, res.Body)
			}
			check(t, res.Cookie(tc.session), tc.session, true)
		})
	}
}

// TestLogout ends the session on the server, clears the cookie and audits it.
func TestLogout(t *testing.T) {
	apitest.EachDB(t, apitest.Options{}, func(t *testing.T, a *apitest.App) {
		a.CreateUser(t, "sato", password)
		c := a.Client("192.0.2.1")
		c.Enrol(t, "sato", password)
		var sessionCookie *http.Cookie
		for _, ck := range c.HTTP.Jar.Cookies(a.BaseURL) {
			if ck.Name == a.SessionCookie {
				sessionCookie = ck
			}
		}
		if sessionCookie == nil {
			t.Fatal("no session cookie in the jar after enrolment")
		}
		res := post(t, c, "/api/v1/logout", nil)
		if res.Status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", res.Status, res.Body)
		}
		if ck := res.Cookie(a.SessionCookie); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("logout did not clear the session cookie: %v", ck)
		}
		c.Get(t, "/api/v1/session").Problem(t, http.StatusUnauthorized, auth.CodeUnauthenticated)
		// The old token, replayed by someone who kept it, is dead on the server.
		stale := a.Client("192.0.2.9")
		stale.HTTP.Jar.SetCookies(a.BaseURL, []*http.Cookie{sessionCookie})
		stale.Get(t, "/api/v1/session").Problem(t, http.StatusUnauthorized, auth.CodeUnauthenticated)
		if res := post(t, c, "/api/v1/logout", nil); res.Status != http.StatusNoContent {
			t.Errorf("second logout: %d %s", res.Status, res.Body)
		}
		var logouts []apitest.AuditEvent
		for _, e := range a.Audit(t) {
			if e.Type == auth.EventLogout {
				logouts = append(logouts, e)
			}
		}
		if len(logouts) != 1 || logouts[0].Username != "sato" || logouts[0].ClientIP != "192.0.2.1" {
			t.Errorf("logout audit = %+v; want one, for sato from 192.0.2.1", logouts)
		}
	})
}

// TestFlowExpiry: a login not finished within ten minutes is over.
func TestFlowExpiry(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	secret := a.Client("192.0.2.1").Enrol(t, "sato", password)
	c := a.Client("192.0.2.2")
	f := c.Login(t, "sato", password)
	if want := a.Clock.Now().Add(10 * time.Minute); !f.ExpiresAt.Equal(want) {
		t.Errorf("flow expires at %v, want %v", f.ExpiresAt, want)
	}
	a.Clock.Advance(10*time.Minute - time.Second)
	c.Get(t, "/api/v1/login/flow").Decode(t, http.StatusOK, &f)
	a.Clock.Advance(time.Second)
	c.Get(t, "/api/v1/login/flow").Problem(t, http.StatusUnauthorized, auth.CodeFlowExpired)
	c.Verify(t, apitest.TOTP(t, secret, a.Clock.Now())).Problem(t, http.StatusUnauthorized, auth.CodeFlowExpired)
	c.Get(t, "/api/v1/session").Problem(t, http.StatusUnauthorized, auth.CodeUnauthenticated)
}

// TestFlowResume: a reloaded page learns where its login stands.
func TestFlowResume(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	c := a.Client("192.0.2.1")
	c.Get(t, "/api/v1/login/flow").Problem(t, http.StatusUnauthorized, auth.CodeFlowNotFound)
	first := c.Login(t, "sato", password)
	a.Clock.Advance(time.Minute)
	var f apitest.Flow
	c.Get(t, "/api/v1/login/flow").Decode(t, http.StatusOK, &f)
	if f.State != "mfa_setup_required" || !f.ExpiresAt.Equal(first.ExpiresAt) || f.AttemptsLeft != 5 {
		t.Fatalf("resumed flow %+v, want %+v", f, first)
	}
	// A reload of the enrolment screen shows the same secret.
	var s1, s2 struct{ Secret, OTPAuthURI string }
	post(t, c, "/api/v1/login/totp/setup", nil).Decode(t, http.StatusOK, &s1)
	post(t, c, "/api/v1/login/totp/setup", nil).Decode(t, http.StatusOK, &s2)
	if s1.Secret == "" || s1 != s2 {
		t.Fatalf("two setups gave %+v and %+v; want one secret", s1, s2)
	}
	// The wrong step for the state is a conflict.
	c.Verify(t, "123456").Problem(t, http.StatusConflict, auth.CodeStepNotAllowed)
	post(t, c, "/api/v1/login/totp/activate", map[string]string{"code": apitest.TOTP(t, s1.Secret, a.Clock.Now())}).Decode(t, http.StatusOK, &f)
	a.Clock.Advance(30 * time.Second)

	c2 := a.Client("192.0.2.2")
	c2.Login(t, "sato", password)
	post(t, c2, "/api/v1/login/totp/setup", nil).Problem(t, http.StatusConflict, auth.CodeStepNotAllowed)
	post(t, c2, "/api/v1/login/totp/activate", map[string]string{"code": "123456"}).Problem(t, http.StatusConflict, auth.CodeStepNotAllowed)
}

// TestSessionTimeouts: a session ends after 30 idle minutes, and after 12 hours
// however active it is.
func TestSessionTimeouts(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	idle := a.Client("192.0.2.1")
	idle.Enrol(t, "sato", password) // the session began 30 s ago
	var s struct {
		ExpiresAt     time.Time `json:"expires_at"`
		IdleExpiresAt time.Time `json:"idle_expires_at"`
	}
	a.Clock.Advance(29 * time.Minute)
	idle.Get(t, "/api/v1/session").Decode(t, http.StatusOK, &s)
	if want := a.Clock.Now().Add(30 * time.Minute); !s.IdleExpiresAt.Equal(want) {
		t.Errorf("idle_expires_at after activity = %v, want %v", s.IdleExpiresAt, want)
	}
	a.Clock.Advance(29 * time.Minute)
	idle.Get(t, "/api/v1/session").Decode(t, http.StatusOK, &s)
	a.Clock.Advance(30 * time.Minute)
	idle.Get(t, "/api/v1/session").Problem(t, http.StatusUnauthorized, auth.CodeUnauthenticated)

	a.CreateUser(t, "abe", password)
	busy := a.Client("192.0.2.2")
	created := a.Clock.Now()
	busy.Enrol(t, "abe", password)
	end := created.Add(a.Config.SessionLifetime)
	for a.Clock.Now().Before(end) {
		busy.Get(t, "/api/v1/session").Decode(t, http.StatusOK, &s)
		if !s.ExpiresAt.Equal(end) || s.IdleExpiresAt.After(end) {
			t.Fatalf("at %v: expires_at %v, idle_expires_at %v; want %v and no later", a.Clock.Now().Sub(created), s.ExpiresAt, s.IdleExpiresAt, end)
		}
		a.Clock.Advance(20 * time.Minute)
	}
	busy.Get(t, "/api/v1/session").Problem(t, http.StatusUnauthorized, auth.CodeUnauthenticated)
}

func storeFor(t *testing.T) *store.Store { return storetest.Open(t, storetest.SQLite) }

// TestEnrolmentCodeIsUsed: the code that confirmed the authenticator cannot log
// in again, and a locked user cannot finish a login already past the password.
func TestEnrolmentCodeIsUsed(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	c := a.Client("192.0.2.1")
	c.Login(t, "sato", password)
	var setup struct{ Secret string }
	post(t, c, "/api/v1/login/totp/setup", nil).Decode(t, http.StatusOK, &setup)
	code := apitest.TOTP(t, setup.Secret, a.Clock.Now())
	var f apitest.Flow
	post(t, c, "/api/v1/login/totp/activate", map[string]string{"code": code}).Decode(t, http.StatusOK, &f)

	again := a.Client("192.0.2.2")
	again.Login(t, "sato", password)
	again.Verify(t, code).Problem(t, http.StatusUnauthorized, auth.CodeCodeReused)

	// Lock the user from elsewhere while this login waits for its code.
	a.Clock.Advance(30 * time.Second)
	attacker := a.Client("198.51.100.66")
	for range a.Config.UserFailureLimit {
		attacker.JSON(t, http.MethodPost, "/api/v1/login", map[string]string{"username": "sato", "password": "guess"})
	}
	again.Verify(t, apitest.TOTP(t, setup.Secret, a.Clock.Now())).Problem(t, http.StatusTooManyRequests, auth.CodeRateLimited)
}

// TestSetupConcurrent: two enrolment screens opened at once show one secret, on
// each database.
func TestSetupConcurrent(t *testing.T) {
	apitest.EachDB(t, apitest.Options{}, func(t *testing.T, a *apitest.App) {
		a.CreateUser(t, "sato", password)
		c := a.Client("192.0.2.1")
		c.Login(t, "sato", password)
		res := make([]*apitest.Response, 4)
		var wg sync.WaitGroup
		for i := range res {
			wg.Go(func() { res[i] = post(t, c, "/api/v1/login/totp/setup", nil) })
		}
		wg.Wait()
		secrets := make([]string, len(res))
		for i, r := range res {
			var s struct{ Secret string }
			r.Decode(t, http.StatusOK, &s) // here, not in the goroutines: Fatal must run on the test's own
			secrets[i] = s.Secret
		}
		for _, s := range secrets[1:] {
			if s == "" || s != secrets[0] {
				t.Fatalf("concurrent setups gave secrets %v; want one", secrets)
			}
		}
		var f apitest.Flow
		post(t, c, "/api/v1/login/totp/activate", map[string]string{"code": apitest.TOTP(t, secrets[0], a.Clock.Now())}).Decode(t, http.StatusOK, &f)
	})
}

// TestNoSessionFixation: a session cookie planted before the login is replaced
// by a new token, and the planted one stays worthless.
func TestNoSessionFixation(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	c := a.Client("192.0.2.1")
	planted := &http.Cookie{Name: a.SessionCookie, Value: "planted-by-an-attacker", Path: "/"}
	c.HTTP.Jar.SetCookies(a.BaseURL, []*http.Cookie{planted})
	c.Enrol(t, "sato", password)
	var got string
	for _, ck := range c.HTTP.Jar.Cookies(a.BaseURL) {
		if ck.Name == a.SessionCookie {
			got = ck.Value
		}
	}
	if got == "" || got == planted.Value {
		t.Fatalf("session cookie after login = %q; want a new token", got)
	}
	c.Get(t, "/api/v1/session").Decode(t, http.StatusOK, &struct{}{})
	attacker := a.Client("198.51.100.66")
	attacker.HTTP.Jar.SetCookies(a.BaseURL, []*http.Cookie{planted})
	attacker.Get(t, "/api/v1/session").Problem(t, http.StatusUnauthorized, auth.CodeUnauthenticated)
}
