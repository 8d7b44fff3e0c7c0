package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/mail"
)

// config is every setting of kanmon: a flag beats its KANMON_* variable, which
// beats the default.
type config struct {
	Addr           string
	DatabaseURL    string
	BaseURL        string
	Dev            bool
	SecretKey      string // base64 of 32 bytes
	TrustedProxies string // comma-separated CIDRs
	MemoryLimitMiB int64
	LogLevel       string
	SMTP           mail.SMTPConfig
	// WebAuthnRPID defaults to the base URL's host; WebAuthnOrigins adds
	// origins (comma-separated) to the base URL's.
	WebAuthnRPID    string
	WebAuthnOrigins string
	Auth            auth.Config
	Argon2          auth.Argon2Params
	HashSlots       int
	HashWait        time.Duration
}

// flagSet binds each setting to a flag whose default comes from the environment.
type flagSet struct {
	*flag.FlagSet
	getenv func(string) string
	errs   []error
	after  []func() // conversions once the flags are parsed
}

func newFlagSet(name string, getenv func(string) string) *flagSet {
	return &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), getenv: getenv}
}

// parse parses args and reports bad environment values too.
func (f *flagSet) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		return err
	}
	for _, fn := range f.after {
		fn()
	}
	return errors.Join(f.errs...)
}

func (f *flagSet) str(p *string, name, env, def, usage string) {
	if v := f.getenv(env); v != "" {
		def = v
	}
	f.StringVar(p, name, def, usage+" ("+env+")")
}

func (f *flagSet) boolean(p *bool, name, env string, def bool, usage string) {
	if v := f.getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		f.check(env, err)
		def = b
	}
	f.BoolVar(p, name, def, usage+" ("+env+")")
}

func (f *flagSet) integer(p *int, name, env string, def int, usage string) {
	if v := f.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		f.check(env, err)
		def = n
	}
	f.IntVar(p, name, def, usage+" ("+env+")")
}

func (f *flagSet) duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	if v := f.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		f.check(env, err)
		def = d
	}
	f.DurationVar(p, name, def, usage+" ("+env+")")
}

func (f *flagSet) check(env string, err error) {
	if err != nil {
		f.errs = append(f.errs, fmt.Errorf("%s: %w", env, err))
	}
}

// storageFlags are the settings every command that opens the database needs.
func (c *config) storageFlags(f *flagSet) {
	f.str(&c.DatabaseURL, "db", "KANMON_DATABASE_URL", "file:data/kanmon.db", "database: file:PATH for SQLite or postgres://…")
}

// hashFlags are the password-hashing settings (serve and user add).
func (c *config) hashFlags(f *flagSet) {
	var m, t, p int
	f.integer(&m, "argon2-memory", "KANMON_ARGON2_MEMORY_KIB", int(auth.DefaultArgon2.MemoryKiB), "argon2id memory in KiB")
	f.integer(&t, "argon2-iterations", "KANMON_ARGON2_ITERATIONS", int(auth.DefaultArgon2.Iterations), "argon2id iterations")
	f.integer(&p, "argon2-parallelism", "KANMON_ARGON2_PARALLELISM", int(auth.DefaultArgon2.Parallelism), "argon2id parallelism")
	f.integer(&c.HashSlots, "hash-concurrency", "KANMON_HASH_CONCURRENCY", 0, "passwords hashed at once (0: one per CPU)")
	f.duration(&c.HashWait, "hash-wait", "KANMON_HASH_WAIT", 5*time.Second, "longest wait for a hashing slot before 503")
	f.after = append(f.after, func() {
		c.Argon2 = auth.Argon2Params{MemoryKiB: uint32(max(m, 0)), Iterations: uint32(max(t, 0)), Parallelism: uint8(min(max(p, 0), 255))}
	})
}

