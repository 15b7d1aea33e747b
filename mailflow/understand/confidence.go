package understand

import (
	"bytes"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// A reading the engine is unsure of must never book silently: the desk
// then asks "did you mean …?" with its best reading as the first option,
// or a person looks. This file holds what makes a reading unsure — a word
// corrected to a weekday or month, a time in a sentence that refuses
// something, two wishes that disagree — and the typo correction itself.

// UnsureBelow is the confidence under which a reading is not acted on
// without asking the customer first.
const UnsureBelow = 0.7

// Unsure reports whether the reading must be confirmed before it books.
func (r Reading) Unsure() bool { return r.Confidence < UnsureBelow }

// Reasons for a reading's confidence, as `mailflow try -json` shows them.
const (
	ReasonCorrected     = "corrected a misspelt word"
	ReasonNegation      = "a time stands in a sentence with a negation"
	ReasonConflict      = "two wishes on different days without an 'or'"
	ReasonOneWish       = "one clear wish"
	ReasonWishes        = "alternative wishes, first free one taken"
	ReasonNoTime        = "no time asked for"
	ReasonThread        = "read as an answer to our earlier mail"
	ReasonBareChoice    = "a bare option number in answer to our proposal"
	ReasonFeast         = "a time anchored to a feast day"
	ReasonRelative      = "a move relative to the booked time"
	ReasonPickRefused   = "an option picked beside a refusal"
	ReasonUnreadable    = "a word that looks like a day, a month or a part of the day could not be read"
	ReasonCompact       = "three digits after a day were read as a clock time (\"930\" as 09:30)"
	ReasonUnanchored    = "a move in a mail that answers none of ours"
	ReasonVague         = "a wish that spans several days"
	ReasonSentences     = "wishes on different days in different sentences"
	ReasonNoDay         = "a time of day, but no day named"
	ReasonNoSession     = "a time proposed without naming the session or a problem"
	ReasonForwarded     = "the time comes from a forwarded mail"
	ReasonWeekdayOff    = "the weekday named does not fit the date"
	ReasonNextWeekday   = "'next' before a weekday may mean this week's or next week's"
	ReasonEventAnchor   = "a day told from an event we do not know the date of"
	ReasonSameAsBooked  = "the new time read is the booked one"
	ReasonZoneApart     = "a time zone named apart from the clock it belongs to"
	ReasonTodayWeekday  = "a weekday said on that very day may mean today or a week on"
	ReasonOwnBooking    = "names a booking the customer already has, but asks for no change we could read"
	ReasonDamaged       = "the mail's text could not be decoded in full"
	ReasonToldOnly      = "every time stands in a statement beside a question, asking for nothing"
	ReasonClocksApart   = "different clock times for one day, said in different sentences"
	ReasonCancelWord    = "a request that also says cancel (of something we read as no booking)"
	ReasonBeforeOptions = "a weekday named under our options falls before them: this week's or the options' week?"
	ReasonDayAndClock   = "a whole day and a clock time on another day: which one, and at what time?"
	ReasonMonthApart    = "a weekday placed by a month or a week said apart from it: which week?"
)

// typoTargets are the closed vocabulary a misspelt word may be corrected
// to: weekdays, months, the time words a wish is built from and the word
// for the session itself (a time alone asks for nothing unless the mail
// names a session, so "Fernwarung" must still be read as one). Words
// shorter than five letters are left alone (too many names are one edit
// from "juni" or "marc"). They are indexed by first letter and length:
// people misspell the middle of a word, and this runs for every unknown
// word of a mail.
var typoTargets, typoMasks = func() (by [26][16][]string, masks [26][16][]uint32) {
	for _, w := range []string{
		"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
		"januar", "jänner", "februar", "feber", "april", "august", "september", "oktober",
		"november", "dezember", "january", "february", "march", "october", "december",
		"vormittag", "nachmittag", "tomorrow", "morning", "afternoon", "nächste",
		"nächsten", "nächster", "kommenden", "vormittags", "nachmittags", "fernwartung", "übermorgen", "appointment", "morgen", "woche", "termin",
		"eleven", "twelve", "oclock",
	} {
		if c := w[0]; c >= 'a' && c <= 'z' && len(w) < 16 {
			by[c-'a'][len(w)] = append(by[c-'a'][len(w)], w)
			masks[c-'a'][len(w)] = append(masks[c-'a'][len(w)], letterMask(w))
		}
	}
	return by, masks
}()

// letterMask is the set of ASCII letters in w (others share one bit); two
// words one edit apart differ in at most one letter each way, which rules
// out most candidates before any edit is counted.
func letterMask(w string) uint32 {
	var m uint32
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'a' && c <= 'z' {
			m |= 1 << (c - 'a')
		} else {
			m |= 1 << 26
		}
	}
	return m
}

