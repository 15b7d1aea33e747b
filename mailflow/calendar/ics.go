package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// Reading busy time out of iCalendar data that other people's calendar
// apps wrote: anything may be in it, so every rule below errs towards
// "busy" only where the data says so clearly, skips what it cannot read,
// and bounds the work one object can cause.

// maxOccurrences bounds the instances one recurring event may produce in a
// window (a FREQ=MINUTELY rule must not stall a refresh).
const maxOccurrences = 2000

// maxEventLength: longer "events" (a month-long vacation block) still
// count, but not beyond this, which keeps a bogus DTEND from closing the
// desk for years.
const maxEventLength = 62 * 24 * time.Hour

// capEnd is e, or the end of maxEventLength from s when e lies later.
func capEnd(s, e time.Time) time.Time {
	if e.Sub(s) > maxEventLength {
		return s.Add(maxEventLength)
	}
	return e
}

// ParseBusy reads the busy periods in [from, to) (cut to it) from iCalendar data (one
// or more VCALENDAR objects): opaque, not cancelled VEVENTs with their
// recurrences expanded, and VFREEBUSY's FREEBUSY periods. ours reports
// UIDs of events mailflow wrote itself; they are left out (nil: none).
// Floating times and unknown TZIDs are read in loc.
func ParseBusy(data []byte, loc *time.Location, from, to time.Time, ours func(uid string) bool) (ps []Period, err error) {
	// go-ical's decoder panics on some malformed lines ("0;0="): a
	// stranger's calendar must not take the daemon down.
	defer func() {
		if r := recover(); r != nil {
			ps, err = nil, fmt.Errorf("parse calendar: malformed (%v)", r)
		}
	}()
	dec := ical.NewDecoder(bytes.NewReader(data))
	var cals []*ical.Calendar
	for {
		cal, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse calendar: %w", err)
		}
		cals = append(cals, cal)
		if len(cals) > 10000 {
			return nil, errors.New("parse calendar: too many objects")
		}
	}
	return busyOf(cals, loc, from, to, ours), nil
}

// busyOf is ParseBusy for decoded calendars, merged and sorted.
func busyOf(cals []*ical.Calendar, loc *time.Location, from, to time.Time, ours func(uid string) bool) []Period {
	var out []Period
	add := func(s, e time.Time) {
		e = capEnd(s, e)
		if s.Before(from) {
			s = from
		}
		if e.After(to) {
			e = to
		}
		if e.After(s) {
			out = append(out, Period{s, e})
		}
	}
	for _, cal := range cals {
		if cal == nil || cal.Component == nil {
			continue
		}
		// Overrides of single instances (RECURRENCE-ID) replace the
		// instance the master's rule would produce at that time.
		overridden := map[string][]time.Time{}
		for _, c := range cal.Children {
			if c.Name != ical.CompEvent {
				continue
			}
			if rid := c.Props.Get(ical.PropRecurrenceID); rid != nil {
				if t, err := dateTime(rid, loc); err == nil {
					uid := propText(c, ical.PropUID)
					overridden[uid] = append(overridden[uid], t)
				}
			}
		}
		for _, c := range cal.Children {
			switch c.Name {
			case ical.CompEvent:
				eventBusy(c, loc, from, to, ours, overridden, add)
			case ical.CompFreeBusy:
				freeBusy(c, add)
			}
		}
	}
	return mergePeriods(out)
}

func propText(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return strings.TrimSpace(p.Value)
	}
	return ""
}

// dateTime reads a DATE or DATE-TIME value; a TZID Go does not know (an
// Outlook name like "W. Europe Standard Time") falls back to loc.
func dateTime(p *ical.Prop, loc *time.Location) (time.Time, error) {
	t, err := p.DateTime(loc)
	if err == nil {
		return t, nil
	}
	if p.Params.Get(ical.ParamTimezoneID) == "" {
		return time.Time{}, err
	}
	q := *p
	q.Params = ical.Params{}
	for k, v := range p.Params {
		if k != ical.ParamTimezoneID {
			q.Params[k] = v
		}
	}
	return q.DateTime(loc)
}

