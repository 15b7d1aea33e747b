// Package booking is the desk's calendar: support hours, public holidays and
// closed days, the slot grid, capacity per technician, and the choice
// between booking a wished time and proposing the nearest free ones. It is
// pure: callers pass the time and the booked sessions in and store the
// Decision themselves.
package booking

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/de"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// Slot is a session's time range.
type Slot struct{ Start, End time.Time }

// Overlaps reports whether two ranges share any instant.
func (s Slot) Overlaps(o Slot) bool { return s.Start.Before(o.End) && o.Start.Before(s.End) }

// Booked is a session already in the calendar.
type Booked struct {
	Slot
	Technician string
}

// Why says why a wished time could not be booked.
type Why string

// Reasons a wish does not fit.
const (
	WhyNone         Why = ""
	WhyNoTime       Why = "no_time"        // the mail named no time
	WhyPast         Why = "past"           // the time has passed
	WhyTooSoon      Why = "too_soon"       // less than the minimum notice ahead
	WhyBeyond       Why = "beyond_horizon" // further ahead than we book
	WhyClosedDay    Why = "closed_day"     // weekend or a day the desk is closed
	WhyHoliday      Why = "holiday"        // public holiday (WhyDetail names it)
	WhyOutsideHours Why = "outside_hours"  // the desk is open that day, not at that time
	WhyTaken        Why = "taken"          // every technician is busy then
)

// Decision is the answer to one request.
type Decision struct {
	// Book is the slot to book, with Technician; nil when proposing.
	Book       *Slot
	Technician string
	// Proposals are the nearest free slots when Book is nil, in time order.
	Proposals []Slot
	// Why the first wish did not fit, and a detail (a holiday's name).
	Why       Why
	WhyDetail string
	// Wish is the wished time Why refers to (zero when there was none).
	Wish time.Time
}

type span struct{ from, to int } // minutes after midnight

// Desk is the calendar built from the configuration. Safe for concurrent use.
type Desk struct {
	loc         *time.Location
	week        [7][]span
	slot        time.Duration
	minNotice   time.Duration
	horizon     int
	proposals   int
	technicians []string
	closed      map[string]bool
	holidays    *cal.Calendar

	mu      sync.Mutex
	holYear map[int]map[string]string // year → "YYYY-MM-DD" → holiday name
}

// New builds the desk's calendar from a validated configuration.
func New(cfg *config.Config) (*Desk, error) {
	loc, err := time.LoadLocation(cfg.Desk.Timezone)
	if err != nil {
		return nil, fmt.Errorf("desk.timezone: %w", err)
	}
	d := &Desk{
		loc:       loc,
		slot:      time.Duration(cfg.Desk.SlotMinutes) * time.Minute,
		minNotice: cfg.Desk.MinNotice,
		horizon:   cfg.Desk.HorizonDays,
		proposals: cfg.Desk.Proposals,
		closed:    map[string]bool{},
		holidays:  &cal.Calendar{},
		holYear:   map[int]map[string]string{},
	}
	for key, ranges := range cfg.Desk.Hours {
		wd, ok := config.Weekdays[key]
		if !ok {
			return nil, fmt.Errorf("desk.hours: %q is not a weekday", key)
		}
		for _, r := range ranges {
			from, to, err := config.ParseRange(r)
			if err != nil {
				return nil, fmt.Errorf("desk.hours.%s: %w", key, err)
			}
			d.week[wd] = append(d.week[wd], span{from, to})
		}
		sort.Slice(d.week[wd], func(i, j int) bool { return d.week[wd][i].from < d.week[wd][j].from })
	}
	for _, c := range cfg.Desk.Closed {
		d.closed[c] = true
	}
	switch strings.ToUpper(cfg.Desk.Holidays) {
	case "AT":
		d.holidays.AddHoliday(at.Holidays...)
	case "DE":
		d.holidays.AddHoliday(de.Holidays...)
	}
	for _, t := range cfg.Technicians {
		d.technicians = append(d.technicians, strings.ToLower(t.Email))
	}
	if len(d.technicians) == 0 {
		return nil, fmt.Errorf("technicians: none configured")
	}
	return d, nil
}

