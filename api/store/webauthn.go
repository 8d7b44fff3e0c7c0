package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/kanmon/kanmon/api/auth"
)

// WebAuthnHandle implements auth.Store.
func (s *Store) WebAuthnHandle(ctx context.Context, userID int64, fresh []byte) ([]byte, error) {
	var handle []byte
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*userRow)(nil)).Set("webauthn_handle = ?", fresh).
			Where("id = ?", userID).Where("webauthn_handle IS NULL").Exec(ctx)
		if err != nil {
			return fmt.Errorf("set webauthn handle: %w", err)
		}
		err = tx.NewSelect().Model((*userRow)(nil)).Column("webauthn_handle").Where("id = ?", userID).Scan(ctx, &handle)
		return notFound(err, auth.ErrNotFound)
	})
	return handle, err
}

// WebAuthnCredentials implements auth.Store.
func (s *Store) WebAuthnCredentials(ctx context.Context, userID int64) ([]auth.WebAuthnCredential, error) {
	var rows []webauthnCredentialRow
	if err := s.db.NewSelect().Model(&rows).Where("user_id = ?", userID).Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("webauthn credentials: %w", err)
	}
	out := make([]auth.WebAuthnCredential, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// AddWebAuthnCredential implements auth.Store.
func (s *Store) AddWebAuthnCredential(ctx context.Context, c *auth.WebAuthnCredential, ev auth.AuditEvent) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		row := &webauthnCredentialRow{UserID: c.UserID, CredentialID: c.CredentialID, Name: c.Name, AAGUID: c.AAGUID,
			Transports: strings.Join(c.Transports, ","), SignCount: int64(c.SignCount), BackupEligible: c.BackupEligible,
			BackupState: c.BackupState, Record: string(c.Record), CreatedAt: c.CreatedAt}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return auth.ErrConflict
			}
			return fmt.Errorf("insert webauthn credential: %w", err)
		}
		c.ID = row.ID
		if _, err := tx.NewUpdate().Model((*userRow)(nil)).Set("webauthn_setup_requested = ?", false).
			Where("id = ?", c.UserID).Exec(ctx); err != nil {
			return fmt.Errorf("end webauthn setup request: %w", err)
		}
		return insertAudit(ctx, tx, ev)
	})
}

// RenameWebAuthnCredential implements auth.Store.
func (s *Store) RenameWebAuthnCredential(ctx context.Context, userID, id int64, name string) error {
	res, err := s.db.NewUpdate().Model((*webauthnCredentialRow)(nil)).Set("name = ?", name).
		Where("id = ?", id).Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("rename webauthn credential: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return auth.ErrNotFound
	}
	return nil
}

// DeleteWebAuthnCredential implements auth.Store. The count of remaining
// factors is taken inside the transaction, so two deletions at once cannot
// leave the user with none.
func (s *Store) DeleteWebAuthnCredential(ctx context.Context, userID, id int64, ev auth.AuditEvent) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var row webauthnCredentialRow
		q := tx.NewSelect().Model(&row).Where("w.id = ?", id).Where("w.user_id = ?", userID)
		if tx.Dialect().Name() == dialect.PG {
			// Lock the user's row so two deletions at once count one another.
			q = q.Join("JOIN users AS u ON u.id = w.user_id").For("UPDATE OF u")
		}
		if err := q.Scan(ctx); err != nil {
			return notFound(fmt.Errorf("webauthn credential: %w", err), auth.ErrNotFound)
		}
		var factors int
		err := tx.NewRaw(`SELECT (SELECT count(*) FROM totp_devices WHERE user_id = ?0) +
			(SELECT count(*) FROM webauthn_credentials WHERE user_id = ?0)`, userID).Scan(ctx, &factors)
		if err != nil {
			return fmt.Errorf("count factors: %w", err)
		}
		if factors <= 1 {
			return auth.ErrLastFactor
		}
		if _, err := tx.NewDelete().Model((*webauthnCredentialRow)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("delete webauthn credential: %w", err)
		}
		ev.Detail = row.Name
		return insertAudit(ctx, tx, ev)
	})
}

// SetWebAuthnSetupRequested implements auth.Store.
func (s *Store) SetWebAuthnSetupRequested(ctx context.Context, userID int64, requested bool) error {
	_, err := s.db.NewUpdate().Model((*userRow)(nil)).Set("webauthn_setup_requested = ?", requested).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("webauthn setup request: %w", err)
	}
	return nil
}

// challengeTable is where each owner's pending ceremony is kept.
var challengeTable = map[auth.ChallengeOwner]string{
	auth.ChallengeOfFlow:    "login_flows",
	auth.ChallengeOfSession: "sessions",
}

// SetChallenge implements auth.Store.
func (s *Store) SetChallenge(ctx context.Context, owner auth.ChallengeOwner, id int64, c auth.Challenge) error {
	_, err := s.db.NewUpdate().Table(challengeTable[owner]).
		Set("webauthn_session = ?", string(c.Data)).Set("webauthn_expires_at = ?", c.ExpiresAt).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set challenge: %w", err)
	}
	return nil
}

// TakeChallenge implements auth.Store. RETURNING would give the row after the
// update (the NULLs just set), so the challenge is read and cleared in one
// transaction; the row lock (PostgreSQL) or the single writer (SQLite) makes
// sure that of two concurrent finishes only one gets it.
func (s *Store) TakeChallenge(ctx context.Context, owner auth.ChallengeOwner, id int64) (*auth.Challenge, error) {
	var taken challengeColumns
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Table(challengeTable[owner]).Column("webauthn_session", "webauthn_expires_at").
			Where("id = ?", id).Where("webauthn_session IS NOT NULL")
		if tx.Dialect().Name() == dialect.PG {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx, &taken); err != nil {
			return notFound(fmt.Errorf("take challenge: %w", err), auth.ErrChallengeExpired)
		}
		_, err := tx.NewUpdate().Table(challengeTable[owner]).
			Set("webauthn_session = NULL").Set("webauthn_expires_at = NULL").Where("id = ?", id).Exec(ctx)
		if err != nil {
			return fmt.Errorf("take challenge: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if taken.WebAuthnSession == nil || taken.WebAuthnExpiresAt == nil {
		return nil, auth.ErrChallengeExpired
	}
	return &auth.Challenge{Data: []byte(*taken.WebAuthnSession), ExpiresAt: *taken.WebAuthnExpiresAt}, nil
}
