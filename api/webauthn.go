package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kanmon/kanmon/api/auth"
)

// webauthnOptions is go-webauthn's CredentialCreation or CredentialAssertion:
// {"publicKey": {...}} with base64url binary fields, for the WASM helper to pass
// to navigator.credentials.create or get.
type webauthnOptions map[string]any //	@name	WebAuthnOptions

type webauthnLoginFinishRequest struct {
	// Credential is the PublicKeyCredential the browser returned, as JSON.
	Credential   json.RawMessage `json:"credential" swaggertype:"object" validate:"required"`
	TrustBrowser bool            `json:"trust_browser,omitempty"`
} //	@name	WebAuthnLoginFinishRequest

type webauthnRegisterFinishRequest struct {
	// Name for the key, e.g. "iPhone" or "YubiKey".
	Name       string          `json:"name" example:"YubiKey 5"`
	Credential json.RawMessage `json:"credential" swaggertype:"object" validate:"required"`
} //	@name	WebAuthnRegisterFinishRequest

type renameRequest struct {
	Name string `json:"name" example:"Office key" validate:"required"`
} //	@name	RenameRequest

type webauthnCredentialResponse struct {
	ID             int64      `json:"id" example:"7" validate:"required"`
	Name           string     `json:"name" example:"YubiKey 5" validate:"required"`
	AAGUID         string     `json:"aaguid,omitempty" example:"cb69481e-8ff7-4039-93ec-0a2729a154a8"`
	Transports     []string   `json:"transports" example:"usb,nfc" validate:"required"`
	BackupEligible bool       `json:"backup_eligible" validate:"required"`
	BackupState    bool       `json:"backup_state" validate:"required"`
	CreatedAt      time.Time  `json:"created_at" validate:"required"`
	LastUsedAt     *time.Time `json:"last_used_at,omitempty"`
} //	@name	WebAuthnCredential

func newWebAuthnCredentialResponse(c auth.WebAuthnCredential) webauthnCredentialResponse {
	r := webauthnCredentialResponse{ID: c.ID, Name: c.Name, Transports: c.Transports, BackupEligible: c.BackupEligible,
		BackupState: c.BackupState, CreatedAt: c.CreatedAt, LastUsedAt: optionalTime(c.LastUsedAt), AAGUID: formatAAGUID(c.AAGUID)}
	if r.Transports == nil {
		r.Transports = []string{}
	}
	return r
}

// formatAAGUID writes a 16-byte AAGUID as a UUID; all zeros (attestation
// "none") as nothing.
func formatAAGUID(b []byte) string {
	if len(b) != 16 || string(b) == string(make([]byte, 16)) {
		return ""
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[v>>4], hex[v&15])
	}
	return string(out)
}

// postWebAuthnLoginBegin starts a login with a registered key.
//
//	@Summary		Begin a login with a security key or biometrics
//	@Description	For a login that offers webauthn: options for navigator.credentials.get. The challenge is single-use and short-lived.
//	@ID				loginWebauthnBegin
//	@Tags			login
//	@Accept			json
//	@Produce		json
//	@Security		FlowCookie
//	@Success		200	{object}	webauthnOptions
//	@Failure		401,403,409,415	{object}	Problem
//	@Router			/api/v1/login/webauthn/begin [post]
func (s *Server) postWebAuthnLoginBegin(c echo.Context) error {
	options, err := s.auth.BeginWebAuthnLogin(c.Request().Context(), cookie(c, s.cookies.flow))
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, options)
}

// postWebAuthnLoginFinish completes a login with the authenticator's answer.
//
//	@Summary		Finish a login with a security key or biometrics
//	@Description	Checks the assertion (origin, RP ID, challenge, signature, sign count) and completes the login.
//	@ID				loginWebauthnFinish
//	@Tags			login
//	@Accept			json
//	@Produce		json
//	@Security		FlowCookie
//	@Param			body	body		webauthnLoginFinishRequest	true	"the browser's PublicKeyCredential"
//	@Success		200		{object}	flowResponse
//	@Failure		400,401,403,409,413,415,429	{object}	Problem
//	@Router			/api/v1/login/webauthn/finish [post]
func (s *Server) postWebAuthnLoginFinish(c echo.Context) error {
	var req webauthnLoginFinishRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := s.auth.FinishWebAuthnLogin(c.Request().Context(), cookie(c, s.cookies.flow), req.Credential,
		auth.VerifyOptions{TrustBrowser: req.TrustBrowser}, client(c))
	if err != nil {
		return err
	}
	return s.answerLogin(c, res)
}

