package understand

import (
	"strings"
	"time"
)

// Moves relative to the booking: "eine Stunde später", "gleiche Uhrzeit",
// "derselbe Tag um 10", "eine Woche nach hinten", "same time". They are
// read against the time our own confirmation states — the one quoted
// text whose times are ours, not the customer's — and stay unsure
// (ReasonRelative) so the customer confirms the result.

// bookedTime is the time our quoted confirmation (or reminder) states,
// zero when none is found.
func bookedTime(quoted string, now time.Time) time.Time {
	q := capText(quoted, maxTextBytes)
	low := strings.ToLower(q)
	for _, mark := range []string{"bestätig", "confirm", "ihr fernwartungstermin", "your remote maintenance appointment"} {
		for from := 0; from < len(low); {
			k := strings.Index(low[from:], mark)
			if k < 0 {
				break
			}
			i := from + k
			from = i + len(mark)
			// Every line that carries the mark, not only the first: a
			// quoted "Betreff: Terminbestätigung" names no time.
			if t := bookedOnLine(q, low, i, now); !t.IsZero() {
				return t
			}
		}
	}
	return time.Time{}
}

// bookedOnLine reads the time on the line of low[i] (and the next line,
// for a wrapped sentence).
func bookedOnLine(q, low string, i int, now time.Time) time.Time {
	// The sentence around the mark holds the date and the time.
	a := strings.LastIndexByte(low[:i], '\n') + 1
	b := i + strings.IndexByte(low[i:]+"\n", '\n')
	line := q[a:min(b, len(q))]
	if b+1 < len(q) {
		// A wrapped line: take the next one too.
		e := b + 1 + strings.IndexByte(q[b+1:]+"\n", '\n')
		line += " " + q[b+1:min(e, len(q))]
	}
	// Our mail's language, not the customer's: "10:00 Uhr ist" read
	// as English would be 10:00 Indian Standard Time.
	lt := tokenize(dropRefs(strings.NewReplacer(">", " ").Replace(line)))
	for _, w := range extract(lt, detectLanguage(lt), now) {
		if w.Precision == PrecisionMinute {
			return w.Start
		}
	}
	return time.Time{}
}

