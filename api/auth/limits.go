package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Failures are counted in the database under these keys, so that the limits hold
// across replicas and restarts.
func userKey(folded string) string { return "user:" + folded }
func clientKey(ip string) string   { return "ip:" + ip }

// failureCounts is how many recent failures each key had before this request.
type failureCounts struct {
	user, client int
}

// checkLimits refuses the request while the user or the client address is locked
// out. Refused requests are not counted: a lock ends when the window has passed,
// however hard someone keeps trying.
func (s *Service) checkLimits(ctx context.Context, folded, ip string, now time.Time) (failureCounts, error) {
	uk, ck := userKey(folded), clientKey(ip)
	recent, err := s.store.RecentFailures(ctx, []string{uk, ck}, now.Add(-s.cfg.FailureWindow),
		max(s.cfg.UserFailureLimit, s.cfg.ClientFailureLimit))
	if err != nil {
		return failureCounts{}, fmt.Errorf("rate limit: %w", err)
	}
	var wait time.Duration
	for key, limit := range map[string]int{uk: s.cfg.UserFailureLimit, ck: s.cfg.ClientFailureLimit} {
		times := recent[key]
		if limit > 0 && len(times) >= limit {
			// Locked until the limit-th newest failure leaves the window.
			wait = max(wait, times[limit-1].Add(s.cfg.FailureWindow).Sub(now))
		}
	}
	if wait > 0 {
		return failureCounts{}, retryAfter(ErrRateLimited, wait)
	}
	return failureCounts{user: len(recent[uk]), client: len(recent[ck])}, nil
}

// fail records a failure of kind ("password", "totp", …) in the login of f and
// returns reason, or the lock error when this failure locks out the user or the
// client address.
func (s *Service) fail(ctx context.Context, now time.Time, counts failureCounts, f *Flow, c Client, kind string, reason error) error {
	folded := FoldUsername(f.Username)
	ev := AuditEvent{At: now, Type: EventLoginFailed, UserID: f.UserID, Username: f.Username, ClientIP: c.IP, Detail: kind}
	fl := &Failure{At: now, Keys: []string{userKey(folded), clientKey(c.IP)}, Audit: []AuditEvent{ev}, FlowID: f.ID, KillAt: s.cfg.MaxCodeAttempts}
	locks := false
	for who, n := range map[string]struct{ count, limit int }{
		"user": {counts.user, s.cfg.UserFailureLimit}, "client address": {counts.client, s.cfg.ClientFailureLimit},
	} {
		if n.count+1 == n.limit {
			lock := ev
			lock.Type, lock.Detail = EventUserLocked, who+" for "+s.cfg.FailureWindow.String()
			fl.Audit = append(fl.Audit, lock)
			locks = true
		}
	}
	n, err := s.store.RecordFailure(ctx, fl)
	if err != nil {
		return fmt.Errorf("record failure: %w", err)
	}
	switch {
	case f.ID != 0 && n >= s.cfg.MaxCodeAttempts:
		return ErrFlowExhausted
	case locks:
		return retryAfter(ErrRateLimited, s.cfg.FailureWindow)
	case f.ID != 0 && errors.Is(reason, ErrCodeInvalid):
		return wrongCode(s.cfg.MaxCodeAttempts - n)
	}
	return reason
}

// codeFailure records a wrong or replayed code in flow f.
func (s *Service) codeFailure(ctx context.Context, now time.Time, counts failureCounts, f *Flow, c Client, reason error) error {
	kind := "code"
	if errors.Is(reason, ErrCodeReused) {
		kind = "code_reused"
	}
	return s.fail(ctx, now, counts, f, c, kind, reason)
}
