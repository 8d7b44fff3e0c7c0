package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/kanmon/kanmon/api/mail"
)

// SendEmailCode e-mails a new 6-digit code to the user of the flow, in lang ("ja"
// or "en"), and answers with the flow now waiting for it. The mail is written to
// the outbox in the same transaction, so it is sent even if the process dies
// right after. Resends wait EmailResendAfter and are capped per hour.
func (s *Service) SendEmailCode(ctx context.Context, token, lang string, c Client) (*FlowView, error) {
	now := s.now()
	f, err := s.flowAt(ctx, token, StepSendEmail, c, now)
	if err != nil {
		return nil, err
	}
	if next := f.EmailSentAt.Add(s.cfg.EmailResendAfter); !f.EmailSentAt.IsZero() && now.Before(next) {
		return nil, retryAfter(ErrResendTooSoon, next.Sub(now))
	}
	sent, err := s.store.EmailCodesSince(ctx, f.UserID, now.Add(-time.Hour))
	if err != nil {
		return nil, fmt.Errorf("send email code: %w", err)
	}
	if over := len(sent) - s.cfg.EmailHourlyCap; over >= 0 {
		// Another may go once enough of the hour's codes have aged out.
		return nil, retryAfter(ErrRateLimited, sent[over].Add(time.Hour).Sub(now))
	}
	if lang != "en" {
		lang = "ja"
	}
	code := randomDigits(totpDigits)
	issue := &EmailCodeIssue{
		FlowID: f.ID, UserID: f.UserID, MAC: s.emailCodeMAC(f, code),
		ExpiresAt: now.Add(s.cfg.EmailCodeTTL), SentAt: now, NotSentSince: now.Add(-s.cfg.EmailResendAfter),
		// The flow lives at least as long as the code the mail promises.
		FlowExpiresAt: later(f.ExpiresAt, now.Add(s.cfg.EmailCodeTTL)),
		Mail:          mail.NewLoginCode(f.Email, lang, code, int(s.cfg.EmailCodeTTL/time.Minute)),
		Audit:         AuditEvent{At: now, Type: EventEmailCodeSent, UserID: f.UserID, Username: f.Username, ClientIP: c.IP},
	}
	if err := s.store.IssueEmailCode(ctx, issue); err != nil {
		return nil, err
	}
	s.mailWake()
	f.State, f.EmailCodeMAC, f.EmailCodeExpiresAt, f.EmailSentAt = EmailSent, issue.MAC, issue.ExpiresAt, now
	f.ExpiresAt = issue.FlowExpiresAt
	return s.view(f), nil
}

// VerifyEmailCode completes a login with the code last e-mailed for the flow.
// A code works once: the flow it belongs to is consumed by the login.
func (s *Service) VerifyEmailCode(ctx context.Context, token, code string, opts VerifyOptions, c Client) (*LoginResult, error) {
	now := s.now()
	f, digits, err := s.codeStep(ctx, token, code, StepVerifyEmail, c, now)
	if err != nil {
		return nil, err
	}
	if !now.Before(f.EmailCodeExpiresAt) {
		return nil, ErrCodeExpired
	}
	if !hmac.Equal(s.emailCodeMAC(f, digits), f.EmailCodeMAC) {
		return nil, s.codeFailure(ctx, now, f, c, ErrCodeInvalid)
	}
	return s.complete(ctx, f, &Completion{}, opts, []string{"password", "email"}, c, now)
}

// emailCodeMAC binds a code to its flow under the server key: a leaked table
// reveals no code, and a code is worthless in another flow.
func (s *Service) emailCodeMAC(f *Flow, code string) []byte {
	return s.sealer.MAC([]byte(code), "email-code:"+strconv.FormatInt(f.ID, 10))
}

// randomDigits returns n uniformly random decimal digits from the CSPRNG.
func randomDigits(n int) string {
	out := make([]byte, n)
	ten := big.NewInt(10)
	for i := range out {
		d, err := rand.Int(rand.Reader, ten)
		if err != nil {
			panic(fmt.Sprintf("crypto/rand: %v", err)) // never happens on supported platforms
		}
		out[i] = byte('0' + d.Int64())
	}
	return string(out)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
