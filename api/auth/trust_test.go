package auth_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

// trustBrowser logs name in with an e-mail code, ticking "trust this
// browser", and returns the trust token.
func (e *mfaEnv) trustBrowser(t *testing.T, name string) *auth.IssuedToken {
	t.Helper()
	token, _ := e.mfaLogin(t, name)
	code := e.send(t, token, "ja")
	res, err := e.svc.VerifyEmailCode(context.Background(), token, code, auth.VerifyOptions{TrustBrowser: true}, web)
	if err != nil {
		t.Fatalf("verify with trust: %v", err)
	}
	if res.Trust == nil || res.Trust.Token == "" {
		t.Fatalf("verify with trust_browser gave no trust token: %+v", res)
	}
	return res.Trust
}

// TestTrustedBrowser: for 8 hours a trusted browser logs its user in with the
// password alone; the use is audited; the password is still checked.
func TestTrustedBrowser(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newMFAEnv(t, st, auth.Config{})
		e.addUser(t, "sato", "taro@example.jp")
		e.enrolTOTP(t, "sato")
		trust := e.trustBrowser(t, "sato")
		if want := e.clk.Now().Add(8 * time.Hour); !trust.ExpiresAt.Equal(want) {
			t.Errorf("trusted until %v, want %v", trust.ExpiresAt, want)
		}

		e.clk.Advance(8*time.Hour - time.Second)
		res := e.login(t, "sato", trust.Token)
		if res.Flow.State != auth.Authenticated || res.Session == nil || res.FlowToken != "" {
			t.Fatalf("login from the trusted browser: %+v; want authenticated at once", res)
		}
		sess, err := e.svc.Session(ctx, res.Session.Token)
		if err != nil || !slices.Equal(sess.Factors, []string{"password", "trusted_browser"}) {
			t.Fatalf("session %+v, %v; want factors password+trusted_browser", sess, err)
		}
		types := e.audit(t)
		if count(types, auth.EventBrowserTrusted) != 1 || count(types, auth.EventBrowserUsed) != 1 {
			t.Errorf("audit %v; want trusted_browser.added and .used once each", types)
		}

		if _, err := e.svc.Login(ctx, "sato", "wrong password!", trust.Token, web); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("wrong password from a trusted browser: %v, want %v", err, auth.ErrBadCredentials)
		}

		e.clk.Advance(time.Second) // 8 h exactly
		if res := e.login(t, "sato", trust.Token); res.Flow.State != auth.MFARequired || res.Session != nil {
			t.Fatalf("login after 8 h: %+v; want mfa_required", res.Flow)
		}
	})
}

// TestTrustedBrowserRevoked: one user's trust never helps another, and a
// reset of the second factors, disabling the user or forgetting the browser
// ends it.
func TestTrustedBrowserRevoked(t *testing.T) {
	ctx := context.Background()
	admin := auth.Actor{Name: "test"}
	tests := []struct {
		name   string
		revoke func(t *testing.T, e *mfaEnv, token string)
		state  auth.State // of the next login of sato from that browser
	}{
		{"used by another user", func(t *testing.T, e *mfaEnv, _ string) {
			if res := e.login(t, "abe", ""); res.Flow.State != auth.MFARequired {
				t.Fatalf("abe: %q", res.Flow.State)
			}
		}, auth.Authenticated},
		{"MFA reset", func(t *testing.T, e *mfaEnv, _ string) {
			if err := e.svc.ResetMFA(ctx, "sato", admin); err != nil {
				t.Fatal(err)
			}
		}, auth.MFASetupRequired},
		{"user disabled and enabled again", func(t *testing.T, e *mfaEnv, _ string) {
			if err := e.svc.SetDisabled(ctx, "sato", true, admin); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Login(ctx, "sato", mfaPassword, "", web); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("disabled user's login: %v", err)
			}
			if err := e.svc.SetDisabled(ctx, "sato", false, admin); err != nil {
				t.Fatal(err)
			}
		}, auth.MFARequired},
		{"forgotten by its user", func(t *testing.T, e *mfaEnv, token string) {
			if err := e.svc.ForgetBrowser(ctx, token, web); err != nil {
				t.Fatal(err)
			}
			if count(e.audit(t), auth.EventBrowserForgot) != 1 {
				t.Fatalf("audit %v; want trusted_browser.removed", e.audit(t))
			}
			if err := e.svc.ForgetBrowser(ctx, token, web); err != nil {
				t.Fatalf("forgetting twice: %v", err)
			}
		}, auth.MFARequired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.EachDB(t, func(t *testing.T, st *store.Store) {
				e := newMFAEnv(t, st, auth.Config{})
				for _, n := range []string{"sato", "abe"} {
					e.addUser(t, n, n+"@example.jp")
					e.enrolTOTP(t, n)
				}
				trust := e.trustBrowser(t, "sato")
				// abe on sato's trusted browser must still give a second factor.
				if res := e.login(t, "abe", trust.Token); res.Flow.State != auth.MFARequired || res.Session != nil {
					t.Fatalf("abe with sato's trust cookie: %+v; want mfa_required", res.Flow)
				}
				tc.revoke(t, e, trust.Token)
				if res := e.login(t, "sato", trust.Token); res.Flow.State != tc.state {
					t.Fatalf("sato's next login from the browser: %q, want %q", res.Flow.State, tc.state)
				}
			})
		})
	}
}
