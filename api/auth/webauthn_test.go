package auth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/webauthntest"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

const (
	rpID   = "localhost"
	origin = "http://localhost:8080"
)

func (e *mfaEnv) enableWebAuthn(t *testing.T) {
	t.Helper()
	if err := e.svc.EnableWebAuthn(auth.WebAuthnConfig{RPID: rpID, DisplayName: "Kanmon", Origins: []string{origin}}); err != nil {
		t.Fatalf("EnableWebAuthn: %v", err)
	}
}

// totpSession logs name in with a code of secret and returns the session
// token; the clock moves to the next TOTP step.
func (e *mfaEnv) totpSession(t *testing.T, name string, secret []byte) string {
	t.Helper()
	token, _ := e.mfaLogin(t, name)
	res, err := e.svc.VerifyTOTP(context.Background(), token, codeAt(secret, e.clk.Now()), auth.VerifyOptions{}, web)
	if err != nil {
		t.Fatalf("verify totp: %v", err)
	}
	e.clk.Advance(30 * time.Second)
	return res.Session.Token
}

// register runs a registration ceremony with a for the session's user.
func (e *mfaEnv) register(t *testing.T, session string, a *webauthntest.Authenticator, name string) *auth.WebAuthnCredential {
	t.Helper()
	ctx := context.Background()
	options, err := e.svc.BeginWebAuthnRegistration(ctx, session)
	if err != nil {
		t.Fatalf("begin registration: %v", err)
	}
	answer, err := a.Create(options)
	if err != nil {
		t.Fatalf("authenticator create: %v", err)
	}
	cred, err := e.svc.FinishWebAuthnRegistration(ctx, session, name, answer, web)
	if err != nil {
		t.Fatalf("finish registration: %v", err)
	}
	return cred
}

// keyLogin begins a login of name, which must offer WebAuthn, and returns the
// flow token and the options of the key prompt.
func (e *mfaEnv) keyLogin(t *testing.T, name string) (string, []byte) {
	t.Helper()
	token, f := e.mfaLogin(t, name)
	if !slices.Contains(f.Methods, auth.MethodWebAuthn) {
		t.Fatalf("login of %s offers %v, want webauthn", name, f.Methods)
	}
	options, err := e.svc.BeginWebAuthnLogin(context.Background(), token)
	if err != nil {
		t.Fatalf("begin webauthn login: %v", err)
	}
	return token, options
}

func (e *mfaEnv) signCount(t *testing.T, userName string) uint32 {
	t.Helper()
	u, err := e.svc.User(context.Background(), userName)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := e.st.WebAuthnCredentials(context.Background(), u.ID)
	if err != nil || len(creds) != 1 {
		t.Fatalf("credentials of %s: %v, %v; want one", userName, creds, err)
	}
	return creds[0].SignCount
}

// keyUser is sato with an app, a session and a registered key a.
func keyUser(t *testing.T, st *store.Store, cfg auth.Config) (*mfaEnv, *webauthntest.Authenticator, string) {
	t.Helper()
	e := newMFAEnv(t, st, cfg)
	e.enableWebAuthn(t)
	e.addUser(t, "sato", "taro@example.jp")
	secret := e.enrolTOTP(t, "sato")
	session := e.totpSession(t, "sato", secret)
	a := webauthntest.New(rpID, origin)
	cred := e.register(t, session, a, "YubiKey")
	if cred.Name != "YubiKey" || string(cred.CredentialID) != string(a.CredentialID) || cred.SignCount != 0 || len(cred.AAGUID) != 16 {
		t.Fatalf("registered %+v; want YubiKey with the authenticator's id and count 0", cred)
	}
	return e, a, session
}

