package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// privateFiles makes the database folder 0700 and the database files 0600
// whatever the umask: they hold raw mail and AnyDesk IDs. SQLite gives the
// -wal and -shm files it creates later the mode of the main file, so
// creating that one 0600 before SQLite does is what keeps them private too.
// The working directory itself is left alone (it is not ours to close);
// database.path should name a folder of the daemon's own.
func privateFiles(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("database folder %s: %w", dir, err)
	}
	if !isWorkingDir(dir) {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("database folder %s: %w", dir, err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("database file %s: %w", p, err)
		}
	}
	return nil
}

func isWorkingDir(dir string) bool {
	wd, err := os.Getwd()
	if err != nil {
		return false
	}
	abs, err := filepath.Abs(dir)
	return err == nil && abs == wd
}
