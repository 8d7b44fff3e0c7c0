package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The core schema: users, their authenticator apps, login flows, sessions,
// failure counters for rate limiting and the audit trail.
func init() {
	All.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return execDDL(ctx, db,
			`CREATE TABLE users (
				id {{ID}},
				username TEXT NOT NULL UNIQUE,
				email TEXT NOT NULL DEFAULT '',
				password_hash TEXT NOT NULL,
				disabled BOOLEAN NOT NULL DEFAULT FALSE,
				created_at {{TIME}} NOT NULL,
				updated_at {{TIME}} NOT NULL)`,
			`CREATE TABLE totp_devices (
				id {{ID}},
				user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
				name TEXT NOT NULL,
				secret_sealed {{BYTES}} NOT NULL,
				last_step BIGINT NOT NULL,
				created_at {{TIME}} NOT NULL)`,
			`CREATE INDEX totp_devices_user ON totp_devices (user_id)`,
			`CREATE TABLE login_flows (
				id {{ID}},
				token_hash {{BYTES}} NOT NULL UNIQUE,
				user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
				state TEXT NOT NULL,
				methods TEXT NOT NULL DEFAULT '',
				failed_codes INTEGER NOT NULL DEFAULT 0,
				pending_totp {{BYTES}},
				client_ip TEXT NOT NULL DEFAULT '',
				created_at {{TIME}} NOT NULL,
				expires_at {{TIME}} NOT NULL)`,
			`CREATE INDEX login_flows_expiry ON login_flows (expires_at)`,
			`CREATE TABLE sessions (
				id {{ID}},
				token_hash {{BYTES}} NOT NULL UNIQUE,
				user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
				factors TEXT NOT NULL,
				client_ip TEXT NOT NULL DEFAULT '',
				user_agent TEXT NOT NULL DEFAULT '',
				created_at {{TIME}} NOT NULL,
				last_seen_at {{TIME}} NOT NULL,
				expires_at {{TIME}} NOT NULL)`,
			`CREATE INDEX sessions_user ON sessions (user_id)`,
			`CREATE INDEX sessions_expiry ON sessions (expires_at)`,
			`CREATE TABLE auth_failures (
				id {{ID}},
				key TEXT NOT NULL,
				at {{TIME}} NOT NULL)`,
			`CREATE INDEX auth_failures_key_at ON auth_failures (key, at)`,
			`CREATE TABLE audit_events (
				id {{ID}},
				at {{TIME}} NOT NULL,
				type TEXT NOT NULL,
				user_id BIGINT,
				username TEXT NOT NULL DEFAULT '',
				client_ip TEXT NOT NULL DEFAULT '',
				detail TEXT NOT NULL DEFAULT '')`,
			`CREATE INDEX audit_events_at ON audit_events (at)`,
			`CREATE INDEX audit_events_user ON audit_events (user_id, at)`,
		)
	}, nil)
}
