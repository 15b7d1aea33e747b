// Package booking is the desk's calendar: support hours, public holidays and
// closed days, the slot grid, technicians with their own hours and absences,
// capacity, and the choice between booking a wished time and proposing the
// nearest free ones. It is pure: callers pass the time and the booked
// sessions in and store the Decision themselves.
package booking

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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
	// External marks busy time from the technician's own calendar: it
	// blocks them like a session but is no session, so it does not count
	// towards their load in least-loaded assignment.
	External bool
}

// Why says why a wished time could not be booked.
type Why string

// Reasons a wish does not fit.
const (
	WhyNone         Why = ""
	WhyNoTime       Why = "no_time"        // the mail named no time
	WhyPast         Why = "past"           // the time has passed
	WhyTooSoon      Why = "too_soon"       // less than the minimum notice ahead, or today when same_day is off
	WhyBeyond       Why = "beyond_horizon" // further ahead than we book
	WhyClosedDay    Why = "closed_day"     // weekend, a closed day, or nobody at work that day
	WhyHoliday      Why = "holiday"        // public holiday (WhyDetail names it)
	WhyOutsideHours Why = "outside_hours"  // the desk is open that day, not at that time
	WhyTaken        Why = "taken"          // every technician at work then is busy
	// WhyPickHour: the wish names a day but no time of it. That day's free
	// times are offered and the customer picks the hour: booking its first
	// free slot would choose the time for them, and a day misread would
	// book a session nobody asked for.
	WhyPickHour Why = "pick_hour"
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

// keepPartDays is how many working days a proposal looks ahead for slots in
// the customer's part of the day before it offers the other half of a day:
// someone who asks for a morning usually has their reasons, but a week is
// as far as we make them wait for it.
const keepPartDays = 5

// noon splits the day into morning and afternoon (minutes after midnight).
const noon = 12 * 60

type span struct{ from, to int } // minutes after midnight

// dayKey is a calendar date as yyyymmdd: ordered, and cheap to compare and
// to use as a map key.
type dayKey int32

func keyOf(y int, m time.Month, d int) dayKey { return dayKey(y*10000 + int(m)*100 + d) }

// dayRange is an inclusive range of dates (a closed period, an absence).
type dayRange struct{ first, last dayKey }

func (r dayRange) has(k dayKey) bool { return r.first <= k && k <= r.last }

func inRanges(rs []dayRange, k dayKey) bool {
	for _, r := range rs {
		if r.has(k) {
			return true
		}
	}
	return false
}

// technician is one person who can take sessions.
type technician struct {
	email  string
	week   [7][]span
	absent []dayRange
}

// Desk is the calendar built from the configuration. Safe for concurrent use.
type Desk struct {
	loc       *time.Location
	week      [7][]span
	slot      time.Duration
	buffer    time.Duration
	minNotice time.Duration
	sameDay   bool
	horizon   int
	proposals int
	techs     []technician
	techIndex map[string]int // lower-case email → index in techs
	closed    []dayRange
	holidays  []*cal.Holiday

	mu      sync.Mutex
	holYear map[int]map[dayKey]string // year → date → holiday name

	busy atomic.Pointer[busySourceBox] // technicians' own calendars (busysource.go)
}

// New builds the desk's calendar from a configuration. It checks again what
// config.Load validates, because a Config can also be built in code.
func New(cfg *config.Config) (*Desk, error) {
	loc, err := time.LoadLocation(cfg.Desk.Timezone)
	if err != nil {
		return nil, fmt.Errorf("desk.timezone: %w", err)
	}
	if cfg.Desk.SlotMinutes < 1 {
		return nil, fmt.Errorf("desk.slot_minutes: %d is not a length", cfg.Desk.SlotMinutes)
	}
	if cfg.Desk.BufferMinutes < 0 {
		return nil, fmt.Errorf("desk.buffer_minutes: %d is negative", cfg.Desk.BufferMinutes)
	}
	if cfg.Desk.HorizonDays < 1 {
		return nil, fmt.Errorf("desk.horizon_days: must be at least 1")
	}
	d := &Desk{
		loc:       loc,
		slot:      time.Duration(cfg.Desk.SlotMinutes) * time.Minute,
		buffer:    time.Duration(cfg.Desk.BufferMinutes) * time.Minute,
		minNotice: max(cfg.Desk.MinNotice, 0),
		sameDay:   cfg.Desk.SameDay,
		horizon:   cfg.Desk.HorizonDays,
		proposals: cfg.Desk.Proposals,
		techIndex: map[string]int{},
		holYear:   map[int]map[dayKey]string{},
	}
	if d.proposals < 1 {
		d.proposals = 3
	}
	if d.week, err = parseWeek("desk.hours", cfg.Desk.Hours); err != nil {
		return nil, err
	}
	if d.closed, err = parseDayRanges("desk.closed", cfg.Desk.Closed); err != nil {
		return nil, err
	}
	switch code := strings.ToUpper(strings.TrimSpace(cfg.Desk.Holidays)); code {
	case "AT":
		d.holidays = at.Holidays
	case "DE":
		d.holidays = de.Holidays
	case "", "NONE":
	default:
		land, ok := landOf(code)
		if !ok {
			return nil, fmt.Errorf("desk.holidays: %q is not one of AT, AT-1 … AT-9, DE, none", cfg.Desk.Holidays)
		}
		d.holidays = append(append([]*cal.Holiday{}, at.Holidays...), land.patron)
	}
	for i, t := range cfg.Technicians {
		key := fmt.Sprintf("technicians[%d]", i)
		email := strings.ToLower(strings.TrimSpace(t.Email))
		if email == "" {
			return nil, fmt.Errorf("%s.email: required", key)
		}
		if _, dup := d.techIndex[email]; dup {
			return nil, fmt.Errorf("%s.email: %s is listed twice", key, email)
		}
		tech := technician{email: email, week: d.week}
		if t.Hours != nil {
			if tech.week, err = parseWeek(key+".hours", t.Hours); err != nil {
				return nil, err
			}
		}
		if tech.absent, err = parseDayRanges(key+".absences", t.Absences); err != nil {
			return nil, err
		}
		d.techIndex[email] = len(d.techs)
		d.techs = append(d.techs, tech)
	}
	if len(d.techs) == 0 {
		return nil, fmt.Errorf("technicians: none configured")
	}
	return d, nil
}

func parseWeek(key string, hours map[string][]string) ([7][]span, error) {
	var week [7][]span
	for day, ranges := range hours {
		wd, ok := config.Weekdays[day]
		if !ok {
			return week, fmt.Errorf("%s: %q is not a weekday", key, day)
		}
		for _, r := range ranges {
			from, to, err := config.ParseRange(r)
			if err != nil {
				return week, fmt.Errorf("%s.%s: %w", key, day, err)
			}
			week[wd] = append(week[wd], span{from, to})
		}
		sort.Slice(week[wd], func(i, j int) bool { return week[wd][i].from < week[wd][j].from })
		for i := 1; i < len(week[wd]); i++ {
			if week[wd][i].from < week[wd][i-1].to {
				return week, fmt.Errorf("%s.%s: opening ranges overlap", key, day)
			}
		}
	}
	return week, nil
}

func parseDayRanges(key string, list []string) ([]dayRange, error) {
	out := make([]dayRange, 0, len(list))
	for i, s := range list {
		first, last, err := config.ParseDays(s)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", key, i, err)
		}
		out = append(out, dayRange{keyOf(first.Date()), keyOf(last.Date())})
	}
	return out, nil
}

