package understand

import (
	"slices"
	"strings"
	"time"
)

// Kinds of mail that strangers write and our own corpus did not teach:
// each is handled as a kind here, not as a sentence.

// greetingTimeWord: "Morning," or "Evening!" opening a mail greets; it asks
// for no time. The word loses its meaning before times are read.
func greetingTimeWord(toks []token) {
	if len(toks) < 2 {
		return
	}
	switch toks[0].s {
	case "morning", "afternoon", "evening", "morgen", "abend":
		if toks[1].kind == tPunct && (toks[1].s == "," || toks[1].s == "!" || toks[1].s == "—" || toks[1].s == "–" || toks[1].s == "-" && toks[1].sp) || toks[1].nl > 0 {
			toks[0].w = nil
		}
	}
}

// compactTime finds "0945" after "um", "at", "ab": a clock time written
// without its colon. It returns the index of such a token, or -1.
func compactTime(toks []token, from int) int {
	for i := from; i < len(toks); i++ {
		t := &toks[i]
		if t.kind != tNum || len(t.s) != 4 && len(t.s) != 3 || i == 0 {
			continue
		}
		if len(t.s) == 3 {
			// "Do 930 wär recht", "tomorrow 845": three digits only right
			// after a weekday or a day word, as a morning hour.
			if w := toks[i-1].w; w == nil || w.wd == 0 && !(w.hasRel && w.rel >= 0) || t.n/100 < 7 || t.n%100 > 59 {
				continue
			}
			// (What follows says it is a time: the end, a stop, "wär
			// recht", "passt", "Uhr" — not "Montag 800 Euro".)
			if i+1 == len(toks) || toks[i+1].nl > 0 {
				return i
			}
			switch nx := &toks[i+1]; {
			case nx.kind == tPunct && (nx.s == "." || nx.s == "," || nx.s == "?" || nx.s == "!"),
				nx.w != nil && nx.w.role&(rConfirm|rUhr) != 0,
				nx.s == "wär" || nx.s == "wäre" || nx.s == "wärs" || nx.s == "would" || nx.s == "oder" || nx.s == "or" || nx.s == "if" || nx.s == "falls":
				return i
			}
			continue
		}
		switch toks[i-1].s {
		case "um", "at", "ab", "gegen", "from", "by", "around":
		default:
			// "Donnerstag 0945": right after a weekday; "20.4. 1030": right
			// after a date.
			afterDate := toks[i-1].s == "." && i >= 2 && toks[i-2].kind == tNum && toks[i-2].n >= 1 && toks[i-2].n <= 12 &&
				(t.n < 1900 || t.n > 2099) // "20.4.2027" ends in a year
			// "23.09 1030", "16/7 1100", "16 July 1100": after a date
			// without its closing dot, or after a month's name.
			afterDate = afterDate || t.sp && (t.n < 1900 || t.n > 2099) && (toks[i-1].kind == tNum && toks[i-1].n >= 1 && toks[i-1].n <= 12 &&
				i >= 3 && !toks[i-1].sp && (toks[i-2].s == "." || toks[i-2].s == "/") && !toks[i-2].sp && toks[i-3].kind == tNum && toks[i-3].n >= 1 && toks[i-3].n <= 31 ||
				toks[i-1].w != nil && toks[i-1].w.month != 0 && i >= 2 && toks[i-2].kind == tNum)
			// "Morgen 0945", "tomorrow 1030": right after a day word;
			// "Do. 1015 Uhr": before "Uhr".
			uhr := i+1 < len(toks) && (toks[i+1].s == "uhr" || toks[i+1].s == "h") ||
				toks[i-1].s == "." && i >= 2 && toks[i-2].w != nil && toks[i-2].w.wd != 0 // "geht Fr. 1330?"
			if w := toks[i-1].w; (w == nil || w.wd == 0 && !(w.hasRel && w.rel >= 0)) && !afterDate && !uhr {
				continue
			}
		}
		if i+2 < len(toks) && toks[i+1].kind == tPunct && !toks[i+1].sp && (toks[i+1].s == "-" || toks[i+1].s == "/") && toks[i+2].kind == tNum && !toks[i+2].sp {
			continue // "2028-0412": a number of an invoice or a file, no clock
		}
		if h, m := t.n/100, t.n%100; h <= 23 && m <= 59 && h >= 6 {
			return i
		}
	}
	return -1
}

// habAsHalb reads the Austrian "um hab zehn", "gegen hab 11" as "halb": a
// "hab" between a clock preposition and an hour is no "habe".
func habAsHalb(toks []token) []token {
	for i := 1; i+1 < len(toks); i++ {
		if toks[i].s != "hab" {
			continue
		}
		switch toks[i-1].s {
		case "um", "gegen", "so", "ab", "bis":
		default:
			continue
		}
		if nx := &toks[i+1]; nx.kind == tNum && nx.n >= 1 && nx.n <= 12 && len(nx.s) <= 2 || nx.w != nil && nx.w.num >= 1 && nx.w.num <= 12 {
			toks[i].s, toks[i].w = "halb", lexicon["halb"]
		}
	}
	return toks
}

// fractionClock reads the written fractions of an hour, "um 1/2 11",
// "gegen 3/4 10", "ab 1/4 9", as "halb", "dreiviertel" and "viertel".
func fractionClock(toks []token) []token {
	for i := 1; i+3 < len(toks); i++ {
		a, sl, b, h := &toks[i], &toks[i+1], &toks[i+2], &toks[i+3]
		if a.kind != tNum || sl.s != "/" || sl.sp || b.kind != tNum || b.sp || h.kind != tNum || !h.sp || h.n < 1 || h.n > 12 || len(h.s) > 2 {
			continue
		}
		switch toks[i-1].s {
		case "um", "gegen", "so", "ab", "bis", "at", "around", "ca":
		default:
			continue
		}
		word := ""
		switch {
		case a.n == 1 && b.n == 2:
			word = "halb"
		case a.n == 1 && b.n == 4:
			word = "viertel"
		case a.n == 3 && b.n == 4:
			word = "dreiviertel"
		default:
			continue
		}
		t := *a
		t.s, t.w, t.n, t.kind = word, lexicon[word], -1, tWord
		toks[i] = t
		toks = append(toks[:i+1], toks[i+3:]...)
	}
	return toks
}

// spacedOClock reads "11 o clock", "11 o clok" after an hour as
// "o'clock".
func spacedOClock(toks []token) []token {
	for i := 1; i+1 < len(toks); i++ {
		if toks[i].s != "o" || toks[i-1].kind != tNum && (toks[i-1].w == nil || toks[i-1].w.num == 0) {
			continue
		}
		switch toks[i+1].s {
		case "clock", "clok", "klock", "cklock", "clck", "colck":
		default:
			continue
		}
		toks[i].s, toks[i].w = "o'clock", lexicon["o'clock"]
		toks = append(toks[:i+1], toks[i+2:]...)
	}
	return toks
}

// splitCompactTimes rewrites "0945" after a time preposition as "09:45",
// so the time parser reads it like any clock time.
// letterOAsZero reads "um 1o Uhr", "1O:30" as 10: a digit with an "o"
// typed for the zero right after it, before "Uhr", "h" or a colon, or
// after "um"/"at". Read as 1 it would book 13:00.
func letterOAsZero(toks []token) []token {
	for i := 0; i+1 < len(toks); i++ {
		t, o := &toks[i], &toks[i+1]
		if t.kind != tNum || len(t.s) != 1 || t.n < 1 || t.n > 2 || o.kind != tWord || o.s != "o" || o.sp {
			continue
		}
		next := ""
		if i+2 < len(toks) {
			next = toks[i+2].s
		}
		prev := ""
		if i > 0 {
			prev = toks[i-1].s
		}
		if next != "uhr" && next != "h" && next != ":" && prev != "um" && prev != "at" && prev != "gegen" {
			continue
		}
		t.s += "0"
		t.n *= 10
		toks = append(toks[:i+1], toks[i+2:]...)
	}
	return toks
}

func splitCompactTimes(toks []token) []token {
	i := compactTime(toks, 0)
	for i >= 0 {
		t := toks[i]
		hh := token{s: t.s[:len(t.s)-2], n: t.n / 100, kind: tNum, sp: t.sp, nl: t.nl}
		colon := token{s: ":", n: -1, kind: tPunct}
		mm := token{s: t.s[len(t.s)-2:], n: t.n % 100, kind: tNum}
		toks = append(toks, token{}, token{})
		copy(toks[i+3:], toks[i+1:len(toks)-2])
		toks[i], toks[i+1], toks[i+2] = hh, colon, mm
		i = compactTime(toks, i+3)
	}
	return toks
}

// threeDigitClock: toks has a clock time of three digits ("Do 930") that
// splitCompactTimes will read.
func threeDigitClock(toks []token) bool {
	for i := compactTime(toks, 0); i >= 0; i = compactTime(toks, i+1) {
		if len(toks[i].s) == 3 {
			return true
		}
	}
	return false
}

// dotToken stands in for the dot a customer left out after a day of the month.
var dotToken = token{s: ".", n: -1, kind: tPunct}

// dayAfterWeekday reads "Friday 26 at 11", "Freitag 26 um 11" as the 26th:
// a bare number right after a weekday, followed by a clock of its own, is
// the day of the month (it gets the dot it was written without).
func dayAfterWeekday(toks []token) []token {
	for i := 1; i+2 < len(toks); i++ {
		t, prev := &toks[i], &toks[i-1]
		if t.kind != tNum || len(t.s) > 2 || t.n < 1 || t.n > 31 || prev.w == nil || prev.w.wd == 0 {
			continue
		}
		// "Tuesday 29 in the morning", "Monday 28 is a holiday": a number
		// no clock can be is the day, whatever follows.
		noClock := t.n >= 25 && toks[i+1].kind == tWord && (toks[i+1].w == nil || toks[i+1].w.role&(rUhr|rAM|rPM|rHourUnit|rMinuteUnit) == 0 && toks[i+1].w.month == 0) &&
			toks[i+1].sp // (not "25th", whose ending reads the day already)
		if !noClock {
			switch toks[i+1].s {
			case "at", "um", "@", "gegen", "around", "ab", "from":
			default:
				continue
			}
			if toks[i+2].kind != tNum && (toks[i+2].w == nil || toks[i+2].w.num == 0) {
				continue
			}
		}
		toks = append(toks, token{})
		copy(toks[i+2:], toks[i+1:len(toks)-1])
		toks[i+1] = dotToken
	}
	return toks
}

// splitUhrCompound reads "zehnuhr", "elfuhr", "10uhr" typed as one word as
// the number and "Uhr".
func splitUhrCompound(toks []token) []token {
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tWord || t.w != nil {
			continue
		}
		stem, ok := strings.CutSuffix(t.s, "uhr")
		if !ok || stem == "" {
			continue
		}
		w := lookupWord(stem)
		if w == nil || w.num < 1 || w.num > 24 {
			continue
		}
		toks = append(toks, token{})
		copy(toks[i+2:], toks[i+1:len(toks)-1])
		toks[i] = token{s: stem, w: w, n: -1, kind: tWord, sp: t.sp, nl: t.nl, up: t.up}
		toks[i+1] = uhrToken
		toks[i+1].sp = false
		i++
	}
	return toks
}

// uhrToken stands in for the "Uhr" a customer left out.
var uhrToken = token{s: "uhr", w: lexicon["uhr"], n: -1, kind: tWord, sp: true}

// hourAfterWeekday reads "Freitag 10?", "Mittwoch 10 passt" as ten
// o'clock: a bare hour right after a weekday, with no date, clock or
// month after it, gets the "Uhr" it was written without.
func hourAfterWeekday(toks []token, now time.Time) []token {
	for i := 1; i < len(toks); i++ {
		t, prev := &toks[i], &toks[i-1]
		if t.kind != tNum || len(t.s) > 2 || t.n < 7 || t.n > 18 || (prev.w == nil || prev.w.wd == 0) && !ourTimeAfter(toks, i+1) && !movedHour(toks, i) && !hourBeforeWeekday(toks, i) && !counterHour(toks, i) {
			continue
		}
		if i+1 < len(toks) && !followerLeavesHour(toks, i, now) {
			continue
		}
		toks = append(toks, token{})
		copy(toks[i+2:], toks[i+1:len(toks)-1])
		toks[i+1] = uhrToken
	}
	return toks
}

// followerLeavesHour: the token after the bare number at i leaves it an
// hour. A date, a clock, a month, a unit or "16 of march" make it
// something else; two cases that look like a date are still the hour:
// "Mittwoch 11." at a sentence's end when no Wednesday is the 11th soon,
// and "Montag 11 am reinschauen" (an English am in a German sentence with
// no date after it).
func followerLeavesHour(toks []token, i int, now time.Time) bool {
	t, prev, nx := &toks[i], &toks[i-1], &toks[i+1]
	glued := nx.kind == tPunct && !nx.sp && (nx.s == "." || nx.s == ":" || nx.s == "-" || nx.s == "/")
	switch {
	case glued && nx.s == "." && prev.w != nil && prev.w.wd != 0 && sentenceEndAt(toks, i+1) &&
		!dayOfMonthIsWeekday(now, int(t.n), int(prev.w.wd)):
		return true
	case nx.s == "am" && t.n <= 12 && !dateAfterAm(toks, i+2):
		return true
	case nx.kind == tNum, glued, nx.kind == tWord && !nx.sp,
		nx.w != nil && (nx.w.month != 0 || nx.w.role&(rUhr|rHourUnit|rMinuteUnit) != 0):
		return false
	}
	switch nx.s {
	case "h", "am", "pm", "a", "p", "o'clock", "oclock":
		return false
	case ".":
		return i+2 >= len(toks) || toks[i+2].kind != tNum
	case "of":
		return i+2 >= len(toks) || toks[i+2].w == nil || toks[i+2].w.month == 0 // "wednesday 16 of march"
	}
	return true
}

