// Package storetest opens fresh, migrated databases for tests of the store and
// of the layers above it: a SQLite file in the test's temporary directory always,
// and a new PostgreSQL database when KANMON_TEST_POSTGRES_DSN names a server.
//
// Each PostgreSQL database is created with a random name through the DSN's own
// database and dropped on cleanup, so packages tested in parallel never share
// state. When CI is set, a missing DSN fails the test instead of skipping it:
// CI must not go green on SQLite alone.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kanmon/kanmon/api/store"
)

// PostgresDSNEnv names the variable holding the DSN of a PostgreSQL server whose
// user may create databases, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresDSNEnv = "KANMON_TEST_POSTGRES_DSN"

// Kind is a database Kanmon runs on.
type Kind string

// The databases Kanmon supports.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// Kinds lists every supported database, in the order tests run them.
var Kinds = []Kind{SQLite, Postgres}

// EachDB runs body as a subtest on each database: on a fresh SQLite file, and on
// a fresh PostgreSQL database when the DSN is set (see the package comment).
func EachDB(t *testing.T, body func(t *testing.T, st *store.Store)) {
	t.Helper()
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) { body(t, Open(t, k)) })
	}
}

// EachURL is EachDB for tests that open the database themselves (the CLI): body
// gets the URL of a fresh, empty and unmigrated database.
func EachURL(t *testing.T, body func(t *testing.T, url string)) {
	t.Helper()
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) { body(t, URL(t, k)) })
	}
}

// Open returns a migrated store on a fresh database of kind k, closed on cleanup.
func Open(t testing.TB, k Kind) *store.Store {
	t.Helper()
	st, err := store.Open(URL(t, k))
	if err != nil {
		t.Fatalf("open %s store: %v", k, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s store: %v", k, err)
	}
	return st
}

// URL returns the URL of a fresh, empty database of kind k, removed on cleanup.
func URL(t testing.TB, k Kind) string {
	t.Helper()
	switch k {
	case SQLite:
		return "file:" + filepath.Join(t.TempDir(), "kanmon.db")
	case Postgres:
		return freshPostgres(t, postgresDSN(t))
	}
	t.Fatalf("unknown database kind %q", k)
	return ""
}

// postgresDSN returns the configured DSN, skips the test without one, or fails
// it when running in CI.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresDSNEnv)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is not: the PostgreSQL tests must run in CI", PostgresDSNEnv)
		}
		t.Skipf("%s not set: PostgreSQL tests skipped", PostgresDSNEnv)
	}
	return dsn
}

// freshPostgres creates a database with a random name on the server of dsn and
// returns dsn pointing at it; the database is dropped on cleanup.
func freshPostgres(t testing.TB, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", PostgresDSNEnv, err)
	}
	admin, err := sql.Open("pgx", dsn) // the driver is registered by package store
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresDSNEnv, err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "kanmon_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database through %s: %v", PostgresDSNEnv, err)
	}
	// Registered after the store's cleanup (see Open), so it runs after the
	// store is closed; FORCE ends any connection a failed test left behind.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
