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
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	sqlite3 "github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrSlotTaken is returned when a booking would double-book a technician.
var ErrSlotTaken = errors.New("slot already booked")

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	w      *sqlx.DB // the one writer connection
	r      *sqlx.DB // readers (the same handle for in-memory databases)
	path   string
	writes writeHealth
	// secret is the installation's HMAC key (see secret.go).
	secret []byte
}

// Open opens (creating if needed) the SQLite database at path and applies
// pending migrations. path ":memory:" gives a private in-memory database.
func Open(ctx context.Context, path string) (*Store, error) {
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
	s := &Store{w: w, r: w, path: path}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
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
		s.r = r
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

// migrate applies the embedded migrations whose number is above the
// database's user_version, each in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		var n int
		if _, err := fmt.Sscanf(name, "%04d_", &n); err != nil {
			return fmt.Errorf("migration %s: name must start with a 4-digit number", name)
		}
		body, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		// The version is read inside the (immediate) transaction, so two
		// processes opening a new database at once apply each migration
		// once: the second waits for the first and then sees its version.
		tx, err := s.w.BeginTxx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		var version int
		if err := tx.GetContext(ctx, &version, "PRAGMA user_version"); err != nil {
			tx.Rollback()
			return fmt.Errorf("read schema version: %w", err)
		}
		if n <= version {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: set version: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: commit: %w", name, err)
		}
	}
	return nil
}

// Tx is one write transaction. All of a decision's effects go through one Tx.
type Tx struct {
	tx  *sqlx.Tx
	s   *Store
	dry bool // DryRun: rolled back whatever happens
}

// InTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise (also when fn panics, after which the panic goes on).
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	s.simulateFullDisk(ctx)
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", s.noteWrite(err))
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{tx: tx, s: s}); err != nil {
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
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(&Tx{tx: tx, s: s, dry: true})
}

// Checkpoint folds the WAL back into the main file and truncates it, so
// erased data leaves no copy behind in the -wal file.
func (s *Store) Checkpoint(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("wal checkpoint: %w", s.noteWrite(err))
	}
	return nil
}

func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
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
