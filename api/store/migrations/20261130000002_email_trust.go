package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// E-mail codes on login flows, the durable mail outbox, trusted browsers (skip
// the second factor for 8 hours) and the user's WebAuthn opt-in.
func init() {
	All.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execDDL(ctx, db,
			`ALTER TABLE login_flows ADD COLUMN email_code_mac {{BYTES}}`,
			`ALTER TABLE login_flows ADD COLUMN email_code_expires_at {{TIME}}`,
			`ALTER TABLE login_flows ADD COLUMN email_sent_at {{TIME}}`,
			`ALTER TABLE users ADD COLUMN webauthn_setup_requested BOOLEAN NOT NULL DEFAULT FALSE`,
			`CREATE TABLE outbox (
				id {{ID}},
				to_addr TEXT NOT NULL,
				lang TEXT NOT NULL DEFAULT 'ja',
				template TEXT NOT NULL,
				data TEXT NOT NULL DEFAULT '{}',
				user_id BIGINT,
				created_at {{TIME}} NOT NULL,
				next_attempt_at {{TIME}} NOT NULL,
				attempts INTEGER NOT NULL DEFAULT 0,
				lease_until {{TIME}},
				sent_at {{TIME}},
				failed_at {{TIME}},
				last_error TEXT)`,
			`CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL`,
			`CREATE INDEX outbox_user ON outbox (user_id, template, created_at)`,
			`CREATE TABLE trusted_browsers (
				id {{ID}},
				token_hash {{BYTES}} NOT NULL UNIQUE,
				user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
				user_agent TEXT NOT NULL DEFAULT '',
				created_at {{TIME}} NOT NULL,
				last_used_at {{TIME}},
				expires_at {{TIME}} NOT NULL)`,
			`CREATE INDEX trusted_browsers_user ON trusted_browsers (user_id)`,
			`CREATE INDEX trusted_browsers_expiry ON trusted_browsers (expires_at)`,
		)
	}, nil)
}
