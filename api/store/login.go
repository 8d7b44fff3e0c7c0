package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/mail"
)

// failureCounts are the columns that count a request's recent failures.
type failureCounts struct {
	UserFailures   int `bun:"user_failures,scanonly"`
	ClientFailures int `bun:"client_failures,scanonly"`
}

func (c failureCounts) domain() auth.FailureCounts {
	return auth.FailureCounts{User: c.UserFailures, Client: c.ClientFailures}
}

// LoginUser implements auth.Store: the user, a count of their authenticators and
// the failures to rate-limit by, in one query that answers for unknown names too
// (the password step's first statement of its three).
func (s *Store) LoginUser(ctx context.Context, username, clientKey string, since time.Time) (*auth.LoginUser, error) {
	var row struct {
		userRow
		TOTPDevices         int `bun:"totp_devices,scanonly"`
		WebAuthnCredentials int `bun:"webauthn_credentials,scanonly"`
		failureCounts
	}
	err := s.db.NewRaw(`SELECT u.*,
		(SELECT count(*) FROM totp_devices AS d WHERE d.user_id = u.id) AS totp_devices,
		(SELECT count(*) FROM webauthn_credentials AS w WHERE w.user_id = u.id) AS webauthn_credentials,
		(SELECT count(*) FROM auth_failures AS a WHERE a.key = ? AND a.at > ?) AS user_failures,
		(SELECT count(*) FROM auth_failures AS a WHERE a.key = ? AND a.at > ?) AS client_failures
		FROM (SELECT 1 AS one) AS q LEFT JOIN users AS u ON u.username = ?`,
		auth.UserFailurePrefix+username, since, clientKey, since, username).Scan(ctx, &row)
	if err != nil {
		return nil, fmt.Errorf("login user: %w", err)
	}
	return &auth.LoginUser{User: row.userRow.domain(), TOTPDevices: row.TOTPDevices, WebAuthnCredentials: row.WebAuthnCredentials,
		Failures: row.failureCounts.domain()}, nil
}

// RecentFailures implements auth.Store.
func (s *Store) RecentFailures(ctx context.Context, keys []string, since time.Time, limit int) (map[string][]time.Time, error) {
	out := make(map[string][]time.Time, len(keys))
	for _, k := range keys {
		var times []time.Time
		err := s.db.NewSelect().Model((*failureRow)(nil)).Column("at").
			Where("key = ?", k).Where("at > ?", since).
			OrderExpr("at DESC").Limit(int64(limit)).Scan(ctx, &times)
		if err != nil {
			return nil, fmt.Errorf("recent failures: %w", err)
		}
		out[k] = times
	}
	return out, nil
}

// RecordFailure implements auth.Store.
func (s *Store) RecordFailure(ctx context.Context, f *auth.Failure) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		rows := make([]failureRow, len(f.Keys))
		for i, k := range f.Keys {
			rows[i] = failureRow{Key: k, At: f.At}
		}
		if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return fmt.Errorf("insert failures: %w", err)
		}
		if f.EndFlowID != 0 {
			if _, err := tx.NewDelete().Model((*flowRow)(nil)).Where("id = ?", f.EndFlowID).Exec(ctx); err != nil {
				return fmt.Errorf("end exhausted flow: %w", err)
			}
		}
		return insertAudit(ctx, tx, f.Audit...)
	})
}

// ClaimAttempt implements auth.Store: one UPDATE … RETURNING, so concurrent
// claims on one flow are counted one by one. A flow that is gone is
// ErrFlowNotFound.
func (s *Store) ClaimAttempt(ctx context.Context, flowID int64, max int) (int, error) {
	var n []int
	err := s.db.NewUpdate().Model((*flowRow)(nil)).Set("failed_codes = failed_codes + 1").
		Where("id = ?", flowID).Where("failed_codes < ?", max).Returning("failed_codes").Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("claim attempt: %w", err)
	}
	if len(n) == 0 { // used up, or consumed by a login that just succeeded
		exists, err := s.db.NewSelect().Model((*flowRow)(nil)).Where("id = ?", flowID).Exists(ctx)
		if err != nil {
			return 0, fmt.Errorf("claim attempt: %w", err)
		}
		if !exists {
			return 0, auth.ErrFlowNotFound
		}
		return 0, auth.ErrFlowExhausted
	}
	return n[0], nil
}

// CreateFlow implements auth.Store.
func (s *Store) CreateFlow(ctx context.Context, f *auth.Flow) error {
	row := newFlowRow(f)
	if _, err := s.db.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("insert flow: %w", err)
	}
	f.ID = row.ID
	return nil
}

