package api

import (
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kanmon/kanmon/api/auth"
)

// sameOriginJSON refuses state-changing requests that a browser on another site
// could have sent: they must carry a JSON body (which a cross-site form cannot
// without a CORS preflight, and Kanmon answers no preflight), and, when the
// browser says where they come from, come from Kanmon's own origin.
func (s *Server) sameOriginJSON(next echo.HandlerFunc) echo.HandlerFunc {
	origin := s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host
	return func(c echo.Context) error {
		req := c.Request()
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if o := req.Header.Get(echo.HeaderOrigin); o != "" && o != origin {
			return problemError(codeForbiddenOrigin)
		}
		if site := req.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			return problemError(codeForbiddenOrigin)
		}
		if mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); err != nil || mt != echo.MIMEApplicationJSON {
			return problemError(codeUnsupportedMediaType)
		}
		return next(c)
	}
}

// bind decodes the JSON body into v; malformed JSON is the client's mistake.
func bind(c echo.Context, v any) error {
	if err := (&echo.DefaultBinder{}).BindBody(c, v); err != nil {
		if he, ok := err.(*echo.HTTPError); ok && he.Code == http.StatusRequestEntityTooLarge {
			return problemError(codeBodyTooLarge)
		}
		return auth.ErrInvalidInput
	}
	return nil
}