// Location is the desk's time zone.
func (d *Desk) Location() *time.Location { return d.loc }

// SlotLength is the length of one session.
func (d *Desk) SlotLength() time.Duration { return d.slot }

// Holiday returns the public holiday's name on the day of t, if any.
func (d *Desk) Holiday(t time.Time) (string, bool) {
	t = t.In(d.loc)
	d.mu.Lock()
	defer d.mu.Unlock()
	days, ok := d.holYear[t.Year()]
	if !ok {
		days = map[string]string{}
		for _, h := range d.holidays.Holidays {
			act, obs := h.Calc(t.Year())
			for _, x := range []time.Time{act, obs} {
				if !x.IsZero() {
					days[x.Format(time.DateOnly)] = h.Name
				}
			}
		}
		d.holYear[t.Year()] = days
	}
	name, ok := days[t.Format(time.DateOnly)]
	return name, ok
}

// closedDay says why the desk is closed on t's day, or WhyNone.
func (d *Desk) closedDay(t time.Time) (Why, string) {
	t = t.In(d.loc)
	if name, ok := d.Holiday(t); ok {
		return WhyHoliday, name
	}
	if d.closed[t.Format(time.DateOnly)] || len(d.week[t.Weekday()]) == 0 {
		return WhyClosedDay, ""
	}
	return WhyNone, ""
}

// at returns the instant minutes after midnight on day's date, in the desk zone.
// Built from the wall clock, so DST days come out right.
func (d *Desk) at(day time.Time, minutes int) time.Time {
	y, m, dd := day.In(d.loc).Date()
	return time.Date(y, m, dd, minutes/60, minutes%60, 0, 0, d.loc)
}

// Open reports whether s lies wholly inside one opening range of an open day.
func (d *Desk) Open(s Slot) bool {
	if why, _ := d.closedDay(s.Start); why != WhyNone {
		return false
	}
	for _, sp := range d.week[s.Start.In(d.loc).Weekday()] {
		if !s.Start.Before(d.at(s.Start, sp.from)) && !s.End.After(d.at(s.Start, sp.to)) {
			return true
		}
	}
	return false
}

// DaySlots lists the grid slots of day's date (none on closed days).
func (d *Desk) DaySlots(day time.Time) []Slot {
	if why, _ := d.closedDay(day); why != WhyNone {
		return nil
	}
	var out []Slot
	step := int(d.slot / time.Minute)
	for _, sp := range d.week[day.In(d.loc).Weekday()] {
		for m := sp.from; m+step <= sp.to; m += step {
			start := d.at(day, m)
			out = append(out, Slot{start, start.Add(d.slot)})
		}
	}
	return out
}

// earliest is the first instant a session may start when asked at now.
func (d *Desk) earliest(now time.Time) time.Time { return now.Add(d.minNotice) }

// latest is the end of the booking horizon.
func (d *Desk) latest(now time.Time) time.Time {
	y, m, dd := now.In(d.loc).Date()
	return time.Date(y, m, dd+d.horizon+1, 0, 0, 0, 0, d.loc)
}

// technician returns the least loaded technician free for s, or "".
func (d *Desk) technician(s Slot, booked []Booked) string {
	load := make(map[string]int, len(d.technicians))
	busy := map[string]bool{}
	y, m, dd := s.Start.In(d.loc).Date()
	for _, b := range booked {
		if b.Overlaps(s) {
			busy[b.Technician] = true
		}
		if by, bm, bd := b.Start.In(d.loc).Date(); by == y && bm == m && bd == dd {
			load[b.Technician]++
		}
	}
	best := ""
	for _, t := range d.technicians {
		if busy[t] {
			continue
		}
		if best == "" || load[t] < load[best] {
			best = t
		}
	}
	return best
}

