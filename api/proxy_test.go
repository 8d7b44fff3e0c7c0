package api_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/kanmon/kanmon/api/apitest"
	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/store/storetest"
)

// TestTrustedProxy: behind a trusted reverse proxy the client address is the
// one X-Forwarded-For names, for the limits and the audit trail alike; the
// proxy's own address is never blamed for its clients' failures.
func TestTrustedProxy(t *testing.T) {
	_, proxies, _ := net.ParseCIDR("10.0.0.0/8")
	cfg := auth.DefaultConfig()
	cfg.ClientFailureLimit = 2
	a := apitest.New(t, storetest.Open(t, storetest.SQLite), apitest.Options{Auth: cfg, TrustedProxies: []*net.IPNet{proxies}})
	a.CreateUser(t, "sato", password)

	proxy := a.Client("10.0.0.5")
	proxy.Header.Set("X-Forwarded-For", "203.0.113.7")
	for range 2 {
		post(t, proxy, "/api/v1/login", map[string]string{"username": "nobody", "password": "x"})
	}
	post(t, proxy, "/api/v1/login", map[string]string{"username": "sato", "password": password}).
		Problem(t, http.StatusTooManyRequests, auth.CodeRateLimited)

	// Another client through the same proxy is not locked with the first.
	proxy.Header.Set("X-Forwarded-For", "198.51.100.23")
	var f apitest.Flow
	post(t, proxy, "/api/v1/login", map[string]string{"username": "sato", "password": password}).Decode(t, http.StatusOK, &f)

	for _, e := range a.Audit(t) {
		if e.ClientIP == "10.0.0.5" {
			t.Errorf("audit event %+v names the proxy, not the client", e)
		}
	}
	if n := a.AuditCount(t, auth.EventLoginFailed); n != 2 {
		t.Errorf("%d login.failed events, want 2", n)
	}
}

// TestNotReady: /readyz says 503 when the database does not answer, with a
// problem document and nothing of the driver's error.
func TestNotReady(t *testing.T) {
	a := apitest.NewSQLite(t)
	if err := a.Store.Close(); err != nil {
		t.Fatal(err)
	}
	a.Client("192.0.2.1").Get(t, "/readyz").Problem(t, http.StatusServiceUnavailable, auth.CodeBusy)
	if res := a.Client("192.0.2.1").Get(t, "/healthz"); res.Status != http.StatusOK {
		t.Errorf("/healthz without a database: %d, want 200 (the process lives)", res.Status)
	}
}
