package desk

import (
	"context"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/store"
)

// The technicians' own calendars, as far as the desk's use cases go: their
// busy times block slots (read from the booking calendar's BusySource,
// which never blocks long), and every booking, move and cancellation
// queues its calendar write in the same transaction, so the write
// survives a calendar outage and a restart.

// withCalendarBusy adds the technicians' busy times from their own
// calendars to booked (the desk's sessions in [from, to)); taken are all
// of the desk's sessions there, the one being moved included, whose time
// is cut out of the busy time (booking.Desk.AddExternal).
func (d *Desk) withCalendarBusy(ctx context.Context, booked []booking.Booked, taken []store.Busy, from, to time.Time) []booking.Booked {
	src := d.slots.BusySource()
	if src == nil {
		return booked
	}
	ours := make([]booking.Booked, len(taken))
	for i, b := range taken {
		ours[i] = booking.Booked{Slot: booking.Slot{Start: b.Start, End: b.End}, Technician: b.Technician}
	}
	return d.slots.AddExternal(booked, ours, src.BusyTimes(ctx, from, to))
}

// queueCalendar queues appointment a's calendar write in tx, when any
// technician has a calendar service to write to.
func (d *Desk) queueCalendar(ctx context.Context, tx *store.Tx, a *store.Appointment) error {
	if a == nil || !d.cfg.HasCalendarWriters() {
		return nil
	}
	return tx.QueueCalendarSync(ctx, a.ID, time.Now())
}
