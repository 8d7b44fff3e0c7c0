package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/kanmon/kanmon/api/auth"
)

// CreateUser implements auth.Store.
func (s *Store) CreateUser(ctx context.Context, u *auth.User, ev auth.AuditEvent) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		row := &userRow{Username: u.Username, Email: u.Email, PasswordHash: u.PasswordHash, Disabled: u.Disabled,
			CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return auth.ErrConflict
			}
			return fmt.Errorf("insert user: %w", err)
		}
		u.ID, ev.UserID = row.ID, row.ID
		return insertAudit(ctx, tx, ev)
	})
}

// UserByName implements auth.Store.
func (s *Store) UserByName(ctx context.Context, username string) (*auth.User, error) {
	var row userRow
	if err := s.db.NewSelect().Model(&row).Where("username = ?", username).Scan(ctx); err != nil {
		return nil, notFound(fmt.Errorf("user: %w", err), auth.ErrNotFound)
	}
	u := row.domain()
	return &u, nil
}

// Users implements auth.Store.
func (s *Store) Users(ctx context.Context) ([]auth.User, error) {
	var rows []userRow
	if err := s.db.NewSelect().Model(&rows).Order("username").Scan(ctx); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	out := make([]auth.User, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// SetUserDisabled implements auth.Store.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool, ev auth.AuditEvent) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*userRow)(nil)).Set("disabled = ?", disabled).Set("updated_at = ?", ev.At).
			Where("id = ?", id).Exec(ctx)
		if err != nil {
			return fmt.Errorf("set disabled: %w", err)
		}
		if disabled {
			if err := deleteUserState(ctx, tx, id, (*sessionRow)(nil), (*flowRow)(nil), (*trustedBrowserRow)(nil)); err != nil {
				return err
			}
		}
		return insertAudit(ctx, tx, ev)
	})
}

// ResetMFA implements auth.Store.
func (s *Store) ResetMFA(ctx context.Context, id int64, ev auth.AuditEvent) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := deleteUserState(ctx, tx, id, (*totpDeviceRow)(nil), (*webauthnCredentialRow)(nil), (*trustedBrowserRow)(nil),
			(*sessionRow)(nil), (*flowRow)(nil)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, ev)
	})
}

// deleteUserState deletes the user's rows of each model.
func deleteUserState(ctx context.Context, tx bun.Tx, userID int64, models ...any) error {
	for _, m := range models {
		if _, err := tx.NewDelete().Model(m).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return fmt.Errorf("delete %T of user: %w", m, err)
		}
	}
	return nil
}