// TestWebAuthnRegisterAndLogin: a key registered in a session logs its user in
// afterwards; the sign count is kept; a key user is offered the app and the
// key, and e-mail only when every method is offered.
func TestWebAuthnRegisterAndLogin(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e, a, _ := keyUser(t, st, auth.Config{})
		if types := e.audit(t); count(types, auth.EventWebAuthnAdded) != 1 {
			t.Errorf("audit %v; want webauthn.added", types)
		}
		for want := uint32(1); want <= 2; want++ {
			token, options := e.keyLogin(t, "sato")
			allowed, err := webauthntest.AllowedIDs(options)
			if err != nil || len(allowed) != 1 || string(allowed[0]) != string(a.CredentialID) {
				t.Fatalf("allowCredentials %x, %v; want the registered key", allowed, err)
			}
			answer, err := a.Get(options)
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.svc.FinishWebAuthnLogin(ctx, token, answer, auth.VerifyOptions{}, web)
			if err != nil {
				t.Fatalf("login %d with the key: %v", want, err)
			}
			sess, err := e.svc.Session(ctx, res.Session.Token)
			if err != nil || !slices.Equal(sess.Factors, []string{"password", "webauthn"}) {
				t.Fatalf("session %+v, %v; want factors password+webauthn", sess, err)
			}
			if got := e.signCount(t, "sato"); got != want {
				t.Errorf("stored sign count %d, want %d", got, want)
			}
		}
	})
}

// TestWebAuthnMethodChoice: the manual's choice is the app and the key; e-mail
// joins only with OfferAllMethods.
func TestWebAuthnMethodChoice(t *testing.T) {
	all := auth.DefaultConfig()
	all.OfferAllMethods = true
	for _, tc := range []struct {
		name string
		cfg  auth.Config
		want []auth.Method
	}{
		{"default", auth.Config{}, []auth.Method{auth.MethodTOTP, auth.MethodWebAuthn}},
		{"all methods", all, []auth.Method{auth.MethodTOTP, auth.MethodWebAuthn, auth.MethodEmail}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _, _ := keyUser(t, storetest.Open(t, storetest.SQLite), tc.cfg)
			token, f := e.mfaLogin(t, "sato")
			if !slices.Equal(f.Methods, tc.want) {
				t.Fatalf("methods %v, want %v", f.Methods, tc.want)
			}
			_, err := e.svc.SendEmailCode(context.Background(), token, "ja", web)
			if offered := slices.Contains(tc.want, auth.MethodEmail); offered != (err == nil) {
				t.Fatalf("send e-mail code with e-mail offered=%v: %v", offered, err)
			}
		})
	}
}

