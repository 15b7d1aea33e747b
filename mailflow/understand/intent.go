package understand

import (
	"slices"
	"strings"
)

// detectLanguage counts common German and English words in body and
// subject; umlauts and ß tip the balance to German. A tie is German: the
// desk is Austrian and most of its mail is German.
func detectLanguage(lists ...[]token) uint8 {
	de, en := 0, 0
	for _, toks := range lists {
		for i := range toks {
			t := &toks[i]
			if t.kind != tWord {
				continue
			}
			if (t.s == "do" || t.s == "mo" || t.s == "di" || t.s == "mi" || t.s == "fr") && i+1 < len(toks) && toks[i+1].kind == tNum {
				de++ // "Do 15.00": the German weekday, not English "do"
				continue
			}
			if t.w != nil {
				if t.w.lang&langDE != 0 {
					de++
				}
				if t.w.lang&langEN != 0 {
					en++
				}
				if t.w.c3 {
					de++
				}
			} else if strings.IndexByte(t.s, 0xC3) >= 0 { // ä ö ü ß and friends in UTF-8
				de++
			}
		}
	}
	if en > de {
		return langEN
	}
	return langDE
}

// reasonOf names the first reason the customer gives, in their language.
func reasonOf(toks []token, lang uint8) string {
	for i := range toks {
		w := toks[i].w
		if w == nil || w.reason == reasonNone {
			continue
		}
		if lang == langEN {
			return reasonNames[w.reason][1]
		}
		return reasonNames[w.reason][0]
	}
	return ""
}

// signals are the intent words of one text.
type signals struct {
	cancel, resched, appt, confirm, question bool
	// instead: "stattdessen", "instead" move an appointment only when a new
	// time comes with them ("call me instead" does not).
	instead bool
	// refusal: the text turns something down ("Montag geht nicht"), which
	// makes a short reply a counter-proposal rather than an acceptance.
	refusal bool
	// otherOnly: the only sign of a move is "another/einen anderen" with an
	// appointment word, which "another session" shares with a new booking.
	otherOnly bool
	// reschedVerb: the move is a verb ("verschieben"), not only the noun of
	// a later date ("wir melden uns für einen Ersatztermin"), which goes
	// with a cancel as often as with a move.
	reschedVerb bool
	// insteadTime: "statt 10", "instead of Monday" name the time given up.
	insteadTime bool
}

// degreeWord: a word that says how much ("völlig verschoben", "etwas
// verrutscht").
func degreeWord(w string) bool {
	switch w {
	case "völlig", "total", "komplett", "ganz", "etwas", "leicht", "irgendwie", "stark", "teilweise", "alle", "voll", "extrem", "immer", "plötzlich":
		return true
	}
	return false
}

