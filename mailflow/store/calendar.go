package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CalendarSync is one appointment waiting for its calendar entries to be
// written (table calendar_sync).
type CalendarSync struct {
	AppointmentID int64     `db:"appointment_id"`
	QueuedAt      time.Time `db:"queued_at"`
	DueAt         time.Time `db:"due_at"`
	Attempts      int       `db:"attempts"`
	LastError     string    `db:"last_error"`
}

// CalendarEvent is where an appointment's event sits in one technician's
// calendar (table calendar_events).
type CalendarEvent struct {
	AppointmentID int64     `db:"appointment_id"`
	Technician    string    `db:"technician"`
	UID           string    `db:"uid"`
	RemoteID      string    `db:"remote_id"`
	UpdatedAt     time.Time `db:"updated_at"`
}

// QueueCalendarSync asks for appointment id's calendar entries to be
// written, in the transaction of the change: due now, attempts reset.
func (tx *Tx) QueueCalendarSync(ctx context.Context, id int64, now time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO calendar_sync (appointment_id, queued_at, due_at, attempts, last_error) VALUES (?, ?, ?, 0, '')
		ON CONFLICT (appointment_id) DO UPDATE SET queued_at = excluded.queued_at, due_at = excluded.due_at, attempts = 0, last_error = ''`,
		id, utc(now), utc(now))
	if err != nil {
		return fmt.Errorf("queue calendar sync %d: %w", id, err)
	}
	return nil
}

// DueCalendarSyncs lists up to limit queued syncs due at now, oldest first.
func (s *Store) DueCalendarSyncs(ctx context.Context, now time.Time, limit int) ([]CalendarSync, error) {
	var out []CalendarSync
	err := s.r.SelectContext(ctx, &out, `SELECT * FROM calendar_sync WHERE due_at <= ? ORDER BY due_at, appointment_id LIMIT ?`, utc(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list calendar syncs: %w", err)
	}
	return out, nil
}

// NextCalendarSync is when the next queued sync is due (zero: none queued).
func (s *Store) NextCalendarSync(ctx context.Context) (time.Time, error) {
	// ORDER BY, not MIN(): SQLite hands an aggregate back as text.
	var t time.Time
	err := s.r.GetContext(ctx, &t, `SELECT due_at FROM calendar_sync ORDER BY due_at LIMIT 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("next calendar sync: %w", err)
	}
	return t, nil
}

// FinishCalendarSync removes a sync once written, unless the appointment
// changed again meanwhile (queued_at moved on): then it stays queued.
func (s *Store) FinishCalendarSync(ctx context.Context, c CalendarSync) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM calendar_sync WHERE appointment_id = ? AND queued_at = ?`, c.AppointmentID, utc(c.QueuedAt))
	if err != nil {
		return fmt.Errorf("finish calendar sync %d: %w", c.AppointmentID, s.noteWrite(err))
	}
	return nil
}

// RetryCalendarSync records a failed attempt and when to try again.
func (s *Store) RetryCalendarSync(ctx context.Context, c CalendarSync, due time.Time, why string) error {
	if len(why) > 500 {
		why = why[:500]
	}
	_, err := s.w.ExecContext(ctx, `UPDATE calendar_sync SET attempts = attempts + 1, due_at = ?, last_error = ?
		WHERE appointment_id = ? AND queued_at = ?`, utc(due), why, c.AppointmentID, utc(c.QueuedAt))
	if err != nil {
		return fmt.Errorf("retry calendar sync %d: %w", c.AppointmentID, s.noteWrite(err))
	}
	return nil
}

// CalendarSyncStats is the queue at a glance, for status and health.
type CalendarSyncStats struct {
	Pending   int
	Oldest    time.Time // queued_at of the oldest pending sync
	LastError string    // of the sync that failed most often
}

// CalendarSyncStats reads the queue's size, age and worst error.
func (s *Store) CalendarSyncStats(ctx context.Context) (CalendarSyncStats, error) {
	var st CalendarSyncStats
	if err := s.r.GetContext(ctx, &st.Pending, `SELECT COUNT(*) FROM calendar_sync`); err != nil {
		return st, fmt.Errorf("calendar sync stats: %w", err)
	}
	err := s.r.GetContext(ctx, &st.Oldest, `SELECT queued_at FROM calendar_sync ORDER BY queued_at LIMIT 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("calendar sync stats: %w", err)
	}
	err = s.r.GetContext(ctx, &st.LastError, `SELECT last_error FROM calendar_sync WHERE last_error != '' ORDER BY attempts DESC, queued_at LIMIT 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("calendar sync stats: %w", err)
	}
	return st, nil
}

// CalendarEvents lists where appointment id's event was written.
func (s *Store) CalendarEvents(ctx context.Context, id int64) ([]CalendarEvent, error) {
	var out []CalendarEvent
	if err := s.r.SelectContext(ctx, &out, `SELECT * FROM calendar_events WHERE appointment_id = ? ORDER BY technician`, id); err != nil {
		return nil, fmt.Errorf("list calendar events of %d: %w", id, err)
	}
	return out, nil
}

// SetCalendarEvent records (or updates) where an event was written.
func (s *Store) SetCalendarEvent(ctx context.Context, e CalendarEvent) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO calendar_events (appointment_id, technician, uid, remote_id, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (appointment_id, technician) DO UPDATE SET uid = excluded.uid, remote_id = excluded.remote_id, updated_at = excluded.updated_at`,
		e.AppointmentID, e.Technician, e.UID, e.RemoteID, utc(e.UpdatedAt))
	if err != nil {
		return fmt.Errorf("record calendar event of %d: %w", e.AppointmentID, s.noteWrite(err))
	}
	return nil
}

// DeleteCalendarEvent forgets an event that was removed.
func (s *Store) DeleteCalendarEvent(ctx context.Context, id int64, technician string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM calendar_events WHERE appointment_id = ? AND technician = ?`, id, technician); err != nil {
		return fmt.Errorf("forget calendar event of %d: %w", id, s.noteWrite(err))
	}
	return nil
}

// TechnicianAppointments lists technician's appointments starting in
// [from, to) whatever their status, in start order: the ICS feed.
func (s *Store) TechnicianAppointments(ctx context.Context, technician string, from, to time.Time) ([]Appointment, error) {
	var as []Appointment
	err := s.r.SelectContext(ctx, &as, `SELECT * FROM appointments WHERE technician = ? AND start_at >= ? AND start_at < ? ORDER BY start_at, id`,
		technician, utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("list appointments of %s: %w", technician, err)
	}
	return as, nil
}

// QueueOrphanCalendarEvents queues a sync for every calendar event whose
// appointment is gone (a forgotten customer's): the sync then removes it
// from the technician's calendar. It returns how many it queued.
func (s *Store) QueueOrphanCalendarEvents(ctx context.Context, now time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO calendar_sync (appointment_id, queued_at, due_at, attempts, last_error)
		SELECT DISTINCT e.appointment_id, ?, ?, 0, '' FROM calendar_events e
		WHERE NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = e.appointment_id)
		AND NOT EXISTS (SELECT 1 FROM calendar_sync q WHERE q.appointment_id = e.appointment_id)`, utc(now), utc(now))
	if err != nil {
		return 0, fmt.Errorf("queue orphaned calendar events: %w", s.noteWrite(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
