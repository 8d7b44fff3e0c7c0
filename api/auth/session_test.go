package auth_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/authtest"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

// touchCounter counts the writes the session check makes.
type touchCounter struct {
	*store.Store
	touches atomic.Int32
}

func (c *touchCounter) TouchSession(ctx context.Context, id int64, at time.Time) error {
	c.touches.Add(1)
	return c.Store.TouchSession(ctx, id, at)
}

// TestSessionCheck: the hot session check writes "last seen" at most once a
// minute, moves the idle deadline when it does, and never past the absolute end.
func TestSessionCheck(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		clock := authtest.NewClock(authtest.T0)
		counted := &touchCounter{Store: st}
		cfg := auth.DefaultConfig()
		svc := auth.New(counted, newHasher(t, tinyArgon2), nil, cfg, clock.Now)
		if _, err := svc.CreateUser(ctx, auth.NewUser{Username: "sato", Password: "correct horse battery"}, auth.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		u, _ := st.LoginUser(ctx, "sato", "ip:192.0.2.1", time.Time{})
		_, flowHash := auth.NewToken()
		f := &auth.Flow{TokenHash: flowHash, UserID: u.ID, State: auth.MFARequired, CreatedAt: authtest.T0, ExpiresAt: authtest.T0.Add(time.Minute)}
		if err := st.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		token, hash := auth.NewToken()
		if err := st.CompleteLogin(ctx, &auth.Completion{FlowID: f.ID, FlowState: f.State, Session: &auth.Session{
			TokenHash: hash, UserID: u.ID, Factors: []string{"password", "totp"},
			CreatedAt: authtest.T0, LastSeenAt: authtest.T0, ExpiresAt: authtest.T0.Add(cfg.SessionLifetime)}}); err != nil {
			t.Fatal(err)
		}

		steps := []struct {
			advance     time.Duration
			wantTouches int32
			wantIdleEnd time.Duration // from T0
		}{
			{10 * time.Second, 0, 30 * time.Minute},
			{49 * time.Second, 0, 30 * time.Minute},
			{time.Second, 1, 31 * time.Minute}, // a minute after the last write
			{30 * time.Second, 1, 31 * time.Minute},
			{29*time.Minute + 29*time.Second, 2, 60*time.Minute + 59*time.Second}, // 1 s before the idle end
		}
		for _, s := range steps {
			clock.Advance(s.advance)
			v, err := svc.Session(ctx, token)
			if err != nil {
				t.Fatalf("at T0+%v: %v", clock.Now().Sub(authtest.T0), err)
			}
			if got := counted.touches.Load(); got != s.wantTouches {
				t.Errorf("at T0+%v: %d writes, want %d", clock.Now().Sub(authtest.T0), got, s.wantTouches)
			}
			if want := authtest.T0.Add(s.wantIdleEnd); !v.IdleExpiresAt.Equal(want) {
				t.Errorf("at T0+%v: idle end %v, want T0+%v", clock.Now().Sub(authtest.T0), v.IdleExpiresAt, s.wantIdleEnd)
			}
		}
		clock.Advance(30 * time.Minute)
		if _, err := svc.Session(ctx, token); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("after 30 idle minutes: got %v, want unauthenticated", err)
		}
		if _, err := svc.Session(ctx, ""); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("empty token: got %v, want unauthenticated", err)
		}
		if _, err := svc.Session(ctx, "forged"); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("forged token: got %v, want unauthenticated", err)
		}
	})
}
