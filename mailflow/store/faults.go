package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/mailflow/mailflow/mailflow/internal/failpoint"
)

// ErrWriteRefused marks errors of the one class every loop pauses on: the
// database cannot take writes at all (disk or quota full, read-only file
// or filesystem, I/O errors). Retrying at once cannot help; the loops back
// off until a write succeeds again, and nothing is sent meanwhile whose
// attempt could not be recorded first.
var ErrWriteRefused = errors.New("database refuses writes")

// IsWriteRefused reports whether err means the database refuses writes.
func IsWriteRefused(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrWriteRefused) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull, sqlite3.ErrReadonly, sqlite3.ErrIoErr, sqlite3.ErrCantOpen, sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
			return true
		}
	}
	// PostgreSQL: insufficient resources (disk full, out of memory, too
	// many connections), a read-only transaction (a standby, or
	// default_transaction_read_only), I/O and data corruption errors.
	switch code := pgCode(err); {
	case code == "":
	case strings.HasPrefix(code, "53"), code == "25006", code == "58030", code == "XX001", code == "XX002":
		return true
	}
	return false
}

// refusedError wraps a write-refused error so callers can test for it with
// errors.Is(err, ErrWriteRefused) whatever layer produced it.
type refusedError struct{ err error }

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() []error {
	return []error{e.err, ErrWriteRefused}
}

// writeHealth remembers whether the last write succeeded, for health checks
// and for the one log line per streak of refused writes.
type writeHealth struct {
	mu       sync.Mutex
	since    time.Time // first refused write of the current streak; zero when writes work
	last     error
	onChange func(refused bool, since time.Time, err error)
	// simulatedFull: the fault suite's disk-full failpoint is applied.
	simulatedFull bool
}

// WriteState reports whether the database currently refuses writes: since
// when, and the last error. since is zero when the last write succeeded.
func (s *Store) WriteState() (since time.Time, err error) {
	s.writes.mu.Lock()
	defer s.writes.mu.Unlock()
	return s.writes.since, s.writes.last
}

// OnWriteState registers f to be called when writes start being refused
// and when they work again (never once per failed write).
func (s *Store) OnWriteState(f func(refused bool, since time.Time, err error)) {
	s.writes.mu.Lock()
	s.writes.onChange = f
	s.writes.mu.Unlock()
}

// noteWrite records the result of a write and returns err, marked as
// ErrWriteRefused when it belongs to that class.
func (s *Store) noteWrite(err error) error {
	refused := IsWriteRefused(err)
	if err != nil && !refused {
		return err // a constraint, a cancelled context: says nothing about the disk
	}
	s.writes.mu.Lock()
	var notify func(bool, time.Time, error)
	var since time.Time
	switch {
	case refused && s.writes.since.IsZero():
		s.writes.since = time.Now()
		notify, since = s.writes.onChange, s.writes.since
	case !refused && !s.writes.since.IsZero():
		since = s.writes.since
		s.writes.since = time.Time{}
		notify = s.writes.onChange
	}
	if refused {
		s.writes.last = err
	}
	s.writes.mu.Unlock()
	if notify != nil {
		notify(refused, since, err)
	}
	if refused && !errors.Is(err, ErrWriteRefused) {
		return &refusedError{err}
	}
	return err
}

// simulateFullDisk applies the fault suite's "disk full" failpoint: while
// its file exists the database cannot grow. Off, it does nothing.
func (s *Store) simulateFullDisk(ctx context.Context) {
	configured, full := failpoint.DatabaseFull()
	if !configured {
		return
	}
	s.writes.mu.Lock()
	changed := full != s.writes.simulatedFull
	s.writes.simulatedFull = full
	s.writes.mu.Unlock()
	if !changed {
		return
	}
	extra := 0
	if !full {
		extra = -1
	}
	_ = s.LimitPages(ctx, extra)
}

// LimitPages caps the database at its current size (pages) plus extra, or
// lifts the cap with extra < 0. A write that needs more space then fails
// with SQLITE_FULL, as on a full disk. It exists for fault tests (and the
// MAILFLOW_FAILPOINTS "db-full" point), not for production.
func (s *Store) LimitPages(ctx context.Context, extra int) error {
	if s.engine != SQLite {
		return fmt.Errorf("limit pages: %w", errors.ErrUnsupported)
	}
	if extra < 0 {
		if _, err := s.w.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
			return fmt.Errorf("lift page limit: %w", err)
		}
		return nil
	}
	var pages int
	if err := s.w.GetContext(ctx, &pages, "PRAGMA page_count"); err != nil {
		return fmt.Errorf("page count: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+extra)); err != nil {
		return fmt.Errorf("limit pages: %w", err)
	}
	return nil
}

// RefuseWrites makes the writer connection read-only (on) or writable
// again, as a remount read-only would. For fault tests only.
func (s *Store) RefuseWrites(ctx context.Context, on bool) error {
	if s.engine == Postgres {
		// Every pooled session, present and future, reads only.
		v := "off"
		if on {
			v = "on"
		}
		var db string
		if err := s.w.GetContext(ctx, &db, "SELECT current_database()"); err != nil {
			return fmt.Errorf("read only: %w", err)
		}
		if _, err := s.w.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s SET default_transaction_read_only = %s", quoteIdent(db), v)); err != nil {
			return fmt.Errorf("read only: %w", err)
		}
		// Sessions already open keep their setting: drop them.
		s.w.db.SetMaxIdleConns(0)
		s.w.db.SetMaxIdleConns(8)
		return nil
	}
	v := 0
	if on {
		v = 1
	}
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA query_only = %d", v)); err != nil {
		return fmt.Errorf("query_only: %w", err)
	}
	return nil
}
