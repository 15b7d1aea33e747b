package understand

import "slices"

// What a reply answers decides what its words mean: "2" after our
// proposal picks the second slot, "Dienstag 10 Uhr?" after our
// confirmation moves the booking, and neither means anything in a first
// mail. The quoted text and the subject are read here only to tell which
// of our mails is answered, never for times or IDs.

type threadKind uint8

const (
	threadNone threadKind = iota
	threadProposal
	threadConfirmation
)

// proposalMarks are phrases our proposal mails (and their subjects) carry,
// in both languages and in the wording customers' clients keep when quoting.
var proposalMarks = []string{"terminvorschl", "vorschläge für ihre", "folgende termine", "noch frei:",
	"mit der nummer", "suggested times", "proposed appointment", "proposed times", "with the number",
	"still free", "following times", "following slots"}

// confirmationMarks are phrases of our confirmation, reminder and
// rescheduled mails.
var confirmationMarks = []string{"ihr fernwartungstermin", "ihr neuer fernwartungstermin", "bestätig",
	"your remote maintenance appointment", "confirmed", "we confirm", "confirmation"}

// threadOf tells which of our mails a reply answers; a first mail answers none.
func threadOf(subject, quoted string, isReply bool) threadKind {
	if !isReply {
		return threadNone
	}
	s := lowerText(subject)
	q := lowerText(capText(quoted, maxTextBytes))
	switch {
	case (containsAny(s, proposalMarks) || containsAny(q, proposalMarks) || quotedOptions(quoted) >= 2) &&
		!(containsAny(q, confirmationMarks) && quotedOptions(quoted) == 0):
		// (A quote that keeps only our numbered options — "> 1) Do
		// 30.06. 09:00" — is our proposal too.)
		// (A quoted confirmation under a header "Betreff: Terminvorschlag"
		// offers no options: it confirms.)
		return threadProposal
	case containsAny(s, confirmationMarks) || containsAny(q, confirmationMarks):
		return threadConfirmation
	}
	return threadNone
}

// bareChoice reads a short answer to our proposal that is only a number:
// "1", "2.", "Die 2", "2 bitte", "2 please", "wir nehmen Termin 1". The
// number must stand alone: no clock time, date or count glued to it.
func bareChoice(toks []token) int {
	p := parser{toks: toks}
	found := 0
	for i := range toks {
		t := &toks[i]
		if t.kind != tNum {
			continue
		}
		if found != 0 || len(t.s) != 1 || t.n < 1 || t.n > 9 {
			return 0 // two numbers, or one that is no option: not a bare pick
		}
		if p.tok(i-1) != nil && p.tok(i-1).kind == tNum {
			return 0
		}
		if p.isPunct(i+1, ':') || p.isPunct(i+1, '.') && p.tok(i+2) != nil && p.tok(i+2).kind == tNum && p.attached(i+2) {
			return 0 // "2:30", "2.12."
		}
		if w := p.info(i + 1); w != nil && w.role&(rUhr|rHourUnit|rMinuteUnit|rDayUnit|rWeek) != 0 {
			return 0 // "2 Uhr", "2 Tage"
		}
		if p.monthAt(i+1) != 0 || p.ordSuffix(i+1) {
			return 0
		}
		// "2 bitte", "Die 2", "Termin 1.", "2" alone: the number stands
		// with words of picking, not "ich habe 2 Fragen".
		if !pickNeighbour(p.tok(i-1)) || !pickNeighbour(p.tok(i+1)) && (p.tok(i+1) == nil || p.tok(i+1).nl == 0) {
			return 0
		}
		found = int(t.n)
	}
	if len(toks) > 40 {
		return 0
	}
	return found
}

