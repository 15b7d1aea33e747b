package understand

import (
	"strconv"
	"strings"
	"time"
)

// Feast days as anchors: "am Mittwoch nach Maria Empfängnis", "der Montag
// vor Heiligabend", "am Tag nach Dreikönig", "the Tuesday after Easter
// Monday", "the first working day after New Year's Day". The reading is
// always confirmed with the customer (ReasonFeast), so this only has to
// make our best guess the right first option.

// feastDate names a feast by one token (and, for a few, the token after
// it) and says when it falls in year y.
func feastDate(toks []token, i, y int, loc *time.Location) (time.Time, int, bool) {
	d := func(m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, loc) }
	next := ""
	if i+1 < len(toks) {
		next = toks[i+1].s
	}
	after := ""
	if i+2 < len(toks) {
		after = toks[i+2].s
	}
	easter := easterSunday(y, loc)
	prev := ""
	if i > 0 {
		prev = toks[i-1].s
	}
	switch toks[i].s {
	case "himmelfahrt":
		// "Maria Himmelfahrt" is 15 August; "Christi Himmelfahrt", or
		// "Himmelfahrt" alone, Easter + 39.
		if prev == "maria" || prev == "mariä" || prev == "mariae" {
			return d(time.August, 15), 1, true
		}
		return easter.AddDate(0, 0, 39), 1, true
	case "assumption":
		return d(time.August, 15), 1, true
	case "ascension":
		return easter.AddDate(0, 0, 39), 1, true
	case "corpus":
		if next == "christi" {
			return easter.AddDate(0, 0, 60), 2, true
		}
	case "pentecost":
		return easter.AddDate(0, 0, 49), 1, true
	case "whit":
		if next == "monday" {
			return easter.AddDate(0, 0, 50), 2, true
		}
	case "krampus", "krampustag", "krampusnacht":
		return d(time.December, 5), 1, true
	case "einheit":
		return d(time.October, 3), 1, true // "Tag der Deutschen Einheit"
	case "reformationstag", "halloween":
		return d(time.October, 31), 1, true
	case "nikolaus", "nikolo", "nikolotag", "nikolaustag":
		return d(time.December, 6), 1, true
	case "immaculate", "conception":
		return d(time.December, 8), 1, true
	case "david's", "davids", "david’s":
		// St David's Day (Wales).
		if prev == "st" || prev == "saint" || prev == "st." || next == "day" {
			return d(time.March, 1), 1, true
		}
	case "patrick's", "patricks", "paddy's", "paddys", "patrick’s":
		// St Patrick's Day (Ireland, Northern Ireland).
		return d(time.March, 17), 1, true
	case "valentinstag", "valentine's":
		return d(time.February, 14), 1, true
	case "national":
		// "national holiday" in mail to an Austrian desk: 26 October.
		if next == "holiday" || next == "day" {
			return d(time.October, 26), 2, true
		}
	case "labour", "labor":
		if next == "day" {
			return d(time.May, 1), 2, true
		}
	case "arbeit":
		if prev == "der" && i >= 2 && toks[i-2].s == "tag" {
			return d(time.May, 1), 1, true // "Tag der Arbeit"
		}
	case "allerheiligen", "saints":
		return d(time.November, 1), 1, true
	case "allerseelen":
		return d(time.November, 2), 1, true
	case "empfängnis":
		return d(time.December, 8), 1, true
	case "heiligabend":
		return d(time.December, 24), 1, true
	case "weihnachtsfeiertag", "weihnachtsfeiertage", "weihnachtsfeiertagen":
		if toks[i].s != "weihnachtsfeiertag" {
			// "nach den Weihnachtsfeiertagen": both days, the 26th last;
			// "vor den Weihnachtsfeiertagen": the 25th first.
			for k := i - 1; k >= 0 && k >= i-3; k-- {
				if s := toks[k].s; s == "vor" || s == "vorm" || s == "before" {
					return d(time.December, 25), 1, true
				}
			}
			return d(time.December, 26), 1, true
		}
		// "am zweiten Weihnachtsfeiertag": 26 December; the first is the 25th.
		if prev == "zweiten" || prev == "zweite" || prev == "zweiter" {
			return d(time.December, 26), 1, true
		}
		return d(time.December, 25), 1, true
	case "weihnachten", "weihnacht", "christtag", "christmas", "xmas":
		if next == "eve" {
			return d(time.December, 24), 2, true
		}
		return d(time.December, 25), 1, true
	case "stefanitag", "stephanitag", "stefanstag", "stephanstag", "boxing", "stefani", "stephani":
		return d(time.December, 26), 1, true
	case "stephen's", "stephen’s", "stephens", "stephen":
		// "St Stephen's Day" (Ireland, Austria's Stefanitag).
		if next == "day" {
			return d(time.December, 26), 2, true
		}
	case "heiligen", "heiliger", "heilige", "heiliga":
		// "vorm Heiligen Abend", "am Heiligen Abend": 24 December.
		if next == "abend" || next == "obend" {
			return d(time.December, 24), 2, true
		}
		if next == "drei" && (after == "könige" || after == "königen") {
			return d(time.January, 6), 3, true // "nach Heilige Drei Könige"
		}

	case "silvester":
		return d(time.December, 31), 1, true
	case "neujahr":
		return d(time.January, 1), 1, true
	case "new":
		if next == "year" || next == "year's" {
			if after == "eve" {
				return d(time.December, 31), 3, true
			}
			n := 2
			if after == "day" {
				n = 3
			}
			return d(time.January, 1), n, true
		}
	case "dreikönig", "dreikönigstag", "könige", "königen", "epiphany":
		return d(time.January, 6), 1, true
	case "karfreitag":
		return easter.AddDate(0, 0, -2), 1, true
	case "good":
		if next == "friday" {
			return easter.AddDate(0, 0, -2), 2, true
		}
	case "ash":
		if next == "wednesday" {
			return easter.AddDate(0, 0, -46), 2, true
		}
	case "shrove":
		if next == "tuesday" {
			return easter.AddDate(0, 0, -47), 2, true
		}
	case "palm":
		if next == "sunday" {
			return easter.AddDate(0, 0, -7), 2, true
		}
	case "maundy", "holy":
		if next == "thursday" {
			return easter.AddDate(0, 0, -3), 2, true
		}
		if next == "saturday" && toks[i].s == "holy" {
			return easter.AddDate(0, 0, -1), 2, true
		}
		if next == "week" && toks[i].s == "holy" {
			return easter.AddDate(0, 0, -7), 2, true // Palm Sunday; the week after it
		}
	case "karwoche":
		return easter.AddDate(0, 0, -7), 1, true
	case "bettag", "bußtag", "busstag", "buß", "buss":
		// "Buß- und Bettag" (Saxony): the Wednesday before 23 November,
		// named by its last word or from its first ("am Buß- und Bettag").
		n := 1
		if t := toks[i].s; t == "buß" || t == "buss" {
			n = 0
			for k := i + 1; k < len(toks) && k <= i+3; k++ {
				if toks[k].s == "bettag" {
					n = k - i + 1
				}
			}
			if n == 0 {
				return time.Time{}, 0, false
			}
		}
		day := d(time.November, 22)
		for day.Weekday() != time.Wednesday {
			day = day.AddDate(0, 0, -1)
		}
		return day, n, true
	case "ostern", "easter", "ostersonntag":
		if next == "monday" || next == "montag" {
			return easter.AddDate(0, 0, 1), 2, true
		}
		return easter, 1, true
	case "ostermontag", "osterfeiertage", "osterfeiertagen", "osterfeiertag":
		// ("nach den Osterfeiertagen": after Easter Monday)
		return easter.AddDate(0, 0, 1), 1, true
	case "osterdienstag":
		return easter.AddDate(0, 0, 2), 1, true
	case "fasching", "faschingsdienstag", "karneval", "fastnacht", "rosenmontag":
		if toks[i].s == "rosenmontag" {
			return easter.AddDate(0, 0, -48), 1, true
		}
		return easter.AddDate(0, 0, -47), 1, true
	case "aschermittwoch":
		return easter.AddDate(0, 0, -46), 1, true
	case "gründonnerstag":
		return easter.AddDate(0, 0, -3), 1, true
	case "joseph's", "josephs", "joseph’s", "joseph":
		// St Joseph's Day (Styria, Carinthia, Tyrol, Vorarlberg).
		if prev == "st" || prev == "saint" || prev == "st." || next == "day" {
			return d(time.March, 19), 1, true
		}
	case "josefi", "josefitag", "josefstag":
		return d(time.March, 19), 1, true
	case "leopoldi", "leopolditag":
		return d(time.November, 15), 1, true
	case "florianitag", "florian", "floriani":
		return d(time.May, 4), 1, true
	case "martini", "martinitag", "martinstag":
		return d(time.November, 11), 1, true
	case "rupertitag", "ruperti":
		// Salzburg's patron day.
		return d(time.September, 24), 1, true
	case "thanksgiving":
		// The fourth Thursday of November (United States).
		first := d(time.November, 1)
		return first.AddDate(0, 0, (int(time.Thursday)-int(first.Weekday())+7)%7+21), 1, true
	case "pfingsten", "whitsun":
		return easter.AddDate(0, 0, 49), 1, true
	case "pfingstmontag", "pfingstfeiertage", "pfingstfeiertagen":
		return easter.AddDate(0, 0, 50), 1, true
	case "pfingstdienstag":
		return easter.AddDate(0, 0, 51), 1, true
	case "fronleichnam":
		return easter.AddDate(0, 0, 60), 1, true
	case "nationalfeiertag":
		return d(time.October, 26), 1, true
	case "staatsfeiertag":
		return d(time.May, 1), 1, true
	}
	return time.Time{}, 0, false
}

