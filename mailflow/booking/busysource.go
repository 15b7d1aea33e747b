package booking

import (
	"context"
	"strings"
	"time"
)

// BusySource reports the time technicians are busy in their own calendars
// (mailflow/calendar), by lower-case email. It answers from what it has
// and never blocks a decision for long; a technician it knows nothing
// about goes by the config alone.
type BusySource interface {
	BusyTimes(ctx context.Context, from, to time.Time) map[string][]Slot
}

// busySource is held beside the calendar so every door into the desk (mail,
// web, command line) sees the same one; booking itself never calls it.
type busySourceBox struct{ BusySource }

// SetBusySource attaches the technicians' own calendars (nil: none).
func (d *Desk) SetBusySource(s BusySource) {
	if s == nil {
		d.busy.Store(nil)
		return
	}
	d.busy.Store(&busySourceBox{s})
}

// BusySource is the source SetBusySource attached, or nil.
func (d *Desk) BusySource() BusySource {
	if b := d.busy.Load(); b != nil {
		return b.BusySource
	}
	return nil
}

// AddExternal appends each technician's busy time from their own calendar
// (busy, by lower-case email) to booked, as External entries. A booking
// of ours shows up in the technician's calendar as busy too, where a
// service cannot tell our events apart: the time of every session in ours
// (the one being moved included) is cut out of that technician's busy
// time first, so a session never blocks itself and a moved one frees its
// old time. Busy time is cut at midnight in the desk's zone, so a long
// absence is one entry per day and the scan for overlaps stays short.
func (d *Desk) AddExternal(booked, ours []Booked, busy map[string][]Slot) []Booked {
	if len(busy) == 0 {
		return booked
	}
	own := map[string][]Slot{}
	for _, b := range ours {
		t := strings.ToLower(b.Technician)
		own[t] = append(own[t], b.Slot)
	}
	for tech, slots := range busy {
		for _, s := range slots {
			for _, piece := range subtract(s, own[tech]) {
				for _, day := range d.splitDays(piece) {
					booked = append(booked, Booked{Slot: day, Technician: tech, External: true})
				}
			}
		}
	}
	return booked
}

// subtract returns s without the parts covered by cut.
func subtract(s Slot, cut []Slot) []Slot {
	out := []Slot{s}
	for _, c := range cut {
		var next []Slot
		for _, p := range out {
			if !p.Overlaps(c) {
				next = append(next, p)
				continue
			}
			if p.Start.Before(c.Start) {
				next = append(next, Slot{Start: p.Start, End: c.Start})
			}
			if c.End.Before(p.End) {
				next = append(next, Slot{Start: c.End, End: p.End})
			}
		}
		out = next
	}
	return out
}

// splitDays cuts s at each midnight in the desk's zone.
func (d *Desk) splitDays(s Slot) []Slot {
	var out []Slot
	for s.End.After(s.Start) {
		midnight := d.nextDay(s.Start)
		if !midnight.Before(s.End) {
			out = append(out, s)
			break
		}
		out = append(out, Slot{Start: s.Start, End: midnight})
		s.Start = midnight
	}
	return out
}