// relativeWish computes the new time of a relative move from the booked
// time; ok is false when the mail says no such thing.
func relativeWish(toks []token, future []Wish, booked time.Time) (Wish, bool) {
	if booked.IsZero() {
		return Wish{}, false
	}
	loc := booked.Location()
	hours, mins, days, weeks, sameClock, sameDay := 0, 0, 0, 0, false, false
	// The direction of a move said by its verb: "vorziehen" brings it
	// forward, "push back" / "nach hinten" later.
	dir := 0
	for i := range toks {
		switch toks[i].s {
		case "vorziehen", "vorverlegen", "vorverlegt", "vorgezogen", "vorne", "forward", "earlier", "früher":
			dir = -1
		case "später", "later", "hinten", "delay", "postpone", "postponed":
			// ("postpone by a day": postponing is always later.)
			dir = 1
		case "back":
			// "push it back", "push this back", "move the session back"
			for k := i - 1; k >= 0 && k >= i-3; k-- {
				if toks[k].s == "push" || toks[k].s == "move" || toks[k].s == "put" {
					dir = 1
				}
			}
		case "push", "shift":
			// "could we push it by two hours?": pushed on is later.
			for k := i + 1; k < len(toks) && k <= i+4; k++ {
				if toks[k].s == "by" && dir == 0 {
					dir = 1
				}
			}
		}
	}
	for i := range toks {
		s := toks[i].s
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1].s
		}
		after := ""
		if i+2 < len(toks) {
			after = toks[i+2].s
		}
		n := 0
		switch s {
		case "eine", "einer", "einen", "ein", "one", "an", "a", "1", "oan", "oane", "oana":
			n = 1
		case "zwei", "two", "2", "zwoa", "zwa":
			n = 2
		}
		// "eine halbe Stunde früher", "half an hour later", "a quarter of an hour earlier".
		if dir != 0 && mins == 0 {
			switch {
			case (s == "halbe" || s == "hoibe" || s == "hoiwe" || s == "hoibn") && (next == "stunde" || next == "std" || next == "stund" || next == "stundn"),
				s == "half" && (next == "an" || next == "a") && after == "hour":
				mins = 30 * dir
			case s == "viertelstunde", s == "viertel" && next == "stunde", s == "quarter" && next == "of" && after == "an":
				mins = 15 * dir
			}
		}
		// "30 min later", "15 Minuten früher"
		if t := &toks[i]; dir != 0 && mins == 0 && t.kind == tNum && t.n > 0 && t.n < 60 && len(t.s) <= 2 {
			switch next {
			case "min", "mins", "minute", "minuten", "minutes":
				mins = int(t.n) * dir
			}
		}
		if n > 0 && dir != 0 {
			// "einen Tag vorziehen", "push it back by an hour", "eine Stunde nach hinten".
			switch {
			case hourWord(next) || next == "std":
				if hours == 0 {
					hours = n * dir
				}
			case next == "tag" || next == "tage" || next == "tog" || next == "day" || next == "days":
				if days == 0 {
					days = n * dir
				}
			case next == "woche" || next == "week" || next == "woch" || next == "wochn" || next == "woch'n":
				// "Can we push this back a week?"
				if weeks == 0 {
					weeks = n * dir
				}
			}
		}
		if n > 0 {
			switch {
			case hourWord(next) &&
				(after == "später" || after == "later" || after == "nach"):
				hours = n
			case hourWord(next) &&
				(after == "früher" || after == "earlier" || after == "vor"):
				hours = -n
			case (next == "woche" || next == "week" || next == "woch'n" || next == "wochn" || next == "woch") &&
				(after == "später" || after == "later" || after == "nach" || i > 0 && (toks[i-1].s == "um" || toks[i-1].s == "by") && moves(toks)):
				// "eine Woche später", "um a Woch'n verschieben", "push it by a week"
				weeks = n
			}
		}
		if s == "day" && (next == "after" || next == "before") && (after == "" || after == "," || after == "." || after == "?" || after == "same" || after == "at") && i > 0 && toks[i-1].s == "the" {
			// "verschieben to the day after, same time?", "Could we do it
			// the day before, at the same time?"
			days = 1
			if next == "before" {
				days = -1
			}
		}
		switch s {
		case "next", "following", "nächsten", "folgenden":
			// "the same time the next day", "am nächsten Tag zur gleichen Zeit".
			if next == "day" || next == "tag" {
				days = 1
			}
		case "tags":
			if next == "darauf" || next == "drauf" || next == "danach" {
				days = 1
			}
			if next == "davor" || next == "zuvor" {
				days = -1 // "tags davor, gleiche Uhrzeit"
			}
		case "vortag":
			if i > 0 && (toks[i-1].s == "am" || toks[i-1].s == "zum") {
				days = -1 // "am Vortag zur selben Zeit" (not "seit dem Vortag")
			}
		case "uhrzeit", "zeit", "time":
			// "Uhrzeit bleibt", "time stays the same"
			if next == "bleibt" || next == "stays" || next == "remains" || next == "gleich" || next == "same" {
				sameClock = true // ("uhrzeit gleich", "time same")
			}
			// "Uhrzeit gern wie gehabt", "Uhrzeit wie bisher"
			for k := i + 1; k < len(toks) && k <= i+4 && toks[k].kind == tWord; k++ {
				if a := toks[k].s; toks[k-1].s == "wie" && (a == "gehabt" || a == "bisher" || a == "vorher" || a == "gewohnt") {
					sameClock = true
				}
			}
		case "gleiche", "gleichen", "selbe", "selben", "same", "dieselbe", "derselben":
			if next == "uhrzeit" || next == "zeit" || next == "time" || next == "hour" || next == "stunde" || next == "clock" {
				sameClock = true
			}
			if next == "tag" || next == "day" {
				sameDay = true
			}
		case "derselbe", "denselben", "demselben":
			if next == "uhrzeit" || next == "zeit" {
				sameClock = true
			}
			if next == "tag" {
				sameDay = true
			}
		}
	}
	if sameClock && weeks == 0 && days == 0 && saysNextWeek(toks) {
		// "the same time next week": a week on from the booking.
		weeks = 1
	}
	switch {
	case mins != 0:
		return Wish{Start: booked.Add(time.Duration(mins) * time.Minute), Precision: PrecisionMinute}, true
	case days != 0 && (hours == 0 || sameClock):
		return Wish{Start: booked.AddDate(0, 0, days), Precision: PrecisionMinute}, true
	case hours != 0:
		return Wish{Start: booked.Add(time.Duration(hours) * time.Hour), Precision: PrecisionMinute}, true
	case weeks != 0:
		return Wish{Start: booked.AddDate(0, 0, 7*weeks), Precision: PrecisionMinute}, true
	case sameClock:
		for _, w := range future {
			d := w.Start.In(loc)
			if sameDate(d, booked) {
				continue // the day being moved away from
			}
			if b := booked.In(loc); w.bareWeekday && d.Before(b) && (weekdayIndex(d) > weekdayIndex(b) || fromWeekday(toks, weekdayIndex(b))) {
				// "geht des a am Donnerstag um de gleiche Zeit?" when the
				// booking is on a Tuesday after that Thursday: the Thursday
				// of the booking's week; "vom Donnerstag auf Montag,
				// Uhrzeit gleich" a week ahead: the Monday after that
				// Thursday. (A move is asked back: ReasonRelative.)
				for d.Before(b) {
					d = d.AddDate(0, 0, 7)
				}
			}
			h, m, _ := booked.Clock()
			return Wish{Start: time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), Precision: PrecisionMinute}, true
		}
	case sameDay:
		for _, w := range future {
			if w.Precision != PrecisionMinute {
				continue
			}
			h, m, _ := w.Start.In(loc).Clock()
			if h == booked.Hour() && m == booked.Minute() {
				continue // the booked time itself
			}
			return Wish{Start: time.Date(booked.Year(), booked.Month(), booked.Day(), h, m, 0, 0, loc), Precision: PrecisionMinute}, true
		}
	}
	return Wish{}, false
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// dropRefs blanks booking references ("[FW-1116]"), whose digits are no time.
func dropRefs(s string) string {
	b := []byte(s)
	for i := 0; i+3 < len(b); i++ {
		if (b[i] == 'F' || b[i] == 'f') && (b[i+1] == 'W' || b[i+1] == 'w') && b[i+2] == '-' && isDigit(b[i+3]) {
			for j := i; j < len(b) && (j < i+3 || isDigit(b[j])); j++ {
				b[j] = ' '
			}
		}
	}
	return string(b)
}