// holyWeekAt: the feast at i is Holy Week ("Karwoche", "Holy Week"), a
// week rather than a day.
func holyWeekAt(toks []token, i int) bool {
	return i >= 0 && i < len(toks) && (toks[i].s == "karwoche" || toks[i].s == "holy" && i+1 < len(toks) && toks[i+1].s == "week")
}

// easterSunday is the Gregorian Easter Sunday of year y (the anonymous
// Gregorian algorithm).
func easterSunday(y int, loc *time.Location) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, loc)
}

// feastWish reads a wish anchored to a feast day; ok is false when the
// mail names none with "nach/after" or "vor/before" around it, or when a
// plain date already says the day.
func feastWish(toks []token, ws []Wish, now time.Time) (Wish, bool) {
	w, ok := feastWishFrom(toks, ws, now, false)
	// A feast just past still anchors what comes after it: "in der Woche
	// nach Allerheiligen, am Dienstag" the day after Allerheiligen, "the
	// Tuesday after Easter" on Easter Monday. The nearest reading still to
	// come wins.
	if p, pok := feastWishFrom(toks, ws, now, true); pok && p.Start.After(now) && (!ok || p.Start.Before(w.Start)) {
		return p, true
	}
	return w, ok
}

// feastWishFrom is feastWish with the feast's next date as anchor, or with
// keepPast this year's date even when it has passed.
func feastWishFrom(toks []token, ws []Wish, now time.Time, keepPast bool) (Wish, bool) {
	loc := now.Location()
	dir, wd, dayAfter, workday, on, weekAfter, wdAfterDir, anchorAt := 0, 0, false, false, 0, false, false, -1
	weekBefore := false
	between := -1 // where "zwischen X und Y" opens
	bridge := false
	wdAt := -1
	var anchor time.Time
	for i := range toks {
		t := &toks[i]
		if t.kind != tWord {
			continue
		}
		switch t.s {
		case "nach", "nach'm", "after", "drauf", "darauf", "danach", "following":
			if dir == 0 {
				dir = 1
			}
		case "zwischen", "between":
			// ("zwischen Stefanitag und Silvester, am Dienstag": after
			// the first of two feasts, when a weekday is named.)
			if dir == 0 && betweenFeasts(toks, i) {
				dir, between = 1, i
			}
		case "vor", "vorm", "before", "davor", "vorher":
			if dir == 0 {
				dir = -1
			}
		case "fenstertag", "brückentag":
			// (Not "Danach haben wir Brückentag.": the bridge day told.)
			bridge = true
			for k := i - 1; k >= 0 && k >= i-3 && toks[k].kind == tWord; k-- {
				switch toks[k].s {
				case "haben", "hab", "habe", "ham", "have", "ist", "is", "san", "sind", "wär", "wäre":
					bridge = false
				}
			}
		case "tag", "day":
			if i+1 < len(toks) {
				switch toks[i+1].s {
				case "nach", "nach'm", "after", "danach", "darauf", "drauf":
					// "am Tag nach Dreikönig", "also am Tag danach"
					dayAfter, dir = true, 1
				case "vor", "vorm", "before", "davor", "vorher":
					// "am Tag davor", "the day before Christmas Eve"
					dayAfter, dir = true, -1
				}
			}
		case "an", "am", "on", "zu", "preferably", "ideally", "idealerweise", "bevorzugt":
			// "an Silvester vormittags", "on Christmas Eve": the feast day
			// itself; "noch vor Ostern, am liebsten Gründonnerstag" too.
			k := i + 1
			if k < len(toks) && (toks[k].s == "liebsten" || toks[k].s == "besten") && t.s == "am" {
				k++
			}
			if k < len(toks) && (on == 0 || k > 0 && (toks[k-1].s == "liebsten" || toks[k-1].s == "besten" || t.s == "preferably" || t.s == "ideally")) {
				if _, _, ok := feastDate(toks, k, now.Year(), loc); ok {
					on = k
				}
			}
		case "werktag", "arbeitstag", "working", "business":
			workday = true
		case "woche", "week", "woch", "wochn", "woch'n", "wocha":
			// "in der Woche nach Ostern", "the week after Easter", "in da
			// Wochn vor Weihnachten"
			if i+1 < len(toks) && (toks[i+1].s == "nach" || toks[i+1].s == "after") {
				weekAfter = true
			}
			// "in der Woche vor Weihnachten", "the week before Easter"
			if i+1 < len(toks) && (toks[i+1].s == "vor" || toks[i+1].s == "before") {
				weekBefore = true
			}
		}
		partOfFeast := i > 0 && (toks[i-1].s == "ostern" || feastBeforeWeekday(toks[i-1].s))
		onward := pointsOn(toks, i)
		itself := i+1 < len(toks) && (toks[i+1].s == "itself" || toks[i+1].s == "selbst" || toks[i+1].s == "selber")
		if t.w != nil && t.w.wd != 0 && !t.w.wdAbbr && !partOfFeast && !itself && (wd == 0 || dir != 0 && !wdAfterDir || onward) {
			// ("We're closed on the Monday itself": the feast's own day.)
			if onward {
				// "the Monday after", "am Montag drauf"
				wd, wdAfterDir, dir, wdAt = int(t.w.wd), true, 1, i
				continue
			}
			// The weekday after "nach/after" wins: "am Freitag ist Josefi.
			// Nach Josefi, also am Montag drauf".
			wd, wdAt = int(t.w.wd), i
			wdAfterDir = dir != 0
		}
		if feastSideRefused(toks, i) {
			// "Nach Ostern is zu spät": no anchor of the day asked for.
			continue
		}
		if anchor.IsZero() || on > 0 && on == i && anchorAt != i || directlyAfterDir(toks, i) && !directlyAfterDir(toks, anchorAt) || holyWeekAt(toks, anchorAt) && i != anchorAt ||
			weekdayDirBefore(toks, i) && !weekdayDirBefore(toks, anchorAt) ||
			feastNamesWeekday(t.s) && anchorAt >= 0 && sentenceBreakBetween(toks, anchorAt, i) && clockNext(toks, i) ||
			directlyAfterDir(toks, i) && anchorAt >= 0 && sentenceBreakBetween(toks, anchorAt, i) && timeThenPlease(toks[i:]) {
			// ("vor Ostern is bei uns Chaos. Gleich nach de
			// Osterfeiertage bitte.": the feast in the sentence that asks.)
			// ("you are closed Pfingstmontag. So Pfingstdienstag um 10
			// Uhr?": the feast day asked for, in a later sentence, wins.)
			// ("vor Ostern is die Hölle los, … am Dienstag nach Ostern um
			// 10": the feast a weekday is told from wins.)
			// ("in der Karwoche ist es ruhig. Wäre Gründonnerstag um 9
			// möglich?": the day named wins over its week.)
			// ("zwischen Weihnachten und Silvester …, gleich nach dem
			// Stefanitag": the feast a direction word points at wins.)
			if a, _, ok := feastDate(toks, i, now.Year(), loc); ok {
				if a.AddDate(0, 0, 1).Before(now) && !keepPast {
					a, _, _ = feastDate(toks, i, now.Year()+1, loc)
				}
				anchor, anchorAt = a, i
				// The direction word right before the feast names its side
				// ("vor den Feiertagen … nach Dreikönig").
				for k := i - 1; k >= 0 && k >= i-3; k-- {
					switch toks[k].s {
					case "nach", "nach'm", "after":
						dir = 1
					case "zwischen", "between":
						if !betweenFeasts(toks, k) {
							continue
						}
						dir = 1
					case "vor", "vorm", "before":
						dir = -1
					default:
						continue
					}
					break
				}
			}
		}
	}
	if anchor.IsZero() {
		// "nach dem Feiertag (15.8.)", "a holiday on August 15th … the day
		// after", "a national holiday next Friday": the day named next to
		// a word for a holiday is the anchor.
		var a, b int
		anchor, a, b = holidayNamed(toks, now)
		if !anchor.IsZero() {
			// The weekday wished is one said outside the holiday's own
			// words ("after the bank holiday on Monday? Tuesday would be
			// ideal").
			wd = 0
			for k := range toks {
				if k >= a && k < b {
					continue
				}
				if w := toks[k].w; w != nil && w.wd != 0 && !w.wdAbbr {
					if wd == 0 || pointsOn(toks, k) {
						wd = int(w.wd)
					}
				}
			}
		}
	}
	if anchor.IsZero() || between >= 0 && wd == 0 && anchorAt <= between+8 {
		// ("habt's ihr zwischen Weihnachten und Dreikönig offen?": a
		// span asked about, no day.)
		return Wish{}, false
	}
	if wd != 0 && !wdAfterDir && anchorAt > wdAt && wdAt >= 0 && sentenceBreakBetween(toks, wdAt, anchorAt) {
		// "next Monday at 10 o'clock. We have problems … after the new
		// year settings.": a feast in a later sentence is no anchor of
		// the day asked for before it.
		return Wish{}, false
	}
	if wd != 0 && wdAt > 0 && anchorAt >= 0 && anchorAt < wdAt && sentenceBreakBetween(toks, anchorAt, wdAt) {
		switch toks[wdAt-1].s {
		case "nächsten", "nächste", "kommenden", "kommende", "next", "this", "diesen", "coming":
			// "… erst vor Allerheiligen fertig sein muss. Geht nächsten
			// Donnerstag um 10?": a weekday told from today, in a sentence
			// of its own, is no day of the feast's.
			return Wish{}, false
		}
	}
	if anchor.AddDate(0, 0, 1).Before(now) && !keepPast {
		return Wish{}, false
	}
	if wd != 0 && !wdAfterDir {
		// "am Donnerstag is ja Feiertag (Christi Himmelfahrt), so lets do
		// it the day before": the weekday names the feast itself.
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		for k := 0; k < 7; k++ {
			if d := today.AddDate(0, 0, k); weekdayIndex(d) == wd {
				if sameDate(d, anchor) {
					wd = 0
				}
				break
			}
		}
	}
	if bridge && wd == 0 {
		// "am Fenstertag nach Fronleichnam": the working day between the
		// feast and the weekend.
		switch anchor.Weekday() {
		case time.Thursday:
			dir, dayAfter = 1, true
		case time.Tuesday:
			dir, dayAfter = -1, true
		}
	}
	if weekAfter && wd != 0 {
		// "die Woche nach Mariä Himmelfahrt, am liebsten gleich am Montag"
		mon := anchor.AddDate(0, 0, 7-(weekdayIndex(anchor)-1))
		anchor, dir = mon.AddDate(0, 0, -1), 1
	}
	if weekAfter && wd == 0 {
		// The working week after the feast's week.
		mon := anchor.AddDate(0, 0, 7-(weekdayIndex(anchor)-1))
		end := mon.AddDate(0, 0, 5)
		return Wish{Start: mon, End: &end, Precision: PrecisionDay}, true
	}
	if weekBefore && !weekAfter && wd == 0 {
		// The working days leading up to the feast: its own week when
		// it falls on a Wednesday or later (Christmas on a Friday: the
		// 21st to the 24th; Easter Sunday: Holy Week), the week before
		// when it falls on a Monday or Tuesday.
		mon := anchor.AddDate(0, 0, -(weekdayIndex(anchor) - 1))
		end := anchor
		if weekdayIndex(anchor) <= 2 {
			mon = mon.AddDate(0, 0, -7)
			end = mon.AddDate(0, 0, 5)
		}
		if end.Sub(mon) > 5*24*time.Hour {
			end = mon.AddDate(0, 0, 5)
		}
		if mon.After(now) {
			return Wish{Start: mon, End: &end, Precision: PrecisionDay}, true
		}
	}
	if dir == 0 && holyWeekAt(toks, anchorAt) {
		// "in der Karwoche, am Mittwoch um 13:00", "in Holy Week": the
		// days after Palm Sunday.
		dir, on = 1, 0
	}
	// "would Maundy Thursday at 10 work?", "Easter Monday 9am?": a feast
	// that names its weekday is that day, with no "on" before it.
	itself := dir == 0 && on == 0 && anchorAt >= 0 && anchorAt+1 < len(toks) && toks[anchorAt+1].w != nil && (toks[anchorAt+1].w.wd != 0 || toks[anchorAt+1].w == feastNamePart)
	// "Pfingstdienstag um 10 Uhr", "Gründonnerstag 9 Uhr": a feast whose
	// name ends in its weekday is that day too.
	if dir == 0 && on == 0 && wdAt < 0 && anchorAt >= 0 && feastNamesWeekday(toks[anchorAt].s) {
		itself = true
	}
	if (itself || on > 0 && on == anchorAt) && !dayAfter && wd == 0 {
		dir = 0 // "am Faschingsdienstag am Nachmittag": the feast day itself
	}
	if dir == 0 && (on > 0 || itself) {
		// The feast day itself, with the time the customer gave.
		wd, dayAfter, workday = 0, false, false
	} else if dir == 0 {
		return Wish{}, false
	} else if wd == 0 && !dayAfter && !workday {
		// "nach Dreikönig", "before Christmas": the next working day on
		// that side of the feast, unless the mail names a day itself.
		if namesADay(toks) {
			return Wish{}, false
		}
		workday = true
	}
	day := anchor
	switch {
	case dir == 0:
	case wd != 0:
		// The first such weekday after (or the last before) the feast.
		for k := 0; k < 7; k++ {
			day = day.AddDate(0, 0, dir)
			if weekdayIndex(day) == wd {
				break
			}
		}
	default:
		day = day.AddDate(0, 0, dir)
		for workday && (day.Weekday() == time.Saturday || day.Weekday() == time.Sunday || publicHoliday(day)) {
			// ("gleich nach Ostern": not Easter Monday; "first working
			// day after Weihnachten": not Stefanitag.)
			day = day.AddDate(0, 0, dir)
		}
	}
	// The clock time (or part of the day) the customer gave, on that day.
	for _, w := range ws {
		if w.Precision == PrecisionDay {
			continue
		}
		h, m, _ := w.Start.In(loc).Clock()
		start := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
		out := Wish{Start: start, Precision: w.Precision}
		if w.End != nil {
			e := start.Add(w.End.Sub(w.Start))
			if w.Precision == PrecisionPartOfDay && e.Day() != start.Day() {
				e = time.Date(day.Year(), day.Month(), day.Day(), 17, 0, 0, 0, loc)
			}
			out.End = &e
		}
		return out, true
	}
	if h, ok := bareHourAfter(toks, anchorAt); ok {
		// "Am Gründonnerstag um 2?": a bare hour right after the feast is
		// a clock time on it (within support hours: 2 is 14:00).
		return Wish{Start: time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, loc), Precision: PrecisionMinute}, true
	}
	end := day.AddDate(0, 0, 1)
	return Wish{Start: day, End: &end, Precision: PrecisionDay}, true
}

