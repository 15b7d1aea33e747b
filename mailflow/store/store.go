// Package store owns mailflow's database: the embedded schema migrations,
// one file per table family, and the transactions that keep a decision and
// its effects together. It knows nothing about IMAP, SMTP or templates.
//
// SQLite runs in WAL mode with one writer connection (_txlock=immediate so a
// transaction takes the write lock up front and never fails half-way on a
// busy upgrade) and a separate pool of readers.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	sqlite3 "github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrations embed.FS

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrSlotTaken is returned when a booking would double-book a technician.
var ErrSlotTaken = errors.New("slot already booked")

// ErrSchemaTooNew is returned by Open for a database whose schema a newer
// mailflow wrote: this binary would misread it, so it refuses to start.
var ErrSchemaTooNew = errors.New("database schema is newer than this mailflow")

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	w      *conn // SQLite: the one writer connection; PostgreSQL: the pool
	r      *conn // readers (the same handle for in-memory and PostgreSQL databases)
	engine string
	path   string // the SQLite file ("" on PostgreSQL)
	schema string // the PostgreSQL schema of its own, "" for the default search_path
	writes writeHealth
	// secret is the installation's HMAC key (see secret.go).
	secret []byte
	// instance names the daemon whose claims this store writes (lease.go).
	instance string
}

// Open opens (creating if needed) the database and applies pending
// migrations. engine is SQLite ("" too) or Postgres; source is the SQLite
// file (":memory:" gives a private in-memory database) or the PostgreSQL
// connection string (a URL or key=value pairs, as libpq reads them).
func Open(ctx context.Context, engine, source string) (*Store, error) {
	return openTo(ctx, engine, source, latestSchema)
}

// latestSchema asks openTo for every migration.
const latestSchema = 1 << 30

// openTo opens the database migrated up to schema number limit. Below the
// latest schema the store is only good for raw SQL (the upgrade tests).
func openTo(ctx context.Context, engine, source string, limit int) (*Store, error) {
	switch engine {
	case SQLite, "":
		return openSQLite(ctx, source, limit)
	case Postgres:
		return openPostgres(ctx, source, limit)
	}
	return nil, fmt.Errorf("open database: unknown driver %q (want %s or %s)", engine, SQLite, Postgres)
}

func openSQLite(ctx context.Context, path string, limit int) (*Store, error) {
	memory := path == ":memory:"
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	if memory {
		dsn = "file::memory:?" + pragmas
	}
	if !memory {
		if err := privateFiles(path); err != nil {
			return nil, err
		}
	}
	w, err := sqlx.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	wc := newConn(w, SQLite)
	s := &Store{w: wc, r: wc, path: path, engine: SQLite}
	if err := s.migrateTo(ctx, limit); err != nil {
		w.Close()
		return nil, err
	}
	if limit != latestSchema {
		return s, nil
	}
	if err := s.loadSecret(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if !memory {
		r, err := sqlx.Open(driverName, dsn+"&mode=ro")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open database readers %s: %w", path, err)
		}
		r.SetMaxOpenConns(4)
		s.r = newConn(r, SQLite)
		if err := privateFiles(path); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

const pragmas = "_journal_mode=WAL&_txlock=immediate&_busy_timeout=10000&_foreign_keys=1&_secure_delete=on&_synchronous=NORMAL"

// driverName is go-sqlite3 with the settings its DSN cannot carry.
const driverName = "sqlite3_mailflow"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// A checkpoint truncates the WAL back to this size, so a write
		// burst (or a refused-write streak) does not leave it huge and
		// the disk full after space was freed.
		_, err := c.Exec("PRAGMA journal_size_limit = 67108864", nil)
		return err
	}})
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes every connection.
func (s *Store) Close() error {
	var errs []error
	if s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	return errors.Join(errs...)
}

// Tx is one write transaction. All of a decision's effects go through one Tx.
type Tx struct {
	tx  runner
	s   *Store
	dry bool // DryRun: rolled back whatever happens
}

// InTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise (also when fn panics, after which the panic goes on).
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	s.simulateFullDisk(ctx)
	ctx, cancel := withTimeout(ctx, WriteTimeout)
	defer cancel()
	tx, err := s.w.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", s.noteWrite(err))
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{tx: runner{x: tx, engine: s.engine}, s: s}); err != nil {
		tx.Rollback()
		return s.noteWrite(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", s.noteWrite(err))
	}
	s.noteWrite(nil)
	return nil
}

// DryRun runs fn in a write transaction that is always rolled back: what
// `mailflow try` uses to show a decision without changing anything.
func (s *Store) DryRun(ctx context.Context, fn func(*Tx) error) error {
	ctx, cancel := withTimeout(ctx, WriteTimeout)
	defer cancel()
	tx, err := s.w.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(&Tx{tx: runner{x: tx, engine: s.engine}, s: s, dry: true})
}

// Checkpoint folds the WAL back into the main file and truncates it, so
// erased data leaves no copy behind in the -wal file.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.engine != SQLite {
		return nil
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("wal checkpoint: %w", s.noteWrite(err))
	}
	return nil
}

func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique
	}
	return pgCode(err) == "23505"
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// utc normalises times before they are written, so stored timestamps compare
// correctly as text.
func utc(t time.Time) time.Time { return t.UTC().Round(0) }

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
