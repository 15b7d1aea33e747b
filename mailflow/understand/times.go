package understand

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// The extractor works in three steps over the token list:
//  1. parse pieces: a date ("26.11.", "Donnerstag", "morgen"), a time or a
//     time range ("10 Uhr", "zwischen 13 und 15 Uhr"), a part of the day
//     ("Vormittag"), a week ("nächste Woche", "KW 49"), a time zone;
//  2. merge neighbouring pieces into mentions as long as they do not clash
//     (a second date or a second time starts a new mention) and no boundary
//     word ("oder", "aber", "lieber") or sentence end lies between them;
//  3. mark negated mentions ("Montag geht leider nicht") and resolve the
//     rest against the reference time.

// Weekday modes: how a weekday name is placed relative to today.
const (
	wdNextOcc   uint8 = iota // "Montag": the next Monday after today
	wdNextWeek               // English "next Monday": Monday of next week
	wdLast                   // "letzten Montag"
	wdAfterNext              // "übernächsten Montag", "Monday after next"
	wdCount                  // "3 fridays from now" / "2 thursdays ago"
)

// Offset units for "in 3 Tagen", "in einer Stunde".
const (
	unitNone uint8 = iota
	unitMinute
	unitHour
	unitDay
	unitWeek
)

// Open ends of "ab 13 Uhr" / "bis 11 Uhr".
const (
	openNone uint8 = iota
	openAfter
	openBefore
)

// maxGap is how many non-filler tokens may separate two pieces of one
// mention: "Donnerstag hätte ich um 10 Uhr Zeit" is one wish, a date and a
// time a whole sentence apart are not.
const maxGap = 6

type timeSpec struct {
	h, m   int
	ampm   uint8 // 0 unknown, 1 am, 2 pm
	strict bool  // written so that it is certainly a 24-hour time ("07:30", "15 Uhr")
}

const (
	ampmNone uint8 = iota
	ampmAM
	ampmPM
)

// mention is one wished time while it is being assembled; a parsed piece is
// a mention with only some fields set.
type mention struct {
	a, b int // token span [a, b)

	abs      bool
	y, mo, d int // y 0: no year given; mo 0: day of month only ("am 15.")
	// swapDM: an English "10/12" read month first that is also a date
	// day first; the sooner of the two that is not past is meant.
	swapDM    bool
	absEnd    bool
	y2, mo2   int
	d2        int
	wd        int8 // 1 Monday … 7 Sunday
	wdMode    uint8
	wdN       int // for wdCount: how many; negative for "ago"
	hasRel    bool
	rel       int
	week      bool
	weekShift int // calendar weeks from this week
	kw        int // ISO week number, 0 when not given
	weekOff   bool
	// weekApart: week and weekShift were lent by a week named in an
	// earlier sentence. (Beside weekOff, it takes no room of its own.)
	weekApart bool
	offUnit   uint8
	offN      int

	hasTime bool
	t       timeSpec
	hasEnd  bool
	t2      timeSpec
	open    uint8
	pod     uint8
	hasTZ   bool
	tz      int  // minutes east of UTC
	tzLocal bool // "CET"/"MEZ": Central European wall time, whatever the season

	// Special day forms that stand alone: "die nächsten 3 Tage", "erster
	// Dienstag im Oktober", "Anfang nächster Woche", "Ende Dezember".
	special  uint8
	spanUnit uint8
	spanN    int
	nth      int  // 1…5, -1 for last
	nthWd    int8 // 0: "Tag"/"day"
	nthWeek  bool // the week that opens on the nth Monday
	ref      monthRef
	edge     uint8 // edgeBegin, edgeMid, edgeEnd
	edgeWeek bool

	neg      bool
	absorbed bool // a bare day that the time after it narrows
	pref     bool // marked as the customer's choice: "am liebsten Freitag", "Thursday at 9 instead?"
	booked   bool // names the customer's booking: "Monday's session"
	// exceptDay: refused by "außer", "except": the whole day is out.
	exceptDay bool
	nextSaid  bool // "nächsten Donnerstag": the weekday with a word for next
	// nextNaechst: the word for next is a form of "nächst", not
	// "kommend" ("nächsten Mittwoch" said on a Tuesday: next week's).
	nextNaechst bool
	inAWeek     bool // "Montag in einer Woche"
	plusDays    int8 // "Tuesday week": 7 days after the coming Tuesday
	// wdEnd closes a span of weekdays: "Montag bis Mittwoch", "Mo–Mi".
	wdEnd int8
	// absenceEnd: the day an absence lasts until ("bis Mittwoch im
	// Urlaub"), no wish when the mail asks for another time.
	absenceEnd bool
	// fromOn: "vor dem 10. Mai schaffe ich es nicht": the day refused
	// before stands as the first one free, not as a bound.
	fromOn bool
}

const (
	specNone     uint8 = iota
	specSpan           // next/last N units
	specUpcoming       // "upcoming 2 days": the day N days ahead
	specNth            // nth weekday/day of a month, also "20th of next month"
	specEdge           // beginning/middle/end of a week or month
)

const (
	edgeBegin uint8 = iota + 1
	edgeMid
	edgeEnd
)

// monthRef names a month: by name (mo, y) or relative to this one.
type monthRef struct {
	mo, y int
	isRel bool
	rel   int
}

func (m *mention) dateish() bool {
	return m.abs || m.wd != 0 || m.hasRel || m.week || (m.offUnit != unitNone) || m.special != specNone
}

// shareClock gives "Wednesday or Thursday at 10 am", "Montag oder Dienstag
// um 10" the clock on both days: a bare day joined by "or" to the next,
// whose clock comes after it, shares that clock.
func (p *parser) shareClock(ms []mention, spans []pieceSpan) {
	for k := 0; k+1 < len(ms); k++ {
		a, b := &ms[k], &ms[k+1]
		// ("Morgen oder übermorgen jeweils 16 Uhr": relative days too.)
		if a.hasTime || a.pod != 0 || a.open != 0 || !(a.wd != 0 || a.abs || a.hasRel) || a.week && a.wd == 0 || a.special != specNone ||
			!b.hasTime || b.hasEnd || !(b.wd != 0 || b.abs || b.hasRel) {
			continue
		}
		end := a.b // (a mention merged of pieces ends with its last piece)
		for _, s := range spans {
			if s.m == k && s.b > end {
				end = s.b
			}
		}
		// ("am Dienstag, 1.12., oder alternativ am Mittwoch, 2.12.,
		// jeweils um 10 Uhr")
		j := end // the word that joins the two days
		if p.isPunct(j, '.') && p.isPunct(j+1, ',') {
			j++ // ("1.12., oder")
		}
		if p.isPunct(j, ',') {
			j++
		}
		switch p.word(j) {
		case "or", "oder", "bzw":
		default:
			continue
		}
		for j++; p.isPunct(j, ',') || p.word(j) == "alternativ" || p.word(j) == "alternatively" || p.word(j) == "auch"; j++ {
		}
		if b.a != j && !(b.a == j+1 && (p.word(j) == "am" || p.word(j) == "on")) {
			continue
		}
		// The clock stands after the second day, not before it ("um 10
		// Dienstag"); a date may open it ("1.12. oder 2.12. um 10").
		if t := p.tok(b.a); t == nil || t.kind == tNum && !(b.wd != 0 && b.abs) && !(b.abs && p.dateOpens(b.a)) {
			continue
		}
		a.hasTime, a.t, a.open = true, b.t, b.open // ("monday or tuesday, not before 10")
		a.hasTZ, a.tz, a.tzLocal = b.hasTZ, b.tz, b.tzLocal
	}
}

// dateOpens: the number at i is a day of the month written before its
// month ("2.12.", "2. Dezember", "2 December").
func (p *parser) dateOpens(i int) bool {
	if w := p.info(i + 1); w != nil && w.month != 0 {
		return true
	}
	if !p.isPunct(i+1, '.') {
		return false
	}
	if t := p.tok(i + 2); t != nil && t.kind == tNum && !t.sp {
		return true
	}
	w := p.info(i + 2)
	return w != nil && w.month != 0
}

// weekSentenceAsks: the sentence of the week piece [a, b) asks for or
// offers time ("wir bräuchten nächste Woche Unterstützung", "nächste
// Woche hätte ich Zeit") — unlike a week in the story of a fault ("wennst
// auf die nächste Woche weiterklickst").
func weekSentenceAsks(toks []token, a, b int) bool {
	ends := func(k int) bool {
		t := &toks[k]
		return t.kind == tPunct && (t.s == "." || t.s == "?" || t.s == "!") || t.nl >= 2
	}
	from, to := a, b
	for from > 0 && !ends(from-1) {
		from--
	}
	for to < len(toks) && !ends(to) {
		to++
	}
	if to < len(toks) && toks[to].s == "?" {
		return true
	}
	for k := from; k < to; k++ {
		if w := toks[k].w; w != nil && w.role&rAppt != 0 {
			return true
		}
		switch toks[k].s {
		case "zeit", "time", "frei", "free", "passt", "passen", "geht", "ginge", "bräuchten", "brauchen", "brauche", "möchten",
			"möchte", "würden", "would", "need", "want", "like", "please", "bitte", "hätte", "hätten", "können", "könnten",
			"could", "can", "available", "verfügbar", "unterstützung", "support", "hilfe", "help", "suits", "works":
			return true
		}
	}
	return false
}

// dayFrom gives m the day of o: its date, weekday, relative day and week.
func (m *mention) dayFrom(o *mention) {
	m.abs, m.y, m.mo, m.d = o.abs, o.y, o.mo, o.d
	m.wd, m.wdMode, m.wdN = o.wd, o.wdMode, o.wdN
	m.inAWeek, m.plusDays, m.nextSaid, m.nextNaechst = o.inAWeek, o.plusDays, o.nextSaid, o.nextNaechst // ("Montag in ana Wochn? Am Vormittag, so um zehne")
	m.hasRel, m.rel = o.hasRel, o.rel
	m.week, m.weekShift, m.kw = o.week, o.weekShift, o.kw
}

// merge adds piece p to mention m unless they clash.
func (m *mention) merge(p *mention) bool {
	if p.hasTime && m.hasTime || p.pod != 0 && m.pod != 0 && p.pod != m.pod {
		return false
	}
	if (m.pod == podMorning || m.pod == podForenoon) && p.hasTime && p.t.ampm == ampmPM && !m.hasTime {
		// "just not in the morning - 1pm?": an afternoon clock is no
		// time of that morning.
		return false
	}
	if p.abs && m.abs || p.wd != 0 && m.wd != 0 || p.hasRel && m.hasRel || p.week && m.week {
		return false
	}
	if m.hasTime && (m.hasRel && (p.wd != 0 || p.abs) || (m.wd != 0 || m.abs) && p.hasRel) {
		// "den Termin morgen 16 Uhr auf Freitag 9 Uhr": a day that already
		// has its time is followed by another one, not narrowed by it.
		return false
	}
	if p.offUnit != unitNone && m.dateish() || m.offUnit != unitNone && p.dateish() {
		// "Mittwoch in 2 Wochen": a week offset with a weekday is a week shift.
		if p.offUnit == unitWeek && p.offN != 0 && m.wd != 0 && !m.week && !m.abs && !m.hasRel && m.offUnit == unitNone {
			m.week, m.weekShift = true, p.offN
			m.b = p.b
			return true
		}
		if m.offUnit == unitWeek && m.offN != 0 && p.wd != 0 && !p.week && !p.abs && !p.hasRel {
			m.offUnit, m.week, m.weekShift = unitNone, true, m.offN
			m.wd, m.wdMode = p.wd, p.wdMode
			m.b = p.b
			return true
		}
		if p.offUnit != unitNone && p.offUnit <= unitHour || m.offUnit != unitNone && m.offUnit <= unitHour {
			return false
		}
		if !(p.offUnit == unitDay && m.offUnit == unitNone && !m.dateish()) {
			return false
		}
	}
	if p.week && (m.abs || m.hasRel) || m.week && (p.abs || p.hasRel) {
		return false
	}
	if p.special != specNone && m.dateish() || m.special != specNone && p.dateish() {
		return false
	}
	if p.hasTZ && !m.hasTime && !p.hasTime {
		return true // a stray zone name: swallow
	}
	if p.abs {
		m.abs, m.y, m.mo, m.d = true, p.y, p.mo, p.d
		m.absEnd, m.y2, m.mo2, m.d2 = p.absEnd, p.y2, p.mo2, p.d2
	}
	if p.wd != 0 {
		m.wd, m.wdMode, m.wdN = p.wd, p.wdMode, p.wdN
		// ("Montag in einer Woche? Am Vormittag, so um zehn", "Tuesday
		// week at 10": the week on goes with the weekday.)
		m.inAWeek, m.plusDays, m.nextSaid = m.inAWeek || p.inAWeek, max(m.plusDays, p.plusDays), m.nextSaid || p.nextSaid
		m.nextNaechst = m.nextNaechst || p.nextNaechst
	}
	if p.hasRel {
		m.hasRel, m.rel = true, p.rel
	}
	if p.week {
		m.week, m.weekShift, m.kw = true, p.weekShift, p.kw
	}
	if p.offUnit != unitNone {
		m.offUnit, m.offN = p.offUnit, p.offN
	}
	if p.hasTime {
		m.hasTime, m.t, m.hasEnd, m.t2, m.open = true, p.t, p.hasEnd, p.t2, p.open
	}
	if p.pod != 0 {
		m.pod = p.pod
	}
	if p.hasTZ {
		m.hasTZ, m.tz, m.tzLocal = true, p.tz, p.tzLocal
	}
	if p.special != specNone {
		m.special, m.spanUnit, m.spanN, m.nth, m.nthWd = p.special, p.spanUnit, p.spanN, p.nth, p.nthWd
		m.ref, m.edge, m.edgeWeek = p.ref, p.edge, p.edgeWeek
	}
	if p.b > m.b {
		m.b = p.b
	}
	return true
}

type parser struct {
	toks []token
	lang uint8
}

func (p *parser) tok(i int) *token {
	if i < 0 || i >= len(p.toks) {
		return nil
	}
	return &p.toks[i]
}

func (p *parser) isPunct(i int, c byte) bool {
	t := p.tok(i)
	return t != nil && t.kind == tPunct && len(t.s) == 1 && t.s[0] == c
}

// attached reports token i exists and follows the previous one without space.
func (p *parser) attached(i int) bool {
	t := p.tok(i)
	return t != nil && !t.sp
}

func (p *parser) num(i int) (int, int, bool) {
	t := p.tok(i)
	if t == nil || t.kind != tNum {
		return 0, 0, false
	}
	return int(t.n), len(t.s), true
}

func (p *parser) word(i int) string {
	t := p.tok(i)
	if t == nil || t.kind != tWord {
		return ""
	}
	return t.s
}

func (p *parser) info(i int) *wordInfo {
	t := p.tok(i)
	if t == nil {
		return nil
	}
	return t.w
}

func (p *parser) has(i int, r role) bool {
	w := p.info(i)
	return w != nil && w.role&r != 0
}

// ordSuffix reports whether token i is an ordinal ending glued to a number:
// "1st", "15th", "15ten", "13ter".
func (p *parser) ordSuffix(i int) bool {
	if !p.attached(i) {
		return false
	}
	switch p.word(i) {
	case "st", "nd", "rd", "th", "te", "ten", "ter", "tes", "tem", "sten", "ster", "ste":
		return true
	}
	return false
}

// extract finds every wished time in toks, in text order, negated ones and
// those that cannot be placed in time left out.
func extract(toks []token, lang uint8, now time.Time) []Wish {
	ws, _ := extractTargets(toks, lang, now, nil)
	return ws
}

type pieceSpan struct{ a, b, m int }

