package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

func addKey(t *testing.T, st *store.Store, u *auth.User, id string) auth.WebAuthnCredential {
	t.Helper()
	c := &auth.WebAuthnCredential{UserID: u.ID, CredentialID: []byte(id), Name: id, AAGUID: make([]byte, 16),
		SignCount: 3, Record: []byte(`{}`), CreatedAt: t0}
	if err := st.AddWebAuthnCredential(context.Background(), c, auth.AuditEvent{At: t0, Type: auth.EventWebAuthnAdded, UserID: u.ID}); err != nil {
		t.Fatalf("add key %s: %v", id, err)
	}
	return *c
}

// TestTakeChallenge: a challenge is taken once, with what was set, by one of
// many concurrent finishes, on flows and sessions alike.
func TestTakeChallenge(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := addUser(t, st, "sato")
		f, _ := addFlow(t, st, u, auth.MFARequired)
		sessionToken, err := login(t, st, u, nil, &auth.TOTPDevice{UserID: u.ID, Name: "phone", SecretSealed: []byte{1}, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := st.SessionByToken(ctx, auth.HashToken(sessionToken))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range []struct {
			owner auth.ChallengeOwner
			id    int64
		}{{auth.ChallengeOfFlow, f.ID}, {auth.ChallengeOfSession, sess.ID}} {
			t.Run(string(o.owner), func(t *testing.T) {
				if _, err := st.TakeChallenge(ctx, o.owner, o.id); !errors.Is(err, auth.ErrChallengeExpired) {
					t.Fatalf("take without a challenge: %v, want %v", err, auth.ErrChallengeExpired)
				}
				set := auth.Challenge{Data: []byte(`{"challenge":"abc"}`), ExpiresAt: t0.Add(5 * time.Minute)}
				if err := st.SetChallenge(ctx, o.owner, o.id, set); err != nil {
					t.Fatal(err)
				}
				got := make([]*auth.Challenge, 8)
				errs := make([]error, len(got))
				var wg sync.WaitGroup
				for i := range got {
					wg.Go(func() { got[i], errs[i] = st.TakeChallenge(ctx, o.owner, o.id) })
				}
				wg.Wait()
				taken := 0
				for i := range got {
					switch {
					case errs[i] == nil:
						taken++
						if string(got[i].Data) != string(set.Data) || !got[i].ExpiresAt.Equal(set.ExpiresAt) {
							t.Errorf("took %s until %v, want %s until %v", got[i].Data, got[i].ExpiresAt, set.Data, set.ExpiresAt)
						}
					case !errors.Is(errs[i], auth.ErrChallengeExpired):
						t.Errorf("take %d: %v", i, errs[i])
					}
				}
				if taken != 1 {
					t.Fatalf("%d of %d concurrent takes got the challenge, want exactly 1", taken, len(got))
				}
			})
		}
	})
}

// TestWebAuthnCredentialRows: a credential id is registered once; the handle
// is made once; keys are renamed and deleted by their owner only; the last
// factor stays even when two deletions race; a sign count never goes back.
func TestWebAuthnCredentialRows(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sato, abe := addUser(t, st, "sato"), addUser(t, st, "abe")

		h1, err := st.WebAuthnHandle(ctx, sato.ID, []byte("first"))
		if err != nil {
			t.Fatal(err)
		}
		if h2, err := st.WebAuthnHandle(ctx, sato.ID, []byte("second")); err != nil || string(h1) != "first" || string(h2) != "first" {
			t.Fatalf("handles %q then %q (%v); want the first kept", h1, h2, err)
		}

		if err := st.SetWebAuthnSetupRequested(ctx, sato.ID, true); err != nil {
			t.Fatal(err)
		}
		k1, k2 := addKey(t, st, sato, "key-1"), addKey(t, st, sato, "key-2")
		if u, _ := st.UserByName(ctx, "sato"); u.WebAuthnSetupRequested {
			t.Error("a registered key did not end the setup request")
		}
		dup := &auth.WebAuthnCredential{UserID: abe.ID, CredentialID: []byte("key-1"), Name: "x", Record: []byte(`{}`), CreatedAt: t0}
		if err := st.AddWebAuthnCredential(ctx, dup, auth.AuditEvent{At: t0, Type: auth.EventWebAuthnAdded}); !errors.Is(err, auth.ErrConflict) {
			t.Errorf("a known credential id again: %v, want %v", err, auth.ErrConflict)
		}
		ev := auth.AuditEvent{At: t0, Type: auth.EventWebAuthnRemoved}
		if err := st.RenameWebAuthnCredential(ctx, abe.ID, k1.ID, "mine"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("abe renaming sato's key: %v, want %v", err, auth.ErrNotFound)
		}
		if err := st.DeleteWebAuthnCredential(ctx, abe.ID, k1.ID, ev); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("abe deleting sato's key: %v, want %v", err, auth.ErrNotFound)
		}

		// A sign count only goes up (0 is "no counter").
		for _, tc := range []struct {
			count uint32
			want  error
		}{{3, auth.ErrWebAuthnFailed}, {2, auth.ErrWebAuthnFailed}, {4, nil}, {0, nil}} {
			f, _ := addFlow(t, st, sato, auth.MFARequired)
			_, hash := auth.NewToken()
			err := st.CompleteLogin(ctx, &auth.Completion{FlowID: f.ID, FlowState: f.State,
				WebAuthnUse: &auth.WebAuthnUse{ID: k1.ID, SignCount: tc.count, Record: []byte(`{}`)},
				Session:     &auth.Session{TokenHash: hash, UserID: sato.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}})
			if !errors.Is(err, tc.want) {
				t.Errorf("login with sign count %d: %v, want %v", tc.count, err, tc.want)
			}
		}

		// sato has no app: of two concurrent deletions of his two keys, one wins.
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, k := range []auth.WebAuthnCredential{k1, k2} {
			wg.Go(func() { errs[i] = st.DeleteWebAuthnCredential(ctx, sato.ID, k.ID, ev) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) || !(errors.Is(errs[0], auth.ErrLastFactor) || errors.Is(errs[1], auth.ErrLastFactor)) {
			t.Fatalf("concurrent deletions of the last two factors: %v, %v; want one done and one last_factor", errs[0], errs[1])
		}
		if keys, err := st.WebAuthnCredentials(ctx, sato.ID); err != nil || len(keys) != 1 {
			t.Fatalf("keys left %+v, %v; want one", keys, err)
		}
	})
}
