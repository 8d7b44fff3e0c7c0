package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is the whole HTTP surface of Kanmon in one place.
func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/openapi.json", s.getOpenAPI)

	v1 := e.Group("/api/v1", noStore, middleware.BodyLimit(s.cfg.BodyLimit), s.sameOriginJSON)
	v1.POST("/login", s.postLogin)
	v1.GET("/login/flow", s.getLoginFlow)
	v1.POST("/login/totp/setup", s.postTOTPSetup)
	v1.POST("/login/totp/activate", s.postTOTPActivate)
	v1.POST("/login/verify", s.postLoginVerify)
	v1.POST("/login/email/send", s.postEmailSend)
	v1.POST("/login/webauthn/begin", s.postWebAuthnLoginBegin)
	v1.POST("/login/webauthn/finish", s.postWebAuthnLoginFinish)
	v1.DELETE("/trusted-browser", s.deleteTrustedBrowser)
	v1.POST("/webauthn/register/begin", s.postWebAuthnRegisterBegin)
	v1.POST("/webauthn/register/finish", s.postWebAuthnRegisterFinish)
	v1.POST("/webauthn/register/decline", s.postWebAuthnRegisterDecline)
	v1.GET("/webauthn/credentials", s.getWebAuthnCredentials)
	v1.PATCH("/webauthn/credentials/:id", s.patchWebAuthnCredential)
	v1.DELETE("/webauthn/credentials/:id", s.deleteWebAuthnCredential)
	v1.GET("/session", s.getSession)
	v1.POST("/logout", s.postLogout)
	e.Any("/api/*", func(echo.Context) error { return echo.ErrNotFound }) // never the SPA

	if s.cfg.Dev && s.cfg.DevMailbox != nil {
		e.GET("/dev/mail", s.getDevMail)
	}
	e.GET("/*", s.serveSPA(s.static))
}

// noStore keeps API answers (sessions, secrets, QR codes) out of every cache.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// getOpenAPI serves the OpenAPI 3 document of this API.
func (s *Server) getOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, s.openapi)
}