// saysWeekAfter: "in der Woche drauf", "die Woche darauf/danach", "eine
// Woche später", "the week after", "the following week", "a week later".
func saysWeekAfter(toks []token) bool {
	for i := range toks {
		s, next, prev := toks[i].s, "", ""
		if i+1 < len(toks) {
			next = toks[i+1].s
		}
		if i > 0 {
			prev = toks[i-1].s
		}
		switch s {
		case "woche":
			switch next {
			case "drauf", "darauf", "danach", "später", "nachher":
				return true
			}
		case "week":
			if next == "after" || next == "later" || prev == "following" {
				return true
			}
		case "folgewoche":
			return true
		}
	}
	return false
}

// lastQuotedTime is the latest time our quoted mail names (the last
// option of a proposal, the booked time of a confirmation); zero if none.
func lastQuotedTime(quoted string, now time.Time) time.Time {
	q := capText(quoted, maxTextBytes)
	lt := tokenize(dropRefs(strings.NewReplacer(">", " ").Replace(q)))
	var last time.Time
	for _, w := range extract(lt, detectLanguage(lt), now) {
		if w.Start.After(last) {
			last = w.Start
		}
	}
	return last
}

// shiftPastWeekOf moves every wish that falls in or before anchor's week
// (Monday to Sunday) on by whole weeks into the week after it, keeping its
// weekday and clock time.
func shiftPastWeekOf(ws []Wish, anchor time.Time) []Wish {
	loc := anchor.Location()
	a := anchor.In(loc)
	monday := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, -((int(a.Weekday()) + 6) % 7))
	next := monday.AddDate(0, 0, 7)
	out := make([]Wish, len(ws))
	for i, w := range ws {
		for w.Start.Before(next) {
			w = w.addDays(7)
		}
		out[i] = w
	}
	return out
}

