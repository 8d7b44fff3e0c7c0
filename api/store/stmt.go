package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// lazyStmt is a statement prepared on first use (the tables it reads may not
// exist before the migrations ran) and kept for the life of the Store.
type lazyStmt struct {
	ready atomic.Pointer[sql.Stmt] // read without a lock on the hot path
	mu    sync.Mutex               // held while preparing
}

// get returns the prepared statement, preparing query on first use. query
// uses $1-style parameters; on SQLite they become ?.
func (l *lazyStmt) get(ctx context.Context, db *bun.DB, query string) (*sql.Stmt, error) {
	if stmt := l.ready.Load(); stmt != nil {
		return stmt, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if stmt := l.ready.Load(); stmt != nil {
		return stmt, nil
	}
	if db.Dialect().Name() == dialect.SQLite {
		query = strings.ReplaceAll(query, "$1", "?")
	}
	stmt, err := db.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	l.ready.Store(stmt)
	return stmt, nil
}

// close releases the statement, if it was prepared.
func (l *lazyStmt) close() error {
	if stmt := l.ready.Swap(nil); stmt != nil {
		return stmt.Close()
	}
	return nil
}

// timeScanner scans a timestamp as either driver returns it: PostgreSQL's as a
// time.Time, SQLite's as the text bun wrote.
type timeScanner struct{ t *time.Time }

// bunTimeLayout is how bun writes times to SQLite.
const bunTimeLayout = "2006-01-02 15:04:05.999999-07:00"

func (ts timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*ts.t = v.UTC()
		return nil
	case string:
		return ts.parse(v)
	case []byte:
		return ts.parse(string(v))
	}
	return fmt.Errorf("cannot scan %T into a time", src)
}

func (ts timeScanner) parse(s string) error {
	t, err := time.Parse(bunTimeLayout, s)
	if err != nil {
		return fmt.Errorf("parse time %q: %w", s, err)
	}
	*ts.t = t.UTC()
	return nil
}
