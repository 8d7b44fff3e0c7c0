//go:build knownbugs

// Tests of defects found while writing the suite, kept out of the default run
// so that CI stays green until they are fixed: `go test -tags knownbugs
// ./api/auth/` shows them failing. Move each to a regular test file with its fix.
package auth_test

import (
	"context"
	"errors"
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