// noMoveMeant: a move word at i that moves no appointment. "will rebook
// later", "I'll be in touch to rebook": a cancel that promises a booking
// of its own some day. "move" only moves an appointment, a day or "it"
// ("move the data to the new PC" is none).
func noMoveMeant(toks []token, i int) bool {
	p := parser{toks: toks}
	if toks[i].s == "move" {
		k := i + 1
		for k < len(toks) && k <= i+3 && (p.has(k, rFiller) || p.word(k) == "our" || p.word(k) == "my") {
			k++
		}
		if p.word(k) == "it" || p.word(k) == "this" {
			return false
		}
		nx := p.info(k)
		return nx == nil || nx.wd == 0 && !nx.hasRel && nx.month == 0 && nx.role&rAppt == 0
	}
	if i > 0 {
		switch toks[i-1].s {
		case "nicht", "ned", "net", "nid", "not":
			// "Wir möchten die Jausenpause nicht verschieben, daher bitte
			// nicht früher": whatever it is, it stays.
			return true
		}
	}
	if toks[i].s == "verschieben" && i >= 3 {
		// "wir verschieben das Thema DATEV ins nächste Jahr": the verb's
		// object is something else than the session.
		k := i + 1
		if k < len(toks) && (toks[k].s == "das" || toks[k].s == "die" || toks[k].s == "den" || toks[k].s == "unser" || toks[k].s == "unsere") && k+1 < len(toks) {
			switch toks[k+1].s {
			case "thema", "projekt", "update", "upgrade", "umstellung", "einführung", "vorhaben", "ganze":
				return true
			}
		}
	}
	if toks[i].s == "verschoben" && i > 0 {
		switch toks[i-1].s {
		case "drucken", "druckt", "gedruckt", "angezeigt", "dargestellt", "ausgedruckt":
			return true // "die Etiketten drucken verschoben": misaligned
		}
	}
	if toks[i].s == "verschoben" {
		// "aber des Layout is verschoben", "die Spalten sind völlig
		// verschoben": a state of something else, unless the thing moved
		// is the appointment.
		k := i - 1
		for k > 0 && degreeWord(toks[k].s) {
			k--
		}
		if k >= 1 && (toks[k].s == "is" || toks[k].s == "ist" || toks[k].s == "sind" || toks[k].s == "san") {
			p := parser{toks: toks}
			if !p.has(k-1, rAppt) && toks[k-1].s != "er" && toks[k-1].s != "der" && toks[k-1].s != "it" {
				return true
			}
		}
	}
	if toks[i].s == "verschoben" || toks[i].s == "verschiebt" {
		// "das Layout hat sich nach dem Update verschoben", "die Spalten
		// verschieben sich": a thing that moved by itself is a fault —
		// not "bei mir hat sich was verschoben" (plans changed), not the
		// appointment itself.
		reflexive, plans := false, false
		p := parser{toks: toks}
		for k := i - 1; k >= 0 && k >= i-8 && toks[k].kind != tPunct; k-- {
			switch toks[k].s {
			case "sich":
				reflexive = true
			case "was", "etwas", "einiges", "alles", "kurzfristig":
				plans = true
			}
			if p.has(k, rAppt) {
				plans = true
			}
		}
		if toks[i].s == "verschiebt" && i+1 < len(toks) && toks[i+1].s == "sich" {
			reflexive = true
		}
		if reflexive && !plans {
			return true
		}
	}
	if toks[i].s == "verschoben" || toks[i].s == "verschiebt" {
		// "seit dem Update sind alle Patiententermine um eine Stunde
		// verschoben": the software's own entries moved — a fault, when
		// the moved thing is a compound of Termine, not our session.
		for k := i - 1; k >= 0 && k >= i-8; k-- {
			if s := toks[k].s; len(s) > len("termine") && (strings.HasSuffix(s, "termine") || strings.HasSuffix(s, "buchungen") ||
				strings.HasSuffix(s, "einträge")) {
				return true
			}
			if toks[k].kind == tPunct {
				break
			}
		}
		return false
	}
	if toks[i].s != "rebook" {
		return false
	}
	for k := i + 1; k < len(toks) && k <= i+3; k++ {
		switch toks[k].s {
		case "later", "soon", "another", "some":
			return true
		}
	}
	// "I'll be in touch to rebook", "will get back to you to rebook".
	for k := i - 1; k >= 0 && k >= i-4; k-- {
		switch toks[k].s {
		case "touch", "back", "melde", "melden":
			return true
		}
	}
	return false
}

// laterIntent: a move word that only announces a booking some other time
// ("we'll have to cancel this one. Will rebook in July.", "wir buchen
// später neu"): with a cancel it is a cancel.
func laterIntent(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-2; k-- {
		switch toks[k].s {
		case "will", "we'll", "i'll", "'ll", "später", "later", "wieder":
			return true
		}
	}
	// "We'll reach out to reschedule later", "melden uns, um später neu
	// zu buchen": the move is put off, whatever words come between.
	for k := i + 1; k < len(toks) && k <= i+3 && toks[k].kind != tPunct; k++ {
		switch toks[k].s {
		case "later", "später", "sometime", "irgendwann":
			return true
		}
	}
	return false
}

// dropsAppointment: "please drop tomorrow's session", "drop the
// appointment" — not "drop me a line", "the connection drops".
func dropsAppointment(toks []token, i int) bool {
	if toks[i].s != "drop" && toks[i].s != "dropping" {
		return false
	}
	for k := i + 1; k < len(toks) && k <= i+3; k++ {
		if w := toks[k].w; w != nil && w.role&rAppt != 0 {
			return true
		}
	}
	return false
}

// callOff: "call off Thursday's training", "we have to call it off".
func callOff(toks []token, i int) bool {
	switch toks[i].s {
	case "call", "calling", "called":
	default:
		return false
	}
	p := parser{toks: toks}
	return p.word(i+1) == "off" || p.word(i+2) == "off" && (p.word(i+1) == "it" || p.word(i+1) == "this" || p.word(i+1) == "that")
}

