package api

import (
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
	Method auth.Method `json:"method" enums:"totp" example:"totp" validate:"required"`
	// Code as typed: full-width digits, spaces and hyphens are accepted.
	Code string `json:"code" example:"123456" validate:"required"`
} //	@name	VerifyRequest

// flowResponse is the state of a login and what the client may do next.
type flowResponse struct {
	State     auth.State `json:"state" enums:"mfa_setup_required,mfa_required,authenticated" example:"mfa_required" validate:"required"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Methods are the second factors offered, in the order to show them.
	Methods      []auth.Method `json:"methods" enums:"totp" validate:"required"`
	AttemptsLeft int           `json:"attempts_left" example:"5" validate:"required"`
} //	@name	Flow

func newFlowResponse(v *auth.FlowView) flowResponse {
	r := flowResponse{State: v.State, Methods: v.Methods, AttemptsLeft: v.AttemptsLeft}
	if r.Methods == nil {
		r.Methods = []auth.Method{}
	}
	if !v.ExpiresAt.IsZero() {
		r.ExpiresAt = &v.ExpiresAt
	}
	return r
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
	res, err := s.auth.Login(c.Request().Context(), req.Username, req.Password, client(c))
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
//	@Description	Each TOTP code is accepted once. Wrong codes count against the login (attempts_left) and the user.
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
	if req.Method != auth.MethodTOTP {
		return auth.ErrInvalidInput
	}
	res, err := s.auth.VerifyTOTP(c.Request().Context(), cookie(c, s.cookies.flow), req.Code, client(c))
	if err != nil {
		return err
	}
	return s.answerLogin(c, res)
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
	return c.JSON(http.StatusOK, newFlowResponse(res.Flow))
}
