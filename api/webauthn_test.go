package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/apitest"
	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/webauthntest"
)

// enableWebAuthn makes the app's service a relying party for apitest.DevURL.
func enableWebAuthn(t *testing.T, a *apitest.App) {
	t.Helper()
	err := a.Service.EnableWebAuthn(auth.WebAuthnConfig{RPID: "localhost", DisplayName: "Kanmon", Origins: []string{apitest.DevURL}})
	if err != nil {
		t.Fatalf("EnableWebAuthn: %v", err)
	}
}

type keyResponse struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Transports []string `json:"transports"`
}

// registerKey registers a new software key for the client's session user.
func registerKey(t *testing.T, c *apitest.Client, name string) (*webauthntest.Authenticator, keyResponse) {
	t.Helper()
	key := webauthntest.New("localhost", apitest.DevURL)
	res := post(t, c, "/api/v1/webauthn/register/begin", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("register begin: %d %s", res.Status, res.Body)
	}
	answer, err := key.Create(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var k keyResponse
	post(t, c, "/api/v1/webauthn/register/finish", map[string]any{"name": name, "credential": json.RawMessage(answer)}).
		Decode(t, http.StatusCreated, &k)
	if k.Name != name || k.ID == 0 || !slices.Equal(k.Transports, []string{"usb"}) {
		t.Fatalf("registered %+v; want %q over usb", k, name)
	}
	return key, k
}

// keyPrompt logs a new browser in with the password and returns it with the
// options of the key prompt.
func keyPrompt(t *testing.T, a *apitest.App, name string) (*apitest.Client, []byte) {
	t.Helper()
	c := a.Client("192.0.2.20")
	if f := c.Login(t, name, password); !slices.Equal(f.Methods, []string{"totp", "webauthn"}) {
		t.Fatalf("login of a key user offers %v, want [totp webauthn]", f.Methods)
	}
	res := post(t, c, "/api/v1/login/webauthn/begin", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("login begin: %d %s", res.Status, res.Body)
	}
	return c, res.Body
}

func finishBody(t *testing.T, key *webauthntest.Authenticator, options []byte) map[string]any {
	t.Helper()
	answer, err := key.Get(options)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{"credential": json.RawMessage(answer)}
}

// TestWebAuthnHTTP registers a key and logs in with it through the API on
// both databases, then checks the refusals a browser can meet.
func TestWebAuthnHTTP(t *testing.T) {
	apitest.EachDB(t, apitest.Options{}, func(t *testing.T, a *apitest.App) {
		enableWebAuthn(t, a)
		_, owner := addMailUser(t, a, "sato", "taro@example.jp")
		key, _ := registerKey(t, owner, "YubiKey")

		c, options := keyPrompt(t, a, "sato")
		body := finishBody(t, key, options)
		res := post(t, c, "/api/v1/login/webauthn/finish", body)
		var f mfaFlow
		res.Decode(t, http.StatusOK, &f)
		if f.State != "authenticated" || res.Cookie(a.SessionCookie) == nil {
			t.Fatalf("finish: %+v; want authenticated with a session", f)
		}
		var sess struct {
			Factors []string `json:"factors"`
		}
		c.Get(t, "/api/v1/session").Decode(t, http.StatusOK, &sess)
		if !slices.Equal(sess.Factors, []string{"password", "webauthn"}) {
			t.Errorf("factors %v, want password+webauthn", sess.Factors)
		}
		// The same finish body again: its flow and challenge are gone.
		post(t, c, "/api/v1/login/webauthn/finish", body).Problem(t, http.StatusUnauthorized, auth.CodeFlowNotFound)
		// …and in a new login it answers the wrong challenge.
		replay, _ := keyPrompt(t, a, "sato")
		post(t, replay, "/api/v1/login/webauthn/finish", body).Problem(t, http.StatusUnauthorized, auth.CodeWebAuthnFailed)

		refusals := []struct {
			name   string
			answer func(options []byte) map[string]any
			code   string
		}{
			{"cloned key (sign count back)", func(o []byte) map[string]any { key.SignCount = 0; return finishBody(t, key, o) }, auth.CodeWebAuthnFailed},
			{"another origin", func(o []byte) map[string]any {
				key.Origin = "http://localhost:9999"
				defer func() { key.Origin = apitest.DevURL }()
				return finishBody(t, key, o)
			}, auth.CodeWebAuthnFailed},
			{"another RP ID", func(o []byte) map[string]any {
				key.RPID = "example.jp"
				defer func() { key.RPID = "localhost" }()
				return finishBody(t, key, o)
			}, auth.CodeWebAuthnFailed},
			{"challenge expired", func(o []byte) map[string]any { a.Clock.Advance(5 * time.Minute); return finishBody(t, key, o) }, auth.CodeChallengeGone},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				key.SignCount = 5 // above anything stored
				c, options := keyPrompt(t, a, "sato")
				post(t, c, "/api/v1/login/webauthn/finish", r.answer(options)).Problem(t, http.StatusUnauthorized, r.code)
				if r.code == auth.CodeWebAuthnFailed {
					// A failed answer used the challenge up: the right one now is too late.
					post(t, c, "/api/v1/login/webauthn/finish", finishBody(t, key, options)).Problem(t, http.StatusUnauthorized, auth.CodeChallengeGone)
				}
			})
		}
		var fails []string
		for _, e := range a.Audit(t) {
			if e.Type == auth.EventLoginFailed {
				fails = append(fails, e.Detail)
			}
		}
		if !slices.Contains(fails, "webauthn: sign count went back (cloned authenticator?)") {
			t.Errorf("audited failures %q; want the sign count regression", fails)
		}
	})
}