func scanSignals(toks []token) signals {
	var s signals
	p := parser{toks: toks}
	for i := range toks {
		t := &toks[i]
		if t.kind == tPunct && t.s == "?" {
			s.question = s.question || !tagQuestion(toks, i)
			continue
		}
		if t.kind != tWord {
			continue
		}
		// "des is uns z'früh", "zu spät", "too early for us": the time
		// named or booked does not suit.
		switch t.s {
		case "z'früh", "zfrüh", "z'spät", "zspät", "z'fruah":
			s.refusal = true
		case "früh", "spät", "early", "late":
			if i > 0 && (toks[i-1].s == "zu" || toks[i-1].s == "too" || toks[i-1].s == "z") {
				s.refusal = true
			}
		}
		// "der Termin morgen fällt leider aus", "fällt flach".
		if (t.s == "fällt" || t.s == "fallt" || t.s == "fällts") && fälltAus(toks, i) {
			s.cancel = true
		}
		// German separable verb: "ich sage den Termin ab."
		if len(t.s) >= 3 && t.s[0] == 's' && (t.s == "sage" || t.s == "sagen" || t.s == "sagt" || t.s == "sag") && sagtAb(toks, i) {
			s.cancel = true
		}
		// "We need to call off Thursday's training", "calling it off".
		if callOff(toks, i) {
			s.cancel = true
		}
		if dropsAppointment(toks, i) {
			s.cancel = true
		}
		// "Variante drei ist uns recht", "wäre mir recht".
		if t.s == "recht" && i > 0 && (toks[i-1].s == "mir" || toks[i-1].s == "uns" || toks[i-1].s == "ist" || toks[i-1].s == "wär" || toks[i-1].s == "wäre" || toks[i-1].s == "is") {
			s.confirm = true
		}
		if phrasalMove(toks, i) {
			// "bring Monday's session forward", "push it back a day".
			s.resched, s.reschedVerb = true, true
		}
		if t.w == nil {
			continue
		}
		r := t.w.role
		if r&rCancel != 0 {
			s.cancel = true
		}
		if r&rResched != 0 && !noMoveMeant(toks, i) {
			s.resched = true
			if t.s != "ersatztermin" && t.s != "verschiebung" && t.s != "verlegung" && !laterIntent(toks, i) {
				s.reschedVerb = true
			}
		}
		if t.s == "stattdessen" || t.s == "instead" && !insteadOfThing(toks, i) || t.s == "dessen" && i > 0 && toks[i-1].s == "statt" {
			s.instead = true
		}
		if r&rAppt != 0 && !negatedNoun(toks, i) && !contractDate(toks, i) && !(i > 0 && negWordBefore(toks[i-1].s)) && !pastOrOwnSession(toks, i) {
			// (not "Brauchts ned einwählen", "no session needed")
			s.appt = true
		}
		if r&rNeg != 0 {
			s.refusal = true
		}
		if r&rConfirm != 0 {
			s.confirm = true
		}
		// "einen anderen Termin", "another time"
		if r&rOther != 0 && p.has(i+1, rAppt|rChoiceNoun) && p.word(i+1) != "one" && !negatedNoun(toks, i+1) && !inTouchLater(toks, i) && !ifNotBefore(toks, i) {
			s.otherOnly = true
		}
	}
	if s.otherOnly {
		s.otherOnly = !s.resched
		s.resched = true
	}
	for i := range toks {
		t := &toks[i]
		// "statt 10 lieber 14 Uhr", "instead of Monday": a time given up
		// for another is a booked one being moved.
		if (t.s == "statt" || t.s == "anstatt") && !(i+1 < len(toks) && toks[i+1].s == "dessen") ||
			t.s == "instead" && i+1 < len(toks) && toks[i+1].s == "of" {
			// (Not "statt dessen", "Tuesday instead? Not Wednesday".)
			for k := i + 1; k < len(toks) && k <= i+3 && toks[k].kind != tPunct; k++ {
				date := toks[k].kind == tNum && k+2 < len(toks) && toks[k+1].s == "." && (toks[k+2].kind == tNum || toks[k+2].w != nil && toks[k+2].w.month != 0)
				poss := (strings.HasSuffix(toks[k].s, "'s") || strings.HasSuffix(toks[k].s, "’s")) && // ("instead of today's": today's orders)
					!(k+1 < len(toks) && toks[k+1].w != nil && toks[k+1].w.role&rAppt != 0) // ("instead of Monday's session")
				hour := toks[k].w != nil && toks[k].w.num > 0 && toks[k].w.num <= 12 && (toks[k-1].s == "um" || toks[k-1].s == "at") // ("statt um zwoa")
				if toks[k].kind == tNum && (clockish(toks, k) || date) || toks[k].w != nil && (toks[k].w.wd != 0 || toks[k].w.hasRel) && !poss || hour {
					// ("statt 28.4. 9 Uhr bitte 29.4.": a date given up.)
					s.instead, s.insteadTime = true, true
				}
			}
		}
		// "könnten wir den auf Mittwoch zur selben Uhrzeit legen?": a
		// booking laid on another day is moved.
		if t.s == "legen" || t.s == "leg" || t.s == "legn" || t.s == "legen's" {
			for k := i - 1; k >= 0 && k >= i-12 && !(toks[k].kind == tPunct && toks[k].s != "," && toks[k].s != "."); k-- {
				if toks[k].s == "auf" && k+1 < i {
					// (The booking itself before "auf": "den", "ihn", "unseren
					// Termin" — not "die Schulung auf Dienstag legen", which
					// may plan a first one.)
					if k == 0 || !(toks[k-1].s == "den" || toks[k-1].s == "ihn" || toks[k-1].s == "es" || k > 1 && toks[k-1].w != nil && toks[k-1].w.role&rAppt != 0 && strings.HasPrefix(toks[k-2].s, "unser") || k > 1 && toks[k-1].w != nil && toks[k-1].w.role&rAppt != 0 && strings.HasPrefix(toks[k-2].s, "mein")) {
						break
					}
					if w := toks[k+1].w; w != nil && (w.wd != 0 || w.hasRel || w.month != 0) || toks[k+1].kind == tNum || toks[k+1].s == "den" || toks[k+1].s == "die" || toks[k+1].s == "nächste" || toks[k+1].s == "nächsten" {
						s.resched, s.reschedVerb = true, true
					}
					break
				}
			}
		}
		// "change my appointment", "den Termin ändern": a booking changed.
		if (t.s == "change" || t.s == "ändern" || t.s == "umändern" || t.s == "abändern") && !noChange(toks, i) {
			for k := max(0, i-3); k < len(toks) && k <= i+3; k++ {
				if w := toks[k].w; k != i && w != nil && w.role&rAppt != 0 && !negatedNoun(toks, k) {
					s.resched, s.reschedVerb = true, true
				}
			}
		}
		// "push it back", "move the session", "push the appointment to …".
		if (t.s == "push" || t.s == "move" || t.s == "shift" || t.s == "bump") && i+1 < len(toks) {
			for k := i + 1; k < len(toks) && k <= i+3; k++ {
				switch toks[k].s {
				case "it", "back", "session", "appointment", "meeting", "call", "termin", "booking", "slot", "training", "demo", "visit":
					s.resched, s.reschedVerb = true, true
				}
				// "shift Wednesday's training": a day's booking moved.
				if w := toks[k].w; w != nil && w.wd != 0 && (strings.HasSuffix(toks[k].s, "'s") || strings.HasSuffix(toks[k].s, "’s")) {
					s.resched, s.reschedVerb = true, true
				}
			}
		}
		// "one of your lads to dial in and look at …", "can we pencil
		// something in for next week?", "could you squeeze us in on
		// Friday?": a session asked for in other words.
		if (t.s == "dial" || t.s == "dial-in") && i+1 < len(toks) && (toks[i+1].s == "in" || toks[i+1].s == "into" || toks[i+1].s == "on") {
			s.appt = true
		}
		switch t.s {
		case "pencil", "squeeze", "fit", "slot", "book":
			for k := i + 1; k < len(toks) && k <= i+3; k++ {
				if toks[k].s == "in" && k > i+1 {
					switch toks[k-1].s {
					case "us", "me", "something", "it", "them", "him", "her", "one":
						s.appt = true
					}
				}
			}
		}
		// "könnt's euch bitte bei uns einloggen", "can you log in to our
		// system": the technician logs in — not "ich kann mich nicht
		// einloggen", the customer's own login.
		if loggingInToUs(toks, i) {
			s.appt = true
		}
		// "Is it possible that you make connection on monday?", "could
		// you make a remote connection": the session in other words.
		if (t.s == "connection" || t.s == "verbindung") && i > 0 && (toks[i-1].s == "make" || toks[i-1].s == "remote" || i > 1 && toks[i-2].s == "make") {
			s.appt = true
		}
		// "jemand soll sich auf meinen PC verbinden", "connect to my
		// computer": a remote session asked for in other words.
		if t.kind == tWord && connectWords[t.s] && !whetherBefore(toks, i) {
			for k := i + 1; k < len(toks) && k <= i+5; k++ {
				if machineWords[toks[k].s] {
					s.appt = true
				}
			}
			// "Can you connect to fix?", "könnt ihr euch aufschalten?":
			// asked of us straight out.
			if t.s != "look" && t.s != "schauen" && i >= 2 && opensRequest(toks[i-2:]) {
				s.appt = true
			}
		}
	}
	if s.cancel && s.resched {
		if s.reschedVerb {
			s.cancel = false
		} else {
			// "Wir müssen absagen und melden uns für einen Ersatztermin."
			s.resched = false
		}
	}
	return s
}

