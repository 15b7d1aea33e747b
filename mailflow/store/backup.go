package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
)

// Backup writes a consistent copy of the database at dbPath to dest while
// mailflow may be running. VACUUM INTO reads the database in one read
// transaction (in WAL mode that never blocks the daemon's writer) and
// writes a compact copy: no free pages, no -wal file, nothing erased that
// could linger. The copy is made private (0600) before a byte is written,
// checked with integrity_check, and only then renamed to dest, so dest is
// either a whole backup or absent. An existing dest is never overwritten.
func Backup(ctx context.Context, dbPath, dest string) error {
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("%s exists; backups are never overwritten", dest)
	}
	tmp := fmt.Sprintf("%s.tmp-%d", dest, os.Getpid())
	// VACUUM INTO accepts an existing empty file and keeps its mode.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create backup: %w", err)
	}
	f.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmp)
		}
	}()
	db, err := sqlx.Open("sqlite3", "file:"+(&url.URL{Path: dbPath}).EscapedPath()+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return fmt.Errorf("open database %s: %w", dbPath, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return fmt.Errorf("copy database: %w", err)
	}
	if _, err := checkBackup(ctx, tmp); err != nil {
		return err
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done = true
	return syncDir(filepath.Dir(dest))
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	// Schema is the backup's schema version; migrations up to the
	// current one run at the next start.
	Schema int
	// Previous is where the database that was replaced now lives ("" when
	// there was none), so a restore is never the end of the only copy.
	Previous string
}

// Restore replaces the database at dbPath with the backup at src. It holds
// the database's lock while it works and refuses (ErrLocked) while
// `mailflow run` holds it. The backup is checked before anything is
// touched; a backup from a newer mailflow (a higher schema version) is
// refused. The replaced database is folded together with its -wal file and
// kept beside it as <db>.before-restore-<time>.
func Restore(ctx context.Context, src, dbPath string, now time.Time) (RestoreResult, error) {
	lock, err := Lock(dbPath)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			return RestoreResult{}, fmt.Errorf("refusing to restore while mailflow runs on it: stop it first (%w)", err)
		}
		return RestoreResult{}, err
	}
	defer lock.Close()
	schema, err := checkBackup(ctx, src)
	if err != nil {
		return RestoreResult{}, err
	}
	if latest := SchemaVersion(); schema > latest {
		return RestoreResult{}, fmt.Errorf("%s has schema version %d, this mailflow knows up to %d: restore it with the newer mailflow that made it", src, schema, latest)
	}
	res := RestoreResult{Schema: schema}
	tmp := dbPath + ".restore-tmp"
	if err := copyPrivate(src, tmp); err != nil {
		return res, err
	}
	defer os.Remove(tmp)
	if _, err := os.Stat(dbPath); err == nil {
		// Fold the -wal file into the main file first: renamed alone, the
		// main file could lack the last transactions.
		if err := checkpointClose(ctx, dbPath); err != nil {
			return res, err
		}
		res.Previous = fmt.Sprintf("%s.before-restore-%s", dbPath, now.UTC().Format("20060102T150405Z"))
		if err := os.Rename(dbPath, res.Previous); err != nil {
			return res, fmt.Errorf("keep the current database: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("database: %w", err)
	}
	for _, side := range []string{dbPath + "-wal", dbPath + "-shm"} {
		if err := os.Remove(side); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, fmt.Errorf("remove %s: %w", side, err)
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	return res, syncDir(filepath.Dir(dbPath))
}

// checkpointClose moves everything from the database's -wal file into the
// main file, so the main file alone is the whole database.
func checkpointClose(ctx context.Context, dbPath string) error {
	db, err := sqlx.Open("sqlite3", "file:"+(&url.URL{Path: dbPath}).EscapedPath()+"?_busy_timeout=10000")
	if err != nil {
		return fmt.Errorf("open database %s: %w", dbPath, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("checkpoint %s: %w", dbPath, err)
	}
	return db.Close()
}

// checkBackup opens a backup read-only and returns its schema version if
// SQLite finds it intact and it is a mailflow database.
func checkBackup(ctx context.Context, path string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	db, err := sqlx.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&immutable=1")
	if err != nil {
		return 0, fmt.Errorf("open backup %s: %w", path, err)
	}
	defer db.Close()
	var result string
	if err := db.GetContext(ctx, &result, "PRAGMA integrity_check"); err != nil {
		return 0, fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	if result != "ok" {
		return 0, fmt.Errorf("%s is damaged: integrity_check says %s", path, result)
	}
	var n int
	if err := db.GetContext(ctx, &n, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('incoming', 'outbox', 'cursor')"); err != nil || n != 3 {
		return 0, fmt.Errorf("%s is not a mailflow database", path)
	}
	var version int
	if err := db.GetContext(ctx, &version, "PRAGMA user_version"); err != nil {
		return 0, fmt.Errorf("read schema version of %s: %w", path, err)
	}
	return version, nil
}

// SchemaVersion is the newest migration this build carries.
func SchemaVersion() int {
	entries, _ := fs.ReadDir(migrations, "migrations")
	latest := 0
	for _, e := range entries {
		var n int
		if _, err := fmt.Sscanf(e.Name(), "%04d_", &n); err == nil && n > latest {
			latest = n
		}
	}
	return latest
}

// copyPrivate copies src to a new file dst (0600) and syncs it. When run by
// root (restoring for the service) the copy gets the owner of dst's folder,
// the service's user, so the daemon can open it.
func copyPrivate(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("restore: copy: %w", err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("restore: sync: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if os.Geteuid() == 0 {
		if st, err := os.Stat(filepath.Dir(dst)); err == nil {
			if sys, ok := st.Sys().(*syscall.Stat_t); ok {
				if err := os.Chown(dst, int(sys.Uid), int(sys.Gid)); err != nil {
					return fmt.Errorf("restore: give the copy its folder's owner: %w", err)
				}
			}
		}
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
