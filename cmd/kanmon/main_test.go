package main

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/apitest"
	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/auth/authtest"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/api/store/storetest"
)

const password = "correct horse battery staple"

// cli runs kanmon in-process against one database, with small argon2id
// parameters and no memory limit (the test binary is not the server).
type cli struct {
	t   *testing.T
	env map[string]string
}

func newCLI(t *testing.T, dbURL string) *cli {
	return &cli{t: t, env: map[string]string{
		"KANMON_DATABASE_URL":       dbURL,
		"KANMON_ARGON2_MEMORY_KIB":  "64",
		"KANMON_ARGON2_ITERATIONS":  "1",
		"KANMON_ARGON2_PARALLELISM": "1",
		"KANMON_MEMORY_LIMIT_MIB":   "0",
	}}
}

// run runs kanmon with args and stdin and returns its output and error.
func (c *cli) run(stdin string, args ...string) (stdout, stderr string, err error) {
	c.t.Helper()
	var out, errOut apitest.SyncBuffer
	e := env{getenv: func(k string) string { return c.env[k] }, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}
	err = run(context.Background(), args, e)
	return out.String(), errOut.String(), err
}

// ok runs kanmon and fails the test unless it succeeds.
func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run(stdin, args...)
	if err != nil {
		c.t.Fatalf("kanmon %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// fails runs kanmon, expects an error with exit code and message, and returns it.
func (c *cli) fails(code int, msg string, stdin string, args ...string) {
	c.t.Helper()
	_, _, err := c.run(stdin, args...)
	if err == nil {
		c.t.Fatalf("kanmon %s succeeded, want exit code %d", strings.Join(args, " "), code)
	}
	if got := exitCode(err); got != code {
		c.t.Errorf("kanmon %s: exit code %d, want %d (%v)", strings.Join(args, " "), got, code, err)
	}
	if !strings.Contains(err.Error(), msg) {
		c.t.Errorf("kanmon %s: error %q does not say %q", strings.Join(args, " "), err, msg)
	}
}

func TestUserCommands(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dbURL string) {
		c := newCLI(t, dbURL)
		out := c.ok(password+"\n", "user", "add", "--email", "Keiri@Sato.Example.JP", "--password-stdin", "Sato-Kensetsu")
		if out != "created user sato-kensetsu\n" {
			t.Errorf("user add printed %q", out)
		}
		out = c.ok("", "user", "add", "abe")
		generated, found := strings.CutPrefix(out, "created user abe\npassword (shown once): ")
		if !found || len(strings.TrimSpace(generated)) != 26 {
			t.Errorf("user add without --password-stdin printed %q; want a generated 26-character password", out)
		}

		c.fails(1, "already exists", password+"\n", "user", "add", "--password-stdin", "SATO-kensetsu")
		c.fails(1, "not valid", password+"\n", "user", "add", "--email", "not an address", "--password-stdin", "tanaka")
		c.fails(1, "at least 10", "short\n", "user", "add", "--password-stdin", "tanaka")
		c.fails(1, "no password on stdin", "", "user", "add", "--password-stdin", "tanaka")
		c.fails(1, "user name", password+"\n", "user", "add", "--password-stdin", "two words")
		c.fails(2, "wrong number of arguments", "", "user", "add")
		c.fails(2, "unknown user subcommand", "", "user", "rename", "x")
		for _, sub := range []string{"show", "disable", "enable", "reset-mfa"} {
			c.fails(1, "no user named tanaka", "", "user", sub, "Tanaka")
		}

		out = c.ok("", "user", "list")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") ||
			!strings.HasPrefix(lines[1], "abe ") || !strings.Contains(lines[1], "active") ||
			!strings.HasPrefix(lines[2], "sato-kensetsu ") || !strings.Contains(lines[2], "Keiri@sato.example.jp") {
			t.Errorf("user list printed:\n%s", out)
		}
		c.ok("", "user", "disable", "abe")
		if out := c.ok("", "user", "show", "ABE"); !strings.Contains(out, "name:    abe\n") || !strings.Contains(out, "status:  disabled\n") {
			t.Errorf("user show after disable printed:\n%s", out)
		}
		if out := c.ok("", "user", "list"); !strings.Contains(out, "disabled") {
			t.Errorf("user list does not show the disabled user:\n%s", out)
		}
		c.ok("", "user", "enable", "abe")
		if out := c.ok("", "user", "show", "abe"); !strings.Contains(out, "status:  active\n") {
			t.Errorf("user show after enable printed:\n%s", out)
		}
	})
}