// whetherBefore: the word at i stands in an indirect question ("inform
// whether your technician can access our system without …", "ob ihr
// auf unseren Rechner zugreifen könnt"): asked about, not asked for.
func whetherBefore(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-6 && !(toks[k].kind == tPunct && toks[k].s != ","); k-- {
		switch toks[k].s {
		case "whether", "ob":
			return true
		}
	}
	return false
}

var connectWords = map[string]bool{"dial": true, "connect": true, "verbinden": true, "aufschalten": true, "draufschalten": true,
	"zugreifen": true, "einwählen": true, "look": true, "draufschauen": true, "schauen": true, "access": true}

var machineWords = map[string]bool{"computer": true, "pc": true, "rechner": true, "laptop": true, "notebook": true,
	"server": true, "system": true, "bildschirm": true, "screen": true, "kassa": true, "computers": true}

// sagtAb reports whether the verb "sagen" at i has its particle "ab" at
// the end of the clause: "ich sage den Termin ab."
func sagtAb(toks []token, i int) bool {
	ab := false
	p := parser{toks: toks}
	for k := i + 1; k < len(toks) && k < i+18; k++ {
		if toks[k].s == "ab" && (k+1 == len(toks) || toks[k+1].kind == tPunct) {
			ab = true
		}
		// ("den Termin am Montag, 9.6. um 10 Uhr ab": a date's dots end
		// no sentence.)
		if toks[k].kind == tPunct && (toks[k].s == "." && p.boundary(k) || toks[k].s == "!" || toks[k].s == "?") {
			break
		}
	}
	return ab
}

