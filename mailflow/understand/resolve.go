package understand

import "time"

// resolve places a mention in time.
func (p *parser) resolve(m *mention, now time.Time) (Wish, bool) {
	w, ok := p.resolveMention(m, now)
	w.dated = ok && m.abs && m.d != 0
	if ok && m.weekApart {
		// "…, wennst auf die nächste Woche weiterklickst. Hätten S' am
		// Mittwoch um 10 Zeit?": the week was told in another sentence
		// than the weekday it placed — maybe it was no wish at all.
		w.weekApart = true
	}
	if ok && m.nextSaid && !m.abs && !m.week && m.wdMode == wdNextOcc {
		// The next such weekday lies in this week: "nächsten" may also
		// mean next week's.
		loc := now.Location()
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		mon := today.AddDate(0, 0, 1-weekdayIndex(today))
		w.nextAmbiguous = w.Start.In(loc).Before(mon.AddDate(0, 0, 7))
		if m.nextNaechst && sameDate(w.Start.In(loc), today.AddDate(0, 0, 1)) {
			// "nächsten Mittwoch" said on a Tuesday: no writer calls
			// tomorrow that; it is the Wednesday of next week.
			w = w.addDays(7)
		}
	}
	if ok && m.wd != 0 && !m.abs && !m.week && !m.hasRel && !m.nextSaid && m.wdEnd == 0 && m.wdMode == wdNextOcc && m.plusDays == 0 {
		w.bareWeekday = true
		if int(m.wd) == weekdayIndex(now) {
			// ("Could we book Thursday at half ten?" on a Thursday at 9:14:
			// its writer meant today; most mean a week on.)
			w.todayWeekday = true
		}
	}
	if ok && m.inAWeek {
		// "Freitag in einer Woche" said on a Wednesday: the Friday a week
		// after the coming one (most writers); said on a Thursday,
		// "Donnerstag in einer Woche" is a week from today — the coming
		// one. Asked back either way.
		w.nextAmbiguous = true
		if int(m.wd) != weekdayIndex(now) {
			w = w.addDays(7)
		}
	}
	if ok && m.wdMode == wdNextWeek && !m.abs && !m.week && int(m.wd) > weekdayIndex(now) {
		// "next Tuesday" said on a Monday: tomorrow for some writers, the
		// Tuesday of next week for others — asked back, never booked.
		w.nextAmbiguous = true
	}
	if ok && m.plusDays != 0 && !m.abs { // ("Thursday week, the 16th": the date said wins)
		w = w.addDays(int(m.plusDays))
	}
	if ok && m.hasRel && m.wd != 0 && !m.abs && weekdayIndex(w.Start.In(now.Location())) != int(m.wd) {
		w.weekdayOff = true // "morgen (Mittwoch)" said on a Monday
	}
	if ok && m.abs && m.wd != 0 {
		date := *m
		date.wd = 0
		loc := now.Location()
		if d, ok := p.absDay(&date, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)); ok && weekdayIndex(d) != int(m.wd) {
			w.weekdayOff = true
		}
	}
	return w, ok
}

