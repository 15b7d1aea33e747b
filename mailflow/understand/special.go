package understand

import (
	"strings"
	"time"
)

// Forms that name a span or an anchored day rather than a plain date:
// "die nächsten 3 Tage", "erster Dienstag im Oktober", "20th of next month",
// "Anfang nächster Woche", "Ende Dezember".

func (p *parser) specialPiece(i int, m *mention) (int, bool) {
	t := p.tok(i)
	if t == nil {
		return i, false
	}
	s := p.word(i)
	w := t.w

	if s == "last" && (p.word(i+1) == "night") {
		*m = mention{hasRel: true, rel: -1, pod: podEvening}
		return i + 2, true
	}
	if s == "eom" || s == "bom" {
		*m = mention{special: specEdge, edge: edgeEnd, ref: monthRef{isRel: true}}
		if s == "bom" {
			m.edge = edgeBegin
		}
		return i + 1, true
	}

	// "die nächsten 3 Tage", "last 2 minutes", "upcoming two days"
	if w != nil && w.role&(rNext|rLast) != 0 {
		if n, j, ok := p.count(i + 1); ok {
			if u := p.unitAt(j); u != unitNone && u != unitWeek {
				if s == "upcoming" {
					if u != unitDay {
						return i, false
					}
					*m = mention{special: specUpcoming, spanN: n}
					return j + 1, true
				}
				*m = mention{special: specSpan, spanUnit: u, spanN: n}
				if w.role&rLast != 0 {
					m.spanN = -n
				}
				return j + 1, true
			}
		}
	}
	// "2 upcoming days"
	if n, j, ok := p.count(i); ok && p.word(j) == "upcoming" && p.unitAt(j+1) == unitDay {
		*m = mention{special: specUpcoming, spanN: n}
		return j + 2, true
	}

	// "erster Dienstag im Oktober", "last Monday of March", "dritter Tag im Oktober"
	nth := 0
	if w != nil && w.ord >= 1 && w.ord <= 5 {
		nth = int(w.ord)
	} else if w != nil && w.role&rLast != 0 && s != "past" {
		nth = -1
	}
	if nth != 0 {
		j := i + 1
		var wd int8
		week := false
		if s := p.word(j); s == "full" || s == "volle" || s == "vollen" || s == "ganze" || s == "ganzen" || s == "complete" {
			j++
		}
		if nw := p.info(j); nw != nil && nw.wd != 0 && !nw.wdAbbr {
			wd = nw.wd
		} else if p.has(j, rWeek) {
			// "the first full week of January", "in der zweiten Woche im März":
			// the week that opens on that month's nth Monday ("the last
			// week of February": its last Monday).
			wd, week = 1, true
		} else if mo := monthWeek(p.word(j)); mo != 0 {
			// "in der zweiten Januarwoche", "die letzte Februarwoche": one
			// word for "the week of the month".
			*m = mention{special: specNth, nth: nth, nthWd: 1, ref: monthRef{mo: int(mo)}, nthWeek: true}
			return j + 1, true
		} else if !p.has(j, rDayUnit) {
			return i, false
		}
		j++
		switch p.word(j) {
		case "im", "in", "of", "des":
			if ref, e, ok := p.monthRefAt(j + 1); ok {
				*m = mention{special: specNth, nth: nth, nthWd: wd, ref: ref, nthWeek: week}
				return e, true
			}
		}
		return i, false
	}

	// "20 of next month", "20th of the current month", "20th day of next month"
	if n, d, ok := p.num(i); ok && d <= 2 && n >= 1 && n <= 31 {
		j := i + 1
		if p.ordSuffix(j) {
			j++
		}
		if p.has(j, rDayUnit) {
			j++
		}
		if p.word(j) == "of" {
			if ref, e, ok := p.monthRefAt(j + 1); ok && ref.isRel {
				*m = mention{special: specNth, nth: n, ref: ref}
				return e, true
			}
		}
	}

	// "Anfang nächster Woche", "end of the month", "Mitte Dezember"
	var edge uint8
	switch s {
	case "anfang", "beginning", "start", "early", "beginn":
		edge = edgeBegin
	case "mitte", "mid", "middle":
		edge = edgeMid
	case "ende", "end", "late":
		edge = edgeEnd
	}
	if edge != 0 {
		j := i + 1
		if p.word(j) == "of" {
			j++
		}
		if shift, e, ok := p.weekRefAt(j); ok {
			*m = mention{special: specEdge, edge: edge, edgeWeek: true, spanN: shift}
			return e, true
		}
		if ref, e, ok := p.monthRefAt(j); ok {
			*m = mention{special: specEdge, edge: edge, ref: ref}
			return e, true
		}
	}
	return i, false
}

