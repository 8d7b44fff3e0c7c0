package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kanmon/kanmon/api/auth"
)

// Problem is an RFC 9457 problem document with Kanmon's stable machine code.
type Problem struct {
	Type   string `json:"type" example:"about:blank"`
	Title  string `json:"title" example:"Unauthorized"`
	Status int    `json:"status" example:"401"`
	Detail string `json:"detail,omitempty" example:"the code is wrong or has expired"`
	// Code is the stable reason, e.g. bad_credentials, code_invalid, rate_limited.
	Code string `json:"code" example:"code_invalid"`
	// RetryAfter is the number of seconds to wait (rate limits, busy).
	RetryAfter int `json:"retry_after,omitempty" example:"900"`
	// AttemptsLeft counts the wrong codes the login still tolerates.
	AttemptsLeft *int `json:"attempts_left,omitempty" example:"4"`
} //	@name	Problem

// HTTP-only problem codes, for failures the domain never sees.
const (
	codeForbiddenOrigin      = "forbidden_origin"
	codeUnsupportedMediaType = "unsupported_media_type"
	codeBodyTooLarge         = "body_too_large"
	codeMethodNotAllowed     = "method_not_allowed"
	codeInternal             = "internal"
)

// statusOf is the one map from error codes to HTTP statuses.
var statusOf = map[string]int{
	auth.CodeInvalidInput:    http.StatusBadRequest,
	auth.CodeBadCredentials:  http.StatusUnauthorized,
	auth.CodeCodeInvalid:     http.StatusUnauthorized,
	auth.CodeCodeReused:      http.StatusUnauthorized,
	auth.CodeCodeExpired:     http.StatusUnauthorized,
	auth.CodeFlowNotFound:    http.StatusUnauthorized,
	auth.CodeFlowExpired:     http.StatusUnauthorized,
	auth.CodeFlowExhausted:   http.StatusUnauthorized,
	auth.CodeUnauthenticated: http.StatusUnauthorized,
	auth.CodeStepNotAllowed:  http.StatusConflict,
	auth.CodeConflict:        http.StatusConflict,
	auth.CodeLastFactor:      http.StatusConflict,
	auth.CodeWebAuthnFailed:  http.StatusUnauthorized,
	auth.CodeChallengeGone:   http.StatusUnauthorized,
	auth.CodeNotFound:        http.StatusNotFound,
	auth.CodeRateLimited:     http.StatusTooManyRequests,
	auth.CodeResendTooSoon:   http.StatusTooManyRequests,
	auth.CodeBusy:            http.StatusServiceUnavailable,
	codeForbiddenOrigin:      http.StatusForbidden,
	codeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	codeBodyTooLarge:         http.StatusRequestEntityTooLarge,
	codeMethodNotAllowed:     http.StatusMethodNotAllowed,
	codeInternal:             http.StatusInternalServerError,
}

// httpCodes names the router's own failures.
var httpCodes = map[int]string{
	http.StatusNotFound:              auth.CodeNotFound,
	http.StatusMethodNotAllowed:      codeMethodNotAllowed,
	http.StatusRequestEntityTooLarge: codeBodyTooLarge,
	http.StatusUnsupportedMediaType:  codeUnsupportedMediaType,
	http.StatusBadRequest:            auth.CodeInvalidInput,
}

// handleError is Echo's HTTPErrorHandler: every failure becomes a problem
// document; only internal failures are logged, and their text never leaves.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := Problem{Type: "about:blank", Code: codeInternal}
	var de *auth.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de) && statusOf[de.Code] != 0:
		p.Code, p.Detail, p.AttemptsLeft = de.Code, de.Message, de.AttemptsLeft
		if de.RetryAfter > 0 {
			p.RetryAfter = int((de.RetryAfter + 999999999) / 1e9) // round up to whole seconds
		}
	case errors.As(err, &he) && httpCodes[he.Code] != "":
		p.Code = httpCodes[he.Code]
	default:
		s.log.ErrorContext(c.Request().Context(), "request failed", "method", c.Request().Method,
			"path", c.Path(), "err", err)
	}
	p.Status = statusOf[p.Code]
	p.Title = http.StatusText(p.Status)
	if p.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	_ = jsonEncode(c.Response(), p)
}

// problemError is an error that carries an HTTP-only problem code.
func problemError(code string) error {
	return &auth.Error{Code: code, Message: http.StatusText(statusOf[code])}
}
