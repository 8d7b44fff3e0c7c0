package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/authtest"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

var t0 = authtest.T0

func addUser(t *testing.T, st *store.Store, name string) *auth.User {
	t.Helper()
	u := &auth.User{Username: name, Email: name + "@example.jp", PasswordHash: "$argon2id$…", CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreateUser(context.Background(), u, auth.AuditEvent{At: t0, Type: auth.EventUserCreated, Username: name}); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// addFlow stores a flow of u in state and returns it with its token.
func addFlow(t *testing.T, st *store.Store, u *auth.User, state auth.State) (*auth.Flow, string) {
	t.Helper()
	token, hash := auth.NewToken()
	f := &auth.Flow{TokenHash: hash, UserID: u.ID, State: state, Methods: []auth.Method{auth.MethodTOTP},
		CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
	if err := st.CreateFlow(context.Background(), f); err != nil {
		t.Fatalf("create flow: %v", err)
	}
	return f, token
}

// login completes a fresh flow of u into a session and returns the session token.
func login(t *testing.T, st *store.Store, u *auth.User, use *auth.TOTPUse, enrol *auth.TOTPDevice) (string, error) {
	t.Helper()
	state := auth.MFARequired
	if enrol != nil {
		state = auth.MFASetupRequired
	}
	f, _ := addFlow(t, st, u, state)
	token, hash := auth.NewToken()
	err := st.CompleteLogin(context.Background(), &auth.Completion{
		FlowID: f.ID, FlowState: f.State, TOTPUse: use, Enrol: enrol,
		Session: &auth.Session{TokenHash: hash, UserID: u.ID, Factors: []string{"password", "totp"},
			CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(12 * time.Hour)},
		Audit: []auth.AuditEvent{{At: t0, Type: auth.EventLoginSucceeded, UserID: u.ID}},
	})
	return token, err
}

func enrol(t *testing.T, st *store.Store, u *auth.User, step int64) auth.TOTPDevice {
	t.Helper()
	if _, err := login(t, st, u, nil, &auth.TOTPDevice{UserID: u.ID, Name: "phone", SecretSealed: []byte{1, 2, 3}, LastStep: step, CreatedAt: t0}); err != nil {
		t.Fatalf("enrol: %v", err)
	}
	devs := devices(t, st, u)
	if len(devs) != 1 {
		t.Fatalf("devices after enrolment = %v; want one", devs)
	}
	return devs[0]
}

// devices reads u's authenticators the way a login does: with a flow.
func devices(t *testing.T, st *store.Store, u *auth.User) []auth.TOTPDevice {
	t.Helper()
	_, token := addFlow(t, st, u, auth.MFARequired)
	f, err := st.FlowByToken(context.Background(), auth.HashToken(token), "ip:192.0.2.1", time.Time{})
	if err != nil {
		t.Fatalf("flow with devices: %v", err)
	}
	return f.TOTPDevices
}

func auditTypes(t *testing.T, st *store.Store) []string {
	t.Helper()
	var types []string
	if err := st.DB().NewSelect().Table("audit_events").Column("type").Order("id").Scan(context.Background(), &types); err != nil {
		t.Fatalf("read audit events: %v", err)
	}
	return types
}

func TestMigrateTwice(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		applied, err := st.Migrate(context.Background())
		if err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if len(applied) != 0 {
			t.Fatalf("second Migrate applied %v again", applied)
		}
		if err := st.Ping(context.Background()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})
}

func TestUsers(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := addUser(t, st, "sato")
		addUser(t, st, "abe")
		if u.ID == 0 {
			t.Fatal("CreateUser set no ID")
		}
		dup := &auth.User{Username: "sato", PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}
		if err := st.CreateUser(ctx, dup, auth.AuditEvent{At: t0, Type: auth.EventUserCreated}); !errors.Is(err, auth.ErrConflict) {
			t.Fatalf("duplicate CreateUser: got %v, want ErrConflict", err)
		}
		got, err := st.UserByName(ctx, "sato")
		if err != nil || got.ID != u.ID || got.Email != "sato@example.jp" || !got.CreatedAt.Equal(t0) {
			t.Fatalf("UserByName = %+v, %v", got, err)
		}
		if _, err := st.UserByName(ctx, "nobody"); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("UserByName(nobody): got %v, want ErrNotFound", err)
		}
		if lu, err := st.LoginUser(ctx, "nobody", "ip:192.0.2.1", t0); err != nil || lu.ID != 0 {
			t.Fatalf("LoginUser(nobody) = %+v, %v; want a user with ID 0, so failures under the name still count", lu, err)
		}
		list, err := st.Users(ctx)
		if err != nil || len(list) != 2 || list[0].Username != "abe" || list[1].Username != "sato" {
			t.Fatalf("Users = %+v, %v; want abe, sato", list, err)
		}
		if got := auditTypes(t, st); len(got) != 2 || got[0] != auth.EventUserCreated {
			t.Errorf("audit = %v; want two user.created (none for the refused duplicate)", got)
		}
	})
}

