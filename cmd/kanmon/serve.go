package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kanmon/kanmon/api"
	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/mail"
	"github.com/kanmon/kanmon/api/store"
	"github.com/kanmon/kanmon/frontend"
	"github.com/kanmon/kanmon/openapi"
)

// purgeEvery is how often expired flows, sessions and failure records are deleted.
const purgeEvery = 5 * time.Minute

func serve(ctx context.Context, args []string, e env) error {
	var c config
	fs := newFlagSet("serve", e.getenv)
	fs.SetOutput(e.stderr)
	c.storageFlags(fs)
	c.hashFlags(fs)
	c.serveFlags(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	set, err := c.validateServe()
	if err != nil {
		return err
	}
	log := newLogger(e, c.LogLevel)
	if c.MemoryLimitMiB > 0 {
		// A soft limit keeps argon2id's short-lived buffers from growing the heap
		// under a login burst (see NOTES.md: 93 MB at 90 MiB vs 105 MB without).
		debug.SetMemoryLimit(c.MemoryLimitMiB << 20)
	}

	st, err := openStore(ctx, c.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	hasher, err := auth.NewHasher(c.Argon2, c.HashSlots, c.HashWait)
	if err != nil {
		return err
	}
	sealer, err := auth.NewSealer(set.key)
	if err != nil {
		return err
	}
	sender, err := mailSender(&c, log)
	if err != nil {
		return err
	}
	if sender == nil {
		log.Warn("no SMTP server configured (KANMON_SMTP_HOST): e-mail codes are not offered")
		c.Auth.EmailCodes = false
	}
	svc := auth.New(st, hasher, sealer, c.Auth, utcNow)
	if wa := webauthnConfig(&c, set); net.ParseIP(wa.RPID) != nil {
		log.Warn("WebAuthn is off: its relying party ID must be a host name, not an IP address (use http://localhost)", "rp_id", wa.RPID)
	} else if err := svc.EnableWebAuthn(wa); err != nil {
		return err
	}
	apiCfg := api.Config{BaseURL: set.baseURL, Dev: c.Dev, TrustedProxies: set.proxies}
	renderer := &mail.Renderer{SystemName: c.Auth.Issuer}
	outbox := st.Outbox(c.Dev)
	if sender != nil {
		worker := &mail.Worker{Outbox: outbox, Sender: sender, Renderer: renderer, Logger: log, Now: utcNow}
		svc.OnMail(worker.Wake)
		go worker.Run(ctx)
	}
	if c.Dev {
		apiCfg.DevMailbox = &api.DevMailbox{Recent: outbox.RecentMail, Renderer: renderer}
	}
	handler, err := api.New(apiCfg, svc, st, log, frontend.Dist, openapi.Document)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler: handler, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go purge(ctx, st, c.Auth.FailureWindow, log)
	if c.Dev {
		if err := greet(ctx, svc, set.baseURL.String(), e); err != nil {
			return err
		}
	}
	log.Info("kanmon listening", "addr", ln.Addr().String(), "base_url", set.baseURL.String(), "dev", c.Dev)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// mailSender is the SMTP sender when a server is configured; in dev mode
// without one, mail stays in the outbox (shown at /dev/mail) and the log; in
// production without one, there is no sender and no e-mail codes.
func mailSender(c *config, log *slog.Logger) (mail.Sender, error) {
	if c.SMTP.Host == "" {
		if c.Dev {
			return mail.LogSender{Logger: log}, nil
		}
		return nil, nil
	}
	if c.SMTP.FromName == "" {
		c.SMTP.FromName = c.Auth.Issuer
	}
	s, err := mail.NewSMTPSender(c.SMTP)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return s, nil
}

// webauthnConfig makes Kanmon's public origin the relying party.
func webauthnConfig(c *config, set *serverSettings) auth.WebAuthnConfig {
	w := auth.WebAuthnConfig{RPID: c.WebAuthnRPID, DisplayName: c.Auth.Issuer,
		Origins: []string{set.baseURL.Scheme + "://" + set.baseURL.Host}}
	if w.RPID == "" {
		w.RPID = set.baseURL.Hostname()
	}
	for _, o := range strings.Split(c.WebAuthnOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			w.Origins = append(w.Origins, o)
		}
	}
	return w
}

func newLogger(e env, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: l}))
}

// purge deletes expired state until ctx ends.
func purge(ctx context.Context, st *store.Store, keepFailures time.Duration, log *slog.Logger) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		if err := st.Purge(ctx, utcNow(), keepFailures); err != nil && ctx.Err() == nil {
			log.Warn("purge failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// greet tells a new developer how to log in: with no users yet, it creates
// "demo" with a fresh password shown once.
func greet(ctx context.Context, svc *auth.Service, baseURL string, e env) error {
	users, err := svc.Users(ctx)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		fmt.Fprintf(e.stdout, "\nKanmon (dev mode) on %s — log in with an existing user;\nadd one with: kanmon user add --email you@example.jp NAME\n\n", baseURL)
		return nil
	}
	password := rand.Text()
	if _, err := svc.CreateUser(ctx, auth.NewUser{Username: "demo", Email: "demo@example.jp", Password: password}, auth.Actor{Name: "dev-greeting"}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nKanmon (dev mode) on %s\nlog in as:  demo\npassword:   %s   (shown once)\nThe first login sets up an authenticator app (Google or Microsoft Authenticator).\n\n", baseURL, password)
	return nil
}
