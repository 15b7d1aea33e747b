package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrInUse means another process holds the database's lock file: a
// running `mailflow run` (or a restore in progress).
var ErrInUse = errors.New("database in use")

// LockPath is the lock file of the database at dbPath. `mailflow run`
// holds it for its whole life; `mailflow restore` takes it too, so neither
// can start while the other works on the file.
func LockPath(dbPath string) string { return dbPath + ".lock" }

// DatabaseLock is a held flock(2) on LockPath. The kernel drops it when the
// process ends, however it ends, so a crash never leaves a stale lock.
type DatabaseLock struct{ f *os.File }

// LockDatabase takes the lock on dbPath's lock file without waiting. When
// another process holds it the error wraps ErrInUse and names that
// process's pid as it wrote it into the file.
func LockDatabase(dbPath string) (*DatabaseLock, error) {
	if dbPath == ":memory:" {
		return &DatabaseLock{}, nil // private to the process anyway
	}
	path := LockPath(dbPath)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(holder))
			if pid == "" {
				pid = "unknown"
			}
			return nil, fmt.Errorf("%w: %s is locked by process %s (%s)", ErrInUse, dbPath, pid, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The pid is for the error message above; the flock is what counts.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &DatabaseLock{f: f}, nil
}

// Unlock releases the lock. The file stays: removing it would race with a
// process that just opened it.
func (l *DatabaseLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
