package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/kanmon/kanmon/api/mail"
)

// outboxRow is a mail waiting to be sent, or the record of one sent.
type outboxRow struct {
	bun.BaseModel `bun:"table:outbox,alias:o"`
	ID            int64 `bun:",pk,autoincrement"`
	ToAddr        string
	Lang          string
	Template      string
	Data          string // JSON object of strings
	UserID        *int64
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	LeaseUntil    *time.Time
	SentAt        *time.Time
	FailedAt      *time.Time
	LastError     *string
}

func (r *outboxRow) message() (mail.Message, error) {
	m := mail.Message{ID: r.ID, To: r.ToAddr, Lang: r.Lang, Template: r.Template, Attempts: r.Attempts}
	if err := json.Unmarshal([]byte(r.Data), &m.Data); err != nil {
		return m, fmt.Errorf("outbox %d data: %w", r.ID, err)
	}
	return m, nil
}

// insertMail writes m to the outbox in the caller's transaction, due now.
func insertMail(ctx context.Context, tx bun.IDB, m mail.Message, userID int64, now time.Time) error {
	data, err := json.Marshal(m.Data)
	if err != nil {
		return fmt.Errorf("outbox data: %w", err)
	}
	row := &outboxRow{ToAddr: m.To, Lang: m.Lang, Template: m.Template, Data: string(data), CreatedAt: now, NextAttemptAt: now}
	if userID != 0 {
		row.UserID = &userID
	}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("insert outbox: %w", err)
	}
	return nil
}

// Outbox is the mail.Outbox of this store. KeepSent keeps the data (codes,
// links) of sent mail for the dev mailbox; in production it is cleared once a
// mail is out.
type Outbox struct {
	s        *Store
	keepSent bool
}

// Outbox returns the store's mail outbox.
func (s *Store) Outbox(keepSent bool) *Outbox { return &Outbox{s: s, keepSent: keepSent} }

// Claim implements mail.Outbox. On PostgreSQL the due rows are locked with
// FOR UPDATE SKIP LOCKED so that replicas claim disjoint rows; SQLite has one
// writer at a time, so its single UPDATE … RETURNING is already exclusive.
func (o *Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, n int) ([]mail.Message, error) {
	db := o.s.db
	due := db.NewSelect().Model((*outboxRow)(nil)).Column("id").
		Where("sent_at IS NULL").Where("failed_at IS NULL").Where("next_attempt_at <= ?", now).
		Where("(lease_until IS NULL OR lease_until <= ?)", now).
		OrderExpr("next_attempt_at, id").Limit(int64(n))
	if db.Dialect().Name() == dialect.PG {
		due = due.For("UPDATE SKIP LOCKED")
	}
	var rows []outboxRow
	err := db.NewUpdate().Model((*outboxRow)(nil)).
		Set("lease_until = ?", now.Add(lease)).Set("attempts = attempts + 1").
		Where("id IN (?)", due).Returning("*").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	out := make([]mail.Message, 0, len(rows))
	for i := range rows {
		m, err := rows[i].message()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// MarkSent implements mail.Outbox.
func (o *Outbox) MarkSent(ctx context.Context, id int64, now time.Time) error {
	q := o.s.db.NewUpdate().Model((*outboxRow)(nil)).Set("sent_at = ?", now).Set("lease_until = NULL").Where("id = ?", id)
	if !o.keepSent {
		q = q.Set("data = '{}'")
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return nil
}

// MarkFailed implements mail.Outbox.
func (o *Outbox) MarkFailed(ctx context.Context, id int64, now, next time.Time, lastErr string) error {
	_, err := o.s.db.NewUpdate().Model((*outboxRow)(nil)).Set("next_attempt_at = ?", next).Set("last_error = ?", lastErr).
		Set("lease_until = NULL").Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark failed: %w", err)
	}
	return nil
}

// MarkDead implements mail.Outbox.
func (o *Outbox) MarkDead(ctx context.Context, id int64, now time.Time, lastErr string) error {
	q := o.s.db.NewUpdate().Model((*outboxRow)(nil)).Set("failed_at = ?", now).Set("last_error = ?", lastErr).
		Set("lease_until = NULL").Where("id = ?", id)
	if !o.keepSent {
		q = q.Set("data = '{}'")
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("mark dead: %w", err)
	}
	return nil
}

// MailboxEntry is a mail as the dev mailbox shows it.
type MailboxEntry struct {
	mail.Message
	CreatedAt time.Time
	SentAt    *time.Time
	LastError string
}

// RecentMail lists the newest n mails, for the dev mailbox page.
func (o *Outbox) RecentMail(ctx context.Context, n int) ([]MailboxEntry, error) {
	var rows []outboxRow
	if err := o.s.db.NewSelect().Model(&rows).OrderExpr("id DESC").Limit(int64(n)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("recent mail: %w", err)
	}
	out := make([]MailboxEntry, 0, len(rows))
	for i := range rows {
		m, err := rows[i].message()
		if err != nil {
			return nil, err
		}
		e := MailboxEntry{Message: m, CreatedAt: rows[i].CreatedAt, SentAt: rows[i].SentAt}
		if rows[i].LastError != nil {
			e.LastError = *rows[i].LastError
		}
		out = append(out, e)
	}
	return out, nil
}
