package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// WebAuthn: registered security keys and biometrics, the random user handle
// authenticators know a user by, and pending ceremony challenges on login flows
// (login) and sessions (registration).
func init() {
	All.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execDDL(ctx, db,
			`ALTER TABLE users ADD COLUMN webauthn_handle {{BYTES}}`,
			`CREATE UNIQUE INDEX users_webauthn_handle ON users (webauthn_handle)`,
			`CREATE TABLE webauthn_credentials (
				id {{ID}},
				user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
				credential_id {{BYTES}} NOT NULL UNIQUE,
				name TEXT NOT NULL,
				aaguid {{BYTES}},
				transports TEXT NOT NULL DEFAULT '',
				sign_count BIGINT NOT NULL DEFAULT 0,
				backup_eligible BOOLEAN NOT NULL DEFAULT FALSE,
				backup_state BOOLEAN NOT NULL DEFAULT FALSE,
				record TEXT NOT NULL,
				created_at {{TIME}} NOT NULL,
				last_used_at {{TIME}})`,
			`CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id)`,
			`ALTER TABLE login_flows ADD COLUMN webauthn_session TEXT`,
			`ALTER TABLE login_flows ADD COLUMN webauthn_expires_at {{TIME}}`,
			`ALTER TABLE sessions ADD COLUMN webauthn_session TEXT`,
			`ALTER TABLE sessions ADD COLUMN webauthn_expires_at {{TIME}}`,
		)
	}, nil)
}
