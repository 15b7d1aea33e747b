package store

import (
	"context"
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
}

// DaemonRunning reports whether some daemon runs on the database: one
// holds the lock file (SQLite), or an instance beat recently (PostgreSQL).
func (s *Store) DaemonRunning(ctx context.Context) (bool, error) {
	if s.engine != Postgres {
		held, _, err := Held(s.path)
		return held, err
	}
	var n int
	err := s.r.GetContext(ctx, &n, `SELECT count(*) FROM instances WHERE stopped_at IS NULL AND heartbeat_at >= ?`,
		utc(time.Now().Add(-InstanceDeadAfter)))
	if err != nil {
		return false, fmt.Errorf("instances: %w", err)
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
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close()
	l.f = nil
	return err
}