// negatedNoun: "no further session", "keinen Termin mehr" name an
// appointment only to say none is needed.
func negatedNoun(toks []token, i int) bool {
	// "Einen Termin brauchen wir nicht."
	need, not := false, false
	for k := i + 1; k < len(toks) && k <= i+6 && toks[k].kind != tPunct; k++ {
		switch toks[k].s {
		case "brauchen", "brauche", "benötigen", "benötige", "nötig", "notwendig", "need", "needed", "necessary",
			"stattgefunden", "happened", "place": // ("die Schulung hat nicht stattgefunden", "never took place")
			need = true
		case "nicht", "not", "never", "nie", "gar":
			not = true
		}
	}
	if need && not {
		return true
	}
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		switch toks[k].s {
		case "no", "kein", "keine", "keinen", "keiner", "without", "ohne", "kan", "koan", "ka", "koa":
			return true // ("Brauch kan Termin": Austrian "keinen")
		case "need", "want", "brauchen", "brauche", "after":
			// "Don't need another session"
			// "No need for a session", "Not after a session, just a pointer"
			if k > 0 && (toks[k-1].s == "don't" || toks[k-1].s == "dont" || toks[k-1].s == "not" || toks[k-1].s == "nicht" || toks[k-1].s == "no") {
				return true
			}
		}
		if toks[k].kind == tPunct {
			return false
		}
	}
	return false
}

