package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

type sessionUser struct {
	ID       int64  `json:"id" example:"42" validate:"required"`
	Username string `json:"username" example:"sato-kensetsu" validate:"required"`
	Email    string `json:"email,omitempty" example:"keiri@sato-kensetsu.example.jp"`
} //	@name	SessionUser

type sessionResponse struct {
	User sessionUser `json:"user" validate:"required"`
	// Factors used at login, e.g. password and totp.
	Factors         []string  `json:"factors" example:"password,totp" validate:"required"`
	AuthenticatedAt time.Time `json:"authenticated_at" validate:"required"`
	// ExpiresAt is the absolute end of the session.
	ExpiresAt time.Time `json:"expires_at" validate:"required"`
	// IdleExpiresAt is when the session ends without further activity.
	IdleExpiresAt time.Time `json:"idle_expires_at" validate:"required"`
} //	@name	Session

// getSession tells who is logged in.
//
//	@Summary	Who is logged in
//	@ID			session
//	@Tags		session
//	@Produce	json
//	@Security	SessionCookie
//	@Success	200	{object}	sessionResponse
//	@Failure	401	{object}	Problem
//	@Router		/api/v1/session [get]
func (s *Server) getSession(c echo.Context) error {
	v, err := s.auth.Session(c.Request().Context(), cookie(c, s.cookies.session))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionResponse{
		User:    sessionUser{ID: v.UserID, Username: v.Username, Email: v.Email},
		Factors: v.Factors, AuthenticatedAt: v.CreatedAt, ExpiresAt: v.ExpiresAt, IdleExpiresAt: v.IdleExpiresAt,
	})
}

// postLogout ends the session.
//
//	@Summary	Log out
//	@ID			logout
//	@Tags		session
//	@Accept		json
//	@Security	SessionCookie
//	@Success	204
//	@Failure	403,415	{object}	Problem
//	@Router		/api/v1/logout [post]
func (s *Server) postLogout(c echo.Context) error {
	if err := s.auth.Logout(c.Request().Context(), cookie(c, s.cookies.session), client(c)); err != nil {
		return err
	}
	s.setCookie(c, s.cookies.session, "", time.Time{})
	return c.NoContent(http.StatusNoContent)
}
