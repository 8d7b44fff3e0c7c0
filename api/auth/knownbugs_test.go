//go:build knownbugs

// Tests of defects found while writing the suite, kept out of the default run
// so that CI stays green until they are fixed: `go test -tags knownbugs
// ./api/auth/` shows them failing. Move each to a regular test file with its fix.
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

// barrierStore holds every LoginUser answer until n logins have read their
// failure counts: the interleaving a burst of concurrent guesses produces
// whenever hashing is slower than reading (always, at production parameters).
type barrierStore struct {
	*store.Store
	n       int32
	arrived atomic.Int32
	all     chan struct{}
	once    sync.Once
}

func (b *barrierStore) LoginUser(ctx context.Context, username, clientKey string, since time.Time) (*auth.LoginUser, error) {
	u, err := b.Store.LoginUser(ctx, username, clientKey, since)
	if b.arrived.Add(1) == b.n {
		b.once.Do(func() { close(b.all) })
	}
	select {
	case <-b.all:
	case <-time.After(10 * time.Second): // a safety valve should a fix stop some logins earlier; nothing is timed
	}
	return u, err
}

// The user limit is checked before the password is hashed and counted after,
// so concurrent guesses all pass the check: with a limit of 10, a burst of 30
// gets 30 passwords checked, where at most 10 may be (api/auth/service.go,
// Login: counts read by LoginUser, failure recorded by fail after Verify).
// At 19 MiB argon2id a burst of hundreds queues for the hashing slots with the
// same stale counts, so the per-window limit is only as strong as MaxWait.
func TestConcurrentGuessesBeyondLimit(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		const burst = 30
		bs := &barrierStore{Store: st, n: burst, all: make(chan struct{})}
		clock := authtest.NewClock(authtest.T0)
		cfg := auth.DefaultConfig()
		svc := auth.New(bs, newHasher(t, tinyArgon2), nil, cfg, clock.Now)
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
			if !errors.Is(err, auth.ErrRateLimited) {
				checked++ // the password was hashed and compared
			}
		}
		if checked > cfg.UserFailureLimit {
			t.Errorf("%d of %d concurrent guesses had their password checked; the limit is %d per window", checked, burst, cfg.UserFailureLimit)
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

func (b *flowBarrierStore) RecordFailure(ctx context.Context, f *auth.Failure) (int, error) {
	b.recorded.Add(1)
	return b.Store.RecordFailure(ctx, f)
}

// The same race on codes: a burst of codes sent at once on one login flow is
// compared in full before the fifth wrong one ends the flow, so a login allows
// as many TOTP guesses as an attacker can send at once, not five
// (api/auth/service.go, VerifyTOTP: FailedCodes and the limits are read with
// the flow, the failure counted after MatchTOTP).
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