// sentenceBreakBetween: a sentence ends between tokens a and b.
// (The parser's own sentence boundary, as timeSentences and
// sentenceStart use it.)
func sentenceBreakBetween(toks []token, a, b int) bool {
	p := parser{toks: toks}
	for k := a + 1; k < b && k < len(toks); k++ {
		if toks[k].nl >= 2 || toks[k].kind == tPunct && (toks[k].s == "?" || toks[k].s == "!" || toks[k].s == "." && p.boundary(k)) {
			return true
		}
	}
	return false
}

// bareHourAfter reads "um 2", "at 9" right after the feast word at i.
func bareHourAfter(toks []token, i int) (int, bool) {
	if i < 0 || i+2 >= len(toks) {
		return 0, false
	}
	switch toks[i+1].s {
	case "um", "at", "gegen":
	default:
		return 0, false
	}
	t := &toks[i+2]
	if t.kind != tNum || len(t.s) > 2 {
		return 0, false
	}
	if i+3 < len(toks) && toks[i+3].kind == tPunct && (toks[i+3].s == ":" || toks[i+3].s == ".") && i+4 < len(toks) && toks[i+4].kind == tNum {
		return 0, false // "um 2.30" is read with the other times
	}
	h, err := strconv.Atoi(t.s)
	if err != nil || h < 1 || h > 12 {
		return 0, false
	}
	if h < 7 {
		h += 12
	}
	return h, true
}

