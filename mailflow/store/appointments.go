package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Appointment statuses.
const (
	StatusBooked    = "booked"
	StatusCancelled = "cancelled"
	StatusDone      = "done"
)

// Appointment is a booked remote session.
type Appointment struct {
	ID           int64          `db:"id"`
	Ref          string         `db:"ref"`
	Customer     string         `db:"customer"`
	CustomerName string         `db:"customer_name"`
	Technician   string         `db:"technician"`
	Start        time.Time      `db:"start_at"`
	End          time.Time      `db:"end_at"`
	Status       string         `db:"status"`
	Language     string         `db:"language"`
	Reason       string         `db:"reason"`
	AnyDeskID    sql.NullString `db:"anydesk_id"`
	IncomingID   sql.NullInt64  `db:"incoming_id"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
}

// Busy is the part of a booked appointment that blocks a technician.
type Busy struct {
	Start      time.Time `db:"start_at"`
	End        time.Time `db:"end_at"`
	Technician string    `db:"technician"`
}

// Booked lists the booked sessions that overlap [from, to), any technician.
// Only the columns booking needs are read: it runs for every request.
func (tx *Tx) Booked(ctx context.Context, from, to time.Time) ([]Busy, error) {
	var bs []Busy
	err := tx.tx.SelectContext(ctx, &bs, `SELECT start_at, end_at, technician FROM appointments
		WHERE status = 'booked' AND start_at < ? AND end_at > ? ORDER BY start_at`, utc(to), utc(from))
	if err != nil {
		return nil, fmt.Errorf("list booked appointments: %w", err)
	}
	return bs, nil
}

// Book inserts a booked appointment, assigning its reference. It returns
// ErrSlotTaken when the technician already has a session at that start.
func (tx *Tx) Book(ctx context.Context, a *Appointment) error {
	var next int64
	if err := tx.tx.GetContext(ctx, &next, "SELECT coalesce(max(id), 0) + 1 FROM appointments"); err != nil {
		return fmt.Errorf("next appointment id: %w", err)
	}
	now := utc(time.Now())
	a.ID, a.Ref, a.Status, a.CreatedAt, a.UpdatedAt = next, fmt.Sprintf("FW-%d", 1000+next), StatusBooked, now, now
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO appointments
		(id, ref, customer, customer_name, technician, start_at, end_at, status, language, reason, anydesk_id, incoming_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Ref, a.Customer, a.CustomerName, a.Technician, utc(a.Start), utc(a.End), a.Status, a.Language, a.Reason,
		a.AnyDeskID, a.IncomingID, now, now)
	if isUniqueViolation(err) {
		return fmt.Errorf("book %s for %s: %w", a.Start.Format(time.RFC3339), a.Technician, ErrSlotTaken)
	}
	if err != nil {
		return fmt.Errorf("book appointment: %w", err)
	}
	return nil
}

// NextAppointmentOf returns the customer's booked appointment that ends
// soonest after now (the one an incoming ID belongs to).
func (tx *Tx) NextAppointmentOf(ctx context.Context, customer string, now time.Time) (*Appointment, error) {
	var a Appointment
	err := tx.tx.GetContext(ctx, &a, `SELECT * FROM appointments WHERE customer = ? AND status = 'booked' AND end_at > ?
		ORDER BY start_at LIMIT 1`, customer, utc(now))
	if err != nil {
		return nil, fmt.Errorf("next appointment of customer: %w", notFound(err))
	}
	return &a, nil
}

// SetAnyDeskID links an ID to an appointment.
func (tx *Tx) SetAnyDeskID(ctx context.Context, id int64, anydesk string) error {
	_, err := tx.tx.ExecContext(ctx, "UPDATE appointments SET anydesk_id = ?, updated_at = ? WHERE id = ?", anydesk, utc(time.Now()), id)
	if err != nil {
		return fmt.Errorf("link id to appointment %d: %w", id, err)
	}
	return nil
}

// Appointments lists appointments starting in [from, to), all statuses.
func (s *Store) Appointments(ctx context.Context, from, to time.Time) ([]Appointment, error) {
	var as []Appointment
	err := s.r.SelectContext(ctx, &as, "SELECT * FROM appointments WHERE start_at >= ? AND start_at < ? ORDER BY start_at, technician", utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("list appointments: %w", err)
	}
	return as, nil
}

// ProposedSlot is one slot offered in a proposal.
type ProposedSlot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Propose stores the slots offered to a customer.
func (tx *Tx) Propose(ctx context.Context, incomingID int64, customer, messageID string, slots []ProposedSlot, expires time.Time) error {
	js, err := json.Marshal(slots)
	if err != nil {
		return fmt.Errorf("encode proposal: %w", err)
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO proposals (incoming_id, customer, message_id, slots, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		incomingID, customer, messageID, string(js), utc(expires), utc(time.Now()))
	if err != nil {
		return fmt.Errorf("store proposal: %w", err)
	}
	return nil
}
