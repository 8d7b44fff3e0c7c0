package auth_test

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/authtest"
	"github.com/kanmon/kanmon/api/mail"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

const mfaPassword = "correct horse battery staple"

// mfaEnv is the auth service over a real store and a test clock, for the tests
// of e-mail codes, trusted browsers and WebAuthn.
type mfaEnv struct {
	st  *store.Store
	svc *auth.Service
	clk *authtest.Clock
	cfg auth.Config
	// lastAnswer is an authenticator's answer a test keeps to replay.
	lastAnswer []byte
}

// newMFAEnv builds the service over st with cfg (zero: the default policy).
func newMFAEnv(t *testing.T, st *store.Store, cfg auth.Config) *mfaEnv {
	t.Helper()
	if cfg.FlowTTL == 0 {
		cfg = auth.DefaultConfig()
	}
	sealer, err := auth.NewSealer(auth.RandomKey())
	if err != nil {
		t.Fatal(err)
	}
	clk := authtest.NewClock(authtest.T0)
	return &mfaEnv{st: st, svc: auth.New(st, newHasher(t, tinyArgon2), sealer, cfg, clk.Now), clk: clk, cfg: cfg}
}

var web = auth.Client{IP: "192.0.2.10", UserAgent: "test"}

// addUser creates a user with the address email ("" for none).
func (e *mfaEnv) addUser(t *testing.T, name, email string) {
	t.Helper()
	if _, err := e.svc.CreateUser(context.Background(), auth.NewUser{Username: name, Email: email, Password: mfaPassword}, auth.Actor{Name: "test"}); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
}