// hourBeforeWeekday: "but 10 on Friday works", "10 am Freitag passt": a
// bare number right before "on"/"am" and a weekday is its hour.
func hourBeforeWeekday(toks []token, i int) bool {
	if i+2 >= len(toks) || toks[i+1].s != "on" && toks[i+1].s != "am" {
		return false
	}
	w := toks[i+2].w
	if w == nil || w.wd == 0 || w.wdAbbr {
		return false
	}
	switch toks[i-1].s {
	case "but", "aber", "then", "dann", "or", "oder", "how", "about", ",":
		return true
	}
	return false
}

// sentenceEndAt: the full stop at i ends the mail, its line or a sentence
// (no month or number follows it).
func sentenceEndAt(toks []token, i int) bool {
	if i+1 >= len(toks) {
		return true
	}
	nx := &toks[i+1]
	return nx.nl > 0 || nx.sp && nx.kind == tWord && (nx.w == nil || nx.w.month == 0)
}

// dayOfMonthIsWeekday: the next day d of a month (this month or the next)
// falls on weekday wd (1 = Monday).
func dayOfMonthIsWeekday(now time.Time, d, wd int) bool {
	y, m := now.Year(), now.Month()
	if d < now.Day() {
		m++
	}
	for k := 0; k < 2; k++ {
		t := time.Date(y, m+time.Month(k), d, 0, 0, 0, 0, now.Location())
		if t.Day() == d {
			return weekdayIndex(t) == wd
		}
	}
	return false
}

// movedHour: the bare hour at i is a clock time of a move — "move
// Friday's session to 11 instead of 9", "11 statt 9", "instead of 9".
func movedHour(toks []token, i int) bool {
	prev := toks[i-1].s
	if i+1 < len(toks) {
		switch toks[i+1].s {
		case "%", "prozent", "percent", "€", "euro", "eur", "stück", "mal", "x":
			return false // "(20% statt 10%)"
		}
	}
	if prev == "statt" || prev == "anstatt" || prev == "of" && i >= 2 && toks[i-2].s == "instead" {
		return true
	}
	if i+1 < len(toks) && (toks[i+1].s == "statt" || toks[i+1].s == "anstatt" || toks[i+1].s == "instead") {
		return true
	}
	if prev != "to" && prev != "auf" {
		return false
	}
	for k := i - 2; k >= 0 && k >= i-6; k-- {
		switch toks[k].s {
		case "move", "moving", "shift", "push", "change", "verschieben", "verlegen", "schieben", "legen", "verschoben", "verlegt":
			return true
		}
	}
	return false
}

// counterHour: "Montag um 10 is blöd, aber 11 would be fine", "at 9 is too
// early, but 11 works": a bare number after "aber"/"but" in a sentence that
// said a clock time before it is the other hour.
func counterHour(toks []token, i int) bool {
	switch toks[i-1].s {
	case "aber", "but", "dafür", "lieber", "rather", "eher", "sondern":
	default:
		return false
	}
	if i+1 < len(toks) && toks[i+1].kind == tWord {
		// "aber 11 would be fine", "but 11 works" — not "but 11 people".
		switch nx := &toks[i+1]; nx.s {
		case "would", "wäre", "wär", "is", "ist", "würde", "could", "könnte", "ginge", "geht", "then", "dann":
		default:
			if nx.w == nil || nx.w.role&rConfirm == 0 {
				return false
			}
		}
	}
	for k := i - 2; k >= 0 && k >= i-8; k-- {
		t := &toks[k]
		if t.kind == tPunct && (t.s == "?" || t.s == "!") || t.nl > 0 && k < i-2 {
			return false
		}
		if t.kind == tNum && len(t.s) <= 2 && t.n >= 7 && t.n <= 18 && k > 0 && (toks[k-1].s == "um" || toks[k-1].s == "at") ||
			t.w != nil && t.w.role&rUhr != 0 {
			return true
		}
	}
	return false
}

// ourTimeAfter: "That's 10 your time", "also 10 bei euch": the words at i
// say the bare hour before them is our clock.
func ourTimeAfter(toks []token, i int) bool {
	if i+1 >= len(toks) {
		return false
	}
	a, b := toks[i].s, toks[i+1].s
	return a == "your" && (b == "time" || b == "end") || a == "for" && b == "you" || a == "vienna" && b == "time" ||
		a == "bei" && (b == "euch" || b == "ihnen") || a == "eurer" && b == "zeit"
}

// refine drops a coarse wish (a week, a day, a part of a day) that a later
// wish narrows: "nächste Woche … am liebsten Dienstag 13 Uhr" asks for
// Tuesday, "Mittwoch Nachmittag … ab 14 Uhr" for 14:00. A weekday named
// after "nächste Woche" that was placed in this week moves into it.
func refine(ws []Wish) []Wish {
	for i := 0; i < len(ws); i++ {
		outer := ws[i]
		if outer.End == nil {
			continue
		}
		span := outer.End.Sub(outer.Start)
		for j := i + 1; j < len(ws); j++ {
			in := &ws[j]
			if in.End != nil && in.End.Sub(in.Start) > 25*time.Hour {
				continue // another span ("this week") narrows nothing
			}
			if span >= 4*24*time.Hour && in.Start.Before(outer.Start) && in.Start.AddDate(0, 0, 7).Before(*outer.End) &&
				!in.Start.AddDate(0, 0, 7).Before(outer.Start) {
				in.Start = in.Start.AddDate(0, 0, 7)
				if in.End != nil {
					e := in.End.AddDate(0, 0, 7)
					in.End = &e
				}
			}
			if in.Start.Before(outer.Start) || !in.Start.Before(*outer.End) {
				continue
			}
			narrower := in.End == nil || in.Start.After(outer.Start) || in.End.Sub(in.Start) < span
			if !narrower {
				continue
			}
			w := *in
			if w.End != nil && w.End.After(*outer.End) {
				e := *outer.End
				w.End = &e
			}
			ws[i] = w
			ws = append(ws[:j], ws[j+1:]...)
			i--
			break
		}
	}
	// "am Freitag um 12 … Mittags is ruhiger": a span after a time it
	// holds says that time again, less precisely — no second wish whose
	// other slots could be booked instead.
	for j := 1; j < len(ws); j++ {
		outer := ws[j]
		if outer.End == nil || outer.End.Sub(outer.Start) > 25*time.Hour {
			continue
		}
		for i := 0; i < j; i++ {
			in := ws[i]
			if in.Start.Before(outer.Start) || !in.Start.Before(*outer.End) || in.End != nil && in.End.After(*outer.End) {
				continue
			}
			ws = append(ws[:j], ws[j+1:]...)
			j--
			break
		}
	}
	return ws
}

// distributePart gives "Dienstag oder Mittwoch, jeweils vormittags" the
// morning on both days: with "jeweils", "each", "both", a part of the day
// after a list of days holds for every day in it.
func distributePart(ws []Wish, toks []token) []Wish {
	if len(ws) < 2 {
		return ws
	}
	hasDay, hasPart := false, false
	for i := range ws {
		hasDay = hasDay || ws[i].Precision == PrecisionDay
		hasPart = hasPart || ws[i].Precision == PrecisionPartOfDay
	}
	if !hasDay || !hasPart {
		return ws
	}
	each := false
	for i := range toks {
		switch toks[i].s {
		case "jeweils", "each", "both", "beide", "beiden", "beidemal":
			each = true
		}
	}
	if !each {
		return ws
	}
	var part *Wish
	for i := range ws {
		if ws[i].Precision == PrecisionPartOfDay && ws[i].End != nil {
			part = &ws[i]
		}
	}
	if part == nil {
		return ws
	}
	loc := part.Start.Location()
	h1, m1, _ := part.Start.Clock()
	span := part.End.Sub(part.Start) // "nach 14 Uhr" runs to midnight
	for i := range ws {
		w := &ws[i]
		if w.Precision != PrecisionDay || w.End == nil || w.End.Sub(w.Start) > 24*time.Hour {
			continue
		}
		d := w.Start.In(loc)
		s := time.Date(d.Year(), d.Month(), d.Day(), h1, m1, 0, 0, loc)
		e := s.Add(span)
		if !e.After(s) {
			continue
		}
		w.Start, w.End, w.Precision = s, &e, PrecisionPartOfDay
	}
	return ws
}

// documentNouns are the things a customer cancels in our software, not
// appointments: "Rechnung stornieren" is a question about invoices.
var documentNouns = []string{"rechnung", "gutschrift", "bestellung", "auftrag", "beleg", "lieferschein",
	"invoice", "order", "buchung", "mahnung", "angebot", "abo", "subscription", "lizenz", "licence",
	"license", "vertrag", "zahlung", "payment", "überweisung", "lastschrift", "storno", "quote",
	"add-on", "addon", "package", "paket", "modul", "module", "tarif", "newsletter", "membership", "mitgliedschaft",
	"zusatz", "direct debit", "debit", "contract", "account", "konto"}

// cancelsAppointment reports whether some cancel word in toks has an
// appointment, not a document, as its object: the sentence of the verb
// names no invoice, order or the like, or names the appointment too.
func cancelsAppointment(toks []token) bool {
	cancel, doc, appt := false, false, false
	docAt := -1 // where the last document noun stood
	verdict := false
	// clause counts the commas of the sentence: beside a document, only a
	// session named in a cancel verb's own clause is cancelled ("bitte
	// stornieren Sie die Rechnung, die Schulung hat nicht stattgefunden" —
	// but "stornieren Sie die Rechnung, und den Termin am Freitag sagen
	// wir auch ab"). The masks hold the clauses (the first 64) with a
	// cancel verb and with a session word.
	clause := 0
	var cancelMask, apptMask uint64
	flush := func() {
		if cancel && (!doc || appt && cancelMask&apptMask != 0) {
			verdict = true
		}
		cancel, doc, appt = false, false, false
		clause, cancelMask, apptMask = 0, 0, 0
	}
	for k := range toks {
		t := &toks[k]
		if t.nl >= 2 || t.kind == tPunct && (t.s == "." || t.s == "!" || t.s == "?") {
			flush()
		}
		if t.kind == tPunct && t.s == "," {
			clause++
		}
		if t.kind != tWord {
			continue
		}
		if t.w != nil && t.w.role&rCancel != 0 || (t.s == "sage" || t.s == "sagen" || t.s == "sagt" || t.s == "sag") && sagtAb(toks, k) ||
			(t.s == "fällt" || t.s == "fallt" || t.s == "fällts") && fälltAus(toks, k) || callOff(toks, k) || dropsAppointment(toks, k) {
			cancel = true
			cancelMask |= 1 << min(clause, 63)
		}
		if t.w != nil && t.w.role&rAppt != 0 && !(docAt >= 0 && docAt >= k-4 && docAt < k && !commaSince(toks, k, docAt)) {
			// (Not "die Rechnung für die Schulung", "the invoice for the
			// training": the session names what the document is for.)
			appt = true
			apptMask |= 1 << min(clause, 63)
		}
		for _, d := range documentNouns {
			if strings.HasPrefix(t.s, d) || len(t.s) > len(d)+3 && strings.HasSuffix(t.s, d) {
				doc = true
				if t.w == nil || t.w.role&rCancel == 0 {
					docAt = k // (not "please storno our Termin": the verb itself)
				}
			}
		}
		if t.s == "add" && k+2 < len(toks) && toks[k+1].s == "-" && toks[k+2].s == "on" {
			doc = true // "the SMS add-on"
		}
	}
	flush()
	return verdict
}