// moveWords ask to move what is booked; in a reply to our confirmation a
// new time with one of them is a reschedule, not a second booking.
var moveWords = map[string]bool{
	"statt": true, "anstatt": true, "stattdessen": true, "instead": true, "später": true, "früher": true,
	"later": true, "earlier": true, "move": true, "push": true, "shift": true, "schieben": true, "verschieben": true,
	"chance": true, "pushing": true, "moving": true, "shifting": true, "pushed": true, "moved": true, "bump": true, "bumping": true,
	"vaschiebn": true, "verschiebn": true, "verschiabn": true, "vaschiabn": true, "vaschieben": true,
	"ausweichen": true, "lieber": true, "rather": true, "doch": true, "change": true, "ändern": true,
	"umlegen": true, "verlegen": true, "bring": true, "switch": true, "swap": true, "tauschen": true,
	"ginge": true, "could": true, "können": true, "könnten": true, "möglich": true, "possible": true,
	// "den Termin auf Montag 13 Uhr legen", "heute 14 Uhr wird knapp –
	// geht auch 16 Uhr?"
	"legen": true, "knapp": true,
}

func hasMoveWord(toks []token) bool {
	for i := range toks {
		if toks[i].s == "go" && i > 0 && i+1 < len(toks) && toks[i+1].s == "to" {
			// "Can the appointment go to Tuesday 27 January?"
			if w := toks[i-1].w; w != nil && w.role&rAppt != 0 || toks[i-1].s == "it" || toks[i-1].s == "this" {
				return true
			}
		}
		if toks[i].kind == tWord && moveWords[toks[i].s] && !((toks[i].s == "change" || toks[i].s == "ändern") && noChange(toks, i)) {
			if toks[i].s == "doch" && i+1 < len(toks) {
				// "doch nicht (mehr)", "doch keinen Termin": a change of mind, no move.
				switch toks[i+1].s {
				case "nicht", "kein", "keine", "keinen", "nimmer", "nimma", "nix":
					continue
				}
			}
			return true
		}
	}
	return false
}

// fromTo: "from 10am to 1pm", "von 10 auf 13 Uhr": a move between two clock times.
func fromTo(toks []token) bool {
	for i := range toks {
		// "um viertel 10 auf 11 Uhr verschieben": "auf" between two times.
		if toks[i].s == "auf" && i > 0 && i+1 < len(toks) && toks[i+1].kind == tNum && (toks[i-1].kind == tNum || toks[i-1].s == "uhr") {
			return true
		}
		if s := toks[i].s; s != "from" && s != "von" {
			continue
		}
		for k := i + 1; k < len(toks) && k <= i+5; k++ {
			if s := toks[k].s; s == "to" || s == "auf" {
				return true
			}
		}
	}
	return false
}

// clockAfterTo: a clock follows "to"/"auf" ("from 10am to 1pm"), not a
// day or a part of one ("from Tuesday to Wednesday afternoon").
func clockAfterTo(toks []token) bool {
	for i := 0; i+1 < len(toks); i++ {
		if s := toks[i].s; s == "to" || s == "auf" {
			k := i + 1
			if toks[k].s == "um" || toks[k].s == "at" {
				k++
			}
			if k < len(toks) && (toks[k].kind == tNum || toks[k].w != nil && toks[k].w.num > 0 && toks[k].w.num <= 12) {
				return true // ("von neune auf elfe")
			}
		}
	}
	return false
}

// movedFromTo: "von Mittwoch 16 Uhr auf Donnerstag 15 Uhr", "vom 17.10.
// auf den 19.10.", "from Friday 10:00 to Monday": a day or time named after
// "von"/"from" and another after "auf"/"to" — the shape of a move. German
// needs no verb for it; "from … to …" in English may be a span, so the
// callers ask for a move verb there (english says which was found).
func movedFromTo(toks []token) (found, english bool) {
	dayish := func(k int) bool {
		if k >= len(toks) {
			return false
		}
		t := &toks[k]
		return t.kind == tNum && t.n >= 0 && t.n <= 31 || t.w != nil && (t.w.wd != 0 || t.w.hasRel || t.w.month != 0)
	}
	for i := range toks {
		s := toks[i].s
		verb := false
		switch s {
		case "von", "vom", "from":
		case "change", "switch", "move", "shift", "swap", "push", "bump":
			// "can we change Thursday 10am to Friday 10am?", "please
			// change our 7 April 2pm to 8 April 10am": the verb makes the
			// pair a move, not a span.
			verb = true
			if i+2 < len(toks) && (toks[i+1].s == "our" || toks[i+1].s == "my") {
				i++ // skipped only for the day test below
			}
		default:
			continue
		}
		if !dayish(i+1) && !(i+2 < len(toks) && (toks[i+1].s == "the" || toks[i+1].s == "den") && dayish(i+2)) {
			continue
		}
		for j := i + 2; j < len(toks) && j <= i+7; j++ {
			if toks[j].kind == tPunct && (toks[j].s == "?" || toks[j].s == "!" || toks[j].s == ";") {
				break
			}
			if toks[j].s != "auf" && toks[j].s != "to" {
				continue
			}
			k := j + 1
			if k < len(toks) {
				switch toks[k].s {
				case "den", "dem", "the", "'n", "n":
					k++
				}
			}
			if dayish(k) {
				return true, toks[j].s == "to" && !verb
			}
		}
	}
	return false, false
}

