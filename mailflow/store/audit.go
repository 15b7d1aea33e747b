package store

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is one line of what happened. It never holds a plain address,
// an AnyDesk ID or a mail body.
type AuditEntry struct {
	ID         int64     `db:"id"`
	At         time.Time `db:"at"`
	Actor      string    `db:"actor"`
	Action     string    `db:"action"`
	Ref        string    `db:"ref"`
	IncomingID *int64    `db:"incoming_id"`
	Outcome    string    `db:"outcome"`
}

// Actors that are not customers. Customers appear as Store.HashAddress; the
// desk's people by role, since the log is about what happened, not who
// typed it (the technician's own mail is audited under its hash).
const (
	ActorSystem     = "system"     // the daemon on its own (retention, jobs)
	ActorOperator   = "operator"   // the command line
	ActorTechnician = "technician" // a technician's reply
	ActorTeamLead   = "team-lead"  // the team lead's reply
	ActorForgotten  = "forgotten"  // a customer erased by forget
)

// Audit appends an audit entry in the transaction of the change it records.
func (tx *Tx) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	_, err := tx.tx.ExecContext(ctx, "INSERT INTO audit (at, actor, action, ref, incoming_id, outcome) VALUES (?, ?, ?, ?, ?, ?)",
		utc(e.At), e.Actor, e.Action, e.Ref, e.IncomingID, e.Outcome)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditLog returns entries in [from, to), oldest first.
func (s *Store) AuditLog(ctx context.Context, from, to time.Time) ([]AuditEntry, error) {
	var es []AuditEntry
	if err := s.r.SelectContext(ctx, &es, "SELECT * FROM audit WHERE at >= ? AND at < ? ORDER BY id", utc(from), utc(to)); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return es, nil
}