func nearMask(a, b uint32, edits int) bool {
	return bits.OnesCount32(a&^b) <= edits && bits.OnesCount32(b&^a) <= edits
}

// notTypos are real words (and common names) one edit from a target.
var notTypos = map[string]bool{
	"montage": true, "montagen": true, "mondays": true, "marche": true, "morgan": true, "moring": false,
	"aprils": true, "augusta": true, "augustin": true, "sonntage": true, "freitage": true,
	"dienstage": true, "septembers": true, "januars": true, "nachster": false,
}

// wordMarks are what one pass over the words finds besides corrections.
type wordMarks struct {
	corrected int  // words corrected to the closed vocabulary
	feast     bool // a feast day is named
	idWord    bool // a word that announces an ID
}

// scanWords corrects typos and notes feast and ID words in one pass: each
// pass over every word of a mail costs Read about a microsecond.
func scanWords(toks []token) wordMarks {
	var m wordMarks
	for i := range toks {
		t := &toks[i]
		if t.kind != tWord {
			continue
		}
		if !m.idWord {
			switch t.s {
			case "id", "nummer", "number", "anydesk-id", "anydesk-nr", "adresse", "address", "anydesk":
				m.idWord = true
			}
		}
		if t.w != nil && t.w.wd != 0 && i > 0 && feastBeforeWeekday(toks[i-1].s) {
			// "Good Friday", "Ash Wednesday": the weekday is part of the
			// feast's name, no weekday of its own.
			t.w = feastNamePart
		}
		if t.w != nil {
			m.feast = m.feast || t.w.feast
			continue
		}
		if (t.s == "year" || t.s == "year's") && i > 0 && toks[i-1].s == "new" {
			m.feast = true
		}
		if len(t.s) <= 5 && len(t.s) >= 3 && besideDayNumber(toks, i) {
			// "6. Maii", "10 marh", "16 juin", "11 Jully": a short month
			// misspelt next to its day — too short to correct anywhere
			// else.
			fixed := false
			for _, mo := range shortMonths {
				// (Five letters only with a letter doubled, "Jully" — not
				// "Julia", a name.)
				if oneEdit(t.s, mo) && !notShortMonth[t.s] && (len(t.s) < 5 || doubledFrom(t.s, mo)) {
					if w := lookupWord(mo); w != nil && w.month != 0 {
						t.s, t.w = mo, w
						m.corrected++
						fixed = true
					}
					break
				}
			}
			if fixed || len(t.s) < 5 {
				continue
			}
		}
		if len(t.s) < 5 || len(t.s) > 14 {
			continue
		}
		if fixed := typoFix(t.s); fixed != "" {
			if w := lookupWord(fixed); w != nil {
				t.s, t.w = fixed, w
				m.corrected++
			}
		}
	}
	return m
}

// feastBeforeWeekday: the word names a feast with the weekday after it
// ("Good Friday", "Ash Wednesday"); alone it is a common word.
func feastBeforeWeekday(w string) bool {
	switch w {
	case "good", "ash", "shrove", "palm", "holy", "maundy", "easter", "whit":
		return true
	}
	return false
}

// feastNamePart stands for a weekday read as the last word of a feast's
// name.
var feastNamePart = &wordInfo{feast: true}

// doubledFrom: s is w with one letter typed twice ("jully", "junne").
func doubledFrom(s, w string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] && s[:i]+s[i+1:] == w {
			return true
		}
	}
	return false
}

// shortMonths are the months short enough to be left out of typoTargets.
var shortMonths = []string{"mai", "juni", "juli", "märz", "march", "june", "july", "may", "april"}

