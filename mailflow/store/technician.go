package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AppointmentAbout finds the appointment a desk member's mail is about: by
// booking reference, else by one of our Message-IDs in its thread. Unlike
// FindAppointment it does not require the sender to be the customer: the
// technicians act on any booking of the desk.
func (tx *Tx) AppointmentAbout(ctx context.Context, ref string, thread []string) (*Appointment, error) {
	var a Appointment
	if ref != "" {
		err := tx.tx.GetContext(ctx, &a, "SELECT * FROM appointments WHERE ref = ?", ref)
		if err == nil {
			return &a, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("appointment %s: %w", ref, err)
		}
	}
	for _, id := range thread {
		if id == "" {
			continue
		}
		err := tx.tx.GetContext(ctx, &a, `SELECT a.* FROM appointments a JOIN appointment_mails m ON m.appointment_id = a.id WHERE m.message_id = ?`, id)
		if err == nil {
			return &a, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("appointment of thread: %w", err)
		}
	}
	return nil, ErrNotFound
}

// DropRaw erases the raw bytes of a decided incoming mail right away, for
// mail that may quote what must not stay (a technician's reply quoting the
// ID notice). The row and its outcome stay.
func (tx *Tx) DropRaw(ctx context.Context, incomingID int64, now time.Time) error {
	_, err := tx.tx.ExecContext(ctx, "UPDATE incoming SET raw = NULL, purged_at = ? WHERE id = ?", utc(now), incomingID)
	if err != nil {
		return fmt.Errorf("drop raw of mail %d: %w", incomingID, err)
	}
	return nil
}