// TestWebAuthnLoginRefused: answers from a cloned key, another origin or
// another RP ID, after the challenge expired, or replayed, log nobody in.
func TestWebAuthnLoginRefused(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// answer makes the authenticator's answer to options and may move
		// the clock; it returns the answer to finish with.
		answer func(t *testing.T, e *mfaEnv, a *webauthntest.Authenticator, token string, options []byte) []byte
		want   error
		detail string // in the audited failure, if any
	}{
		{"sign count went back", func(t *testing.T, _ *mfaEnv, a *webauthntest.Authenticator, _ string, options []byte) []byte {
			a.SignCount = 0 // signs with 1, as the login before did
			return get(t, a, options)
		}, auth.ErrWebAuthnFailed, "sign count went back"},
		{"wrong origin", func(t *testing.T, _ *mfaEnv, a *webauthntest.Authenticator, _ string, options []byte) []byte {
			a.Origin = "https://kanmon.evil.example"
			return get(t, a, options)
		}, auth.ErrWebAuthnFailed, "webauthn:"},
		{"wrong RP ID", func(t *testing.T, _ *mfaEnv, a *webauthntest.Authenticator, _ string, options []byte) []byte {
			a.RPID = "evil.example"
			return get(t, a, options)
		}, auth.ErrWebAuthnFailed, "webauthn:"},
		{"bad signature", func(t *testing.T, _ *mfaEnv, a *webauthntest.Authenticator, _ string, options []byte) []byte {
			other := webauthntest.New(rpID, origin) // the credential id, another key
			other.CredentialID, other.UserHandle, other.SignCount = a.CredentialID, a.UserHandle, a.SignCount
			return get(t, other, options)
		}, auth.ErrWebAuthnFailed, "webauthn:"},
		{"challenge expired", func(t *testing.T, e *mfaEnv, a *webauthntest.Authenticator, _ string, options []byte) []byte {
			e.clk.Advance(5 * time.Minute)
			return get(t, a, options)
		}, auth.ErrChallengeExpired, ""},
		{"challenge used by a failed answer", func(t *testing.T, e *mfaEnv, a *webauthntest.Authenticator, token string, options []byte) []byte {
			a.Origin = "https://kanmon.evil.example"
			if _, err := e.svc.FinishWebAuthnLogin(ctx, token, get(t, a, options), auth.VerifyOptions{}, web); !errors.Is(err, auth.ErrWebAuthnFailed) {
				t.Fatalf("first answer: %v", err)
			}
			a.Origin = origin
			return get(t, a, options)
		}, auth.ErrChallengeExpired, ""},
		{"answer of an earlier login replayed", func(t *testing.T, e *mfaEnv, a *webauthntest.Authenticator, token string, options []byte) []byte {
			// The answer that logged in a minute ago, captured, sent to a new flow.
			return e.lastAnswer
		}, auth.ErrWebAuthnFailed, "webauthn:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.EachDB(t, func(t *testing.T, st *store.Store) {
				e, a, _ := keyUser(t, st, auth.Config{})
				// One good login first: the stored count is 1.
				token, options := e.keyLogin(t, "sato")
				e.lastAnswer = get(t, a, options)
				if _, err := e.svc.FinishWebAuthnLogin(ctx, token, e.lastAnswer, auth.VerifyOptions{}, web); err != nil {
					t.Fatalf("first login: %v", err)
				}
				if _, err := e.svc.FinishWebAuthnLogin(ctx, token, e.lastAnswer, auth.VerifyOptions{}, web); !errors.Is(err, auth.ErrFlowNotFound) {
					t.Fatalf("the same answer again in its flow: %v, want %v", err, auth.ErrFlowNotFound)
				}
				failedBefore := len(e.failures(t))

				token, options = e.keyLogin(t, "sato")
				answer := tc.answer(t, e, a, token, options)
				res, err := e.svc.FinishWebAuthnLogin(ctx, token, answer, auth.VerifyOptions{}, web)
				if !errors.Is(err, tc.want) || res != nil {
					t.Fatalf("finish: %+v, %v; want %v", res, err, tc.want)
				}
				if got := e.signCount(t, "sato"); got != 1 {
					t.Errorf("stored sign count %d after a refused login, want 1", got)
				}
				if tc.detail != "" {
					fails := e.failures(t)
					if len(fails) <= failedBefore || !strings.Contains(fails[len(fails)-1], tc.detail) {
						t.Errorf("audited failures %q; want a new one with %q", fails, tc.detail)
					}
				}
			})
		})
	}
}

func get(t *testing.T, a *webauthntest.Authenticator, options []byte) []byte {
	t.Helper()
	answer, err := a.Get(options)
	if err != nil {
		t.Fatalf("authenticator get: %v", err)
	}
	return answer
}

// failures lists the details of the audited login failures.
func (e *mfaEnv) failures(t *testing.T) []string {
	t.Helper()
	var details []string
	err := e.st.DB().NewSelect().Table("audit_events").Column("detail").Where("type = ?", auth.EventLoginFailed).
		Order("id").Scan(context.Background(), &details)
	if err != nil {
		t.Fatal(err)
	}
	return details
}

// TestWebAuthnChallengeTTL: a prompt answered just before ChallengeTTL works.
func TestWebAuthnChallengeTTL(t *testing.T) {
	e, a, _ := keyUser(t, storetest.Open(t, storetest.SQLite), auth.Config{})
	token, options := e.keyLogin(t, "sato")
	e.clk.Advance(5*time.Minute - time.Second)
	if _, err := e.svc.FinishWebAuthnLogin(context.Background(), token, get(t, a, options), auth.VerifyOptions{}, web); err != nil {
		t.Fatalf("answer 1 s before the challenge expires: %v", err)
	}
}