// notShortMonth are real words one edit from a short month ("3 mal
// probiert", "2 Mail", "10 man-days").
var notShortMonth = map[string]bool{"mal": true, "man": true, "mail": true, "mag": true, "mars": true, "mark": true, "marc": true,
	"mach": true, "mais": true, "maid": true, "max": true, "mays": true, "mayo": true, "jura": true, "jule": true, "mat": true,
	"map": true, "mad": true, "main": true, "maii": false, "jung": true, "junk": true, "jury": true, "mein": true, "maß": true,
	"mai": true, "may": true, "juni": true, "juli": true, "june": true, "july": true, "say": true, "day": true, "way": true,
	"pay": true, "ray": true, "bay": true, "hay": true, "lay": true, "jan": true, "man's": true, "mach's": true,
	"mia": true, "mir": true, "mi": true, "ma": true, "jo": true, "ja": true, "jul": true}

// besideDayNumber: the word at i follows a day number ("6.", "10") or is
// followed by one.
func besideDayNumber(toks []token, i int) bool {
	day := func(k int) bool {
		if k < 0 || k >= len(toks) || toks[k].kind != tNum || len(toks[k].s) > 2 {
			return false
		}
		if k > 0 && (toks[k-1].s == "um" || toks[k-1].s == "at" || toks[k-1].s == "gegen" || toks[k-1].s == "ab") {
			return false // a clock ("um 10. Mia ham …")
		}
		return toks[k].s != "0"
	}
	if day(i-1) || i >= 2 && toks[i-1].s == "." && day(i-2) {
		return true
	}
	// ("say 4pm": a clock follows, not a day.)
	return day(i+1) && !(i+2 < len(toks) && (toks[i+2].kind == tPunct && toks[i+2].s == ":" || toks[i+2].w != nil && toks[i+2].w.role&(rAM|rPM|rUhr) != 0))
}

func typoFix(s string) string {
	c := s[0]
	if c < 'a' || c > 'z' {
		return ""
	}
	byLen, masks := &typoTargets[c-'a'], &typoMasks[c-'a']
	mask := uint32(0)
	// A letter left out comes first: "Tursday" is Thursday before it is
	// Tuesday with one letter changed.
	for _, l := range [3]int{len(s) + 1, len(s), len(s) - 1} {
		if l < 5 || l >= len(byLen) || len(byLen[l]) == 0 {
			continue
		}
		if mask == 0 {
			mask = letterMask(s)
		}
		for k, w := range byLen[l] {
			if nearMask(mask, masks[l][k], 1) && oneEdit(s, w) && !notTypos[s] && !shortSwap(s, w) {
				return w
			}
		}
	}
	// Dialect "Freitach", "Montach": a weekday spoken with "-ach".
	if strings.HasSuffix(s, "tach") {
		if w := s[:len(s)-2] + "g"; lookupWord(w) != nil && lookupWord(w).wd != 0 {
			return w
		}
	}
	// The English weekdays people misspell most ("Wendsday", "Thrusdy"),
	// two edits away: long enough that no other word is that close.
	// So are the long words a wish is built from ("appoiment", "Fernwatung").
	if len(s) >= 7 {
		for _, w := range []string{"wednesday", "thursday", "tuesday", "saturday", "appointment", "fernwartung", "donnerstag"} {
			if w[0] == s[0] && editDistance(s, w) <= 2 && !notTypos[s] {
				return w
			}
		}
	}
	// "mitwoh", "mitwch": Mittwoch with its double t and an h lost — no
	// German word of six letters starting "mi" comes that close.
	if len(s) == 6 && strings.HasPrefix(s, "mi") && editDistance(s, "mittwoch") <= 2 && !notTypos[s] {
		return "mittwoch"
	}
	if c != 'j' && c != 'n' {
		return ""
	}
	return deUmlaut(s)
}

// plainTargets are targets that are ordinary words, not names: a word of
// the same length with one letter changed is too often a real word of its
// own ("Margen", "morden" are no "morgen"), while "Mondag", "Montaq" are
// weekdays. They are corrected only for a letter missing, added or two
// letters swapped ("morgn", "mrogen").
var plainTargets = map[string]bool{"morgen": true, "woche": true, "termin": true}

func shortSwap(s, w string) bool {
	if !plainTargets[w] || len(s) != len(w) {
		return false
	}
	a, b := []byte(s), []byte(w)
	slices.Sort(a)
	slices.Sort(b)
	return !bytes.Equal(a, b)
}