// scratch holds the buffers one Read needs, reused across calls through
// scratchPool: a 2 KB mail would otherwise allocate some 30 KB per reading,
// and the garbage collector, not the reading, would set the pace.
type scratch struct {
	toks, stoks []token
	low, slow   []byte
	ms          []mention
	spans       []pieceSpan
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// release clears what points into the customer's text before the scratch
// goes back to the pool, so no mail is kept alive by the next one's buffers.
func (sc *scratch) release() {
	clear(sc.toks[:cap(sc.toks)])
	clear(sc.stoks[:cap(sc.stoks)])
	sc.toks, sc.stoks = sc.toks[:0], sc.stoks[:0]
	scratchPool.Put(sc)
}

// extractTargets is extract that also says which wish (index into the
// result, -1 for none) is the first one introduced as the target of a move:
// "vom Mittwoch auf Freitag", "reschedule to Friday". A reschedule puts it
// first, because the day before it is the appointment being given up.
func extractTargets(toks []token, lang uint8, now time.Time, sc *scratch) ([]Wish, int) {
	return extractWith(toks, lang, now, sc, false)
}

// extractNamed finds the times a mail names, refused or not: a cancel
// names its appointment in words that refuse it ("der Termin am 29. wird
// nix", "den Termin am Freitag brauchen wir nicht mehr").
func extractNamed(toks []token, lang uint8, now time.Time) []Wish {
	ws, _ := extractWith(toks, lang, now, nil, true)
	return ws
}

func extractWith(toks []token, lang uint8, now time.Time, sc *scratch, keepRefused bool) ([]Wish, int) {
	var cuts []int
	for {
		ws, target, cut := extractCut(toks, lang, now, sc, keepRefused, cuts)
		if cut < 0 || len(cuts) >= 4 {
			return ws, target
		}
		cuts = append(cuts, cut)
	}
}

// extractCut is one pass of extraction. A refusal whose clause ends inside
// a mention ("nach 12 Uhr wird's schwierig, am Freitag vormittag …" read
// as one time) asks for another pass with the mention cut at that clause
// end: cut is that token, -1 when the pass stands.
func extractCut(toks []token, lang uint8, now time.Time, sc *scratch, keepRefused bool, cuts []int) ([]Wish, int, int) {
	p := parser{toks: toks, lang: lang}
	var ms []mention
	var spans []pieceSpan
	if sc != nil {
		ms, spans = sc.ms[:0], sc.spans[:0]
		defer func() { sc.ms, sc.spans = ms[:0], spans[:0] }()
	}
	cur := -1
	gap, lastB := 0, 0
	var pc mention
	for i := 0; i < len(toks); {
		if len(cuts) > 0 && slices.Contains(cuts, i) {
			cur = -1
		}
		// Inline what boundary and pieceInto say about a word that can
		// neither end a wish nor start a piece: most words of a mail.
		if t := &toks[i]; t.kind == tWord && (t.w == nil || t.w.role&rBoundary == 0 && !t.w.starts) {
			if t.w == nil || t.w.role&rFiller == 0 {
				gap++
			}
			i++
			continue
		}
		if p.boundary(i) {
			cur = -1
			i++
			continue
		}
		j, ok := p.pieceInto(i, &pc)
		if !ok {
			t := &toks[i]
			if t.kind == tWord && (t.w == nil || t.w.role&rFiller == 0) {
				gap++
			}
			i++
			continue
		}
		if t := &toks[i]; t.nl >= 2 {
			cur = -1
		}
		if cur >= 0 && p.weekdaySpan(&ms[cur], &pc, lastB, i, j) {
			// "Montag bis Mittwoch", "from Monday to Wednesday": one span.
			ms[cur].wdEnd, ms[cur].b = pc.wd, j
			spans = append(spans, pieceSpan{i, j, cur})
			gap, lastB, i = 0, j, j
			continue
		}
		if cur < 0 || gap > maxGap || relWeekdayClash(&ms[cur], &pc, now) && !p.isPunct(i-1, '(') || p.insteadAt(i) || p.replacedDay(&ms[cur], &pc) || p.afterPossessive(lastB, i) || p.targetAt(i) && (ms[cur].dateish() || ms[cur].hasTime) || p.boundAfterExcept(&ms[cur], &pc, i) ||
			ms[cur].week && ms[cur].weekShift < 0 && askedBetween(toks, lastB, i) || !ms[cur].merge(&pc) {
			// ("letzte Woche hatten wir ein Problem, bitte am Montag um
			// 10": the past week is the story, the weekday the wish.)
			if pc.hasTZ && !pc.hasTime && !pc.dateish() && pc.pod == 0 {
				i = j
				continue
			}
			pc.a, pc.b = i, j
			ms = append(ms, pc)
			cur = len(ms) - 1
		}
		spans = append(spans, pieceSpan{i, j, cur})
		gap = 0
		lastB = j
		if j > i+1 && toks[j-1].kind == tPunct && toks[j-1].s == "." && toks[j-2].kind == tWord && p.boundary(j-1) {
			// "The update is on 1 April. Could you connect on Monday?":
			// the piece took the full stop that ends its sentence.
			cur = -1
		}
		i = j
	}
	if len(ms) == 0 {
		return nil, -1, -1
	}
	p.shareClock(ms, spans)

	// Negation: a negating word refers to the nearest piece in its clause,
	// the one before it first ("Montag geht leider nicht"), else the one
	// after ("nicht am Montag"). A question is not a refusal ("Hätten Sie
	// nicht am Montag Zeit?").
	for k := range toks {
		if keepRefused {
			break
		}
		// isNegation's own first checks, inline for the many tokens they settle.
		if t := &toks[k]; t.kind != tWord || (t.w == nil || t.w.role&rNeg == 0) && !negTail[t.s[len(t.s)-1]] {
			continue
		}
		if exceptWord(toks[k].s) && p.refusalBefore(k) {
			// ("Vormittag is bei uns immer schlecht, außer Freitag": an
			// exception to a refusal is the time that suits.)
			continue
		}
		except := p.exceptAt(k)
		if !except && !p.isNegation(k) {
			continue
		}
		ca, cb := p.clause(k)
		if p.sentenceIsQuestion(k) || p.conditional(ca, k) || p.busyBecause(ca, k, spans) {
			continue
		}
		best := -1
		if except {
			// "nächste Woche außer Montag", "any day except Monday": the
			// day after the word is refused, the span before it stands.
			for _, s := range spans {
				if s.a > k && s.b <= cb {
					for _, s2 := range spans {
						if s2.m == s.m && s2.b <= k && !slices.Contains(cuts, k) {
							return nil, -1, k
						}
					}
					ex := &ms[s.m]
					// ("anytime on Friday except the morning": a part of
					// the day taken out leaves the rest of the day.)
					ex.exceptDay = !(ex.pod != 0 && !ex.dateish() && !ex.hasTime)
					ex.neg = true
					break
				}
			}
			continue
		}
		// "I can't do today or tomorrow", "weder Montag noch Dienstag":
		// the days joined to the refused one are refused with it.
		joinedOn := func(best int) int {
			for best >= 0 {
				nx := -1
				for _, s := range spans {
					if s.m != best && ms[best].b < len(toks) && s.a == ms[best].b+1 {
						switch p.word(ms[best].b) {
						case "or", "and", "oder", "und", "nor", "noch":
							nx = s.m
						}
					}
				}
				if nx < 0 || nx == best {
					break
				}
				ms[best].neg = true
				best = nx
			}
			return best
		}
		fwd := -1
		if j := p.negatesNext(k); j >= 0 {
			// "not Monday and not Tuesday", "Monday and not Tuesday": a
			// refusal joined on by "and" names the day right after it.
			for _, s := range spans {
				if s.a == j || s.a == k+1 {
					fwd = s.m
					break
				}
			}
		}
		for _, s := range spans {
			if fwd >= 0 {
				best = joinedOn(fwd)
				break
			}
			if s.b <= k && s.a >= ca {
				// "Montag und Dienstag bin ich nicht da": every day the
				// clause lists before the refusal is refused.
				if best >= 0 && best != s.m && !p.untilBefore(&ms[best]) {
					ms[best].neg = true
				}
				best = s.m
			}
		}
		// Being busy names the time before it ("ab 9 habe ich eine
		// Sitzung"); what follows is their alternative ("I'm travelling —
		// Friday 11 works").
		if best < 0 && (!p.busyWord(k) || p.busyAhead(k, cb)) {
			for _, s := range spans {
				if s.a > k && (s.b <= cb || s.b == cb+1 && p.isPunct(cb, '.')) {
					// (A date may end on the full stop that ends the
					// clause: "we can't do 17 September.")
					if best >= 0 && s.m != best && p.busyWord(k) {
						// "I'm in court all of Tuesday and Wednesday": every
						// day the busy clause lists is refused.
						ms[best].neg = true
					}
					if !p.busyWord(k) && best >= 0 {
						break
					}
					best = s.m
				}
			}
			// "am Montag (Feiertag) natürlich ned": a refusal right after a
			// bracket refuses the day before the bracket.
			if best < 0 && ca >= 1 && p.isPunct(ca-1, ')') {
				for o := ca - 2; o >= 0 && o >= ca-8; o-- {
					if p.isPunct(o, '(') {
						for _, s := range spans {
							if s.b == o || s.b == o-1 && p.isPunct(o-1, ',') {
								best = s.m
							}
						}
						break
					}
				}
			}
			// "Montag und Dienstag sind Markttage, da geht nix", "Thursday
			// and Friday, those don't work": a refusal that points back with
			// "da", "dann", "that" refuses every day of the clause before it.
			if best < 0 && ca >= 2 && toks[ca-1].kind == tPunct && toks[ca-1].s == "," {
				if p.pointsBack(ca, k) || p.notThen(ca, cb) {
					pa, pb := p.clause(ca - 2)
					for _, s := range spans {
						if s.a >= pa && s.b <= pb {
							if best >= 0 && best != s.m {
								ms[best].neg = true
							}
							best = s.m
						}
					}
				}
			}
			best = joinedOn(best)
		}
		// "bis 30.11. nicht im Büro": the refusal is the time before the
		// date, not the date.
		if best >= 0 && p.untilBefore(&ms[best]) && !ms[best].hasTime {
			// "bis Mittwoch im Urlaub", "on leave until Friday": the day
			// an absence lasts to.
			ms[best].absenceEnd = true
		}
		if best >= 0 && !p.untilBefore(&ms[best]) {
			for _, s := range spans {
				if s.m != best {
					continue
				}
				if s.a >= cb && cb < len(toks) && !slices.Contains(cuts, cb) && !(s.a == cb+1 && p.isPunct(cb, '(')) {
					// ("We can't do Tuesday (8th)": the date in brackets
					// says which Tuesday; it is refused with it.)
					return nil, -1, cb // the mention reaches past the refusal's clause
				}
			}
			if !ms[best].hasTime && (ms[best].abs || ms[best].wd != 0) && p.beforeDate(&ms[best]) {
				// "vor dem 10. Mai schaffe ich es nicht", "vor Freitag geht
				// gar nichts": from that day on.
				ms[best].fromOn = true
				continue
			}
			if ms[best].open == openBefore && ms[best].hasTime {
				// "bis 11 bin ich im Termin", "until 2 I'm tied up": busy
				// until then, free after.
				ms[best].open = openAfter
				continue
			}
			ms[best].neg = true
		}
	}

	// "Donnerstag um 9 ist bei uns Übergabe, also nicht um 9, sondern erst
	// um 11": a clock refused on its own refuses that clock said before.
	for k := 1; k < len(ms) && !keepRefused; k++ {
		r := &ms[k]
		if !r.neg || r.booked || !r.hasTime || r.dateish() || r.open != openNone || r.hasEnd {
			continue
		}
		other := false
		for j := k + 1; j < len(ms); j++ {
			if !ms[j].neg && ms[j].hasTime {
				other = true
			}
		}
		for j := 0; j < k && other; j++ {
			if m := &ms[j]; !m.neg && m.hasTime && m.open == openNone && m.t.h == r.t.h && m.t.m == r.t.m {
				// Only the clock is refused: the day stays for the time after.
				n := &ms[k+1]
				if n.hasTime && !n.dateish() && m.dateish() {
					n.dayFrom(m)
				}
				m.neg, m.booked = true, true // (a refused clock, not a refused day)
			}
		}
	}

	// "Next Monday, any time but before 11": from 11 on.
	for k := range ms {
		if m := &ms[k]; m.hasTime && m.open == openBefore && !m.dateish() && m.a >= 2 && p.word(m.a-1) == "but" &&
			(p.word(m.a-2) == "time" || p.word(m.a-2) == "anytime") {
			m.open = openAfter
		}
	}

	// "Montag ab 9, aber bitte nicht nach 11", "from 9 but not after 11":
	// a time not to be passed closes the one before; it is no wish.
	for k := 1; k < len(ms) && !keepRefused; k++ {
		m := &ms[k]
		if !m.hasTime || m.open != openAfter || m.dateish() {
			continue
		}
		switch p.word(m.a) {
		case "nach", "after", "später", "later":
		default:
			continue
		}
		switch p.word(m.a - 1) {
		case "nicht", "not", "ned", "net", "no":
		default:
			continue
		}
		if prev := &ms[k-1]; prev.hasTime && !prev.neg && !prev.hasEnd {
			m.neg, m.booked = true, true // (a bound, not a refused day)
			if prev.open == openAfter {
				prev.hasEnd, prev.t2 = true, m.t
			}
		}
	}

	// "am Freitag (26.) is Feiertag, drum bitte Montag um 10", "Monday is a
	// bank holiday here, Tuesday 10am?": a day said to be a holiday is
	// refused when another day is asked for.
	for k := 0; k+1 < len(ms) && !keepRefused; k++ {
		m := &ms[k]
		if m.neg || m.hasTime || m.pod != 0 || !m.dateish() {
			continue
		}
		end := m.b
		for _, s := range spans {
			if s.m == k && s.b > end {
				end = s.b
			}
		}
		if p.isPunct(end, '(') {
			for o := end + 1; o < len(toks) && o <= end+6; o++ {
				if p.isPunct(o, ')') {
					end = o + 1
					break
				}
			}
		}
		j := end
		if w := p.word(end - 1); (strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s")) && (p.word(j) == "out" || p.word(j) == "off") {
			// "Wednesday's out, we're fully booked", "Monday's out (vet
			// coming)"
			m.neg = true
			continue
		}
		switch p.word(j) {
		case "ist", "is", "'s", "wär", "wäre", "was":
			j++
		default:
			continue
		}
		switch p.word(j) {
		case "ein", "a", "leider", "ja", "eh", "bei", "here", "hier":
			j++
		}
		switch p.word(j) {
		case "bank", "public":
			j++
		}
		if w := p.info(j); w != nil && w.feast || p.word(j) == "feiertag" || p.word(j) == "holiday" || p.word(j) == "fenstertag" ||
			p.word(j) == "zu" || p.word(j) == "geschlossen" || p.word(j) == "closed" || p.word(j) == "ruhetag" || p.word(j) == "betriebsurlaub" {
			// ("Dienstag is Fasching, … also bitte erst am Mittwoch", "Montag
			// is Pfingstmontag oder? Dann Dienstag um 11.")
			for n := k + 1; n < len(ms); n++ {
				if !ms[n].neg && ms[n].dateish() {
					m.neg = true
					break
				}
			}
		}
	}

	// "Übermorgen ist Sonntag, deshalb wäre Montag 11 Uhr gut", "tomorrow
	// is Friday, so Monday 10am?": a day said to be a weekday is a fact,
	// no wish, when a later day is asked for.
	for k := 0; k+1 < len(ms) && !keepRefused; k++ {
		m := &ms[k]
		if m.neg || m.hasTime || m.pod != 0 || !m.hasRel || m.wd == 0 {
			continue
		}
		first, second := -1, -1
		for _, s := range spans {
			if s.m != k {
				continue
			}
			if first < 0 {
				first = s.b
			} else if second < 0 {
				second = s.a
			}
		}
		if second != first+1 {
			continue
		}
		switch p.word(first) {
		case "ist", "is", "'s", "is'":
		default:
			continue
		}
		for n := k + 1; n < len(ms); n++ {
			if o := &ms[n]; !o.neg && o.dateish() {
				m.neg, m.booked = true, true // (a fact, not a refused day)
				break
			}
		}
	}

	// "am Montag und Dienstag bin i auf da Oim. Mittwoch um 10?", "Monday
	// we're at the trade fair. Tuesday 2pm?": days told with where the
	// customer is are no wish when a later sentence asks for a time.
	for k := 0; k+1 < len(ms) && !keepRefused; k++ {
		if m := &ms[k]; m.neg || m.hasTime || m.pod != 0 || !m.dateish() {
			continue
		}
		joined := []int{k}
		end := -1
		for _, s := range spans {
			if s.m == k && s.b > end {
				end = s.b
			}
		}
		for n := k + 1; n < len(ms) && end >= 0 && end < len(toks); n++ {
			if w := p.word(end); (w == "und" || w == "and" || w == "oder" || w == "or") && ms[n].a == end+1 && !ms[n].hasTime && ms[n].pod == 0 {
				joined = append(joined, n)
				end = ms[n].b
				continue
			}
			break
		}
		if !p.whereabouts(end) {
			continue
		}
		last := joined[len(joined)-1]
		for n := last + 1; n < len(ms); n++ {
			if o := &ms[n]; !o.neg && (o.hasTime || o.pod != 0) && o.dateish() && p.boundaryBetween(end, o.a) {
				for _, j := range joined {
					ms[j].neg = true
				}
				break
			}
		}
	}

	// "bitte nicht Dienstag oder Mittwoch", "not Monday or Tuesday": a
	// negation before a day refuses the days joined to it.
	mentionEnd := func(k int) int {
		end := ms[k].b
		for _, sp := range spans {
			if sp.m == k && sp.b > end {
				end = sp.b
			}
		}
		return end
	}
	for k := 1; k < len(ms); k++ {
		m, prev := &ms[k], &ms[k-1]
		if m.neg || !prev.neg || m.hasTime || m.pod != 0 || !(m.wd != 0 || m.abs) || m.a != mentionEnd(k-1)+1 {
			continue
		}
		switch p.word(m.a - 1) {
		case "oder", "or", "und", "and", "noch", "nor", "bzw":
		default:
			continue
		}
		// The negation stands right before the last day of the one refused.
		d := m.a - 2
		for d > prev.a && !(p.tok(d) != nil && p.tok(d).w != nil && p.tok(d).w.wd != 0) {
			d--
		}
		for n := 0; n < 2 && d > 0 && (p.word(d-1) == "am" || p.word(d-1) == "on" || p.word(d-1) == "den"); n++ {
			d--
		}
		switch p.word(d - 1) {
		case "nicht", "not", "ned", "nid", "net", "kein", "keinen", "never", "nie", "except", "außer", "ausser":
			m.neg = true
		}
	}
	// "in einer Woche wieder eine Sitzung, gleiche Uhrzeit wie letztes Mal,
	// also 10 Uhr?": one day and one clock with no day of its own, said
	// apart in one sentence, are one wish.
	if len(ms) == 2 {
		d, c := &ms[0], &ms[1]
		if d.hasTime {
			d, c = c, d
		}
		dayOnly := !d.neg && !d.hasTime && d.pod == 0 && d.special == specNone && !d.week && !d.absEnd && d.wdEnd == 0 &&
			(d.hasRel || d.wd != 0 || d.abs && d.mo != 0 || d.offUnit == unitDay || d.offUnit == unitWeek)
		clockOnly := !c.neg && c.hasTime && !c.hasEnd && c.open == 0 && !c.abs && c.wd == 0 && !c.hasRel && !c.week && c.offUnit == unitNone && c.special == specNone
		moveBetween := strings.HasSuffix(p.word(d.a), "'s") || strings.HasSuffix(p.word(d.a), "’s") // ("Thursday's session to 11am" moves the booking)
		for i := d.b; i < c.a && !moveBetween; i++ {
			switch p.word(i) {
			case "to", "auf", "nach", "statt", "anstatt", "instead", "from", "von", "vom", "than", "als":
				moveBetween = true
			}
			if w := p.toks[i].w; w != nil && w.role&(rAppt|rResched) != 0 && i == d.b {
				moveBetween = true // "Thursday's session", "Montag Termin"
			}
		}
		if dayOnly && clockOnly && d.a < c.a && !moveBetween && !p.sentenceEndBetween(d.b, c.a) {
			d.hasTime, d.t, d.pod = true, c.t, c.pod
			c.neg = true
		}
	}
	// "This week is mental, so not this week": the same day or week
	// said twice and refused once is refused both times.
	for k := range ms {
		if !ms[k].neg || ms[k].hasTime || ms[k].pod != 0 || ms[k].booked {
			continue
		}
		for n := range ms {
			o := &ms[n]
			if n != k && !o.neg && !o.hasTime && o.pod == 0 && o.special == specNone && ms[k].special == specNone &&
				o.wd == ms[k].wd && o.week == ms[k].week && o.weekShift == ms[k].weekShift && o.hasRel == ms[k].hasRel &&
				o.rel == ms[k].rel && o.abs == ms[k].abs && o.d == ms[k].d && o.mo == ms[k].mo && o.kw == ms[k].kw &&
				o.wdMode == ms[k].wdMode && o.nextSaid == ms[k].nextSaid && o.wdN == ms[k].wdN {
				o.neg = true
			}
		}
	}
	// "am Freitag, den 7.3., nicht – wir haben da geschlossen": a day
	// answered by a bare "nicht" is refused.
	for k := range ms {
		m := &ms[k]
		if m.neg || m.hasTime {
			continue
		}
		if b := m.a - 1; b >= 0 && !(p.word(b) == "am" || p.word(b) == "on" || toks[b].kind == tPunct || toks[m.a].nl > 0) {
			continue // ("i kann morgen ned": the verb's negation, read elsewhere)
		}
		j := mentionEnd(k)
		for p.isPunct(j, ',') || p.isPunct(j, '.') && p.isPunct(j+1, ',') {
			j++
		}
		switch p.word(j) {
		case "nicht", "not", "ned", "nid":
			if j+1 >= len(toks) || toks[j+1].kind == tPunct && toks[j+1].s != "," || toks[j+1].nl > 0 {
				m.neg = true
			}
		}
	}

	// "Monday is bad, Tuesday too.", "Montag ist schlecht, Dienstag
	// ebenso.": a day that only says "too" after a refused one is refused
	// with it.
	for k := 1; k < len(ms); k++ {
		m := &ms[k]
		if m.neg || !ms[k-1].neg || ms[k-1].booked || m.hasTime || m.pod != 0 || keepRefused {
			continue
		}
		w := p.word(m.b)
		n := p.tok(m.b + 1)
		end := n == nil || n.kind == tPunct
		switch {
		case w == "too" || w == "either",
			w == "as" && p.word(m.b+1) == "well",
			(w == "auch" || w == "ebenso" || w == "ebenfalls" || w == "a" && p.lang != langEN) && end:
			m.neg = true
		}
	}

	// "bis 12 Uhr bin ich bei Hausbesuchen, danach klappt es", "until 2,
	// after that any time": busy until then, free after.
	for k := range ms {
		m := &ms[k]
		if m.open != openBefore || !m.hasTime || m.neg {
			continue
		}
		for j := m.b; j < len(toks) && j < m.b+14; j++ {
			t := &toks[j]
			if t.kind == tPunct && (t.s == "." && p.boundary(j) || t.s == "!" || t.s == "?") || t.nl >= 2 {
				break
			}
			switch t.s {
			case "danach", "anschließend", "nachher", "afterwards", "after":
				if t.s != "after" || j+1 < len(toks) && (toks[j+1].s == "that" || toks[j+1].s == "this") {
					m.open = openAfter
				}
			}
		}
	}

	// The time being replaced is no wish: "um 11 statt 10", "statt morgen
	// am Montag", "instead of Monday", and the old day of "vom 24.11. auf
	// den 26.11." when a target follows.
	for k := range ms {
		w := p.word(p.beforeMention(&ms[k]))
		for _, i := range [2]int{ms[k].a, ms[k].a - 1} {
			if fw := p.word(i); fw == "vom" || fw == "von" || fw == "from" {
				w = fw // "können wir vom 20.08. auf den 22.08. …": "vom" is a filler beforeMention skips
			}
		}
		switch w {
		case "statt", "anstatt", "anstelle", "instead":
			ms[k].neg = !keepRefused
		case "vom", "von", "from":
			for j := k + 1; j < len(ms); j++ {
				if p.targetBefore(&ms[j]) && ms[j].a-ms[k].b <= 8 {
					ms[k].neg = true
					laterInWeek(&ms[k], &ms[j], now)
					break
				}
			}
		}
	}

	// "nach der Zeitumstellung am Sonntag … am Montag danach", "on the
	// 15th … the Monday after": a day before a weekday that points on from
	// it is that weekday's anchor, no wish; the weekday is the first one
	// after it.
	for k := 1; k < len(ms); k++ {
		m, prev := &ms[k], &ms[k-1]
		if m.wd == 0 || m.abs || m.hasRel || m.week || m.neg || !p.pointsOnAt(m.b) ||
			!prev.dateish() || prev.hasTime || prev.pod != 0 || prev.week || prev.special != specNone {
			continue
		}
		w, ok := p.resolve(prev, now)
		if !ok || w.End == nil || w.End.Sub(w.Start) > 25*time.Hour {
			continue
		}
		d := w.Start.In(now.Location())
		for n := 1; n <= 7; n++ {
			if c := d.AddDate(0, 0, n); weekdayIndex(c) == int(m.wd) {
				m.abs, m.y, m.mo, m.d, m.wd, m.wdMode = true, c.Year(), int(c.Month()), c.Day(), 0, 0
				break
			}
		}
		prev.neg, prev.booked = true, true // (an anchor, not a refused day)
	}

	// "Monday's session", "Wednesday's 3pm appointment" name a booking the
	// customer has; with another time after it, that is where it moves
	// ("could we move Monday's session to Tuesday instead?"), and "at the
	// same time" keeps the booking's clock.
	moving := hasMoveWord(toks)
	for k := range ms {
		m := &ms[k]
		// (A booking named and refused — "unser Termin am Donnerstag um 9
		// geht si ned aus, ginge Montag drauf um de gleiche Zeit?" — still
		// lends its clock.)
		if k+1 >= len(ms) || m.neg && m.booked || !p.possessiveBooking(m) && !(moving && p.bookingNamedBefore(m, false)) && !p.bookingNamedBefore(m, true) {
			continue
		}
		m.neg, m.booked = true, true
		if n := &ms[k+1]; m.hasTime && !n.hasTime && n.pod == 0 && sameTimeSaid(toks) {
			n.hasTime, n.t = true, m.t
		}
	}

	// "Our SMS reminders stopped going out on Friday": a day told after a
	// verb in the past is when something happened, no wish — when another
	// time is asked for.
	if len(ms) >= 2 {
		for k := range ms {
			m := &ms[k]
			if m.hasTime || m.neg || !p.pastBefore(m) {
				continue
			}
			m.neg = true
		}
	}
	// "um 08:30, da wir um 10 Uhr aufsperren", "because we open at 10": a
	// time in a clause that gives a reason is no wish, when another is.
	if len(ms) >= 2 {
		for k := 1; k < len(ms); k++ {
			if m := &ms[k]; m.hasTime && !m.neg && (p.reasonClause(m.a) || p.habitClause(m.a)) {
				m.neg = true
			}
		}
	}
	// "The backup fails every night", "stürzt jeden Montag ab": a day or a
	// part of the day said with "every" tells how often a fault comes, no
	// wish — unless the sentence says it suits ("every morning works").
	for k := range ms {
		// ("our backup runs every Friday at 5pm": with its clock too.)
		if m := &ms[k]; !m.neg && (m.wd != 0 || m.pod != 0) && !m.abs && !m.hasRel && p.everyBefore(m.a) && !p.suitsAfter(m.b) {
			if w := p.info(m.a); m.wd != 0 && m.pod != 0 && w != nil && w.pod != 0 {
				// "crashes every morning, can you look at it on
				// Tuesday?": the habit's part of the day, not the day
				// asked for.
				m.pod = 0
				continue
			}
			m.neg = true
		}
	}

	// "we wired the annual fee today", "heute überwiesen": a day on which
	// something was done is no wish.
	for k := range ms {
		if m := &ms[k]; !m.hasTime && m.pod == 0 && m.hasRel && m.rel <= 0 && p.doneOn(m) {
			m.neg = true
		}
		// "die Bestellung vom Montag", "Ihre Rechnung vom 3.": a thing
		// dated by the day it was made is no wish (a booking "vom Montag
		// auf Mittwoch" is read as a move elsewhere).
		if m := &ms[k]; !m.hasTime && m.pod == 0 && (m.wd != 0 || m.abs && m.y == 0) && !m.hasRel && p.word(m.a-1) == "vom" && m.a >= 2 {
			if t := p.tok(m.a - 2); t != nil && t.kind == tWord && t.up && (t.w == nil || t.w.role&(rAppt|rChoiceNoun) == 0) && !p.movesFrom(m) &&
				!spanNoun[t.s] { // ("in der Woche vom 15. Mai" is a wish)
				m.neg = true
			}
		}
		// "Sorry for the late mail on a Friday. … Monday morning?": a
		// weekday with "a" is any such day; beside a day named it is none.
		if m := &ms[k]; len(ms) >= 2 && m.wd != 0 && !m.abs && !m.hasTime && m.pod == 0 && !m.hasRel &&
			(p.word(m.a-1) == "a" && p.word(m.a-2) == "on" || p.word(m.a-1) == "einem" && p.word(m.a-2) == "an") {
			m.neg = true
		}
		// "Buying a new PC next week", "die neue Kasse wird nächste Woche
		// geliefert": the day of the customer's own purchase or delivery
		// is no wish — unless the mail asks for the session "then".
		// (Only a lone mention: beside another day it is the anchor that
		// day is read against.)
		if m := &ms[k]; len(ms) == 1 && !m.hasTime && m.pod == 0 && !m.neg && p.purchaseOn(m) {
			m.neg = true
		}
		// "forwarding this from Fiona who's off today", "I'm away
		// tomorrow": the day someone is away is no wish.
		if m := &ms[k]; !m.hasTime && m.pod == 0 && (m.hasRel || m.wd != 0) && !m.abs && !m.neg {
			switch p.word(m.a - 1) {
			case "off", "away", "out", "absent", "sick", "krank", "weg":
				switch p.word(m.a - 2) {
				case "call", "calling", "called", "put", "putting", "cancel", "sign", "signed", "check", "checked":
					// ("call off tomorrow's session", "put off Monday's")
				default:
					m.neg = true
				}
			}
		}
		// "invoice 205 100 347 paid on Monday, please check", "am Montag
		// überwiesen": a weekday right beside a verb of something done.
		// ("haben aber am 2.7. überwiesen": a date without its year, too.)
		if m := &ms[k]; !m.hasTime && m.pod == 0 && (m.wd != 0 && !m.abs && !m.nextSaid && m.wdMode == wdNextOcc || m.abs && m.y == 0 && m.wd == 0 && !m.absEnd) &&
			((p.word(m.a-1) == "on" || p.word(m.a-1) == "am" || p.word(m.a-1) == "last") && p.doneVerbBefore(m.a-2) || doneVerbs[p.word(m.b)]) {
			m.neg = true
		}
	}

	// A customer abroad converts: "11:30 UK time? That's 12:30 for you",
	// "5 PM Vienna time? That's 9 AM here". The time in ours is the wish,
	// the one in theirs is none.
	if len(ms) >= 2 {
		for k := range ms {
			end := ms[k].b // a mention's a, b are its first piece's; its last piece ends it
			for _, sp := range spans {
				if sp.m == k && sp.b > end {
					end = sp.b
				}
			}
			switch p.zoneSaid(&ms[k], end) {
			case 1:
				ms[k].pref = true
			case -1:
				ms[k].neg = true
			}
		}
	}

	// A wish the customer marks as their choice goes first: "am liebsten
	// Freitag Vormittag", "preferably Friday", "Thursday at 9:30 instead?",
	// "dafür Mittwoch um 11". Refused times and context around it stay
	// behind.
	for k := range ms {
		m := &ms[k]
		switch p.word(p.beforeMention(m)) {
		case "liebsten", "besten", "lieber", "preferably", "ideally", "idealerweise", "bevorzugt", "vorzugsweise", "dafür", "stattdessen":
			m.pref = true
		}
		if m.b < len(toks) {
			switch p.word(m.b) {
			case "stattdessen", "lieber", "preferred", "bevorzugt":
				// ("Thursday or Friday morning is fine, Thursday preferred";
				// "Monday or Tuesday preferred" prefers both.)
				m.pref = true
				if k > 0 && m.a >= 1 && (p.word(m.a-1) == "or" || p.word(m.a-1) == "oder") && ms[k-1].b == m.a-1 {
					ms[k-1].pref = true
				}
			case "instead":
				m.pref = p.word(m.b+1) != "of"
			}
		}
	}

	// "Thursday or Friday morning", "Montag oder Dienstag vormittags": the
	// part of the day said once holds for both days.
	for k := 0; k+1 < len(ms); k++ {
		m, n := &ms[k], &ms[k+1]
		if m.neg || n.neg || m.hasTime || m.pod != 0 || m.wd == 0 || n.wd == 0 || n.hasTime || n.pod == 0 || m.b >= len(toks) || n.a != m.b+1 {
			continue
		}
		switch p.word(m.b) {
		case "or", "oder", "and", "und":
			m.pod = n.pod
		}
	}

	// "Kommende Woche bin ich am Montag und Dienstag auf Fortbildung,
	// aber Mittwoch Nachmittag hätt ich Zeit": a weekday after a week
	// named with its days lies in that week — not after a week refused
	// as a whole ("nächste Woche bin ich weg, Mittwoch?").
	for k := range ms {
		wk := &ms[k]
		if !wk.week || wk.neg && wk.wd == 0 {
			continue
		}
		if wk.kw == 0 && wk.weekShift == 0 && (wk.wd != 0 || wk.pod == 0 || wk.hasTime) {
			// ("this week" places a weekday after it where it lies
			// anyway; only "any afternoon this week … Wednesday?" lends
			// its part of the day.)
			continue
		}
		for j := k + 1; j < len(ms); j++ {
			n := &ms[j]
			if n.a-wk.b > 40 || p.toks[n.a].nl >= 2 {
				break
			}
			if n.week || n.abs || n.hasRel || n.wd == 0 || n.wdMode != wdNextOcc || n.nextSaid || n.special != specNone {
				break
			}
			if wk.weekShift < 0 && wk.kw == 0 && (sentenceBreakBetween(toks, wk.b-1, n.a) || askedBetween(toks, wk.b, n.a)) {
				// "Letzte Woche hatten wir ein Problem. Bitte am Montag um
				// 10": the past week tells what happened; the weekday
				// asked for in the next sentence is still to come.
				break
			}
			n.week, n.weekShift, n.kw = true, wk.weekShift, wk.kw
			n.weekApart = sentenceBreakBetween(toks, wk.b-1, n.a) && !weekSentenceAsks(toks, wk.a, wk.b)
			if !wk.neg && wk.wd == 0 && !wk.hasTime && !n.neg && !keepRefused {
				// "Any day next week … Monday would be easiest": the day
				// named narrows the week — and keeps the part of the day
				// said for it ("any afternoon this week except Friday.
				// Wednesday?").
				if wk.pod != 0 && n.pod == 0 && !n.hasTime {
					n.pod = wk.pod
				}
				wk.absorbed = true
			}
		}
	}

	// "not tomorrow, I'm skiing! The day after at 4pm?", "am Tag danach
	// um 10": a clock told from the day named before it, one day on.
	for k := 1; k < len(ms); k++ {
		m := &ms[k]
		if m.dateish() || !m.hasTime || !p.dayAfterBefore(m.a) {
			continue
		}
		prev := &ms[k-1]
		if !prev.dateish() || prev.week || prev.special != specNone {
			continue
		}
		w, ok := p.resolve(prev, now)
		if !ok || w.End != nil && w.End.Sub(w.Start) > 25*time.Hour {
			continue
		}
		c := w.Start.In(now.Location()).AddDate(0, 0, 1)
		m.abs, m.y, m.mo, m.d = true, c.Year(), int(c.Month()), c.Day()
	}
	// A time without a day takes the day of the mention before it:
	// "Am Montag um 10 geht nicht, um 14 Uhr aber schon" is Monday 14:00.
	for k := 1; k < len(ms); k++ {
		m, prev := &ms[k], &ms[k-1]
		if prev.exceptDay && k >= 2 && !ms[k-2].neg {
			// "next week except Monday, ideally in the morning": the span,
			// not the day taken out of it.
			prev = &ms[k-2]
		}
		if prev.neg && prev.hasTime && k >= 2 && ms[k-2].dateish() && !ms[k-2].neg && !ms[k-2].hasTime && m.hasTime &&
			prev.a-ms[k-2].b <= 2 && m.a-prev.b <= 3 {
			// "morgen statt um zwei erst um vier": the clock given up
			// stands between the day and the new clock.
			prev = &ms[k-2]
		}
		if m.dateish() || !(m.hasTime || m.pod != 0) || !prev.dateish() || prev.offUnit != unitNone {
			continue
		}
		if m.hasTime && m.open == openAfter && prev.week && prev.wd == 0 && k+1 < len(ms) {
			// "Any day this week but Friday, not before 10 please. Tuesday
			// would be ideal.": the bound narrows the day named after it
			// (below), not the span.
			if n := &ms[k+1]; !n.neg && n.wd != 0 && !n.hasTime && n.pod == 0 && n.a-m.b <= 40 {
				continue
			}
		}
		if prev.neg && !prev.hasTime && prev.pod == 0 && !prev.booked {
			continue // (a move within the booked day keeps its day)
		}
		// ("Mittwoch vormittags geht nicht, nachmittags ab 15 Uhr schon":
		// the part of the day was refused, not the day.)
		if m.a-prev.b > 40 {
			continue
		}
		// "Geht heute noch was? Ab 13 Uhr bin ich da.": the time only
		// narrows the day named just before, which is no wish of its own.
		if !prev.neg && !m.neg && !prev.hasTime && prev.pod == 0 && prev.special == specNone && !prev.absEnd && !prev.week && m.a-prev.b <= 8 {
			prev.absorbed = true
		}
		m.dayFrom(prev)
	}

	// A part of the day named before any day ("am Nachmittag ginge es fast
	// immer. Vielleicht kommenden Dienstag?", "these times are night for
	// me … Friday at 9") is a habit, not a wish for today: it narrows the
	// next day named that has no time of its own, or else gives way to it.
	for k := 0; k+1 < len(ms); k++ {
		m := &ms[k]
		// A bound with no day works the same way: "also bitte nicht vor 14
		// Uhr. Am besten Dienstag.", "not before 10. Wednesday 10:00
		// works." narrow the day named next, or give way to its own time.
		bound := m.hasTime && m.open == openAfter
		if m.neg || m.absorbed || m.dateish() || !bound && (m.hasTime || m.pod == 0) {
			continue
		}
		for j := k + 1; j < len(ms); j++ {
			n := &ms[j]
			if n.neg || n.absorbed || !n.dateish() {
				continue
			}
			if n.a-m.b > 40 {
				break
			}
			if !n.hasTime && n.pod == 0 && n.special == specNone && !n.week && n.offUnit == unitNone {
				if bound {
					n.hasTime, n.t, n.open = true, m.t, m.open
				} else {
					n.pod = m.pod
				}
			}
			m.absorbed = true
			break
		}
	}

	// "leider alles vor 14 Uhr. Wie wäre Donnerstag 15:30?": a bound before
	// a clock with no day gives way to a day with its own clock after it.
	for k := 0; k+1 < len(ms) && !keepRefused; k++ {
		m := &ms[k]
		if m.neg || m.absorbed || !m.hasTime || m.open != openBefore || m.dateish() || m.pod != 0 {
			continue
		}
		for j := k + 1; j < len(ms); j++ {
			if n := &ms[j]; !n.neg && !n.absorbed && n.dateish() && n.hasTime && n.open == openNone {
				m.absorbed = true
				break
			}
		}
	}

	// A whole day refused anywhere is no wish anywhere ("ich hatte am
	// Telefon Montag gesagt – Montag geht nicht mehr"); a span that opens
	// on it opens the day after ("next week except Monday").
	var refused []time.Time
	for k := range ms {
		if m := &ms[k]; m.neg && !m.booked && !m.hasTime && (m.pod == 0 || m.exceptDay) {
			// (A booking named "Friday's session" is moved, not refused:
			// "to 11" keeps its day.)
			if w, ok := p.resolve(m, now); ok && (m.exceptDay || w.Precision == PrecisionDay && w.End != nil && w.End.Sub(w.Start) <= 25*time.Hour) {
				refused = append(refused, w.Start)
			} else if ok && m.wdEnd != 0 && w.End != nil {
				// "Montag bis Mittwoch bin ich auf Urlaub": each day of it.
				for d := w.Start; d.Before(*w.End); d = d.AddDate(0, 0, 1) {
					refused = append(refused, d)
				}
			}
		}
	}
	// A week refused as a whole ("diese Woche wird nix mehr, aber nächsten
	// Mittwoch um 9"): a weekday that would fall in it is the one after.
	// (Only a weekday named after the refusal: "Mittwoch 16 Uhr. Mehr
	// Zeit habe ich diese Woche nicht." keeps this week's Wednesday.)
	var refusedWeeks [][2]time.Time
	firstRefused := len(ms)
	for k := range ms {
		if m := &ms[k]; m.neg && m.week && m.wd == 0 && !m.hasTime && m.pod == 0 {
			if w, ok := p.resolve(m, now); ok && w.End != nil {
				refusedWeeks = append(refusedWeeks, [2]time.Time{w.Start, *w.End})
				firstRefused = min(firstRefused, k)
			}
		}
	}
	for k := firstRefused + 1; k < len(ms); k++ {
		m := &ms[k]
		if m.neg && m.wd != 0 {
			// "diese Woche ist schwierig: Montag und Dienstag bin ich nicht
			// da … Am Donnerstag um 13:30": the week is told by its days.
			break
		}
		if m.neg || m.wd == 0 || m.abs || m.week || m.hasRel || m.wdMode != wdNextOcc || m.special != specNone {
			continue
		}
		if w, ok := p.resolve(m, now); ok {
			for _, rw := range refusedWeeks {
				if !w.Start.Before(rw[0]) && w.Start.Before(rw[1]) {
					// The weekday of the week after the refused one.
					today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
					mon := today.AddDate(0, 0, 1-weekdayIndex(today))
					refusedMon := rw[0].AddDate(0, 0, 1-weekdayIndex(rw[0]))
					m.week, m.weekShift, m.nextSaid = true, int(refusedMon.Sub(mon).Hours()/(24*7)+0.5)+1, false
				}
			}
		}
	}
	isRefused := func(t time.Time) bool {
		for _, r := range refused {
			if sameDate(r, t) {
				return true
			}
		}
		return false
	}

	// The day an absence lasts to is no wish when the mail asks for
	// another time ("bis Mittwoch im Urlaub, Donnerstag 10 Uhr?").
	otherWish := false
	for k := range ms {
		if m := &ms[k]; !m.neg && !m.absorbed && !m.absenceEnd {
			otherWish = true
		}
	}
	out := make([]Wish, 0, len(ms))
	var prefs []bool
	target := -1
	// A day said as a bound ("nach dem 1. Mai") is read as one only when
	// it is the one time the mail names; beside another ("nach dem 1. Mai,
	// gleich Montag 4.5. um 11") the other says which day.
	alone := 0
	for k := range ms {
		if !ms[k].neg && !ms[k].absorbed {
			alone++
		}
	}
	for k := range ms {
		if ms[k].neg || ms[k].absorbed || ms[k].absenceEnd && otherWish || p.farewell(&ms[k]) || p.sinceBefore(&ms[k]) || p.effectiveBefore(&ms[k]) {
			continue
		}
		if w, ok := p.resolve(&ms[k], now); ok {
			if m := &ms[k]; alone == 1 && !m.hasTime && !m.fromOn && (m.abs || m.wd != 0) && w.Precision == PrecisionDay && (w.End == nil || w.End.Sub(w.Start) <= 25*time.Hour) {
				w = p.boundedDay(m, w, now)
			}
			if len(refused) > 0 && isRefused(w.Start) && !(ms[k].hasTime && p.sentenceIsQuestion(ms[k].a)) {
				// ("Heut geht gar nix, Terminbuch zeigt nur weiße Seite.
				// Gehts heute um 11:15??" asks for that day after all.)
				if m := &ms[k]; (w.End == nil || w.End.Sub(w.Start) <= 25*time.Hour) && m.week && m.wd == 0 && !m.abs && !m.hasRel {
					// "any day next week but Monday, ideally at 10": the time
					// took the span's first day, which is the one refused —
					// it lands on the span's next day.
					for n := 0; n < 6 && isRefused(w.Start); n++ {
						w = w.addDays(1)
					}
				}
				if w.End == nil || w.End.Sub(w.Start) <= 25*time.Hour {
					if isRefused(w.Start) {
						continue
					}
				}
				for n := 0; n < 7 && isRefused(w.Start) && w.End != nil && w.End.Sub(w.Start) > 25*time.Hour; n++ {
					w.Start = w.Start.AddDate(0, 0, 1)
				}
			}
			if target < 0 && p.targetBefore(&ms[k]) {
				target = len(out)
			}
			out = append(out, w)
			prefs = append(prefs, ms[k].pref)
		}
	}
	return preferredFirst(out, prefs, target), target, -1
}

// preferredFirst moves the wishes marked as the customer's choice to the
// front, keeping the order within each group. A move's target keeps its
// place in the list (its index is returned separately).
func preferredFirst(out []Wish, prefs []bool, target int) []Wish {
	n := 0
	for _, p := range prefs {
		if p {
			n++
		}
	}
	if n == 0 || n == len(out) || target >= 0 {
		return out
	}
	sorted := make([]Wish, 0, len(out))
	for i, w := range out {
		if prefs[i] {
			sorted = append(sorted, w)
		}
	}
	for i, w := range out {
		if !prefs[i] {
			sorted = append(sorted, w)
		}
	}
	return sorted
}

// sinceBefore: "seit heute", "since Monday" name when a problem began.
func (p *parser) sinceBefore(m *mention) bool {
	w := p.word(p.beforeMention(m))
	// (or before its "this": "since this morning")
	w2 := p.word(m.a - 2)
	return w == "seit" || w == "since" || w == "seitdem" || p.word(m.a-1) == "this" && (w2 == "since" || w2 == "seit")
}

// boundedDay reads a day said as a bound: "before 24 January", "noch vor
// Freitag" is any day up to it, "nach dem 24.", "after Friday" the week
// from the day after — never the day named itself, which the customer
// left out. Either span is asked back, never booked on a guess.
func (p *parser) boundedDay(m *mention, w Wish, now time.Time) Wish {
	k := m.a - 1
	if s := p.word(k); s == "dem" || s == "the" {
		k--
	}
	if t := p.tok(k - 1); t != nil && t.w != nil && (t.w.wd != 0 || t.w.role&(rWeek|rDayUnit) != 0) ||
		p.word(k-1) == "tag" || p.word(k-1) == "day" {
		return w // "am Tag nach dem 8.", "the Monday after 3 May": read with the day named before
	}
	day := w.Start
	switch p.word(k) {
	case "vor", "vorm", "before", "prior":
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
		if !today.Before(day) {
			return w
		}
		return Wish{Start: today, End: &day, Precision: PrecisionDay}
	case "nach", "after":
		start := day.AddDate(0, 0, 1)
		end := start.AddDate(0, 0, 7)
		return Wish{Start: start, End: &end, Precision: PrecisionDay}
	}
	return w
}

// effectiveBefore: "die Indexanpassung per 1. Februar", "per Ende März",
// "wir übernehmen zum 1. Mai die Praxis": the date something takes
// effect, no time for a session (not "einen Termin zum 12.3.").
func (p *parser) effectiveBefore(m *mention) bool {
	if m.hasTime || !m.abs && m.special == specNone {
		return false
	}
	if p.word(p.beforeMention(m)) == "per" {
		return true
	}
	return p.word(m.a-1) == "zum" && p.word(m.a-2) != "bis" && !p.sessionInSentence(m.a)
}

// sessionInSentence: the sentence holding token i names the session.
func (p *parser) sessionInSentence(i int) bool {
	for k := i; k >= 0 && (k == i || !p.endsSentence(k)); k-- {
		if p.has(k, rAppt) {
			return true
		}
	}
	for k := i; k < len(p.toks) && !p.endsSentence(k); k++ {
		if p.has(k, rAppt) {
			return true
		}
	}
	return false
}

// targetBefore: "auf Freitag", "to Friday" name where an appointment moves.
func (p *parser) targetBefore(m *mention) bool {
	w := p.word(p.beforeMention(m))
	// "Wäre stattdessen Mittwoch …", "instead Friday" name the new time too.
	return w == "auf" || w == "to" || w == "onto" || w == "stattdessen" || w == "instead"
}

// farewell reports a day named only to say goodbye: "Danke, bis
// Mittwoch!", "see you on Monday". Such a day is no time to book.
func (p *parser) farewell(m *mention) bool {
	if m.hasTime || m.pod != 0 || m.special != specNone {
		return false
	}
	k := p.beforeMention(m)
	switch p.word(k) {
	case "bis", "until", "till", "untill":
		// Only as the opening of a clause ("Danke, bis Mittwoch!", "Bis
		// morgen"): "ich bin bis 30.11. nicht da" says when someone is back,
		// which an auto-reply reader wants to see.
		prev := p.tok(k - 1)
		return prev == nil || p.toks[k].nl > 0 || prev.kind == tPunct || p.word(k-1) == "dann" || p.word(k-1) == "also"
	}
	return p.word(k) == "you" && p.word(k-1) == "see"
}

// beforeMention is the token before m, skipping up to two filler words
// ("bis zum", "until next").
func (p *parser) beforeMention(m *mention) int {
	k := m.a - 1
	for n := 0; n < 2 && k >= 0 && (p.has(k, rFiller) || p.has(k, rNext)) && p.word(k) != "um" && p.word(k) != "at"; n++ {
		k--
	}
	return k
}

// beforeDate: "vor dem 10. Mai", "before the 10th".
func (p *parser) beforeDate(m *mention) bool {
	k := m.a - 1
	if w := p.word(k); w == "dem" || w == "the" {
		k--
	}
	switch p.word(k) {
	case "vor", "before":
		return true
	}
	return false
}

// insteadAt: the piece at i is the time being given up ("heute statt um
// 10 erst um 11", "today instead of 10"): a mention of its own, never the
// narrowing of the day before it.
func (p *parser) insteadAt(i int) bool {
	switch p.word(i - 1) {
	case "statt", "anstatt", "anstelle":
		return true
	case "of":
		return p.word(i-2) == "instead"
	}
	return false
}

// relWeekdayClash: a relative day and a weekday that is not that day name
// two days ("can't do tomorrow, Monday 10am?"), while "morgen, Donnerstag,
// um 10" said on a Wednesday is one — and "morgen (Mittwoch)" said on a
// Monday stays one, read as tomorrow and asked back.
func relWeekdayClash(m, pc *mention, now time.Time) bool {
	rel, wd := m, pc
	if pc.hasRel {
		rel, wd = pc, m
	}
	if rel.hasRel && rel.rel == 0 && wd.wd != 0 && wd.nextSaid && !wd.abs && !wd.hasRel && int(wd.wd) == weekdayIndex(now) {
		// "am kommenden Montag, nicht heute" written on a Monday: the
		// coming one is no today.
		return true
	}
	if !rel.hasRel || wd.wd == 0 || wd.hasRel || wd.abs || wd.week || wd.wdMode != wdNextOcc {
		return false
	}
	return weekdayIndex(now.AddDate(0, 0, rel.rel)) != int(wd.wd)
}

// weekdaySpan: the bare weekday pc (tokens [i, j)) closes a span that the
// bare weekday m opened, joined by "bis", a dash, "through" — or "to" after
// "from"/"von" in a mail that moves nothing ("move it from Tuesday to
// Thursday" is a move).
func (p *parser) weekdaySpan(m, pc *mention, lastB, i, j int) bool {
	bare := func(x *mention) bool {
		return x.wd != 0 && !x.abs && !x.hasTime && x.pod == 0 && !x.week && !x.hasRel && x.special == specNone && x.wdMode == wdNextOcc
	}
	if !bare(m) || !bare(pc) || m.wdEnd != 0 || m.wd == pc.wd || i <= lastB || i > lastB+2 {
		return false
	}
	k := lastB
	switch {
	case p.isPunct(k, '-'):
		if p.toks[k].sp && k+1 < len(p.toks) && p.toks[k+1].sp {
			// A dash set apart by spaces after a day taken out starts a
			// new clause when a clock follows the day after it: "Any day
			// but Friday - Tuesday at 9 would be ideal" (but "außer Montag
			// - Mittwoch" takes out both).
			clock := p.word(j) == "at" || p.word(j) == "um" || p.tok(j) != nil && p.tok(j).kind == tNum
			if b := p.beforeMention(m); clock && b >= 0 && (exceptWord(p.word(b)) || p.word(b) == "but" || p.has(b, rNeg)) {
				return false
			}
		}
	case p.word(k) == "bis" || p.word(k) == "through" || p.word(k) == "thru" || p.word(k) == "till" || p.word(k) == "until":
	case p.word(k) == "to":
		from := p.word(m.a-1) == "from" || p.word(m.a-1) == "von" || p.word(m.a-2) == "from"
		if !from {
			return false
		}
		if n := p.tok(j); n != nil && n.kind == tNum {
			// "from Thursday to Friday 21.12 at 11:00": the day after "to"
			// has a date or a clock of its own — a move, not a span.
			return false
		}
		for t := range p.toks {
			if w := p.toks[t].w; w != nil && w.role&rResched != 0 || p.toks[t].s == "move" || p.toks[t].s == "push" || p.toks[t].s == "shift" || p.toks[t].s == "change" {
				return false
			}
		}
	default:
		return false
	}
	if i == k+2 {
		switch p.word(k + 1) {
		case "zum", "einschließlich", "inklusive", "incl", "including":
		default:
			return false
		}
	}
	return true
}

func (p *parser) untilBefore(m *mention) bool {
	switch p.word(p.beforeMention(m)) {
	case "bis", "until", "till", "untill":
		return true
	}
	return false
}

// sentenceEnders are short words that end a sentence, never abbreviate
// one: a full stop after them ends it even before a number or a word in
// lower case.
var sentenceEnders = map[string]bool{"us": true, "me": true, "it": true, "you": true, "them": true, "uns": true,
	"mir": true, "ok": true, "too": true, "now": true, "mehr": true, "gut": true, "not": true, "nix": true,
	"yes": true, "ja": true, "uhr": true, "pm": true, "am": true,
	// The particles of separable verbs close a German sentence ("es zeigt
	// nix mehr an. könnts ihr am montag …"), and their English kin ("it
	// won't start up. can you …").
	"an": true, "aus": true, "ein": true, "mit": true, "los": true, "weg": true, "auf": true, "ab": true,
	"zu": true, "her": true, "hin": true, "ned": true, "net": true, "nid": true,
	"up": true, "out": true, "off": true, "in": true, "on": true}

// boundary: a token that ends the wish being assembled.
func (p *parser) boundary(i int) bool {
	t := &p.toks[i]
	switch t.kind {
	case tWord:
		if t.w == nil || t.w.role&rBoundary == 0 {
			return false
		}
		switch t.s {
		case "besten", "liebsten", "gern", "gerne", "bevorzugt", "vorzugsweise":
			// "außer Freitag, am besten um 14 Uhr": a wish after a refusal
			// starts anew — but "Mitte nächster Woche, gerne vormittags"
			// narrows what came before.
			for k := i - 1; k >= 0 && k >= i-6; k-- {
				if tk := &p.toks[k]; tk.kind == tPunct && tk.s != "," || tk.w != nil && tk.w.role&rNeg != 0 {
					return tk.kind != tPunct
				}
			}
			return false
		}
		return true
	case tPunct:
		switch t.s {
		case "!", "?", ";":
			return true
		case ".":
			// A full stop after a short word is an abbreviation ("ca.", "bzw.").
			prev := p.tok(i - 1)
			next := p.tok(i + 1)
			if prev != nil && prev.kind == tWord && len(prev.s) <= 3 && !abbreviations[prev.s] &&
				(next == nil || next.sp && (next.up || next.nl > 0)) {
				// "ab 14 Uhr. Ich kann keine …", "after all. How about …": a
				// sentence ends, and a refusal does not reach across it.
				return true
			}
			if prev != nil && prev.kind == tWord && sentenceEnders[prev.s] && next != nil && next.sp && (next.kind == tNum || next.kind == tWord) {
				// "9am is too early for us. 11 on Thursday?", "ab 14 uhr.
				// die akkus werden nicht mehr angezeigt" (written in lower
				// case).
				return true
			}
			if prev == nil || prev.kind == tWord && len(prev.s) <= 3 {
				return false
			}
			if prev.kind == tNum && next != nil && next.kind == tWord && !next.up {
				return false // the dot of a date: "der 26.10. ist Feiertag"
			}
			if prev.kind == tNum && prev.n >= 1 && prev.n <= 31 && len(prev.s) <= 2 && next != nil &&
				(next.w != nil && next.w.month != 0 || next.kind == tPunct && (next.s == "(" || next.s == ",")) {
				return false // "Der 6. August geht nicht", "nicht am 23. (da bin ich …)"
			}
			return next == nil || next.sp
		}
	}
	return false
}

// abbreviations are short words whose full stop ends no sentence ("Fr.
// Huber", "ca. 10 Uhr", "Nr. 2").
var abbreviations = map[string]bool{
	"ca": true, "bzw": true, "nr": true, "hr": true, "fr": true, "dr": true, "st": true, "vs": true, "no": true,
	"tel": true, "co": true, "inc": true, "ltd": true, "jr": true, "sr": true, "mr": true, "mrs": true, "ms": true,
	"z": true, "b": true, "d": true, "h": true, "u": true, "a": true, "o": true, "ggf": true, "usw": true,
	"etc": true, "inkl": true, "mag": true, "ing": true, "mo": true, "di": true, "mi": true, "do": true,
	"sa": true, "so": true, "jan": true, "feb": true, "mär": true, "apr": true, "jun": true, "jul": true,
	"aug": true, "sep": true, "okt": true, "oct": true, "nov": true, "dez": true, "dec": true, "kw": true,
	"abt": true, "str": true, "gmbh": true, "bzgl": true, "lt": true, "vgl": true, "max": true, "min": true,
}

// whereabouts: the words at i tell where the customer is ("bin ich auf
// der Alm", "sind wir in Wien", "I'm at a fair", "we are in Salzburg"),
// not that they are free ("bin ich im Büro", "I'm around").
func (p *parser) whereabouts(i int) bool {
	j := i
	switch p.word(j) {
	case "bin", "sind":
		switch p.word(j + 1) {
		case "ich", "i", "wir", "mir":
			j += 2
		default:
			return false
		}
	case "i'm", "we're", "im":
		j++
	case "i", "we":
		switch p.word(j + 1) {
		case "am", "are", "'m", "'re":
			j += 2
		default:
			return false
		}
	default:
		return false
	}
	switch p.word(j) {
	case "leider", "ja", "eh", "all", "den", "ganzen":
		j++
	}
	switch p.word(j) {
	case "auf", "in", "at", "bei", "beim", "z'", "zu", "nach":
	default:
		return false
	}
	for e := j; e < len(p.toks) && e < j+8; e++ {
		if p.boundary(e) {
			break
		}
		switch p.word(e) {
		case "büro", "office", "firma", "geschäft", "laden", "werkstatt", "betrieb", "shop", "work", "arbeit", "haus", "home", "erreichbar", "frei", "free", "available":
			return false
		}
	}
	return true
}

// sentenceEndBetween: a sentence ends (".", "!", "?", a new paragraph)
// between a and b.
func (p *parser) sentenceEndBetween(a, b int) bool {
	for i := a; i < b && i < len(p.toks); i++ {
		if t := &p.toks[i]; t.kind == tPunct && (t.s == "." || t.s == "!" || t.s == "?") || t.nl >= 2 && i > a {
			return true
		}
	}
	return false
}

// boundaryBetween: a token that ends a sentence or a clause lies in [a, b).
func (p *parser) boundaryBetween(a, b int) bool {
	for i := a; i < b && i < len(p.toks); i++ {
		if t := &p.toks[i]; t.kind == tPunct && t.s == "," || p.boundary(i) || t.nl > 0 && i > a {
			return true
		}
	}
	return false
}

// negatesNext: the negation at k is joined on by "and"/"or"/"but" and
// names the piece right after it ("not Monday and not Tuesday", "Montag
// und nicht Dienstag"); it returns where that piece would start
// (after "on", "am"), or -1.
func (p *parser) negatesNext(k int) int {
	switch p.word(k) {
	case "not", "nicht", "ned", "net", "never", "nie":
	default:
		return -1
	}
	switch w := p.word(k - 1); {
	case w == "and" || w == "und" || w == "or" || w == "oder" || w == "aber" || w == "but":
	default:
		return -1
	}
	j := k + 1
	switch p.word(j) {
	case "on", "am", "an", "at", "um", "the", "den", "der":
		j++
	}
	return j
}

// clause returns the token range around k that a negation can reach:
// commas, sentence ends and boundary words close it.
func (p *parser) clause(k int) (int, int) {
	// A blank line before a token starts a new paragraph: the token itself
	// belongs to the clause, the one before it does not.
	a := k
	for a > 0 && p.toks[a].nl < 2 && !p.clauseEnd(a-1) {
		a--
	}
	b := k + 1
	for b < len(p.toks) && p.toks[b].nl < 2 && !p.clauseEnd(b) {
		b++
	}
	return a, b
}

// dateAppositiveComma: the comma at i opens or closes a date set after its
// weekday: "Montag, 20.4., …", "Wednesday, 23 July, …".
func (p *parser) dateAppositiveComma(i int) bool {
	isWd := func(k int) bool { w := p.info(k); return w != nil && w.wd != 0 }
	// "20.4." or "20.4.2065" or "23 July" ending right before the comma
	dateEndsAt := func(e int) int { // start of the date ending at token e, or -1
		k := e
		if p.isPunct(k, '.') {
			k--
		}
		if t := p.tok(k); t != nil && t.kind == tNum && t.n >= 1900 {
			k-- // a year
			if p.isPunct(k, '.') {
				k--
			}
		}
		if t := p.tok(k); t != nil && (t.kind == tNum && t.n >= 1 && t.n <= 12 || p.monthAt(k) != 0) {
			k--
			if p.isPunct(k, '.') {
				k--
			}
			if t := p.tok(k); t != nil && t.kind == tNum && t.n >= 1 && t.n <= 31 {
				return k
			}
		}
		return -1
	}
	// Closing comma: a date before it, a comma and a weekday before that.
	if a := dateEndsAt(i - 1); a >= 2 && p.isPunct(a-1, ',') && isWd(a-2) {
		return true
	}
	// Opening comma: a weekday before it, a date after it closed by a comma.
	if isWd(i - 1) {
		for e := i + 2; e <= i+6 && e < len(p.toks); e++ {
			if p.isPunct(e, ',') && dateEndsAt(e-1) == i+1 {
				return true
			}
		}
	}
	return false
}

// sentenceOpener: German words written in capitals only at a sentence's
// start (not "Sie", "Ihnen": the polite you is capitalised anywhere).
var sentenceOpener = map[string]bool{"das": true, "der": true, "die": true, "wir": true, "es": true, "unser": true,
	"unsere": true, "mein": true, "meine": true, "dieser": true, "diese": true, "dieses": true, "seit": true}

func (p *parser) clauseEnd(i int) bool {
	t := &p.toks[i]
	if t.kind == tPunct {
		switch t.s {
		case ",":
			// ("Montag, 20.4., passt leider nicht": the commas around a
			// date set after its weekday end no clause.)
			return !p.dateAppositiveComma(i)
		case ";", "!", "?", "(", ")", ":":
			return true
		case "-":
			// A dash set apart by spaces starts a new clause: "I'm away —
			// Friday works", "Freitag streichen – the training is off".
			return t.sp && i+1 < len(p.toks) && p.toks[i+1].sp
		case ".":
			return p.boundary(i)
		}
		return false
	}
	if t.up && t.nl == 0 && i > 0 && p.toks[i-1].kind == tWord && p.lang != langEN && sentenceOpener[t.s] {
		// "Montog um neun in da Fria Das Etikettenmodul druckt nix": an
		// article or pronoun in capitals mid-line opens a new sentence
		// whose full stop was left out.
		return true
	}
	if (t.s == "and" || t.s == "und") && p.has(i+2, rOpenBefore) {
		// "Friday doesn't work and not before 11 any day": the bound
		// after "and not" is a clause of its own, no refused time.
		switch p.word(i + 1) {
		case "not", "nicht", "never", "nie":
			return true
		}
	}
	return p.boundary(i)
}

func (p *parser) sentenceIsQuestion(k int) bool {
	comma := false
	depth := 0 // ("anything but Thursday (bank holiday here? no, just busy)": an aside's "?" asks nothing)
	for i := k + 1; i < len(p.toks) && i < k+40; i++ {
		t := &p.toks[i]
		if t.nl >= 2 {
			return false
		}
		if t.kind == tPunct && (t.s == "(" || t.s == ")") {
			if t.s == "(" {
				depth++
			} else if depth > 0 {
				depth--
			}
			continue
		}
		if depth > 0 {
			continue
		}
		if t.kind == tPunct {
			switch t.s {
			case ",":
				comma = true
			case "-":
				// "not Wednesday please - can we do Thursday?"
				comma = comma || t.sp && i+1 < len(p.toks) && p.toks[i+1].sp
			case "?":
				// "Freitag geht nicht, ginge Montag?" refuses Friday and asks
				// for Monday; only a question that opens with its verb
				// ("Hätten Sie nicht am Montag, den 5.10., Zeit?") carries
				// the negation across a comma as politeness.
				return !comma || p.questionVerbAt(p.sentenceStart(k))
			case "!":
				return false
			case ".":
				if p.boundary(i) {
					return false
				}
			}
		}
	}
	return false
}

// sentenceStart is the first token of the sentence holding k.
func (p *parser) sentenceStart(k int) int {
	a := k
	for a > 0 && a > k-40 && p.toks[a].nl < 2 {
		if t := &p.toks[a-1]; t.kind == tPunct && (t.s == "?" || t.s == "!" || t.s == "." && p.boundary(a-1)) {
			break
		}
		a--
	}
	return a
}

// questionVerbAt: a sentence opening with a verb is a question in German
// and English word order ("Hätten Sie", "Wäre", "Could we", "Isn't").
func (p *parser) questionVerbAt(i int) bool {
	switch p.word(i) {
	case "hätten", "hätte", "haben", "hast", "wäre", "wären", "ist", "sind", "geht", "ginge", "gehts",
		"passt", "passen", "könnten", "können", "könnte", "kann", "würde", "würden", "wollen", "sollen",
		"would", "could", "can", "is", "are", "do", "does", "will", "shall", "should", "isn't", "aren't",
		"wouldn't", "couldn't", "can't", "don't", "doesn't":
		switch p.word(i) {
		case "wouldn't", "couldn't", "can't", "don't", "doesn't", "isn't", "aren't":
			// "Can't you do Monday?" asks; "can't do tomorrow, Monday
			// 10am?" drops its "I" and refuses.
			switch p.word(i + 1) {
			case "you", "we", "i", "it", "they", "he", "she", "that", "this", "there":
				return true
			}
			return false
		}
		return true
	}
	return false
}

// negTail holds the last letters of the words that isNegation takes
// without the rNeg role; most words of a mail end otherwise.
var negTail = func() (t [256]bool) {
	for _, c := range "abdefghlnoprstuxy" {
		t[c] = true
	}
	return t
}()

func (p *parser) isNegation(k int) bool {
	t := &p.toks[k]
	if t.kind != tWord {
		return false
	}
	if t.w != nil && t.w.role&rNeg != 0 {
		switch t.s {
		case "nicht", "not":
			// "nicht vor 10" / "not before 10" is "ab 10"; "nicht nur" is no refusal.
			if p.has(k+1, rOpenBefore) || p.has(k+1, rOpenAfter) {
				return false
			}
			switch p.word(k + 1) {
			case "nur", "only", "dringend", "urgent":
				return false
			case "so":
				// "nicht so dringend" is no refusal, "nicht so gut" is.
				switch p.word(k + 2) {
				case "gut", "ideal", "günstig", "toll", "passend", "optimal", "good", "great":
					return true
				}
				return false
			}
		case "kein", "keine", "no":
			switch p.word(k + 1) {
			case "problem", "thema", "stress", "eile", "hurry", "worries":
				return false
			}
		}
		return true
	}
	if !negTail[t.s[len(t.s)-1]] {
		return false
	}
	if t.s == "nein" || t.s == "no" && p.tok(k+1) != nil && p.tok(k+1).kind == tPunct && p.tok(k+1).s != "?" {
		// (Not "Geht's am Gründonnerstag am Vormittag no?": Austrian
		// "noch".)
		// "Freitag nein, Montag ja", "Dienstag no, sorry": a day answered
		// with no.
		pk := k - 1
		switch p.word(pk) {
		case "leider", "eher", "unfortunately", "sadly", "dann", "then", "also":
			pk-- // "Montag leider nein"
		}
		pw := p.tok(pk)
		if pw != nil && pw.w != nil && (pw.w.wd != 0 || pw.w.hasRel || pw.w.pod != 0) {
			return true // ("tomorrow no, but …", "vormittags nein")
		}
		if t.s == "nein" {
			return false
		}
	}
	if t.s == "no" && p.tok(k+1) != nil && p.tok(k+1).w != nil && (p.tok(k+1).w.pod != 0 || p.tok(k+1).w.wd != 0 && strings.HasSuffix(p.word(k+1), "s")) {
		// "no mornings this week please", "no Mondays": refused.
		return true
	}
	if (t.s == "no" || t.s == "nothing") && (p.has(k+1, rOpenBefore) || p.has(k+2, rOpenBefore) || p.has(k+3, rOpenBefore) && p.word(k+1) != "problem") {
		// "No sessions before 11 please", "nothing before 10": from then on.
		return true
	}
	if t.s == "zu" {
		// "am 8. haben wir zu", "da hamma zu", "wir haben zu": closed.
		w1, w2 := p.word(k-1), p.word(k-2)
		if w1 == "hamma" || w1 == "wir" && (w2 == "haben" || w2 == "ham" || w2 == "hab'n") || w1 == "haben" && w2 == "wir" {
			return true
		}
		// "am 24. is bei uns Rupertitag eh zu", "da ist das Büro zu": a
		// "zu" that ends its clause after "ist".
		if nt := p.tok(k + 1); nt != nil && nt.kind != tPunct {
			return false
		}
		for j := k - 1; j >= 0 && j >= k-6; j-- {
			if p.toks[j].kind == tPunct {
				return false
			}
			switch p.word(j) {
			case "ist", "is", "sind", "isch":
				return true
			}
		}
		return false
	}
	// Words that refuse a day only in a phrase: "ist Feiertag", "fully booked".
	// (None of them has the rNeg role, so testing that first changes nothing.)
	switch t.s {
	case "feiertag", "holiday", "inventur", "betriebsurlaub", "ruhetag", "messe", "geschlossen", "schwierig",
		"knapp", "difficult", "tricky", "tough", "closed", "eng", "hard", "bad", "early", "late", "früh", "spät",
		"z'früh", "zfrüh", "z'spät", "zspät", "z'fruah":
		pk := k - 1
		already := false
		for pk > 0 && (p.word(pk) == "ja" || p.word(pk) == "doch" || p.word(pk) == "leider" || p.word(pk) == "halt" ||
			p.word(pk) == "eh" || p.word(pk) == "bei" && p.word(pk+1) == "uns" || p.word(pk) == "uns" ||
			p.word(pk) == "schon" || p.word(pk) == "scho" || p.word(pk) == "already") {
			already = already || p.word(pk) == "schon" || p.word(pk) == "scho" || p.word(pk) == "already"
			pk-- // "am Montag ist ja Feiertag", "ist bei uns Inventur"
		}
		pw := p.word(pk)
		switch t.s {
		case "early", "late", "früh", "spät":
			// "9am is too early for us"; "heut is eh scho spät": today is
			// over for them.
			return pw == "zu" || pw == "too" || already && (t.s == "spät" || t.s == "late") && (pw == "is" || pw == "ist" || pw == "it's")
		case "z'früh", "zfrüh", "z'spät", "zspät", "z'fruah":
			return true // "um 9 is ma z'früh"
		}
		if pw == "ist" || pw == "is" || pw == "a" || pw == "wird" || pw == "sind" || pw == "are" || pw == "zu" || pw == "too" || pw == "we're" || pw == "it's" || pw == "they're" ||
			(t.s == "closed" || t.s == "geschlossen") && (pw == "wir" || pw == "we") {
			return true
		}
		// "nach 12 wird's bei mir schwierig", "it gets a bit tricky": the
		// verb a few words back still makes it a refusal.
		if t.s == "holiday" && pw == "bank" {
			return true // "Monday is a bank holiday"
		}
		if t.s == "messe" || t.s == "holiday" {
			return p.busyWord(k) // "bin auf der Messe", "on holiday"
		}
		if t.s == "feiertag" {
			return false
		}
		for j := k - 2; j >= 0 && j >= k-4; j-- {
			switch p.word(j) {
			case "wird", "wird's", "wirds", "wär's", "wärs", "ist", "ist's", "is", "gets", "it's", "that's", "looks", "schaut", "sieht":
				return true
			}
			if p.toks[j].kind == tPunct {
				break
			}
		}
		return false
	case "nichts", "nix", "nimmer", "nimma":
		// "heute und morgen wird nichts", "diese Woche geht gar nix mehr",
		// "diese Woche wird das nix mehr": the verb may stand a word or two
		// before, inside the clause.
		for j := k - 1; j >= 0 && j >= k-3; j-- {
			if p.toks[j].kind == tPunct {
				break
			}
			switch p.word(j) {
			case "wird", "geht", "klappt", "wäre", "ist", "läuft", "gehts", "gar", "da", "dann", "bin", "kann", "is", "geht's", "wird's", "wirds":
				return true
			}
		}
		return false
	case "no", "no-go", "nogo":
		// "Donnerstag is leider no go", "Monday is a no-go", "no way"
		if t.s != "no" {
			return true
		}
		nx := p.word(k + 1)
		if p.isPunct(k+1, '-') && p.attached(k+1) {
			nx = p.word(k + 2)
		}
		switch nx {
		case "go", "way", "chance", "good":
			return true // "no go", "Tuesday is no good for us"
		}
		return false
	case "voll", "full":
		// "Montag und Dienstag sind komplett voll"
		pk := k - 1
		for pk > 0 && (p.word(pk) == "schon" || p.word(pk) == "leider" || p.word(pk) == "already" || p.word(pk) == "eh") {
			pk-- // "sind leider schon voll"
		}
		switch p.word(pk) {
		case "komplett", "ganz", "total", "völlig", "sind", "ist", "bin", "fully", "completely", "are", "is", "mir", "uns",
			"alles", "all", "restlos": // "diese Woche ist bei uns leider alles voll"
			return true
		case "wir", "we", "ma", "mia", "i", "ich":
			// "Dienstag und Mittwoch sind wir voll", "da san ma voll"
			switch p.word(pk - 1) {
			case "sind", "san", "bin", "are", "were", "am":
				return true
			}
		}
		return false
	case "booked", "taken":
		pw := p.word(k - 1)
		return pw == "fully" || pw == "already" || pw == "is" || pw == "are"
	}
	// Busy, not free: "ab 9 habe ich Eigentümerversammlung", "from 10
	// I'm in a meeting", "Wednesday is bad". The time they name is when
	// the customer cannot, so it refuses like "geht nicht".
	if p.busyWord(k) {
		return true
	}
	// "can’t" and friends that are not in the table.
	return strings.HasSuffix(t.s, "n't") || strings.HasSuffix(t.s, "n’t")
}

// pieceInto parses the piece starting at token i into *out; on failure
// *out holds garbage. Most tokens cannot start a piece and leave at the
// first check: this runs for every token of a mail.
//
// The piece parsers all write into the caller's mention instead of
// returning one: a mention is some 300 bytes, and most attempts fail, so
// zeroing and copying a returned mention at every level of the parser chain
// was the largest single cost of Read. Their contract: on success *m is the
// whole mention (as if built from a zero value), on failure it is garbage.
func (p *parser) pieceInto(i int, out *mention) (int, bool) {
	t := &p.toks[i]
	switch t.kind {
	case tWord:
		if t.w == nil || !t.w.starts {
			return i, false
		}
		if w := t.w; w.num != 0 && w.role&startRoles == 0 && w.wd == 0 && w.month == 0 && w.ord == 0 &&
			w.pod == 0 && !w.hasRel && !w.hasTZ && !p.countContext(i+1) {
			// "an", "ein", "drei": a number word only starts a piece when a
			// unit, an hour word or another number follows.
			return i, false
		}
		if t.w.hasTZ && t.w.langOnly != 0 && t.w.langOnly&p.lang == 0 && t.w.role&startRoles == 0 {
			return i, false
		}
		if t.w.pod != 0 && p.saysNow(i) {
			// "(it's evening here in Perth)", "bei uns ist es schon
			// Abend": the customer's own hour now, no wish.
			return i, false
		}
	case tPunct:
		if t.s != "@" {
			return i, false
		}
	case tNum:
		if prev := p.tok(i - 1); p.lang == langEN && prev != nil && prev.kind == tWord && prev.w == nil && prev.up && prev.nl == 0 &&
			p.tok(i-2) != nil && p.tok(i-2).kind == tWord && p.isPunct(i+1, '.') && p.attached(i+1) && !p.isPunct(i+3, '.') {
			// "the installation of Filialkasse 12.4?": in English a
			// capitalised name before a dotted number is a product and
			// its version, no date.
			return i, false
		}
		switch p.word(i - 1) {
		case "update", "version", "v", "release", "build", "patch", "programmversion", "updates", "versión":
			// "ist das Update 7.2 schon da?": a version, no date.
			if p.isPunct(i+1, '.') && p.attached(i+1) {
				return i, false
			}
		case "auf", "to":
			// "das Update auf 12.6 einspielen", "the upgrade to 4.10":
			// the version updated to, no date.
			if w := p.word(i - 2); (w == "update" || w == "upgrade" || w == "umstieg" || w == "umstellung" || w == "version" ||
				strings.HasSuffix(w, "update") || strings.HasSuffix(w, "upgrade")) && p.isPunct(i+1, '.') && p.attached(i+1) {
				return i, false
			}
		}
	}
	return p.piece(i, out)
}

// countNoun: the word at j shows that the number before it counts
// something ("for two colleagues", "for 2 of our users", "um 5 Prozent"):
// it is no hour.
func (p *parser) countNoun(j int) bool {
	switch p.word(j) {
	case "extra", "more", "additional", "new", "further", "other", "weitere", "neue", "zusätzliche", "andere", "weiteren", "neuen":
		// "for two extra licences", "zwei neue Kassen", "training for
		// two new workers": an adjective of number before a noun.
		if p.tok(j+1) != nil && p.toks[j+1].kind == tWord && p.toks[j+1].w == nil {
			return true
		}
		j++
	}
	switch p.word(j) {
	case "prozent", "euro", "eur", "mal", "personen", "leute", "people", "percent", "jahre", "years", "stück", "user", "benutzer",
		"arbeitsplätze", "of", "von", "colleagues", "colleague", "kollegen", "kolleginnen", "mitarbeiter", "mitarbeiterinnen",
		"users", "staff", "employees", "persons", "computers", "pcs", "rechner", "geräte", "devices", "licences", "licenses",
		"lizenzen", "kassen", "filialen", "branches", "stores", "sites", "standorte", "clients", "workstations", "laptops",
		"invoices", "rechnungen", "items", "artikel", "members", "member", "mitglieder", "teilnehmer", "participants",
		"trainees", "lehrlinge", "azubis", "therapeuten", "therapists", "guides", "instructors", "teachers", "lehrer",
		"workers", "arbeiter", "students", "schüler", "patients", "patienten", "drivers", "fahrer", "accounts", "konten":
		return true
	}
	// "training for 3 dispatchers", "für 3 Disponentinnen", "with 2
	// nurses": after "for"/"für"/"with"/"mit" a number before a noun we
	// do not know counts it, whatever the noun (an English plural, a
	// German noun by its capital).
	if t := p.tok(j); t != nil && t.kind == tWord && t.w == nil && len(t.s) > 3 && t.sp {
		switch p.word(j - 2) {
		case "for", "with":
			return strings.HasSuffix(t.s, "s") && !strings.HasSuffix(t.s, "'s") && !strings.HasSuffix(t.s, "ss")
		case "für", "mit":
			return t.up
		}
	}
	return false
}

// countContext: what may follow a number word that starts a piece.
func (p *parser) countContext(j int) bool {
	w := p.info(j)
	if w == nil {
		return false
	}
	return w.role&(rUhr|rAM|rPM|rPast|rTo|rDayUnit|rHourUnit|rMinuteUnit|rWeek|rMonthUnit|rQuarter|rHalf) != 0 ||
		w.wdPlural || w.pod != 0 || w.hasRel || w.num != 0 || w.month != 0 || p.word(j) == "upcoming" ||
		p.word(j) == "fortnight" || p.word(j) == "this" || p.word(j) == "in"
}

// piece parses whatever date/time piece starts at token i into *m.
func (p *parser) piece(i int, m *mention) (int, bool) {
	t := &p.toks[i]
	if t.kind == tNum {
		return p.numPiece(i, m)
	}
	if t.kind == tWord && t.w != nil {
		w := t.w
		if w.hasTZ && (w.langOnly == 0 || w.langOnly&p.lang != 0) && p.zoneContext(i) {
			*m = mention{hasTZ: true, tz: int(w.tz)}
			switch t.s {
			case "cet", "mez", "cest", "mesz":
				m.tzLocal = true
			}
			return i + 1, true
		}
		// "nicht vor 10 Uhr" means "ab 10 Uhr".
		if (t.s == "nicht" || t.s == "not" || t.s == "keinesfalls" || t.s == "keineswegs" || t.s == "never" || t.s == "nie") && p.has(i+1, rOpenBefore) {
			if ts, j, ok := p.parseTime(i+2, true); ok {
				*m = mention{hasTime: true, t: ts, open: openAfter}
				return j, true
			}
		}
		if w.role&rRangeStart != 0 {
			if j, ok := p.dateRange(i+1, m); ok {
				return j, true
			}
			if j, ok := p.timeRange(i+1, true, m); ok {
				return j, true
			}
		}
		if w.role&(rOpenAfter|rEarliest) != 0 {
			if t.s == "nach" || t.s == "after" || t.s == "nach'm" || t.s == "nachm" {
				// "nach dem Mittagessen", "nach der Mittagspause", "nach'm
				// Mittagessen", "after our lunch break": the afternoon.
				j := i + 1
				switch p.word(j) {
				case "dem", "der", "da", "de", "the", "our", "my", "unserer", "unserem", "meiner", "meinem":
					j++
				}
				switch p.word(j) {
				case "mittagessen", "mittag", "lunch", "mittagspause", "mittagszeit", "lunchtime", "noon", "midday":
					// (and "after noon": the afternoon written apart)
					*m = mention{pod: podAfternoon}
					if p.word(j+1) == "break" {
						j++
					}
					return j + 1, true
				}
			}
			if j, ok := p.timeRange(i+1, true, m); ok && (t.s == "from" || t.s == "von") {
				return j, true
			}
			if ts, j, ok := p.parseTime(i+1, true); ok {
				*m = mention{hasTime: true, t: ts, open: openAfter}
				return j, true
			}
		}
		if w.role&rOpenBefore != 0 {
			if j, ok := p.offset(i, m); ok {
				return j, true
			}
			if ts, j, ok := p.parseTime(i+1, true); ok {
				*m = mention{hasTime: true, t: ts, open: openBefore}
				if t.s == "by" && p.readyBefore(i) {
					// "I will be available on Tuesday by 10:30am": free
					// from then on, the time itself asked for.
					m.open = openNone
				}
				return j, true
			}
		}
		if w.role&(rTrigger|rApprox) != 0 {
			j := i
			for k := 0; k < 4 && (p.has(j, rTrigger|rApprox) || p.isPunct(j, '.') && j > i); k++ {
				j++
			}
			if e, ok := p.timeRange(j, true, m); ok {
				return e, true
			}
			if ts, e, ok := p.parseTime(j, true); ok {
				*m = mention{hasTime: true, t: ts}
				return p.timeSuffix(m, e)
			}
		}
	}
	if t.kind == tPunct && t.s == "@" {
		if ts, e, ok := p.parseTime(i+1, true); ok {
			*m = mention{hasTime: true, t: ts}
			return p.timeSuffix(m, e)
		}
	}
	if j, ok := p.specialPiece(i, m); ok {
		return j, true
	}
	if j, ok := p.dateRange(i, m); ok {
		return j, true
	}
	if j, ok := p.timeRange(i, false, m); ok {
		return j, true
	}
	if ts, j, ok := p.parseTime(i, false); ok {
		*m = mention{hasTime: true, t: ts}
		return p.timeSuffix(m, j)
	}
	if j, ok := p.date(i, m); ok {
		return j, true
	}
	if j, ok := p.offset(i, m); ok {
		return j, true
	}
	if j, ok := p.weekPiece(i, m); ok {
		return j, true
	}
	if t.kind == tWord && t.w != nil {
		return p.dayWord(i, m)
	}
	return i, false
}

// numPiece is piece at a digit run, the most frequent start of a piece and
// mostly a failing one (versions, phone and invoice numbers). It tries the
// same readers in the same order as piece, but reads the date and the time
// at i once instead of once per reader that begins with them.
func (p *parser) numPiece(i int, m *mention) (int, bool) {
	t := &p.toks[i]
	if len(t.s) > 4 {
		// Days and months have at most two digits, a year or a clock time
		// four, an offset three: nothing starts with a longer run.
		return i, false
	}
	if j, ok := p.specialPiece(i, m); ok {
		return j, true
	}
	var dm mention
	dj, dok := p.date(i, &dm)
	if len(t.s) <= 2 && t.n >= 1 && t.n <= 31 {
		if j, ok := p.numRange(i, dj, dok && dm.abs && dm.mo != 0, dm.d, dm.mo, dm.y, m); ok {
			return j, true
		}
	}
	// parseTime(i, false) reads a subset of what parseTime(i, true) reads
	// (the trigger only ever admits more), so when the latter fails both
	// time readers fail.
	if t1, tj, ok := p.parseTime(i, true); ok {
		if j, ok := p.timeRangeFrom(i, false, t1, tj, m); ok {
			return j, true
		}
		if ts, j, ok := p.parseTime(i, false); ok {
			*m = mention{hasTime: true, t: ts}
			return p.timeSuffix(m, j)
		}
		if p.pickedHour(i) {
			*m = mention{hasTime: true, t: t1, pref: true}
			return tj, true
		}
	}
	if dok {
		*m = dm
		return dj, true
	}
	// A digit run has no word info, so weekPiece and dayWord never read one.
	return p.offset(i, m)
}

// pickedHour: "Friday, ideally 9.", "Freitag, am liebsten 10": a bare hour
// of the working day standing alone right after the word that picks it.
func (p *parser) pickedHour(i int) bool {
	switch p.word(i - 1) {
	case "ideally", "preferably", "idealerweise", "say", "besten", "liebsten":
	default:
		return false
	}
	n, d, ok := p.num(i)
	if !ok || d > 2 || n < 7 || n > 18 {
		return false
	}
	e := p.tok(i + 1)
	switch {
	case e == nil || e.nl > 0:
		return true
	case e.kind != tPunct:
		return false
	case e.s == "." || e.s == ":" || e.s == "/":
		// "9." ends the sentence; "9.30", "9.3." are read elsewhere.
		next := p.tok(i + 2)
		return e.s == "." && (next == nil || next.nl > 0 || next.sp)
	}
	return true
}

// zoneContext: a zone name counts right after a time ("16 Uhr CET", "9 am (BST)").
func (p *parser) zoneContext(i int) bool {
	prev := p.tok(i - 1)
	if prev != nil && prev.kind == tPunct && prev.s == "(" {
		prev = p.tok(i - 2)
	}
	if prev == nil {
		return false
	}
	if prev.kind == tNum {
		return true
	}
	return prev.w != nil && prev.w.role&(rUhr|rAM|rPM) != 0 || prev.s == "m"
}

// timeSuffix consumes what may follow a time: "Uhr", "ish", "frühestens".
func (p *parser) timeSuffix(m *mention, j int) (int, bool) {
	for k := 0; k < 3; k++ {
		w := p.info(j)
		if w == nil {
			break
		}
		switch {
		case p.word(j) == "ish" || p.word(j) == "approximately":
			j++
			continue
		case w.role&rEarliest != 0 && m.open == openNone:
			m.open = openAfter
			j++
			continue
		case p.word(j) == "in" && p.word(j+1) == "etwa":
			j += 2
			continue
		}
		break
	}
	return j, true
}

// hourAt reads an hour written as digits or a number word ("halb zehn").
func (p *parser) hourAt(i int) (timeSpec, int, bool) {
	if n, d, ok := p.num(i); ok && d <= 2 && n <= 24 {
		ts := timeSpec{h: n, strict: n > 12 || d == 2 && n < 10}
		j := i + 1
		ts, j = p.ampm(ts, j)
		if p.has(j, rUhr) {
			j++
		}
		return ts, j, true
	}
	if w := p.info(i); w != nil {
		if w.num > 12 && w.num <= 23 && p.has(i+1, rUhr) {
			// "um fünfzehn Uhr"
			return timeSpec{h: int(w.num), strict: true}, i + 2, true
		}
		if w.num > 0 && w.num <= 12 {
			ts := timeSpec{h: int(w.num)}
			ts, j := p.ampm(ts, i+1)
			if p.has(j, rUhr) {
				j++
			}
			return ts, j, true
		}
		if w.role&rNoon != 0 {
			return timeSpec{h: 12, strict: true}, i + 1, true
		}
		if w.role&rMidnight != 0 {
			return timeSpec{h: 0, strict: true}, i + 1, true
		}
	}
	return timeSpec{}, i, false
}

// ampm consumes "am", "pm", "a.m.", "p. m.", "a", "p" after a time.
func (p *parser) ampm(ts timeSpec, j int) (timeSpec, int) {
	if p.word(j) == "ish" && p.attached(j) && p.has(j+1, rAM|rPM) {
		j++
	}
	if p.word(j) == "in" && p.word(j+1) == "the" && (p.word(j+2) == "am" || p.word(j+2) == "pm") {
		j += 2
	}
	w := p.info(j)
	if w == nil {
		return ts, j
	}
	s := p.word(j)
	var v uint8
	switch {
	case w.role&rPM != 0:
		v = ampmPM
	case w.role&rAM != 0:
		// German "am" is a preposition ("um 10 am Montag"); only glued to
		// the number or in English text is it a.m.
		if s == "am" && p.lang != langEN && p.attached(j) {
			v = ampmAM
		} else if s == "am" && p.lang == langEN {
			v = ampmAM
		} else if s == "a" && (p.attached(j) || p.isPunct(j+1, '.')) {
			v = ampmAM
		}
	}
	if v == ampmNone {
		return ts, j
	}
	if (s == "p" || s == "a") && !p.attached(j) && !p.isPunct(j+1, '.') && p.word(j+1) != "m" {
		return ts, j
	}
	j++
	// "p.m.", "a. m.", "p m"
	if p.isPunct(j, '.') {
		j++
	}
	if p.word(j) == "m" {
		j++
		if p.isPunct(j, '.') {
			j++
		}
	}
	ts.ampm = v
	return ts, j
}

// parseTime reads one clock time at i. trig says a trigger word ("um",
// "at", "gegen") came before, which lets a bare number be an hour.
func (p *parser) parseTime(i int, trig bool) (timeSpec, int, bool) {
	t := p.tok(i)
	if t == nil {
		return timeSpec{}, i, false
	}
	if t.kind == tWord {
		return p.wordTime(i, trig)
	}
	if t.kind != tNum {
		return timeSpec{}, i, false
	}
	n, d := int(t.n), len(t.s)

	// "20 nach 3", "15 minutes past 3pm", "20 minutes to 2pm"
	if d <= 2 && n > 0 && n < 60 {
		j := i + 1
		unit := false
		if p.has(j, rMinuteUnit) {
			j++
			unit = true
		}
		if w := p.info(j); w != nil && (w.role&(rPast|rTo) != 0) && !(w.role&rPast == 0 && !unit && !p.noonAt(j+1) && p.word(j) != "vor") {
			if h, e, ok := p.hourAt(j + 1); ok && !(p.isPunct(e, '.') && p.attached(e) && p.attached(e+1)) {
				if w.role&rPast != 0 && (p.word(j) != "after" || unit || n%5 == 0) {
					return p.finishTime(timeSpec{h: h.h, m: n, ampm: h.ampm, strict: h.strict}, e, true)
				}
				if w.role&rTo != 0 && (unit || p.noonAt(j+1) || p.word(j) == "vor" && n <= 30) {
					hh := h.h - 1
					if hh < 0 {
						hh = 23
					}
					return p.finishTime(timeSpec{h: hh, m: 60 - n, ampm: h.ampm, strict: h.strict}, e, true)
				}
			}
		}
	}

	switch {
	case d <= 2 && n <= 24 && p.isPunct(i+1, ':') && p.attached(i+1) && p.attached(i+2):
		if mm, md, ok := p.num(i + 2); ok && md == 2 && mm < 60 {
			j := i + 3
			if p.isPunct(j, ':') && p.attached(j) {
				if _, sd, ok := p.num(j + 1); ok && sd == 2 && p.attached(j+1) {
					j += 2
				}
			}
			return p.finishTime(timeSpec{h: n, m: mm, strict: n > 12 || d == 2}, j, true)
		}
	case d <= 2 && n <= 24 && p.isPunct(i+1, '.') && p.attached(i+1) && p.attached(i+2):
		// "10.30 Uhr" or "um 10.10": a time; "10.10" alone is a date.
		if mm, md, ok := p.num(i + 2); ok && md == 2 && mm < 60 {
			j := i + 3
			if p.isPunct(j, '.') && p.attached(j) && mm >= 1 && mm <= 12 {
				// "10.10." is a date; "at 11.00." ends a sentence (no
				// month 00 or 30).
				return timeSpec{}, i, false
			}
			// English writes "11.00" for a clock time ("Mon 11.00-11.30").
			if p.has(j, rUhr) || trig || p.lang == langEN && mm%15 == 0 && !p.isPunct(j, '.') ||
				(mm > 12 || mm == 0) && mm%5 == 0 && n <= 23 && p.dayJustBefore(i) {
				// ("Do 15.00 bitte": there is no month 00.)
				// ("Mo 13.30 oder Di 9h", "Montag 13.30?": no month 30 —
				// a clock time after a day.)
				return p.finishTime(timeSpec{h: n, m: mm, strict: n > 12 || d == 2}, j, true)
			}
		}
	case d <= 2 && n <= 23 && p.word(i+1) == "h" && p.attached(i+1):
		// "13h30", "15h", "17h10" — not "24h", "24H2" (a version)
		mm, md, ok := p.num(i + 2)
		if ok && md == 2 && mm < 60 && p.attached(i+2) {
			return p.finishTime(timeSpec{h: n, m: mm, strict: true}, i+3, true)
		}
		if ok && p.attached(i+2) {
			return timeSpec{}, i, false
		}
		return p.finishTime(timeSpec{h: n, strict: true}, i+2, true)
	case (d == 3 || d == 4) && n%100 < 60 && n/100 <= 24 && !((p.isPunct(i+1, '-') || p.isPunct(i+1, '/')) && p.attached(i+1) && p.attached(i+2)):
		// "1030", "330 p.m." ("2028-0412" is a number of a document)
		ts := timeSpec{h: n / 100, m: n % 100, strict: d == 4 && n/100 < 10}
		ts2, j := p.ampm(ts, i+1)
		if ts2.ampm != ampmNone || trig && p.lang == langEN && !(d == 4 && n >= 1900 && n <= 2199) {
			// ("the price for 2059": a year, not 20:59.)
			return p.finishTime(ts2, j, true)
		}
	}
	if d > 2 || n > 23 {
		// ("24h Support", "Windows 11 24H2": no clock time.)
		return timeSpec{}, i, false
	}
	ts := timeSpec{h: n, strict: n > 12 || d == 2 && n < 10}
	j := i + 1
	if p.has(j, rUhr) {
		j++
		// "14 Uhr 30"
		if mm, md, ok := p.num(j); ok && md == 2 && mm < 60 && !p.isPunct(j+1, ':') && !(p.isPunct(j+1, '.') && p.tok(j+2) != nil && p.tok(j+2).kind == tNum && p.attached(j+2)) && !p.has(j+1, rUhr) && !p.has(j+1, rMinuteUnit|rDayUnit|rHourUnit|rWeek) && p.monthAt(j+1) == 0 {
			ts.m = mm
			j++
		}
		ts.strict = ts.strict || n > 12
		return p.finishTime(ts, j, true)
	}
	ts2, j2 := p.ampm(ts, j)
	if ts2.ampm != ampmNone {
		return p.finishTime(ts2, j2, true)
	}
	if !trig && p.word(j) == "ish" && p.attached(j) && n >= 7 && n <= 18 && p.dayJustBefore(i) {
		// "Monday 11ish?": an hour, give or take, after its day.
		return p.finishTime(ts, j, true)
	}
	if !trig && !p.dayWordAfter(j) {
		return timeSpec{}, i, false
	}
	// "at 3 15": English hour and minutes apart.
	if mm, md, ok := p.num(j); ok && md == 2 && mm < 60 && p.lang == langEN && trig && p.tok(j).sp && !p.has(j+1, rUhr|rMinuteUnit|rHourUnit|rDayUnit|rWeek) && !p.isPunct(j+1, ':') && !p.isPunct(j+1, '.') {
		return p.finishTime(timeSpec{h: n, m: mm}, j+1, true)
	}
	// A bare number after "um"/"at": an hour, unless what follows shows it
	// is a date, a count or an amount.
	next := p.tok(j)
	if next != nil {
		if next.kind == tPunct && (next.s == "." || next.s == "/" || next.s == ":" || next.s == ",") && !next.sp {
			if nt := p.tok(j + 1); nt != nil && !nt.sp && nt.kind == tNum {
				return timeSpec{}, i, false
			}
			if next.s == "." && p.monthAt(j+1) != 0 {
				return timeSpec{}, i, false
			}
		}
		if next.kind == tPunct && (next.s == "%" || next.s == "€") {
			return timeSpec{}, i, false
		}
		if next.kind == tWord && next.w != nil && (next.w.role&(rDayUnit|rHourUnit|rMinuteUnit|rWeek|rMonthUnit) != 0 || next.w.month != 0) {
			// "at 9 hours?" (a learner's "um 9 Uhr") ends its clause: a
			// clock time, not a length.
			if !(trig && p.word(i-1) == "at" && (next.s == "hours" || next.s == "hrs") && (p.tok(j+1) == nil || p.tok(j+1).kind == tPunct)) {
				return timeSpec{}, i, false
			}
			return p.finishTime(ts, j+1, true)
		}
		if p.ordSuffix(j) {
			return timeSpec{}, i, false
		}
		if p.countNoun(j) {
			return timeSpec{}, i, false
		}
	}
	// "at 3 15"
	return p.finishTime(ts, j, true)
}

// dayWordAfter: "8 tonight", "9 tomorrow morning", "3 in the morning".
func (p *parser) dayWordAfter(j int) bool {
	if p.lang != langEN {
		return false
	}
	w := p.info(j)
	if w == nil {
		return false
	}
	if w.pod != 0 || w.hasRel && p.word(j) != "morgen" {
		return true
	}
	if p.word(j) == "on" {
		// "11 on Thursday?", "- 11 on Thursday instead": the number
		// opens its clause (not "we have 2 on Thursday who …").
		nw := p.info(j + 1)
		if nw == nil || nw.wd == 0 || nw.wdPlural {
			return false
		}
		pt := p.tok(j - 2)
		if pt == nil || pt.kind == tPunct {
			return true
		}
		switch pt.s {
		case "do", "say", "maybe", "perhaps", "about", "or", "try", "make", "then", "instead", "rather":
			return true
		}
		return false
	}
	if p.word(j) == "this" || p.word(j) == "in" {
		k := j + 1
		if p.word(k) == "the" {
			k++
		}
		if pw := p.info(k); pw != nil && (pw.pod != 0 || p.word(k) == "am" || p.word(k) == "pm") {
			return true
		}
	}
	return false
}

func (p *parser) noonAt(i int) bool {
	w := p.info(i)
	return w != nil && w.role&(rNoon|rMidnight) != 0
}

func (p *parser) monthAt(i int) int8 {
	w := p.info(i)
	if w == nil {
		return 0
	}
	return w.month
}

// finishTime applies a trailing am/pm, "Uhr" or "o'clock".
func (p *parser) finishTime(ts timeSpec, j int, ok bool) (timeSpec, int, bool) {
	if ts.ampm == ampmNone {
		ts, j = p.ampm(ts, j)
	}
	if p.has(j, rUhr) {
		j++
		if ts.ampm == ampmNone {
			ts, j = p.ampm(ts, j)
		}
	}
	if ts.ampm == ampmPM && ts.h < 12 {
		ts.h += 12
		ts.strict = true
	} else if ts.ampm == ampmAM && ts.h == 12 {
		ts.h = 0
		ts.strict = true
	} else if ts.ampm == ampmAM {
		ts.strict = true
	}
	if ts.h == 24 {
		ts.h = 0
	}
	return ts, j, ok
}

// wordTime reads "halb 10", "viertel nach zehn", "dreiviertel 11",
// "quarter past 3pm", "noon", "um drei".
func (p *parser) wordTime(i int, trig bool) (timeSpec, int, bool) {
	w := p.info(i)
	if w == nil {
		return timeSpec{}, i, false
	}
	s := p.word(i)
	switch {
	case w.role&rHalf != 0:
		if p.has(i+1, rPast) {
			if h, j, ok := p.hourAt(i + 2); ok {
				return p.finishTime(timeSpec{h: h.h, m: 30, ampm: h.ampm, strict: h.strict}, j, true)
			}
		}
		if h, j, ok := p.hourAt(i + 1); ok {
			if s == "half" { // British "half three" is 3:30
				return p.finishTime(timeSpec{h: h.h, m: 30, ampm: h.ampm}, j, true)
			}
			hh := h.h - 1
			if hh < 0 {
				hh = 23
			}
			return p.finishTime(timeSpec{h: hh, m: 30, ampm: h.ampm}, j, true)
		}
	case w.role&rThreeQuarter != 0 || w.num == 3 && p.word(i+1) == "viertel":
		j := i + 1
		if s != "dreiviertel" {
			j++
		}
		if h, e, ok := p.hourAt(j); ok {
			return p.finishTime(timeSpec{h: (h.h + 23) % 24, m: 45, ampm: h.ampm}, e, true)
		}
	case w.role&rQuarter != 0:
		if p.has(i+1, rPast) {
			if h, j, ok := p.hourAt(i + 2); ok {
				return p.finishTime(timeSpec{h: h.h, m: 15, ampm: h.ampm, strict: h.strict}, j, true)
			}
		}
		if p.has(i+1, rTo) {
			if h, j, ok := p.hourAt(i + 2); ok {
				return p.finishTime(timeSpec{h: (h.h + 23) % 24, m: 45, ampm: h.ampm, strict: h.strict}, j, true)
			}
		}
		if s == "viertel" { // Austrian "viertel 11" is 10:15
			if h, j, ok := p.hourAt(i + 1); ok {
				return p.finishTime(timeSpec{h: (h.h + 23) % 24, m: 15, ampm: h.ampm}, j, true)
			}
		}
	case w.role&rNoon != 0:
		return timeSpec{h: 12, strict: true}, i + 1, true
	case w.role&rMidnight != 0:
		return timeSpec{h: 0, strict: true}, i + 1, true
	case w.num > 0:
		n := int(w.num)
		// "zwanzig nach 3", "twenty after 3pm"
		if n < 60 && p.has(i+1, rPast) {
			if h, j, ok := p.hourAt(i + 2); ok {
				return p.finishTime(timeSpec{h: h.h, m: n, ampm: h.ampm, strict: h.strict}, j, true)
			}
		}
		if n > 12 && n <= 23 && p.has(i+1, rUhr) {
			return p.finishTime(timeSpec{h: n, strict: true}, i+1, true) // "um fünfzehn Uhr"
		}
		if n > 12 || s == "a" || s == "an" || s == "ein" || s == "eine" || s == "einer" || s == "einen" || s == "einem" || s == "paar" || s == "couple" || s == "few" {
			return timeSpec{}, i, false
		}
		ts := timeSpec{h: n}
		j := i + 1
		// "seven thirty", "ten thirty am"
		if w2 := p.info(j); w2 != nil && (w2.num == 30 || w2.num == 15 || w2.num == 45 || w2.num == 20) && p.lang == langEN {
			ts.m = int(w2.num)
			j++
		}
		ts2, j2 := p.ampm(ts, j)
		if ts2.ampm != ampmNone || p.has(j, rUhr) || trig {
			if p.has(j2, rDayUnit|rHourUnit|rMinuteUnit|rWeek|rMonthUnit) || ts2.ampm == ampmNone && p.countNoun(j2) {
				return timeSpec{}, i, false
			}
			return p.finishTime(ts2, j2, true)
		}
	}
	return timeSpec{}, i, false
}

// timeRange reads "13-14 Uhr", "9:30 - 11:00", "zwischen 13 und 15 Uhr"
// (called after the range word), "3-4pm", "13:00–14:00".
func (p *parser) timeRange(i int, afterStart bool, m *mention) (int, bool) {
	t1, j, ok := p.parseTime(i, true)
	if !ok {
		return i, false
	}
	return p.timeRangeFrom(i, afterStart, t1, j, m)
}

// timeRangeFrom is timeRange once its start t1 (ending before token j) is read.
func (p *parser) timeRangeFrom(i int, afterStart bool, t1 timeSpec, j int, m *mention) (int, bool) {
	bare := false
	if nt := p.tok(i); nt != nil && nt.kind == tNum && j == i+1 {
		bare = true // a bare number only counts as an hour if the end is a clear time
	}
	if !afterStart && bare && !p.has(i-1, rTrigger) {
		// only "13-14 Uhr"-like forms with a clear end
	}
	k := j
	if !(p.isPunct(k, '-') || p.isPunct(k, '/') || p.has(k, rRangeJoin)) {
		return i, false
	}
	moved := p.word(k) == "auf" // ("von 9 auf halb elf": a clock moved, no span)
	if p.isPunct(k, '/') && bare {
		return i, false
	}
	k++
	if p.word(k) == "zum" || p.word(k) == "um" || p.word(k) == "the" {
		k++
	}
	t2, e, ok := p.parseTime(k, true)
	if !ok {
		return i, false
	}
	if p.monthAt(e) != 0 || p.isPunct(e, '.') && p.attached(e) && p.attached(e+1) {
		return i, false
	}
	endBare := false
	if nt := p.tok(k); nt != nil && nt.kind == tNum && e == k+1 {
		endBare = true
	}
	if bare && endBare && !afterStart && !p.has(i-1, rTrigger|rApprox) {
		return i, false
	}
	// "3-4pm", "9-11am": the end's am/pm carries to the start.
	if t1.ampm == ampmNone && t2.ampm != ampmNone && !t1.strict {
		h := t1.h
		if t2.ampm == ampmPM && h < 12 {
			h += 12
			if h > t2.h {
				h -= 12
			}
		}
		t1.h = h
		t1.strict = true
	}
	// The second may also carry the "Uhr" in "zwischen 13 und 15 Uhr".
	if !t1.strict && t2.strict && t1.h < 12 && t1.h+12 <= t2.h && t2.h >= 13 {
		t1.h += 12
		t1.strict = true
	}
	if moved {
		// The clock it moves to is the one asked for.
		if !t2.strict && t2.h < 12 && t1.strict && t1.h >= 12 {
			t2.h += 12
		}
		*m = mention{hasTime: true, t: t2}
		return p.timeSuffix(m, e)
	}
	*m = mention{hasTime: true, t: t1, hasEnd: true, t2: t2}
	return p.timeSuffix(m, e)
}

// dateRange reads "13. - 15. Juli", "14.10. - 15.10.2018", "14./15.10.",
// "July 13-15", "vom 14.10. bis zum 15.10.".
func (p *parser) dateRange(i int, m *mention) (int, bool) {
	t := p.tok(i)
	if t == nil {
		return i, false
	}
	if t.kind == tWord && p.monthAt(i) != 0 {
		// "July 13-15", "Aug 8 - Aug 12": the start date is built in *m.
		j, ok := p.date(i, m)
		if !ok || !m.abs {
			return i, false
		}
		if !(p.isPunct(j, '-') || p.has(j, rRangeJoin) && p.word(j) != "und" && p.word(j) != "and" && !p.moveAuf(j)) {
			return i, false
		}
		k := j + 1
		if n, nd, ok := p.num(k); ok && nd <= 2 && n >= 1 && n <= 31 && p.monthAt(k+1) == 0 {
			e := k + 1
			if p.ordSuffix(e) {
				e++
			}
			if p.has(e, rUhr|rAM|rPM) || p.isPunct(e, ':') {
				return i, false
			}
			m.absEnd, m.y2, m.mo2, m.d2 = true, m.y, m.mo, n
			return e, true
		}
		var d2 mention
		if e, ok := p.date(k, &d2); ok && d2.abs && d2.mo != 0 {
			m.absEnd, m.y2, m.mo2, m.d2 = true, d2.y, d2.mo, d2.d
			return e, true
		}
		return i, false
	}
	if t.kind != tNum || len(t.s) > 2 || t.n < 1 || t.n > 31 {
		return i, false
	}
	e, ok := p.date(i, m)
	return p.numRange(i, e, ok && m.abs && m.mo != 0, m.d, m.mo, m.y, m)
}

// moveAuf: "(den Termin) vom 17.10. auf den 19.10." moves a booking from
// one day to another; a span of days is written with "bis".
func (p *parser) moveAuf(j int) bool {
	return p.word(j) == "auf"
}

// numRange is dateRange at a day number (one or two digits, 1-31) once
// the date at i is read: full says it has a month (day d, month mo, year y,
// ending before token e).
func (p *parser) numRange(i, e int, full bool, d, mo, y int, m *mention) (int, bool) {
	// The first part: a full date ("14.10.") or a bare day ("13.", "13th",
	// "13"); only its day, month and year matter.
	fd, fmo, fy := int(p.toks[i].n), 0, 0
	j := i + 1
	if full {
		fd, fmo, fy, j = d, mo, y, e
	} else {
		if p.isPunct(j, '.') && p.attached(j) {
			j++
		} else if p.ordSuffix(j) {
			j++
		}
	}
	// ("vom 18.05. auf den 19.05." is a move, no span of days.)
	if !(p.isPunct(j, '-') || p.isPunct(j, '/') || p.has(j, rRangeJoin) && p.word(j) != "und" && p.word(j) != "and" && !p.moveAuf(j)) {
		return i, false
	}
	k := j + 1
	for p.word(k) == "zum" || p.word(k) == "den" || p.word(k) == "the" || p.word(k) == "zu" {
		k++
	}
	// The end date is read into *m too: the first part is saved above.
	e, ok := p.date(k, m)
	if !ok || !m.abs || m.mo == 0 {
		return i, false
	}
	y2, mo2, d2 := m.y, m.mo, m.d
	*m = mention{abs: true, d: fd, mo: fmo, y: fy}
	if m.mo == 0 {
		m.mo = mo2
	}
	if m.y == 0 {
		m.y = y2
	}
	m.absEnd, m.y2, m.mo2, m.d2 = true, y2, mo2, d2
	return e, true
}

// date reads a calendar date at i: "26.11.", "03.12.2026", "2026-11-26",
// "3/12/2026", "3. Dezember", "December 1st", "erster März", "am 15.",
// or a weekday ("Do.", "Thursday").
func (p *parser) date(i int, m *mention) (int, bool) {
	t := p.tok(i)
	if t == nil {
		return i, false
	}
	if t.kind == tNum {
		return p.numDate(i, m)
	}
	if t.kind != tWord || t.w == nil {
		return i, false
	}
	w := t.w
	if w.month != 0 {
		return p.monthFirst(i, m)
	}
	if w.ord != 0 && w.ord <= 31 {
		j := i + 1
		if p.word(j) == "of" || p.word(j) == "im" || p.word(j) == "in" {
			j++
		}
		if mo := p.monthAt(j); mo != 0 {
			*m = mention{abs: true, d: int(w.ord), mo: int(mo)}
			j++
			if p.isPunct(j, '.') && p.attached(j) {
				j++
			}
			m.y, j = p.yearAfter(j)
			return j, true
		}
		return i, false
	}
	if w.wd != 0 {
		return p.weekday(i, m)
	}
	return i, false
}

// yearAfter reads an optional year after a month name: "2015", ", 2015",
// "15" (two digits, when it is not an hour).
func (p *parser) yearAfter(j int) (int, int) {
	k := j
	if p.isPunct(k, ',') {
		k++
	}
	n, d, ok := p.num(k)
	if !ok {
		return 0, j
	}
	if p.isPunct(k+1, ':') || p.isPunct(k+1, '.') && p.attached(k+1) && p.attached(k+2) || p.has(k+1, rUhr|rAM|rPM|rHourUnit) {
		return 0, j
	}
	if d == 4 && n >= 1900 && n <= 2199 {
		return n, k + 1
	}
	if d == 2 && k == j && !p.has(k+1, rDayUnit|rWeek|rMinuteUnit) && !p.ordSuffix(k+1) && p.monthAt(k+1) == 0 &&
		!(p.isPunct(k-1, '.') && p.toks[k].sp) {
		// (Not "17 September. 18 September at 13:00": a day of its own.)
		return 2000 + n, k + 1 // widened by resolve's two-digit rule
	}
	return 0, j
}

func (p *parser) numDate(i int, m *mention) (int, bool) {
	n, d, _ := p.num(i)
	// Digits glued to letters before ("RE-2024…", "v5.10") or to a number
	// and a dot ("5.10.2", "12.500") are not dates.
	if prev := p.tok(i - 1); prev != nil && !p.toks[i].sp {
		if prev.kind == tWord || prev.kind == tPunct && prev.s == "#" {
			return i, false
		}
		if prev.kind == tPunct && prev.s == "." && !prev.sp {
			if pp := p.tok(i - 2); pp != nil && pp.kind == tNum {
				return i, false
			}
		}
		if prev.kind == tPunct && (prev.s == "-" || prev.s == "/") && !prev.sp {
			if pp := p.tok(i - 2); pp != nil && pp.kind == tWord {
				return i, false
			}
		}
	}
	switch p.word(i - 1) {
	case "version", "v", "ver", "release", "build", "patch", "windows", "nr", "nummer":
		return i, false
	}
	// ISO 2026-11-26
	if d == 4 && p.isPunct(i+1, '-') && p.attached(i+1) && p.attached(i+2) {
		mo, _, ok1 := p.num(i + 2)
		if ok1 && p.isPunct(i+3, '-') && p.attached(i+3) && p.attached(i+4) {
			dd, dd2, ok2 := p.num(i + 4)
			if ok2 && dd2 <= 2 && validDate(dd, mo) {
				*m = mention{abs: true, y: n, mo: mo, d: dd}
				return i + 5, true
			}
		}
		return i, false
	}
	if d > 2 || n < 1 || n > 31 {
		// "14april": glued digits and month are handled below only for 1-2 digits.
		return i, false
	}
	// d.m. / d.m.yy / d.m.yyyy / d.m
	if p.isPunct(i+1, '.') && p.attached(i+1) && p.attached(i+2) {
		if mo, md, ok := p.num(i + 2); ok && md <= 2 && validDate(n, mo) {
			j := i + 3
			y := 0
			if p.isPunct(j, '.') && p.attached(j) {
				j++
				if yy, yd, ok := p.num(j); ok && (yd == 4 || yd == 2) && p.attached(j) && !p.isPunct(j+1, ':') {
					y = yy
					if yd == 2 {
						y = 2000 + yy
					}
					j++
				} else if yy, yd, ok := p.num(j); ok && yd == 4 && yy >= 1900 && yy <= 2199 && !p.isPunct(j+1, ':') {
					y = yy
					j++
				}
			} else {
				// "26.11" without a final dot: a time when "Uhr" follows or a
				// trigger came before; a version or an amount when more digits
				// or a unit follow.
				if p.has(j, rUhr) || p.has(i-1, rTrigger) || p.isPunct(j, ':') {
					return i, false
				}
				if p.isPunct(j, '.') || p.isPunct(j, ',') && p.attached(j) && p.attached(j+1) {
					return i, false
				}
			}
			if nt := p.tok(j); nt != nil && (nt.s == "%" || nt.s == "€" || nt.s == "eur" || nt.s == "euro" || nt.w != nil && nt.w.role&(rHourUnit|rMinuteUnit|rDayUnit) != 0) {
				return i, false
			}
			*m = mention{abs: true, y: y, mo: mo, d: n}
			return j, true
		}
		// "15. Februar", "3. Dezember 2026"
		if mo := p.monthAt(i + 2); mo != 0 {
			j := i + 3
			if p.isPunct(j, '.') && p.attached(j) {
				j++
			}
			*m = mention{abs: true, d: n, mo: int(mo)}
			m.y, j = p.yearAfter(j)
			return j, true
		}
	}
	// d/m[/y] (German order) or m/d[/y] (English order)
	if p.isPunct(i+1, '/') && p.attached(i+1) && p.attached(i+2) {
		if b, bd, ok := p.num(i + 2); ok && bd <= 2 {
			dd, mo := n, b
			swap := false
			if p.lang == langEN && validDate(b, n) {
				dd, mo = b, n // "11/26"; "26/11" stays day first
				swap = n != b && validDate(n, b)
			}
			j := i + 3
			y := 0
			if p.isPunct(j, '/') && p.attached(j) && p.attached(j+1) {
				if yy, yd, ok := p.num(j + 1); ok && (yd == 2 || yd == 4) {
					y = yy
					if yd == 2 {
						y = 2000 + yy
					}
					j += 2
				}
			}
			// Without a year, "1/2" may be a half: a German date needs a
			// day no month can be, or "am"/"den" or a weekday before it.
			dayFirst := dd > 12 || p.word(i-1) == "am" || p.word(i-1) == "den" || p.word(i-1) == "ab" || p.info(i-1) != nil && p.info(i-1).wd != 0
			if validDate(dd, mo) && (y != 0 || p.lang == langEN || dayFirst) && !p.has(j, rHourUnit|rMinuteUnit) {
				*m = mention{abs: true, y: y, mo: mo, d: dd, swapDM: swap}
				return j, true
			}
		}
		return i, false
	}
	// "15te februar", "3 December", "4th of July", "14april 2015", "am 15ten"
	j := i + 1
	suffix := false
	if p.ordSuffix(j) {
		j++
		suffix = true
	} else if p.isPunct(j, '.') && p.attached(j) {
		j++
		suffix = true
	}
	k := j
	if p.word(k) == "of" {
		k++
	}
	// (Not across a blank line: "1.", then "Jan" signing the mail.)
	if mo := p.monthAt(k); mo != 0 && p.toks[k].nl < 2 {
		k++
		if p.isPunct(k, '.') && p.attached(k) {
			k++
		}
		*m = mention{abs: true, d: n, mo: int(mo)}
		m.y, k = p.yearAfter(k)
		return k, true
	}
	// A day of the month alone needs an ordinal ending or a German "am 15.".
	if suffix {
		prevW := p.word(i - 1)
		ord := p.ordSuffix(i + 1)
		if ord || prevW == "am" || prevW == "den" || prevW == "zum" || prevW == "vom" || prevW == "ab" ||
			// "Der 26. um 10 Uhr ginge" — not "der 2." of our options.
			prevW == "der" && n > 9 ||
			// "nächsten Freitag (14.) um 10"
			p.isPunct(i-1, '(') && p.info(i-2) != nil && p.info(i-2).wd != 0 ||
			// "in der Woche ab dem 24." — not "vor dem 1. Advent".
			prevW == "dem" && (p.word(i-2) == "ab" || p.word(i-2) == "nach" || p.word(i-2) == "vor") && !(p.tok(j) != nil && p.tok(j).kind == tWord && p.tok(j).up) ||
			p.info(i-1) != nil && p.info(i-1).wd != 0 || p.isPunct(i-1, ',') && p.info(i-2) != nil && p.info(i-2).wd != 0 {
			// ("am 21. am Nachmittag": the German "am" after the date is
			// no a.m.)
			if p.has(j, rUhr|rAM|rPM) && !(p.word(j) == "am" && p.isPunct(i+1, '.') && (p.lang != langEN || p.info(j+1) != nil && (p.info(j+1).pod != 0 || p.info(j+1).wd != 0))) {
				return i, false
			}
			switch p.word(j) {
			case "district", "floor", "bezirk", "stock", "stockwerk", "etage", "grade", "klasse", "time", "mal", "attempt", "versuch", "year", "jahr", "place", "platz":
				return i, false // "the 7th district", "zum 3. Mal"
			}
			if !ord {
				// "am 15." must not be "am 15. um" of a list: any number after it
				// would have been a month.
				if nt := p.tok(j); nt != nil && nt.kind == tNum && !nt.sp {
					return i, false
				}
			}
			*m = mention{abs: true, d: n}
			return j, true
		}
	}
	return i, false
}

// monthFirst reads "Dezember 3", "Feb 18", "March 3rd 2015", "April 14, 2015",
// "march first", "Jul 18, Fri".
func (p *parser) monthFirst(i int, m *mention) (int, bool) {
	mo := p.monthAt(i)
	j := i + 1
	if p.isPunct(j, '.') && p.attached(j) {
		j++
	}
	if p.word(j) == "the" {
		j++
	}
	if n, d, ok := p.num(j); ok && d <= 2 && n >= 1 && n <= 31 {
		e := j + 1
		if p.ordSuffix(e) {
			e++
		} else if p.isPunct(e, '.') && p.attached(e) && !p.attached(e+1) {
			e++
		}
		if p.isPunct(e, ':') || p.has(e, rUhr|rAM|rPM) {
			return i, false
		}
		*m = mention{abs: true, d: n, mo: int(mo)}
		m.y, e = p.yearAfter(e)
		return e, true
	}
	if w := p.info(j); w != nil && w.ord != 0 && w.ord <= 31 {
		*m = mention{abs: true, d: int(w.ord), mo: int(mo)}
		e := j + 1
		m.y, e = p.yearAfter(e)
		return e, true
	}
	return i, false
}

func validDate(d, mo int) bool {
	return d >= 1 && d <= 31 && mo >= 1 && mo <= 12 && d <= daysIn(mo, 2024)
}

func daysIn(mo, y int) int {
	return time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// weekday reads a weekday name with its modifiers.
func (p *parser) weekday(i int, m *mention) (int, bool) {
	t := &p.toks[i]
	w := t.w
	j := i + 1
	if w.wdAbbr {
		german := len(t.s) == 2
		// A German abbreviation in a mail read as English still counts
		// when capitalised right before a clock time ("Hi! Fr 9h30 pls?").
		c := j
		if p.isPunct(c, '.') && p.attached(c) {
			c++ // "Fr. 14h30 ok?"
		}
		num := func(k int) bool { return p.tok(k) != nil && p.tok(k).kind == tNum }
		capital := t.up && t.s != "so"
		dotted := num(c) && p.isPunct(c+1, '.') && p.attached(c+1) && num(c+2) && len(p.tok(c+2).s) == 2 && p.attached(c+2)
		clock := capital && num(c) && (p.word(c+1) == "h" || p.isPunct(c+1, ':') || p.has(c+1, rUhr)) && p.attached(c+1) ||
			capital && dotted || // "Hi, Do 10.30 for the session?"
			// "Do halb 10 ginge.", "Mi halb 9?"
			capital && p.has(c, rHalf|rQuarter) && num(c+1) ||
			// "wed 1015 ok?", "thu 10:15": an English one, even lower
			// case, right before a compact or colon clock time.
			!german && c == j && num(c) && (len(p.tok(c).s) == 3 || len(p.tok(c).s) == 4 || p.isPunct(c+1, ':') && p.attached(c+1) || dotted) // ("tue 10.30 ok?")
		// And an English one in a mail read as German ("Tue 14h30 ok?").
		if german && p.lang == langEN && !clock || !german && p.lang == langDE && t.s != "mon" && t.s != "fri" && !clock {
			return i, false
		}
		dot := p.isPunct(j, '.') && p.attached(j)
		if dot {
			j++
		}
		next := p.tok(j)
		if t.s == "so" && !t.up && !dot && (next == nil || next.kind != tNum) {
			// "Guten Morgen, so, alles zu …": the word "so", no Sunday.
			return i, false
		}
		ok := next == nil || next.kind == tNum || next.kind == tPunct && next.s == ","
		if !ok && next.kind == tWord && next.w != nil && t.s != "so" {
			nw := next.w
			ok = nw.role&(rTrigger|rOpenAfter|rRangeStart) != 0 || nw.pod != 0 || nw.month != 0 ||
				nw.role&(rHalf|rQuarter) != 0 && p.tok(j+1) != nil && p.tok(j+1).kind == tNum || // "Mi halb 9?"
				nw.role&rNext != 0 && p.has(j+1, rWeek)
			if german || t.s == "sun" || t.s == "sat" || t.s == "wed" {
				// "i richt mi nach euch": a lower-case "mi", "di", "do"
				// before a word is a word of its own.
				ok = ok && (t.up || dot)
			}
		}
		if !ok && (dot || next != nil && next.kind == tPunct && next.s == "," || next == nil) && i == 0 && len(p.toks) <= 2 {
			ok = true
		}
		if ok && german && !t.up && !dot && (next == nil || next.kind == tPunct) && i > 0 && p.toks[i-1].kind == tWord {
			// "Pfiat di, Sepp", "gfreu mi": a lower-case "di"/"mi" after
			// a word that names no day is a pronoun.
			switch p.word(i - 1) {
			case "am", "ab", "bis", "vom", "zum", "nächsten", "naechsten", "kommenden", "jeden", "oder", "und", "or", "and", "bzw", "next":
			default:
				ok = false
			}
		}
		if !ok {
			return i, false
		}
		if t.s == "so" || t.s == "do" {
			// Too common as words to take without a date-like neighbour.
			if next != nil && next.kind == tWord {
				if !t.up {
					return i, false
				}
			}
			if next == nil && !dot && len(p.toks) > 2 {
				return i, false
			}
			if !t.up && dot && (next == nil || next.kind != tNum) && i > 0 && p.toks[i-1].kind == tWord {
				// "mir san eh immer do.": the dialect "da", no Thursday.
				return i, false
			}
		}
	} else if p.isPunct(j, '.') && p.attached(j) && p.tok(j+1) != nil && p.tok(j+1).kind == tNum {
		j++
	}
	*m = mention{wd: w.wd, wdMode: wdNextOcc}
	if w.wdPlural {
		// "3 fridays from now", "2 thursdays ago"
		nb := 0
		if n, _, ok := p.num(i - 1); ok {
			nb = n
		} else if pw := p.info(i - 1); pw != nil && pw.num > 0 {
			nb = int(pw.num)
		}
		if nb == 0 {
			return i, false
		}
		switch {
		case p.word(j) == "from" && p.word(j+1) == "now":
			m.wdMode, m.wdN = wdCount, nb
			return j + 2, true
		case p.has(j, rHence):
			m.wdMode, m.wdN = wdCount, nb
			return j + 1, true
		case p.has(j, rAgo):
			m.wdMode, m.wdN = wdCount, -nb
			return j + 1, true
		}
		return i, false
	}
	// Modifiers before the name.
	k := i - 1
	if p.word(k) == "the" || p.word(k) == "den" || p.word(k) == "am" {
		k--
	}
	if pw := p.info(k); pw != nil {
		switch {
		case pw.role&rAfterNext != 0:
			m.wdMode = wdAfterNext
		case pw.role&rNext != 0:
			if p.lang == langEN && p.word(k) == "next" {
				m.wdMode = wdNextWeek
			} else {
				// "nächsten Donnerstag" on a Monday: this week's or next
				// week's? Writers split; read as the next one, asked back.
				m.nextSaid = true
				m.nextNaechst = strings.HasPrefix(p.word(k), "nächst") || strings.HasPrefix(p.word(k), "naechst")
			}
		case pw.role&rLast != 0 && p.word(k) != "past":
			m.wdMode = wdLast
		}
	}
	// "Tuesday week", "Friday fortnight" (British, Irish): a week or two
	// after the coming Tuesday — not "Friday week 12" or "Monday weekly".
	if p.lang == langEN && m.wdMode == wdNextOcc && !m.nextSaid && (p.word(j) == "week" || p.word(j) == "fortnight") {
		if n := p.tok(j + 1); n == nil || n.kind != tNum && n.s != "of" && n.s != "off" {
			m.plusDays = 7
			if p.word(j) == "fortnight" {
				m.plusDays = 14
			}
			return j + 1, true
		}
	}
	// "Montag in einer Woche", "Montag in acht Tagen": the coming Monday
	// or the one a week after it.
	if p.word(j) == "in" && m.wdMode == wdNextOcc {
		switch {
		case (p.word(j+1) == "einer" || p.word(j+1) == "1" || p.word(j+1) == "ana" || p.word(j+1) == "oana" || p.word(j+1) == "a") && p.has(j+2, rWeek),
			(p.word(j+1) == "acht" || p.word(j+1) == "8") && (p.word(j+2) == "tagen" || p.word(j+2) == "tage"):
			// Writers split between the coming one and the one after:
			// read as the coming one, asked back.
			m.inAWeek = true
			return j + 3, true
		}
	}
	// "Mittwoch nach dem nächsten", "wednesday after next"
	if p.word(j) == "nach" && p.word(j+1) == "dem" && p.has(j+2, rNext) {
		m.wdMode = wdAfterNext
		return j + 3, true
	}
	if p.word(j) == "after" && p.word(j+1) == "next" {
		m.wdMode = wdAfterNext
		return j + 2, true
	}
	return j, true
}

// weekPiece reads "nächste Woche", "next week", "diese Woche", "letzte
// Woche", "übernächste Woche", "KW 49", "week 49".
func (p *parser) weekPiece(i int, m *mention) (int, bool) {
	w := p.info(i)
	if w == nil {
		return i, false
	}
	if p.word(i) == "week" && p.word(i+1) == "after" && p.word(i+2) == "next" {
		// "the week after next"
		*m = mention{week: true, weekShift: 2}
		return i + 3, true
	}
	if w.role&rKW != 0 || p.word(i) == "week" && p.lang == langEN {
		j := i + 1
		if p.isPunct(j, '.') || p.isPunct(j, ':') {
			j++
		}
		if n, d, ok := p.num(j); ok && d <= 2 && n >= 1 && n <= 53 {
			*m = mention{week: true, kw: n}
			return j + 1, true
		}
		return i, false
	}
	shift, ok := 0, false
	j := i + 1
	switch {
	case w.role&rAfterNext != 0:
		shift, ok = 2, true
	case w.role&rNext != 0:
		shift, ok = 1, true
	case w.role&rThis != 0:
		shift, ok = 0, true
	case w.role&rLast != 0:
		shift, ok = -1, true
	}
	if !ok || !p.has(j, rWeek) {
		return i, false
	}
	if p.word(j) == "week's" {
		// "last week's sunday"
	}
	*m = mention{week: true, weekShift: shift}
	return j + 1, true
}

// offset reads "in 3 Tagen", "in zwei Wochen", "in einer Stunde", "vor 2
// Wochen", "7 days ago", "in a week", "a day from now".
func (p *parser) offset(i int, m *mention) (int, bool) {
	j := i
	sign := 1
	w := p.info(i)
	prefix := false
	if w != nil && (w.role&rIn != 0 || p.word(i) == "vor" || p.word(i) == "after" || p.word(i) == "nach") {
		if p.word(i) == "vor" {
			sign = -1
		}
		j++
		prefix = true
	}
	n := 0
	if v, d, ok := p.num(j); ok && d <= 3 {
		n = v
		j++
	} else if wi := p.info(j); wi != nil && wi.num > 0 {
		n = int(wi.num)
		if (p.word(j) == "ein" || p.word(j) == "a") && (p.word(j+1) == "paar" || p.word(j+1) == "couple" || p.word(j+1) == "few") {
			j++
			n = int(p.info(j).num)
		}
		j++
		if p.word(j) == "of" {
			j++
		}
	} else if p.word(j) == "fortnight" || p.word(j) == "a" && p.word(j+1) == "fortnight" {
		if p.word(j) == "a" {
			j++
		}
		n = 14
		j++
		return p.offsetTail(m, i, j, n, unitDay, sign, prefix)
	} else {
		return i, false
	}
	u := p.info(j)
	if u == nil {
		return i, false
	}
	var unit uint8
	switch {
	case u.role&rMinuteUnit != 0:
		unit = unitMinute
	case u.role&rHourUnit != 0 || p.word(j) == "h" && prefix:
		unit = unitHour
	case u.role&rDayUnit != 0:
		unit = unitDay
	case u.role&rWeek != 0:
		unit = unitWeek
	default:
		return i, false
	}
	return p.offsetTail(m, i, j+1, n, unit, sign, prefix)
}

func (p *parser) offsetTail(m *mention, i, j, n int, unit uint8, sign int, prefix bool) (int, bool) {
	switch {
	case p.has(j, rAgo):
		sign = -1
		j++
	case p.has(j, rHence):
		j++
	case p.word(j) == "from" && (p.word(j+1) == "now" || p.word(j+1) == "today"):
		j += 2
	case !prefix:
		return i, false
	}
	if p.word(i) == "after" || p.word(i) == "nach" {
		if unit != unitDay {
			return i, false
		}
	}
	*m = mention{offUnit: unit, offN: sign * n}
	return j, true
}

// dayWord reads heute/morgen/übermorgen/today/tomorrow, "the day after
// tomorrow", and parts of the day.
func (p *parser) dayWord(i int, m *mention) (int, bool) {
	t := &p.toks[i]
	w := t.w
	s := t.s
	if s == "day" {
		// "the day after tomorrow", "day before yesterday"
		if p.word(i+1) == "after" && p.word(i+2) == "tomorrow" {
			*m = mention{hasRel: true, rel: 2}
			return i + 3, true
		}
		if p.word(i+1) == "before" && p.word(i+2) == "yesterday" {
			*m = mention{hasRel: true, rel: -2}
			return i + 3, true
		}
		return i, false
	}
	if s == "morgen" {
		prev := p.word(i - 1)
		if p.has(i-1, rGreet) {
			return i, false
		}
		switch prev {
		case "am", "dem", "heute", "diesen", "jeden", "der":
			// (Not "des": "geht des morgen" is Austrian "das", tomorrow.)
			*m = mention{pod: podMorning}
			return i + 1, true
		}
		*m = mention{hasRel: true, rel: 1}
		return i + 1, true
	}
	if w.hasRel {
		*m = mention{hasRel: true, rel: int(w.rel)}
		if w.pod != 0 {
			m.pod = w.pod
		}
		if w.rel >= 0 && w.rel <= 1 && p.word(i+1) == "in" {
			// "heute in einer Woche", "morgen in acht Tagen": a week on.
			switch a, b := p.word(i+2), p.word(i+3); {
			case (a == "einer" || a == "1" || a == "ana" || a == "oana" || a == "a") && (b == "woche" || b == "woch" || b == "wochn" || b == "woch'n"),
				(a == "acht" || a == "8") && (b == "tagen" || b == "tage"):
				m.rel += 7
				return i + 4, true
			case (a == "zwei" || a == "2" || a == "zwoa" || a == "zwa") && (b == "wochen" || b == "wochn" || b == "woch'n"),
				(a == "vierzehn" || a == "14") && (b == "tagen" || b == "tage" || b == "tag"):
				// "heute in zwei Wochen", "heute in 14 Tagen": two weeks on.
				m.rel += 14
				return i + 4, true
			}
			if t := p.tok(i + 2); t != nil && t.kind == tNum && t.n >= 1 && t.n <= 30 {
				// "heute in 2 Wochen", "heute in 14 Tagen"
				switch p.word(i + 3) {
				case "wochen", "woche":
					if t.n <= 8 {
						m.rel += 7 * int(t.n)
						return i + 4, true
					}
				case "tagen", "tage":
					m.rel += int(t.n)
					return i + 4, true
				}
			}
		}
		if p.lang == langEN && w.rel >= 0 && w.rel <= 1 {
			// "a week today", "a fortnight tomorrow", "today week" (British,
			// Irish): seven or fourteen days on.
			switch pw, ppw := p.word(i-1), p.word(i-2); {
			case pw == "week" && (ppw == "a" || ppw == "one"):
				m.rel += 7
			case pw == "fortnight" && (ppw == "a" || ppw == "one"):
				m.rel += 14
			case p.word(i+1) == "week" && p.tok(i+2) != nil && p.tok(i+2).kind != tNum:
				m.rel += 7
				return i + 2, true
			}
		}
		return i + 1, true
	}
	if w.pod != 0 {
		if p.has(i-1, rGreet) && p.word(i-1) != "jeden" && p.word(i-1) != "einen" {
			return i, false // "Good morning,", "Schönen Nachmittag noch"
		}
		switch p.word(i - 1) {
		case "heiligen", "heiliger", "heilige", "heiliga":
			return i, false // "Heiliger Abend" is a feast, not an evening
		}
		if s == "früh" || s == "frueh" {
			// "so früh wie möglich" is "as soon as possible", not a morning.
			switch p.word(i + 1) {
			case "wie", "als", "möglich", "genug", "dran":
				return i, false
			}
			switch p.word(i - 1) {
			case "so", "zu", "sehr", "etwas", "möglichst", "recht":
				return i, false
			}
		}
		*m = mention{pod: w.pod}
		if p.word(i-1) == "this" && p.lang == langEN {
			// "this afternoon" is today's, never the afternoon of a
			// day named before it ("bring Monday's session forward to
			// this afternoon").
			m.hasRel = true
		}
		j := i + 1
		return j, true
	}
	return i, false
}

// busyWord reports a word that says the customer is taken at the time
// next to it: a meeting they sit in, a day that is bad for them.
func (p *parser) busyWord(k int) bool {
	w, pw := p.toks[k].s, p.word(k-1)
	switch w {
	case "bad", "blocked", "occupied":
		return pw == "is" || pw == "are" || pw == "looks" || pw == "'s" || pw == "pretty" || pw == "really"
	case "besetzt", "beschäftigt", "verplant", "blockiert", "unterwegs", "krank", "sick", "travelling", "traveling", "eingespannt", "ausgelastet":
		return true
	case "geschlossen", "closed":
		// "am Freitag haben wir geschlossen", "we're closed on Monday"
		for j := k - 1; j >= 0 && j >= k-3; j-- {
			switch p.word(j) {
			case "haben", "hamma", "sind", "is", "ist", "are", "we're", "be":
				return true
			}
		}
		return false
	case "baustelle", "montage", "dienstreise", "reise", "kur", "messe", "urlaub", "holiday", "holidays", "trip",
		"fortbildung", "weiterbildung", "schulung", "seminar", "kurs", "lehrgang", "tagung", "kongress",
		"außendienst", "aussendienst", "betriebsausflug", "leave", "vacation", "conference", "course", "site":
		// "bin ich auf der Baustelle", "auf Urlaub", "im Urlaub", "on holiday",
		// "auf Fortbildung", "at a conference", "on site".
		switch pw {
		case "auf", "on", "im", "at":
			return true
		case "der", "einer", "einem", "a", "the", "am", "ana", "an", "da":
			// (Austrian "san ma auf am Kongress", "auf ana Messe".)
			pp := p.word(k - 2)
			return pp == "auf" || pp == "on" || pp == "at" || pp == "in"
		}
		return false
	case "court", "gericht", "hospital", "krankenhaus", "spital", "arzt", "zahnarzt", "doctor's", "dentist", "surgery":
		// "I'm in court all Tuesday", "bin vor Gericht", "beim Arzt", "at
		// the dentist": the customer is somewhere else.
		switch pw {
		case "in", "im", "vor", "bei", "beim", "am":
			return true
		case "the":
			pp := p.word(k - 2)
			return pp == "at" || pp == "in"
		}
		return false
	case "tied", "swamped", "slammed", "snowed", "away", "off", "weg", "out":
		// "I'm tied up all day", "bin Donnerstag weg", "I'm off on Friday",
		// "bin außer Haus": the customer is not there.
		for j := k - 1; j >= 0 && j >= k-4; j-- {
			switch p.word(j) {
			case "i'm", "am", "we're", "are", "be", "bin", "sind", "ist", "is", "he's", "she's", "i", "we":
				if w == "out" {
					// "I'm out tomorrow morning", not "find out", "figure it out".
					pw := p.word(j)
					return j == k-1 && pw != "i" && pw != "we" && p.word(k+1) != "to"
				}
				if w == "off" || w == "away" {
					// "I'm off on Friday", not "call off", "take off from".
					pw := p.word(j)
					// ("I'm away from Monday to Wednesday" is away.)
					return pw != "i" && pw != "we" && (w == "away" || p.word(k+1) != "from") && p.word(k+1) != "to"
				}
				return true
			}
			if p.toks[j].kind == tPunct {
				break
			}
		}
		return false
	}
	for _, suf := range []string{"versammlung", "besprechung", "sitzung", "meeting", "konferenz", "feier", "party", "termin", "termine", "appointment", "appointments", "unterricht", "lessons", "classes", "schicht",
		// "Mittwoch hob i Prüfungen", "Wednesday we have an audit": the day's own business.
		"prüfung", "prüfungen", "inventur", "audit", "besuch", "umzug", "exam", "exams", "inspection", "kontrolle", "workshop", "vortrag", "begehung", "sprechstunde", "ordination"} {
		if !strings.HasSuffix(w, suf) {
			continue
		}
		// Only when the customer is the one taken ("habe ich eine
		// Sitzung", "I'm in a meeting"), not when they ask for one
		// ("wir hätten gern eine Besprechung").
		verb, who := false, false
		for j := k - 1; j >= 0 && j >= k-6; j-- {
			switch p.word(j) {
			case "habe", "hab", "haben", "hat", "bin", "sind", "am", "have", "got", "i'm", "we're", "im", "hob", "hamma", "ham":
				verb = true
			case "gern", "gerne", "like", "want", "möchte", "möchten", "hätten", "hätte", "would", "brauchen",
				"need", "to", "zu", "book", "buchen", "vereinbaren", "schedule",
				// "can we have an appointment", "könnten wir einen Termin haben"
				"can", "could", "may", "please", "kann", "können", "könnten", "könnte", "dürfen", "bitte":
				return false
			}
			switch p.word(j) {
			case "ich", "wir", "i", "we", "i'm", "we're", "im", "hamma", "i'":
				who = true
			}
		}
		return verb && who
	}
	return false
}

// busyAhead: a busy word whose clause holds no time before it names the
// time after it, when nothing in between turns to an alternative: "I'm
// tied up all day Thursday", "bin auf Fortbildung am Montag". ("I'm
// travelling — Friday 11 works" ends its clause at the dash.)
func (p *parser) busyAhead(k, cb int) bool {
	for j := k + 1; j < cb && j <= k+8; j++ {
		if p.has(j, rBoundary) {
			return false
		}
		switch p.word(j) {
		case "works", "work", "passt", "geht", "ginge", "klappt", "fine", "free", "frei", "zeit", "available":
			return false
		}
	}
	return true
}

// pastBefore: a verb in the past stands in the few words before the
// mention ("stopped going out on Friday", "crashed on Monday").
func (p *parser) pastBefore(m *mention) bool {
	for i := m.a - 1; i >= 0 && i >= m.a-5; i-- {
		if p.toks[i].kind == tPunct {
			return false
		}
		switch p.word(i) {
		case "stopped", "crashed", "failed", "started", "began", "happened", "broke", "went", "quit", "froze", "disappeared", "vanished":
			return true
		}
	}
	return false
}

// reasonClause: the clause of token i opens with a word that gives a
// reason ("weil", "denn", "because", "da wir …", "as we …").
func (p *parser) reasonClause(i int) bool {
	ca, _ := p.clause(i)
	if ca > 0 && (p.word(ca-1) == "weil" || p.word(ca-1) == "because") {
		return true // (the word ends the clause before it)
	}
	switch p.word(ca) {
	case "weil", "denn", "because", "cause":
		return true
	case "da", "as":
		switch p.word(ca + 1) {
		case "wir", "ich", "er", "sie", "es", "unser", "unsere", "we", "i", "our", "the", "der", "die", "das":
			return true
		}
	}
	return false
}

// habitClause: the clause of token i tells when the customer's business
// opens or closes ("we open at half 9", "wir sperren um 8 auf"): a habit,
// no wish.
func (p *parser) habitClause(i int) bool {
	ca, _ := p.clause(i)
	who := false
	for k := ca; k < i; k++ {
		switch p.word(k) {
		case "we", "wir", "mir", "the", "our", "der", "unser", "unsere":
			who = true
		case "open", "opens", "close", "closes", "öffnen", "öffnet", "sperren", "aufsperren", "zusperren", "schließen", "schliessen", "sperrn":
			if who {
				return true
			}
		}
	}
	return false
}

// doneVerbs tell that something was done (not asked for).
var doneVerbs = map[string]bool{"wired": true, "sent": true, "paid": true, "transferred": true, "placed": true,
	"ordered": true, "received": true, "installed": true, "updated": true, "emailed": true, "mailed": true,
	"überwiesen": true, "bezahlt": true, "geschickt": true, "gesendet": true, "bestellt": true, "erhalten": true,
	"bekommen": true, "installiert": true, "aktualisiert": true, "eingespielt": true}

// doneVerbBefore: a verb of something done stands at k or up to two words
// before it, in the same clause ("installed the update on Friday").
func (p *parser) doneVerbBefore(k int) bool {
	for j := k; j >= 0 && j >= k-2; j-- {
		if p.toks[j].kind == tPunct {
			return false
		}
		if doneVerbs[p.word(j)] {
			return true
		}
	}
	return false
}

// spanNoun are the nouns of time a "vom" day opens ("die Woche vom 15.").
var spanNoun = map[string]bool{"woche": true, "wochen": true, "tag": true, "tage": true, "zeitraum": true, "zeit": true,
	"monat": true, "kw": true, "kalenderwoche": true, "wochenende": true}

// movesFrom: a move follows the mention ("vom Montag auf Mittwoch").
func (p *parser) movesFrom(m *mention) bool {
	for i := m.b; i < len(p.toks) && i <= m.b+4; i++ {
		if w := p.word(i); w == "auf" || w == "zu" || w == "nach" {
			return true
		}
	}
	return false
}

// purchaseVerbs tell of something the customer buys or gets delivered.
var purchaseVerbs = map[string]bool{"buying": true, "buy": true, "purchasing": true, "purchase": true, "kaufen": true, "kaufe": true,
	"kauft": true, "anschaffen": true, "delivered": true, "arrives": true, "arriving": true, "geliefert": true, "liefert": true,
	"ordering": true, "bestellen": true}

// purchaseOn: the clause of mention m tells of a purchase or delivery, and
// nothing in the mail ties the session to it ("dann", "once it's there").
func (p *parser) purchaseOn(m *mention) bool {
	ca, cb := p.clause(m.a)
	found := false
	for i := ca; i < cb; i++ {
		if purchaseVerbs[p.word(i)] {
			found = true
		}
		if w := p.toks[i].w; w != nil && w.role&rAppt != 0 {
			return false
		}
	}
	if !found {
		return false
	}
	for i := range p.toks {
		switch p.word(i) {
		case "then", "dann", "danach", "afterwards", "sobald", "once", "after", "nach", "nachdem", "wenn", "when":
			return false
		}
	}
	return true
}

// doneOn: the clause of the mention tells that something was done on that
// day ("we wired the fee today", "haben heute überwiesen").
func (p *parser) doneOn(m *mention) bool {
	ca, cb := p.clause(m.a)
	for i := ca; i < cb; i++ {
		if doneVerbs[p.word(i)] {
			return true
		}
	}
	return false
}

// zoneSaid: 1 when the words after the mention say it is our time ("for
// you", "your time", "Vienna time", "bei euch"), -1 when they say it is the
// customer's own ("here", "my time", "UK time", "local time"), else 0.
func (p *parser) zoneSaid(m *mention, end int) int {
	w1, w2 := p.word(end), p.word(end+1)
	if m.hasTZ && w1 == "time" {
		w1, w2 = p.word(end-1), "time" // the zone was read into the mention: "11:30 UK time"
	}
	switch {
	case w1 == "for" && (w2 == "you" || w2 == "your"), w1 == "your" && (w2 == "time" || w2 == "end"),
		w1 == "vienna" || w1 == "austrian" || w1 == "wiener" || w1 == "österreichischer" || w1 == "eurer" || w1 == "ihrer",
		w1 == "bei" && (w2 == "euch" || w2 == "ihnen"):
		return 1
	case w1 == "my" && w2 == "time", w1 == "our" && w2 == "time", w1 == "local" && w2 == "time",
		(w1 == "uk" || w1 == "london" || w1 == "british" || w1 == "irish" || w1 == "us" || w1 == "eastern" || w1 == "pacific" ||
			w1 == "greek" || w1 == "athens" || w1 == "cyprus" || w1 == "finnish" || w1 == "helsinki" || w1 == "romanian" ||
			w1 == "bucharest" || w1 == "bulgarian" || w1 == "sofia") && w2 == "time":
		return -1
	case m.hasTime && w1 == "yours":
		// "so 3pm yours I suppose"
		return 1
	case m.hasTime && w1 == "" && (p.isPunct(end, '?') || p.isPunct(end, '.') || p.isPunct(end, '(') || p.isPunct(end, '-')) && p.zoneTold(end+1) < 0:
		// "next Tuesday at 2pm? That's UK time I'm afraid, so 3pm yours"
		return -1
	case m.hasTime && (w1 == "here" || w1 == "hier" || w1 == "bei" && (w2 == "mir" || w2 == "uns")):
		// Only a clock is someone's local time: "morgen Vormittag bei
		// uns melden" is a place.
		return -1
	}
	return 0
}

// zoneTold: the few words from i say whose time the clock before was
// ("That's UK time", "that is London time", "(UK time)"): -1 the
// customer's, 0 none.
func (p *parser) zoneTold(i int) int {
	for k := i; k < len(p.toks) && k <= i+3; k++ {
		t := &p.toks[k]
		if t.w != nil && t.w.hasTZ && !t.w.langOnlyMiss(p.lang) && p.word(k+1) == "time" {
			switch t.s {
			case "cet", "mez", "cest", "mesz":
				return 0
			}
			for j := i; j < k; j++ {
				switch p.word(j) {
				case "that's", "thats", "that", "it's", "its", "this", "all":
					return -1
				}
			}
			return 0
		}
	}
	return 0
}

// zoneApart: a zone other than ours is named ("That's UK time") with no
// clock right before it to carry it.
func (p *parser) zoneApart() bool {
	for k := range p.toks {
		t := &p.toks[k]
		if t.w == nil || !t.w.hasTZ || t.w.langOnlyMiss(p.lang) || p.word(k+1) != "time" || p.zoneContext(k) {
			continue
		}
		switch t.s {
		case "cet", "mez", "cest", "mesz":
			continue
		}
		return true
	}
	return false
}

// laterInWeek: "vom Mittwoch auf Freitag" moves a booking to the Friday
// after that Wednesday — the first Wednesday from today on — not to the
// first Friday from now. A day earlier in the week ("vom Freitag auf
// Donnerstag") keeps its next occurrence.
func laterInWeek(from, to *mention, now time.Time) {
	bare := func(x *mention) bool {
		return x.wd != 0 && !x.abs && !x.hasRel && !x.week && x.wdEnd == 0 && x.special == specNone && x.wdMode == wdNextOcc
	}
	if !bare(from) || !bare(to) || to.wd <= from.wd || from.hasTime && !to.hasTime {
		return
	}
	for n := 0; n < 7; n++ {
		if c := now.AddDate(0, 0, n); weekdayIndex(c) == int(from.wd) {
			c = c.AddDate(0, 0, int(to.wd-from.wd))
			to.abs, to.y, to.mo, to.d, to.wd, to.wdMode = true, c.Year(), int(c.Month()), c.Day(), 0, 0
			return
		}
	}
}

// replacedDay: after "statt morgen früh" a second day ("bitte am
// Donnerstag") is the replacement, not the same day named twice.
func (p *parser) replacedDay(m, pc *mention) bool {
	if !(m.hasRel || m.wd != 0 || m.abs) || !(pc.hasRel || pc.wd != 0 || pc.abs) {
		return false
	}
	switch p.word(p.beforeMention(m)) {
	case "statt", "anstatt", "anstelle", "instead":
		return true
	}
	return false
}

// possessiveBooking: the mention holds a day with an English "'s" and an
// appointment word follows ("Monday's session", "Wednesday's 3pm
// appointment").
func (p *parser) possessiveBooking(m *mention) bool {
	poss := false
	for i := m.a; i < m.b; i++ {
		if s := p.toks[i].s; p.toks[i].kind == tWord && (strings.HasSuffix(s, "'s") || strings.HasSuffix(s, "’s")) {
			poss = true
		}
	}
	if !poss {
		return false
	}
	for j := m.b; j < len(p.toks) && j <= m.b+2; j++ {
		if p.has(j, rAppt) || p.word(j) == "to" && p.tok(j+1) != nil && p.tok(j+1).kind == tNum {
			// ("can we push Monday's 9am to 10:30?")
			return true
		}
	}
	return false
}

// targetWord: "auf", "auf'n" before a piece mark where a booking moves to
// ("den Termin am Donnerstag auf'n Nachmittag verlegen"): the piece starts
// a time of its own.
func (p *parser) targetWord(k int) bool {
	switch p.word(k) {
	case "auf", "auf'n", "aufn", "auf's", "aufs", "auf’n":
		return true
	}
	return false
}

// targetAt: the piece at i follows "auf", or "auf den"/"auf'n"
// written out ("vom 13. auf den Donnerstag 15.12."): the new time, never
// one with the day before the word.
func (p *parser) targetAt(i int) bool {
	if p.targetWord(i - 1) {
		return true
	}
	switch p.word(i - 1) {
	case "den", "dem", "die", "das":
		return p.targetWord(i - 2)
	}
	return false
}

// bookingNamedBefore: the mention follows "unser Termin am", "den Termin
// am", "my appointment on": in a mail that moves something, the booking
// being moved ("unser Termin am 28.3. um 9:30 müsste verschoben werden").
// With own, only "unser"/"mein"/"our"/"my" count: the customer's booking
// even without a word for moving ("unser Termin am Montag um 9 – geht der
// a am Dienstag um 9?").
func (p *parser) bookingNamedBefore(m *mention, own bool) bool {
	k := m.a - 1
	for n := 0; n < 2 && k >= 0; n++ {
		switch p.word(k) {
		case "am", "vom", "on", "at", "um", "for", "für":
			k--
			continue
		}
		break
	}
	switch p.word(k) {
	case "booked", "gebucht", "reserved", "reserviert":
		// "we booked Thursday 10am. Can we make it Friday 2pm instead?"
		switch p.word(k - 1) {
		case "we", "i", "wir", "have", "we've", "i've", "haben", "hab", "habe", "already", "schon", "bereits":
			return true
		}
	}
	if k < 1 || !p.has(k, rAppt) {
		return false
	}
	switch p.word(k - 1) {
	case "unser", "unseren", "unsere", "mein", "meinen", "meine", "our", "my":
		return true
	case "den", "der", "the":
		// (Not "is it possible to make the remote on friday at 9.30?":
		// the session asked for, not one booked.)
		switch p.word(k - 2) {
		case "make", "do", "have", "book", "schedule", "arrange", "plan", "get", "set", "machen", "buchen", "vereinbaren", "planen":
			return false
		}
		return !own
	}
	return false
}

// afterPossessive: the piece at i follows "Friday's session" (a day with
// "'s", then the word for the booking, ending at b): "move Friday's
// session to 11" names the booking, then a time of its own.
func (p *parser) afterPossessive(b, i int) bool {
	if b < 1 || b >= i {
		return false
	}
	if s := p.toks[b-1].s; !strings.HasSuffix(s, "'s") && !strings.HasSuffix(s, "’s") {
		return false
	}
	appt := false
	for k := b; k < i; k++ {
		if p.has(k, rAppt) {
			appt = true
		}
	}
	toWord := func(w string) bool {
		switch w {
		case "to", "auf", "into", "until", "till":
			return true
		}
		return false
	}
	k := i - 1
	if toWord(p.word(i)) {
		k = i // the piece starts at its own "to"
	}
	switch p.word(k) {
	case "next", "this", "coming", "the", "den", "nächsten", "kommenden":
		k-- // "move tomorrow's session to next Monday"
	}
	return appt && toWord(p.word(k)) // not "tomorrow's session from 9:30 to …"
}

// pointsOnAt: the word at j points on from a day named before ("am
// Montag danach", "the Monday after.").
func (p *parser) pointsOnAt(j int) bool {
	switch p.word(j) {
	case "danach", "drauf", "darauf":
		return true
	case "after":
		n := p.tok(j + 1)
		return n == nil || n.kind == tPunct
	}
	return false
}

// sameTimeSaid: "zur gleichen Uhrzeit", "at the same time".
func sameTimeSaid(toks []token) bool {
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].s {
		case "gleiche", "gleichen", "selbe", "selben", "same", "dieselbe", "derselben", "denselben":
			switch toks[i+1].s {
			case "uhrzeit", "zeit", "time", "hour", "stunde":
				return true
			}
		case "uhrzeit", "zeit", "time":
			// "Uhrzeit bleibt", "the time stays", "uhrzeit gleich"
			switch toks[i+1].s {
			case "bleibt", "stays", "remains", "gleich":
				return true
			}
		}
	}
	return false
}