// pointsOn: the word after token i points on from an anchor ("the Monday
// after", "am Montag drauf").
func pointsOn(toks []token, i int) bool {
	if i+1 >= len(toks) {
		return false
	}
	switch toks[i+1].s {
	case "after", "danach", "drauf", "darauf":
		return true
	}
	return false
}

// betweenFeasts: "zwischen"/"between" at i opens "X und Y" with a feast
// named after the "und" ("zwischen Stefanitag und Silvester").
func betweenFeasts(toks []token, i int) bool {
	for k := i + 1; k < len(toks) && k <= i+5; k++ {
		if toks[k].s != "und" && toks[k].s != "and" {
			continue
		}
		for j := k + 1; j < len(toks) && j <= k+3; j++ {
			if w := toks[j].w; w != nil && w.feast {
				return true
			}
		}
		return false
	}
	return false
}

// directlyAfterDir: "nach dem Stefanitag", "before Christmas": a direction
// word stands right before token i (an article between).
func directlyAfterDir(toks []token, i int) bool {
	if i < 1 {
		return false
	}
	k := i - 1
	switch toks[k].s {
	case "dem", "den", "the", "de", "da", "der":
		k--
	}
	if k < 0 {
		return false
	}
	switch toks[k].s {
	case "nach", "nach'm", "vor", "vorm", "after", "before":
		return true
	}
	return false
}

