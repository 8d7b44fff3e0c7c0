// Concurrency tests of the attempt limits: bursts of guesses sent at once must
// not get more checks than the limits allow.
package auth_test

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/authtest"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

// gatheringStore holds each LoginUser answer until n logins have read their
// failure counts, or a moment has passed: without the hashing slot held across
// read and record, a whole burst would read the same stale count.
type gatheringStore struct {
	*store.Store
	n       int32
	arrived atomic.Int32
	all     chan struct{}
	once    sync.Once
}

func (g *gatheringStore) LoginUser(ctx context.Context, username, clientKey string, since time.Time) (*auth.LoginUser, error) {
	u, err := g.Store.LoginUser(ctx, username, clientKey, since)
	if g.arrived.Add(1) == g.n {
		g.once.Do(func() { close(g.all) })
	}
	select {
	case <-g.all:
	case <-time.After(50 * time.Millisecond): // only the slots' holders get here: let them go on
	}
	return u, err
}

// A burst of concurrent wrong passwords for one user gets at most the limit,
// plus the hashing slots less one, of its passwords checked: a login holds its
// slot from reading the failure count to recording its failure
// (api/auth/service.go, checkPassword). The bound holds whatever the timing.
func TestConcurrentGuessesBeyondLimit(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		const burst, slots = 30, 2
		clock := authtest.NewClock(authtest.T0)
		cfg := auth.DefaultConfig()
		hasher, err := auth.NewHasher(tinyArgon2, slots, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		svc := auth.New(&gatheringStore{Store: st, n: burst, all: make(chan struct{})}, hasher, nil, cfg, clock.Now)
		ctx := context.Background()
		if _, err := svc.CreateUser(ctx, auth.NewUser{Username: "sato", Password: "correct horse battery"}, auth.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, burst)
		var wg sync.WaitGroup
		for i := range burst {
			wg.Go(func() {
				_, errs[i] = svc.Login(ctx, "sato", "guess", "", auth.Client{IP: "203.0.113.1"})
			})
		}
		wg.Wait()
		checked := 0
		for _, err := range errs {
			if errors.Is(err, auth.ErrBadCredentials) {
				checked++ // the password was hashed and compared, and refused
			} else if !errors.Is(err, auth.ErrRateLimited) {
				t.Fatalf("unexpected answer %v", err)
			}
		}
		if checked > cfg.UserFailureLimit+slots-1 {
			t.Errorf("%d of %d concurrent guesses had their password checked; the limit is %d (+%d slots)", checked, burst, cfg.UserFailureLimit, slots-1)
		}
	})
}

// flowBarrierStore holds every FlowByToken answer until n requests have loaded
// the flow, and counts the wrong codes recorded.
type flowBarrierStore struct {
	*store.Store
	n        int32
	arrived  atomic.Int32
	all      chan struct{}
	once     sync.Once
	recorded atomic.Int32
}

func (b *flowBarrierStore) FlowByToken(ctx context.Context, hash []byte, clientKey string, since time.Time) (*auth.Flow, error) {
	f, err := b.Store.FlowByToken(ctx, hash, clientKey, since)
	if b.arrived.Add(1) == b.n {
		b.once.Do(func() { close(b.all) })
	}
	select {
	case <-b.all:
	case <-time.After(10 * time.Second): // safety valve only
	}
	return f, err
}

func (b *flowBarrierStore) RecordFailure(ctx context.Context, f *auth.Failure) error {
	b.recorded.Add(1)
	return b.Store.RecordFailure(ctx, f)
}

// The same race on codes: a burst of codes sent at once on one login flow,
// all loaded with the flow before any is compared, gets no more than the flow's
// five attempts checked, because each claims its attempt first
// (api/auth/service.go, authStep).
func TestConcurrentCodesBeyondFlowLimit(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		const burst = 20
		ctx := context.Background()
		clock := authtest.NewClock(authtest.T0)
		cfg := auth.DefaultConfig()
		sealer, _ := auth.NewSealer(auth.RandomKey())
		plain := auth.New(st, newHasher(t, tinyArgon2), sealer, cfg, clock.Now)
		if _, err := plain.CreateUser(ctx, auth.NewUser{Username: "sato", Password: "correct horse battery"}, auth.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		web := auth.Client{IP: "203.0.113.1"}
		// Enrol with a code computed here, then begin a second login.
		res, err := plain.Login(ctx, "sato", "correct horse battery", "", web)
		if err != nil {
			t.Fatal(err)
		}
		setup, err := plain.SetupTOTP(ctx, res.FlowToken)
		if err != nil {
			t.Fatal(err)
		}
		secret, err := b32decode(setup.Secret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := plain.ActivateTOTP(ctx, res.FlowToken, codeAt(secret, clock.Now()), web); err != nil {
			t.Fatal(err)
		}
		res, err = plain.Login(ctx, "sato", "correct horse battery", "", web)
		if err != nil {
			t.Fatal(err)
		}

		bs := &flowBarrierStore{Store: st, n: burst, all: make(chan struct{})}
		svc := auth.New(bs, newHasher(t, tinyArgon2), sealer, cfg, clock.Now)
		valid := map[string]bool{}
		for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
			valid[codeAt(secret, clock.Now().Add(d))] = true
		}
		var wrong []string
		for i := 0; len(wrong) < burst; i++ {
			if c := fmt.Sprintf("%06d", i*7919%1000000); !valid[c] {
				wrong = append(wrong, c)
			}
		}
		var wg sync.WaitGroup
		for _, code := range wrong {
			wg.Go(func() { _, _ = svc.VerifyTOTP(ctx, res.FlowToken, code, auth.VerifyOptions{}, web) })
		}
		wg.Wait()
		if n := bs.recorded.Load(); n > int32(cfg.MaxCodeAttempts) {
			t.Errorf("%d of %d concurrent wrong codes were compared on one flow; a flow allows %d", n, burst, cfg.MaxCodeAttempts)
		}
		// And every wrong code compared is a security event: audited and counted
		// against the user, even when the flow ended meanwhile.
		var failed int
		if err := st.DB().NewSelect().Table("audit_events").ColumnExpr("count(*)").Where("type = ?", auth.EventLoginFailed).Scan(ctx, &failed); err != nil {
			t.Fatal(err)
		}
		if failed != int(bs.recorded.Load()) {
			t.Errorf("%d wrong codes compared, %d login.failed events written", bs.recorded.Load(), failed)
		}
	})
}

func b32decode(s string) ([]byte, error) {
	return base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
}