// pointsBack: the clause at ca opens with a word pointing back at the
// clause before and refuses right after it: "da geht nix", "that doesn't
// work" — not "da ist noch keiner im Büro", which says why a time suits.
func (p *parser) pointsBack(ca, k int) bool {
	switch p.word(ca) {
	case "da", "do", "dann", "that", "those", "then", // ("do": Austrian "da")
		"das", "des", "dies", "this", "it": // "…, des geht gar ned"
	default:
		return false
	}
	switch p.word(ca + 1) {
	case "geht", "gehts", "geht's", "klappt", "passt", "kann", "können", "doesn't", "don't", "won't", "dont", "doesnt", "wont", "isn't":
		return k <= ca+3
	case "sind", "sein", "are", "we're", "haben", "hab", "habe":
		// "da sind wir closed", "da haben wir zu": only a word of being
		// away or closed, never "da ist noch keiner im Büro".
		switch p.word(k) {
		case "closed", "geschlossen", "zu", "weg", "away", "off", "out":
			return k <= ca+3
		}
		return k <= ca+3 && p.busyWord(k)
	case "bin", "san":
		// "do bin i ned do", "da san ma ned erreichbar": the customer is
		// away — not "da ist noch keiner im Büro", which says why it suits.
		switch p.word(k + 1) {
		case "da", "do", "hier", "erreichbar":
			return k <= ca+4
		}
	}
	return false
}