// howToWords open a question about the software, a price or a download:
// a person answers, and no slot is offered unless the mail also asks for a
// session.
var howToWords = [][]string{
	{"wie", "kann"}, {"wie", "können"}, {"wie", "mache"}, {"wie", "machen"}, {"wie", "geht"},
	{"wie", "funktioniert"}, {"wo", "finde"}, {"wo", "kann"}, {"was", "kostet"}, {"wie", "viel"},
	{"wieviel"}, {"kostet"}, {"preis"}, {"preise"}, {"rates"}, {"tarif"}, {"tarife"}, {"stundensatz"}, {"billed"}, {"charged"}, {"verrechnet"}, {"herunterladen"}, {"download"}, {"muss", "ich"},
	{"müssen", "wir"}, {"muss", "i"}, {"muss", "ma"}, {"muass", "ma"}, {"müssen", "ma"}, {"muass", "i"}, {"kann", "man"}, {"brauche", "ich"}, {"brauchen", "wir"}, {"brauch", "ma"}, {"brauchen", "ma"}, {"brauchma"}, {"miass", "ma"}, {"müss", "ma"}, {"how", "do"}, {"how", "can"},
	{"how", "much"}, {"price"}, {"cost"}, {"costs"}, {"where", "can"}, {"where", "do"}, {"do", "we", "need"},
	{"do", "i", "need"}, {"call", "me"}, {"rufen", "sie"}, {"ruf"}, {"rückruf"}, {"anrufen"}, {"callback"},
	{"what", "is"}, {"was", "ist"}, {"warum"}, {"why"}, {"ourselves"}, {"selbst"},
	{"bis", "wann"}, {"until", "when"}, {"till", "when"}, {"how", "late"}, {"wenn", "ja", ",", "wie"}, {"if", "so", ",", "how"}, {"was", "kost"}, {"wos", "kost"}, {"wos", "kostet"}, {"kost", "des"}, {"kost", "das"}, {"ab", "wann"}, {"wann", "sind"}, {"wann", "ist"}, {"arbeiten", "sie"}, {"seid", "ihr"},
	{"are", "you", "open"}, {"support", "open"}, {"when", "are", "you"}, {"opening", "hours"}, {"support", "hours"}, {"office", "hours"}, {"business", "hours"}, {"supportzeiten"}, {"öffnungszeiten"},
	{"erreichbar", "sind"}, {"erreichbar"}, {"selber"}, {"was", "würde"}, {"was", "würden"}, {"what", "would"}, {"wie", "lange"},
	{"paar", "fragen"}, {"eine", "frage"}, {"a", "question"}, {"some", "questions"}, {"few", "questions"},
	{"point", "me"}, {"tell", "me", "how"}, {"show", "me", "how"}, {"explain"}, {"erklären"}, {"erklärt"},
	// Whether the desk is staffed or reached by phone: "is the support line
	// staffed on Monday at 10am?"
	{"erreichbar", "?"}, {"geöffnet", "?"}, {"auch", "offen"}, {"was", "zahlen"}, {"extra", "zahlen"}, {"wartungsvertrag"}, {"maintenance", "contract"},
	{"do", "you", "have"}, {"do", "you", "offer"}, {"gibt", "es"}, {"habt", "ihr"}, {"habts", "ihr"}, {"habt's", "ihr"}, {"haben", "sie"},
	{"is", "it", "safe"}, {"ist", "das", "sicher"}, {"ist", "es", "sicher"}, {"staffed"}, {"hotline"}, {"support", "line"}, {"phone", "line"}, {"besetzt", "?"},
}

// howToByFirst indexes howToWords by their first word: this runs over
// every word of a mail.
var howToByFirst = func() map[string][][]string {
	m := map[string][][]string{}
	for _, seq := range howToWords {
		m[seq[0]] = append(m[seq[0]], seq)
	}
	return m
}()

// howToQuestion reports a question about the software (or a call-back
// wish) in toks.
func howToQuestion(toks []token) bool {
	for i := range toks {
		if toks[i].kind != tWord {
			continue
		}
		// "wie stelle ich …", "wie ändert man …", "wo lade ich … herunter?",
		// "wo stell i ein, dass …"
		if toks[i].s == "wie" || toks[i].s == "wo" && questionAfter(toks, i) {
			// (dialect "wie druck i den Beleg aus?"; not "wie gsagt, i …")
			for k := i + 2; k < len(toks) && k <= i+3 && toks[k-1].kind != tPunct; k++ {
				if s := toks[k].s; s == "ich" || s == "man" || s == "i" && toks[k-1].kind == tWord && toks[k-1].w == nil {
					return true
				}
			}
		}
	next:
		for _, seq := range howToByFirst[toks[i].s] {
			for k := 1; k < len(seq); k++ {
				if i+k >= len(toks) || toks[i+k].s != seq[k] {
					continue next
				}
			}
			if seq[len(seq)-1] == "question" && i+len(seq) < len(toks) && (toks[i+len(seq)].s == "mark" || toks[i+len(seq)].s == "marks") {
				continue next // "printing as a question mark": a fault
			}
			if seq[0] == "how" && i > 0 && (toks[i-1].s == "learn" || toks[i-1].s == "show" || toks[i-1].s == "teach") {
				continue next // "I want to learn how to set up …" is what the session is for
			}
			if len(seq) >= 2 && (seq[0] == "do" || seq[0] == "gibt" || seq[0] == "habt" || seq[0] == "habts" || seq[0] == "habt's" || seq[0] == "haben") {
				// "Do you have training videos?", "Gibt es ein Handbuch?" —
				// not "do you have time on Monday?", "gibt es noch einen
				// freien Termin?"
				have := seq[0] != "do" && seq[0] != "gibt"
				if have && opensSentence(toks, i+len(seq)) {
					continue next // "haben Sie zwischen den Jahren geöffnet?"
				}
				for k := i + len(seq); k < len(toks) && k <= i+len(seq)+3; k++ {
					switch toks[k].s {
					case "time", "slot", "slots", "availability", "free", "space", "room", "capacity",
						"zeit", "termin", "termine", "frei", "freien", "freie", "noch", "möglichkeit":
						continue next
					case "da", "dann", "zu", "zua", "offen", "geschlossen", "geöffnet":
						if have {
							continue next // "oder habt's ihr da a zua?": whether we are closed then
						}
					case "anything", "any":
						// "do you have any time/anything free?", not "do you
						// have any training videos?"
						if k+1 < len(toks) {
							switch toks[k+1].s {
							case "time", "slot", "slots", "availability", "free", "space", "room", "capacity", "openings",
								"dates", "days", "appointments", "gaps", "available", "?", "on", "left":
								continue next
							}
						}
					}
					if toks[k].w != nil && (toks[k].w.wd != 0 || toks[k].w.hasRel) || toks[k].kind == tNum {
						continue next
					}
				}
			}
			switch seq[0] {
			case "preis", "preise", "price", "prices", "cost", "costs", "rates", "tarif", "tarife", "billed", "charged", "verrechnet":
				// A price asked about, not "die Preise ändern", "the new
				// price list loaded": a task for the session.
				if len(seq) == 1 && !questionAfter(toks, i) && priceTask(toks, i) {
					continue next
				}
				if len(seq) == 1 && !questionAfter(toks, i) && i > 1 && toks[i-1].s == "the" && toks[i-2].s == "for" && i+1 < len(toks) && toks[i+1].s == "of" {
					continue next // "5 blow-dries for the price of 4": a deal described
				}
			case "call", "rufen", "ruf", "rückruf", "anrufen", "callback":
				// "Call me on 01254 661 902 if easier", "oder rufen Sie
				// mich an": a call offered beside the session asked for.
				for k := i + 1; k < len(toks) && k <= i+10; k++ {
					if s := toks[k].s; s == "if" || s == "falls" || s == "alternatively" || s == "alternativ" {
						continue next
					}
					if toks[k].kind == tPunct && (toks[k].s == "." || toks[k].s == "?" || toks[k].s == "!") {
						break
					}
				}
				if i > 0 && (toks[i-1].s == "or" || toks[i-1].s == "oder") {
					continue next
				}
			case "kann":
				// "kann man die Liste als CSV exportieren?" asks how — not
				// "bei uns kann man keine Schichten mehr tauschen, …" (a
				// fault told).
				if !questionAfter(toks, i) {
					continue next
				}
				for k := i + 2; k < len(toks) && k <= i+5 && toks[k].kind == tWord; k++ {
					if negWordBefore(toks[k].s) {
						continue next
					}
				}
			case "brauche", "brauchen", "brauch", "brauchma":
				// "für den DSGVO-Export brauchen wir Hilfe": help asked
				// for, not "brauchen wir dafür einen Termin?"
				for k := i + len(seq); k < len(toks) && k <= i+len(seq)+2; k++ {
					switch toks[k].s {
					case "hilfe", "unterstützung", "support", "help", "euch", "eure", "ihre", "jemanden":
						continue next
					}
				}
			case "erreichbar":
				// "ist Ihr Support am Freitag erreichbar, oder …?"
				if len(seq) == 1 && !questionAfter(toks, i) {
					continue next
				}
			case "selber", "selbst", "ourselves":
				// "können wir das selber machen?" asks how; "da bin i
				// selber im Büro" tells who is there.
				if !questionAfter(toks, i) {
					continue next
				}
			case "why", "warum":
				// "no idea why", "keine Ahnung warum", "I can't work out
				// why.": the customer tells of a fault, asks no question.
				if !questionAfter(toks, i) {
					continue next
				}
				if i > 0 {
					switch toks[i-1].s {
					case "idea", "know", "sure", "clue", "ahnung", "wissen", "weiß", "weiss", "sicher", "unklar", "unclear":
						continue next
					}
				}
			}
			return true
		}
	}
	return false
}

// feastWords name feast days (as tokens); a time anchored to one ("nach
// Allerheiligen", "the Monday before Christmas") is read as best we can and
// never booked without asking. They are marked in the lexicon, so finding
// them costs no look-up of its own.
var feastWords = []string{
	"allerheiligen", "allerseelen", "empfängnis", "weihnachten", "weihnacht",
	"weihnachtsferien", "weihnachtsfeiertage", "weihnachtsfeiertag", "heiligabend", "christtag",
	"stefanitag", "stephanitag", "stefanstag", "stephanstag", "silvester",
	"neujahr", "dreikönig", "dreikönigstag", "könige", "ostern",
	"ostermontag", "ostersonntag", "osterferien", "karfreitag", "pfingsten",
	"pfingstmontag", "himmelfahrt", "fronleichnam", "nationalfeiertag",
	"staatsfeiertag", "christmas", "xmas", "epiphany", "easter",
	"whitsun", "ascension", "mariä", "stephen", "heiligen", "heiliger", "heilige", "heiliga", "königen", "boxing", "stephen's", "saints", "fasching", "faschingsdienstag",
	"karneval", "fastnacht", "rosenmontag", "aschermittwoch", "gründonnerstag", "maundy", "karwoche", "bettag", "bußtag", "busstag", "josefi", "josefitag",
	"herbstferien", "semesterferien", "sommerferien", "osterferien", "energieferien", "pfingstferien", "ferien",
	"schulbeginn", "schulanfang", "schulstart", "semesterbeginn", "semesterstart", "ferienbeginn", "ferienende",
	"thanksgiving", "david's", "davids", "patrick's", "patricks", "paddy's", "paddys", "assumption", "corpus", "pentecost", "whit", "einheit", "reformationstag", "halloween",
	"nikolaus", "nikolo", "nikolotag", "nikolaustag", "krampus", "krampustag", "krampusnacht", "immaculate", "valentinstag", "national", "labour", "labor",
	"fenstertag", "fenstertage", "brückentag", "holiday",
	"josefstag", "joseph's", "josephs", "leopoldi", "leopolditag", "martini", "martinitag", "martinstag", "rupertitag", "ruperti", "floriani", "florianitag",
	"feiertag", "feiertagen", "feiertage", "holidays", "stefani", "stephani", "osterdienstag", "pfingstdienstag", "osterfeiertage", "osterfeiertagen", "osterfeiertag", "pfingstfeiertage", "pfingstfeiertagen",
}

var _ = markFeasts()

func markFeasts() bool {
	for _, w := range feastWords {
		if info := lexicon[w]; info != nil {
			info.feast = true
		} else {
			lexicon[w] = &wordInfo{feast: true}
		}
	}
	return true
}

// relativeMoveWords move a booking by an offset or keep part of it ("eine
// Stunde später", "selbe Uhrzeit", "two hours later"): read against the
// booking we cannot see here, so such a move is confirmed first.
var relativeMoveWords = map[string]bool{
	"später": true, "früher": true, "later": true, "earlier": true, "hinten": true, "vorne": true,
	"selbe": true, "selben": true, "gleiche": true, "gleichen": true, "derselbe": true, "dieselbe": true,
	"same": true, "by": true, "um": false, "back": true,
	"vorziehen": true, "vorverlegen": true, // ("den Termin um 11 eine Stunde vorziehen")
}

func relativeMove(toks []token) bool {
	for i := range toks {
		if toks[i].kind == tWord && relativeMoveWords[toks[i].s] && !refusedOffset(toks, i) {
			return true
		}
	}
	return false
}

// refusedOffset: the offset word at i is turned down a few words on
// ("Nr. 3 bitte, früher geht leider nix", "earlier is not possible"): no
// move asked for.
func refusedOffset(toks []token, i int) bool {
	switch toks[i].s {
	case "später", "früher", "later", "earlier":
	default:
		return false
	}
	p := parser{toks: toks}
	for k := i + 1; k < len(toks) && k <= i+4 && toks[k].kind != tPunct; k++ {
		if p.isNegation(k) {
			return true
		}
	}
	return false
}

// findAlias finds the AnyDesk alias form "name@ad" (an address that is not
// a mail address: nothing after "ad" but a space or punctuation).
func findAlias(text string) string {
	text = capText(text, maxTextBytes)
	for off := 0; ; {
		k := strings.Index(text[off:], "@ad")
		if k < 0 {
			return ""
		}
		at := off + k
		end := at + 3
		off = end
		if end < len(text) {
			c := text[end]
			if isASCIIAlnum(c) || c == '-' || c == '_' || c >= 0x80 || c == '.' && end+1 < len(text) && isASCIIAlnum(text[end+1]) {
				continue // "@adobe.com", "@ad.example"
			}
		}
		a := at
		for a > 0 && (isASCIIAlnum(text[a-1]) || text[a-1] == '.' || text[a-1] == '-' || text[a-1] == '_') {
			a--
		}
		if a < at {
			return strings.ToLower(text[a:end])
		}
	}
}

// whenCanYou: "Wann kennt's ihr?", "wann könnten Sie?", "when can you do
// it?" — the customer asks when we can come, after telling a fault.
func whenCanYou(toks []token, i int) bool {
	if toks[i].s != "wann" && toks[i].s != "when" {
		return false
	}
	if i+3 >= len(toks) {
		return false
	}
	for k := i + 3; k < len(toks) && toks[k].s != "?" && toks[k].s != "."; k++ {
		switch toks[k].s {
		case "send", "schicken", "senden", "invoice", "rechnung", "licence", "license", "lizenz", "quote", "angebot",
			"deliver", "liefern", "reply", "antworten", "answer", "refund", "call", "anrufen", "zurückrufen", "expect", "release":
			return false // "when can you send the invoice?"
		}
	}
	switch toks[i+1].s {
	case "kennt's", "kennts", "könnt's", "könnts", "kinnts", "könnt", "könnten", "können", "kennan", "kennat's":
		switch toks[i+2].s {
		case "ihr", "sie", "es", "ma", "?":
			return questionAfter(toks, i)
		}
	case "can", "could":
		if toks[i+2].s == "you" || toks[i+2].s == "u" || toks[i+2].s == "ye" || toks[i+2].s == "someone" {
			return questionAfter(toks, i)
		}
	}
	return false
}

