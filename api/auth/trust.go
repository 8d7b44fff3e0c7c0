package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// loginTrusted completes a login whose password was right without a second
// factor when the browser's trust cookie is valid for this very user. It returns
// nil, nil when the browser is not trusted and the flow must go on.
func (s *Service) loginTrusted(ctx context.Context, f *Flow, trustToken string, c Client, now time.Time) (*LoginResult, error) {
	if trustToken == "" {
		return nil, nil
	}
	tb, err := s.store.TrustedBrowser(ctx, HashToken(trustToken), f.UserID, now)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("trusted browser: %w", err)
	}
	used := AuditEvent{At: now, Type: EventBrowserUsed, UserID: f.UserID, Username: f.Username, ClientIP: c.IP}
	return s.complete(ctx, f, &Completion{TrustUsedID: tb.ID}, VerifyOptions{}, []string{"password", "trusted_browser"}, c, now, used)
}

// ForgetBrowser stops trusting the browser that holds trustToken.
func (s *Service) ForgetBrowser(ctx context.Context, trustToken string, c Client) error {
	if trustToken == "" {
		return nil
	}
	ev := AuditEvent{At: s.now(), Type: EventBrowserForgot, ClientIP: c.IP}
	if err := s.store.ForgetBrowser(ctx, HashToken(trustToken), ev); err != nil {
		return fmt.Errorf("forget browser: %w", err)
	}
	return nil
}