// notThen: the clause [ca, cb) is only a refusal of the time before it:
// "…, so not then - Tuesday at 1pm instead?", "…, also da nicht".
func (p *parser) notThen(ca, cb int) bool {
	neg, then := false, false
	for i := ca; i < cb && i < len(p.toks); i++ {
		switch p.word(i) {
		case "not", "nicht", "ned", "net", "nid":
			neg = true
		case "then", "dann", "da", "do", "that", "day", "tag":
			then = true
		case "so", "but", "also", "aber", "alas", "leider", "sadly", "unfortunately", "obviously", "natürlich", "sicher":
		default:
			if p.toks[i].kind != tPunct {
				return false
			}
		}
	}
	return neg && then
}

// exceptAt: an except word at k, or "but" after "any day", "every day
// but", "anytime but Tuesday".
func (p *parser) exceptAt(k int) bool {
	if exceptWord(p.toks[k].s) {
		return true
	}
	switch p.toks[k].s {
	case "nicht", "ned", "net", "not":
		// "Ab nächster Woche jederzeit, nur nicht am Freitag", "any day,
		// just not Friday": the day after it is taken out of the span.
		switch p.word(k - 1) {
		case "nur", "bloß", "bloss", "only", "just":
			return !p.has(k+1, rOpenBefore) && !p.has(k+1, rOpenAfter) // ("nur nicht vor 10" is a bound)
		}
	}
	if p.toks[k].s != "but" {
		return false
	}
	switch p.word(k + 1) {
	case "not", "never", "no":
		// "any day next week is fine but not before 10": a bound.
		return false
	}
	if p.has(k+1, rOpenBefore) {
		return false // "any time but before 11" is a bound (extractCut turns it to "from 11")
	}
	for j := k + 2; j < len(p.toks) && j <= k+5 && !p.boundary(j) && !p.isPunct(j, ','); j++ {
		switch p.word(j) {
		case "best", "preferred", "ideal", "better", "preferably":
			// "anytime works but morning is best": a preference, not an
			// exception.
			return false
		}
	}
	// "any day next week but Friday", "anytime this week but Thursday":
	// the span may stand between the "any day" and the "but".
	for j := k - 1; j >= 0 && j >= k-5; j-- {
		if p.toks[j].kind == tPunct {
			return false
		}
		switch p.word(j) {
		case "anytime", "anyday", "whenever", "anything":
			return true
		case "day", "days", "time", "weekday", "weekdays", "morning", "mornings", "afternoon", "afternoons":
			switch p.word(j - 1) {
			case "any", "every", "all":
				return true
			}
		}
	}
	return false
}

