package desk

import (
	"context"
	"strings"
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
// calendars to booked (the desk's sessions in [from, to)). A booking of
// ours shows up in the technician's calendar as busy too, where a service
// cannot tell our events apart: the time of every session of ours
// (taken, the moved one included) is cut out of that technician's busy
// time, so a session never blocks itself, and a moved one frees its old
// time. Busy time is cut at midnight, so one long absence stays one
// entry per day for booking's scan.
func (d *Desk) withCalendarBusy(ctx context.Context, booked []booking.Booked, taken []store.Busy, from, to time.Time) []booking.Booked {
	src := d.slots.BusySource()
	if src == nil {
		return booked
	}
	loc := d.slots.Location()
	ours := map[string][]booking.Slot{}
	for _, b := range taken {
		t := strings.ToLower(b.Technician)
		ours[t] = append(ours[t], booking.Slot{Start: b.Start, End: b.End})
	}
	for tech, slots := range src.BusyTimes(ctx, from, to) {
		for _, s := range slots {
			for _, piece := range subtract(s, ours[tech]) {
				for _, day := range splitDays(piece, loc) {
					booked = append(booked, booking.Booked{Slot: day, Technician: tech, External: true})
				}
			}
		}
	}
	return booked
}

// subtract returns s without the parts covered by cut.
func subtract(s booking.Slot, cut []booking.Slot) []booking.Slot {
	out := []booking.Slot{s}
	for _, c := range cut {
		var next []booking.Slot
		for _, p := range out {
			if !p.Overlaps(c) {
				next = append(next, p)
				continue
			}
			if p.Start.Before(c.Start) {
				next = append(next, booking.Slot{Start: p.Start, End: c.Start})
			}
			if c.End.Before(p.End) {
				next = append(next, booking.Slot{Start: c.End, End: p.End})
			}
		}
		out = next
	}
	return out
}

// splitDays cuts s at each midnight in loc.
func splitDays(s booking.Slot, loc *time.Location) []booking.Slot {
	var out []booking.Slot
	for s.End.After(s.Start) {
		y, m, d := s.Start.In(loc).Date()
		midnight := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		if !midnight.Before(s.End) {
			out = append(out, s)
			break
		}
		out = append(out, booking.Slot{Start: s.Start, End: midnight})
		s.Start = midnight
	}
	return out
}

// queueCalendar queues appointment a's calendar write in tx, when any
// technician has a calendar service to write to.
func (d *Desk) queueCalendar(ctx context.Context, tx *store.Tx, a *store.Appointment) error {
	if a == nil || !d.cfg.HasCalendarWriters() {
		return nil
	}
	return tx.QueueCalendarSync(ctx, a.ID, time.Now())
}
