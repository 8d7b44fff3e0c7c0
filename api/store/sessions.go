package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/kanmon/kanmon/api/auth"
)

// SessionByToken implements auth.Store: one indexed lookup by token hash.
func (s *Store) SessionByToken(ctx context.Context, hash []byte) (*auth.Session, error) {
	var row struct {
		sessionRow
		Username string `bun:"username,scanonly"`
		Email    string `bun:"email,scanonly"`
	}
	err := s.db.NewSelect().Model(&row.sessionRow).
		ColumnExpr("s.*, u.username, u.email").
		Join("JOIN users AS u ON u.id = s.user_id").
		Where("s.token_hash = ?", hash).Where("u.disabled = ?", false).
		Scan(ctx, &row)
	if err != nil {
		return nil, notFound(fmt.Errorf("session: %w", err), auth.ErrUnauthenticated)
	}
	r := row.sessionRow
	return &auth.Session{ID: r.ID, TokenHash: r.TokenHash, UserID: r.UserID, Username: row.Username, Email: row.Email,
		Factors: strings.Split(r.Factors, ","), ClientIP: r.ClientIP, UserAgent: r.UserAgent,
		CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt}, nil
}

// TouchSession implements auth.Store.
func (s *Store) TouchSession(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.NewUpdate().Model((*sessionRow)(nil)).Set("last_seen_at = ?", at).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession implements auth.Store.
func (s *Store) DeleteSession(ctx context.Context, hash []byte, ev auth.AuditEvent) error {
	return s.deleteByToken(ctx, (*sessionRow)(nil), hash, ev)
}

// deleteByToken deletes the row of model (a table with token_hash and user_id)
// whose token hashes to hash and audits ev with the row's user; no such row is
// not an error.
func (s *Store) deleteByToken(ctx context.Context, model any, hash []byte, ev auth.AuditEvent) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var userIDs []int64
		err := tx.NewDelete().Model(model).Where("token_hash = ?", hash).Returning("user_id").Scan(ctx, &userIDs)
		if err != nil {
			return fmt.Errorf("delete %T: %w", model, err)
		}
		if len(userIDs) == 0 {
			return nil
		}
		ev.UserID = userIDs[0]
		if err := tx.NewSelect().Model((*userRow)(nil)).Column("username").Where("id = ?", ev.UserID).Scan(ctx, &ev.Username); err != nil {
			return fmt.Errorf("user of %T: %w", model, err)
		}
		return insertAudit(ctx, tx, ev)
	})
}

// Purge deletes what has expired: login flows, sessions, and failure records
// older than keepFailures. It runs periodically and on any replica.
func (s *Store) Purge(ctx context.Context, now time.Time, keepFailures time.Duration) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, q := range []*bun.DeleteQuery{
			tx.NewDelete().Model((*flowRow)(nil)).Where("expires_at <= ?", now),
			tx.NewDelete().Model((*sessionRow)(nil)).Where("expires_at <= ?", now),
			tx.NewDelete().Model((*trustedBrowserRow)(nil)).Where("expires_at <= ?", now),
			tx.NewDelete().Model((*failureRow)(nil)).Where("at <= ?", now.Add(-keepFailures)),
		} {
			if _, err := q.Exec(ctx); err != nil {
				return fmt.Errorf("purge: %w", err)
			}
		}
		return nil
	})
}