// boundAfterExcept: a bound after a comma that follows a day taken out
// ("any day next week but Monday, not before 10") narrows the span, not
// the day refused.
func (p *parser) boundAfterExcept(m, pc *mention, i int) bool {
	bound := pc.hasTime && pc.open == openAfter || !pc.hasTime && pc.pod != 0 // ("…, mornings preferred")
	// (", not before 10", ", and not before 10")
	afterComma := p.isPunct(i-1, ',') || (p.word(i-1) == "and" || p.word(i-1) == "und") && p.isPunct(i-2, ',')
	if !bound || pc.dateish() || m.hasTime || m.pod != 0 || m.a < 1 || !afterComma {
		return false
	}
	return p.exceptAt(m.a-1) || m.a >= 2 && p.exceptAt(m.a-2) // ("außer am Montag")
}

// exceptWord: "außer Montag", "except Monday", "excluding Friday".
// busyBecause: the refusal or busy word at k stands in a "because" clause that names
// no time of its own ("not before 10 because we open at 9 and are busy" —
// the clause says why the bound, it refuses nothing; "because at 9 we are
// busy" still refuses 9).
func (p *parser) busyBecause(ca, k int, spans []pieceSpan) bool {
	for j := k - 1; j >= ca-1 && j >= 0; j-- { // (the clause may begin after the "because")
		switch p.word(j) {
		case "because", "weil", "denn", "cause", "coz", "since", "wegen":
			for _, s := range spans {
				if s.a > j && s.a < k {
					return false
				}
			}
			return true
		}
	}
	return false
}