// holidayWords name a holiday without saying which.
var holidayWords = map[string]bool{"feiertag": true, "feiertagen": true, "holiday": true, "fenstertag": true, "brückentag": true}

// holidayNamed finds a day named within a few words of a word for a
// holiday ("nach dem Feiertag (15.8.)", "a holiday on August 15th",
// "Austria has a national holiday next Friday").
func holidayNamed(toks []token, now time.Time) (time.Time, int, int) {
	stop := func(k int) bool {
		switch toks[k].s {
		case ",", "?", "!", ";", "also", "so", "then", "dann", "could", "can", "would", "but", "aber":
			return true
		case ".":
			return k == 0 || toks[k-1].kind != tNum
		}
		return toks[k].nl >= 2
	}
	for i := range toks {
		// "am Tag nach dem 1. Mai", "the day after 14 March": the date
		// itself is the anchor.
		dayOf := (toks[i].s == "tag" || toks[i].s == "day") && i+1 < len(toks) &&
			(toks[i+1].s == "nach" || toks[i+1].s == "vor" || toks[i+1].s == "after" || toks[i+1].s == "before")
		if !holidayWords[toks[i].s] && !dayOf {
			continue
		}
		a, b := i, i+1
		if dayOf {
			a, b = i+2, i+2
		}
		for a > 0 && a > i-4 && !stop(a-1) {
			a--
		}
		reach, bracket := i+7, false
		if dayOf {
			// "the day after our Independence Day (24 February)": the
			// event's date in brackets is the anchor.
			for k := i + 2; k < len(toks) && k <= i+8 && toks[k].kind == tWord; k++ {
				if k+2 < len(toks) && toks[k+1].s == "(" && toks[k+2].kind == tNum {
					a, b, reach, bracket = k+2, k+2, k+7, true
					break
				}
			}
		}
		for b < len(toks) && b < reach && !stop(b) && !(bracket && toks[b].s == ")") {
			b++
		}
		for _, w := range extractNamed(toks[a:b], langDE, now) {
			if w.Start.After(now) {
				y, m, d := w.Start.Date()
				return time.Date(y, m, d, 0, 0, 0, 0, now.Location()), a, b
			}
		}
	}
	return time.Time{}, 0, 0
}