// TestWebAuthnRegistrationRules: the second registration excludes the first
// key; a registration's challenge is single-use and expires; keys belong to
// their user for renaming and deleting; the last factor stays.
func TestWebAuthnRegistrationRules(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e, first, session := keyUser(t, st, auth.Config{})

		options, err := e.svc.BeginWebAuthnRegistration(ctx, session)
		if err != nil {
			t.Fatal(err)
		}
		excluded, err := webauthntest.ExcludedIDs(options)
		if err != nil || len(excluded) != 1 || string(excluded[0]) != string(first.CredentialID) {
			t.Fatalf("excludeCredentials %x, %v; want the first key", excluded, err)
		}
		if _, err := first.Create(options); !errors.Is(err, webauthntest.ErrExcluded) {
			t.Fatalf("the first key registering again: %v, want it excluded", err)
		}
		second := webauthntest.New(rpID, origin)
		answer, err := second.Create(options)
		if err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(5 * time.Minute)
		if _, err := e.svc.FinishWebAuthnRegistration(ctx, session, "late", answer, web); !errors.Is(err, auth.ErrChallengeExpired) {
			t.Fatalf("registration after the challenge expired: %v, want %v", err, auth.ErrChallengeExpired)
		}
		if _, err := e.svc.FinishWebAuthnRegistration(ctx, session, "again", answer, web); !errors.Is(err, auth.ErrChallengeExpired) {
			t.Fatalf("registration with a used challenge: %v, want %v", err, auth.ErrChallengeExpired)
		}
		wrong := webauthntest.New(rpID, "https://kanmon.evil.example")
		options, _ = e.svc.BeginWebAuthnRegistration(ctx, session)
		answer, _ = wrong.Create(options)
		if _, err := e.svc.FinishWebAuthnRegistration(ctx, session, "phished", answer, web); !errors.Is(err, auth.ErrWebAuthnFailed) {
			t.Fatalf("registration from another origin: %v, want %v", err, auth.ErrWebAuthnFailed)
		}
		if _, err := e.svc.FinishWebAuthnRegistration(ctx, session, strings.Repeat("鍵", 65), answer, web); !errors.Is(err, auth.ErrInvalidInput) {
			t.Fatalf("a 65-character name: %v, want %v", err, auth.ErrInvalidInput)
		}
		e.register(t, session, second, "")

		keys, err := e.svc.WebAuthnCredentials(ctx, session)
		if err != nil || len(keys) != 2 || keys[0].Name != "YubiKey" || keys[1].Name != "Security key" {
			t.Fatalf("keys %+v, %v; want YubiKey and the default name", keys, err)
		}
		if err := e.svc.RenameWebAuthnCredential(ctx, session, keys[1].ID, " 予備の鍵 "); err != nil {
			t.Fatal(err)
		}

		// abe cannot touch sato's keys.
		e.addUser(t, "abe", "abe@example.jp")
		abe := e.totpSession(t, "abe", e.enrolTOTP(t, "abe"))
		if err := e.svc.RenameWebAuthnCredential(ctx, abe, keys[0].ID, "mine"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("abe renaming sato's key: %v, want %v", err, auth.ErrNotFound)
		}
		if err := e.svc.DeleteWebAuthnCredential(ctx, abe, keys[0].ID, web); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("abe deleting sato's key: %v, want %v", err, auth.ErrNotFound)
		}

		// With the app left, keys may go; the last factor may not.
		if err := e.svc.DeleteWebAuthnCredential(ctx, session, keys[0].ID, web); err != nil {
			t.Fatalf("delete a key beside the app: %v", err)
		}
		u, _ := e.svc.User(ctx, "sato")
		if _, err := st.DB().NewDelete().Table("totp_devices").Where("user_id = ?", u.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteWebAuthnCredential(ctx, session, keys[1].ID, web); !errors.Is(err, auth.ErrLastFactor) {
			t.Fatalf("delete the last factor: %v, want %v", err, auth.ErrLastFactor)
		}
		keys, _ = e.svc.WebAuthnCredentials(ctx, session)
		if len(keys) != 1 || keys[0].Name != "予備の鍵" {
			t.Fatalf("keys %+v; want the renamed second key", keys)
		}
		if types := e.audit(t); count(types, auth.EventWebAuthnRemoved) != 1 || count(types, auth.EventWebAuthnAdded) != 2 {
			t.Errorf("audit %v; want two keys added and one removed", types)
		}
	})
}