// serveFlags are the settings of the server.
func (c *config) serveFlags(f *flagSet) {
	d := auth.DefaultConfig()
	c.Auth = d
	f.str(&c.Addr, "addr", "KANMON_ADDR", ":8080", "listen address")
	f.str(&c.BaseURL, "base-url", "KANMON_BASE_URL", "http://localhost:8080", "public URL users reach Kanmon at")
	f.boolean(&c.Dev, "dev", "KANMON_DEV", false, "dev mode: plain-HTTP cookies on localhost, secret key kept under the data directory")
	f.str(&c.SecretKey, "secret-key", "KANMON_SECRET_KEY", "", "base64 of 32 random bytes that encrypt TOTP secrets (required unless --dev)")
	f.str(&c.Auth.Issuer, "issuer", "KANMON_ISSUER", d.Issuer, "system name shown in authenticator apps")
	f.duration(&c.Auth.FlowTTL, "flow-ttl", "KANMON_FLOW_TTL", d.FlowTTL, "time allowed from password to second factor")
	f.integer(&c.Auth.MaxCodeAttempts, "max-code-attempts", "KANMON_MAX_CODE_ATTEMPTS", d.MaxCodeAttempts, "wrong codes that end a login")
	f.integer(&c.Auth.UserFailureLimit, "user-failure-limit", "KANMON_USER_FAILURE_LIMIT", d.UserFailureLimit, "failures that lock a user for the failure window")
	f.integer(&c.Auth.ClientFailureLimit, "client-failure-limit", "KANMON_CLIENT_FAILURE_LIMIT", d.ClientFailureLimit, "failures that lock a client address for the failure window")
	f.duration(&c.Auth.FailureWindow, "failure-window", "KANMON_FAILURE_WINDOW", d.FailureWindow, "window in which failures count, and lock duration")
	f.duration(&c.Auth.SessionIdle, "session-idle", "KANMON_SESSION_IDLE", d.SessionIdle, "session ends after this long without activity")
	f.duration(&c.Auth.SessionLifetime, "session-lifetime", "KANMON_SESSION_LIFETIME", d.SessionLifetime, "session ends after this long in any case")
	f.str(&c.TrustedProxies, "trusted-proxies", "KANMON_TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed")
	var mem int
	f.integer(&mem, "memory-limit", "KANMON_MEMORY_LIMIT_MIB", 90, "soft memory limit for the Go runtime in MiB (0: none)")
	f.str(&c.LogLevel, "log-level", "KANMON_LOG_LEVEL", "info", "debug, info, warn or error")
	f.duration(&c.Auth.EmailCodeTTL, "email-code-ttl", "KANMON_EMAIL_CODE_TTL", d.EmailCodeTTL, "validity of an e-mailed code")
	f.duration(&c.Auth.EmailResendAfter, "email-resend-after", "KANMON_EMAIL_RESEND_AFTER", d.EmailResendAfter, "wait before another e-mail code")
	f.integer(&c.Auth.EmailHourlyCap, "email-hourly-cap", "KANMON_EMAIL_HOURLY_CAP", d.EmailHourlyCap, "e-mail codes per user per hour")
	f.duration(&c.Auth.TrustFor, "trust-for", "KANMON_TRUST_FOR", d.TrustFor, "how long a trusted browser skips the second factor")
	f.boolean(&c.Auth.OfferAllMethods, "offer-all-methods", "KANMON_OFFER_ALL_METHODS", false, "offer every second factor a user has, not only the manual's choice")
	f.str(&c.WebAuthnRPID, "webauthn-rp-id", "KANMON_WEBAUTHN_RP_ID", "", "WebAuthn relying party ID (default: the base URL's host)")
	f.str(&c.WebAuthnOrigins, "webauthn-origins", "KANMON_WEBAUTHN_ORIGINS", "", "extra comma-separated origins allowed for WebAuthn besides the base URL")
	var tls string
	f.str(&c.SMTP.Host, "smtp-host", "KANMON_SMTP_HOST", "", "SMTP server for mail (empty: dev mode keeps mail in the outbox and the log; production offers no e-mail codes)")
	f.integer(&c.SMTP.Port, "smtp-port", "KANMON_SMTP_PORT", 0, "SMTP port (0: 25, 587 or 465 by TLS mode)")
	f.str(&tls, "smtp-tls", "KANMON_SMTP_TLS", string(mail.TLSStartTLS), "none, starttls or tls")
	f.str(&c.SMTP.Username, "smtp-username", "KANMON_SMTP_USERNAME", "", "SMTP AUTH user (empty: no AUTH)")
	f.str(&c.SMTP.Password, "smtp-password", "KANMON_SMTP_PASSWORD", "", "SMTP AUTH password")
	f.str(&c.SMTP.From, "smtp-from", "KANMON_SMTP_FROM", "noreply@localhost", "sender address")
	f.str(&c.SMTP.FromName, "smtp-from-name", "KANMON_SMTP_FROM_NAME", "", "sender name (default: the issuer)")
	f.duration(&c.SMTP.Timeout, "smtp-timeout", "KANMON_SMTP_TIMEOUT", 30*time.Second, "SMTP connection and command timeout")
	f.after = append(f.after, func() { c.SMTP.TLS = mail.TLSMode(tls) })
	f.after = append(f.after, func() { c.MemoryLimitMiB = int64(mem) })
}

// serverSettings checks the server settings and derives what they imply.
type serverSettings struct {
	baseURL *url.URL
	proxies []*net.IPNet
	key     []byte
}

func (c *config) validateServe() (*serverSettings, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("KANMON_BASE_URL %q must be an origin like https://login.example.jp", c.BaseURL)
	}
	if u.Scheme == "http" && !(c.Dev && isLocalhost(u.Hostname())) {
		return nil, fmt.Errorf("KANMON_BASE_URL %q: plain HTTP is allowed only in dev mode on localhost", c.BaseURL)
	}
	st := &serverSettings{baseURL: u}
	for _, cidr := range strings.Split(c.TrustedProxies, ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return nil, fmt.Errorf("KANMON_TRUSTED_PROXIES: %w", err)
		}
		st.proxies = append(st.proxies, n)
	}
	if st.key, err = c.secretKey(); err != nil {
		return nil, err
	}
	return st, nil
}

func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// secretKey decodes the configured key or, in dev mode only, reads or creates one
// beside the SQLite database so that secrets survive restarts.
func (c *config) secretKey() ([]byte, error) {
	if c.SecretKey != "" {
		key, err := base64.StdEncoding.DecodeString(c.SecretKey)
		if err != nil || len(key) != 32 {
			return nil, errors.New("KANMON_SECRET_KEY must be base64 of 32 bytes (openssl rand -base64 32)")
		}
		return key, nil
	}
	if !c.Dev {
		return nil, errors.New("KANMON_SECRET_KEY is required outside dev mode (openssl rand -base64 32)")
	}
	path := filepath.Join(c.dataDir(), "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("%s is not base64 of 32 bytes", path)
		}
		return key, nil
	}
	key := auth.RandomKey()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("dev secret key: %w", err)
	}
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("dev secret key: %w", err)
	}
	return key, nil
}

// dataDir is the directory of the SQLite file, or ./data with PostgreSQL.
func (c *config) dataDir() string {
	if strings.HasPrefix(c.DatabaseURL, "postgres") {
		return "data"
	}
	p, _, _ := strings.Cut(strings.TrimPrefix(c.DatabaseURL, "file:"), "?")
	return filepath.Dir(p)
}