// sessionWords ask for a session even without a time ("ich brauche einen
// Termin", "we need a session"): with them a how-to question is asked in
// the session.
var sessionWords = map[string]bool{
	"brauche": true, "brauchen": true, "bräuchte": true, "bräuchten": true, "möchte": true, "möchten": true,
	"brauchat": true, "bräucht": true, "brauch": true,
	"hätte": true, "hätten": true, "need": true, "would": true, "like": true, "book": true, "buchen": true,
	"vereinbaren": true, "arrange": true, "schedule": true, "ausmachen": true, "einplanen": true,
}

// asksForRemoteHelp: "can someone help me remotely?", "kann sich das
// jemand anschauen?", "remote help please" at token i.
func asksForRemoteHelp(toks []token, i int) bool {
	if (toks[i].s == "someone" || toks[i].s == "somebody" || toks[i].s == "jemand" || toks[i].s == "jemanden" || toks[i].s == "wen") && i > 0 {
		switch toks[i-1].s {
		case "can", "could", "kann", "könnte", "sich":
			// "can someone help me", "can someone ring in on Thursday",
			// not "could someone please check?"
			for k := i + 1; k < len(toks) && k <= i+4; k++ {
				switch toks[k].s {
				case "help", "helfen", "connect", "remotely", "anschauen", "draufschauen", "einwählen", "aufschalten",
					"dial", "log", "look", "fix", "schauen", "schaun", "draufschaun", "anschaun":
					return true
				case "ring":
					// "can someone ring in", not "ring me on 0131 …"
					return k+1 < len(toks) && toks[k+1].s == "in"
				case "show", "walk":
					// "could someone show us the new screen early next
					// week?", "walk us through it" — not "show me how to
					// export" (a how-to a mail answers).
					if k+2 < len(toks) && (toks[k+1].s == "us" || toks[k+1].s == "me") {
						switch toks[k+2].s {
						case "how", "where", "what", "which", "why":
							return false
						}
						return true
					}
				}
			}
		case "need", "needs", "bräucht", "bräuchte", "bräuchten", "brauch", "brauche", "brauchen", "brauchat":
			// "we just need someone to fix …", "i bräucht wen, der ma de
			// Kassa anschaut"
			return toks[i].s != "wen" || toks[i-1].s != "need"
		}
	}
	switch toks[i].s {
	case "bräuchten", "bräuchte", "bräucht", "brauchen", "brauche", "brauch", "brauchat", "need", "needs":
		// "wir bräuchten wieder amoi eure Hilfe beim Update", "we need
		// your help with the update"
		for k := i + 1; k < len(toks) && k <= i+5 && toks[k].kind != tPunct; k++ {
			switch toks[k].s {
			case "hilfe", "help", "unterstützung":
				return true
			}
		}
	}
	if (toks[i].s == "could" || toks[i].s == "can") && i+2 < len(toks) && toks[i+1].s == "you" && toks[i+2].s == "help" &&
		(i+3 == len(toks) || toks[i+3].kind == tPunct) {
		// "See below from our dentist. Could you help?"
		return true
	}
	switch toks[i].s {
	case "kennts", "könnts", "könnt", "kinnts", "kennt's", "könnt's", "kinnt's":
		if foreignThing(toks) {
			// "mein Drucker druckt nix mehr … könnt's ihr euch das
			// anschauen?": not our software; a person answers.
			return false
		}
		// "kennts ihr amoi auf mein Computer schaun?": a look at the
		// customer's machine. (Not the standard "können Sie sich das
		// anschauen?", which asks as often about Word as about us.)
		if i+1 < len(toks) {
			switch toks[i+1].s {
			case "ihr", "sie", "es", "you", "ma":
				for k := i + 2; k < len(toks) && k <= i+8; k++ {
					switch toks[k].s {
					case "schaun", "draufschaun", "draufschauen", "oschaun", "anschaun", "anschauen", "anschaut", "einschalten", "aufschalten", "einwählen", "einloggen", "zuaschalten":
						return true
					case "helfen", "höfn", "hölfn", "hölfen":
						// "kennt's ma bitte amoi helfen beim Shop?" — not
						// "kennts ma helfen, wie i des Passwort ändere?"
						for j := k + 1; j < len(toks) && j <= k+6; j++ {
							if s := toks[j].s; s == "wie" || s == "wo" || s == "wos" || s == "was" || s == "how" || s == "mit" {
								return false
							}
						}
						return true
					case "?", ".", "!", "auch", "a", "also":
						// ("Könnt ihr da auch mal draufschauen oder nur
						// Lohnfix?" asks what else we do.)
						return false
					}
				}
			}
		}
	case "so":
		// "so bald wie möglich bitte", "as soon as possible": a session
		// wanted now, at whatever time we have.
		return i+3 < len(toks) && toks[i+1].s == "bald" && toks[i+2].s == "wie" && toks[i+3].s == "möglich"
	case "asap", "schnellstmöglich", "ehestmöglich", "baldmöglichst", "ehebaldigst":
		return true
	case "soon":
		return i > 0 && i+2 < len(toks) && toks[i-1].s == "as" && toks[i+1].s == "as" && toks[i+2].s == "possible"
	}
	return toks[i].s == "remotely" || toks[i].s == "remote" && i+1 < len(toks) && (toks[i+1].s == "session" || toks[i+1].s == "help" || toks[i+1].s == "support")
}

func asksForSession(toks []token) bool {
	for i := range toks {
		if toks[i].kind != tWord {
			continue
		}
		if asksOurTimesAt(toks, i) {
			return true
		}
		if toks[i].s == "um" && i > 0 && toks[i-1].s == "bitte" {
			// "Bitte um Rückruf bzw. Fernwartungstermin"
			for k := i + 1; k < len(toks) && k <= i+5 && toks[k].s != "," && toks[k].s != "?" && toks[k].s != "!"; k++ {
				if w := toks[k].w; w != nil && w.role&rAppt != 0 {
					return true
				}
			}
		}
		if whenYouHaveTime(toks, i) {
			return true
		}
		if s := toks[i].s; s == "machen" || s == "mach" || s == "macht" || s == "machma" {
			// "dann machen wir einen Termin für die Fernwartung aus"
			appt := false
			for k := i + 1; k < len(toks) && k <= i+8; k++ {
				if w := toks[k].w; w != nil && w.role&rAppt != 0 {
					appt = true
				}
				if toks[k].s == "aus" && appt {
					return true
				}
				if toks[k].kind == tPunct && toks[k].s != "," {
					break
				}
			}
		}
		if sessionWords[toks[i].s] {
			if toks[i].s == "would" && i+1 < len(toks) {
				switch toks[i+1].s {
				case "like", "love", "need", "appreciate", "prefer", "be":
				default:
					continue // "would save us booking a session", "how much would a session cost?"
				}
			}
			if i > 0 {
				switch toks[i-1].s {
				case "don't", "dont", "not", "nicht", "no", "kein", "keinen":
					continue // "Don't need another session"
				case "i", "we":
					// "what do I need to prepare?", "do we need admin rights?"
					if i > 1 && (toks[i-2].s == "do" || toks[i-2].s == "does") && toks[i].s == "need" {
						continue
					}
				}
			}
			if sessionNeedVerb(toks[i].s) && negatedAfterNeed(toks, i) {
				continue // "und brauchen dafür keinen Termin mit euch"
			}
			if beforeClause(toks, i) {
				continue // "bevor wir einen Termin ausmachen: wie läuft das ab?"
			}
			if wantsToKnowAt(toks, i) {
				continue // "möchte ich wissen, zu welchem Termin wir kündigen können"
			}
			if i+1 < len(toks) && (toks[i+1].s == "ich" || toks[i+1].s == "wir" || toks[i+1].s == "i" || toks[i+1].s == "mir" || toks[i+1].s == "ma") &&
				(toks[i].s == "brauche" || toks[i].s == "brauchen" || toks[i].s == "brauch" || toks[i].s == "brauchat") {
				continue // "brauche ich dafür Adminrechte?", "brauch i … extra was zahlen?", "brauch ma dafür …?"
			}
			if i+2 < len(toks) {
				switch toks[i+2].s {
				case "angebot", "quote", "quotation", "offer", "kostenvoranschlag", "rechnung", "invoice":
					continue // "Wir brauchen ein Angebot für den Vorstand", "we need a quote"
				}
			}
			if i+2 < len(toks) && sessionNeedVerb(toks[i].s) {
				// "Wir brauchen das für unser Verzeichnis", "we need this
				// for our audit", "brauchen die Info bis Freitag": what
				// is needed is the answer, not a session.
				switch toks[i+1].s {
				case "das", "dies", "es", "this", "that", "it":
					if n := toks[i+2].s; n == "für" || n == "for" {
						continue
					}
				case "die", "eine", "the", "an", "some":
					switch toks[i+2].s {
					case "info", "infos", "information", "informationen", "auskunft", "unterlagen", "bestätigung", "nachweis", "antwort",
						"confirmation", "documentation", "answer", "details":
						continue
					}
				}
			}
			return true
		}
		// "bitte um (einen) Termin", "Rückruf oder Termin", "Termin bitte".
		if w := toks[i].w; w != nil && w.role&rAppt != 0 && !beforeClause(toks, i) {
			for k := i - 1; k >= 0 && k >= i-3; k-- {
				switch toks[k].s {
				case "um":
					// Not the purpose clause "um Ihre Fernwartung nutzen zu
					// können": "um … zu" asks for nothing.
					if !purposeZu(toks, k) {
						return true
					}
				case "oder", "or", "request", "anfrage":
					return true
				case "einen", "eine", "a", "an":
					// "melden Sie sich für einen Fernwartungstermin", "for a
					// session" — a new one, not "danke für den Termin".
					if k > 0 && (toks[k-1].s == "für" || toks[k-1].s == "for") && !negatedBefore(toks, k-1) && !priceBefore(toks, k-1) {
						return true
					}
				}
			}
			if i+1 < len(toks) && (toks[i+1].s == "bitte" || toks[i+1].s == "please") {
				return true
			}
			if s := sentenceOf(toks, i); sessionVerbs[toks[i].s] && (opensRequest(s) || opensRequestAT(s)) {
				// "könnt's ihr euch bitte amal draufschalten?", "können
				// Sie sich einwählen?": the session's own verb, asked of us.
				return true
			}
			if i > 0 && (toks[i-1].s == "per" || toks[i-1].s == "via") && (pleaseInClause(toks, i) || opensRequest(sentenceOf(toks, i))) {
				// "bitte schauts amal per Fernwartung drüber", "please
				// check it via remote session", "Könnten Sie sich das per
				// Fernwartung ansehen?".
				return true
			}
		}
	}
	return false
}

// negatedAfterNeed: a "kein"/"no" follows the verb of needing at i within
// its phrase ("brauchen dafür keinen Termin", "need no session").
func negatedAfterNeed(toks []token, i int) bool {
	for k := i + 1; k < len(toks) && k <= i+3 && toks[k].kind == tWord; k++ {
		switch toks[k].s {
		case "kein", "keine", "keinen", "no", "koan", "kan":
			return true
		}
	}
	return false
}

// pleaseInClause: "bitte"/"please" stands in the clause of the word at i,
// and the sentence asks no question.
func pleaseInClause(toks []token, i int) bool {
	for k := i + 1; k < len(toks); k++ {
		if t := &toks[k]; t.kind == tPunct && (t.s == "?" || t.s == "." || t.s == "!") || t.nl >= 2 {
			if t.s == "?" {
				return false
			}
			break
		}
	}
	for k := i - 1; k >= 0 && k >= i-8; k-- {
		if t := &toks[k]; t.kind == tPunct && t.s != "," || t.nl >= 2 {
			break
		}
		if toks[k].s == "bitte" || toks[k].s == "please" || toks[k].s == "pls" || toks[k].s == "plz" {
			return true
		}
	}
	return false
}

// priceBefore: a price word stands just before the "for" at k ("what are
// your rates for a training session?", "Kosten für einen Termin").
func priceBefore(toks []token, k int) bool {
	for j := k - 1; j >= 0 && j >= k-3; j-- {
		switch toks[j].s {
		case "rates", "price", "prices", "cost", "costs", "charge", "charges", "fee", "fees", "preis", "preise", "kosten", "tarif", "tarife", "gebühr", "gebühren":
			return true
		}
	}
	return false
}

// purposeZu: the "um" at k opens a purpose clause ("um … nutzen zu
// können"): a "zu" follows before the clause ends.
func purposeZu(toks []token, k int) bool {
	for j := k + 1; j < len(toks) && j <= k+8; j++ {
		if toks[j].kind == tPunct {
			return false
		}
		if toks[j].s == "zu" {
			return true
		}
	}
	return false
}