// FlowByToken implements auth.Store: the flow, its user's authenticator apps
// (one row each) and the failures to rate-limit by, in one query. Flows of
// users disabled meanwhile are gone.
func (s *Store) FlowByToken(ctx context.Context, hash []byte, clientKey string, since time.Time) (*auth.Flow, error) {
	var rows []struct {
		flowRow
		failureCounts
		DeviceID        *int64     `bun:"device_id,scanonly"`
		DeviceName      string     `bun:"device_name,scanonly"`
		DeviceSecret    []byte     `bun:"device_secret,scanonly"`
		DeviceLastStep  int64      `bun:"device_last_step,scanonly"`
		DeviceCreatedAt *time.Time `bun:"device_created_at,scanonly"`
	}
	err := s.db.NewSelect().Model((*flowRow)(nil)).
		ColumnExpr("f.*, u.username, u.email").
		ColumnExpr("u.webauthn_setup_requested AND NOT EXISTS (SELECT 1 FROM webauthn_credentials AS w WHERE w.user_id = u.id) AS offer_webauthn_setup").
		ColumnExpr("(SELECT count(*) FROM auth_failures AS a WHERE a.key = ? || u.username AND a.at > ?) AS user_failures", auth.UserFailurePrefix, since).
		ColumnExpr("(SELECT count(*) FROM auth_failures AS a WHERE a.key = ? AND a.at > ?) AS client_failures", clientKey, since).
		ColumnExpr("d.id AS device_id, d.name AS device_name, d.secret_sealed AS device_secret, d.last_step AS device_last_step, d.created_at AS device_created_at").
		Join("JOIN users AS u ON u.id = f.user_id").
		Join("LEFT JOIN totp_devices AS d ON d.user_id = f.user_id").
		Where("f.token_hash = ?", hash).Where("u.disabled = ?", false).
		OrderExpr("d.id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	if len(rows) == 0 {
		return nil, auth.ErrFlowNotFound
	}
	f := rows[0].flowRow.domain()
	f.Failures = rows[0].failureCounts.domain()
	for _, r := range rows {
		if r.DeviceID != nil {
			f.TOTPDevices = append(f.TOTPDevices, auth.TOTPDevice{ID: *r.DeviceID, UserID: f.UserID, Name: r.DeviceName,
				SecretSealed: r.DeviceSecret, LastStep: r.DeviceLastStep, CreatedAt: *r.DeviceCreatedAt})
		}
	}
	return f, nil
}

// SetPendingTOTP implements auth.Store.
func (s *Store) SetPendingTOTP(ctx context.Context, flowID int64, sealed []byte) ([]byte, error) {
	var stored []byte
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*flowRow)(nil)).Set("pending_totp = ?", sealed).
			Where("id = ?", flowID).Where("pending_totp IS NULL").Exec(ctx)
		if err != nil {
			return fmt.Errorf("set pending totp: %w", err)
		}
		err = tx.NewSelect().Model((*flowRow)(nil)).Column("pending_totp").Where("id = ?", flowID).Scan(ctx, &stored)
		return notFound(err, auth.ErrFlowNotFound)
	})
	return stored, err
}

