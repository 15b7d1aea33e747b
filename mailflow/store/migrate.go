package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// Migrations are plain SQL files, numbered, one set per engine: SQLite's in
// migrations/, PostgreSQL's in migrations/postgres/. The PostgreSQL set
// starts from the whole schema as of SQLite's 0035 (its 0001) and follows
// SQLite's numbering from there, so a change lands as the same number in
// both sets. SQLite keeps the version in PRAGMA user_version, PostgreSQL in
// the one-row table schema_version.

// migrationLockKey is the PostgreSQL advisory lock migrations run under
// (arbitrary and fixed) when the store uses the database's default schema.
const migrationLockKey = "7237128392818"

// schemaLockSpace is the first half of the two-key advisory lock a store
// confined to a schema of its own (a desk sharing the database) migrates
// under; the second half is the schema's hashed name, so desks migrate
// side by side and only the instances of one desk wait for each other.
const schemaLockSpace = "1835427699" // "mflm"

// migrationLock is the statement that takes this store's migration lock
// for the rest of the transaction.
func (s *Store) migrationLock() string {
	if s.schema == "" {
		return "SELECT pg_advisory_xact_lock(" + migrationLockKey + ")"
	}
	return "SELECT pg_advisory_xact_lock(" + schemaLockSpace + ", hashtext('" + s.schema + "'))"
}

// migration is one numbered schema step.
type migration struct {
	n    int
	name string
	body string
}

func (s *Store) migrationDir() string {
	if s.engine == Postgres {
		return "migrations/postgres"
	}
	return "migrations"
}

// loadMigrations reads the engine's migrations in order.
func (s *Store) loadMigrations() ([]migration, error) {
	dir := s.migrationDir()
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		var n int
		if _, err := fmt.Sscanf(e.Name(), "%04d_", &n); err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a 4-digit number", e.Name())
		}
		body, err := migrations.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{n: n, name: e.Name(), body: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].n < ms[j].n })
	return ms, nil
}

// migrateTo applies the embedded migrations whose number is above the
// database's version and at most limit, each in its own transaction, and
// refuses a database a newer mailflow migrated.

func (s *Store) migrateTo(ctx context.Context, limit int) error {
	ms, err := s.loadMigrations()
	if err != nil {
		return err
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].n
	}
	if s.engine == Postgres {
		// IF NOT EXISTS alone races when instances start together (two
		// creators collide in the catalog): under the migration lock.
		err := s.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.tx.ExecContext(ctx, s.migrationLock()); err != nil {
				return err
			}
			_, err := tx.tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
			return err
		})
		if err != nil {
			return fmt.Errorf("create schema_version: %w", err)
		}
	}
	version, err := s.schemaVersion(ctx, s.w.runner)
	if err != nil {
		return err
	}
	if version > latest {
		return fmt.Errorf("%w: the database is at schema %d, this binary knows up to %d; run the newer mailflow or restore a backup", ErrSchemaTooNew, version, latest)
	}
	for _, m := range ms {
		if m.n > limit {
			break
		}
		if err := s.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) schemaVersion(ctx context.Context, r runner) (int, error) {
	var version int
	q := "PRAGMA user_version"
	if s.engine == Postgres {
		q = "SELECT coalesce(max(version), 0) FROM schema_version"
	}
	if err := r.GetContext(ctx, &version, q); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return version, nil
}

// applyMigration applies m unless the database has it. The version is read
// inside the transaction (SQLite: an immediate one; PostgreSQL: under an
// advisory lock), so two processes opening a new database at once apply
// each migration once: the second waits for the first and sees its version.
func (s *Store) applyMigration(ctx context.Context, m migration) error {
	ctx, cancel := withTimeout(ctx, 10*WriteTimeout)
	defer cancel()
	tx, err := s.w.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer tx.Rollback()
	r := runner{x: tx, engine: s.engine}
	if s.engine == Postgres {
		if _, err := r.ExecContext(ctx, s.migrationLock()); err != nil {
			return fmt.Errorf("migration %s: lock: %w", m.name, err)
		}
	}
	version, err := s.schemaVersion(ctx, r)
	if err != nil {
		return err
	}
	if m.n <= version {
		return nil
	}
	// The body is executed as written (several statements, no parameters).
	if _, err := tx.ExecContext(ctx, m.body); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	set := fmt.Sprintf("PRAGMA user_version = %d", m.n)
	if s.engine == Postgres {
		set = fmt.Sprintf("DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (%d)", m.n)
	}
	if _, err := tx.ExecContext(ctx, set); err != nil {
		return fmt.Errorf("migration %s: set version: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return nil
}
