package booking

import (
	"strings"
	"time"
)

// The questions the clock-driven jobs ask about one day: is it a working
// day, when does the desk close, what is still free. They live here rather
// than in jobs so that "working day" and "free" mean exactly what booking
// means by them when it takes a request.

// Hours lists the desk's opening ranges on day's date, in time order; nil
// when the desk is closed that day (weekend, public holiday, closed day).
// Technicians are not looked at.
func (d *Desk) Hours(day time.Time) []Slot {
	if why, _ := d.calendarClosed(day); why != WhyNone {
		return nil
	}
	spans := d.week[day.In(d.loc).Weekday()]
	out := make([]Slot, 0, len(spans))
	for _, sp := range spans {
		out = append(out, Slot{d.at(day, sp.from), d.at(day, sp.to)})
	}
	return out
}

// WorkingDay reports whether day's date is a working day: technician ""
// asks whether anybody works (the desk is open and staffed, as for a
// customer), an address whether that technician does (the desk is open,
// they are not absent and they have hours inside the desk's that day).
func (d *Desk) WorkingDay(day time.Time, technician string) bool {
	if technician == "" {
		return len(d.DaySlots(day)) > 0
	}
	i, ok := d.techIndex[strings.ToLower(strings.TrimSpace(technician))]
	if !ok {
		return false
	}
	if why, _ := d.calendarClosed(day); why != WhyNone {
		return false
	}
	for _, s := range d.grid(day) {
		if d.atWork(i, d.place(s)) {
			return true
		}
	}
	return false
}

// FreeSlots lists the grid slots of day's date that start at or after from
// and could still be booked as far as the calendar goes (minimum notice and
// horizon are the customer's concern, not the day's): for technician ""
// those in which some technician is at work and free, for an address those
// in which that technician is. booked are the sessions of the day (any
// technician; each counts with the configured buffer after it).
func (d *Desk) FreeSlots(day, from time.Time, technician string, booked []Booked) []Slot {
	if why, _ := d.dayClosed(day); why != WhyNone {
		return nil
	}
	ti := -1
	if technician != "" {
		i, ok := d.techIndex[strings.ToLower(strings.TrimSpace(technician))]
		if !ok {
			return nil
		}
		ti = i
	}
	c := d.calendar(d.dayStart(day), booked)
	var out []Slot
	for _, s := range d.grid(day) {
		if s.Start.Before(from) {
			continue
		}
		p := d.place(s)
		if ti < 0 {
			// The desk as a whole: the same capacity rule a booking meets.
			if _, why := c.assign(p); why == WhyNone {
				out = append(out, s)
			}
			continue
		}
		if d.atWork(ti, p) && !c.busy(ti, s) {
			out = append(out, s)
		}
	}
	return out
}

// busy reports whether technician ti has a session that keeps them from s,
// the buffer after each session included, as assign counts it.
func (c *calendar) busy(ti int, s Slot) bool {
	for i, b := range c.booked {
		if c.techOf[i] != ti {
			continue
		}
		if s.Start.Before(b.End.Add(c.d.buffer)) && b.Start.Before(s.End.Add(c.d.buffer)) {
			return true
		}
	}
	return false
}
