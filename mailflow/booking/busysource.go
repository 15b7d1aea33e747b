package booking

import (
	"context"
	"slices"
	"sort"
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
	for _, o := range own {
		slices.SortFunc(o, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	}
	var ext []Booked
	for tech, slots := range busy {
		mine := own[tech]
		for _, s := range slots {
			// Only our sessions that start before s ends and within a day
			// before it can overlap it (none lasts a day).
			lo := sort.Search(len(mine), func(i int) bool { return mine[i].Start.After(s.Start.Add(-24 * time.Hour)) })
			hi := sort.Search(len(mine), func(i int) bool { return !mine[i].Start.Before(s.End) })
			for _, piece := range subtract(s, mine[lo:max(lo, hi)]) {
				for _, day := range d.splitDays(piece) {
					ext = append(ext, Booked{Slot: day, Technician: tech, External: true})
				}
			}
		}
	}
	// Handed back sorted by start, as the store hands bookings over, so a
	// decision need not sort them again: the busy time sorted on its own
	// and merged in.
	byStart := func(a, b Booked) int { return a.Start.Compare(b.Start) }
	slices.SortFunc(ext, byStart)
	if !slices.IsSortedFunc(booked, byStart) {
		return append(booked, ext...)
	}
	out := make([]Booked, 0, len(booked)+len(ext))
	i, j := 0, 0
	for i < len(booked) && j < len(ext) {
		if ext[j].Start.Before(booked[i].Start) {
			out = append(out, ext[j])
			j++
		} else {
			out = append(out, booked[i])
			i++
		}
	}
	out = append(append(out, booked[i:]...), ext[j:]...)
	return out
}

// subtract returns s without the parts covered by cut.
func subtract(s Slot, cut []Slot) []Slot {
	if !slices.ContainsFunc(cut, s.Overlaps) {
		return []Slot{s}
	}
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
