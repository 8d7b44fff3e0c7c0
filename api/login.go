package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kanmon/kanmon/api/auth"
)

type loginRequest struct {
	Username string `json:"username" example:"sato-kensetsu" validate:"required"`
	Password string `json:"password" example:"correct horse battery staple" validate:"required"`
} //	@name	LoginRequest

type codeRequest struct {
	// Code as typed: full-width digits, spaces and hyphens are accepted.
	Code string `json:"code" example:"123 456" validate:"required"`
} //	@name	CodeRequest

type verifyRequest struct {
	Method auth.Method `json:"method" enums:"totp,email" example:"totp" validate:"required"`
	// Code as typed: full-width digits, spaces and hyphens are accepted.
	Code string `json:"code" example:"123456" validate:"required"`
	// TrustBrowser: skip the second factor on this browser for 8 hours.
	TrustBrowser bool `json:"trust_browser,omitempty"`
	// SetupWebAuthn: offer to register biometrics or a security key next time.
	SetupWebAuthn bool `json:"setup_webauthn,omitempty"`
} //	@name	VerifyRequest

type emailSendRequest struct {
	// Lang of the mail; Japanese unless "en".
	Lang string `json:"lang,omitempty" enums:"ja,en" example:"ja"`
} //	@name	EmailSendRequest