// germanClockAt: the number at toks[i] is a clock written the German way,
// "10:30", "10.30", "10 Uhr".
func germanClockAt(toks []token, i int) bool {
	if i+1 >= len(toks) {
		return false
	}
	nx := &toks[i+1]
	return nx.s == ":" || nx.s == "." && !nx.sp || nx.w != nil && nx.w.role&rUhr != 0
}

// namesADay reports a weekday, a month or a date ("23.") in toks.
func namesADay(toks []token) bool {
	for i := range toks {
		t := &toks[i]
		if t.w.namesDay() && !(t.s == "morgen" && i > 0 && toks[i-1].w != nil && toks[i-1].w.role&rGreet != 0) {
			// (Not the "Morgen" of "Guten Morgen".)
			return true
		}
		// "Fr 9h30", "Do 10h", "Mi halb 9", "Mi um 10": an abbreviated
		// weekday right before a time.
		if t.w != nil && t.w.wdAbbr && i+1 < len(toks) {
			// (Not a lower-case "so um 9", "so halb 10": "around".)
			// (Nor the verb of "could we do 2pm instead?": a lower-case "do"
			// or "so" before a bare number is a day only before a German
			// clock, "do 10:30", "do 10 uhr".)
			if nx := &toks[i+1]; nx.kind == tNum && (t.up || t.s != "do" && t.s != "so" || germanClockAt(toks, i+1)) ||
				t.up && t.s != "so" && (nx.s == "um" || nx.w != nil && nx.w.role&(rHalf|rQuarter) != 0) && i+2 < len(toks) && toks[i+2].kind == tNum {
				return true
			}
		}
		if t.kind == tNum && len(t.s) == 4 && t.n >= 2000 && i+4 < len(toks) && toks[i+1].s == "-" && !toks[i+1].sp &&
			toks[i+2].kind == tNum && toks[i+2].n >= 1 && toks[i+2].n <= 12 && toks[i+3].s == "-" && toks[i+4].kind == tNum {
			return true // "2091-09-13"
		}
		if t.kind == tNum && t.n >= 1 && t.n <= 31 && i+1 < len(toks) && !(i > 0 && (toks[i-1].s == "um" || toks[i-1].s == "at" || toks[i-1].s == "gegen")) &&
			!(i > 0 && !t.sp && toks[i-1].kind != tPunct) { // (not the end of "error 0x17.")
			switch toks[i+1].s {
			case ".", "th", "st", "nd", "rd":
				return true // "am 23.", "the 28th"
			case "/":
				if i+2 < len(toks) && toks[i+2].kind == tNum && !toks[i+1].sp && !toks[i+2].sp && toks[i+2].n >= 1 && toks[i+2].n <= 12 &&
					!(t.n <= 3 && (toks[i+2].n == 2 || toks[i+2].n == 4)) {
					return true // "10/12/2026" — not "1/2 10", "3/4 11"
				}
			}
		}
	}
	return false
}

