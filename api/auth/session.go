package auth

import (
	"context"
	"fmt"
	"time"
)

// SessionView is a live session as its owner may see it.
type SessionView struct {
	Session
	IdleExpiresAt time.Time
}

// Session returns the live session named by token. It writes to the database at
// most once a minute per session (to move the idle deadline), so it stays one
// indexed read on the hot path that reverse proxies call.
func (s *Service) Session(ctx context.Context, token string) (*SessionView, error) {
	if token == "" {
		return nil, ErrUnauthenticated
	}
	now := s.now()
	sess, err := s.store.SessionByToken(ctx, HashToken(token))
	if err != nil {
		return nil, err
	}
	idleEnd := sess.LastSeenAt.Add(s.cfg.SessionIdle)
	if !now.Before(sess.ExpiresAt) || !now.Before(idleEnd) {
		return nil, ErrUnauthenticated
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, fmt.Errorf("session touch: %w", err)
		}
		sess.LastSeenAt, idleEnd = now, now.Add(s.cfg.SessionIdle)
	}
	if idleEnd.After(sess.ExpiresAt) {
		idleEnd = sess.ExpiresAt
	}
	return &SessionView{Session: *sess, IdleExpiresAt: idleEnd}, nil
}

// Logout ends the session named by token. Ending no session is not an error:
// logging out twice is harmless.
func (s *Service) Logout(ctx context.Context, token string, c Client) error {
	if token == "" {
		return nil
	}
	ev := AuditEvent{At: s.now(), Type: EventLogout, ClientIP: c.IP}
	if err := s.store.DeleteSession(ctx, HashToken(token), ev); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}