// refusalBefore: the sentence before the exception word at k turns a time
// down ("… ist immer schlecht, außer …", "mornings are bad except …").
func (p *parser) refusalBefore(k int) bool {
	for j := k - 1; j >= 0 && j >= k-8; j-- {
		if t := &p.toks[j]; t.kind == tPunct && t.s != "," || t.nl >= 2 {
			return false
		}
		switch p.word(j) {
		case "schlecht", "schlechter", "ungünstig", "bad", "difficult", "schwierig", "nie", "never", "voll", "busy":
			return true
		}
	}
	return false
}

func exceptWord(w string) bool {
	switch w {
	case "außer", "ausser", "except", "excluding", "ausgenommen":
		return true
	}
	return false
}

// conditional: the refusal stands in an if-clause ("If Thursday doesn't
// work, Friday is fine", "falls Montag nicht geht"): it refuses nothing yet.
func (p *parser) conditional(ca, k int) bool {
	for i := ca; i < k; i++ {
		switch p.word(i) {
		case "if", "falls", "wenn", "sollte", "should", "unless":
			return true
		}
	}
	return false
}

// dayJustBefore: a weekday or a relative day stands right before token i
// ("Mo 13.30", "Montag, 13.30", "morgen 9.45").
func (p *parser) dayJustBefore(i int) bool {
	k := i - 1
	// ("Fr. 15.01. 10.30": a date with its closing dot)
	if p.isPunct(k, '.') && p.tok(k-1) != nil && p.tok(k-1).kind == tNum && p.tok(k-1).n >= 1 && p.tok(k-1).n <= 12 &&
		p.isPunct(k-2, '.') && p.tok(k-3) != nil && p.tok(k-3).kind == tNum && p.tok(k-3).n >= 1 && p.tok(k-3).n <= 31 {
		return true
	}
	if p.isPunct(k, '.') || p.isPunct(k, ',') {
		k--
	}
	w := p.info(k)
	return w != nil && (w.wd != 0 || w.hasRel)
}

