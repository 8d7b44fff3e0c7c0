package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// cookieNames are the cookie names in use: __Host- prefixed and Secure behind
// HTTPS; plain names only for dev mode on http://localhost, where browsers would
// refuse the prefix.
type cookieNames struct {
	secure  bool
	session string
	flow    string
	trust   string // the trusted-browser token
}

func newCookieNames(cfg Config) cookieNames {
	if cfg.BaseURL.Scheme == "https" {
		return cookieNames{secure: true, session: "__Host-kanmon_session", flow: "__Host-kanmon_flow", trust: "__Host-kanmon_trust"}
	}
	return cookieNames{session: "kanmon_session", flow: "kanmon_flow", trust: "kanmon_trust"}
}

// setCookie sets an HttpOnly, SameSite=Lax cookie on path / that lives until
// expires (zero: delete it).
func (s *Server) setCookie(c echo.Context, name, value string, expires time.Time) {
	ck := &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.cookies.secure, SameSite: http.SameSiteLaxMode,
	}
	if expires.IsZero() {
		ck.MaxAge = -1
	} else {
		// By the service's clock, which set expires.
		ck.Expires = expires
		ck.MaxAge = int(expires.Sub(s.auth.Now()).Seconds())
	}
	c.SetCookie(ck)
}

// cookie returns the value of the named cookie, or "".
func cookie(c echo.Context, name string) string {
	ck, err := c.Cookie(name)
	if err != nil {
		return ""
	}
	return ck.Value
}
