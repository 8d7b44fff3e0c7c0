package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/apitest"
	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/mail"
	"github.com/kanmon/kanmon/api/mail/mailtest"
)

const systemName = "横浜市電子請求システム"

// mfaFlow is the login answer with the fields of the second factors.
type mfaFlow struct {
	State              string     `json:"state"`
	Methods            []string   `json:"methods"`
	EmailHint          string     `json:"email_hint"`
	ResendAfter        *time.Time `json:"resend_after"`
	OfferWebAuthnSetup bool       `json:"offer_webauthn_setup"`
}

// addMailUser creates a user with an e-mail address and an authenticator
// app, and returns the app's secret and the browser that enrolled it (which
// holds a session).
func addMailUser(t *testing.T, a *apitest.App, name, email string) (string, *apitest.Client) {
	t.Helper()
	_, err := a.Service.CreateUser(context.Background(), auth.NewUser{Username: name, Email: email, Password: password}, auth.Actor{Name: "test"})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	c := a.Client("198.51.100.1")
	return c.Enrol(t, name, password), c
}

// mailWorker is the real outbox worker of a's store, sending over SMTP to srv.
func mailWorker(t *testing.T, a *apitest.App, srv *mailtest.Server) *mail.Worker {
	t.Helper()
	return &mail.Worker{Outbox: a.Store.Outbox(false), Sender: mailtest.Sender(t, srv.Addr, systemName),
		Renderer: &mail.Renderer{SystemName: systemName}, Now: a.Clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

var mailedCode = regexp.MustCompile(`\b(\d{3}) (\d{3})\b`)

// TestEmailCodeOverSMTP follows a login code from the flow through the outbox
// and a real SMTP exchange into the mailbox, in both languages and on both
// databases, and logs in with the code the mail carries.
func TestEmailCodeOverSMTP(t *testing.T) {
	tests := []struct{ lang, subject string }{
		{"ja", "【横浜市電子請求システム】ログイン用の確認コード"},
		{"en", "[横浜市電子請求システム] Your sign-in code"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			apitest.EachDB(t, apitest.Options{}, func(t *testing.T, a *apitest.App) {
				srv := mailtest.Start(t, "127.0.0.1:0")
				addMailUser(t, a, "sato", "taro@example.jp")
				c := a.Client("192.0.2.1")
				var f mfaFlow
				post(t, c, "/api/v1/login", map[string]string{"username": "sato", "password": password}).Decode(t, http.StatusOK, &f)
				if !slices.Equal(f.Methods, []string{"totp", "email"}) || f.EmailHint != "t***@example.jp" {
					t.Fatalf("login: %+v; want totp and email with hint t***@example.jp", f)
				}
				post(t, c, "/api/v1/login/email/send", map[string]string{"lang": tc.lang}).Decode(t, http.StatusOK, &f)
				if f.State != "email_sent" || f.EmailHint != "t***@example.jp" || f.ResendAfter == nil || !f.ResendAfter.Equal(a.Clock.Now().Add(time.Minute)) {
					t.Fatalf("send: %+v; want email_sent, the hint and resend after a minute", f)
				}

				if n, err := mailWorker(t, a, srv).DrainOnce(context.Background()); err != nil || n != 1 {
					t.Fatalf("DrainOnce: %d, %v; want 1 sent", n, err)
				}
				got := srv.Received()
				if len(got) != 1 || !slices.Equal(got[0].To, []string{"taro@example.jp"}) || got[0].From != "noreply@city.example.jp" {
					t.Fatalf("server received %+v; want one mail from noreply@city.example.jp to taro@example.jp", got)
				}
				m := mailtest.Parse(t, got[0].Data)
				if m.From.Address != "noreply@city.example.jp" || m.From.Name != systemName || m.To.Address != "taro@example.jp" {
					t.Errorf("From %v, To %v", m.From, m.To)
				}
				if m.Subject != tc.subject {
					t.Errorf("Subject %q, want %q", m.Subject, tc.subject)
				}
				if v := m.Header.Get("Auto-Submitted"); v != "auto-generated" {
					t.Errorf("Auto-Submitted %q, want auto-generated", v)
				}
				code := mailedCode.FindStringSubmatch(m.Text)
				if code == nil || !slices.Contains(mailedCode.FindAllString(m.HTML, -1), code[0]) {
					t.Fatalf("no code in the mail:\n%s\n%s", m.Text, m.HTML)
				}

				res := post(t, c, "/api/v1/login/verify", map[string]string{"method": "email", "code": code[1] + code[2]})
				res.Decode(t, http.StatusOK, &f)
				if f.State != "authenticated" || res.Cookie(a.SessionCookie) == nil {
					t.Fatalf("verify the mailed code: %+v; want authenticated with a session cookie", f)
				}
				var sess struct {
					Factors []string `json:"factors"`
				}
				c.Get(t, "/api/v1/session").Decode(t, http.StatusOK, &sess)
				if !slices.Equal(sess.Factors, []string{"password", "email"}) {
					t.Errorf("session factors %v, want password+email", sess.Factors)
				}
				post(t, c, "/api/v1/login/verify", map[string]string{"method": "email", "code": code[1] + code[2]}).
					Problem(t, http.StatusUnauthorized, auth.CodeFlowNotFound)
			})
		})
	}
}

// TestEmailResendHTTP: a second code within a minute is 429 resend_too_soon
// with retry_after; after the minute it is sent; a code expires after ten
// minutes.
func TestEmailResendHTTP(t *testing.T) {
	cfg := auth.DefaultConfig()
	cfg.FlowTTL = time.Hour
	a := apitest.New(t, storeFor(t), apitest.Options{Auth: cfg})
	addMailUser(t, a, "sato", "taro@example.jp")
	c := a.Client("192.0.2.1")
	c.Login(t, "sato", password)
	post(t, c, "/api/v1/login/email/send", nil).Decode(t, http.StatusOK, &mfaFlow{})
	a.Clock.Advance(15 * time.Second)
	p := post(t, c, "/api/v1/login/email/send", nil).Problem(t, http.StatusTooManyRequests, auth.CodeResendTooSoon)
	if p.RetryAfter != 45 {
		t.Errorf("retry_after %d, want 45", p.RetryAfter)
	}
	a.Clock.Advance(45 * time.Second)
	post(t, c, "/api/v1/login/email/send", map[string]string{"lang": "en"}).Decode(t, http.StatusOK, &mfaFlow{})
	a.Clock.Advance(10 * time.Minute)
	post(t, c, "/api/v1/login/verify", map[string]string{"method": "email", "code": "123456"}).
		Problem(t, http.StatusUnauthorized, auth.CodeCodeExpired)
}

// TestTrustedBrowserHTTP: "trust this browser" sets an HttpOnly, Lax cookie
// for 8 hours (__Host- and Secure behind HTTPS); the next login from the
// browser skips the second factor and is audited; forgetting the browser
// clears the cookie and the trust.
func TestTrustedBrowserHTTP(t *testing.T) {
	tests := []struct {
		name, cookie string
		opts         apitest.Options
		secure       bool
	}{
		{"https", "__Host-kanmon_trust", apitest.Options{BaseURL: "https://login.example.jp"}, true},
		{"dev", "kanmon_trust", apitest.Options{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := apitest.New(t, storeFor(t), tc.opts)
			secret, _ := addMailUser(t, a, "sato", "taro@example.jp")
			c := a.Client("192.0.2.1")
			c.Login(t, "sato", password)
			res := post(t, c, "/api/v1/login/verify", map[string]any{"method": "totp", "code": apitest.TOTP(t, secret, a.Clock.Now()), "trust_browser": true})
			ck := res.Cookie(tc.cookie)
			if ck == nil || ck.Value == "" {
				t.Fatalf("no %s cookie in %v", tc.cookie, res.Cookies)
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" || ck.Secure != tc.secure {
				t.Errorf("trust cookie: HttpOnly %v SameSite %v Path %q Domain %q Secure %v; want HttpOnly, Lax, /, no domain, Secure %v",
					ck.HttpOnly, ck.SameSite, ck.Path, ck.Domain, ck.Secure, tc.secure)
			}
			if want := a.Clock.Now().Add(8 * time.Hour); !ck.Expires.Equal(want) {
				t.Errorf("trust cookie expires %v, want %v", ck.Expires, want)
			}
			a.Clock.Advance(30 * time.Second)

			var f mfaFlow
			res = post(t, c, "/api/v1/login", map[string]string{"username": "sato", "password": password})
			res.Decode(t, http.StatusOK, &f)
			if f.State != "authenticated" || res.Cookie(a.SessionCookie) == nil {
				t.Fatalf("login from the trusted browser: %+v; want authenticated with a session", f)
			}
			if n := a.AuditCount(t, auth.EventBrowserUsed); n != 1 {
				t.Errorf("%d trusted_browser.used events, want 1", n)
			}

			res = c.JSON(t, http.MethodDelete, "/api/v1/trusted-browser", nil)
			if res.Status != http.StatusNoContent {
				t.Fatalf("forget: %d %s", res.Status, res.Body)
			}
			if ck := res.Cookie(tc.cookie); ck == nil || ck.MaxAge >= 0 {
				t.Errorf("forget did not clear the cookie: %v", ck)
			}
			if n := a.AuditCount(t, auth.EventBrowserForgot); n != 1 {
				t.Errorf("%d trusted_browser.removed events, want 1", n)
			}
			if f := c.Login(t, "sato", password); f.State != "mfa_required" {
				t.Fatalf("login after forgetting: %q, want mfa_required", f.State)
			}
		})
	}
}

// TestWebAuthnOptIn: ticking "set up biometrics next time" at one login makes
// the next completed login invite the registration — when WebAuthn is on and
// the user has no key — until it is declined.
func TestWebAuthnOptIn(t *testing.T) {
	for _, enabled := range []bool{true, false} {
		t.Run(map[bool]string{true: "webauthn on", false: "webauthn off"}[enabled], func(t *testing.T) {
			a := apitest.NewSQLite(t)
			if enabled {
				enableWebAuthn(t, a)
			}
			secret, _ := addMailUser(t, a, "sato", "taro@example.jp")
			login := func(setup bool) (*apitest.Client, mfaFlow) {
				t.Helper()
				c := a.Client("192.0.2.1")
				c.Login(t, "sato", password)
				var f mfaFlow
				post(t, c, "/api/v1/login/verify", map[string]any{"method": "totp", "code": apitest.TOTP(t, secret, a.Clock.Now()), "setup_webauthn": setup}).
					Decode(t, http.StatusOK, &f)
				a.Clock.Advance(30 * time.Second)
				return c, f
			}
			if _, f := login(true); f.State != "authenticated" || f.OfferWebAuthnSetup {
				t.Fatalf("the login that opts in: %+v; want authenticated, no invitation yet", f)
			}
			c, f := login(false)
			if f.OfferWebAuthnSetup != enabled {
				t.Fatalf("next login: offer_webauthn_setup %v, want %v", f.OfferWebAuthnSetup, enabled)
			}
			if !enabled {
				return
			}
			if res := post(t, c, "/api/v1/webauthn/register/decline", nil); res.Status != http.StatusNoContent {
				t.Fatalf("decline: %d %s", res.Status, res.Body)
			}
			if _, f := login(false); f.OfferWebAuthnSetup {
				t.Fatal("invited again after declining")
			}
		})
	}
}
