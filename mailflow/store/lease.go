package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Instance is one running (or stopped) daemon on the database.
type Instance struct {
	ID          string       `db:"id"`
	Host        string       `db:"host"`
	PID         int          `db:"pid"`
	StartedAt   time.Time    `db:"started_at"`
	HeartbeatAt time.Time    `db:"heartbeat_at"`
	StoppedAt   sql.NullTime `db:"stopped_at"`
}

// Lease is one piece of singleton work and who holds it until when.
type Lease struct {
	Name       string    `db:"name"`
	Holder     string    `db:"holder"`
	AcquiredAt time.Time `db:"acquired_at"`
	RenewedAt  time.Time `db:"renewed_at"`
	ExpiresAt  time.Time `db:"expires_at"`
}

// InstanceDeadAfter is how long without a heartbeat makes an instance
// dead: its mail in flight is then settled by another (RecoverSending).
const InstanceDeadAfter = 15 * time.Second

// SetInstance names the daemon this store works for: its claims on mail
// carry the name.
func (s *Store) SetInstance(id string) { s.instance = id }

// Instance is the name given with SetInstance ("" for tools).
func (s *Store) Instance() string { return s.instance }

// Heartbeat records that instance id is alive at now (registering it on
// first call).
func (s *Store) Heartbeat(ctx context.Context, id, host string, pid int, started, now time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO instances (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, stopped_at = NULL`, id, host, pid, utc(started), utc(now))
	if err != nil {
		return fmt.Errorf("heartbeat: %w", s.noteWrite(err))
	}
	return nil
}

// StopInstance records a clean stop and gives up the instance's leases,
// so another takes over at once instead of after the lease lapses.
func (s *Store) StopInstance(ctx context.Context, id string, now time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, "UPDATE instances SET stopped_at = ? WHERE id = ?", utc(now), id); err != nil {
			return fmt.Errorf("stop instance: %w", err)
		}
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM leases WHERE holder = ?", id); err != nil {
			return fmt.Errorf("release leases: %w", err)
		}
		// Old stopped instances are of no interest after a day.
		if _, err := tx.tx.ExecContext(ctx, "DELETE FROM instances WHERE stopped_at IS NOT NULL AND stopped_at < ?", utc(now.Add(-24*time.Hour))); err != nil {
			return fmt.Errorf("forget old instances: %w", err)
		}
		return nil
	})
}

// Instances lists the instances that beat within the last day, newest first.
func (s *Store) Instances(ctx context.Context, now time.Time) ([]Instance, error) {
	var is []Instance
	err := s.r.SelectContext(ctx, &is, "SELECT id, host, pid, started_at, heartbeat_at, stopped_at FROM instances WHERE heartbeat_at >= ? ORDER BY started_at DESC",
		utc(now.Add(-24*time.Hour)))
	if err != nil {
		return nil, fmt.Errorf("list instances: %w", err)
	}
	return is, nil
}

// AcquireLease takes or renews the lease name for holder until now+ttl.
// It reports false when another holder has it and it has not lapsed. One
// statement does it, so of two instances racing for a lapsed lease
// exactly one wins (the row lock, or SQLite's one writer, orders them).
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	var got string
	err := s.w.GetContext(ctx, &got, `INSERT INTO leases (name, holder, acquired_at, renewed_at, expires_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
			holder = excluded.holder, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at < excluded.renewed_at
		RETURNING holder`, name, holder, utc(now), utc(now), utc(now.Add(ttl)))
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, s.noteWrite(err))
	}
	return got == holder, nil
}

// ReleaseLease gives the lease up if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.w.ExecContext(ctx, "DELETE FROM leases WHERE name = ? AND holder = ?", name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Leases lists every lease.
func (s *Store) Leases(ctx context.Context) ([]Lease, error) {
	var ls []Lease
	if err := s.r.SelectContext(ctx, &ls, "SELECT name, holder, acquired_at, renewed_at, expires_at FROM leases ORDER BY name"); err != nil {
		return nil, fmt.Errorf("list leases: %w", err)
	}
	return ls, nil
}

// ClaimUndecided takes stored mail id for deciding in this transaction: it
// reports false when the mail is decided already or, on PostgreSQL, when
// another instance is deciding it right now (its row is locked; SKIP
// LOCKED moves on instead of waiting). The row stays locked until the
// transaction ends, so two instances never decide the same mail.
func (tx *Tx) ClaimUndecided(ctx context.Context, id int64) (bool, error) {
	q := "SELECT id FROM incoming WHERE id = ? AND state = 'new'"
	if tx.s.engine == Postgres {
		q += " FOR UPDATE SKIP LOCKED"
	}
	var got int64
	err := tx.tx.GetContext(ctx, &got, q, id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim mail %d: %w", id, err)
	}
	return true, nil
}