// namesBooking reports words that point at a booking the customer already
// has: "unseren Termin am Freitag", "our appointment", "my session", "den
// Termin morgen".
func namesBooking(toks []token) bool {
	if movesIt(toks) {
		return true
	}
	for i := range toks {
		// "We have Wednesday 2pm booked with you", "wir haben Montag 10
		// Uhr gebucht".
		switch toks[i].s {
		case "booked", "gebucht", "reserviert":
			for k := i - 1; k >= 0 && k >= i-5 && toks[k].kind != tPunct; k-- {
				switch toks[k].s {
				case "have", "we've", "i've", "haben", "hab", "habe", "hamma", "ham", "we", "wir", "i":
					return true
				case "we're", "i'm", "are", "am", "sind", "bin":
					// "we're booked for Friday at 9", "wir sind für
					// Montag gebucht" — not "I'm booked solid on Monday"
					// (busy) nor "fully booked".
					if i+1 < len(toks) && (toks[i+1].s == "for" || toks[i+1].s == "in" || toks[i+1].s == "on") || toks[i].s == "gebucht" {
						return !slices.ContainsFunc(toks[k:i], func(t token) bool { return t.s == "fully" || t.s == "ausgebucht" || t.s == "voll" })
					}
				}
			}
		}
	}
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].s {
		case "unseren", "unser", "unsere", "unsern", "insern", "insan", "meinen", "mein", "meine", "our", "my", "den", "the", "der":
		default:
			continue
		}
		if toks[i].s == "der" && !(i+3 < len(toks) && toks[i+2].s == "am" || i+2 < len(toks) && toks[i+2].w != nil && toks[i+2].w.wd != 0) {
			// "der Termin am Freitag passt nicht mehr" names the booking;
			// "wann wäre der nächste Termin frei?" does not.
			continue
		}
		if w := toks[i+1].w; w != nil && w.role&rAppt != 0 || i+2 < len(toks) && toks[i+1].w != nil && toks[i+1].w.wd != 0 && toks[i+2].w != nil && toks[i+2].w.role&rAppt != 0 {
			if (toks[i].s == "den" || toks[i].s == "the") && (i == 0 || toks[i-1].s == "für" || toks[i-1].s == "for") {
				continue
			}
			return true
		}
	}
	return false
}