func eventBusy(c *ical.Component, loc *time.Location, from, to time.Time, ours func(string) bool,
	overridden map[string][]time.Time, add func(s, e time.Time)) {
	uid := propText(c, ical.PropUID)
	if ours != nil && uid != "" && ours(uid) {
		return
	}
	if strings.EqualFold(propText(c, ical.PropStatus), string(ical.EventCancelled)) ||
		strings.EqualFold(propText(c, ical.PropTransparency), "TRANSPARENT") {
		return
	}
	sp := c.Props.Get(ical.PropDateTimeStart)
	if sp == nil {
		return
	}
	start, err := dateTime(sp, loc)
	if err != nil {
		return
	}
	allDay := sp.ValueType() == ical.ValueDate || (sp.ValueType() == ical.ValueDefault && len(sp.Value) == 8)
	var length time.Duration
	switch ep, dp := c.Props.Get(ical.PropDateTimeEnd), c.Props.Get(ical.PropDuration); {
	case ep != nil:
		end, err := dateTime(ep, loc)
		if err != nil {
			return
		}
		length = end.Sub(start)
	case dp != nil:
		d, err := dp.Duration()
		if err != nil {
			return
		}
		length = d
	case allDay:
		length = 24 * time.Hour
	}
	if length <= 0 {
		return
	}
	length = min(length, maxEventLength)
	span := func(s time.Time) (time.Time, time.Time) {
		if allDay {
			// A day is a calendar date in the desk's zone, 23 or 25
			// hours long on the days the clocks change.
			y, m, d := s.Date()
			days := int((length + 12*time.Hour) / (24 * time.Hour))
			return time.Date(y, m, d, 0, 0, 0, 0, loc), time.Date(y, m, d+max(days, 1), 0, 0, 0, 0, loc)
		}
		return s, s.Add(length)
	}
	if c.Props.Get(ical.PropRecurrenceID) != nil || c.Props.Get(ical.PropRecurrenceRule) == nil && len(c.Props[ical.PropRecurrenceDates]) == 0 {
		add(span(start))
		return
	}
	set := &rrule.Set{}
	set.DTStart(start)
	if c.Props.Get(ical.PropRecurrenceRule) != nil {
		opt, err := c.Props.RecurrenceRule()
		if err != nil || opt == nil {
			add(span(start))
			return
		}
		if opt.Freq == rrule.SECONDLY || opt.Freq == rrule.MINUTELY {
			// No real appointment repeats by the second or minute, and
			// such a rule with filters that never match would walk
			// millions of candidates: counted once.
			add(span(start))
			return
		}
		opt.Dtstart = start
		// Nothing after the window matters: the walk stops there even
		// when filters that never match leave it nothing to yield.
		if opt.Until.IsZero() || opt.Until.After(to) {
			opt.Until = to
		}
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			add(span(start))
			return
		}
		set.RRule(r)
	} else {
		set.RDate(start)
	}
	for _, p := range c.Props[ical.PropRecurrenceDates] {
		for _, v := range strings.Split(p.Value, ",") {
			q := p
			q.Value = v
			if t, err := dateTime(&q, loc); err == nil {
				set.RDate(t)
			}
		}
	}
	for _, p := range c.Props[ical.PropExceptionDates] {
		for _, v := range strings.Split(p.Value, ",") {
			q := p
			q.Value = v
			if t, err := dateTime(&q, loc); err == nil {
				set.ExDate(t)
			}
		}
	}
	for _, t := range overridden[uid] {
		set.ExDate(t)
	}
	next := set.Iterator()
	for i := 0; i < maxOccurrences; i++ {
		s, ok := next()
		if !ok || !s.Before(to) {
			break
		}
		if s.Add(length).After(from) {
			add(span(s))
		}
	}
}

// freeBusy reads FREEBUSY properties (start/end or start/duration, UTC),
// free periods left out.
func freeBusy(c *ical.Component, add func(s, e time.Time)) {
	for _, p := range c.Props[ical.PropFreeBusy] {
		if t := strings.ToUpper(p.Params.Get(ical.ParamFreeBusyType)); t == "FREE" {
			continue
		}
		for _, v := range strings.Split(p.Value, ",") {
			a, b, ok := strings.Cut(strings.TrimSpace(v), "/")
			if !ok {
				continue
			}
			s, err := time.Parse("20060102T150405Z", a)
			if err != nil {
				continue
			}
			if e, err := time.Parse("20060102T150405Z", b); err == nil {
				add(s, e)
				continue
			}
			dp := ical.NewProp(ical.PropDuration)
			dp.Value = b
			if d, err := dp.Duration(); err == nil && d > 0 {
				add(s, s.Add(min(d, maxEventLength)))
			}
		}
	}
}

// mergePeriods sorts periods and joins those that overlap or touch.
func mergePeriods(ps []Period) []Period {
	slices.SortFunc(ps, func(a, b Period) int { return a.Start.Compare(b.Start) })
	var out []Period
	for _, p := range ps {
		if n := len(out); n > 0 && !p.Start.After(out[n-1].End) {
			if p.End.After(out[n-1].End) {
				out[n-1].End = p.End
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// encodeICS writes cal as text (tests and the feed read it back).
func encodeICS(w io.Writer, cal *ical.Calendar) error {
	return ical.NewEncoder(w).Encode(cal)
}