// enrolTOTP gives the user an authenticator app through the real enrolment and
// returns its secret; the clock moves to the next TOTP step.
func (e *mfaEnv) enrolTOTP(t *testing.T, name string) []byte {
	t.Helper()
	ctx := context.Background()
	res := e.login(t, name, "")
	if res.Flow.State != auth.MFASetupRequired {
		t.Fatalf("first login of %s: state %q, want %q", name, res.Flow.State, auth.MFASetupRequired)
	}
	setup, err := e.svc.SetupTOTP(ctx, res.FlowToken)
	if err != nil {
		t.Fatalf("setup totp: %v", err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(setup.Secret)
	if err != nil {
		t.Fatalf("decode secret %q: %v", setup.Secret, err)
	}
	if _, err := e.svc.ActivateTOTP(ctx, res.FlowToken, codeAt(secret, e.clk.Now()), web); err != nil {
		t.Fatalf("activate totp: %v", err)
	}
	e.clk.Advance(30 * time.Second)
	return secret
}

// login checks the password with the trusted-browser token trust.
func (e *mfaEnv) login(t *testing.T, name, trust string) *auth.LoginResult {
	t.Helper()
	res, err := e.svc.Login(context.Background(), name, mfaPassword, trust, web)
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	return res
}

// mfaLogin begins a login that must ask for a second factor, and returns its
// flow token.
func (e *mfaEnv) mfaLogin(t *testing.T, name string) (string, *auth.FlowView) {
	t.Helper()
	res := e.login(t, name, "")
	if res.Flow.State != auth.MFARequired || res.FlowToken == "" {
		t.Fatalf("login %s: state %q, token %q; want %q with a flow", name, res.Flow.State, res.FlowToken, auth.MFARequired)
	}
	return res.FlowToken, res.Flow
}

// send asks for an e-mail code and returns it, read from the outbox row.
func (e *mfaEnv) send(t *testing.T, token, lang string) string {
	t.Helper()
	v, err := e.svc.SendEmailCode(context.Background(), token, lang, web)
	if err != nil {
		t.Fatalf("send email code: %v", err)
	}
	if v.State != auth.EmailSent {
		t.Fatalf("after send: state %q, want %q", v.State, auth.EmailSent)
	}
	return e.lastMail(t).Data["code"]
}

// lastMail is the newest outbox message.
func (e *mfaEnv) lastMail(t *testing.T) mail.Message {
	t.Helper()
	recent, err := e.st.Outbox(true).RecentMail(context.Background(), 1)
	if err != nil || len(recent) != 1 {
		t.Fatalf("outbox: %v, %v; want a message", recent, err)
	}
	return recent[0].Message
}

// audit lists the audit event types, oldest first.
func (e *mfaEnv) audit(t *testing.T) []string {
	t.Helper()
	var types []string
	if err := e.st.DB().NewSelect().Table("audit_events").Column("type").Order("id").Scan(context.Background(), &types); err != nil {
		t.Fatalf("read audit events: %v", err)
	}
	return types
}

func count(types []string, typ string) int {
	n := 0
	for _, s := range types {
		if s == typ {
			n++
		}
	}
	return n
}

// otherCode is a six-digit code that is not code.
func otherCode(code string) string {
	var n int
	fmt.Sscanf(code, "%d", &n)
	return fmt.Sprintf("%06d", (n+1)%1_000_000)
}

func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

// TestEmailCodeLogin: the method is offered with a masked address, the mail
// is queued in the user's language with a fresh code, and the code — typed in
// full-width digits — completes the login once.
func TestEmailCodeLogin(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newMFAEnv(t, st, auth.Config{})
		e.addUser(t, "sato", "taro@example.jp")
		e.enrolTOTP(t, "sato")

		token, f := e.mfaLogin(t, "sato")
		if !slices.Equal(f.Methods, []auth.Method{auth.MethodTOTP, auth.MethodEmail}) || f.EmailHint != "t***@example.jp" {
			t.Fatalf("flow offers %v with hint %q; want [totp email] and t***@example.jp", f.Methods, f.EmailHint)
		}
		v, err := e.svc.SendEmailCode(ctx, token, "en", web)
		if err != nil {
			t.Fatal(err)
		}
		if want := e.clk.Now().Add(time.Minute); !v.ResendAfter.Equal(want) || v.EmailHint != "t***@example.jp" {
			t.Errorf("after send: resend after %v, hint %q; want %v and the hint", v.ResendAfter, v.EmailHint, want)
		}
		m := e.lastMail(t)
		if m.To != "taro@example.jp" || m.Lang != "en" || m.Template != mail.LoginCode || len(m.Data["code"]) != 6 || m.Data["valid_minutes"] != "10" {
			t.Fatalf("queued mail %+v; want a 10-minute English login code to taro@example.jp", m)
		}
		if got, err := e.svc.Flow(ctx, token); err != nil || got.State != auth.EmailSent {
			t.Fatalf("resumed flow %+v, %v; want email_sent", got, err)
		}

		res, err := e.svc.VerifyEmailCode(ctx, token, fullWidth(m.Data["code"][:3]+" "+m.Data["code"][3:]), auth.VerifyOptions{}, web)
		if err != nil {
			t.Fatalf("verify a full-width code: %v", err)
		}
		if res.Flow.State != auth.Authenticated || res.Session == nil || res.Trust != nil {
			t.Fatalf("verify: %+v; want authenticated with a session and no trust", res)
		}
		sess, err := e.svc.Session(ctx, res.Session.Token)
		if err != nil || !slices.Equal(sess.Factors, []string{"password", "email"}) {
			t.Fatalf("session %+v, %v; want factors password+email", sess, err)
		}
		// The code worked once: its flow is gone.
		if _, err := e.svc.VerifyEmailCode(ctx, token, m.Data["code"], auth.VerifyOptions{}, web); !errors.Is(err, auth.ErrFlowNotFound) {
			t.Errorf("the code again: %v, want %v", err, auth.ErrFlowNotFound)
		}
		types := e.audit(t)
		if count(types, auth.EventEmailCodeSent) != 1 || count(types, auth.EventLoginSucceeded) != 2 {
			t.Errorf("audit %v; want one code sent and two logins (enrolment, e-mail)", types)
		}
	})
}