// postWebAuthnRegisterBegin starts registering a key for the logged-in user.
//
//	@Summary	Begin registering a security key or biometrics
//	@ID			webauthnRegisterBegin
//	@Tags		webauthn
//	@Accept		json
//	@Produce	json
//	@Security	SessionCookie
//	@Success	200	{object}	webauthnOptions
//	@Failure	401,403,415	{object}	Problem
//	@Router		/api/v1/webauthn/register/begin [post]
func (s *Server) postWebAuthnRegisterBegin(c echo.Context) error {
	options, err := s.auth.BeginWebAuthnRegistration(c.Request().Context(), cookie(c, s.cookies.session))
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, options)
}

// postWebAuthnRegisterFinish stores the key the browser created.
//
//	@Summary	Finish registering a security key or biometrics
//	@ID			webauthnRegisterFinish
//	@Tags		webauthn
//	@Accept		json
//	@Produce	json
//	@Security	SessionCookie
//	@Param		body	body		webauthnRegisterFinishRequest	true	"name and the browser's PublicKeyCredential"
//	@Success	201		{object}	webauthnCredentialResponse
//	@Failure	400,401,403,409,413,415	{object}	Problem
//	@Router		/api/v1/webauthn/register/finish [post]
func (s *Server) postWebAuthnRegisterFinish(c echo.Context) error {
	var req webauthnRegisterFinishRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	cred, err := s.auth.FinishWebAuthnRegistration(c.Request().Context(), cookie(c, s.cookies.session), req.Name, req.Credential, client(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newWebAuthnCredentialResponse(*cred))
}

// postWebAuthnRegisterDecline skips the offered registration.
//
//	@Summary	Skip registering a key
//	@ID			webauthnRegisterDecline
//	@Tags		webauthn
//	@Accept		json
//	@Security	SessionCookie
//	@Success	204
//	@Failure	401,403,415	{object}	Problem
//	@Router		/api/v1/webauthn/register/decline [post]
func (s *Server) postWebAuthnRegisterDecline(c echo.Context) error {
	if err := s.auth.DeclineWebAuthnSetup(c.Request().Context(), cookie(c, s.cookies.session)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// getWebAuthnCredentials lists the user's keys.
//
//	@Summary	List security keys and biometrics
//	@ID			webauthnCredentials
//	@Tags		webauthn
//	@Produce	json
//	@Security	SessionCookie
//	@Success	200	{array}		webauthnCredentialResponse
//	@Failure	401	{object}	Problem
//	@Router		/api/v1/webauthn/credentials [get]
func (s *Server) getWebAuthnCredentials(c echo.Context) error {
	creds, err := s.auth.WebAuthnCredentials(c.Request().Context(), cookie(c, s.cookies.session))
	if err != nil {
		return err
	}
	out := make([]webauthnCredentialResponse, len(creds))
	for i, cr := range creds {
		out[i] = newWebAuthnCredentialResponse(cr)
	}
	return c.JSON(http.StatusOK, out)
}

// patchWebAuthnCredential renames a key.
//
//	@Summary	Rename a security key
//	@ID			webauthnCredentialRename
//	@Tags		webauthn
//	@Accept		json
//	@Security	SessionCookie
//	@Param		id		path	int				true	"credential id"
//	@Param		body	body	renameRequest	true	"new name"
//	@Success	204
//	@Failure	400,401,403,404,415	{object}	Problem
//	@Router		/api/v1/webauthn/credentials/{id} [patch]
func (s *Server) patchWebAuthnCredential(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req renameRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := s.auth.RenameWebAuthnCredential(c.Request().Context(), cookie(c, s.cookies.session), id, req.Name); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// deleteWebAuthnCredential removes a key, unless it is the last second factor.
//
//	@Summary	Remove a security key
//	@ID			webauthnCredentialDelete
//	@Tags		webauthn
//	@Accept		json
//	@Security	SessionCookie
//	@Param		id	path	int	true	"credential id"
//	@Success	204
//	@Failure	400,401,403,404,409,415	{object}	Problem
//	@Router		/api/v1/webauthn/credentials/{id} [delete]
func (s *Server) deleteWebAuthnCredential(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.auth.DeleteWebAuthnCredential(c.Request().Context(), cookie(c, s.cookies.session), id, client(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func pathID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, auth.ErrInvalidInput
	}
	return id, nil
}
