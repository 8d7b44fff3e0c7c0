package api

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/kanmon/kanmon/api/auth"
)

// Config is what the HTTP layer needs to know of the deployment.
type Config struct {
	// BaseURL is the public origin users reach Kanmon at; only requests from
	// this origin may change state.
	BaseURL *url.URL
	// Dev allows plain-HTTP cookies on localhost.
	Dev bool
	// TrustedProxies are the networks whose X-Forwarded-For is believed; with
	// none, the client address is the peer address.
	TrustedProxies []*net.IPNet
	// BodyLimit bounds request bodies, e.g. "64K".
	BodyLimit string
	// DevMailbox, in dev mode only, is shown at /dev/mail.
	DevMailbox *DevMailbox
}

// Pinger reports whether the database answers (readiness).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server is the HTTP server of Kanmon.
type Server struct {
	cfg     Config
	auth    *auth.Service
	db      Pinger
	log     *slog.Logger
	static  *staticFiles
	openapi []byte
	cookies cookieNames
}

// New builds the Echo application: middleware, then the route table.
// spa is the built SPA (nil in builds without the UI); openapi is the document
// served at /openapi.json.
func New(cfg Config, svc *auth.Service, db Pinger, log *slog.Logger, spa fs.FS, openapi []byte) (*echo.Echo, error) {
	static, err := newStaticFiles(spa)
	if err != nil {
		return nil, err
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "64K"
	}
	s := &Server{cfg: cfg, auth: svc, db: db, log: log, static: static, openapi: openapi, cookies: newCookieNames(cfg)}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	e.Use(
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, DisablePrintStack: true}),
		s.logRequests,
		s.securityHeaders,
	)
	s.routes(e)
	return e, nil
}

// ipExtractor believes X-Forwarded-For only from trusted proxies, so a client
// cannot pick the address its failures are counted under.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// logRequests writes one JSON line per request: no bodies, no cookies.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		attrs := []slog.Attr{slog.String("method", c.Request().Method), slog.String("path", c.Request().URL.Path)}
		if err != nil {
			c.Error(err)
			// Errors carry no secrets; their detail (a WebAuthn check that
			// failed, say) is for operators and never sent to the client.
			attrs = append(attrs, slog.String("err", err.Error()))
		}
		attrs = append(attrs, slog.Int("status", c.Response().Status), slog.String("ip", c.RealIP()),
			slog.Duration("took", time.Since(start)))
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", attrs...)
		return nil
	}
}

// contentSecurityPolicy allows only Kanmon's own scripts, plus compiling its WASM.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if s.cookies.secure { // served over HTTPS: never let a browser come back over HTTP
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// client is who is asking, for the domain's rate limits and audit.
func client(c echo.Context) auth.Client {
	return auth.Client{IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
}

func jsonEncode(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}

// healthz answers while the process runs.
//
//	@Summary	Liveness
//	@ID			healthz
//	@Tags		ops
//	@Produce	plain
//	@Success	200	{string}	string	"ok"
//	@Router		/healthz [get]
func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok")
}

// readyz answers when the database does.
//
//	@Summary	Readiness
//	@ID			readyz
//	@Tags		ops
//	@Produce	plain
//	@Success	200	{string}	string	"ready"
//	@Failure	503	{object}	Problem
//	@Router		/readyz [get]
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "err", err)
		return auth.ErrBusy
	}
	return c.String(http.StatusOK, "ready")
}