// weekdayAfterEvent: a weekday is told from an event the mail names but
// no calendar holds ("the Monday after Independence Day", "am Montag nach
// der Inventur", "the Tuesday before our audit"): the word after
// "after"/"nach" (past an article or a possessive) is one the lexicon
// does not know — not a clock, a part of the day, a meal or "next".
func weekdayAfterEvent(toks []token) bool {
	for i := 0; i+2 < len(toks); i++ {
		if w := toks[i].w; w == nil || w.wd == 0 {
			continue
		}
		switch toks[i+1].s {
		case "after", "nach", "following", "before", "vor":
		default:
			continue
		}
		k := i + 2
		for n := 0; n < 2 && k < len(toks); n++ {
			switch toks[k].s {
			case "the", "der", "dem", "den", "die", "das", "our", "my", "your", "their", "unserer", "unserem",
				"unseren", "unsere", "unser", "meinem", "meiner", "meinen", "eurem", "eurer", "ihrem", "ihrer", "'m", "da":
				k++
				continue
			}
			break
		}
		if k >= len(toks) {
			return false
		}
		t := &toks[k]
		if t.kind != tWord || t.w != nil || len(t.s) < 3 {
			continue
		}
		switch t.s {
		case "lunch", "mittag", "mittagessen", "mittagspause", "essen", "break", "pause", "frühstück", "breakfast",
			"weekend", "wochenende", "feiertag", "holiday", "holidays", "feiertagen", "urlaub", "vacation", "leave",
			"that", "this", "next", "nächster", "nächsten", "übernächster", "übernächsten", "those", "these",
			"mittagszeit", "jause", "mahlzeit", "work", "arbeit", "dienstschluss", "feierabend":
			continue
		}
		return true
	}
	return false
}

