package oauth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoRefreshToken means the refresh token file is missing or empty.
var ErrNoRefreshToken = errors.New("no refresh token")

// ReadRefreshToken returns the refresh token stored in path.
func ReadRefreshToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("oauth2: refresh_token_file %s: %w (file missing)", path, ErrNoRefreshToken)
	}
	if err != nil {
		return "", fmt.Errorf("oauth2: read refresh_token_file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("oauth2: refresh_token_file %s: %w (file empty)", path, ErrNoRefreshToken)
	}
	return tok, nil
}

// WriteRefreshToken replaces the file at path with token, atomically and
// durably: a temporary file (0600) in the same folder is written, synced
// and renamed over path, and the folder is synced, so that after a crash
// path holds either the old token or the new one, never a torn write.
func WriteRefreshToken(path, token string) (err error) {
	if token == "" || strings.ContainsAny(token, "\r\n") {
		return errors.New("refusing to store an empty or multi-line refresh token")
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write refresh token: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes 0600 files already; say so in case umask or a
	// future Go differ.
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("write refresh token: %w", err)
	}
	if _, err = f.WriteString(token + "\n"); err != nil {
		return fmt.Errorf("write refresh token: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write refresh token: sync: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write refresh token: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write refresh token: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