// dayPrepositions come before a day; an unknown word after one that is
// two edits from a weekday or month ("on Wensday") is a day we could not
// read, and the time that follows must not land on today.
var dayPrepositions = map[string]bool{"on": true, "am": true, "next": true, "this": true, "nächsten": true,
	"kommenden": true, "diesen": true, "until": true, "by": true, "ab": true, "from": true, "bis": true}

// unreadableDay reports an unknown word after a day preposition that is
// two edits from the closed vocabulary.
func unreadableDay(toks []token) bool {
	for i := 1; i < len(toks); i++ {
		t := &toks[i]
		if i >= 2 && t.kind == tWord && t.w == nil && len(t.s) >= 3 && len(t.s) <= 10 && toks[i-1].s == "." &&
			toks[i-2].kind == tNum && toks[i-2].n >= 1 && toks[i-2].n <= 31 && len(toks[i-2].s) <= 2 &&
			(i < 3 || toks[i-3].s != "um" && toks[i-3].s != "at") {
			// "17. Jnui um 14:00": a day of a month we could not read.
			return true
		}
		if t.kind == tWord && t.w == nil && toks[i-1].w != nil && dayPrepositions[toks[i-1].s] && compoundDay(t.s) {
			// "am Faschingsdienstag", "on Shrove Tuesday"-like names we
			// do not resolve: the day they mean is not the one we read.
			return true
		}
		if t.kind != tWord || t.w != nil || len(t.s) < 5 || len(t.s) > 12 || toks[i-1].w == nil || !dayPrepositions[toks[i-1].s] {
			continue
		}
		c := t.s[0]
		if c < 'a' || c > 'z' {
			continue
		}
		mask := letterMask(t.s)
		for l := len(t.s) - 2; l <= len(t.s)+2; l++ {
			if l < 5 || l >= len(typoTargets[c-'a']) {
				continue
			}
			for k, w := range typoTargets[c-'a'][l] {
				if nearMask(mask, typoMasks[c-'a'][l][k], 2) && editDistance(t.s, w) <= 2 {
					return true
				}
			}
		}
	}
	return false
}

// partWords name parts of the day; a word two edits from one ("nochmittog")
// is a part of the day we could not read.
var partWords = []string{"nachmittag", "nachmittags", "vormittag", "vormittags", "afternoon", "morning"}

// unreadClock: a wish read to the day only, in a mail that holds a bare
// three- or four-digit number that could be its clock ("23.09 1030" in a
// form we do not read): the day's first free slot is no safe guess.
func unreadClock(toks []token) bool {
	for i := 1; i < len(toks); i++ {
		t := &toks[i]
		if t.kind == tNum && len(t.s) <= 2 && t.n >= 7 && t.n <= 19 && t.sp && toks[i-1].kind == tWord && toks[i-1].w == nil &&
			len(toks[i-1].s) <= 4 && (i+1 >= len(toks) || toks[i+1].kind == tPunct && toks[i+1].s != "." && toks[i+1].s != ":") {
			// "übermorgn umd 10?": a clock after a word we could not read
			// (a misspelt "um").
			return true
		}
		if t.kind != tNum || len(t.s) < 3 || len(t.s) > 4 || !t.sp {
			continue
		}
		if h, m := t.n/100, t.n%100; h < 7 || h > 19 || m > 59 || m%5 != 0 {
			continue
		}
		if i+1 < len(toks) && toks[i+1].kind == tPunct && !toks[i+1].sp && toks[i+1].s != "?" && toks[i+1].s != "," && toks[i+1].s != "!" {
			continue // "1030-22", "1030.5": part of another number
		}
		// Beside a day: a weekday, a month, a relative day or a date.
		for k := i - 1; k >= 0 && k >= i-4; k-- {
			if w := toks[k].w; w != nil && (w.wd != 0 || w.month != 0 || w.hasRel) || toks[k].s == "/" || toks[k].s == "." && k > 0 && toks[k-1].kind == tNum {
				return true
			}
		}
	}
	return false
}

// unreadablePart: an unknown word of the mail is two edits or fewer from a
// part of the day ("mittwoch nochmittog?"): the day alone is not the wish.
func unreadablePart(toks []token) bool {
	for i := range toks {
		t := &toks[i]
		if t.kind != tWord || t.w != nil || len(t.s) < 7 || len(t.s) > 13 {
			continue
		}
		for _, w := range partWords {
			if editDistance(t.s, w) <= 2 {
				return true
			}
		}
	}
	return false
}