// namesDay: a weekday written out, a month or a day relative to today
// ("morgen", "tomorrow's"). Nil-safe: most words have no entry.
func (w *wordInfo) namesDay() bool {
	return w != nil && (w.wd != 0 && !w.wdAbbr || w.month != 0 || w.hasRel)
}

// weekdayDirBefore: a weekday and a direction word stand right before the
// feast at i ("Dienstag nach Ostern", "the Tuesday after Easter").
func weekdayDirBefore(toks []token, i int) bool {
	k := i - 1
	if k >= 0 && (toks[k].s == "dem" || toks[k].s == "the") {
		k-- // "am Dienstag nach dem Ostermontag"
	}
	if k < 1 {
		return false
	}
	switch toks[k].s {
	case "nach", "nach'm", "after", "vor", "before":
	default:
		return false
	}
	w := toks[k-1].w
	return w != nil && w.wd != 0
}

// publicHoliday: d is an Austrian public holiday — the days a "working day
// after the feast" steps over (the desk's own calendar, with its regional
// days, decides what can be booked).
func publicHoliday(d time.Time) bool {
	m, day := d.Month(), d.Day()
	switch {
	case m == time.January && (day == 1 || day == 6), m == time.May && day == 1, m == time.August && day == 15,
		m == time.October && day == 26, m == time.November && day == 1, m == time.December && (day == 8 || day == 25 || day == 26):
		return true
	}
	e := easterSunday(d.Year(), d.Location())
	for _, off := range []int{1, 39, 50, 60} { // Easter Monday, Ascension, Whit Monday, Corpus Christi
		if sameDate(e.AddDate(0, 0, off), d) {
			return true
		}
	}
	return false
}