// quotedOption is the start of option n (1-based) of our quoted proposal:
// the n-th time at a minute it lists.
func quotedOption(quoted string, n int, now time.Time) (time.Time, bool) {
	// Our proposal numbers its options "1) …", "2) …": the line of
	// option n, when the quote keeps them so. A quoted header's
	// "Gesendet: … 10:30" is no option.
	for _, o := range optionLines(quoted) {
		if o.n != n {
			continue
		}
		lt := tokenize(o.text)
		for _, w := range extract(lt, detectLanguage(lt), now) {
			if w.Precision == PrecisionMinute {
				return w.Start, true
			}
		}
	}
	q := capText(quoted, maxTextBytes)
	lt := tokenize(dropRefs(strings.NewReplacer(">", " ").Replace(q)))
	k := 0
	for _, w := range extract(lt, detectLanguage(lt), now) {
		if w.Precision != PrecisionMinute {
			continue
		}
		if k++; k == n {
			return w.Start, true
		}
	}
	return time.Time{}, false
}

// weekAfterOf is the working week after anchor's week, as a day-precision
// wish starting on its Monday: "lieber in der Woche danach, egal welcher Tag".
func weekAfterOf(anchor time.Time) Wish {
	loc := anchor.Location()
	a := anchor.In(loc)
	monday := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 7-((int(a.Weekday())+6)%7))
	end := monday.AddDate(0, 0, 5)
	return Wish{Start: monday, End: &end, Precision: PrecisionDay}
}

// optionLine is one numbered line of our quoted proposal: its number and
// what follows it ("2) Di 12.01. 13:30" → 2, " Di 12.01. 13:30").
type optionLine struct {
	n    int
	text string
}

// optionLines are the lines of the quote that open with "1)" … "9)" (or
// "1." …) and carry a clock time, in document order.
func optionLines(quoted string) []optionLine {
	var out []optionLine
	for _, line := range strings.Split(capText(quoted, maxTextBytes), "\n") {
		l := strings.TrimLeft(line, "> \t")
		if len(l) < 3 || l[0] < '1' || l[0] > '9' || l[1] != ')' && l[1] != '.' || !strings.Contains(l, ":") {
			continue
		}
		out = append(out, optionLine{int(l[0] - '0'), l[2:]})
	}
	return out
}

// optionsDay is the one day all options of our quoted proposal lie on
// (ok false when they spread over days, or there are none).
func optionsDay(quoted string, now time.Time) (time.Time, bool) {
	n := quotedOptions(quoted)
	var day time.Time
	for k := 1; k <= n; k++ {
		opt, ok := quotedOption(quoted, k, now)
		if !ok || k > 1 && !sameDate(opt, day) {
			return time.Time{}, false
		}
		day = opt.In(now.Location())
	}
	return day, n > 1
}

// quotedOptions counts the options of our quoted proposal: its numbered
// lines 1, 2, … in order (0 when none).
func quotedOptions(quoted string) int {
	n := 0
	for _, o := range optionLines(quoted) {
		if o.n == n+1 {
			n = o.n
		}
	}
	return n
}

// sameClockOf is the move's target wish; when it names only a day and the
// mail asks for "the same time" ("zur gleichen Uhrzeit", "same time"), it
// takes the clock time of the booked time named beside it.
func sameClockOf(toks []token, ws []Wish, target int) Wish {
	t := ws[target]
	if t.Precision != PrecisionDay {
		return t
	}
	if !sameTimeSaid(toks) {
		return t
	}
	for k, w := range ws {
		if k == target || w.Precision != PrecisionMinute {
			continue
		}
		loc := t.Start.Location()
		h, m, _ := w.Start.In(loc).Clock()
		d := t.Start.In(loc)
		return Wish{Start: time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), Precision: PrecisionMinute}
	}
	return t
}

// matchOption is the number of the one quoted option the wish points at:
// the same day for a day, the same start for a time (or the same clock
// time when the wish had no day of its own and landed on today); 0 when
// none or several match.
func matchOption(quoted string, w Wish, now time.Time) int {
	n := quotedOptions(quoted)
	found := 0
	for k := 1; k <= n; k++ {
		opt, ok := quotedOption(quoted, k, now)
		if !ok {
			return 0
		}
		hit := false
		switch w.Precision {
		case PrecisionDay:
			// (A date said is that date: "den 2." is no option on a
			// Wednesday because the 2nd is one.)
			hit = sameDate(opt, w.Start.In(opt.Location())) || !w.dated && sameWeekdayNear(opt, w.Start)
		case PrecisionMinute:
			hit = opt.Equal(w.Start) || sameDate(w.Start, now) && sameClock(opt, w.Start)
		}
		if hit {
			if found != 0 {
				return 0
			}
			found = k
		}
	}
	return found
}