// choiceOf finds which of our numbered proposals the customer picks: "der
// zweite passt", "Option 2", "2. Vorschlag", "the first one". 0 if none.
func choiceOf(toks []token) int {
	p := parser{toks: toks}
	for i := range toks {
		t := &toks[i]
		switch t.kind {
		case tWord:
			if t.w == nil {
				continue
			}
			if o := int(t.w.ord); o >= 1 && o <= 5 {
				if nw := p.word(i + 1); p.has(i+1, rChoiceNoun) && nw != "nr" && nw != "no" && nw != "time" && nw != "zeit" {
					return o
				}
				prev := p.word(i - 1)
				article := prev == "der" || prev == "die" || prev == "den" || prev == "das" || prev == "the" || prev == "beim" || prev == "dem"
				if article && (p.has(i+1, rConfirm) || p.tok(i+1) == nil || p.tok(i+1).kind == tPunct && p.tok(i+1).s != "." || p.isPunct(i+1, '.') && p.tok(i+2) == nil) {
					if p.monthAt(i+1) == 0 && p.word(i+1) != "of" {
						return o
					}
				}
			}
			if t.w.role&rChoiceNoun != 0 && t.s != "time" && t.s != "zeit" && t.s != "termin" && t.s != "one" && t.s != "appointment" {
				j := i + 1
				if p.isPunct(j, '.') || p.isPunct(j, ':') {
					j++
				}
				if p.word(j) == "nummer" || p.word(j) == "nr" || p.word(j) == "number" {
					j++
					if p.isPunct(j, '.') {
						j++
					}
				}
				if w := p.info(j); w != nil && w.num >= 1 && w.num <= 5 && p.tok(j).kind == tWord && (p.tok(j+1) == nil || p.tok(j+1).kind == tPunct || p.has(j+1, rConfirm) || p.word(j+1) == "is" || p.word(j+1) == "ist") {
					return int(w.num) // "Option one is fine", "Variante zwei passt"
				}
				if n, d, ok := p.num(j); ok && d == 1 && n >= 1 && n <= 5 {
					nx := p.tok(j + 1)
					if nx == nil || nx.kind == tPunct && nx.s != ":" && !(nx.s == "." && p.attached(j+2) && p.tok(j+2) != nil && p.tok(j+2).kind == tNum) || nx.kind == tWord && (nx.w == nil || nx.w.role&(rUhr|rHourUnit|rMinuteUnit|rDayUnit|rWeek) == 0) {
						return n
					}
				}
			}
		case tPunct:
			// "#2", "Let's do #3, Wednesday at 4"
			if t.s == "#" {
				if n, d, ok := p.num(i + 1); ok && d == 1 && n >= 1 && n <= 5 && p.attached(i+1) {
					return n
				}
			}
		case tNum:
			// "2. Vorschlag", "1. Termin", "2nd option"
			if t.n >= 1 && t.n <= 5 && len(t.s) == 1 && (p.isPunct(i+1, '.') && p.attached(i+1) || p.ordSuffix(i+1)) {
				if w := p.info(i + 2); w != nil && w.role&rChoiceNoun != 0 && p.word(i+2) != "nr" && p.word(i+2) != "no" {
					return int(t.n)
				}
			}
		}
	}
	return 0
}

// clockish: the number at k reads as an hour ("statt 10", "statt 10 Uhr",
// "instead of 9:30"), not a share, an amount or a count ("20% statt 10%").
func clockish(toks []token, k int) bool {
	if toks[k].n < 0 || toks[k].n > 23 || len(toks[k].s) > 2 {
		return false
	}
	if k+1 < len(toks) {
		switch toks[k+1].s {
		case "%", "€", "eur", "euro", "prozent", "percent", "stück", "x", "mal", "tage", "days", "stunden", "hours", "minuten", "minutes":
			return false
		}
	}
	return true
}

// fälltAus: "fällt … aus" / "fällt … flach" within the clause.
func fälltAus(toks []token, i int) bool {
	// "unser WLAN fällt ständig aus", "der Drucker fällt aus": a thing that
	// fails, not a session called off — the few words before say which.
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		switch toks[k].s {
		case "wlan", "internet", "netz", "netzwerk", "strom", "drucker", "server", "router", "kasse", "system",
			"verbindung", "programm", "software", "computer", "pc", "bildschirm", "scanner", "wifi":
			return false
		}
		if toks[k].kind == tPunct {
			break
		}
	}
	for k := i + 1; k < len(toks) && k < i+10; k++ {
		if toks[k].s == "aus" || toks[k].s == "flach" || toks[k].s == "ins" && k+1 < len(toks) && toks[k+1].s == "wasser" {
			return true
		}
		if toks[k].kind == tPunct && (toks[k].s == "." || toks[k].s == "!" || toks[k].s == "?") {
			break
		}
	}
	return false
}