// flowResponse is the state of a login and what the client may do next.
type flowResponse struct {
	State     auth.State `json:"state" enums:"mfa_setup_required,mfa_required,email_sent,authenticated" example:"mfa_required" validate:"required"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Methods are the second factors offered, in the order to show them.
	Methods      []auth.Method `json:"methods" enums:"totp,email,webauthn" validate:"required"`
	AttemptsLeft int           `json:"attempts_left" example:"5" validate:"required"`
	// EmailHint is the masked address e-mail codes go to, when offered.
	EmailHint string `json:"email_hint,omitempty" example:"k***@sato-kensetsu.example.jp"`
	// ResendAfter is when another e-mail code may be requested.
	ResendAfter *time.Time `json:"resend_after,omitempty"`
	// OfferWebAuthnSetup, with state authenticated, invites the user to register
	// a security key or biometrics now (they asked for it at an earlier login).
	OfferWebAuthnSetup bool `json:"offer_webauthn_setup,omitempty"`
} //	@name	Flow

func newFlowResponse(v *auth.FlowView) flowResponse {
	r := flowResponse{State: v.State, Methods: v.Methods, AttemptsLeft: v.AttemptsLeft, EmailHint: v.EmailHint,
		ExpiresAt: optionalTime(v.ExpiresAt), ResendAfter: optionalTime(v.ResendAfter), OfferWebAuthnSetup: v.OfferWebAuthnSetup}
	if r.Methods == nil {
		r.Methods = []auth.Method{}
	}
	return r
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

type totpSetupResponse struct {
	// Secret is the base32 secret for typing into an app by hand.
	Secret     string `json:"secret" example:"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" validate:"required"`
	OTPAuthURI string `json:"otpauth_uri" example:"otpauth://totp/Kanmon:sato?issuer=Kanmon&secret=JBSWY3DPEHPK3PXP" validate:"required"`
	// QRCode is the otpauth URI as a PNG data URL.
	QRCode  string `json:"qr_code" example:"data:image/png;base64,iVBORw0KGgo=" validate:"required"`
	Issuer  string `json:"issuer" example:"横浜市電子請求システム" validate:"required"`
	Account string `json:"account" example:"sato-kensetsu" validate:"required"`
} //	@name	TOTPSetup

// postLogin checks the password and begins a login flow.
//
//	@Summary		Log in with user name and password
//	@Description	Begins a login flow and sets its HttpOnly cookie. Unknown users, disabled users and wrong passwords get the same answer. Failures are counted per user and per client address.
//	@ID				login
//	@Tags			login
//	@Accept			json
//	@Produce		json
//	@Param			body	body		loginRequest	true	"credentials"
//	@Success		200		{object}	flowResponse
//	@Failure		400,401,403,413,415,429,503	{object}	Problem
//	@Router			/api/v1/login [post]
func (s *Server) postLogin(c echo.Context) error {
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := s.auth.Login(c.Request().Context(), req.Username, req.Password, cookie(c, s.cookies.trust), client(c))
	if err != nil {
		return err
	}
	return s.answerLogin(c, res)
}

// getLoginFlow returns the state of the login in progress.
//
//	@Summary	Current login state
//	@ID			loginFlow
//	@Tags		login
//	@Produce	json
//	@Security	FlowCookie
//	@Success	200	{object}	flowResponse
//	@Failure	401	{object}	Problem
//	@Router		/api/v1/login/flow [get]
func (s *Server) getLoginFlow(c echo.Context) error {
	v, err := s.auth.Flow(c.Request().Context(), cookie(c, s.cookies.flow))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newFlowResponse(v))
}

// postTOTPSetup returns the authenticator enrolment data.
//
//	@Summary		Authenticator app enrolment data
//	@Description	For a login in state mfa_setup_required: the secret, its otpauth URI and QR code. Repeated calls return the same secret.
//	@ID				loginTotpSetup
//	@Tags			login
//	@Accept			json
//	@Produce		json
//	@Security		FlowCookie
//	@Success		200	{object}	totpSetupResponse
//	@Failure		401,403,409,415	{object}	Problem
//	@Router			/api/v1/login/totp/setup [post]
func (s *Server) postTOTPSetup(c echo.Context) error {
	setup, err := s.auth.SetupTOTP(c.Request().Context(), cookie(c, s.cookies.flow))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, totpSetupResponse{Secret: setup.Secret, OTPAuthURI: setup.OTPAuthURI,
		QRCode: setup.QRCode, Issuer: setup.Issuer, Account: setup.Account})
}

// postTOTPActivate pairs the authenticator and completes the login.
//
//	@Summary		Pair the authenticator and log in
//	@Description	Confirms the enrolment with a code from the app; the session cookie is set.
//	@ID				loginTotpActivate
//	@Tags			login
//	@Accept			json
//	@Produce		json
//	@Security		FlowCookie
//	@Param			body	body		codeRequest	true	"code from the app"
//	@Success		200		{object}	flowResponse
//	@Failure		400,401,403,409,413,415,429	{object}	Problem
//	@Router			/api/v1/login/totp/activate [post]
func (s *Server) postTOTPActivate(c echo.Context) error {
	var req codeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := s.auth.ActivateTOTP(c.Request().Context(), cookie(c, s.cookies.flow), req.Code, client(c))
	if err != nil {
		return err
	}
	return s.answerLogin(c, res)
}

// postLoginVerify checks a second-factor code and completes the login.
//
//	@Summary		Verify a second-factor code
//	@Description	A code from the authenticator app (method totp; each code is accepted once) or the last e-mailed code (method email). Wrong codes count against the login (attempts_left) and the user. With trust_browser the answer also sets the trusted-browser cookie.
//	@ID				loginVerify
//	@Tags			login
//	@Accept			json
//	@Produce		json
//	@Security		FlowCookie
//	@Param			body	body		verifyRequest	true	"method and code"
//	@Success		200		{object}	flowResponse
//	@Failure		400,401,403,409,413,415,429	{object}	Problem
//	@Router			/api/v1/login/verify [post]
func (s *Server) postLoginVerify(c echo.Context) error {
	var req verifyRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	verify := map[auth.Method]func(context.Context, string, string, auth.VerifyOptions, auth.Client) (*auth.LoginResult, error){
		auth.MethodTOTP: s.auth.VerifyTOTP, auth.MethodEmail: s.auth.VerifyEmailCode,
	}[req.Method]
	if verify == nil {
		return auth.ErrInvalidInput
	}
	opts := auth.VerifyOptions{TrustBrowser: req.TrustBrowser, SetupWebAuthn: req.SetupWebAuthn}
	res, err := verify(c.Request().Context(), cookie(c, s.cookies.flow), req.Code, opts, client(c))
	if err != nil {
		return err
	}
	return s.answerLogin(c, res)
}

// postEmailSend e-mails a login code.
//
//	@Summary		E-mail a login code
//	@Description	Sends a 6-digit code, valid 10 minutes, to the user's registered address (see email_hint). Another may be requested after resend_after; a few per hour at most.
//	@ID				loginEmailSend
//	@Tags			login
//	@Accept			json
//	@Produce		json
//	@Security		FlowCookie
//	@Param			body	body		emailSendRequest	false	"mail language"
//	@Success		200		{object}	flowResponse
//	@Failure		400,401,403,409,415,429	{object}	Problem
//	@Router			/api/v1/login/email/send [post]
func (s *Server) postEmailSend(c echo.Context) error {
	var req emailSendRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	token := cookie(c, s.cookies.flow)
	v, err := s.auth.SendEmailCode(c.Request().Context(), token, req.Lang, client(c))
	if err != nil {
		return err
	}
	s.setCookie(c, s.cookies.flow, token, v.ExpiresAt) // the flow now lasts as long as the code
	return c.JSON(http.StatusOK, newFlowResponse(v))
}

// deleteTrustedBrowser stops trusting this browser.
//
//	@Summary		Forget this browser
//	@Description	The next login from this browser asks for the second factor again.
//	@ID				forgetBrowser
//	@Tags			session
//	@Accept			json
//	@Success		204
//	@Failure		403,415	{object}	Problem
//	@Router			/api/v1/trusted-browser [delete]
func (s *Server) deleteTrustedBrowser(c echo.Context) error {
	if err := s.auth.ForgetBrowser(c.Request().Context(), cookie(c, s.cookies.trust), client(c)); err != nil {
		return err
	}
	s.setCookie(c, s.cookies.trust, "", time.Time{})
	return c.NoContent(http.StatusNoContent)
}

// answerLogin sets the cookies a login step produced and answers with the flow.
func (s *Server) answerLogin(c echo.Context, res *auth.LoginResult) error {
	if res.FlowToken != "" {
		s.setCookie(c, s.cookies.flow, res.FlowToken, res.Flow.ExpiresAt)
	}
	if res.Session != nil {
		s.setCookie(c, s.cookies.flow, "", time.Time{})
		s.setCookie(c, s.cookies.session, res.Session.Token, res.Session.ExpiresAt)
	}
	if res.Trust != nil {
		s.setCookie(c, s.cookies.trust, res.Trust.Token, res.Trust.ExpiresAt)
	}
	return c.JSON(http.StatusOK, newFlowResponse(res.Flow))
}