// TestEmailCodeRules: expiry, wrong codes, codes bound to their flow, resend
// cooldown and the hourly cap, each by the test clock.
func TestEmailCodeRules(t *testing.T) {
	ctx := context.Background()
	long := auth.DefaultConfig()
	long.FlowTTL = time.Hour // so the code, not the flow, expires first
	tests := []struct {
		name string
		cfg  auth.Config
		run  func(t *testing.T, e *mfaEnv)
	}{
		{"code expires after 10 minutes", long, func(t *testing.T, e *mfaEnv) {
			token, _ := e.mfaLogin(t, "sato")
			code := e.send(t, token, "ja")
			e.clk.Advance(10 * time.Minute)
			if _, err := e.svc.VerifyEmailCode(ctx, token, code, auth.VerifyOptions{}, web); !errors.Is(err, auth.ErrCodeExpired) {
				t.Fatalf("after 10 min: %v, want %v", err, auth.ErrCodeExpired)
			}
			// A new code may be sent and works.
			code = e.send(t, token, "ja")
			e.clk.Advance(10*time.Minute - time.Second)
			if _, err := e.svc.VerifyEmailCode(ctx, token, code, auth.VerifyOptions{}, web); err != nil {
				t.Fatalf("a fresh code 1 s before its end: %v", err)
			}
		}},
		{"five wrong codes end the flow", auth.Config{}, func(t *testing.T, e *mfaEnv) {
			token, _ := e.mfaLogin(t, "sato")
			code := e.send(t, token, "ja")
			for left := 4; left >= 1; left-- {
				_, err := e.svc.VerifyEmailCode(ctx, token, otherCode(code), auth.VerifyOptions{}, web)
				var ae *auth.Error
				if !errors.As(err, &ae) || ae.Code != auth.CodeCodeInvalid || ae.AttemptsLeft == nil || *ae.AttemptsLeft != left {
					t.Fatalf("wrong code: %v, want code_invalid with %d attempts left", err, left)
				}
			}
			if _, err := e.svc.VerifyEmailCode(ctx, token, otherCode(code), auth.VerifyOptions{}, web); !errors.Is(err, auth.ErrFlowExhausted) {
				t.Fatalf("fifth wrong code: %v, want %v", err, auth.ErrFlowExhausted)
			}
			if _, err := e.svc.VerifyEmailCode(ctx, token, code, auth.VerifyOptions{}, web); !errors.Is(err, auth.ErrFlowNotFound) {
				t.Fatalf("the right code after five wrong ones: %v, want %v", err, auth.ErrFlowNotFound)
			}
		}},
		{"a code works only in its flow", auth.Config{}, func(t *testing.T, e *mfaEnv) {
			a, _ := e.mfaLogin(t, "sato")
			b, _ := e.mfaLogin(t, "sato")
			codeA, codeB := e.send(t, a, "ja"), e.send(t, b, "ja")
			if codeA == codeB {
				t.Skip("two random codes are equal (one in a million)")
			}
			if _, err := e.svc.VerifyEmailCode(ctx, b, codeA, auth.VerifyOptions{}, web); !errors.Is(err, auth.ErrCodeInvalid) {
				t.Fatalf("flow A's code in flow B: %v, want %v", err, auth.ErrCodeInvalid)
			}
			if _, err := e.svc.VerifyEmailCode(ctx, b, codeB, auth.VerifyOptions{}, web); err != nil {
				t.Fatalf("flow B's own code: %v", err)
			}
		}},
		{"resend waits a minute and replaces the code", auth.Config{}, func(t *testing.T, e *mfaEnv) {
			token, _ := e.mfaLogin(t, "sato")
			first := e.send(t, token, "ja")
			e.clk.Advance(20 * time.Second)
			_, err := e.svc.SendEmailCode(ctx, token, "ja", web)
			var ae *auth.Error
			if !errors.As(err, &ae) || ae.Code != auth.CodeResendTooSoon || ae.RetryAfter != 40*time.Second {
				t.Fatalf("resend after 20 s: %v (retry after %v), want resend_too_soon after 40 s", err, retryOf(err))
			}
			e.clk.Advance(40 * time.Second)
			second := e.send(t, token, "ja")
			if first != second {
				if _, err := e.svc.VerifyEmailCode(ctx, token, first, auth.VerifyOptions{}, web); !errors.Is(err, auth.ErrCodeInvalid) {
					t.Fatalf("the replaced code: %v, want %v", err, auth.ErrCodeInvalid)
				}
			}
			if _, err := e.svc.VerifyEmailCode(ctx, token, second, auth.VerifyOptions{}, web); err != nil {
				t.Fatalf("the new code: %v", err)
			}
		}},
		{"hourly cap across flows", func() auth.Config { c := long; c.EmailHourlyCap = 2; return c }(), func(t *testing.T, e *mfaEnv) {
			a, _ := e.mfaLogin(t, "sato")
			e.send(t, a, "ja")
			e.clk.Advance(time.Minute)
			e.send(t, a, "ja")
			e.clk.Advance(time.Minute)
			b, _ := e.mfaLogin(t, "sato") // a new flow does not reset the cap
			_, err := e.svc.SendEmailCode(ctx, b, "ja", web)
			if !errors.Is(err, auth.ErrRateLimited) || retryOf(err) <= 0 {
				t.Fatalf("third code within the hour: %v, want rate_limited with a retry time", err)
			}
			e.clk.Advance(58*time.Minute + time.Second) // the first code is now over an hour old
			e.send(t, b, "ja")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.EachDB(t, func(t *testing.T, st *store.Store) {
				e := newMFAEnv(t, st, tc.cfg)
				e.addUser(t, "sato", "taro@example.jp")
				e.enrolTOTP(t, "sato")
				tc.run(t, e)
			})
		})
	}
}