// editDistance is the Levenshtein distance of two short words.
func editDistance(a, b string) int {
	var prev, cur [17]int
	if len(b) > 16 {
		return 99
	}
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// deUmlaut turns a typed "a" for "ä" back ("janner" → "jänner") for the
// one target that needs it.
func deUmlaut(s string) string {
	if s == "janner" {
		return "jänner"
	}
	if s == "naechste" || s == "nachste" {
		return "nächste"
	}
	return ""
}

// oneEdit reports whether a and b differ by exactly one substitution,
// insertion, deletion or swap of two neighbours (bytes; the vocabulary's
// umlauts are two bytes and take part like any other).
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la == lb+1:
		a, b = b, a
		fallthrough
	case la+1 == lb:
		// b is a with one byte inserted.
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}

// negationNearTime reports whether a sentence holds both a refusal and
// something a time is made of ("Montag geht nicht, aber Mittwoch 11"):
// the parser drops the refused time, but whether it dropped the right one
// is a guess worth confirming.
func negationNearTime(toks []token) bool {
	p := parser{toks: toks}
	neg, timeish := false, false
	except, times := false, 0 // "any day next week but Friday, ideally at 2pm"
	for k := range toks {
		t := &toks[k]
		if t.nl >= 2 || t.kind == tPunct && (t.s == "." && !p.attached(k+1) || t.s == "!" || t.s == "?") {
			if neg && timeish || except && times >= 3 {
				return true
			}
			neg, timeish, except, times = false, false, false, 0
			if t.kind == tPunct {
				continue
			}
		}
		switch t.kind {
		case tNum:
			timeish = true
			times++
		case tWord:
			if t.w != nil && (t.w.wd != 0 || t.w.month != 0 || t.w.pod != 0 || t.w.hasRel || t.w.role&rWeek != 0) {
				timeish = t.w.role&rWeek == 0 || timeish
				times++
			}
			if t.s == "but" && p.exceptAt(k) {
				// The excepted day alone ("any day but Tuesday.") leaves
				// nothing in doubt; a wish beside it in the sentence does.
				except = true
			}
			if (t.w != nil && t.w.role&rNeg != 0 || negTail[t.s[len(t.s)-1]]) && p.isNegation(k) || t.s == "nichts" || t.s == "voll" || t.s == "out" && k > 0 && (toks[k-1].s == "i'm" || toks[k-1].s == "m" || toks[k-1].s == "am" || toks[k-1].s == "be" || toks[k-1].s == "are") {
				neg = true
			}
		}
	}
	return neg && timeish || except && times >= 3
}

// conflicting reports two wishes on different days with no word offering
// them as alternatives ("Montag oder Dienstag" is fine).
func conflicting(ws []Wish, toks []token) bool {
	if len(ws) < 2 {
		return false
	}
	y, m, d := ws[0].Start.Date()
	differ := false
	for _, w := range ws[1:] {
		if y2, m2, d2 := w.Start.Date(); y2 != y || m2 != m || d2 != d {
			differ = true
		}
		// "Geht Mittwoch um 8:30? Weil ab 9 kommen schon die Eltern.":
		// two clock times on one day, not offered as alternatives.
		if ws[0].Precision != PrecisionDay && w.Precision != PrecisionDay && !w.Start.Equal(ws[0].Start) {
			differ = true
		}
	}
	if !differ {
		return false
	}
	for i := range toks {
		switch toks[i].s {
		case "oder", "or", "bzw", "beziehungsweise", "alternativ", "alternatively", "sonst", "otherwise",
			"ansonsten", "either", "entweder", "auch", "also", "and", "und", "bis", "until", "to", "-":
			return false
		}
	}
	return true
}

var (
	reasonsNoTime  = []string{ReasonNoTime}
	reasonsOneWish = []string{ReasonOneWish}
	reasonsWishes  = []string{ReasonWishes}
)