// TestTOTPReplayConcurrent completes two logins with the same TOTP step of one
// device at once: the compare-and-set lets exactly one through.
func TestTOTPReplayConcurrent(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		u := addUser(t, st, "sato")
		dev := enrol(t, st, u, 100)
		for round := range 3 {
			step := int64(101 + round)
			flows := make([]*auth.Flow, 2)
			for i := range flows {
				flows[i], _ = addFlow(t, st, u, auth.MFARequired)
			}
			errs := make([]error, len(flows))
			var wg sync.WaitGroup
			for i, f := range flows {
				wg.Go(func() {
					_, hash := auth.NewToken()
					errs[i] = st.CompleteLogin(context.Background(), &auth.Completion{
						FlowID: f.ID, FlowState: f.State, TOTPUse: &auth.TOTPUse{DeviceID: dev.ID, Step: step},
						Session: &auth.Session{TokenHash: hash, UserID: u.ID, Factors: []string{"password", "totp"},
							CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)},
					})
				})
			}
			wg.Wait()
			ok, reused := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, auth.ErrCodeReused):
					reused++
				default:
					t.Errorf("round %d: unexpected error %v", round, err)
				}
			}
			if ok != 1 || reused != 1 {
				t.Fatalf("round %d: %d succeeded and %d were refused as reused; want 1 and 1 (%v)", round, ok, reused, errs)
			}
			if devs := devices(t, st, u); devs[0].LastStep != step {
				t.Fatalf("last step = %d, want %d", devs[0].LastStep, step)
			}
		}
	})
}

// TestCompleteLoginAtomic checks that a refused completion changes nothing: the
// flow survives a replayed step, and a consumed flow cannot complete twice.
func TestCompleteLoginAtomic(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := addUser(t, st, "sato")
		dev := enrol(t, st, u, 100)
		f, token := addFlow(t, st, u, auth.MFARequired)
		sessToken, sessHash := auth.NewToken()
		c := &auth.Completion{FlowID: f.ID, FlowState: f.State, TOTPUse: &auth.TOTPUse{DeviceID: dev.ID, Step: 100},
			Session: &auth.Session{TokenHash: sessHash, UserID: u.ID, Factors: []string{"password"}, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)},
			Audit:   []auth.AuditEvent{{At: t0, Type: auth.EventLoginSucceeded, UserID: u.ID}}}
		if err := st.CompleteLogin(ctx, c); !errors.Is(err, auth.ErrCodeReused) {
			t.Fatalf("complete with the stored step: got %v, want ErrCodeReused", err)
		}
		if _, err := st.FlowByToken(ctx, auth.HashToken(token), "ip:192.0.2.1", time.Time{}); err != nil {
			t.Fatalf("the flow of a refused completion is gone: %v", err)
		}
		if _, err := st.SessionByToken(ctx, sessHash); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("a refused completion left a session: %v", err)
		}
		c.TOTPUse.Step = 101
		if err := st.CompleteLogin(ctx, c); err != nil {
			t.Fatalf("complete: %v", err)
		}
		if _, err := st.FlowByToken(ctx, auth.HashToken(token), "ip:192.0.2.1", time.Time{}); !errors.Is(err, auth.ErrFlowNotFound) {
			t.Fatalf("flow after completion: got %v, want ErrFlowNotFound", err)
		}
		c.TOTPUse.Step = 102
		if err := st.CompleteLogin(ctx, c); !errors.Is(err, auth.ErrFlowNotFound) {
			t.Fatalf("complete a consumed flow: got %v, want ErrFlowNotFound", err)
		}
		s, err := st.SessionByToken(ctx, auth.HashToken(sessToken))
		if err != nil || s.UserID != u.ID || s.Username != "sato" || !s.ExpiresAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("SessionByToken = %+v, %v", s, err)
		}
	})
}