func retryOf(err error) time.Duration {
	var ae *auth.Error
	if errors.As(err, &ae) {
		return ae.RetryAfter
	}
	return 0
}

// TestEmailMethodOffered: e-mail codes are offered only to users with an
// address, and not at all when the server cannot send mail.
func TestEmailMethodOffered(t *testing.T) {
	noMail := auth.DefaultConfig()
	noMail.EmailCodes = false
	tests := []struct {
		name, email string
		cfg         auth.Config
		want        []auth.Method
		hint        string
	}{
		{"with an address", "taro@example.jp", auth.Config{}, []auth.Method{auth.MethodTOTP, auth.MethodEmail}, "t***@example.jp"},
		{"without an address", "", auth.Config{}, []auth.Method{auth.MethodTOTP}, ""},
		{"mail switched off", "taro@example.jp", noMail, []auth.Method{auth.MethodTOTP}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newMFAEnv(t, storetest.Open(t, storetest.SQLite), tc.cfg)
			e.addUser(t, "sato", tc.email)
			e.enrolTOTP(t, "sato")
			token, f := e.mfaLogin(t, "sato")
			if !slices.Equal(f.Methods, tc.want) || f.EmailHint != tc.hint {
				t.Fatalf("methods %v, hint %q; want %v, %q", f.Methods, f.EmailHint, tc.want, tc.hint)
			}
			_, err := e.svc.SendEmailCode(context.Background(), token, "ja", web)
			if offered := slices.Contains(tc.want, auth.MethodEmail); offered != (err == nil) {
				t.Fatalf("send with e-mail offered=%v: %v", offered, err)
			}
			if err != nil && !errors.Is(err, auth.ErrStepNotAllowed) {
				t.Fatalf("send when not offered: %v, want %v", err, auth.ErrStepNotAllowed)
			}
		})
	}
}