// count reads a small count: "3", "drei", "ein paar", "a few", "a couple of".
func (p *parser) count(j int) (int, int, bool) {
	if n, d, ok := p.num(j); ok && d <= 2 && n > 0 {
		return n, j + 1, true
	}
	w := p.info(j)
	if w == nil || w.num <= 0 {
		return 0, j, false
	}
	if (p.word(j) == "ein" || p.word(j) == "a") && p.info(j+1) != nil && p.info(j+1).num > 1 {
		j++
		w = p.info(j)
	}
	j++
	if p.word(j) == "of" {
		j++
	}
	return int(w.num), j, true
}

func (p *parser) unitAt(j int) uint8 {
	w := p.info(j)
	if w == nil {
		return unitNone
	}
	switch {
	case w.role&rMinuteUnit != 0:
		return unitMinute
	case w.role&rHourUnit != 0:
		return unitHour
	case w.role&rDayUnit != 0:
		return unitDay
	case w.role&rWeek != 0:
		return unitWeek
	}
	return unitNone
}

// monthRefAt reads "Oktober 2014", "this month", "nächsten Monats", "the month".
func (p *parser) monthRefAt(j int) (monthRef, int, bool) {
	for p.word(j) == "the" || p.word(j) == "der" || p.word(j) == "des" || p.word(j) == "dem" || p.word(j) == "vom" { // ("Ende vom Monat")
		j++
	}
	if mo := p.monthAt(j); mo != 0 {
		r := monthRef{mo: int(mo)}
		e := j + 1
		if p.isPunct(e, '.') && p.attached(e) {
			e++
		}
		if n, d, ok := p.num(e); ok && d == 4 && n >= 1900 && n <= 2199 {
			r.y = n
			e++
		}
		return r, e, true
	}
	rel, k := 0, j
	if w := p.info(j); w != nil {
		switch {
		case w.role&rNext != 0:
			rel, k = 1, j+1
		case w.role&rLast != 0:
			rel, k = -1, j+1
		case w.role&rThis != 0:
			k = j + 1
		}
	}
	if p.has(k, rMonthUnit) {
		return monthRef{isRel: true, rel: rel}, k + 1, true
	}
	return monthRef{}, j, false
}

// weekRefAt reads "this week", "nächster Woche", "der Woche", "around next week".
func (p *parser) weekRefAt(j int) (int, int, bool) {
	for p.word(j) == "the" || p.word(j) == "der" || p.word(j) == "around" {
		j++
	}
	shift, k := 0, j
	if w := p.info(j); w != nil {
		switch {
		case w.role&rNext != 0:
			shift, k = 1, j+1
		case w.role&rLast != 0:
			shift, k = -1, j+1
		case w.role&rThis != 0:
			k = j + 1
		}
	}
	if p.has(k, rWeek) && p.word(k) != "week's" {
		return shift, k + 1, true
	}
	return 0, j, false
}