// additive words ask for a session besides the booked one ("one more
// session", "einen weiteren Termin", "zusätzlich").
func additive(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "more", "additional", "extra", "further", "weitere", "weiteren", "weiterer", "zusätzlich",
			"zusätzliche", "zusätzlichen", "zusätzlicher", "nochmal", "nochmals", "second", "zweiten", "also",
			// "Could we do Wednesday at 10:30 for a follow-up?", "einen
			// Folgetermin": one more session after the first.
			"follow-up", "followup", "folgetermin", "nachfolgetermin", "anschlusstermin":
			return true
		case "follow":
			if i+1 < len(toks) && (toks[i+1].s == "up" || toks[i+1].s == "-") {
				return true
			}
		case "well":
			// "a session on Monday as well"
			if i > 0 && toks[i-1].s == "as" {
				return true
			}
		case "another":
			// "could we book another remote session?": one more, no move.
			if i > 0 {
				switch toks[i-1].s {
				case "book", "schedule", "need", "want", "arrange", "request", "get", "have":
					return true
				}
			}
		}
	}
	return false
}

// offerWords ask whether a service exists at all ("Macht ihr auch …?",
// "Bieten Sie auch … an?", "Do you also offer …?").
var offerWords = [][]string{
	{"macht", "ihr", "auch"}, {"macht's", "ihr", "auch"}, {"machts", "ihr", "auch"}, {"machen", "sie", "auch"}, {"bietet", "ihr"}, {"bieten", "sie", "auch"},
	{"gibt", "es", "auch"}, {"do", "you", "offer"}, {"do", "you", "also"}, {"do", "you", "provide"},
	{"do", "you", "do"}, {"is", "there", "also"}, {"can", "you", "also"},
}

// quoteRequest: the mail asks for a quote ("um ein Angebot", "einen
// Kostenvoranschlag", "a quote for …") and for no session — not "Ihr
// Angebot passt", not "the quotation print" of the software.
func quoteRequest(toks []token) bool {
	for i := 1; i < len(toks); i++ {
		switch toks[i].s {
		case "angebot", "quote", "quotation", "kostenvoranschlag", "preisangebot", "kostenangebot":
			switch toks[i-1].s {
			case "ein", "einen", "a", "unverbindliches", "unverbindlichen":
				return !asksForSession(toks) && !remoteHelp(toks)
			}
		}
	}
	return false
}

// opensSentence: the sentence from i on asks whether we are open ("…
// zwischen den Jahren geöffnet?", "… over Christmas open?").
func opensSentence(toks []token, i int) bool {
	for k := i; k < len(toks) && k <= i+8; k++ {
		switch toks[k].s {
		case "geöffnet", "offen", "open", "geschlossen", "closed", "zua", "erreichbar", "reachable", "available", "da":
			return true
		case ".", "?", "!":
			return false
		}
	}
	return false
}

// capabilityAsked: "is it possible to print …?", "ist es möglich, …",
// "kann man …": whether the software can do something.
func capabilityAsked(toks []token) bool {
	for i := range toks {
		switch {
		case toks[i].s == "possible" && possibleTask(toks, i) && i >= 1 && (toks[i-1].s == "it" || toks[i-1].s == "is"):
			return true
		case (toks[i].s == "möglich" || toks[i].s == "moeglich") && i >= 2 && toks[i-1].s == "es" && (toks[i-2].s == "ist" || toks[i-2].s == "wäre"):
			return true
		case toks[i].s == "kann" && i+1 < len(toks) && toks[i+1].s == "man":
			return true
		}
	}
	return false
}

// wantsToKnowAt: the wish at i is to know or ask something ("möchte ich
// wissen", "would like to know").
func wantsToKnowAt(toks []token, i int) bool {
	for k := i + 1; k < len(toks) && k <= i+3 && toks[k].kind != tPunct; k++ {
		switch toks[k].s {
		case "wissen", "know", "fragen", "nachfragen", "erfragen", "ask", "enquire", "inquire":
			return true
		case "planen", "plan", "klären", "clarify":
			// "Ich möchte planen, bevor ich einen Termin anfrage."
			return k+1 >= len(toks) || toks[k+1].kind == tPunct
		}
	}
	return false
}

// beforeClause: the word at i stands in a clause opened by "bevor",
// "before": what is done first, not what is asked.
func beforeClause(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-6 && toks[k].kind != tPunct; k-- {
		switch toks[k].s {
		case "bevor", "before", "ehe":
			return true
		}
	}
	// "Wir überlegen, ob wir nächsten Monat eine Schulung buchen", "we
	// are thinking about booking a training": a session weighed, not
	// asked for.
	for k := i - 1; k >= 0 && k >= i-12; k-- {
		if t := &toks[k]; t.kind == tPunct && (t.s == "." || t.s == "?" || t.s == "!" || t.s == ":") || t.nl >= 2 {
			break
		}
		switch toks[k].s {
		case "überlegen", "überlege", "überlegt", "considering":
			return true
		case "thinking":
			if n := toks[k+1].s; n == "about" || n == "of" {
				return true
			}
		}
	}
	return false
}

// offerQuestion reports a question whether we offer a service; it counts
// only when the sentence ends in a question mark.
func offerQuestion(toks []token) bool {
	for i := range toks {
	next:
		for _, seq := range offerWords {
			for k, w := range seq {
				if i+k >= len(toks) || toks[i+k].s != w {
					continue next
				}
			}
			for k := i + len(seq); k < len(toks); k++ {
				if toks[k].kind == tPunct && (toks[k].s == "." || toks[k].s == "!") {
					break
				}
				if toks[k].kind == tPunct && toks[k].s == "?" {
					return true
				}
			}
		}
	}
	return false
}

// cancelNamesTime: the sentence of a cancel word names a day or time ("can
// we scrap today's 2pm?", "Freitag um 11 bitte streichen"): the object of
// the verb is an appointment even when the word for one is missing.
func cancelNamesTime(toks []token) bool {
	cancel, timeish := false, false
	for k := range toks {
		t := &toks[k]
		if t.nl >= 2 || t.kind == tPunct && (t.s == "." || t.s == "!" || t.s == "?") {
			if cancel && timeish {
				return true
			}
			cancel, timeish = false, false
			continue
		}
		switch t.kind {
		case tNum:
			if k+1 < len(toks) && (toks[k+1].s == ":" || toks[k+1].s == "pm" || toks[k+1].s == "am" || toks[k+1].s == "uhr") {
				timeish = true
			}
		case tWord:
			if t.w != nil && (t.w.wd != 0 || t.w.month != 0 || t.w.hasRel) {
				timeish = true
			}
			if strings.HasPrefix(t.s, "today") || strings.HasPrefix(t.s, "tomorrow") || strings.HasSuffix(t.s, "pm") && len(t.s) <= 4 {
				timeish = true
			}
			if t.w != nil && t.w.role&rCancel != 0 {
				cancel = true
			}
		}
	}
	return cancel && timeish
}

// availabilityWords ask whether a time suits: "would Tuesday work?",
// "ginge Montag?", "passt Ihnen Freitag?".
var availabilityWords = map[string]bool{"work": true, "works": true, "suit": true, "suits": true, "possible": true,
	"available": true, "passt": true, "passen": true, "ginge": true, "geht": true, "möglich": true, "klappt": true,
	"klappen": true, "frei": true, "free": true, "schedule": true, "book": true, "schaffen": true, "schafft": true, "schaffts": true}

func asksAvailability(toks []token) bool {
	for i := range toks {
		if toks[i].kind == tWord && availabilityWords[toks[i].s] && !possibleTask(toks, i) {
			return true
		}
	}
	return false
}

// possibleTask: "is it possible to print the receipts in Portuguese?" asks
// what the software can do, not whether a time is free ("is it possible to
// do it on Monday?", "would Monday be possible?").
func possibleTask(toks []token, i int) bool {
	if toks[i].s != "possible" || i+2 >= len(toks) || toks[i+1].s != "to" {
		return false
	}
	switch toks[i+2].s {
	case "do", "have", "book", "schedule", "get", "arrange", "make", "meet", "connect", "move", "come", "call", "set", "find", "fit", "squeeze", "reschedule", "shift", "postpone", "start":
		return false
	}
	return true
}

// saysLast: "der letzte (Vorschlag)", "the last one", "die letzte Option".
func saysLast(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "letzte", "letzten", "letzter", "last":
			return true
		}
	}
	return false
}

// dataWords name data protection: questions about it go to a person.
var dataWords = map[string]bool{"datenschutz": true, "dsgvo": true, "gdpr": true, "av-vertrag": true,
	"auftragsverarbeitung": true, "auftragsverarbeitungsvertrag": true, "recordings": true, "aufzeichnung": true,
	"aufzeichnungen": true, "protokolliert": true, "gespeichert": true, "stored": true, "logs": true, "dpa": true,
	"privacy": true, "dpo": true, "datenschutzbeauftragte": true, "datenschutzbeauftragter": true,
	"aufgezeichnet": true, "recorded": true, "verarbeitungsverzeichnis": true, "logged": true, "mitgeschnitten": true,
	"gspeichert": true, "gespeichat": true, "speichert": true, "speichat": true, "stores": true}

func aboutData(toks []token) bool {
	asked := func(i int) bool {
		return questionAfter(toks, i) || indirectQuestion(toks) || shortQuestionNext(toks, i)
	}
	for i := range toks {
		// "keep my data", "behaltet ihr meine Daten"
		if s := toks[i].s; dataWords[s] || s == "data" && i+1 < len(toks) && (toks[i+1].s == "protection" || toks[i+1].s == "processing") ||
			(s == "data" || s == "daten") && (keptBefore(toks, i) || deletedAfter(toks, i) && asked(i)) {
			if i+2 < len(toks) && toks[i+1].s == "-" && !toks[i+1].sp && !toks[i+2].sp && toks[i+2].kind == tWord &&
				(asksForSession(toks) || needsSupport(toks)) {
				// "für den DSGVO-Auskunftsexport brauchen wir Hilfe. Geht es
				// Montag um 14:15?": the first part of a compound names
				// the task help is asked for.
				continue
			}
			if s == "logged" && (i+1 < len(toks) && (toks[i+1].s == "in" || toks[i+1].s == "on" || toks[i+1].s == "out" || toks[i+1].s == "into") ||
				!slices.ContainsFunc(toks[max(0, i-4):i], func(t token) bool {
					return slices.Contains([]string{"is", "are", "be", "being", "get", "gets", "was", "were"}, t.s)
				})) {
				continue // "I logged in on Monday": no question of records ("is the session logged?" is)
			}
			if (s == "speichert" || s == "speichat" || s == "stores") && !storesOurs(toks, i) {
				continue // "Lohnfix speichert die Rechnungen falsch": a fault
			}
			if s == "gespeichert" || s == "gspeichert" || s == "gespeichat" || s == "stored" || s == "logs" || s == "logged" ||
				s == "speichert" || s == "speichat" || s == "stores" {
				// "die Rechnungen werden ned gespeichert" is a fault, not
				// a question about our handling of data.
				if i > 0 {
					switch toks[i-1].s {
					case "nicht", "ned", "nid", "not", "nimma", "mehr", "never", "nie":
						continue
					}
				}
				if !asked(i) {
					continue
				}
			}
			return true
		}
		// "is AnyDesk safe?", "ist AnyDesk sicher?", "can you see my other
		// files?", "habt ihr Zugriff auf alle Dateien?"
		switch toks[i].s {
		case "safe", "secure", "sicher":
			if near(toks, i, 3, "anydesk", "fernwartung", "fernzugriff", "remote", "connection", "verbindung") && asked(i) {
				return true
			}
		case "list", "liste":
			// "whether your technicians can see our customer list"
			if i > 0 && (toks[i-1].s == "customer" || toks[i-1].s == "client" || toks[i-1].s == "patient" || toks[i-1].s == "kunden") &&
				near(toks, i, 12, "see", "sehen", "access", "zugriff", "read", "lesen", "einsehen") && asked(i) {
				return true
			}
		case "kundenliste", "patientenliste":
			if near(toks, i, 12, "see", "sehen", "sieht", "access", "zugriff", "read", "lesen", "einsehen") && asked(i) {
				return true
			}
		}
		switch toks[i].s {
		case "datenbank", "database", "kopie", "copy":
			// "eine Kopie unserer Datenbank übertragen. Ist die gelöscht?"
			// (not "someone to look at our database")
			if dataFate(toks, i) && asked(i) && !near(toks, i, 6, "look", "anschauen", "ansehen", "schauen", "fix", "check", "prüfen") {
				return true
			}
		case "everything", "anything", "alles":
			// "Can you see everything on the PC …, and is anything kept
			// afterwards?" — not "could you look at everything on Monday".
			if (i > 0 && (toks[i-1].s == "see" || toks[i-1].s == "access" || toks[i-1].s == "sehen") ||
				near(toks, i, 3, "kept", "stored", "saved", "copied", "gespeichert", "kopiert")) && asked(i) {
				return true
			}
		case "files", "dateien", "documents", "dokumente", "emails", "e-mails", "mails", "data", "daten", "kundendaten", "patientendaten", "list", "liste", "kundenliste", "patientenliste",
			"mitgliederdaten", "backup", "sicherung":
			// "was bei einer Fernwartung mit unseren Kundendaten passiert
			// und wie lang ihr de speichert", "whether anything is copied"
			if dataFate(toks, i) && asked(i) {
				return true
			}
			if near(toks, i, 12, "see", "sehen", "sieht", "siacht", "access", "zugriff", "read", "lesen", "einsehen", "schauts", "schaut", "anschauen", "oschaun") && asked(i) ||
				near(toks, i, 12, "look") && !lookAsTask(toks, i) && asked(i) {
				return true
			}
			// "what data do your technicians see …?"
			for k := i + 1; k < len(toks) && k <= i+4; k++ {
				switch toks[k].s {
				case "see", "sehen", "access", "read", "lesen", "einsehen", "kept", "stored", "gespeichert", "übertragen",
					"transferred", "weitergegeben", "aufgezeichnet", "recorded":
					if asked(i) {
						return true
					}
				}
			}
		}
	}
	return false
}