// CompleteLogin implements auth.Store: flow consumed, TOTP step advanced by
// compare-and-set (or the new device stored), session created and audited, all
// or nothing. Of two concurrent completions with one code, the second finds the
// step taken or the flow gone and changes nothing.
func (s *Store) CompleteLogin(ctx context.Context, c *auth.Completion) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if c.FlowID != 0 {
			res, err := tx.NewDelete().Model((*flowRow)(nil)).
				Where("id = ?", c.FlowID).Where("state = ?", string(c.FlowState)).Exec(ctx)
			if err != nil {
				return fmt.Errorf("consume flow: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return auth.ErrFlowNotFound
			}
		}
		if u := c.TOTPUse; u != nil {
			res, err := tx.NewUpdate().Model((*totpDeviceRow)(nil)).Set("last_step = ?", u.Step).
				Where("id = ?", u.DeviceID).Where("last_step < ?", u.Step).Exec(ctx)
			if err != nil {
				return fmt.Errorf("advance totp step: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return auth.ErrCodeReused
			}
		}
		if c.TrustUsedID != 0 {
			_, err := tx.NewUpdate().Model((*trustedBrowserRow)(nil)).Set("last_used_at = ?", c.Session.CreatedAt).
				Where("id = ?", c.TrustUsedID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("mark trusted browser used: %w", err)
			}
		}
		if w := c.WebAuthnUse; w != nil {
			res, err := tx.NewUpdate().Model((*webauthnCredentialRow)(nil)).
				Set("sign_count = ?", int64(w.SignCount)).Set("record = ?", string(w.Record)).Set("last_used_at = ?", c.Session.CreatedAt).
				Where("id = ?", w.ID).Where("(sign_count < ? OR ? = 0)", int64(w.SignCount), int64(w.SignCount)).Exec(ctx)
			if err != nil {
				return fmt.Errorf("update webauthn credential: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return auth.ErrWebAuthnFailed // a parallel login advanced the counter
			}
		}
		if t := c.Trust; t != nil {
			row := &trustedBrowserRow{TokenHash: t.TokenHash, UserID: t.UserID, UserAgent: t.UserAgent, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
			if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
				return fmt.Errorf("insert trusted browser: %w", err)
			}
		}
		if c.RequestWebAuthnSetup {
			_, err := tx.NewUpdate().Model((*userRow)(nil)).Set("webauthn_setup_requested = ?", true).
				Where("id = ?", c.Session.UserID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("record webauthn opt-in: %w", err)
			}
		}
		if d := c.Enrol; d != nil {
			row := &totpDeviceRow{UserID: d.UserID, Name: d.Name, SecretSealed: d.SecretSealed, LastStep: d.LastStep, CreatedAt: d.CreatedAt}
			if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
				return fmt.Errorf("insert totp device: %w", err)
			}
		}
		ss := c.Session
		row := &sessionRow{TokenHash: ss.TokenHash, UserID: ss.UserID, Factors: strings.Join(ss.Factors, ","),
			ClientIP: ss.ClientIP, UserAgent: ss.UserAgent, CreatedAt: ss.CreatedAt, LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.ExpiresAt}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return insertAudit(ctx, tx, c.Audit...)
	})
}

// IssueEmailCode implements auth.Store. The cooldown is checked again in the
// UPDATE, so two concurrent requests cannot both send.
func (s *Store) IssueEmailCode(ctx context.Context, i *auth.EmailCodeIssue) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*flowRow)(nil)).
			Set("state = ?", string(auth.EmailSent)).Set("email_code_mac = ?", i.MAC).
			Set("email_code_expires_at = ?", i.ExpiresAt).Set("email_sent_at = ?", i.SentAt).
			Set("expires_at = ?", i.FlowExpiresAt).
			Where("id = ?", i.FlowID).Where("(email_sent_at IS NULL OR email_sent_at <= ?)", i.NotSentSince).Exec(ctx)
		if err != nil {
			return fmt.Errorf("store email code: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return auth.ErrResendTooSoon
		}
		if err := insertMail(ctx, tx, i.Mail, i.UserID, i.SentAt); err != nil {
			return err
		}
		return insertAudit(ctx, tx, i.Audit)
	})
}

// EmailCodesSince implements auth.Store.
func (s *Store) EmailCodesSince(ctx context.Context, userID int64, t time.Time) ([]time.Time, error) {
	var times []time.Time
	err := s.db.NewSelect().Model((*outboxRow)(nil)).Column("created_at").
		Where("user_id = ?", userID).Where("template = ?", mail.LoginCode).Where("created_at > ?", t).
		OrderExpr("created_at").Scan(ctx, &times)
	if err != nil {
		return nil, fmt.Errorf("email codes sent: %w", err)
	}
	return times, nil
}

// TrustedBrowser implements auth.Store.
func (s *Store) TrustedBrowser(ctx context.Context, hash []byte, userID int64, now time.Time) (*auth.TrustedBrowser, error) {
	var r trustedBrowserRow
	err := s.db.NewSelect().Model(&r).Where("token_hash = ?", hash).Where("user_id = ?", userID).
		Where("expires_at > ?", now).Scan(ctx)
	if err != nil {
		return nil, notFound(fmt.Errorf("trusted browser: %w", err), auth.ErrNotFound)
	}
	return &auth.TrustedBrowser{ID: r.ID, TokenHash: r.TokenHash, UserID: r.UserID, UserAgent: r.UserAgent,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}, nil
}

// ForgetBrowser implements auth.Store.
func (s *Store) ForgetBrowser(ctx context.Context, hash []byte, ev auth.AuditEvent) error {
	return s.deleteByToken(ctx, (*trustedBrowserRow)(nil), hash, ev)
}