// Location is the desk's time zone.
func (d *Desk) Location() *time.Location { return d.loc }

// SlotLength is the length of one session.
func (d *Desk) SlotLength() time.Duration { return d.slot }

// key is the date of t in the desk's zone.
func (d *Desk) key(t time.Time) dayKey { return keyOf(t.In(d.loc).Date()) }

// dayStart is midnight at the start of t's date in the desk's zone.
func (d *Desk) dayStart(t time.Time) time.Time {
	y, m, dd := t.In(d.loc).Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, d.loc)
}

// nextDay is midnight at the start of the date after t's. Built from the
// date, not by adding 24 hours, so DST days come out right.
func (d *Desk) nextDay(t time.Time) time.Time {
	y, m, dd := t.In(d.loc).Date()
	return time.Date(y, m, dd+1, 0, 0, 0, 0, d.loc)
}

// prevDay is midnight at the start of the date before t's.
func (d *Desk) prevDay(t time.Time) time.Time {
	y, m, dd := t.In(d.loc).Date()
	return time.Date(y, m, dd-1, 0, 0, 0, 0, d.loc)
}

// at returns the instant minutes after midnight on day's date, in the desk zone.
// Built from the wall clock, so DST days come out right.
func (d *Desk) at(day time.Time, minutes int) time.Time {
	y, m, dd := day.In(d.loc).Date()
	return time.Date(y, m, dd, minutes/60, minutes%60, 0, 0, d.loc)
}

