package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Failures are counted in the database under these keys, so that the limits hold
// across replicas and restarts.
const (
	UserFailurePrefix   = "user:"
	ClientFailurePrefix = "ip:"
)

func userKey(folded string) string { return UserFailurePrefix + folded }
func clientKey(ip string) string   { return ClientFailurePrefix + ip }

// FailureCounts is how many failures the user and the client address had in the
// failure window before this request. The store reads them with the user or the
// flow, so the limits cost no query of their own on the way to a login.
type FailureCounts struct {
	User, Client int
}

// checkLimits refuses the request while the user or the client address is locked
// out. Refused requests are not counted: a lock ends when the window has passed,
// however hard someone keeps trying. Only a locked request asks the store when.
func (s *Service) checkLimits(ctx context.Context, folded, ip string, counts FailureCounts, now time.Time) error {
	uk, ck := userKey(folded), clientKey(ip)
	limits := map[string]int{uk: s.cfg.UserFailureLimit, ck: s.cfg.ClientFailureLimit}
	if !reached(counts.User, limits[uk]) && !reached(counts.Client, limits[ck]) {
		return nil
	}
	recent, err := s.store.RecentFailures(ctx, []string{uk, ck}, now.Add(-s.cfg.FailureWindow),
		max(s.cfg.UserFailureLimit, s.cfg.ClientFailureLimit))
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	wait := time.Second // at least, should the window pass between the two reads
	for key, limit := range limits {
		if times := recent[key]; reached(len(times), limit) {
			// Locked until the limit-th newest failure leaves the window.
			wait = max(wait, times[limit-1].Add(s.cfg.FailureWindow).Sub(now))
		}
	}
	return retryAfter(ErrRateLimited, wait)
}

// reached reports whether count failures reach limit (0: no limit).
func reached(count, limit int) bool { return limit > 0 && count >= limit }

// fail records a failure of kind ("password", "totp", …) in the login of f,
// whose attempt number attempt (0 for the password step) it was, and returns
// reason, or the lock error when this failure locks out the user or the client
// address, or ErrFlowExhausted when it was the flow's last attempt.
func (s *Service) fail(ctx context.Context, now time.Time, counts FailureCounts, f *Flow, c Client, kind string, attempt int, reason error) error {
	folded := FoldUsername(f.Username)
	ev := AuditEvent{At: now, Type: EventLoginFailed, UserID: f.UserID, Username: f.Username, ClientIP: c.IP, Detail: kind}
	fl := &Failure{At: now, Keys: []string{userKey(folded), clientKey(c.IP)}, Audit: []AuditEvent{ev}}
	exhausted := f.ID != 0 && attempt >= s.cfg.MaxCodeAttempts
	if exhausted {
		fl.EndFlowID = f.ID
		fl.Audit = append([]AuditEvent{s.passwordAccepted(f, now)}, fl.Audit...)
	}
	locks := false
	for who, n := range map[string]struct{ count, limit int }{
		"user": {counts.User, s.cfg.UserFailureLimit}, "client address": {counts.Client, s.cfg.ClientFailureLimit},
	} {
		if n.count+1 == n.limit {
			lock := ev
			lock.Type, lock.Detail = EventUserLocked, who+" for "+s.cfg.FailureWindow.String()
			fl.Audit = append(fl.Audit, lock)
			locks = true
		}
	}
	if err := s.store.RecordFailure(ctx, fl); err != nil {
		return fmt.Errorf("record failure: %w", err)
	}
	switch {
	case exhausted:
		return ErrFlowExhausted
	case locks:
		return retryAfter(ErrRateLimited, s.cfg.FailureWindow)
	case f.ID != 0 && errors.Is(reason, ErrCodeInvalid):
		return wrongCode(s.cfg.MaxCodeAttempts - attempt)
	}
	return reason
}

// codeFailure records a wrong or replayed code in flow f.
func (s *Service) codeFailure(ctx context.Context, now time.Time, f *Flow, c Client, reason error) error {
	kind := "code"
	if errors.Is(reason, ErrCodeReused) {
		kind = "code_reused"
	}
	return s.fail(ctx, now, f.Failures, f, c, kind, f.FailedCodes, reason)
}