// doubts are what lowers a reading's confidence.
type doubts struct {
	corrected    int  // words corrected to the closed vocabulary
	negation     bool // a time in a sentence that refuses something
	conflict     bool // wishes on different days, not offered as alternatives
	feast        bool // a time anchored to a feast day
	relativeMove bool // a move by an offset from a booking we cannot see
	pickRefused  bool // an option picked in a mail that also refuses something
	unreadable   bool // a word that looks like a day or month but is none
	compact3     bool // three digits read as a clock time ("Do 930")
	// unanchoredMove: a reschedule that answers no confirmation of ours.
	unanchoredMove bool
	thread         bool // read as the answer to one of our mails
	vague          bool // the first wish spans several days ("Mitte Feber", "in den nächsten Wochen")
	sentences      bool // wishes on different days, written in different sentences
	noDay          bool // only a time of day ("nachmittags", "until 5pm"): which day is a guess
	// noSession: a first mail that only proposes a time ("how about Friday
	// at 11:45?") names neither the session nor a problem.
	noSession bool
	// toldOnly: every time of a first mail that asks a question stands
	// in a statement that asks for nothing ("Die Fernwartung heute bleibt
	// aber bestehen." beside "wie kann ich das Abo kündigen?"): is the
	// day the wish, or what the mail tells beside its question?
	toldOnly   bool
	cancelWord bool // a cancel verb in a mail read as a request
	// beforeOptions: a bare weekday under our options read before the
	// first of them ("de passen alle ned. Geht Freitag Vormittag a?").
	beforeOptions bool
	// dayAndClock: alternatives whose first is a whole day and another a
	// clock time on another day ("Next Monday or Tuesday at 10", "die
	// Versammlung is am 30. … Geht's am Freitag um 9?").
	dayAndClock bool
	// clocksApart: clock times on one day said in different sentences
	// ("10am UK time? That would be 11:00 your time … let's say 10:00"):
	// which one stands?
	clocksApart bool
	forwarded   bool // the wish was read from the mail the customer forwards
	weekdayOff  bool // a weekday that does not fit the date beside it
	// nextAmbiguous: "nächsten Donnerstag" when this week's Thursday is
	// still ahead.
	nextAmbiguous bool
	// eventAnchor: "the Monday after Independence Day", "am Montag nach
	// der Inventur": a weekday told from an event whose date we cannot
	// know, placed on its next occurrence.
	eventAnchor bool
	// todayWeekday: the weekday named is today's, read as a week on.
	todayWeekday bool
	// zoneApart: "2pm? That's UK time": which zone the clock is in is a
	// guess.
	zoneApart bool
	// sameAsBooked: a move whose new time is (or spans) the booked one.
	sameAsBooked bool
	// ownBooking: a first mail read as asking for a session names "our
	// appointment on Tuesday at 10" — one the customer already has, and
	// what they want done with it ("miass ma leider absog'n") went unread.
	ownBooking bool
	// monthApart: the first wish is a weekday said alone, placed on its
	// next occurrence, in another month than one the mail names ("in der
	// 2. Januarwoche … Dienstag um 10" written in December), or one that
	// took its week from an earlier sentence asking nothing.
	monthApart bool
	// damaged: the mail's text could not be decoded; what was read (often
	// only the subject) is no ground to act on.
	damaged bool
}