// phrasalMove: an English verb whose particle makes it a move ("bring
// Monday's session forward", "push the appointment back", "put it back
// to Friday", "move it up"), the particle within a few words of the verb.
func phrasalMove(toks []token, i int) bool {
	var particles []string
	switch toks[i].s {
	case "bring", "brought":
		particles = []string{"forward"}
	case "push", "put", "pushed":
		particles = []string{"back", "forward", "off"}
	case "move", "moved":
		particles = []string{"up"}
	default:
		return false
	}
	for k := i + 1; k < len(toks) && k <= i+4; k++ {
		if toks[k].kind == tPunct {
			return false
		}
		if slices.Contains(particles, toks[k].s) {
			return true
		}
	}
	return false
}

// inTouchLater: "wir melden uns wegen eines neuen Termins", "we'll be in
// touch about a new date": a new booking some other day, asked for later —
// no move now.
func inTouchLater(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-6; k-- {
		if toks[k].kind == tPunct && toks[k].s != "," {
			return false
		}
		switch toks[k].s {
		case "melden", "melde", "meld", "touch", "rebook", "later", "später":
			return true
		}
	}
	return false
}

// tagQuestion: the "?" at i only tags a statement ("Thursday works —
// that's the first one, right?", "Dienstag passt, oder?"): it asks
// nothing of its own.
func tagQuestion(toks []token, i int) bool {
	if i < 2 {
		return false
	}
	switch toks[i-1].s {
	case "right", "correct", "yes", "oder", "gell", "gö", "ne", "nicht", "wahr", "isn't", "yeah":
	default:
		return false
	}
	k := i - 2
	if toks[i-1].s == "wahr" && toks[k].s == "nicht" {
		k--
	}
	return k >= 0 && toks[k].kind == tPunct && (toks[k].s == "," || toks[k].s == "-")
}

// insteadOfThing: "instead of today's", "instead of the invoice": the
// "instead of" at i tells a fault, not a time wanted instead of another
// — unless a day or clock follows ("instead of Monday").
func insteadOfThing(toks []token, i int) bool {
	if i > 0 && strings.HasSuffix(toks[i-1].s, "@ad") || i > 1 && toks[i-1].s == "ad" && toks[i-2].s == "@" {
		return true // "please use rossi-front@ad instead": another ID
	}
	if i+2 >= len(toks) || toks[i+1].s != "of" {
		return false
	}
	n := &toks[i+2]
	if n.kind == tNum {
		return false
	}
	if w := n.w; w != nil && (w.wd != 0 || w.month != 0 || w.pod != 0) {
		return false
	}
	if w := n.w; w != nil && w.hasRel && !strings.HasSuffix(n.s, "'s") && !strings.HasSuffix(n.s, "’s") {
		return false // "instead of tomorrow"
	}
	if n.s == "the" && i+3 < len(toks) {
		if w := toks[i+3].w; w != nil && (w.wd != 0 || w.month != 0 || w.pod != 0 || w.role&rAppt != 0) || toks[i+3].kind == tNum {
			return false
		}
	}
	return true
}

// contractDate: "hiermit kündige ich das Abo zum nächstmöglichen Termin":
// the "Termin" at i is the date a contract ends, no session.
func contractDate(toks []token, i int) bool {
	if toks[i].s != "termin" || i == 0 {
		return false
	}
	switch toks[i-1].s {
	case "nächstmöglichen", "frühestmöglichen", "nächstmöglicher", "frühestmöglicher":
	default:
		return false
	}
	for k := range toks {
		if strings.HasPrefix(toks[k].s, "kündig") || strings.HasPrefix(toks[k].s, "gekündig") {
			return true
		}
	}
	return false
}