// shortQuestionNext: the sentence after the one holding i is a short
// question ("… eine Kopie unserer Datenbank übertragen. Ist die inzwischen
// gelöscht?").
func shortQuestionNext(toks []token, i int) bool {
	k := i + 1
	for k < len(toks) && !(toks[k].kind == tPunct && (toks[k].s == "." || toks[k].s == "!" || toks[k].s == "?")) {
		k++
	}
	if k >= len(toks) || toks[k].s == "?" {
		return false
	}
	for n := k + 1; n < len(toks) && n <= k+9; n++ {
		if toks[n].kind == tPunct && (toks[n].s == "." || toks[n].s == "!") {
			return false
		}
		if toks[n].s == "?" {
			return true
		}
	}
	return false
}

// dataFate: a word of what happens to data (kept, copied, stored,
// "passiert") stands in the sentence of the data noun at i.
func dataFate(toks []token, i int) bool {
	for k := i - 10; k <= i+10; k++ {
		if k < 0 || k >= len(toks) || k == i {
			continue
		}
		if toks[k].kind == tPunct && (toks[k].s == "." || toks[k].s == "?" || toks[k].s == "!") {
			if k < i {
				continue
			}
			break
		}
		switch toks[k].s {
		case "passiert", "geschieht", "happens", "happen", "copied", "kopiert", "copy", "kopieren", "speichert", "speichern",
			"gespeichert", "gspeichert", "stored", "store", "keep", "kept", "aufbewahrt", "aufbewahren", "weitergegeben", "shared",
			"zugreifen", "zugegriffen", "zugriff", "access", "accessed", "einsehen", "sehen", "see",
			"gelöscht", "deleted", "übertragen", "transferred", "löschen", "delete":
			return true
		}
	}
	return false
}

// near: one of words stands within n tokens before i.
// lookAsTask: the "look" before i is the job asked for — "a quick look
// at our waiting list", "have a look at the list" — not whether we look at
// the customer's data.
func lookAsTask(toks []token, i int) bool {
	for k := i - 1; k >= 1 && k >= i-12; k-- {
		if toks[k].s == "look" {
			switch toks[k-1].s {
			case "a", "quick", "short", "brief", "closer", "proper":
				return true
			}
			return false
		}
	}
	return false
}

func near(toks []token, i, n int, words ...string) bool {
	for k := i - 1; k >= 0 && k >= i-n; k-- {
		for _, w := range words {
			if toks[k].s == w {
				return true
			}
		}
	}
	return false
}

// asksForDataDocument: "bitte senden Sie uns den Auftragsverarbeitungsvertrag",
// "please send us your DPA": a document about data protection, for a person.
func asksForDataDocument(toks []token) bool {
	send := false
	for i := range toks {
		switch toks[i].s {
		case "senden", "schicken", "zusenden", "übermitteln", "send", "provide":
			send = true
		case "auftragsverarbeitungsvertrag", "av-vertrag", "avv", "dpa", "auftragsverarbeitung":
			if send {
				return true
			}
		}
	}
	return false
}

// indirectQuestion: a question asked without a question mark ("möchte
// wissen, ob …", "we would like to know how …", "Bitte um schriftliche
// Info").
func indirectQuestion(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "wissen", "erfahren", "fragt", "fragen", "frage", "fragte", "asks", "asked", "asking":
			// ("unser Datenschutzbeauftragter fragt, ob …")
			for k := i + 1; k < len(toks) && k <= i+2; k++ {
				switch toks[k].s {
				case "ob", "wie", "welche", "was", "wo", "wann", "whether", "if", "how", "what":
					return true
				}
			}
		case "know":
			if i > 0 && toks[i-1].s == "to" {
				return true
			}
		case "wondering", "wondered":
			return true
		case "confirm", "clarify", "advise", "bestätigen", "klären":
			// "Kindly confirm whether the unused hours can be refunded"
			if i+1 < len(toks) && (toks[i+1].s == "whether" || toks[i+1].s == "if" || toks[i+1].s == "ob") {
				return true
			}
		case "mit", "mitteilen", "sagen", "informieren":
			// "bitte teilen Sie mir mit, welche Daten Sie … gespeichert haben"
			if i+2 < len(toks) && toks[i+1].s == "," {
				switch toks[i+2].s {
				case "welche", "ob", "wie", "was", "wann":
					return true
				}
			}
		case "auskunft", "info", "information", "informationen":
			if i > 0 && (toks[i-1].s == "um" || i > 1 && toks[i-2].s == "um" || i > 2 && toks[i-3].s == "um") {
				return true // "Bitte um (kurze schriftliche) Info"
			}
			if i+2 < len(toks) && toks[i+1].s == "," {
				switch toks[i+2].s {
				case "welche", "ob", "wie", "was", "which", "whether", "how", "what":
					return true // "Informationen, welche Daten … gespeichert werden"
				}
			}
		}
	}
	return false
}

// questionAfter: the sentence of token i ends with a question mark.
// priceTask: the prices at i are something to change in the software
// ("die Preise fia die Eisvitrine ändern", "the new price list loaded").
func priceTask(toks []token, i int) bool {
	// "support for the new tax rates", "die neuen Tarife einspielen": the
	// rates kept in the customer's software, not our price.
	for k := i - 1; k >= 0 && k >= i-2; k-- {
		switch toks[k].s {
		case "new", "neue", "neuen", "neuer", "tax", "vat", "steuer", "ust", "mwst", "interest", "exchange", "zins", "zinsen":
			return true
		}
	}
	for k := i + 1; k < len(toks) && k <= i+7; k++ {
		switch toks[k].s {
		case "list", "lists", "liste", "listen", "ändern", "anpassen", "einpflegen", "einspielen", "aktualisieren",
			"change", "changed", "update", "updated", "load", "loaded", "import", "imported",
			"umstellen", "umgestellt", "erhöhen", "erhöht", "eintragen", "ändan", "raise", "adjust":
			return true
		case ".", "!", "?":
			return false
		}
	}
	return false
}

// bareTimeLine: a line or sentence of the mail is nothing but a day and a
// clock ("Mon 3 March, 3pm.", "Do 10:30"): written to the support address,
// that asks for the slot.
func bareTimeLine(toks []token) bool {
	num, day, other := false, false, false
	for i := range toks {
		t := &toks[i]
		if t.nl > 0 && i > 0 {
			if num && day && !other {
				return true
			}
			num, day, other = false, false, false
		}
		switch {
		case t.kind == tNum, t.w != nil && t.w.num > 0 && t.w.num <= 12 && i > 0 && (toks[i-1].s == "um" || toks[i-1].s == "at"):
			num = true // ("Montag um neun.")
		case t.kind == tPunct:
			if (t.s == "." || t.s == "!" || t.s == "?") && (i+1 == len(toks) || toks[i+1].sp) {
				if num && day && !other {
					return true
				}
				num, day, other = false, false, false
			}
		case t.w != nil && (t.w.wd != 0 || t.w.month != 0 || t.w.hasRel):
			day = true
		case t.w != nil && (t.w.role&(rUhr|rTrigger) != 0 || t.w.pod != 0),
			t.s == "am" || t.s == "pm" || t.s == "um" || t.s == "at" || t.s == "th" || t.s == "st" || t.s == "nd" || t.s == "rd" || t.s == "h",
			// "5 of March at 9 in the morning."
			t.s == "of" || t.s == "in" || t.s == "the" || t.s == "on" || t.s == "am" || t.s == "den" || t.s == "der":
		case i+1 < len(toks) && toks[i+1].s == "," && greetWord(t.s):
			// "Hello, 5 of March at 9 in the morning."
			num, day, other = false, false, false
		default:
			other = true
		}
	}
	return num && day && !other
}

// billingWords: paying for a session or a licence.
var billingWords = map[string]bool{"bezahlt": true, "bezahlen": true, "zahlen": true, "zahlung": true, "überweisen": true,
	"überwiesen": true, "abgerechnet": true, "verrechnet": true, "pay": true, "paid": true, "payment": true,
	"invoiced": true, "billed": true, "charged": true, "refunded": true, "refund": true, "erstattet": true, "rückerstattet": true,
	"gutgeschrieben": true}

// aboutBilling: a question about paying ("bis wann muss die Fernwartung
// vom Donnerstag bezahlt werden?", "can we pay the session by card?"): a
// person answers, the days in it are no wish.
func aboutBilling(toks []token) bool {
	for i := range toks {
		if billingWords[toks[i].s] && (questionAfter(toks, i) || indirectQuestion(toks)) {
			return true
		}
	}
	return false
}

func questionAfter(toks []token, i int) bool {
	for k := i + 1; k < len(toks); k++ {
		if t := &toks[k]; t.kind == tPunct {
			switch t.s {
			case "?":
				return true
			case ".", "!":
				return false
			}
		}
	}
	return false
}

// outOfScope: whether we "also" help with something that is not our
// software ("könnt ihr auch beim WLAN helfen?", "do you also do printers?").
var scopeNouns = map[string]bool{"drucker": true, "druckertreiber": true, "printer": true, "printers": true,
	"wlan": true, "wifi": true, "router": true, "netzwerk": true, "network": true, "handy": true, "smartphone": true,
	// the operating system and other programs (PRODUCT.md: only our software)
	"windows": true, "betriebssystem": true, "outlook": true, "virenscanner": true, "antivirus": true,
	"website": true, "webseite": true, "homepage": true, "hosting": true,
	"excel": true, "powerpoint": true, "thunderbird": true, "firefox": true, "browser": true, "scanner": true, "faxgerät": true,
	"telefonanlage": true}

func outOfScope(toks []token) bool {
	also, noun, orOnly := false, false, false
	heard, check := false, false // "… machts a de Windows-Updates. Stimmt des?"
	for i := range toks {
		t := &toks[i]
		if t.kind == tPunct && (t.s == "." || t.s == "!" || t.s == "?") || t.nl >= 2 {
			if also && noun && t.s == "?" {
				return true // within one question
			}
			if orOnly && t.s == "?" && anyScopeNoun(toks) {
				// "Outlook keeps crashing. Is that something you can fix
				// too, or only your own program?"
				return true
			}
			orOnly = false
			if heard && check && t.s == "?" {
				return true // a claim about our service, then "is that so?"
			}
			heard = noun && t.s == "."
			also, noun, check = false, false, false
			continue
		}
		switch t.s {
		case "stimmt", "richtig", "true", "right", "correct":
			check = true
		case "only", "nur":
			if i > 0 && (toks[i-1].s == "or" || toks[i-1].s == "oder") {
				orOnly = true
			}
		}
		switch s := t.s; {
		case s == "auch" || s == "also" || s == "too" || s == "ever" || s == "as" && i+1 < len(toks) && toks[i+1].s == "well":
			also = true
		case s == "a" && i+1 < len(toks) && !toks[i+1].up && toks[i+1].kind == tWord && (strings.HasSuffix(toks[i+1].s, "en") || strings.HasSuffix(toks[i+1].s, "aun") ||
			toks[i+1].s == "glei" || toks[i+1].s == "gleich" || toks[i+1].s == "no" || toks[i+1].s == "noch"):
			// Austrian "a" for "auch": "könnts ihr den a anschaun?"
			also = true
		case scopeNouns[s] && !adjectiveHandy(t), strings.IndexByte(s, '-') > 0 && scopeNouns[s[strings.LastIndexByte(s, '-')+1:]]:
			// ("Internet-Router", "HP-Drucker")
			noun = true
		case (s == "hersteller" || s == "herstellers" || s == "anbieter" || s == "anbieters" || s == "vendor" || s == "vendor's" || s == "manufacturer") && i > 0 &&
			(toks[i-1].s == "anderen" || toks[i-1].s == "fremden" || toks[i-1].s == "other" || toks[i-1].s == "another" || toks[i-1].s == "different"),
			s == "third-party" || s == "fremdsoftware" || s == "fremdkasse":
			// "die neue Kasse von einem anderen Hersteller", "another
			// vendor's till": not our software.
			noun = true
		case s == "ort" && i > 0 && toks[i-1].s == "vor", s == "on-site" || s == "onsite" || s == "vorbeikommen",
			s == "site" && i > 0 && (toks[i-1].s == "on" || toks[i-1].s == "-"), s == "person" && i > 0 && toks[i-1].s == "in":
			// "kommen Sie auch vor Ort zu uns?", "do you also come on
			// site?": a visit, not a remote session.
			noun = true
		}
	}
	return false
}

// selfCorrects: "Friday 10am UK time? Sorry, I mean 11am your time", "um
// 10, ich meine 11": the customer corrects a time, which is confirmed
// before it books.
func selfCorrects(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "mean", "meant", "meine", "gemeint", "korrektur", "correction", "korrigiere":
			if toks[i].s != "meine" || i > 0 && toks[i-1].s == "ich" {
				return true
			}
		}
	}
	return false
}

// isForward: the customer passes on someone else's mail ("WG:", "Fwd:",
// "leite ich weiter", "forwarding").
func isForward(subject, own string) bool {
	if forwarded(subject) {
		return true
	}
	lo := strings.ToLower(own)
	return strings.Contains(lo, "weiterleit") || strings.Contains(lo, "weiterzuleit") || strings.Contains(lo, "forward") || strings.Contains(lo, "schick ich's nochmal weiter") ||
		strings.Contains(lo, "leite ich weiter") || strings.Contains(lo, "anbei die anfrage")
}