// everyBefore: "every", "each", "jeden", "jede" stands right before token
// a ("every night", "jeden Montag", "each Friday morning").
func (p *parser) everyBefore(a int) bool {
	switch p.word(a - 1) {
	case "every", "each", "jeden", "jede", "jedes", "jedem", "alle", "all":
		return p.word(a-1) != "all" || p.word(a) != "day" // ("all day" is a span)
	}
	return false
}

// suitsAfter: a word of suiting follows in the sentence ("every morning
// works", "jeden Vormittag passt").
func (p *parser) suitsAfter(b int) bool {
	for k := b; k < len(p.toks) && k <= b+5; k++ {
		if t := &p.toks[k]; t.kind == tPunct && (t.s == "." || t.s == "?" || t.s == "!") {
			return false
		}
		switch p.word(k) {
		case "works", "work", "fine", "ok", "okay", "suits", "good", "free", "possible", "passt", "geht", "gut", "frei", "möglich", "recht", "ideal":
			return true
		}
	}
	return false
}

// dayAfterBefore: "the day after", "the next day", "am Tag danach",
// "tags darauf" stands right before token a (past "at", "um").
func (p *parser) dayAfterBefore(a int) bool {
	k := a - 1
	for n := 0; n < 2 && k >= 0 && (p.word(k) == "at" || p.word(k) == "um" || p.isPunct(k, ',')); n++ {
		k--
	}
	w, w1 := p.word(k), p.word(k-1)
	switch {
	case w == "after" && w1 == "day", w == "day" && (w1 == "next" || w1 == "following"),
		(w == "danach" || w == "darauf" || w == "drauf") && (w1 == "tag" || w1 == "tags"),
		w == "tag" && (w1 == "nächsten" || w1 == "folgenden"):
		return true
	}
	return false
}

// askedBetween: a word that asks for something ("bitte", "could you")
// stands between tokens a and b: what follows it is a wish, not more of
// the story told before it ("letzte Woche hatten wir ein Problem, bitte am
// Montag um 10").
func askedBetween(toks []token, a, b int) bool {
	for k := a; k < b && k < len(toks); k++ {
		switch toks[k].s {
		case "bitte", "please", "pls", "could", "can", "können", "könnten", "könnt", "kennts", "kann", "would":
			return true
		}
	}
	return false
}

// readyBefore: the clause before the "by" at i says the customer will be
// there or free ("I'll be available … by 10:30", "back in the office by
// 2pm"): the time after it is when they can start, no deadline.
func (p *parser) readyBefore(i int) bool {
	if i > 0 {
		// "can we rather do Wednesday 11th July by 11am?", "on the 15th
		// instant by 3pm", "tomorrow by 10am": the clock on the day just
		// named, no deadline (not "by Friday 3pm").
		k := i - 1
		if p.word(k) == "instant" || p.word(k) == "inst" {
			k--
		}
		if w := p.info(k); w != nil && (w.wd != 0 || w.month != 0 || w.hasRel) || p.ordSuffix(k) {
			return true
		}
	}
	for j := i - 1; j >= 0 && j >= i-8; j-- {
		if p.toks[j].kind == tPunct && p.toks[j].s != "." {
			return false
		}
		switch p.word(j) {
		case "available", "free", "ready", "back", "reachable", "around", "there", "here":
			return true
		}
	}
	return false
}

// saysNow: the part of the day at i is what the customer's clock shows
// now ("it's evening here", "it is morning", "ist es Abend").
func (p *parser) saysNow(i int) bool {
	w1, w2 := p.word(i-1), p.word(i-2)
	now := false
	if w1 == "already" || w1 == "schon" || w1 == "now" || w1 == "jetzt" {
		w1, w2, now = w2, p.word(i-3), true
	}
	if !(w1 == "it's" || w1 == "its" || w1 == "it’s" || w1 == "is" && w2 == "it" || w1 == "es" && w2 == "ist" || w1 == "ist" && w2 == "es") {
		return false
	}
	for k := i + 1; k <= i+3 && !now; k++ {
		switch p.word(k) {
		case "here", "there", "hier", "drüben", "now", "jetzt", "uns":
			now = true
		}
	}
	return now
}
