// Regression tests of defects found while writing the suite, each fixed since.
package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/uptrace/bun"

	"github.com/kanmon/kanmon/api/apitest"
	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/store/storetest"
)

// The failure that locks a client address is answered with the lock and
// audited, like the user lock. (It was neither: api/auth/limits.go compared
// only the user's count with its limit.)
func TestClientLockAudited(t *testing.T) {
	cfg := auth.DefaultConfig()
	cfg.ClientFailureLimit = 3
	a := apitest.New(t, storetest.Open(t, storetest.SQLite), apitest.Options{Auth: cfg})
	c := a.Client("203.0.113.9")
	for _, name := range []string{"a1", "a2"} {
		post(t, c, "/api/v1/login", map[string]string{"username": name, "password": "x"}).Problem(t, http.StatusUnauthorized, auth.CodeBadCredentials)
	}
	post(t, c, "/api/v1/login", map[string]string{"username": "a3", "password": "x"}).Problem(t, http.StatusTooManyRequests, auth.CodeRateLimited)
	if n := a.AuditCount(t, auth.EventUserLocked); n != 1 {
		t.Errorf("%d lock events for a locked client address, want 1", n)
	}
}

// Cookie lifetimes are counted by the service's clock, the one that set the
// flow's and session's ends. (They were counted by the wall clock, with
// time.Until in api/cookies.go, so an injected clock disagreed with them.)
func TestCookieMaxAgeFollowsServiceClock(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	a.Clock.Advance(17 * time.Second) // off the wall clock by a known amount
	res := post(t, a.Client("192.0.2.1"), "/api/v1/login", map[string]string{"username": "sato", "password": password})
	if ck := res.Cookie(a.FlowCookie); ck == nil || ck.MaxAge != int(a.Config.FlowTTL.Seconds()) {
		t.Fatalf("flow cookie %v; want Max-Age %d, the flow's lifetime", ck, int(a.Config.FlowTTL.Seconds()))
	}
}

// Any unknown /api/ path is a problem, never the SPA. (/api/v2/… used to get
// index.html with 200: only /api/v1/* had its own not-found route.)
func TestOtherAPIPathsNotSPA(t *testing.T) {
	spa := fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}}
	a := apitest.New(t, storetest.Open(t, storetest.SQLite), apitest.Options{SPA: spa})
	a.Client("192.0.2.1").Get(t, "/api/v2/session").Problem(t, http.StatusNotFound, auth.CodeNotFound)
}

// Refusals by the same-origin guard or the body limit carry Cache-Control:
// no-store too. (They did not while noStore ran after those middlewares.)
func TestNoStoreOnGuardErrors(t *testing.T) {
	a := apitest.NewSQLite(t)
	res := a.Client("192.0.2.1").Do(t, http.MethodPost, "/api/v1/login", "text/plain", []byte("x"), nil)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q on a 415, want no-store", cc)
	}
}

type queryCounter struct {
	mu sync.Mutex
	n  int
}

func (c *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (c *queryCounter) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if e.Query == "BEGIN" || e.Query == "COMMIT" {
		return
	}
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

// DESIGN.md: at most 8 SQL statements for a whole login, password plus TOTP.
func TestStatementsPerLogin(t *testing.T) {
	a := apitest.NewSQLite(t)
	a.CreateUser(t, "sato", password)
	secret := a.Client("192.0.2.1").Enrol(t, "sato", password)
	cnt := &queryCounter{}
	// WithQueryHook would hook a copy of the handle; the store keeps its own.
	//lint:ignore SA1019 the hook must reach the store's own *bun.DB
	a.Store.DB().AddQueryHook(cnt)
	c := a.Client("192.0.2.2")
	c.Login(t, "sato", password)
	var f apitest.Flow
	c.Verify(t, apitest.TOTP(t, secret, a.Clock.Now())).Decode(t, http.StatusOK, &f)
	if cnt.n > 8 {
		t.Errorf("a password+TOTP login ran %d SQL statements, DESIGN.md allows 8", cnt.n)
	}
}