// forwardedWishes reads the times asked for in a forwarded mail: its text
// without the header lines of the forward ("Gesendet: Montag, 15. Mai
// 2028 17:10" is when it was written, no wish).
func forwardedWishes(quoted string, lang uint8, now time.Time) []Wish {
	var b strings.Builder
	for _, l := range strings.Split(capText(quoted, maxTextBytes), "\n") {
		t := strings.TrimLeft(strings.TrimSpace(l), "> ")
		lt := strings.ToLower(t)
		header := false
		for _, h := range []string{"von:", "from:", "gesendet:", "sent:", "date:", "datum:", "an:", "to:", "cc:", "betreff:", "subject:"} {
			if strings.HasPrefix(lt, h) {
				header = true
			}
		}
		if header || strings.HasPrefix(t, "---") || strings.HasPrefix(lt, "am ") && strings.HasSuffix(lt, ":") || strings.HasPrefix(lt, "on ") && strings.HasSuffix(lt, "wrote:") {
			continue
		}
		b.WriteString(t)
		b.WriteByte('\n')
	}
	toks := tokenize(b.String())
	return upcoming(extract(toks, lang, now), now)
}

// negatedBefore: a negation stands in the few words before i ("will euch
// nicht extra für an Termin belästigen").
func negatedBefore(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-4; k-- {
		switch toks[k].s {
		case "nicht", "not", "kein", "keinen", "don't", "ned", "nit":
			return true
		}
		if toks[k].kind == tPunct {
			return false
		}
	}
	return false
}

// whenYouHaveTime: "Wann's Zeit ham", "wenn Sie Zeit haben", "whenever you
// have a free slot" at token i leaves the time of a session to us — not
// "wenn ich Zeit habe".
func whenYouHaveTime(toks []token, i int) bool {
	switch toks[i].s {
	case "passt", "passts", "passt's", "suits", "convenient":
		// "Wann's eich passt.", "whenever suits you", "wann es Ihnen
		// passt": a session at a time we choose.
		you := false
		for k := i - 1; k >= 0 && k >= i-3; k-- {
			switch toks[k].s {
			case "eich", "euch", "ihnen", "eana", "you":
				you = true
			case "wann's", "wanns", "wann", "whenever":
				return you || toks[i].s == "suits"
			}
			if toks[k].kind == tPunct {
				return false
			}
		}
		return false
	case "zeit", "time", "slot":
	default:
		return false
	}
	have := false
	if i+1 < len(toks) {
		switch toks[i+1].s {
		case "ham", "haben", "habt", "hobt", "hobn", "hätten", "hättet", "habts", "hobts", "hätts":
			have = true // "Wann's Zeit ham"
		}
	}
	for k := i - 1; k >= 0 && k >= i-5; k-- {
		switch toks[k].s {
		case "ich", "i", "wir", "we", "mir", "uns":
			return false
		case "ham", "haben", "habt", "hat", "have", "has", "hobt", "hobn", "hätts", "hättet", "hätten", "habts", "hobts", "hättn":
			have = true
		case "wann's", "wenn's", "wanns", "wenns", "wann", "wenn", "whenever", "when":
			return have
		}
		if toks[k].kind == tPunct {
			return false
		}
	}
	return false
}

// deletedAfter: "werden … Daten danach gelöscht?", "is the data deleted
// afterwards?": a word of deleting or keeping a few words after the data.
func deletedAfter(toks []token, i int) bool {
	for k := i + 1; k < len(toks) && k <= i+4; k++ {
		switch toks[k].s {
		case "gelöscht", "deleted", "gespeichert", "gspeichert", "stored", "kept", "aufbewahrt", "retained":
			return true
		}
	}
	return false
}

// keptBefore: a word of keeping or deleting stands a few words before the
// data at i ("keep my data", "how long do you keep any of our data",
// "löscht ihr unsere Daten").
func keptBefore(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-6; k-- {
		if toks[k].kind == tPunct {
			return false
		}
		switch toks[k].s {
		case "keep", "delete", "retain", "store", "behaltet", "behalten", "löscht", "löschen", "speichert", "speichern", "aufbewahren",
			"speicherts", "speichert's", "löschts", "behalts", "bhalts", "keeps", "stores", "deletes":
			return true
		}
	}
	return false
}

// namesOwnBooking: "unseren Termin am Dienstag", "our session on
// Tuesday", "my appointment tomorrow" — the customer's own booking, not
// a feature of the software ("our appointment book", "my session
// timeout").
func namesOwnBooking(toks []token) bool {
	if relatesToSessionOnDay(toks) {
		return true
	}
	for i := 0; i+1 < len(toks); i++ {
		// "Bleibt's beim Dienstag Vormittag?", "bleibt es bei Montag?",
		// "is it still on for Tuesday?": whether the booking stands.
		switch toks[i].s {
		case "bleibt's", "bleibts", "bleibt":
			for k := i + 1; k < len(toks) && k <= i+3; k++ {
				if toks[k].s == "beim" || toks[k].s == "bei" {
					return true
				}
			}
		case "still":
			if toks[i+1].s == "on" {
				return true
			}
		}
	}
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].s {
		case "unser", "unseren", "unsern", "unserem", "our", "my", "meinen", "mein", "meinem", "insan", "insern":
		default:
			continue
		}
		switch toks[i+1].s {
		case "termin", "appointment", "session", "fernwartungstermin", "fernwartung", "sitzung", "booking", "slot":
		default:
			continue
		}
		if i+2 < len(toks) && toks[i+2].kind == tWord && toks[i+2].w == nil {
			switch toks[i+2].s {
			case "müssen", "muss", "miass", "mias", "must", "we", "wir", "ma", "i", "ich", "has", "have", "is", "ist", "will", "won't", "can't", "kann", "können":
			default:
				continue // "our appointment book", "my session timeout"
			}
		}
		return true
	}
	return false
}

// relatesToSessionOnDay: "after the session on Tuesday", "vor da
// Fernwartung am Donnerstag", "beim Termin am Montag": something said in
// relation to a session on a day — one that was or is booked, not one
// asked for.
func relatesToSessionOnDay(toks []token) bool {
	for i := 2; i+2 < len(toks); i++ {
		if w := toks[i].w; w == nil || w.role&rAppt == 0 || sessionVerbs[toks[i].s] {
			continue
		}
		art := toks[i-1].s
		rel := toks[i-2].s
		switch art {
		case "the", "der", "dem", "den", "da", "de":
		case "beim", "vorm", "nachm", "zum", "zur":
			rel = "beim"
		default:
			continue
		}
		switch rel {
		case "after", "before", "during", "since", "nach", "vor", "während", "seit", "bei", "beim", "for", "für", "von", "from", "of", "zu":
		default:
			continue
		}
		if nx := toks[i+1].s; nx == "on" || nx == "am" || nx == "vom" || nx == "from" {
			if w := toks[i+2].w; w != nil && w.wd != 0 || toks[i+2].kind == tNum {
				return true
			}
		}
		if w := toks[i+1].w; w != nil && w.hasRel {
			return true // "bitte für den Termin heute nehmen"
		}
	}
	return false
}

// foreignThing: the mail names something that is not our software (a
// printer, the router, Windows) and never our program beside it ("der
// Drucker geht ned mit eurem Programm" is about ours).
// anyScopeNoun: a thing not ours is named anywhere in toks.
func anyScopeNoun(toks []token) bool {
	for i := range toks {
		if scopeNouns[toks[i].s] && !adjectiveHandy(&toks[i]) {
			return true
		}
	}
	return false
}

func foreignThing(toks []token) bool {
	for i := 1; i < len(toks); i++ {
		// "mei Word stürzt dauernd ab": the word processor, written with
		// its capital inside a sentence (not "in a word").
		if toks[i].s == "word" && toks[i].up && toks[i-1].kind == tWord && toks[i-1].nl == 0 && toks[i].nl == 0 {
			return true
		}
	}
	return foreignNoun(toks, scopeNouns)
}

// deviceNouns are the devices (not programs) a customer may ask us to fix.
// (Not the printer: it prints what our software makes, and customers ask
// us about it as often as not.)
var deviceNouns = map[string]bool{"router": true, "wlan": true, "wifi": true, "netzwerk": true, "network": true,
	"handy": true, "smartphone": true, "internet": true}

// foreignDevice: the mail is about a device that is not our software
// ("unser Internet-Router spinnt, kennts ihr da was machen per
// Fernwartung?").
func foreignDevice(toks []token) bool {
	for i := range toks {
		// "can your guys fix the router remotely?": the device is what
		// the customer asks us to fix, whatever else the mail names.
		switch toks[i].s {
		case "fix", "repair", "reparieren", "richten", "einrichten", "konfigurieren", "configure":
			for k := i + 1; k < len(toks) && k <= i+3; k++ {
				if deviceNouns[toks[k].s] && !adjectiveHandy(&toks[k]) {
					return true
				}
			}
		}
	}
	for i := range toks {
		switch toks[i].s {
		case "programm", "programms", "software", "program", "app", "kassa", "kasse":
			return false // ("der Drucker-Export im Programm spinnt")
		}
	}
	return foreignNoun(toks, deviceNouns)
}

// adjectiveHandy: "handy" written small is the English adjective
// ("whenever is handy"), not the German "Handy" (a mobile phone).
func adjectiveHandy(t *token) bool {
	return t.s == "handy" && !t.up
}

func foreignNoun(toks []token, nouns map[string]bool) bool {
	noun := false
	for i := range toks {
		s := toks[i].s
		if (nouns[s] && !adjectiveHandy(&toks[i]) || strings.IndexByte(s, '-') > 0 && nouns[s[strings.LastIndexByte(s, '-')+1:]]) &&
			!(i+1 < len(toks) && toks[i+1].s == "-" && !toks[i+1].sp) { // (not the first part of "Drucker-Export")
			noun = true
		}
		switch s {
		case "eurem", "eurer", "euer", "eure", "euren", "ihrem", "ihrer", "your":
			for k := i + 1; k < len(toks) && k <= i+2; k++ {
				switch toks[k].s {
				case "programm", "program", "software", "app", "system", "kassa", "kasse", "shop":
					return false
				}
			}
		}
	}
	return noun
}

// greetWord opens a mail ("Hello, …", "Servus, …").
func greetWord(s string) bool {
	switch s {
	case "hello", "hi", "hey", "hallo", "servus", "moin", "morning", "afternoon", "lads", "team", "all", "folks", "everyone", "gott", "grüezi", "griaß", "griass":
		return true
	}
	return false
}

// sessionOnlyAsked: every sentence that names the session is a question
// about it rather than for it — the session is where something happens
// ("muss bei einer Fernwartung jemand am Rechner sitzen?", "if your tech
// copies a backup during a session, how long do you keep it?", "wie lang
// speichert ihr die Daten von der Fernwartung?") or what a wh-question asks
// about ("how long does a session take?", "was kostet eine Schulung?").
// Such a mail asks for no slot; a person answers it.
func sessionOnlyAsked(toks []token) bool {
	asked := false
	ok := func(s []token) bool {
		named := -1
		for i := range s {
			if w := s[i].w; w != nil && w.role&rAppt != 0 && !negatedNoun(s, i) {
				named = i
				break
			}
		}
		if named < 0 {
			return true
		}
		if s[len(s)-1].s == "?" && needQuestion(s) {
			asked = true
			return true
		}
		if s[len(s)-1].s != "?" || asksForTime(s, signals{}) {
			return false
		}
		if aboutSession(s, named) {
			asked = true
			return true
		}
		return false
	}
	return eachSentence(toks, ok) && asked
}

// aboutSession: the question s names the session (at named) as the setting
// of what it asks, or asks what, how long, who or why of it — never when,
// and never whether we could hold one ("Wie wäre es mit einer Fernwartung?",
// "können Sie das per Fernwartung anschauen?").
func aboutSession(s []token, named int) bool {
	// The preposition that governs the session word, over its article and
	// an adjective or two ("bei da nächsten Fernwartung", "during a
	// session"; not "can one of you remote in").
	k := named - 1
	for k >= 0 && named-k <= 3 && sessionDeterminers[s[k].s] {
		k--
	}
	if k >= 0 && named-k <= 3 {
		switch s[k].s {
		case "bei", "beim", "während", "von", "vom", "vor", "nach", "during", "after", "before", "of", "from":
			if !opensRequest(s) {
				return true
			}
		}
	}

	for k := 0; k < len(s) && k < 4; k++ {
		switch s[k].s {
		case "wie", "was", "wer", "warum", "wieso", "weshalb", "wozu", "welche", "welcher", "welches", "wo",
			"how", "what", "who", "why", "which", "where":
			if k+1 < len(s) {
				switch s[k+1].s {
				case "wäre", "wär", "wärs", "wär's", "about", "schaut", "schauts", "schaut's", "sieht", "siehts", "time", "day", "date",
					"tag", "uhrzeit", "zeit", "termin", "slot", "slots", "works", "suits":
					return false // "Wie wäre es mit …?", "what about a session?", "which day suits?"
				}
			}
			return !opensRequest(s)
		}
	}
	return false
}