// TestWebAuthnKeysHTTP: the key list, rename, the second registration
// excluding the first key, deletion down to the last factor, and keys of
// another user out of reach (404).
func TestWebAuthnKeysHTTP(t *testing.T) {
	apitest.EachDB(t, apitest.Options{}, func(t *testing.T, a *apitest.App) {
		enableWebAuthn(t, a)
		_, owner := addMailUser(t, a, "sato", "taro@example.jp")
		first, k1 := registerKey(t, owner, "YubiKey")

		res := post(t, owner, "/api/v1/webauthn/register/begin", nil)
		excluded, err := webauthntest.ExcludedIDs(res.Body)
		if err != nil || len(excluded) != 1 || string(excluded[0]) != string(first.CredentialID) {
			t.Fatalf("second registration excludes %x (%v); want the first key", excluded, err)
		}
		_, k2 := registerKey(t, owner, "iPhone")

		path := func(id int64) string { return fmt.Sprintf("/api/v1/webauthn/credentials/%d", id) }
		if res := owner.JSON(t, http.MethodPatch, path(k2.ID), map[string]string{"name": "Phone"}); res.Status != http.StatusNoContent {
			t.Fatalf("rename: %d %s", res.Status, res.Body)
		}
		var keys []keyResponse
		owner.Get(t, "/api/v1/webauthn/credentials").Decode(t, http.StatusOK, &keys)
		if len(keys) != 2 || keys[0].ID != k1.ID || keys[1].Name != "Phone" {
			t.Fatalf("keys %+v; want YubiKey and Phone", keys)
		}

		_, err = a.Service.CreateUser(t.Context(), auth.NewUser{Username: "abe", Password: password}, auth.Actor{Name: "test"})
		if err != nil {
			t.Fatal(err)
		}
		abe := a.Client("198.51.100.2")
		abe.Enrol(t, "abe", password)
		abe.JSON(t, http.MethodPatch, path(k1.ID), map[string]string{"name": "mine"}).Problem(t, http.StatusNotFound, auth.CodeNotFound)
		abe.JSON(t, http.MethodDelete, path(k1.ID), nil).Problem(t, http.StatusNotFound, auth.CodeNotFound)
		abe.Get(t, "/api/v1/webauthn/credentials").Decode(t, http.StatusOK, &keys)
		if len(keys) != 0 {
			t.Errorf("abe sees keys %+v", keys)
		}

		if res := owner.JSON(t, http.MethodDelete, path(k1.ID), nil); res.Status != http.StatusNoContent {
			t.Fatalf("delete a key beside the app and another key: %d %s", res.Status, res.Body)
		}
		// Without the app, the remaining key is the last factor.
		if _, err := a.Store.DB().NewDelete().Table("totp_devices").Where("1 = 1").Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
		owner.JSON(t, http.MethodDelete, path(k2.ID), nil).Problem(t, http.StatusConflict, auth.CodeLastFactor)
		owner.Get(t, "/api/v1/webauthn/credentials").Decode(t, http.StatusOK, &keys)
		if len(keys) != 1 || keys[0].ID != k2.ID {
			t.Fatalf("keys after the refused deletion %+v; want Phone", keys)
		}
		if n := a.AuditCount(t, auth.EventWebAuthnRemoved); n != 1 {
			t.Errorf("%d webauthn.removed events, want 1", n)
		}
	})
}