// namesSession reports a time that names the session an ID is for ("für
// den Termin um 9 Uhr", "für heute um 9", "ready for the 4pm session",
// "ID for 1pm"): "für"/"for" right before a time or an appointment word.
// Without one, a first mail with a time and an ID asks for that time.
func namesSession(toks []token) bool {
	for i := range toks {
		// "der Termin ist heute", "our session is at 10": the booked one.
		if w := toks[i].w; w != nil && w.role&rAppt != 0 && i > 0 && i+1 < len(toks) {
			switch toks[i-1].s {
			case "der", "the", "unser", "our", "my", "mein", "unsere":
				if toks[i+1].s == "ist" || toks[i+1].s == "is" {
					return true
				}
			}
		}
		if s := toks[i].s; s != "für" && s != "for" && s != "zum" && s != "zur" && s != "fürn" && s != "für'n" && s != "fürs" {
			continue // ("fürn Termin um eins": Austrian "für den")
		}
		if i > 0 {
			// "am Freitag hätte ich Zeit für die Fernwartung", "I'd have
			// time for the session on Monday": the customer's free time,
			// not the booked session.
			switch toks[i-1].s {
			case "zeit", "ruhe", "luft":
				continue
			case "time":
				if i >= 2 && (toks[i-2].s == "have" || toks[i-2].s == "got" || toks[i-2].s == "has" || toks[i-2].s == "'d") {
					continue
				}
			}
		}
		if i+1 < len(toks) {
			// "für eine Fernwartung am Donnerstag", "for a session on
			// Friday": a session still to be booked, not the booked one.
			switch toks[i+1].s {
			case "eine", "einen", "a", "an":
				continue
			}
		}
		if i >= 2 && toks[i-1].w != nil && toks[i-1].w.role&rAppt != 0 {
			// "schedule a session for Monday", "einen Termin für Montag
			// vereinbaren": the session asked for, not one booked.
			switch toks[i-2].s {
			case "a", "an", "einen", "eine", "new", "neuen", "neue":
				continue
			}
		}
		if timeJustBefore(toks, i) && apptRightAfter(toks, i) {
			// "tomorrow 10:00 for the session", "Friday 11:00 for the
			// remote session": the time asked for, then what it is for.
			continue
		}
		for k := i + 1; k < len(toks) && k <= i+3; k++ {
			t := &toks[k]
			if t.kind == tNum && t.n <= 24 && len(t.s) <= 2 || t.kind == tWord && t.w != nil && (t.w.role&rAppt != 0 || t.w.hasRel || t.w.wd != 0 || t.w.pod != 0 && toks[k-1].s == "this") {
				// ("the ID for this afternoon is …")
				return true
			}
			if t.kind == tPunct {
				break
			}
		}
	}
	return false
}

// ordinalChoice reads "Der erste ist gut", "Variante drei passt", "the
// second one please" in answer to our proposal: one ordinal or number word
// (not "ein"/"one", which is an article as often as a pick) with a word of
// assent.
func ordinalChoice(toks []token, sig signals) int {
	if !sig.confirm || len(toks) > 40 {
		return 0
	}
	found := 0
	for i := range toks {
		w := toks[i].w
		if w == nil || toks[i].kind != tWord {
			continue
		}
		n := int(w.ord)
		if n == 0 && (w.num >= 2 || w.num == 1 && (toks[i].s == "eins" || toks[i].s == "oans")) {
			// ("Oans passt.": "one" and "ein" are words of their own.)
			n = int(w.num)
		}
		if n < 1 || n > 9 {
			continue
		}
		if found != 0 && found != n {
			return 0
		}
		found = n
	}
	return found
}

// pickWords may stand next to a bare option number.
var pickWords = map[string]bool{
	"die": true, "der": true, "das": true, "the": true, "nr": true, "nummer": true, "number": true, "no": true,
	"option": true, "variante": true, "vorschlag": true, "termin": true, "slot": true, "bitte": true, "please": true, "pls": true, "plz": true,
	"passt": true, "gut": true, "ok": true, "okay": true, "works": true, "nehmen": true, "nehme": true, "take": true,
	"we'll": true, "i'll": true, "wir": true, "ich": true, "gerne": true, "gern": true, "danke": true, "thanks": true,
	"hi": true, "hallo": true, "perfekt": true, "perfect": true, "fine": true, "wäre": true, "is": true, "ist": true,
	"would": true, "würde": true, "with": true, "for": true, "go": true, "choose": true, "pick": true, "nehm": true, "nimm": true, "de": true, "da": true, "bittschön": true, "bitteschön": true, "bittschen": true,
	// "ok 1 geht", "nehma de 2", "1 klappt"
	"geht": true, "klappt": true, "nehma": true, "nemma": true, "nehmen's": true,
}

func pickNeighbour(t *token) bool {
	return t == nil || t.kind == tPunct || t.nl > 0 || t.kind == tWord && pickWords[t.s]
}