var sessionDeterminers = map[string]bool{
	"der": true, "die": true, "das": true, "dem": true, "den": true, "des": true, "da": true, "de": true,
	"ein": true, "eine": true, "einer": true, "einem": true, "eines": true, "einen": true, "a": true, "an": true, "the": true,
	"our": true, "your": true, "my": true, "this": true, "that": true, "each": true, "every": true, "any": true,
	"unserer": true, "unserem": true, "ihrer": true, "ihrem": true, "eurer": true, "eurem": true, "dieser": true, "diesem": true,
	"jeder": true, "jedem": true, "nächsten": true, "nächste": true, "letzten": true, "letzte": true, "next": true, "last": true,
	"remote": true, "online": true,
}

// opensRequest: the question opens with "can/could you", "können Sie",
// "would it be possible": whatever it names, it asks us to do something.
func opensRequest(s []token) bool {
	for k := 0; k+1 < len(s) && k < 3; k++ {
		switch s[k].s {
		case "können", "könnten", "kann", "könnt", "kannst", "könntet", "kenntn", "kennan", "could", "can", "would", "will", "würden", "würdet":
			switch s[k+1].s {
			case "sie", "ihr", "du", "you", "wir", "we", "ma", "mir":
				return true
			}
		}
	}
	return false
}

// contractions are Austrian and spoken German forms of a preposition with
// its article, read as the two words ("vom Dienstag auf'n Mittwoch",
// "fürn Termin").
var contractions = map[string][2]string{
	"auf'n": {"auf", "den"}, "aufn": {"auf", "den"}, "auf'm": {"auf", "dem"},
	"für'n": {"für", "den"}, "fürn": {"für", "den"},
}

// splitContractions writes each contraction in toks as its two words.
func splitContractions(toks []token) []token {
	return splitWords(toks, func(t *token) (string, string, bool) {
		if t.kind != tWord {
			return "", "", false
		}
		c, ok := contractions[t.s]
		return c[0], c[1], ok
	})
}

// splitWords writes each word of toks that split cuts in two as those two
// words, the second one set apart by a space. It copies toks only when a
// word is cut.
func splitWords(toks []token, split func(*token) (string, string, bool)) []token {
	n := 0
	for i := range toks {
		if _, _, ok := split(&toks[i]); ok {
			n++
		}
	}
	if n == 0 {
		return toks
	}
	out := make([]token, 0, len(toks)+n)
	for i := range toks {
		t := toks[i]
		x, y, ok := split(&t)
		if !ok {
			out = append(out, t)
			continue
		}
		a, b := t, t
		a.s, a.w = x, lookupWord(x)
		b.s, b.w, b.sp, b.nl, b.up = y, lookupWord(y), true, 0, false
		out = append(out, a, b)
	}
	return out
}

// needsSupport: "we need support with the new tax rates", "wir bräuchten
// Ihre Unterstützung beim Jahresabschluss" — help asked for, which beside a
// time asks for a session then (not "don't need help", "kein Support nötig").
func needsSupport(toks []token) bool {
	for i := range toks {
		if w := toks[i].s; !sessionNeedVerb(w) && w != "bräucht" && w != "bräuchat" {
			continue
		}
		if i > 0 {
			switch toks[i-1].s {
			case "don't", "dont", "not", "nicht", "no", "kein", "keine", "never":
				continue
			}
		}
		for k := i + 1; k < len(toks) && k <= i+3 && toks[k].kind == tWord; k++ {
			switch toks[k].s {
			case "nicht", "keine", "keinen", "kein", "no", "not":
				k = len(toks)
			case "support", "help", "assistance", "unterstützung", "hilfe",
				// "irgendwann nächste Woch bräucht i wen, der ma die
				// Preisliste einspielt", "we need someone to …"
				"wen", "jemanden", "jemand", "someone", "somebody":
				return true
			}
		}
	}
	return false
}

// productQuestion: the customer's own words ask what our software can do
// ("can your software print on 58mm labels at all?", "kann Ihr Programm
// auch Etiketten drucken?") and nothing else: a person answers, whatever
// a forwarded colleague suggested.
func productQuestion(toks []token) bool {
	if scanSignals(toks).appt {
		return false
	}
	for i := 0; i+2 < len(toks); i++ {
		switch toks[i].s {
		case "can", "does", "could", "will", "kann", "könnte", "macht", "unterstützt":
		default:
			continue
		}
		switch toks[i+1].s {
		case "your", "ihre", "ihr", "eure", "euer", "the", "die", "das":
		default:
			continue
		}
		switch toks[i+2].s {
		case "software", "program", "programme", "programm", "system", "app", "tool":
			return questionAfter(toks, i)
		}
	}
	return false
}

// releaseQuestion: a question when something of ours comes out ("kommt
// des e-card Update noch vor dem 1. Jänner?", "will version 13 be
// available before Easter?"): the date is the release's, not a wish.
func releaseQuestion(toks []token, lang uint8, now time.Time) bool {
	released := false
	ok := eachSentence(toks, func(s []token) bool {
		if s[len(s)-1].s == "?" && (releaseAsked(s) || released && releaseFollowUp(s)) && !scanSignals(s).appt && !opensRequest(s) {
			released = true
			return true
		}
		if released && !scanSignals(s).appt && !slices.ContainsFunc(s, func(t token) bool {
			switch t.s {
			case "help", "hilfe", "helfen", "unterstützung", "support":
				return true
			}
			return false
		}) {
			// "Wann kommt das Update raus? Wir brauchen die neuen
			// Tabellen ab 01.08.": after the question, why it matters.
			return true
		}
		// (Only when the rest of the mail asks for no time of its own:
		// "Kommt das Update vor Weihnachten? Dann am 28.12. um 10." asks
		// for that; "I read something about 15 November" tells.)
		asks, _ := sentenceTells(s, lang, now)
		return !asks
	})
	return ok && released
}

// releaseFollowUp: a question after a release question that asks on about
// it ("Wann kommt das nächste Update? Kommt es vor dem 15. Oktober?").
func releaseFollowUp(s []token) bool {
	pronoun, comes := false, false
	for k := range s {
		switch s[k].s {
		case "es", "it", "das", "des", "er", "sie", "that", "this":
			pronoun = true
		case "kommt", "kommen", "erscheint", "released", "available", "verfügbar", "rauskommt", "out", "due", "ready", "fertig":
			comes = true
		}
	}
	return pronoun && comes
}

// releaseAsked: the sentence asks when an update or version comes out
// ("Kommt das Update vor Jänner?", "when will version 14.3 be released?").
func releaseAsked(s []token) bool {
	thing, comes := false, false
	for k := range s {
		w := s[k].s
		switch {
		case w == "update" || w == "updates" || w == "version" || w == "release" || w == "patch" || w == "modul" || w == "module" || w == "feature" ||
			strings.HasSuffix(w, "update") || strings.HasSuffix(w, "version"):
			thing = true
		case w == "kommt" || w == "kommen" || w == "erscheint" || w == "erscheinen" || w == "released" || w == "available" || w == "verfügbar" ||
			w == "rauskommt" || w == "out" || w == "due":
			comes = true
		}
	}
	return thing && comes
}

// asksOurTimes: "Please propose a time", "suggest some slots", "send us a
// few times": the customer asks us for times — a session wanted.
func asksOurTimes(toks []token) bool {
	for i := range toks {
		if asksOurTimesAt(toks, i) || whenHaveYouTime(toks, i) {
			return true
		}
	}
	return false
}

// whenHaveYouTime: "Wann habt's Zeit?", "wann hätten Sie Zeit?", "when do
// you have time?" — our free times asked for.
func whenHaveYouTime(toks []token, i int) bool {
	if toks[i].s != "wann" && toks[i].s != "when" {
		return false
	}
	you, free := false, false
	for k := i + 1; k < len(toks) && k <= i+5 && toks[k].kind != tPunct; k++ {
		switch toks[k].s {
		case "habt's", "habts", "habt", "ihr", "sie", "you", "hättet", "hättets", "hätten", "haben":
			you = true
		case "zeit", "time", "free", "frei":
			free = true
		}
	}
	return you && free
}

func asksOurTimesAt(toks []token, i int) bool {
	switch toks[i].s {
	case "propose", "suggest", "send", "give":
	default:
		return false
	}
	for k := i + 1; k < len(toks) && k <= i+4; k++ {
		switch toks[k].s {
		case "time", "times", "slot", "slots", "date", "dates", "appointment", "options":
			if toks[i].s == "propose" || toks[i].s == "suggest" || k > i+1 && (toks[k-1].s == "some" || toks[k-1].s == "a" || toks[k-1].s == "few" || toks[k-1].s == "possible") {
				return true
			}
		}
	}
	return false
}

// splitWeekdayPart writes "Montagvormittag", "Dienstagnachmittag",
// "Freitagfrüh" as the weekday and its part of the day.
func splitWeekdayPart(toks []token) []token {
	return splitWords(toks, func(t *token) (string, string, bool) {
		if t.kind != tWord || t.w != nil || len(t.s) < 10 {
			return "", "", false
		}
		for _, wd := range []string{"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag"} {
			if rest, ok := strings.CutPrefix(t.s, wd); ok {
				if w := lookupWord(rest); w != nil && w.pod != 0 {
					return wd, rest, true
				}
			}
		}
		return "", "", false
	})
}

// thingCompounds joins an English session noun used as the first part of a
// noun compound with the thing it names — "training videos", "training
// material", "training documents" — into one word, as German writes
// "Schulungsvideos": material about training, no session asked for.
func thingCompounds(toks []token) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		if toks[i].s == "training" && i+1 < len(toks) && toks[i+1].sp && toks[i+1].nl == 0 && trainingThing(toks[i+1].s) {
			if out == nil {
				out = append(make([]token, 0, len(toks)), toks[:i]...)
			}
			t := toks[i]
			t.s, t.w = t.s+"-"+toks[i+1].s, nil
			out = append(out, t)
			i++
			continue
		}
		if out != nil {
			out = append(out, toks[i])
		}
	}
	if out == nil {
		return toks
	}
	return out
}

// trainingThing: a noun that, after "training", names a thing made for
// training rather than a session of it.
func trainingThing(w string) bool {
	switch w {
	case "video", "videos", "material", "materials", "manual", "manuals", "document", "documents",
		"documentation", "docs", "guide", "guides", "handbook", "slides", "certificate", "certificates",
		"budget", "costs", "fee", "fees", "price", "prices", "portal", "module", "environment",
		"database", "data", "version", "mode", "account", "licence", "license", "unterlagen":
		return true
	}
	return false
}

// needQuestion: the question asks whether a session is needed at all ("Do
// we have to book a session for it?", "Müssen wir dafür eine Fernwartung
// machen?").
func needQuestion(s []token) bool {
	return len(s) > 3 && (s[0].s == "do" || s[0].s == "does") && (s[1].s == "we" || s[1].s == "i") && (s[2].s == "have" || s[2].s == "need") ||
		len(s) > 2 && (s[0].s == "müssen" || s[0].s == "muss") && (s[1].s == "wir" || s[1].s == "ich")
}

// sessionNeedVerb: a verb of needing, which asks for a session only when
// the session (or nothing else) is what is needed.
func sessionNeedVerb(w string) bool {
	switch w {
	case "brauchen", "brauche", "bräuchten", "bräuchte", "benötigen", "benötige", "need", "needs", "require":
		return true
	}
	return false
}

// sentenceOf is the sentence of toks that holds the token at i.
func sentenceOf(toks []token, i int) []token {
	p := parser{toks: toks}
	a, b := i, i+1
	for a > 0 && !p.endsSentence(a-1) && toks[a].nl < 2 {
		a--
	}
	for b < len(toks) && !p.endsSentence(b-1) && toks[b].nl < 2 {
		b++
	}
	return toks[a:b]
}

// storesOurs: the verb of storing at i has "anything of ours" as its
// object ("speichert AnyDesk irgendwas von uns?", "does it store any of
// our data?").
func storesOurs(toks []token, i int) bool {
	for k := i + 1; k < len(toks) && k <= i+4 && toks[k].kind != tPunct; k++ {
		switch toks[k].s {
		case "irgendwas", "etwas", "was", "daten", "anything", "something", "data":
			return true
		}
	}
	// A German clause puts its verb last: "ob ihr bei der Fernwartung
	// unsere Gästedaten speichert".
	for k := i - 1; k >= 0 && k >= i-4 && toks[k].kind != tPunct; k-- {
		if s := toks[k].s; s == "irgendwas" || s == "etwas" || strings.HasSuffix(s, "daten") {
			return true
		}
	}
	return false
}

// sessionVerbs are the verbs of the session itself (the technician
// looking in or dialling in), among the words with the rAppt role.
var sessionVerbs = func() map[string]bool {
	m := make(map[string]bool, len(sessionVerbWords))
	for _, w := range sessionVerbWords {
		m[w] = true
	}
	return m
}()

// opensRequestAT: the Austrian "könnt's ihr", "kennt's es" opens the
// sentence s (the pronoun glued to the verb).
func opensRequestAT(s []token) bool {
	for k := 0; k < len(s) && k < 3; k++ {
		switch s[k].s {
		case "könnt's", "könnts", "kennt's", "kennts":
			return true
		}
	}
	return false
}

// dateAfterAm: a date or a day follows the "am" before j ("Montag 10 am
// 12." makes no clock of the 10). Anything else — a verb, "Vormittag",
// "besten" — leaves the number after a weekday its hour: "Montag 11 am
// reinschauen", "Montag 10 am Vormittag", "Montag 10 am besten".
func dateAfterAm(toks []token, j int) bool {
	if j >= len(toks) {
		return false
	}
	t := &toks[j]
	if t.kind == tNum {
		return true
	}
	w := t.w
	return w != nil && (w.wd != 0 || w.month != 0 || w.hasRel || w.feast)
}