// Holiday returns the public holiday's name on the day of t, if any.
func (d *Desk) Holiday(t time.Time) (string, bool) {
	y, m, dd := t.In(d.loc).Date()
	name, ok := d.holidaysOf(y)[keyOf(y, m, dd)]
	return name, ok
}

// holidaysOf computes a year's holidays once. Neighbouring years are asked
// too, because a holiday observed on another day may cross the year's end.
func (d *Desk) holidaysOf(year int) map[dayKey]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if days, ok := d.holYear[year]; ok {
		return days
	}
	days := map[dayKey]string{}
	for y := year - 1; y <= year+1; y++ {
		for _, h := range d.holidays {
			act, obs := h.Calc(y)
			for _, x := range []time.Time{act, obs} {
				if !x.IsZero() && x.Year() == year {
					days[keyOf(x.Date())] = h.Name
				}
			}
		}
	}
	d.holYear[year] = days
	return days
}

// calendarClosed says why the desk's calendar has no hours on t's day:
// a public holiday, a configured closed day, or a weekday without hours.
func (d *Desk) calendarClosed(t time.Time) (Why, string) {
	t = t.In(d.loc)
	if name, ok := d.Holiday(t); ok {
		return WhyHoliday, name
	}
	if inRanges(d.closed, d.key(t)) || len(d.week[t.Weekday()]) == 0 {
		return WhyClosedDay, ""
	}
	return WhyNone, ""
}

// dayClosed is calendarClosed plus staffing: a day on which every
// technician is absent or off is closed to a customer ("nicht besetzt"),
// not full.
func (d *Desk) dayClosed(t time.Time) (Why, string) {
	if why, detail := d.calendarClosed(t); why != WhyNone {
		return why, detail
	}
	t = t.In(d.loc)
	k, wd := d.key(t), t.Weekday()
	for _, tech := range d.techs {
		if len(tech.week[wd]) > 0 && !inRanges(tech.absent, k) {
			return WhyNone, ""
		}
	}
	return WhyClosedDay, ""
}

// placed is a slot with its date in the desk's zone worked out once: the
// checks below ask for it many times per slot.
type placed struct {
	Slot
	y   int
	m   time.Month
	dd  int
	wd  time.Weekday
	key dayKey
}

func (d *Desk) place(s Slot) placed {
	local := s.Start.In(d.loc)
	y, m, dd := local.Date()
	return placed{s, y, m, dd, local.Weekday(), keyOf(y, m, dd)}
}

// within reports whether p lies wholly inside one of spans on p's date.
// The range edges are built from the wall clock, so DST days come out right.
func (d *Desk) within(spans []span, p placed) bool {
	if !p.End.After(p.Start) {
		return false
	}
	for _, sp := range spans {
		from := time.Date(p.y, p.m, p.dd, sp.from/60, sp.from%60, 0, 0, d.loc)
		if p.Start.Before(from) {
			continue
		}
		if to := time.Date(p.y, p.m, p.dd, sp.to/60, sp.to%60, 0, 0, d.loc); !p.End.After(to) {
			return true
		}
	}
	return false
}

// Open reports whether s lies wholly inside one opening range of a day the
// desk's calendar is open (not a holiday, not closed). It does not look at
// technicians; Available does.
func (d *Desk) Open(s Slot) bool {
	if why, _ := d.calendarClosed(s.Start); why != WhyNone {
		return false
	}
	p := d.place(s)
	return d.within(d.week[p.wd], p)
}

// atWork reports whether technician i works for the whole of p: not absent
// that day and p inside their hours.
func (d *Desk) atWork(i int, p placed) bool {
	t := &d.techs[i]
	return !inRanges(t.absent, p.key) && d.within(t.week[p.wd], p)
}

// Available lists the technicians (lower-case emails, config order) at
// work for the whole of s, ignoring their bookings.
func (d *Desk) Available(s Slot) []string {
	var out []string
	p := d.place(s)
	for i := range d.techs {
		if d.atWork(i, p) {
			out = append(out, d.techs[i].email)
		}
	}
	return out
}

