package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// ErrLocked is returned by Lock when another process holds the database.
var ErrLocked = errors.New("database is in use by another mailflow")

// LockFile is the lock beside a database: one `mailflow run` per database
// holds it, so two daemons never answer the same mail.
func LockFile(dbPath string) string { return dbPath + ".lock" }

// DaemonLock is a held lock file. Closing it (or the process ending in any
// way, kill -9 included) releases it.
type DaemonLock struct {
	f *os.File
	// PostgreSQL: the session holding the advisory lock.
	conn *sql.Conn
}

// daemonLockKey is the advisory lock key of `mailflow run` on PostgreSQL
// (arbitrary, fixed, distinct from the migration lock's).
const daemonLockKey = 7237128392819

// LockDaemon takes the daemon lock of a PostgreSQL database without
// waiting: a session-level advisory lock on a connection kept open for it,
// so the lock ends with the process however it ends (the server sees the
// connection drop). When another process holds it, the error wraps
// ErrLocked and names that session (client address, pid, since when).
func (s *Store) LockDaemon(ctx context.Context) (*DaemonLock, error) {
	if s.engine != Postgres {
		return Lock(s.path)
	}
	c, err := s.w.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("daemon lock: %w", err)
	}
	qctx, cancel := withTimeout(ctx, QueryTimeout)
	defer cancel()
	var got bool
	if err := c.QueryRowContext(qctx, "SELECT pg_try_advisory_lock($1)", int64(daemonLockKey)).Scan(&got); err != nil {
		c.Close()
		return nil, fmt.Errorf("daemon lock: %w", err)
	}
	if !got {
		c.Close()
		var who sql.NullString
		_ = s.w.db.QueryRowContext(qctx, `SELECT format('%s (pid %s on the server, client %s, since %s)', a.application_name, a.pid, coalesce(host(a.client_addr), 'local'), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
			FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND (l.classid::bigint << 32) + l.objid::bigint = $1 LIMIT 1`, int64(daemonLockKey)).Scan(&who)
		holder := "another session"
		if who.Valid {
			holder = who.String
		}
		return nil, fmt.Errorf("%w: the database's daemon lock is held by %s", ErrLocked, holder)
	}
	return &DaemonLock{conn: c}, nil
}

// DaemonRunning reports whether some process holds the daemon lock of the
// database (the file lock on SQLite, the advisory lock on PostgreSQL).
func (s *Store) DaemonRunning(ctx context.Context) (bool, error) {
	if s.engine != Postgres {
		held, _, err := Held(s.path)
		return held, err
	}
	var n int
	err := s.r.GetContext(ctx, &n, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND (classid::bigint << 32) + objid::bigint = ? AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, int64(daemonLockKey))
	if err != nil {
		return false, fmt.Errorf("daemon lock: %w", err)
	}
	return n > 0, nil
}

// Lock takes the exclusive lock beside dbPath without waiting. When another
// process holds it, the error wraps ErrLocked and names that process as it
// wrote itself into the file (pid, start time, command).
func Lock(dbPath string) (*DaemonLock, error) {
	if dbPath == ":memory:" {
		return &DaemonLock{}, nil // private to the process anyway
	}
	path := LockFile(dbPath)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := flock(f); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, errWouldBlock) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "a process that has not written its pid yet"
			}
			return nil, fmt.Errorf("%w: %s is held by %s", ErrLocked, path, who)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Say who holds it, for the next one who tries.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "pid %d, started %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
		_ = f.Sync()
	}
	return &DaemonLock{f: f}, nil
}

// Held reports whether some process holds the lock beside dbPath (for
// commands that must not run beside the daemon, such as a restore).
func Held(dbPath string) (bool, string, error) {
	l, err := Lock(dbPath)
	if errors.Is(err, ErrLocked) {
		holder, _ := os.ReadFile(LockFile(dbPath))
		return true, strings.TrimSpace(string(holder)), nil
	}
	if err != nil {
		return false, "", err
	}
	// Leave the file as it was found: empty means free.
	_ = l.f.Truncate(0)
	return false, "", l.Close()
}

// Close releases the lock. The file stays (removing it would race with a
// process that just opened it); its content is cleared so it names nobody.
func (l *DaemonLock) Close() error {
	if l != nil && l.conn != nil {
		// Closing the session releases the advisory lock.
		err := l.conn.Close()
		l.conn = nil
		return err
	}
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close()
	l.f = nil
	return err
}