// noLongerNeeded: "brauchen wir nicht mehr", "no longer needed", "we don't
// need it anymore" call a booking off without a cancel verb.
// needWords say something is needed ("brauchen wir nicht mehr", "no
// longer needed").
var needWords = map[string]bool{"brauchen": true, "brauche": true, "brauch": true, "brauchma": true, "brauchts": true, "brauchn": true, "brauchan": true,
	"braucht": true, "benötigen": true, "benötige": true, "benötigt": true, "nötig": true, "notwendig": true,
	"erforderlich": true, "need": true, "needed": true, "necessary": true, "required": true}

// needWordBefore is the index of the last need word before i in its
// sentence, -1 when none.
func needWordBefore(toks []token, i int) int {
	for k := i - 1; k >= 0; k-- {
		if t := &toks[k]; t.kind == tPunct && (t.s == "." || t.s == "!" || t.s == "?") || t.nl >= 2 {
			return -1
		}
		if needWords[toks[k].s] {
			return k
		}
	}
	return -1
}

// commaSince: a comma stands between token from and token i (from < 0:
// no need word before, so the "nicht mehr" may belong to one after it).
func commaSince(toks []token, i, from int) bool {
	for k := from + 1; from >= 0 && k < i; k++ {
		if toks[k].kind == tPunct && toks[k].s == "," {
			return true
		}
	}
	return false
}

func noLongerNeeded(toks []token) bool {
	need, gone := false, false
	for i := range toks {
		t := &toks[i]
		if t.kind == tPunct && (t.s == "." || t.s == "!" || t.s == "?") || t.nl >= 2 {
			if need && gone {
				return true
			}
			need, gone = false, false
			continue
		}
		if needWords[t.s] {
			need = true
			if i+1 < len(toks) {
				// "Don't need another session", "brauchen keinen weiteren
				// Termin": no new one, nothing called off.
				switch toks[i+1].s {
				case "another", "weiteren", "extra", "additional", "noch":
					need = false
				case "for":
					// "No need for a session, just tell me where to click":
					// none wanted, nothing booked called off.
					if i+2 < len(toks) && (toks[i+2].s == "a" || toks[i+2].s == "an") {
						need = false
					}
				}
			}
			// "den Termin morgen brauch ma ned", "brauchen wir nicht".
			// ("heute um 13:30 brauchen wir doch nicht, …")
			for k := i + 1; k < len(toks) && k <= i+3; k++ {
				if s := toks[k].s; (s == "ned" || s == "nicht" || s == "net" || s == "nid" || s == "nimma" || s == "nimmer") && (k+1 == len(toks) || toks[k+1].kind == tPunct) {
					gone = true
				}
				if s := toks[k].s; k >= i+2 && s != "doch" && s != "jetzt" && s != "eh" && s != "dann" {
					break
				}
			}
			// "we not need the session", "no need for the session" — not
			// "we don't need billing": the thing not needed is no session.
			gone = gone || i > 0 && (toks[i-1].s == "not" || toks[i-1].s == "no" || toks[i-1].s == "don't" || toks[i-1].s == "dont" ||
				toks[i-1].s == "won't" || toks[i-1].s == "wont" || toks[i-1].s == "won’t") && !needsOtherThing(toks, i)
		}
		switch t.s {
		case "erledigt", "gelöst", "glöst":
			// "hat sich erledigt", "das hat sich jetzt erledigt", "hat si
			// erledigt", "des Problem hot si von selber glöst": settled.
			for j := i - 1; j >= 0 && j >= i-4; j-- {
				if (toks[j].s == "sich" || toks[j].s == "si") && (t.s == "erledigt" && j >= i-3 || !asksForSession(toks)) {
					// ("Das Problem hat sich gelöst, aber wir brauchen
					// trotzdem einen Termin" still asks for one.)
					return true
				}
			}
		case "streichen", "stornieren", "gestrichen":
			// "können Sie streichen", "den Termin können Sie streichen" —
			// not "lässt sich keine Rechnung mehr stornieren".
			if cancelsAppointment(toks) {
				need, gone = true, true
			}
		case "ourselves", "myself", "itself", "themselves":
			// "we sorted it out ourselves", "it fixed itself".
			for j := i - 1; j >= 0 && j >= i-4; j-- {
				switch toks[j].s {
				case "sorted", "solved", "fixed", "resolved", "figured", "managed", "solve":
					return true
				}
			}
		case "nimmer", "nimma":
			// Austrian "nicht mehr": "der Termin is nimmer notwendig".
			gone = true
		case "mehr":
			// "brauchen wir nicht mehr" — not "wir brauchen eine
			// Fernwartung, die Waage überträgt … nicht mehr": the "nicht
			// mehr" of another clause.
			if i > 0 && (toks[i-1].s == "nicht" || toks[i-1].s == "ned" || toks[i-1].s == "net" || toks[i-1].s == "nid" || toks[i-1].s == "keinen" || toks[i-1].s == "keine") && !commaSince(toks, i, needWordBefore(toks, i)) {
				gone = true
			}
		case "longer":
			gone = gone || i > 0 && toks[i-1].s == "no"
		case "anymore":
			// ("we need Fernwartung, the alarms don't come anymore": the
			// "anymore" of another clause.)
			gone = gone || !commaSince(toks, i, needWordBefore(toks, i))
		}
	}
	return need && gone
}

