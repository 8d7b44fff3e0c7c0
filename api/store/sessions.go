package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/kanmon/kanmon/api/auth"
)

// sessionCheckSQL reads a live session with its user's name and address.
const sessionCheckSQL = `SELECT s.id, s.user_id, s.factors, s.client_ip, s.user_agent, s.created_at, s.last_seen_at,
	s.expires_at, u.username, u.email
	FROM sessions AS s JOIN users AS u ON u.id = s.user_id
	WHERE s.token_hash = $1 AND NOT u.disabled`

// SessionByToken implements auth.Store: one indexed lookup by token hash,
// through a prepared statement.
func (s *Store) SessionByToken(ctx context.Context, hash []byte) (*auth.Session, error) {
	stmt, err := s.sessionCheck.get(ctx, s.db, sessionCheckSQL)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	ss := &auth.Session{TokenHash: hash}
	var factors string
	err = stmt.QueryRowContext(ctx, hash).Scan(&ss.ID, &ss.UserID, &factors, &ss.ClientIP, &ss.UserAgent,
		timeScanner{&ss.CreatedAt}, timeScanner{&ss.LastSeenAt}, timeScanner{&ss.ExpiresAt}, &ss.Username, &ss.Email)
	if err != nil {
		return nil, notFound(fmt.Errorf("session: %w", err), auth.ErrUnauthenticated)
	}
	ss.Factors = strings.Split(factors, ",")
	return ss, nil
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