// score sets the reading's confidence and reasons.
func (r *Reading) score(d doubts) {
	r.Confidence = 0.95
	// Shared, full slices (len == cap): the common readings allocate
	// nothing, and a later append copies instead of writing into them.
	switch {
	case len(r.Requested) == 0:
		r.Reasons = reasonsNoTime[:1:1]
	case len(r.Requested) == 1:
		r.Reasons = reasonsOneWish[:1:1]
	default:
		r.Reasons = reasonsWishes[:1:1]
	}
	if d.thread {
		r.Reasons = append(r.Reasons, ReasonThread)
	}
	if d.corrected > 0 {
		r.doubt(0.4, ReasonCorrected)
	}
	if d.unreadable {
		r.doubt(0.4, ReasonUnreadable)
	}
	if d.compact3 && len(r.Requested) > 0 {
		r.doubt(0.4, ReasonCompact)
	}
	if d.unanchoredMove {
		r.doubt(0.3, ReasonUnanchored)
	}
	if d.negation && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonNegation)
	}
	if d.conflict {
		r.doubt(0.3, ReasonConflict)
	}
	if d.feast && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonFeast)
	}
	if d.relativeMove {
		r.doubt(0.3, ReasonRelative)
	}
	if d.pickRefused && r.Choice > 0 {
		r.doubt(0.3, ReasonPickRefused)
	}
	if d.vague && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonVague)
	}
	if d.sentences && !d.conflict {
		r.doubt(0.3, ReasonSentences)
	}
	if d.noDay && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonNoDay)
	}
	if d.weekdayOff && len(r.Requested) > 0 {
		r.doubt(0.4, ReasonWeekdayOff)
	}
	if d.nextAmbiguous && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonNextWeekday)
	}
	if d.sameAsBooked && len(r.Requested) > 0 {
		r.doubt(0.4, ReasonSameAsBooked)
	}
	if d.zoneApart && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonZoneApart)
	}
	if d.todayWeekday && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonTodayWeekday)
	}
	if d.ownBooking && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonOwnBooking)
	}
	if d.eventAnchor && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonEventAnchor)
	}
	if d.forwarded && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonForwarded)
	}
	if d.noSession && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonNoSession)
	}
	if d.clocksApart && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonClocksApart)
	}
	if d.cancelWord && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonCancelWord)
	}
	if d.dayAndClock && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonDayAndClock)
	}
	if d.monthApart && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonMonthApart)
	}
	if d.beforeOptions && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonBeforeOptions)
	}
	if d.toldOnly && len(r.Requested) > 0 {
		r.doubt(0.3, ReasonToldOnly)
	}
	if d.damaged {
		r.doubt(0.5, ReasonDamaged)
	}
	if r.Confidence < 0.05 {
		r.Confidence = 0.05
	}
}

// doubt lowers the confidence by by and says why.
func (r *Reading) doubt(by float64, why string) {
	r.Confidence -= by
	r.Reasons = append(r.Reasons, why)
}

// compoundDay: an unknown word built on a weekday ("Faschingsdienstag",
// "Gründonnerstag", "Aschermittwoch") names a particular day we cannot place.
func compoundDay(w string) bool {
	for _, d := range []string{"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		if len(w) > len(d)+2 && strings.HasSuffix(w, d) {
			return true
		}
	}
	return false
}

// timeSentences counts the sentences of toks that name a day ("ab Montag
// eine neue Kollegin. Ginge nächste Woche Dienstag um 14:30?"): with wishes
// on different days in two of them, which one is the wish is a guess.
func timeSentences(toks []token) int {
	p := parser{toks: toks}
	n, in := 0, false
	for k := range toks {
		t := &toks[k]
		if t.nl >= 2 || p.endsSentence(k) {
			in = false
			if t.kind == tPunct {
				continue
			}
		}
		if !in && t.kind == tWord && t.w.namesDay() {
			n++
			in = true
		}
	}
	return n
}

// onDifferentDays reports wishes that fall on more than one day.
func onDifferentDays(ws []Wish) bool {
	for _, w := range ws[1:] {
		if !sameDate(w.Start, ws[0].Start) {
			return true
		}
	}
	return false
}

// monthApart: w is a weekday said alone, placed on its next occurrence,
// and the mail names a month — or a part of one, "Januarwoche",
// "Jännerende" — that the placed day is not in. Which week was meant?
func monthApart(toks []token, w Wish, loc *time.Location) bool {
	if !w.bareWeekday {
		return false
	}
	placed := int(w.Start.In(loc).Month())
	for i := range toks {
		t := &toks[i]
		if t.kind != tWord {
			continue
		}
		mo := 0
		switch {
		case t.w != nil && t.w.month != 0 && !t.w.monthAbbr:
			if t.up || t.s != "may" && t.s != "march" { // (not "we may", "march on")
				mo = int(t.w.month)
			}
		case t.w == nil:
			mo = monthCompound(t.s)
		}
		if mo != 0 && mo != placed {
			return true
		}
	}
	return false
}

// monthCompound is the month a German compound names a part of
// ("Januarwoche", "Jännerende", "Maianfang", "Novembermitte"), else 0.
func monthCompound(s string) int {
	for _, part := range []string{"woche", "wochen", "ende", "anfang", "mitte", "hälfte"} {
		head, ok := strings.CutSuffix(s, part)
		if !ok || len(head) < 3 {
			continue
		}
		if w := lexicon[head]; w != nil && w.month != 0 && !w.monthAbbr {
			return int(w.month)
		}
	}
	return 0
}