// check says why s cannot be booked at now, or WhyNone with a technician.
func (d *Desk) check(now time.Time, s Slot, booked []Booked) (Why, string, string) {
	switch {
	case !s.Start.After(now):
		return WhyPast, "", ""
	case s.Start.Before(d.earliest(now)):
		return WhyTooSoon, "", ""
	case !s.Start.Before(d.latest(now)):
		return WhyBeyond, "", ""
	}
	if why, detail := d.closedDay(s.Start); why != WhyNone {
		return why, detail, ""
	}
	if !d.Open(s) {
		return WhyOutsideHours, "", ""
	}
	tech := d.technician(s, booked)
	if tech == "" {
		return WhyTaken, "", ""
	}
	return WhyNone, "", tech
}

// Decide books the first wish that fits, or proposes the nearest free slots.
// A wish at a minute books exactly that time; a window (part of day, whole
// day, range) books its earliest free grid slot.
func (d *Desk) Decide(now time.Time, wishes []understand.Wish, booked []Booked) Decision {
	now = now.In(d.loc)
	var dec Decision
	for i, w := range wishes {
		why, detail, slot, tech := d.tryWish(now, w, booked)
		if why == WhyNone {
			return Decision{Book: &slot, Technician: tech}
		}
		if i == 0 {
			dec.Why, dec.WhyDetail, dec.Wish = why, detail, w.Start.In(d.loc)
		}
	}
	if len(wishes) == 0 {
		dec.Why = WhyNoTime
	}
	dec.Proposals = d.Propose(now, dec.Wish, booked)
	return dec
}

func (d *Desk) tryWish(now time.Time, w understand.Wish, booked []Booked) (Why, string, Slot, string) {
	start := w.Start.In(d.loc)
	if w.Precision == understand.PrecisionMinute || w.End == nil {
		s := Slot{start, start.Add(d.slot)}
		why, detail, tech := d.check(now, s, booked)
		return why, detail, s, tech
	}
	end := w.End.In(d.loc)
	first := WhyNone
	firstDetail := ""
	for day := start; day.Before(end); day = d.at(day, 0).AddDate(0, 0, 1) {
		slots := d.DaySlots(day)
		if len(slots) == 0 {
			if first == WhyNone {
				first, firstDetail = d.closedDay(day)
			}
			continue
		}
		for _, s := range slots {
			if s.Start.Before(start) || s.End.After(end) {
				continue
			}
			why, detail, tech := d.check(now, s, booked)
			if why == WhyNone {
				return why, "", s, tech
			}
			if first == WhyNone || first == WhyPast {
				first, firstDetail = why, detail
			}
		}
	}
	if first == WhyNone {
		first = WhyOutsideHours
	}
	return first, firstDetail, Slot{}, ""
}

// Propose returns the desk's configured number of free slots nearest to
// around, searching from the start of its day forward (so a closed day leads
// to the following working days), or the next free ones when around is zero
// or beyond the horizon. The result is in time order.
func (d *Desk) Propose(now time.Time, around time.Time, booked []Booked) []Slot {
	now = now.In(d.loc)
	from := d.earliest(now)
	if !around.Before(d.latest(now)) {
		around = time.Time{} // beyond the horizon: offer the next free slots
	}
	if !around.IsZero() && around.After(from) {
		// Start the search at the beginning of the wished day so earlier
		// slots of the same day are offered too.
		if day := d.at(around, 0); day.After(from) {
			from = day
		}
	}
	// Gather more candidates than needed, then keep the nearest to the wish.
	want := d.proposals
	var cands []Slot
	limit := d.latest(now)
	for day := d.at(from, 0); day.Before(limit) && len(cands) < want*4; day = d.at(day, 0).AddDate(0, 0, 1) {
		for _, s := range d.DaySlots(day) {
			if s.Start.Before(from) || !s.Start.Before(limit) {
				continue
			}
			if why, _, _ := d.check(now, s, booked); why == WhyNone {
				cands = append(cands, s)
			}
		}
	}
	if !around.IsZero() {
		dist := func(s Slot) time.Duration {
			x := s.Start.Sub(around)
			if x < 0 {
				x = -x
			}
			return x
		}
		sort.SliceStable(cands, func(i, j int) bool { return dist(cands[i]) < dist(cands[j]) })
	}
	if len(cands) > want {
		cands = cands[:want]
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Start.Before(cands[j].Start) })
	return cands
}