// feastNamesWeekday: the feast's name ends in its weekday
// ("Pfingstdienstag", "Gründonnerstag", "Faschingsdienstag").
func feastNamesWeekday(w string) bool {
	for _, wdn := range []string{"montag", "dienstag", "mittwoch", "donnerstag", "freitag"} {
		if len(w) > len(wdn) && strings.HasSuffix(w, wdn) {
			return true
		}
	}
	return false
}

// clockNext: a clock time follows the word at i ("Pfingstdienstag um 10
// Uhr", "Gründonnerstag 9:30").
func clockNext(toks []token, i int) bool {
	if i+1 >= len(toks) {
		return false
	}
	switch nx := &toks[i+1]; {
	case nx.s == "um" || nx.s == "at" || nx.s == "ab" || nx.s == "from":
		return true
	case nx.kind == tNum:
		return true
	case nx.w != nil && nx.w.pod != 0:
		return true
	}
	return false
}

// feastSideRefused: the words right after the feast at i turn it down ("Nach
// Ostern is zu spät", "after Easter is too late", "vor Weihnachten geht
// nicht").
func feastSideRefused(toks []token, i int) bool {
	if w := toks[i].w; w == nil || !w.feast || !directlyAfterDir(toks, i) {
		// (Only a side of the feast: "am Leopolditag haben wir zu, aber
		// am Tag danach" still counts from the feast.)
		return false
	}
	p := parser{toks: toks}
	for k := i + 1; k < len(toks) && k <= i+4 && toks[k].kind != tPunct; k++ {
		if p.isNegation(k) {
			return true
		}
		if (toks[k].s == "spät" || toks[k].s == "late" || toks[k].s == "knapp") && (toks[k-1].s == "zu" || toks[k-1].s == "too") {
			return true
		}
	}
	return false
}