func TestUsageErrors(t *testing.T) {
	c := newCLI(t, "file:"+t.TempDir()+"/k.db")
	c.fails(2, "no command", "")
	c.fails(2, "unknown command", "", "frobnicate")
	c.fails(2, "no subcommand", "", "user")
	if _, _, err := c.run("", "serve", "-h"); exitCode(err) != 2 {
		t.Errorf("serve -h: exit code %d, want 2", exitCode(err))
	}
	if out := c.ok("", "help"); !strings.Contains(out, "kanmon serve") {
		t.Errorf("help printed %q", out)
	}
	c.env["KANMON_ARGON2_ITERATIONS"] = "many"
	c.fails(1, "KANMON_ARGON2_ITERATIONS", "", "user", "list")
}

func TestServeRefusesUnsafeSettings(t *testing.T) {
	c := newCLI(t, "file:"+t.TempDir()+"/k.db")
	c.fails(1, "plain HTTP is allowed only in dev mode", "", "serve", "--addr", "127.0.0.1:0", "--base-url", "http://login.example.jp", "--secret-key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	c.fails(1, "KANMON_SECRET_KEY is required", "", "serve", "--addr", "127.0.0.1:0", "--base-url", "https://login.example.jp")
	c.fails(1, "must be base64 of 32 bytes", "", "serve", "--addr", "127.0.0.1:0", "--base-url", "https://login.example.jp", "--secret-key", "c2hvcnQ=")
	c.fails(1, "must be an origin", "", "serve", "--addr", "127.0.0.1:0", "--base-url", "https://login.example.jp/app", "--dev")
}

// service opens the CLI's database as the server would, on a test clock.
func service(t *testing.T, dbURL string) (*auth.Service, *store.Store, *authtest.Clock) {
	t.Helper()
	st, err := store.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h, err := auth.NewHasher(auth.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := auth.NewSealer(auth.RandomKey())
	clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
	return auth.New(st, h, sealer, auth.DefaultConfig(), clock.Now), st, clock
}

// session gives the user a TOTP device and a session straight through the store
// and returns the session token.
func session(t *testing.T, st *store.Store, name string, at time.Time, withDevice bool) string {
	t.Helper()
	ctx := context.Background()
	u, err := st.LoginUser(ctx, name, "ip:192.0.2.1", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	state := auth.MFARequired
	var dev *auth.TOTPDevice
	if withDevice {
		state = auth.MFASetupRequired
		dev = &auth.TOTPDevice{UserID: u.ID, Name: "phone", SecretSealed: []byte{1}, LastStep: 1, CreatedAt: at}
	}
	_, flowHash := auth.NewToken()
	f := &auth.Flow{TokenHash: flowHash, UserID: u.ID, State: state, CreatedAt: at, ExpiresAt: at.Add(time.Minute)}
	if err := st.CreateFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	token, hash := auth.NewToken()
	err = st.CompleteLogin(ctx, &auth.Completion{FlowID: f.ID, FlowState: state, Enrol: dev,
		Session: &auth.Session{TokenHash: hash, UserID: u.ID, Factors: []string{"password", "totp"}, CreatedAt: at, LastSeenAt: at, ExpiresAt: at.Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestDisableEndsSessions(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dbURL string) {
		c := newCLI(t, dbURL)
		c.ok(password+"\n", "user", "add", "--password-stdin", "sato")
		svc, st, clock := service(t, dbURL)
		token := session(t, st, "sato", clock.Now(), false)
		if _, err := svc.Session(t.Context(), token); err != nil {
			t.Fatalf("session before disable: %v", err)
		}
		if out := c.ok("", "user", "disable", "Sato"); out != "disabled sato\n" {
			t.Errorf("disable printed %q", out)
		}
		c.ok("", "user", "enable", "sato")
		if _, err := svc.Session(t.Context(), token); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("session after disable and enable: got %v, want unauthenticated", err)
		}
	})
}

func TestResetMFA(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dbURL string) {
		c := newCLI(t, dbURL)
		c.ok(password+"\n", "user", "add", "--password-stdin", "sato")
		svc, st, clock := service(t, dbURL)
		token := session(t, st, "sato", clock.Now(), true)
		login := func() auth.State {
			t.Helper()
			res, err := svc.Login(t.Context(), "sato", password, "", auth.Client{IP: "192.0.2.1"})
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			return res.Flow.State
		}
		if got := login(); got == auth.MFASetupRequired {
			t.Fatalf("login with a device: state %s, want a second factor", got)
		}
		if out := c.ok("", "user", "reset-mfa", "sato"); !strings.Contains(out, "second factors of sato removed") {
			t.Errorf("reset-mfa printed %q", out)
		}
		if got := login(); got != auth.MFASetupRequired {
			t.Fatalf("login after reset-mfa: state %s, want %s", got, auth.MFASetupRequired)
		}
		if _, err := svc.Session(t.Context(), token); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("session after reset-mfa: got %v, want unauthenticated", err)
		}
		var types []string
		if err := st.DB().NewSelect().Table("audit_events").Column("type").Order("id").Scan(t.Context(), &types); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(types, " "), auth.EventMFAReset) {
			t.Errorf("audit %v has no %s", types, auth.EventMFAReset)
		}
	})
}

