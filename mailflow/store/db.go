package store

// The SQL engines. The store's queries are written once, in the SQLite
// dialect the store began with; on PostgreSQL each query text is rewritten
// once (and cached) by pgQuery: placeholders become $n, SQLite's planner
// hints go, and the few spellings that differ are mapped. What cannot be
// mapped by text (the catalog, PRAGMAs, blob searches) branches on
// Store.engine where it is used. Every call runs under a timeout.

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// The engines Open accepts.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// QueryTimeout bounds one statement (and WriteTimeout one write
// transaction) whose caller gave no earlier deadline: a stuck database
// makes the loop that asked fail and back off instead of hanging.
var (
	QueryTimeout = 30 * time.Second
	WriteTimeout = 60 * time.Second
)

// sqlxRunner is what *sqlx.DB and *sqlx.Tx have in common and the store uses.
type sqlxRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row
	NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error)
}

// runner runs the store's queries on one engine, rewritten for it, each
// under QueryTimeout.
type runner struct {
	x      sqlxRunner
	engine string
}

func (r runner) q(query string) string {
	if r.engine == Postgres {
		return pgQuery(query, true)
	}
	return query
}

func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

func (r runner) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, cancel := withTimeout(ctx, QueryTimeout)
	defer cancel()
	return r.x.ExecContext(ctx, r.q(query), args...)
}

func (r runner) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	ctx, cancel := withTimeout(ctx, QueryTimeout)
	defer cancel()
	return r.x.GetContext(ctx, dest, r.q(query), args...)
}

func (r runner) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	ctx, cancel := withTimeout(ctx, QueryTimeout)
	defer cancel()
	return r.x.SelectContext(ctx, dest, r.q(query), args...)
}

// scanRow scans one row into dest (QueryRowx followed by Scan, under the timeout).
func (r runner) scanRow(ctx context.Context, query string, args []any, dest ...any) error {
	ctx, cancel := withTimeout(ctx, QueryTimeout)
	defer cancel()
	return r.x.QueryRowxContext(ctx, r.q(query), args...).Scan(dest...)
}

// NamedExecContext runs a query with :name parameters; sqlx binds them in
// the engine's style itself, so only the dialect is rewritten.
func (r runner) NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error) {
	ctx, cancel := withTimeout(ctx, QueryTimeout)
	defer cancel()
	if r.engine == Postgres {
		query = pgQuery(query, false)
	}
	return r.x.NamedExecContext(ctx, query, arg)
}

// conn is a pool (the writer or the readers).
type conn struct {
	runner
	db *sqlx.DB
}

func newConn(db *sqlx.DB, engine string) *conn {
	return &conn{runner: runner{x: db, engine: engine}, db: db}
}

func (c *conn) Close() error { return c.db.Close() }

var (
	pgCache     sync.Map // query text -> rewritten text
	indexedBy   = regexp.MustCompile(`(?i)\s+INDEXED BY\s+\w+`)
	emptyBlob   = regexp.MustCompile(`\bx''`)
	charNewline = regexp.MustCompile(`\bchar\(10\)`)
)

// pgQuery rewrites a query of the SQLite dialect for PostgreSQL:
//   - ? placeholders become $1, $2, … (not for named queries, which sqlx binds);
//   - INDEXED BY hints go (PostgreSQL's planner takes no hints);
//   - x” (an empty blob) is CAST(” AS bytea), char(10) is chr(10).
//
// COLLATE NOCASE needs no rewrite: the PostgreSQL schema defines a
// case-insensitive collation named nocase, and instr(text, text) exists
// there as a function (see migrations/postgres/0001_init.sql).
func pgQuery(query string, positional bool) string {
	key := query
	if !positional {
		key = "\x00named\x00" + query
	}
	if v, ok := pgCache.Load(key); ok {
		return v.(string)
	}
	q := indexedBy.ReplaceAllString(query, "")
	q = emptyBlob.ReplaceAllString(q, "CAST('' AS bytea)")
	q = charNewline.ReplaceAllString(q, "chr(10)")
	if positional {
		q = sqlx.Rebind(sqlx.DOLLAR, q)
	}
	pgCache.Store(key, q)
	return q
}

// greatest is the scalar maximum of several values in the engine's SQL.
func (s *Store) greatest() string {
	if s.engine == Postgres {
		return "greatest"
	}
	return "max"
}

// Engine is the SQL engine the store runs on (SQLite or Postgres).
func (s *Store) Engine() string { return s.engine }

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