// ifNotBefore: "If not, please write other time", "falls nicht, einen
// anderen Termin": another time offered in case the first does not suit —
// no booking moved.
func ifNotBefore(toks []token, i int) bool {
	for k := i - 1; k >= 1 && k >= i-6; k-- {
		if t := &toks[k]; t.kind == tPunct && (t.s == "." || t.s == "?" || t.s == "!") {
			return false
		}
		if (toks[k].s == "not" || toks[k].s == "nicht" || toks[k].s == "ned") && (toks[k-1].s == "if" || toks[k-1].s == "falls" || toks[k-1].s == "wenn" || toks[k-1].s == "otherwise") {
			return true
		}
		if toks[k].s == "otherwise" || toks[k].s == "sonst" || toks[k].s == "ansonsten" {
			return true
		}
	}
	return false
}

func negWordBefore(w string) bool {
	switch w {
	case "ned", "nicht", "net", "nid", "not", "no", "kein", "keine", "keinen", "never", "nie", "koa", "ka":
		return true
	}
	return false
}

// loggingInToUs: the word at i is "einloggen"/"log (in)" said of the
// technician ("euch", "Sie", "you", "someone") on the customer's side
// ("bei uns", "to our system").
func loggingInToUs(toks []token, i int) bool {
	switch toks[i].s {
	case "einloggen", "reinloggen", "einlogg'n", "einloggn", "log", "login":
	default:
		return false
	}
	who, ours := false, false
	for k := i - 1; k >= 0 && k >= i-6 && !(toks[k].kind == tPunct && toks[k].s != ","); k-- {
		switch toks[k].s {
		case "euch", "ihr", "sie", "you", "someone", "somebody", "jemand", "techniker", "technician":
			who = true
		case "uns", "unserem", "unseren", "unser", "mir", "meinem":
			ours = true
		}
	}
	for k := i + 1; k < len(toks) && k <= i+4 && toks[k].kind != tPunct; k++ {
		switch toks[k].s {
		case "our", "uns", "unserem", "unseren", "my", "mir", "meinem":
			ours = true
		}
	}
	return who && ours
}

// noChange: the change word at i is denied — "no change to the
// appointment", "keine Änderung", "nothing to change", "nicht ändern".
func noChange(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-2; k-- {
		switch toks[k].s {
		case "no", "not", "nothing", "without", "kein", "keine", "keinen", "nicht", "nix", "ned", "nichts", "don't", "dont":
			return true
		}
	}
	return false
}

// pastOrOwnSession: the session noun at i names one that took place
// ("danke für die Schulung am Dienstag", "zu der Schulung vom letzten
// Mittwoch", "thanks for the session last week") or the customer's own
// ("Wir haben am 15. Juli interne Schulung"): no session asked of us.
func pastOrOwnSession(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-3 && toks[k].kind == tWord; k-- {
		switch toks[k].s {
		case "interne", "internen", "interner", "internes", "internal", "in-house", "letzte", "letzten", "vergangene",
			"vergangenen", "vorige", "vorigen", "previous", "gestrige", "gestrigen", "yesterday's", "last":
			return true
		case "für", "for":
			for j := k - 1; j >= 0 && j >= k-3 && toks[j].kind == tWord; j-- {
				switch toks[j].s {
				case "danke", "dank", "thanks", "thank", "bedanke", "bedanken", "vielen":
					return true
				}
			}
		}
	}
	n := func(k int) string {
		if k < len(toks) {
			return toks[k].s
		}
		return ""
	}
	switch n(i + 1) {
	case "gestern", "yesterday":
		return true
	case "vom", "von":
		return n(i+2) == "letzten" || n(i+2) == "letzter" || n(i+2) == "gestern" || n(i+2) == "vergangenen" || n(i+2) == "vorigen"
	case "last":
		return n(i+2) == "week" || n(i+2) == "monday" || n(i+2) == "tuesday" || n(i+2) == "wednesday" || n(i+2) == "thursday" || n(i+2) == "friday"
	case "letzte", "vorige":
		return n(i+2) == "woche"
	}
	// "Can we move the licence by ourselves, or is it necessary a
	// session?": whether a session is needed at all, asked.
	sent := sentenceOf(toks, i)
	if len(sent) == 0 || sent[len(sent)-1].s != "?" {
		return false
	}
	for _, t := range sent {
		switch t.s {
		case "necessary", "notwendig", "nötig", "erforderlich", "required":
			return true
		}
	}
	return false
}