func (p *parser) resolveMention(m *mention, now time.Time) (Wish, bool) {
	loc := now.Location()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)

	if m.special != specNone {
		return p.resolveSpecial(m, now)
	}
	if m.offUnit == unitMinute || m.offUnit == unitHour {
		d := time.Duration(m.offN) * time.Minute
		if m.offUnit == unitHour {
			d = time.Duration(m.offN) * time.Hour
		}
		return Wish{Start: now.Add(d).Truncate(time.Minute), Precision: PrecisionMinute}, true
	}

	var day time.Time
	haveDay := false
	var dayEnd time.Time
	windowDays := false
	switch {
	case m.abs:
		d, ok := p.absDay(m, today)
		if m.swapDM {
			// "Would 10/12/2076 at 3:15 pm work?" from a writer who puts
			// the day first: October lies behind us, 10 December ahead.
			o := *m
			o.d, o.mo = m.mo, m.d
			if d2, ok2 := p.absDay(&o, today); ok2 && !d2.Before(today) && (!ok || d.Before(today) || d2.Before(d)) {
				d, ok = d2, true
			}
		}
		if !ok {
			return Wish{}, false
		}
		day, haveDay = d, true
		if m.absEnd {
			y2 := m.y2
			if y2 == 0 {
				y2 = d.Year()
			} else {
				y2 = widenYear(y2, now)
			}
			mo2 := m.mo2
			if mo2 == 0 {
				mo2 = int(d.Month())
			}
			e := time.Date(y2, time.Month(mo2), m.d2+1, 0, 0, 0, 0, loc)
			if e.After(d) {
				dayEnd, windowDays = e, true
			}
		}
	case m.hasRel:
		day, haveDay = today.AddDate(0, 0, m.rel), true
	case m.wd != 0:
		day, haveDay = p.weekdayDay(m, today), true
		if m.wdEnd != 0 {
			n := (int(m.wdEnd) - weekdayIndex(day) + 7) % 7
			dayEnd, windowDays = day.AddDate(0, 0, n+1), true
		}
	case m.week:
		mon := p.weekMonday(m, today)
		start := mon
		if start.Before(today) {
			start = today
		}
		end := mon.AddDate(0, 0, 5) // the working week
		if !end.After(start) {
			end = mon.AddDate(0, 0, 7)
		}
		if m.hasTime || m.pod != 0 {
			day, haveDay = start, true
		} else {
			return Wish{Start: start, End: &end, Precision: PrecisionDay}, true
		}
	case m.offUnit == unitDay:
		day, haveDay = today.AddDate(0, 0, m.offN), true
	case m.offUnit == unitWeek:
		day, haveDay = today.AddDate(0, 0, 7*m.offN), true
	}

	if m.hasTime {
		t1 := hourFor(m.t, m.pod)
		if !haveDay {
			day = today
			if t1.h < now.Hour() {
				day = today.AddDate(0, 0, 1)
			}
		}
		at := func(ts timeSpec) time.Time {
			if m.hasTZ && !(m.tzLocal && centralEuropean(day)) {
				z := time.FixedZone("", m.tz*60)
				if r, ok := regionZones[m.tz]; ok {
					z = r
				}
				return time.Date(day.Year(), day.Month(), day.Day(), ts.h, ts.m, 0, 0, z).In(loc)
			}
			return time.Date(day.Year(), day.Month(), day.Day(), ts.h, ts.m, 0, 0, loc)
		}
		start := at(t1)
		switch {
		case m.hasEnd:
			t2 := hourFor(m.t2, m.pod)
			if !m.t2.strict && m.t2.ampm == ampmNone && t2.h < t1.h && t2.h+12 > t1.h {
				t2.h += 12
			}
			end := at(t2)
			if !end.After(start) {
				end = end.AddDate(0, 0, 1)
			}
			return Wish{Start: start, End: &end, Precision: PrecisionPartOfDay}, true
		case m.open == openAfter:
			end := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
			if !end.After(start) {
				return Wish{Start: start, Precision: PrecisionMinute}, true
			}
			return Wish{Start: start, End: &end, Precision: PrecisionPartOfDay}, true
		case m.open == openBefore:
			s := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
			return Wish{Start: s, End: &start, Precision: PrecisionPartOfDay}, true
		}
		return Wish{Start: start, Precision: PrecisionMinute}, true
	}
	if m.pod != 0 {
		a, b := podWindow(m.pod)
		if !haveDay {
			day = today
			if now.Hour() >= b {
				day = today.AddDate(0, 0, 1)
			}
		}
		s := time.Date(day.Year(), day.Month(), day.Day(), a, 0, 0, 0, loc)
		e := time.Date(day.Year(), day.Month(), day.Day(), b, 0, 0, 0, loc)
		return Wish{Start: s, End: &e, Precision: PrecisionPartOfDay}, true
	}
	if !haveDay {
		return Wish{}, false
	}
	end := day.AddDate(0, 0, 1)
	if windowDays {
		end = dayEnd
	}
	return Wish{Start: day, End: &end, Precision: PrecisionDay}, true
}

// centralEuropean reports whether the desk's zone keeps Central European
// time on day: customers write "15:30 CET" all summer long and mean the
// clock on the office wall, not UTC+1.
func centralEuropean(day time.Time) bool {
	_, off := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, day.Location()).Zone()
	return off == 3600 || off == 7200
}

// podWindow is the desk's reading of a part of the day, in hours. The
// desk's windows are narrower than Duckling's (e.g. afternoon 12-19): a
// customer asking for "Nachmittag" means the afternoon support hours.
func podWindow(pod uint8) (int, int) {
	switch pod {
	case podMorning:
		return 8, 12
	case podForenoon:
		return 9, 12
	case podNoon:
		return 12, 14
	case podAfternoon:
		return 13, 17
	case podEvening:
		return 18, 24
	}
	return 0, 24
}

// hourFor turns a written hour into a 24-hour one. Without am/pm or a part
// of the day, 1-7 o'clock means the afternoon: nobody books remote support
// at 3 in the night, and the desk's hours end at 17:00 ("um 3" is 15:00).
func hourFor(ts timeSpec, pod uint8) timeSpec {
	if ts.ampm != ampmNone || ts.strict && ts.h >= 12 {
		return ts
	}
	switch pod {
	case podAfternoon, podEvening:
		if ts.h < 12 {
			ts.h += 12
		}
		return ts
	case podNoon:
		if ts.h >= 1 && ts.h <= 5 {
			ts.h += 12
		}
		return ts
	case podMorning, podForenoon:
		return ts
	}
	if ts.strict {
		return ts
	}
	if ts.h >= 1 && ts.h <= 7 {
		ts.h += 12
	}
	return ts
}

// widenYear turns a two-digit year into a full one: up to 30 years ahead
// of now, else last century ("31.10.74" is 1974).
func widenYear(y int, now time.Time) int {
	if y >= 2000 && y < 2100 {
		yy := y - 2000
		if 2000+yy > now.Year()+30 {
			return 1900 + yy
		}
	}
	return y
}