// optionOnWeekdayClock is the one quoted option on the weekday and at the
// clock of w within five weeks ("nehm ma den Donnerstag um 11" when we
// offered "Do 01.06. 11:00" and this week's Thursday is the 25th); 0 if
// none or more than one.
func optionOnWeekdayClock(quoted string, w Wish, now time.Time) int {
	found := 0
	for k := 1; k <= quotedOptions(quoted); k++ {
		opt, ok := quotedOption(quoted, k, now)
		if !ok {
			return 0
		}
		if sameWeekdayNear(opt, w.Start) && sameClock(opt, w.Start) {
			if found != 0 {
				return 0
			}
			found = k
		}
	}
	return found
}

// saysDate: the text writes a date ("25.05.", "1 June"), not only a
// weekday.
func saysDate(toks []token) bool {
	for i := range toks {
		if w := toks[i].w; w != nil && w.month != 0 && !w.monthAbbr {
			return true
		}
		if toks[i].kind == tNum && i+2 < len(toks) && toks[i+1].s == "." && toks[i+2].kind == tNum && !toks[i+2].sp {
			return true
		}
	}
	return false
}

// moves reports a verb of moving ("verschieben", "push", "move").
func moves(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "verschieben", "verschiebn", "schieben", "schiebn", "schiabn", "verlegen", "push", "move", "postpone", "shift":
			return true
		}
	}
	return false
}

// saysNextWeek: "next week", "nächste Woche" with no weekday named.
func saysNextWeek(toks []token) bool {
	next := false
	for i := range toks {
		if w := toks[i].w; w != nil && w.wd != 0 && !w.wdAbbr {
			return false
		}
		if i+1 < len(toks) && (toks[i].s == "next" || toks[i].s == "nächste" || toks[i].s == "nächsten" || toks[i].s == "näxte" || toks[i].s == "following") &&
			(toks[i+1].s == "week" || toks[i+1].s == "woche" || toks[i+1].s == "wochn" || toks[i+1].s == "woch" || toks[i+1].s == "woch'n") {
			next = true
		}
	}
	return next
}

// hourWord: "Stunde", "a Stund", "hours" — the unit of a move by hours.
func hourWord(s string) bool {
	switch s {
	case "stunde", "stunden", "stund", "stundn", "hour", "hours":
		return true
	}
	return false
}

// noOptionAt: every quoted option could be read, and none lies on the
// wish's day (for a wish with its own day) — so it points at none of them.
func noOptionAt(quoted string, w Wish, now time.Time) bool {
	n := quotedOptions(quoted)
	for k := 1; k <= n; k++ {
		opt, ok := quotedOption(quoted, k, now)
		if !ok || sameDate(opt, w.Start) || w.Precision == PrecisionDay && sameWeekdayNear(opt, w.Start) {
			return false
		}
	}
	return n > 0 && !sameDate(w.Start, now)
}

// sameWeekdayNear: the same date, or the same weekday within five weeks —
// "Dienstag passt" names the option on a Tuesday even when the next
// Tuesday is an earlier one, and "Monday is fine" the option on a Monday
// more than two weeks out.
func sameWeekdayNear(a, b time.Time) bool {
	const near = 35 * 24 * time.Hour
	d := a.Sub(b)
	return sameDate(a, b) || a.Weekday() == b.Weekday() && d < near && d > -near
}

// fromWeekday: "vom"/"from" stands before the weekday wd (1 = Monday) in
// toks ("vom Donnerstag auf Montag"): the booking moved names its day.
func fromWeekday(toks []token, wd int) bool {
	for i := 1; i < len(toks); i++ {
		if w := toks[i].w; w != nil && int(w.wd) == wd {
			switch toks[i-1].s {
			case "vom", "von", "from":
				return true
			}
		}
	}
	return false
}