// grid lists the desk's slots of day's date: each opening range cut into
// slot lengths from its start. The grid stays on the slot length even with
// a buffer, so offered times read round ("10:00", not "10:40"); the buffer
// only makes a technician's next grid slot unavailable. Wall-clock times
// that do not exist (the spring DST gap) are skipped, and a slot never
// starts before the previous one ended (the autumn repeat).
func (d *Desk) grid(day time.Time) []Slot {
	step := int(d.slot / time.Minute)
	var out []Slot
	var prevEnd time.Time
	for _, sp := range d.week[day.In(d.loc).Weekday()] {
		closing := d.at(day, sp.to)
		for m := sp.from; m+step <= sp.to; m += step {
			start := d.at(day, m)
			if start.Hour()*60+start.Minute() != m || start.Before(prevEnd) {
				continue
			}
			end := start.Add(d.slot)
			if end.After(closing) {
				continue
			}
			out = append(out, Slot{start, end})
			prevEnd = end
		}
	}
	return out
}

// DaySlots lists the bookable grid slots of day's date, ignoring bookings:
// none on holidays and closed days, and only slots some technician works.
func (d *Desk) DaySlots(day time.Time) []Slot {
	if why, _ := d.dayClosed(day); why != WhyNone {
		return nil
	}
	var out []Slot
	for _, s := range d.grid(day) {
		p := d.place(s)
		for i := range d.techs {
			if d.atWork(i, p) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// calendar is the desk seen at one moment with one set of bookings: the
// state one Decide or Propose call works on.
type calendar struct {
	d        *Desk
	now      time.Time
	earliest time.Time // first instant a session may start
	latest   time.Time // first instant beyond the horizon
	booked   []Booked  // sorted by start
	techOf   []int     // booked[i]'s technician index, -1 if not configured
	maxLen   time.Duration
	closed   map[dayKey]closedDay
	loads    map[dayKey][]int
}

type closedDay struct {
	why    Why
	detail string
}

func (d *Desk) calendar(now time.Time, booked []Booked) *calendar {
	now = now.In(d.loc)
	c := &calendar{d: d, now: now, booked: booked, closed: map[dayKey]closedDay{}, loads: map[dayKey][]int{}}
	c.earliest = now.Add(d.minNotice)
	if tomorrow := d.nextDay(now); !d.sameDay && tomorrow.After(c.earliest) {
		c.earliest = tomorrow
	}
	y, m, dd := now.Date()
	c.latest = time.Date(y, m, dd+d.horizon+1, 0, 0, 0, 0, d.loc)
	byStart := func(a, b Booked) int { return a.Start.Compare(b.Start) }
	if !slices.IsSortedFunc(booked, byStart) {
		// The store hands them over sorted; anyone else gets a sorted copy
		// rather than a reordered slice of theirs.
		c.booked = slices.Clone(booked)
		slices.SortStableFunc(c.booked, byStart)
	}
	c.techOf = make([]int, len(c.booked))
	for i, b := range c.booked {
		c.techOf[i] = -1
		// Emails are stored lower-case; ToLower only for the odd one.
		ti, ok := d.techIndex[b.Technician]
		if !ok {
			ti, ok = d.techIndex[strings.ToLower(b.Technician)]
		}
		if ok {
			c.techOf[i] = ti
		}
		c.maxLen = max(c.maxLen, b.End.Sub(b.Start))
	}
	return c
}

func (c *calendar) dayClosed(t time.Time) (Why, string) {
	k := c.d.key(t)
	if cd, ok := c.closed[k]; ok {
		return cd.why, cd.detail
	}
	why, detail := c.d.dayClosed(t)
	c.closed[k] = closedDay{why, detail}
	return why, detail
}

// loadsOn counts each technician's sessions starting on t's date.
func (c *calendar) loadsOn(t time.Time) []int {
	k := c.d.key(t)
	if l, ok := c.loads[k]; ok {
		return l
	}
	l := make([]int, len(c.d.techs))
	from, to := c.d.dayStart(t), c.d.nextDay(t)
	i := sort.Search(len(c.booked), func(i int) bool { return !c.booked[i].Start.Before(from) })
	for ; i < len(c.booked) && c.booked[i].Start.Before(to); i++ {
		if ti := c.techOf[i]; ti >= 0 && !c.booked[i].External {
			l[ti]++
		}
	}
	c.loads[k] = l
	return l
}

// assign picks the technician for s: among those at work for s and with no
// session overlapping it (each session extended by the buffer), the least
// loaded that day, ties in config order. Capacity is counted per person
// rather than by overlapping sessions, so a technician with two short
// sessions around s does not use up a colleague. A session of a technician
// no longer configured still occupies somebody.
func (c *calendar) assign(s placed) (string, Why) {
	d := c.d
	n := len(d.techs)
	var stack [8]bool
	free := stack[:0]
	if n > len(stack) {
		free = make([]bool, 0, n)
	}
	anyAtWork := false
	for i := range n {
		w := d.atWork(i, s)
		free = append(free, w)
		anyAtWork = anyAtWork || w
	}
	if !anyAtWork {
		return "", WhyOutsideHours
	}
	// Only sessions starting after lo can reach s: none is longer than maxLen.
	lo := s.Start.Add(-c.maxLen - d.buffer)
	hi := s.End.Add(d.buffer)
	unknown := 0
	i := sort.Search(len(c.booked), func(i int) bool { return c.booked[i].Start.After(lo) })
	for ; i < len(c.booked) && c.booked[i].Start.Before(hi); i++ {
		if !s.Start.Before(c.booked[i].End.Add(d.buffer)) {
			continue
		}
		if ti := c.techOf[i]; ti >= 0 {
			free[ti] = false
		} else if !c.booked[i].External {
			unknown++
		}
	}
	best, nfree := -1, 0
	var loads []int
	for ti, ok := range free {
		if !ok {
			continue
		}
		nfree++
		if loads == nil {
			loads = c.loadsOn(s.Start)
		}
		if best < 0 || loads[ti] < loads[best] {
			best = ti
		}
	}
	if nfree <= unknown {
		return "", WhyTaken
	}
	return d.techs[best].email, WhyNone
}

// check says why s cannot be booked, or WhyNone with its technician.
func (c *calendar) check(s Slot) (Why, string, string) {
	switch {
	case !s.Start.After(c.now):
		return WhyPast, "", ""
	case s.Start.Before(c.earliest):
		return WhyTooSoon, "", ""
	case !s.Start.Before(c.latest):
		return WhyBeyond, "", ""
	}
	if why, detail := c.dayClosed(s.Start); why != WhyNone {
		return why, detail, ""
	}
	p := c.d.place(s)
	if !c.d.within(c.d.week[p.wd], p) {
		return WhyOutsideHours, "", ""
	}
	tech, why := c.assign(p)
	return why, "", tech
}

// Decide books the first wish that fits, or proposes the nearest free slots
// around the first wish. A wish at a minute books exactly that time; a
// window (part of day, whole day, range) books its earliest free slot.
func (d *Desk) Decide(now time.Time, wishes []understand.Wish, booked []Booked) Decision {
	c := d.calendar(now, booked)
	var dec Decision
	for i, w := range wishes {
		why, detail, slot, tech := c.tryWish(w)
		if why == WhyNone && wholeDay(w) {
			day := d.dayStart(slot.Start)
			return Decision{Why: WhyPickHour, Wish: day, Proposals: c.dayChoices(day)}
		}
		if why == WhyNone {
			return Decision{Book: &slot, Technician: tech}
		}
		if i == 0 {
			dec.Why, dec.WhyDetail, dec.Wish = why, detail, w.Start.In(d.loc)
		}
	}
	around, part := time.Time{}, partAny
	if len(wishes) == 0 {
		dec.Why = WhyNoTime
	} else {
		around, part = d.aim(wishes[0])
	}
	dec.Proposals = c.propose(around, part)
	return dec
}

// wholeDay: a wish for one day that names no time of it and does not say
// that any time suits ("am Freitag", "on the 12th").
func wholeDay(w understand.Wish) bool {
	return w.Precision == understand.PrecisionDay && !w.AnyHour &&
		(w.End == nil || w.End.Sub(w.Start) <= 25*time.Hour)
}

// dayChoices offers the free slots of day spread over it — its first, its
// last and evenly between — so a customer who named only the day finds a
// morning and an afternoon time; fewer free slots there are padded with
// the nearest free ones after it.
func (c *calendar) dayChoices(day time.Time) []Slot {
	d := c.d
	var free []Slot
	for _, s := range d.grid(day) {
		if why, _, _ := c.check(s); why == WhyNone {
			free = append(free, s)
		}
	}
	n := max(d.proposals, 1)
	if len(free) > n {
		picked := make([]Slot, 0, n)
		for i := range n {
			k := 0
			if n > 1 {
				k = (i*(len(free)-1) + (n-1)/2) / (n - 1)
			}
			picked = append(picked, free[k])
		}
		return picked
	}
	for _, s := range c.propose(d.nextDay(day), partAny) {
		if len(free) >= n {
			break
		}
		if !slices.ContainsFunc(free, func(x Slot) bool { return x.Start.Equal(s.Start) }) {
			free = append(free, s)
		}
	}
	slices.SortFunc(free, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	return free
}

// window returns the range a wish allows, or ok false for a point in time.
// A day wish without an end means its whole date.
func (d *Desk) window(w understand.Wish) (start, end time.Time, ok bool) {
	start = w.Start.In(d.loc)
	switch {
	case w.End != nil && w.End.After(w.Start):
		return start, w.End.In(d.loc), true
	case w.End == nil && w.Precision == understand.PrecisionDay:
		return d.dayStart(start), d.nextDay(start), true
	}
	return start, time.Time{}, false
}

func (c *calendar) tryWish(w understand.Wish) (Why, string, Slot, string) {
	start, end, isWindow := c.d.window(w)
	if !isWindow {
		s := Slot{start, start.Add(c.d.slot)}
		why, detail, tech := c.check(s)
		return why, detail, s, tech
	}
	return c.tryWindow(start, end)
}

// tryWindow books the earliest free slot inside [ws, we). When there is
// none it names the reason nearest to success: full beats too soon beats
// past, and the day's own reason (a holiday) only counts when no day of
// the window was open at all.
func (c *calendar) tryWindow(ws, we time.Time) (Why, string, Slot, string) {
	d := c.d
	if !we.After(c.now) {
		return WhyPast, "", Slot{}, ""
	}
	if !ws.Before(c.latest) {
		return WhyBeyond, "", Slot{}, ""
	}
	from := ws
	if today := d.dayStart(c.now); from.Before(today) {
		from = today // earlier days are past: no need to walk them
	}
	stop := we
	if stop.After(c.latest) {
		stop = c.latest
	}
	seen := map[Why]bool{}
	dayWhy, dayDetail := WhyNone, ""
	anyOpenDay := false
	for day := d.dayStart(from); day.Before(stop); day = d.nextDay(day) {
		if why, detail := c.dayClosed(day); why != WhyNone {
			if dayWhy == WhyNone {
				dayWhy, dayDetail = why, detail
			}
			continue
		}
		anyOpenDay = true
		cands := d.grid(day)
		if d.key(ws) == d.key(day) {
			// An off-grid start ("ab 13:15") is the window's earliest time.
			if s := (Slot{ws, ws.Add(d.slot)}); d.Open(s) && !slices.ContainsFunc(cands, func(x Slot) bool { return x.Start.Equal(ws) }) {
				cands = append([]Slot{s}, cands...)
			}
		}
		for _, s := range cands {
			if s.Start.Before(ws) || s.End.After(we) {
				continue
			}
			why, _, tech := c.check(s)
			if why == WhyNone {
				return WhyNone, "", s, tech
			}
			seen[why] = true
		}
	}
	for _, why := range []Why{WhyTaken, WhyTooSoon, WhyPast, WhyBeyond, WhyOutsideHours} {
		if seen[why] {
			return why, "", Slot{}, ""
		}
	}
	if !anyOpenDay && dayWhy != WhyNone {
		return dayWhy, dayDetail, Slot{}, ""
	}
	return WhyOutsideHours, "", Slot{}, ""
}

// partOfDay is the half of a day a customer asked for.
type partOfDay int8

const (
	partAny partOfDay = iota
	partMorning
	partAfternoon
)

// partOf is the part of day of a wished point in time. A time in the
// desk's lunch break leans neither way: both halves are equally near.
func (d *Desk) partOf(t time.Time) partOfDay {
	if t.IsZero() {
		return partAny
	}
	t = t.In(d.loc)
	m := t.Hour()*60 + t.Minute()
	spans := d.week[t.Weekday()]
	if len(spans) > 1 && m >= spans[0].to && m < spans[len(spans)-1].from {
		inside := false
		for _, sp := range spans {
			inside = inside || m >= sp.from && m < sp.to
		}
		if !inside {
			return partAny
		}
	}
	if m < noon {
		return partMorning
	}
	return partAfternoon
}

// aim is where proposals for a wish are centred and which part of the day
// they keep: a point's own time and half, or a window's start and, when
// the whole window leans to one half of one day, that half.
func (d *Desk) aim(w understand.Wish) (time.Time, partOfDay) {
	start, end, isWindow := d.window(w)
	if !isWindow {
		return start, d.partOf(start)
	}
	last := end.Add(-time.Minute)
	if d.key(start) != d.key(last) {
		return start, partAny
	}
	if p := d.partOf(start); p == d.partOf(last) {
		return start, p
	}
	return start, partAny
}

// Propose returns the desk's configured number of free slots nearest to
// around, keeping around's part of the day when it can, or the next free
// ones when around is zero or beyond the horizon. The result is in time
// order.
func (d *Desk) Propose(now time.Time, around time.Time, booked []Booked) []Slot {
	return d.calendar(now, booked).propose(around, d.partOf(around))
}

// propose searches from the start of around's day (so earlier free slots
// of the wished day are offered too, and a closed day leads to the working
// days after it), never before the earliest bookable instant. Slots in the
// wished part of the day within keepPartDays working days come first; the
// rest are ranked by distance from around. Only when the days from around
// to the horizon cannot fill the offer does it look back before around's
// day.
func (c *calendar) propose(around time.Time, part partOfDay) []Slot {
	d := c.d
	from := c.earliest
	if around.IsZero() || !around.Before(c.latest) {
		around = time.Time{} // beyond the horizon: offer the next free slots
	} else if day := d.dayStart(around); day.After(from) {
		from = day
	}
	ref := around
	if ref.IsZero() {
		ref = from
	}
	type cand struct {
		s    Slot
		keep bool
		dist time.Duration
	}
	var cands []cand
	want, working := d.proposals, 0
	for day := d.dayStart(from); day.Before(c.latest); day = d.nextDay(day) {
		// Once past the part-of-day look-ahead, a slot further on can only
		// be further from around than every one gathered (the wished day's
		// earlier slots included, they lie within a day of it), so enough
		// gathered means done.
		if working >= keepPartDays && len(cands) >= want {
			break
		}
		if why, _ := c.dayClosed(day); why != WhyNone {
			continue
		}
		working++
		for _, s := range d.grid(day) {
			if s.Start.Before(from) {
				continue
			}
			if why, _, _ := c.check(s); why != WhyNone {
				continue
			}
			dist := s.Start.Sub(ref)
			if dist < 0 {
				dist = -dist
			}
			keep := part != partAny && working <= keepPartDays && d.partOf(s.Start) == part
			cands = append(cands, cand{s, keep, dist})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.keep != b.keep {
			return a.keep
		}
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		return a.s.Start.Before(b.s.Start)
	})
	if len(cands) > want {
		cands = cands[:want]
	}
	out := make([]Slot, len(cands), want)
	for i, x := range cands {
		out[i] = x.s
	}
	if len(out) < want && from.After(c.earliest) {
		// Too little free from the wished day to the horizon's end: the
		// nearest free slots before that day beat offering nothing.
		first := d.dayStart(c.earliest)
		for day := d.prevDay(from); !day.Before(first) && len(out) < want; day = d.prevDay(day) {
			if why, _ := c.dayClosed(day); why != WhyNone {
				continue
			}
			slots := d.grid(day)
			for i := len(slots) - 1; i >= 0 && len(out) < want; i-- {
				if why, _, _ := c.check(slots[i]); why == WhyNone {
					out = append(out, slots[i])
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// AfterWorkingDays returns the end of the n-th working day after t's day
// (a day with at least one slot), for deadlines such as a proposal's expiry.
func (d *Desk) AfterWorkingDays(t time.Time, n int) time.Time {
	day := d.dayStart(t)
	for i := 0; i < 400 && n > 0; i++ {
		day = d.nextDay(day)
		if len(d.DaySlots(day)) > 0 {
			n--
		}
	}
	return d.nextDay(day)
}