func TestRecordFailure(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := addUser(t, st, "sato")
		f, token := addFlow(t, st, u, auth.MFARequired)
		keys := []string{"user:sato", "ip:192.0.2.1"}
		for i := 1; i <= 3; i++ {
			if n, err := st.ClaimAttempt(ctx, f.ID, 3); err != nil || n != i {
				t.Fatalf("claim %d: got %d, %v", i, n, err)
			}
			fl := &auth.Failure{At: t0.Add(time.Duration(i) * time.Second), Keys: keys,
				Audit: []auth.AuditEvent{{At: t0, Type: auth.EventLoginFailed, UserID: u.ID}}}
			if i == 3 {
				fl.EndFlowID = f.ID
			}
			if err := st.RecordFailure(ctx, fl); err != nil {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		if _, err := st.FlowByToken(ctx, auth.HashToken(token), "ip:192.0.2.1", time.Time{}); !errors.Is(err, auth.ErrFlowNotFound) {
			t.Fatalf("flow after its last attempt: got %v, want ErrFlowNotFound", err)
		}
		if _, err := st.ClaimAttempt(ctx, f.ID, 3); !errors.Is(err, auth.ErrFlowNotFound) {
			t.Fatalf("claim on an ended flow: got %v, want ErrFlowNotFound", err)
		}
		live, _ := addFlow(t, st, u, auth.MFARequired)
		for range 2 {
			if _, err := st.ClaimAttempt(ctx, live.ID, 2); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.ClaimAttempt(ctx, live.ID, 2); !errors.Is(err, auth.ErrFlowExhausted) {
			t.Fatalf("claim beyond the limit: got %v, want ErrFlowExhausted", err)
		}
		// A failure whose flow ended meanwhile is still a security event.
		if err := st.RecordFailure(ctx, &auth.Failure{At: t0, Keys: keys, EndFlowID: f.ID,
			Audit: []auth.AuditEvent{{At: t0, Type: auth.EventLoginFailed, UserID: u.ID}}}); err != nil {
			t.Fatalf("failure on an ended flow: %v", err)
		}
		if got := auditTypes(t, st); len(got) < 4 {
			t.Errorf("audit = %v; want the four failures", got)
		}
		recent, err := st.RecentFailures(ctx, append(keys, "user:other"), t0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := recent["user:sato"]; len(got) != 2 || !got[0].Equal(t0.Add(3*time.Second)) || !got[1].Equal(t0.Add(2*time.Second)) {
			t.Errorf("RecentFailures(user, limit 2) = %v; want the two newest, newest first", got)
		}
		if got := recent["user:other"]; len(got) != 0 {
			t.Errorf("RecentFailures(other) = %v; want none", got)
		}
		recent, _ = st.RecentFailures(ctx, keys, t0.Add(2*time.Second), 10)
		if got := recent["ip:192.0.2.1"]; len(got) != 1 {
			t.Errorf("RecentFailures since t0+2s = %v; want only the one after", got)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := addUser(t, st, "sato")
		token, err := login(t, st, u, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		hash := auth.HashToken(token)
		s, err := st.SessionByToken(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.TouchSession(ctx, s.ID, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if s, _ = st.SessionByToken(ctx, hash); !s.LastSeenAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("last seen after touch = %v, want %v", s.LastSeenAt, t0.Add(time.Minute))
		}

		if err := st.DeleteSession(ctx, hash, auth.AuditEvent{At: t0, Type: auth.EventLogout}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByToken(ctx, hash); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("session after delete: got %v, want ErrUnauthenticated", err)
		}
		if err := st.DeleteSession(ctx, hash, auth.AuditEvent{At: t0, Type: auth.EventLogout}); err != nil {
			t.Fatalf("deleting a deleted session: %v", err)
		}
		var logouts []struct {
			UserID   int64  `bun:"user_id"`
			Username string `bun:"username"`
		}
		if err := st.DB().NewSelect().Table("audit_events").Column("user_id", "username").Where("type = ?", auth.EventLogout).Scan(ctx, &logouts); err != nil {
			t.Fatal(err)
		}
		if len(logouts) != 1 || logouts[0].UserID != u.ID || logouts[0].Username != "sato" {
			t.Errorf("logout audit = %+v; want one, naming sato", logouts)
		}
	})
}

// TestDisableEndsSessions checks that disabling a user deletes their sessions
// and flows (not only hides them), and that reset-MFA removes their devices.
func TestDisableEndsSessions(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := addUser(t, st, "sato")
		other := addUser(t, st, "abe")
		enrol(t, st, u, 1)
		token, _ := login(t, st, u, nil, nil)
		otherToken, _ := login(t, st, other, nil, nil)
		_, flowToken := addFlow(t, st, u, auth.MFARequired)

		if err := st.SetUserDisabled(ctx, u.ID, true, auth.AuditEvent{At: t0, Type: auth.EventUserDisabled, UserID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if lu, err := st.LoginUser(ctx, "sato", "ip:192.0.2.1", time.Time{}); err != nil || !lu.Disabled {
			t.Fatalf("LoginUser after disable = %+v, %v; want disabled", lu, err)
		}
		if err := st.SetUserDisabled(ctx, u.ID, false, auth.AuditEvent{At: t0, Type: auth.EventUserEnabled, UserID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByToken(ctx, auth.HashToken(token)); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("session survived disable and enable: %v", err)
		}
		if _, err := st.FlowByToken(ctx, auth.HashToken(flowToken), "ip:192.0.2.1", time.Time{}); !errors.Is(err, auth.ErrFlowNotFound) {
			t.Errorf("flow survived disable and enable: %v", err)
		}
		if _, err := st.SessionByToken(ctx, auth.HashToken(otherToken)); err != nil {
			t.Errorf("another user's session was ended: %v", err)
		}

		token, _ = login(t, st, u, nil, nil)
		if err := st.ResetMFA(ctx, u.ID, auth.AuditEvent{At: t0, Type: auth.EventMFAReset, UserID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if lu, _ := st.LoginUser(ctx, "sato", "ip:192.0.2.1", time.Time{}); lu.TOTPDevices != 0 {
			t.Errorf("devices after reset = %d, want 0", lu.TOTPDevices)
		}
		if _, err := st.SessionByToken(ctx, auth.HashToken(token)); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("session survived reset-MFA: %v", err)
		}
	})
}

func TestPurge(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u := addUser(t, st, "sato")
		_, flowToken := addFlow(t, st, u, auth.MFARequired) // expires t0+10m
		token, _ := login(t, st, u, nil, nil)               // expires t0+12h
		if err := st.RecordFailure(ctx, &auth.Failure{At: t0, Keys: []string{"user:sato"}}); err != nil {
			t.Fatal(err)
		}
		if err := st.Purge(ctx, t0.Add(10*time.Minute), time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := st.FlowByToken(ctx, auth.HashToken(flowToken), "ip:192.0.2.1", time.Time{}); !errors.Is(err, auth.ErrFlowNotFound) {
			t.Errorf("expired flow not purged: %v", err)
		}
		if _, err := st.SessionByToken(ctx, auth.HashToken(token)); err != nil {
			t.Errorf("live session purged: %v", err)
		}
		if r, _ := st.RecentFailures(ctx, []string{"user:sato"}, t0.Add(-time.Second), 10); len(r["user:sato"]) != 1 {
			t.Errorf("a failure younger than keepFailures was purged")
		}
		if err := st.Purge(ctx, t0.Add(12*time.Hour), time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByToken(ctx, auth.HashToken(token)); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("expired session not purged: %v", err)
		}
		if r, _ := st.RecentFailures(ctx, []string{"user:sato"}, t0.Add(-time.Second), 10); len(r["user:sato"]) != 0 {
			t.Errorf("an old failure was not purged")
		}
	})
}