// resolveSpecial places the special forms; all are day windows except the
// hour and minute spans.
func (p *parser) resolveSpecial(m *mention, now time.Time) (Wish, bool) {
	loc := now.Location()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	window := func(a, b time.Time, prec Precision) (Wish, bool) {
		return Wish{Start: a, End: &b, Precision: prec}, true
	}
	switch m.special {
	case specUpcoming:
		d := today.AddDate(0, 0, m.spanN)
		return window(d, d.AddDate(0, 0, 1), PrecisionDay)
	case specSpan:
		n := m.spanN
		switch m.spanUnit {
		case unitDay:
			if n > 0 {
				return window(today.AddDate(0, 0, 1), today.AddDate(0, 0, 1+n), PrecisionDay)
			}
			return window(today.AddDate(0, 0, n), today, PrecisionDay)
		case unitHour, unitMinute:
			step := time.Hour
			base := time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), 0, 0, 0, loc)
			if m.spanUnit == unitMinute {
				step = time.Minute
				base = time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), now.Minute(), 0, 0, loc)
			}
			if n > 0 {
				a := base.Add(step)
				return window(a, a.Add(time.Duration(n)*step), PrecisionPartOfDay)
			}
			return window(base.Add(time.Duration(n)*step), base, PrecisionPartOfDay)
		}
	case specNth:
		y, mo := p.refMonth(m.ref, today)
		first := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, loc)
		last := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, loc)
		var d time.Time
		switch {
		case m.nthWd == 0 && m.nth > 0:
			if m.nth > last.Day() {
				return Wish{}, false
			}
			d = first.AddDate(0, 0, m.nth-1)
		case m.nthWd == 0:
			d = last
		case m.nth > 0:
			d = first.AddDate(0, 0, (int(m.nthWd)-weekdayIndex(first)+7)%7+7*(m.nth-1))
			if d.Month() != first.Month() {
				return Wish{}, false
			}
		default:
			d = last.AddDate(0, 0, -((weekdayIndex(last) - int(m.nthWd) + 7) % 7))
		}
		if m.nthWeek {
			return window(d, d.AddDate(0, 0, 5), PrecisionDay)
		}
		// "am ersten Montag im Januar um 11 Uhr": the time on that day.
		if m.hasTime && !m.hasEnd && m.open == openNone && !m.hasTZ {
			t1 := hourFor(m.t, m.pod)
			return Wish{Start: time.Date(d.Year(), d.Month(), d.Day(), t1.h, t1.m, 0, 0, loc), Precision: PrecisionMinute}, true
		}
		if m.pod != 0 && !m.hasTime {
			a, b := podWindow(m.pod)
			return window(time.Date(d.Year(), d.Month(), d.Day(), a, 0, 0, 0, loc), time.Date(d.Year(), d.Month(), d.Day(), b, 0, 0, 0, loc), PrecisionPartOfDay)
		}
		return window(d, d.AddDate(0, 0, 1), PrecisionDay)
	case specEdge:
		// "Mitte nächster Woche am Vormittag", "Anfang nächster Woche um
		// 10": the first day of the span at that part of the day or time,
		// still a vague wish.
		onFirst := func(w Wish) (Wish, bool) {
			d := w.Start
			switch {
			case m.hasTime && !m.hasEnd && m.open == openNone && !m.hasTZ:
				t1 := hourFor(m.t, m.pod)
				return Wish{Start: time.Date(d.Year(), d.Month(), d.Day(), t1.h, t1.m, 0, 0, loc), Precision: PrecisionMinute, spanFirst: true}, true
			case m.pod != 0 && !m.hasTime:
				a, b := podWindow(m.pod)
				e := time.Date(d.Year(), d.Month(), d.Day(), b, 0, 0, 0, loc)
				return Wish{Start: time.Date(d.Year(), d.Month(), d.Day(), a, 0, 0, 0, loc), End: &e, Precision: PrecisionPartOfDay, spanFirst: true}, true
			}
			return w, true
		}
		if m.edgeWeek {
			mon := today.AddDate(0, 0, -(weekdayIndex(today)-1)+7*m.spanN)
			switch m.edge {
			case edgeBegin:
				return onFirst(Wish{Start: mon, End: ptr(mon.AddDate(0, 0, 3)), Precision: PrecisionDay})
			case edgeMid:
				return onFirst(Wish{Start: mon.AddDate(0, 0, 2), End: ptr(mon.AddDate(0, 0, 4)), Precision: PrecisionDay})
			}
			return onFirst(Wish{Start: mon.AddDate(0, 0, 4), End: ptr(mon.AddDate(0, 0, 7)), Precision: PrecisionDay})
		}
		y, mo := p.refMonth(m.ref, today)
		first := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, loc)
		switch m.edge {
		case edgeBegin:
			return window(first, first.AddDate(0, 0, 10), PrecisionDay)
		case edgeMid:
			return window(first.AddDate(0, 0, 10), first.AddDate(0, 0, 20), PrecisionDay)
		}
		// The end of a month is its last full working week, from that
		// week's Monday on ("Ende des Monats", "Ende Juli", "towards the
		// end of the month").
		last := first.AddDate(0, 1, -1)
		lastMon := last.AddDate(0, 0, -(weekdayIndex(last) - 1))
		if lastMon.AddDate(0, 0, 4).After(last) {
			lastMon = lastMon.AddDate(0, 0, -7) // its Friday is next month's
		}
		if tomorrow := today.AddDate(0, 0, 1); !lastMon.After(today) && tomorrow.Before(first.AddDate(0, 1, 0)) {
			lastMon = tomorrow // said in that very week: from tomorrow on
		}
		return window(lastMon, first.AddDate(0, 1, 0), PrecisionDay)
	}
	return Wish{}, false
}

// refMonth: a named month without a year is the next one not yet over.
func (p *parser) refMonth(r monthRef, today time.Time) (int, int) {
	if r.isRel {
		t := time.Date(today.Year(), today.Month()+time.Month(r.rel), 1, 0, 0, 0, 0, today.Location())
		return t.Year(), int(t.Month())
	}
	if r.y != 0 {
		return r.y, r.mo
	}
	if r.mo < int(today.Month()) {
		return today.Year() + 1, r.mo
	}
	return today.Year(), r.mo
}

func ptr(t time.Time) *time.Time { return &t }

// monthWeek: the month of a compound "Januarwoche", "Jännerwoche",
// "Märzwoche"; 0 for any other word.
func monthWeek(s string) int8 {
	stem, ok := strings.CutSuffix(s, "woche")
	if !ok || len(stem) < 3 {
		return 0
	}
	if w := lookupWord(stem); w != nil && w.month != 0 {
		return w.month
	}
	return 0
}
