// Package store keeps Kanmon's state in SQLite or PostgreSQL through bun. It
// implements auth.Store: each exported method is one transaction, and the
// database (never process memory) holds everything a second replica would need.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kanmon/kanmon/api/auth"
	"github.com/kanmon/kanmon/api/store/migrations"
)

// Store is the bun-backed storage of Kanmon.
type Store struct {
	db *bun.DB
	// sessionCheck is the hot statement of GET /session (and of reverse
	// proxies asking who is logged in), prepared once: through bun's builder
	// the driver would parse it again on every request.
	sessionCheck lazyStmt
}

// Open connects to url: postgres://… or postgresql://… for PostgreSQL, anything
// else is a SQLite file (file:path or a plain path), created with its directory.
func Open(url string) (*Store, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		sqldb, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Enough for the hashing bound plus session checks; a password is never
		// hashed while a connection is held, so logins cannot starve the pool.
		sqldb.SetMaxOpenConns(25)
		sqldb.SetMaxIdleConns(25)
		return &Store{db: bun.NewDB(sqldb, pgdialect.New())}, nil
	}
	dsn, err := sqliteDSN(url)
	if err != nil {
		return nil, err
	}
	sqldb, err := sql.Open(sqliteshim.ShimName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// WAL lets readers run beside the one writer; BEGIN IMMEDIATE (in the DSN)
	// makes writers queue on busy_timeout instead of failing on lock upgrade.
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	return &Store{db: bun.NewDB(sqldb, sqlitedialect.New())}, nil
}

// sqliteDSN turns a file URL or path into modernc's DSN with the pragmas Kanmon
// relies on: foreign keys, WAL, a busy timeout and full fsync on commit, so a
// committed login survives kill -9 and power loss alike.
func sqliteDSN(raw string) (string, error) {
	path := strings.TrimPrefix(raw, "file:")
	path, query, _ := strings.Cut(path, "?")
	if path == "" {
		return "", errors.New("sqlite database path is empty")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return "", fmt.Errorf("sqlite directory: %w", err)
		}
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("sqlite url: %w", err)
	}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(10000)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode(), nil
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.sessionCheck.close(), s.db.Close())
}

// Ping checks the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// DB exposes the bun handle to other storage packages of Kanmon (the mail outbox).
func (s *Store) DB() *bun.DB { return s.db }

// Migrate applies the migrations that have not run yet. Replicas starting together
// take turns through the migration lock.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	m := migrate.NewMigrator(s.db, migrations.All, migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTableName("kanmon_migrations"), migrate.WithLocksTableName("kanmon_migration_locks"))
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("migrate init: %w", err)
	}
	if err := lockWithRetry(ctx, m); err != nil {
		return nil, err
	}
	defer func() { _ = m.Unlock(context.WithoutCancel(ctx)) }()
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name)
	}
	return names, nil
}

func lockWithRetry(ctx context.Context, m *migrate.Migrator) error {
	for tries := 0; ; tries++ {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		if tries == 50 {
			return fmt.Errorf("migrate lock: %w", err)
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("migrate lock: %w", ctx.Err())
		}
	}
}

// isUniqueViolation reports whether err is a unique-constraint failure in either
// database, by the drivers' error codes rather than their text.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// notFound turns sql.ErrNoRows into the domain's error for the missing thing.
func notFound(err error, missing error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return missing
	}
	return err
}

// insertAudit writes events in the caller's transaction.
func insertAudit(ctx context.Context, tx bun.IDB, events ...auth.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([]auditRow, len(events))
	for i, e := range events {
		rows[i] = auditRow{At: e.At, Type: e.Type, Username: e.Username, ClientIP: e.ClientIP, Detail: e.Detail}
		if e.UserID != 0 {
			id := e.UserID
			rows[i].UserID = &id
		}
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}