// timeJustBefore: a clock time or a day ends right before i ("10:00 for",
// "Friday 11:00 for", "morgen um 9 für").
func timeJustBefore(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		t := &toks[k]
		if t.kind == tNum || t.w != nil && (t.w.role&(rUhr|rAM|rPM) != 0 || t.w.wd != 0 || t.w.hasRel || t.w.pod != 0) {
			return true
		}
		if t.kind == tPunct && t.s != ":" && t.s != "." {
			return false
		}
	}
	return false
}

// apptRightAfter: "for the session", "für die Fernwartung", "for the
// remote session" — the session word, with no time of its own after it.
func apptRightAfter(toks []token, i int) bool {
	for k := i + 1; k < len(toks) && k <= i+3; k++ {
		t := &toks[k]
		if t.w != nil && t.w.role&rAppt != 0 {
			if k+1 < len(toks) {
				if n := &toks[k+1]; n.kind == tNum || n.w != nil && (n.w.wd != 0 || n.w.hasRel) {
					return false
				}
				if toks[k+1].s == "at" || toks[k+1].s == "um" || toks[k+1].s == "am" || toks[k+1].s == "on" {
					return false
				}
			}
			return true
		}
		if t.kind == tNum || t.kind == tPunct || t.w != nil && (t.w.wd != 0 || t.w.hasRel) {
			return false
		}
	}
	return false
}

// movesIt: a move verb whose object is a pronoun for the booking ("could
// we push it to Thursday at 3pm?", "can we move this to Monday", "könnt
// ma des auf Freitag verlegen?"): the session the customer already has.
func movesIt(toks []token) bool {
	for i := 0; i+2 < len(toks); i++ {
		switch toks[i].s {
		case "push", "move", "shift", "bump", "put", "bring":
			switch toks[i+1].s {
			case "it", "this", "that":
				switch toks[i+2].s {
				case "to", "back", "forward", "till", "until", "by":
					return true
				}
			}
		}
	}
	return false
}

// needsOtherThing: the word after the need word at i (past an article) is
// a noun that names no session ("we don't need billing").
func needsOtherThing(toks []token, i int) bool {
	k := i + 1
	for k < len(toks) && (toks[k].s == "the" || toks[k].s == "a" || toks[k].s == "an" || toks[k].s == "any" || toks[k].s == "den" || toks[k].s == "die" || toks[k].s == "das" || toks[k].s == "einen" || toks[k].s == "eine" ||
		toks[k].s == "for" || toks[k].s == "für" || toks[k].s == "our" || toks[k].s == "my" || toks[k].s == "unseren" || toks[k].s == "meinen") {
		k++
	}
	if k >= len(toks) || toks[k].kind != tWord {
		return false
	}
	switch toks[k].s {
	case "it", "this", "that", "them", "one", "anymore", "more", "longer", "ihn", "es", "sie", "den", "mehr", "help", "hilfe":
		return false
	}
	w := toks[k].w
	return w == nil || w.role&rAppt == 0 && w.wd == 0 && !w.hasRel
}