func TestMigrate(t *testing.T) {
	c := newCLI(t, "file:"+t.TempDir()+"/k.db")
	if out := c.ok("", "migrate"); !strings.HasPrefix(out, "applied: ") {
		t.Errorf("first migrate printed %q, want the migrations applied", out)
	}
	if out := c.ok("", "migrate"); out != "database is up to date\n" {
		t.Errorf("second migrate printed %q", out)
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// server is a kanmon serve running in a goroutine.
type server struct {
	base           string
	cancel         context.CancelFunc
	done           chan error
	stdout, stderr *apitest.SyncBuffer
}

// startServe runs `kanmon serve args… --addr <free port>` and waits until
// /readyz answers (polling: the wait is for readiness, nothing is timed).
func startServe(t *testing.T, c *cli, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{base: "http://" + addr, cancel: cancel, done: make(chan error, 1), stdout: &apitest.SyncBuffer{}, stderr: &apitest.SyncBuffer{}}
	t.Cleanup(cancel)
	e := env{getenv: func(k string) string { return c.env[k] }, stdin: strings.NewReader(""), stdout: s.stdout, stderr: s.stderr}
	_, port, _ := net.SplitHostPort(addr)
	args = append([]string{"serve", "--addr", addr}, args...)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "PORT", port)
	}
	go func() { s.done <- run(ctx, args, e) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK && string(body) == "ready" {
				return s
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("serve ended before it was ready: %v\nstderr: %s", err, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 30 s\nstderr: %s", s.stderr.String())
		}
	}
}

// stop cancels the server's context and checks that it shuts down gracefully:
// run returns nil and the port is closed.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("serve after cancel: %v, want nil (graceful shutdown)\nstderr: %s", err, s.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return within 30 s of cancel")
	}
	if _, err := http.Get(s.base + "/healthz"); err == nil {
		t.Error("the server still answers after shutdown")
	}
	if !strings.Contains(s.stderr.String(), `"msg":"shutting down"`) {
		t.Errorf("no shutdown log line:\n%s", s.stderr.String())
	}
}

// get returns the body of GET path.
func (s *server) get(t *testing.T, path string) string {
	t.Helper()
	res, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return string(body)
}

// checkAPI makes a few requests over real HTTP.
func (s *server) checkAPI(t *testing.T) {
	t.Helper()
	res, err := http.Get(s.base + "/api/v1/no-such-thing")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), `"code":"not_found"`) {
		t.Errorf("unknown API path: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	res, err = http.Post(s.base+"/api/v1/login", "application/json", strings.NewReader(`{"username":"demo","password":"wrong password"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"code":"bad_credentials"`) {
		t.Errorf("wrong password over HTTP: %d %s", res.StatusCode, body)
	}
}

// TestServe starts the server in dev mode on SQLite: it greets with a demo user,
// keeps its secret key beside the database, answers, and shuts down gracefully.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	c := newCLI(t, "file:"+dir+"/kanmon.db")
	s := startServe(t, c, "--dev", "--base-url", "http://localhost:PORT")
	if out := s.stdout.String(); !strings.Contains(out, "log in as:  demo") {
		t.Errorf("dev mode did not greet with a demo user:\n%s", out)
	}
	if fi, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("dev secret key beside the database: %v, %v; want a 0600 file", fi, err)
	}
	s.checkAPI(t)
	if body := s.get(t, "/dev/mail"); !strings.Contains(body, "開発用メールボックス") {
		t.Errorf("dev mode has no mailbox at /dev/mail:\n%s", body)
	}
	s.stop(t)
}

// TestServeProduction starts the server as deployed behind an HTTPS proxy, on
// each database, with the secret key from the environment.
func TestServeProduction(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dbURL string) {
		c := newCLI(t, dbURL)
		c.env["KANMON_SECRET_KEY"] = base64.StdEncoding.EncodeToString(auth.RandomKey())
		c.env["KANMON_BASE_URL"] = "https://login.example.jp"
		s := startServe(t, c)
		if strings.Contains(s.stdout.String(), "demo") {
			t.Errorf("a demo user was created outside dev mode:\n%s", s.stdout.String())
		}
		s.checkAPI(t)
		if body := s.get(t, "/dev/mail"); strings.Contains(body, "開発用メールボックス") {
			t.Errorf("the dev mailbox is served outside dev mode")
		}
		s.stop(t)
	})
}