// absDay places a calendar date. A date without a year is this year's,
// unless it already lies more than a month back: then it is next year's
// (a mail of 31 December asking for "5.1." means January). A weekday
// named with it picks the year (or month) where the two agree.
func (p *parser) absDay(m *mention, today time.Time) (time.Time, bool) {
	loc := today.Location()
	mk := func(y, mo, d int) (time.Time, bool) {
		if mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) {
			return time.Time{}, false
		}
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc), true
	}
	wdOK := func(t time.Time) bool {
		return m.wd == 0 || weekdayIndex(t) == int(m.wd)
	}
	if m.y != 0 {
		return mk(widenYear(m.y, today), m.mo, m.d)
	}
	if m.mo == 0 {
		// Day of month only: this month, or the next month it exists in.
		y, mo := today.Year(), int(today.Month())
		if m.d < today.Day() {
			mo++
		}
		var first time.Time
		for k := 0; k < 24; k++ {
			yy, mm := y+(mo-1+k)/12, (mo-1+k)%12+1
			if t, ok := mk(yy, mm, m.d); ok {
				if first.IsZero() {
					first = t
				}
				if wdOK(t) {
					return t, true
				}
			}
		}
		return first, !first.IsZero()
	}
	y := today.Year()
	t, ok := mk(y, m.mo, m.d)
	if !ok {
		// 29 February of a year that has none: the next one that has it.
		for k := 1; k <= 8 && !ok; k++ {
			t, ok = mk(y+k, m.mo, m.d)
		}
		return t, ok
	}
	if m.wd != 0 && wdOK(t) {
		return t, true
	}
	if t.Before(today.AddDate(0, 0, -31)) || m.wd != 0 && t.Before(today) {
		if t2, ok := mk(y+1, m.mo, m.d); ok {
			t = t2
		}
	}
	// A weekday that does not fit the date ("Fr. 9.12" on a Thursday,
	// "Ferienbeginn 5. Juli), am Montag") is the first such weekday after
	// it; the reading is asked back (weekdayOff), never moved a year ahead.
	for k := 1; k < 7 && m.wd != 0 && !wdOK(t); k++ {
		t = t.AddDate(0, 0, 1)
	}
	return t, true
}

// weekdayIndex is 1 for Monday … 7 for Sunday.
func weekdayIndex(t time.Time) int {
	return (int(t.Weekday())+6)%7 + 1
}

func (p *parser) weekMonday(m *mention, today time.Time) time.Time {
	if m.kw != 0 {
		y := today.Year()
		mon := isoWeekMonday(y, m.kw, today.Location())
		if mon.AddDate(0, 0, 7).Before(today) || mon.AddDate(0, 0, 7).Equal(today) {
			mon = isoWeekMonday(y+1, m.kw, today.Location())
		}
		return mon
	}
	mon := today.AddDate(0, 0, -(weekdayIndex(today) - 1))
	return mon.AddDate(0, 0, 7*m.weekShift)
}

func isoWeekMonday(y, w int, loc *time.Location) time.Time {
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
	mon1 := jan4.AddDate(0, 0, -(weekdayIndex(jan4) - 1))
	return mon1.AddDate(0, 0, 7*(w-1))
}

// weekdayDay places a weekday name. Plain "Montag" is the next Monday after
// today (a weekday equal to today means next week's).
func (p *parser) weekdayDay(m *mention, today time.Time) time.Time {
	wd := int(m.wd)
	ti := weekdayIndex(today)
	if m.week {
		return p.weekMonday(m, today).AddDate(0, 0, wd-1)
	}
	next := (wd - ti + 7) % 7
	if next == 0 {
		next = 7
	}
	switch m.wdMode {
	case wdNextWeek:
		mon := today.AddDate(0, 0, -(ti - 1))
		return mon.AddDate(0, 0, 7+wd-1)
	case wdLast:
		back := (ti - wd + 7) % 7
		if back == 0 {
			back = 7
		}
		return today.AddDate(0, 0, -back)
	case wdAfterNext:
		return today.AddDate(0, 0, next+7)
	case wdCount:
		if m.wdN < 0 {
			back := (ti - wd + 7) % 7
			if back == 0 {
				back = 7
			}
			return today.AddDate(0, 0, -back-7*(-m.wdN-1))
		}
		return today.AddDate(0, 0, next+7*(m.wdN-1))
	}
	return today.AddDate(0, 0, next)
}

// Region zones stand in the lexicon as offsets no real zone has.
const (
	tzLondon     = 9001
	tzNewYork    = 9002
	tzLosAngeles = 9003
	tzAthens     = 9004
)

// regionZones resolve them with their own summer time; a region whose
// rules are missing on this machine falls back to its winter offset.
var regionZones = func() map[int]*time.Location {
	m := map[int]*time.Location{}
	for id, def := range map[int]struct {
		name string
		off  int
	}{tzLondon: {"Europe/London", 0}, tzNewYork: {"America/New_York", -300}, tzLosAngeles: {"America/Los_Angeles", -480},
		tzAthens: {"Europe/Athens", 120}} {
		if loc, err := time.LoadLocation(def.name); err == nil {
			m[id] = loc
		} else {
			m[id] = time.FixedZone(def.name, def.off*60)
		}
	}
	return m
}()
