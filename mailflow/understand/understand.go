// Package understand reads an incoming Message like a person at the desk
// would: which language, what the customer wants (intent), which times they
// ask for (resolved against the mail's Date in the desk's zone), any AnyDesk
// ID, and why. It is pure: no I/O, no clock, no globals that change.
package understand

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/mailflow/mailflow/mailflow/message"
)

// Intent is what the customer wants from the desk.
type Intent string

// The intents of DESIGN §3.
const (
	IntentAppointment Intent = "appointment_request"
	IntentAnyDeskID   Intent = "anydesk_id"
	IntentCancel      Intent = "cancel"
	IntentReschedule  Intent = "reschedule"
	IntentAccept      Intent = "accept"
	IntentQuestion    Intent = "question"
	IntentAutoReply   Intent = "auto_reply"
	IntentBounce      Intent = "bounce"
	IntentBulk        Intent = "bulk"
)

// Precision says how exactly a customer named a time.
type Precision string

// Precisions of a requested time.
const (
	PrecisionMinute    Precision = "minute"      // "10 Uhr", "14:30"
	PrecisionPartOfDay Precision = "part_of_day" // "Vormittag": a window
	PrecisionDay       Precision = "day"         // "am Donnerstag": the whole day
)

// Wish is one requested time. End is nil for a point in time ("10 Uhr");
// windows ("Vormittag", "zwischen 13 und 15 Uhr", a whole day) have End.
type Wish struct {
	Start     time.Time
	End       *time.Time
	Precision Precision
	// weekdayOff: the customer named a weekday the date does not fall
	// on ("Mittwoch, 5. März" when the 5th is a Friday).
	weekdayOff bool
	// nextAmbiguous: "nächsten Donnerstag" said early in the week — this
	// week's Thursday or next week's.
	nextAmbiguous bool
	// spanFirst: the first day of a span named with a part of the day
	// or a time ("Mitte nächster Woche am Vormittag"): still vague.
	spanFirst bool
	// bareWeekday: a weekday said alone ("am Donnerstag"), placed on its
	// next occurrence from now.
	bareWeekday bool
	// todayWeekday: the weekday said is today's ("Thursday at half ten"
	// written on a Thursday morning): today, or a week on.
	todayWeekday bool
	// weekApart: the weekday and the week it was placed in were told in
	// different sentences ("… auf die nächste Woche klickst. Am Mittwoch
	// um 10?").
	weekApart bool
	// dated: a day of the month was said ("am 2.", "the 12th"): the wish
	// is that date, never any day on its weekday.
	dated bool
	// AnyHour: the customer said any time of the day suits ("egal
	// wann", "any time on Friday"): the day's first free slot is theirs.
	// A day without it is offered hour by hour, never booked at a time
	// the customer did not choose.
	AnyHour bool
	// NoDay: a time of day said without any day ("lieber um 13 Uhr", "am
	// Nachmittag"), placed on its next occurrence. In answer to times we
	// offered, the desk puts it on the offer's day instead.
	NoDay bool
}

// Reading is everything understood from one mail.
type Reading struct {
	Language string // "de" or "en"
	Intent   Intent
	// Requested lists wanted times, best first, negated ones left out.
	Requested []Wish
	// AnyDeskID is nine digits without spaces, "" when none was found.
	AnyDeskID string
	// AnyDeskAlias is the alias form "name@ad" when the mail gives that
	// instead of the nine digits; never a time, never an ID to link.
	AnyDeskAlias string
	// Choice is the 1-based proposal the customer picked (intent accept), 0 if none.
	Choice int
	// Reason is a short why ("Schulung", "Fehler", "Update"), "" when unsaid.
	Reason string
	// Confidence is how sure the reading is, 0..1; Reasons say why. A
	// reading below UnsureBelow is never acted on without asking.
	Confidence float64
	Reasons    []string
}

// maxSubjectBytes caps the subject the extractor reads; a real subject is a
// line, anything longer is junk or an attack.
const maxSubjectBytes = 1 << 10

// Read understands one mail. now is the reference time (the mail's Date,
// or the time of reading) already in the desk's zone; every requested time
// is resolved against it and returned in now.Location(). Read never panics
// and does bounded work on any input: it looks at the first 8 KB of the
// customer's text and the first 1 KB of the subject.
func Read(msg *message.Message, now time.Time) Reading {
	r := Reading{Language: "de", Intent: IntentQuestion}
	if msg == nil {
		return r
	}
	if msg.Quoted == "" && msg.InReplyTo != "" {
		// A client that quoted our mail below the answer without marking
		// it: our options are no wish of the customer's.
		if own, quoted, ok := splitUnmarkedQuote(capText(msg.Text, maxTextBytes)); ok {
			m := *msg
			m.Text, m.Quoted = own, quoted
			msg = &m
		}
	}
	if c := msg.Calendar; c != nil {
		return readCalendarAnswer(msg, c, now)
	}
	subject, isReply := stripReplyPrefixes(capText(msg.Subject, maxSubjectBytes))
	// A "Re:" subject answers a mail; an In-Reply-To alone is set by
	// clients on mail that only started as a reply to something.
	answers := isReply
	isReply = isReply || msg.InReplyTo != ""
	// Times and IDs come only from what the sender wrote: no header,
	// log or diff lines, blobs or URLs (see ownWords).
	body := ownWords(capText(msg.Text, maxTextBytes))
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	sc.toks = tokenizeInto(sc.toks, &sc.low, body)
	sc.stoks = tokenizeInto(sc.stoks, &sc.slow, subject)
	greetingTimeWord(sc.toks)
	// Misspelt words are corrected before the rewrites that look at their
	// neighbours ("12 Octobre 2.30": no bare hour before a month).
	marks, smarks := scanWords(sc.toks), scanWords(sc.stoks)
	compact3 := threeDigitClock(sc.toks) || threeDigitClock(sc.stoks) // ("Do 930": read as 09:30, not silently)
	sc.toks = hourAfterWeekday(dayAfterWeekday(splitCompactTimes(letterOAsZero(spacedOClock(habAsHalb(fractionClock(splitUhrCompound(dottedChains(splitWeekdayPart(thingCompounds(splitContractions(foldRingA(sc.toks)))))))))))), now)
	sc.stoks = hourAfterWeekday(splitCompactTimes(letterOAsZero(spacedOClock(habAsHalb(splitWeekdayPart(thingCompounds(splitContractions(foldRingA(sc.stoks)))))))), now) // ("FW 10.11. 1030")
	toks, stoks := sc.toks, sc.stoks
	corrected := marks.corrected + smarks.corrected
	lang := detectLanguage(toks, stoks)
	localPartOfDay(toks)
	for i := range toks {
		// Austrian "net" is "nicht" — not in English mail, not in ".NET".
		if toks[i].s == "net" && (lang == langEN || i > 0 && toks[i-1].s == "." && !toks[i].sp) {
			toks[i].w = nil
		}
	}
	if lang == langEN {
		r.Language = "en"
	}

	// Times come from the body; the subject only speaks when the body does
	// not, and never in a reply: its subject repeats *our* proposal or the
	// customer's first mail, neither of which is asked for again.
	wishes, target := extractTargets(toks, lang, now, sc)
	bodyTime := len(wishes) > 0
	if len(wishes) == 0 && !isReply {
		wishes, target = extractTargets(stoks, lang, now, sc)
	} else if !isReply && len(wishes) == 1 && wishes[0].Precision != PrecisionDay && !namesADay(toks) && namesADay(stoks) {
		// Subject "Einschulung am 8.1.", body "wie im Betreff: … am
		// besten nachmittags": the part of the day (or the clock) on the
		// day the subject names.
		if sw := extract(stoks, lang, now); len(sw) == 1 && sw[0].Precision == PrecisionDay {
			wishes = []Wish{wishes[0].OnDay(sw[0].Start.In(now.Location()))}
		}
	} else if !isReply && len(wishes) == 1 && !saysDate(toks) && saysDate(stoks) {
		// Subject "Fernwartung am 12.9. um 9:30", body "geht sich am
		// Donnerstag um halb zehn eine Fernwartung aus?" written on the
		// 4th: the weekday is the subject's Thursday, a week later than
		// the nearest.
		if sw := upcoming(extract(stoks, lang, now), now); len(sw) == 1 {
			b, d := wishes[0].Start.In(now.Location()), sw[0].Start.In(now.Location())
			if gap := d.Sub(b); d.Weekday() == b.Weekday() && !sameDate(b, d) && gap > 0 && gap < 22*24*time.Hour {
				wishes = []Wish{wishes[0].OnDay(d)}
			}
		}
	}

	future := upcoming(wishes, now)
	if h, m, ok := clockTold(toks); ok && !namesADay(toks) {
		// "(It's 5:29 am here, coffee in hand.)": the customer's own clock
		// right now, no time asked for.
		future = slices.DeleteFunc(future, func(w Wish) bool {
			wh, wm, _ := w.Start.In(now.Location()).Clock()
			return w.Precision == PrecisionMinute && wh%12 == h%12 && wm == m
		})
	}
	toldDropped := false
	if !isReply && bodyTime && target <= 0 && len(future) >= 2 && onDifferentDays(future) {
		// "Unsere Kollegin fangt am Montag an. Könnts ihr sie am Dienstag
		// um 13 Uhr einschulen?": the day told in a sentence that asks
		// nothing is the story, the one asked for the wish.
		if kept, ok := askedSentencesOnly(toks, lang, now, future); ok {
			future, toldDropped = kept, true
		}
	}
	if bodyTime && len(future) > 0 && !isReply && msg.InReplyTo == "" && timesOnlyTold(toks, lang, now) {
		// "Unsere Lizenz läuft am 30.04. ab. Verlängert sich die
		// automatisch?", "we're getting new PCs on 15 January. Does your
		// program run on them?": the date tells when something happens
		// to the customer; the question asks about something else.
		future, toldDropped = nil, true
	}
	if bodyTime && len(future) > 0 {
		// "Wir haben am Montag die Rechnung überwiesen. Ist das
		// angekommen?": a day in a sentence that tells what was done is
		// past, whatever weekday it names — no wish.
		if kept, ok := withoutPastTold(toks, lang, now, future); ok {
			future, toldDropped = kept, true
		}
	}
	fromForward := false
	if len(future) == 0 && !bodyTime && isForward(msg.Subject, body) && msg.InReplyTo == "" && (forwarded(msg.Subject) || !isReply) {
		// (A "Re:" that says "I forwarded this to IT" quotes our mail, whose
		// times are no wish.)
		// "anbei die Anfrage unseres Meisters, bitte direkt mit ihm einen
		// Termin ausmachen": the forwarded mail carries the wish.
		// ("Hallo, stimmt des so?" above the accountant's "bitte klären
		// Sie, ob der Jahresbeleg am 31.12. erstellt wird": no session is
		// asked for on either side, so the date is none.)
		if fw := forwardedWishes(msg.Quoted, lang, now); len(fw) > 0 && !bugQuestionOnly(toks) && !noActionNeeded(toks) && !productQuestion(toks) {
			if qt := tokenize(capText(msg.Quoted, maxTextBytes)); asksHelp(toks) || scanSignals(toks).appt || asksHelp(qt) || scanSignals(qt).appt {
				future, fromForward = fw, true
			}
		}
	}
	feast := marks.feast || smarks.feast || dayNextToDate(toks)
	if feast && len(future) > 0 && feastOnlyTold(toks) {
		// "Our invoice numbers went back to 0001 after new year … Could
		// someone dial in next Tuesday 2pm?": the feast tells when a fault
		// began; the day asked for is said apart from it.
		feast = false
	}
	if feast {
		if w, ok := feastWish(toks, wishes, now); ok && w.Start.After(now) && !(len(future) > 0 && feastRefused(toks)) {
			if w.Precision != PrecisionDay && !namesADay(toks) {
				// "Am Gründonnerstag um 14 Uhr?": the clock was said for
				// the feast, not for the next day it falls on by itself.
				kept := future[:0:0]
				for _, f := range future {
					if f.Precision == PrecisionDay || !sameClock(f.Start, w.Start) {
						kept = append(kept, f)
					}
				}
				future = kept
			}
			// ("nach Ostern am Dienstag um 10": the weekday read alone is
			// the same wish, not a second one.)
			// ("am Donnerstag vor Ostern am Nachmittag": the Thursday read
			// alone, on its next occurrence, is the feast's weekday too.)
			future = slices.DeleteFunc(future, func(f Wish) bool {
				return f.Precision == w.Precision && (f.Start.Equal(w.Start) ||
					f.bareWeekday && f.Start.Weekday() == w.Start.Weekday() && sameClock(f.Start, w.Start))
			})
			future = append([]Wish{w}, future...)
		}
	}

	r.AnyDeskID = findAnyDeskID(body)
	if r.AnyDeskID == "" {
		r.AnyDeskID = findAnyDeskID(subject)
	}
	thread := threadOf(subject, msg.Quoted, isReply)
	if r.AnyDeskID == "" && (thread == threadConfirmation || smarks.idWord) {
		// (In answer to our confirmation, or under a subject "ID".)
		r.AnyDeskID = findAnyDeskIDAsked(body)
	}
	if r.AnyDeskID == "" && (marks.idWord || smarks.idWord || thread == threadConfirmation) {
		// Typed digit by digit ("4 8 2 - 9 1 3 - 0 5 7"): with ID words,
		// or in answer to our confirmation, which asks for the ID.
		r.AnyDeskID = findSpacedID(body)
	}
	if r.AnyDeskID == "" && (marks.idWord || smarks.idWord || thread == threadConfirmation) {
		r.AnyDeskID = spelledID(toks)
	}
	if r.AnyDeskID == "" && (marks.idWord || smarks.idWord || thread == threadConfirmation) {
		r.AnyDeskID = findLinedID(body)
	}
	if r.AnyDeskID == "" {
		r.AnyDeskID = forwardedID(body, msg.Quoted, msg.Subject, wordCount(toks))
	}
	if r.AnyDeskID != "" && !idContext(body, subject, isReply) {
		// Nine digits alone are a phone, order or register number as
		// often as an ID; without ID wording or our thread they are none.
		r.AnyDeskID = ""
	}
	r.Reason = reasonOf(toks, lang)
	if r.Reason == "" {
		r.Reason = reasonOf(stoks, lang)
	}
	if isReply || msg.InReplyTo != "" || thread != threadNone {
		// (A first mail picks no option: "wie erstelle ich eine zweite
		// Mahnstufe? … nur die erste" names none of ours.)
		r.Choice = choiceOf(toks)
	}
	if r.Choice == 0 && thread == threadProposal {
		// "Zwei.", "ok the 2nd works for me!": an option by a number word
		// or an English ordinal with no month, no date of ours.
		if n, ordinal := pickedByWord(toks); n > 0 && n <= quotedOptions(msg.Quoted) && !(ordinal && optionOnDay(msg.Quoted, n, now)) {
			r.Choice, future = n, nil
		}
	}
	if r.Choice == 0 && thread == threadProposal && len(future) == 0 && wordCount(toks) <= 12 && !scanSignals(toks).refusal {
		// "> 3) Tue 29 Apr 10:00 / That one.": the option line quoted
		// above the reply is the pick.
		if n := topQuotedOption(msg.FullText); n > 0 && n <= quotedOptions(msg.Quoted) {
			r.Choice = n
		}
	}

	lowSubj := lowerText(subject)
	var rel Wish
	relOK := false
	weekAfter := false
	if saysWeekAfter(toks) {
		var anchor time.Time
		if thread != threadNone {
			anchor = lastQuotedTime(msg.Quoted, now)
		}
		switch {
		case !anchor.IsZero():
			// "in der Woche drauf, Dienstag Nachmittag", "the week after":
			// the day named lies in the week after the times we quoted;
			// with no day named, that whole week is the wish.
			if len(future) > 0 {
				future, weekAfter = shiftPastWeekOf(future, anchor), true
			} else if w := weekAfterOf(anchor); w.Start.After(now) {
				future, weekAfter = []Wish{w}, true
			}
		case len(future) > 0:
			// "nächste Woche bin ich auf Urlaub. Die Woche drauf am
			// Dienstag": the week after the first time the customer named
			// themselves, refused or not.
			if named := extractNamed(toks, lang, now); len(named) > 1 && named[0].Start.Before(future[0].Start) {
				future, weekAfter = shiftPastWeekOf(future, named[0].Start), true
			}
		default:
			// "diese Woche geht nix mehr, aber in der Woche drauf gern":
			// the whole week after the one the customer turned down.
			if named := extractNamed(toks, lang, now); len(named) > 0 {
				if w := weekAfterOf(named[0].Start); w.Start.After(now) {
					future, weekAfter = []Wish{w}, true
				}
			}
		}
	}
	// The booking our quoted confirmation names (zero in other threads).
	var booked time.Time
	movesNamed := false // a first mail moves the booking it names by an offset
	if thread == threadConfirmation {
		booked = bookedTime(msg.Quoted, now)
		if !booked.IsZero() && len(future) == 1 && (future[0].bareWeekday || future[0].nextAmbiguous) && sameDate(future[0].Start, booked.In(now.Location())) && !fromTo(toks) &&
			(future[0].Precision == PrecisionDay || sameClock(future[0].Start.In(now.Location()), booked.In(now.Location()))) {
			// "bitte auf nächsten Donnerstag schieben" when the booking
			// is this Thursday: a move to that weekday is a week on (not
			// "Donnerstag um 14 statt 10", another hour that day).
			future[0] = future[0].OnDay(future[0].Start.In(now.Location()).AddDate(0, 0, 7))
			future[0].nextAmbiguous = false
		}
		// "eine Stunde später", "gleiche Uhrzeit": read against our booking.
		if rel, relOK = relativeWish(toks, future, booked); relOK && rel.Start.After(now) {
			future = append([]Wish{rel}, future...)
		}
	} else if relativeMove(toks) {
		// "ginge es heute statt 11:30 eine halbe Stunde früher?": read
		// against the time the mail itself replaces.
		if old := replacedTime(toks, wishes, lang, now); !old.IsZero() {
			if w, ok := relativeWish(toks, nil, old); ok && w.Start.After(now) {
				movesNamed = namesBooking(toks)
				kept := []Wish{w}
				for _, f := range future {
					// (Neither the old time nor its day alone: "heute
					// statt 11:30 …" asks for no other time today.)
					if !f.Start.Equal(old) && !(f.Precision == PrecisionDay && sameDate(f.Start, old)) {
						kept = append(kept, f)
					}
				}
				future = kept
			}
		} else if len(future) == 1 && future[0].Precision == PrecisionMinute && clockCount(toks) >= 2 && clockBeforeOffset(toks) && namesBooking(toks) {
			// "unseren Termin heute um 10 bitte eine Stunde später, also
			// 11 Uhr": the old time and the new one both said, read as
			// the new one — the booking named is moved, no second
			// session booked.
			movesNamed = true
		}
	}
	sig := scanSignals(toks)
	ssig := scanSignals(stoks)
	// "Rechnung 1004 lässt sich nicht stornieren": the verb's object is
	// no appointment.
	cancelVerb := sig.cancel || ssig.cancel || containsAny(lowerText(body+" "+subject), []string{"kündig", "kuendig"})
	sig.cancel = sig.cancel && cancelsAppointment(toks)
	ssig.cancel = ssig.cancel && cancelsAppointment(stoks)
	if (sig.otherOnly || ssig.otherOnly) && additive(toks) {
		// "Another session: I'd need one more": a booking besides the first.
		sig.resched = sig.resched && !sig.otherOnly
		ssig.resched = ssig.resched && !ssig.otherOnly
	}
	if !isReply && ssig.otherOnly && !sig.resched && !(sig.refusal && sig.appt) && target <= 0 && !namesBooking(toks) && newOnly(stoks) {
		// A first mail headed "Neuer Termin" asks for a new session; what
		// would it move? ("Anderer Termin" still reads as a move, and so
		// does a body that turns a time down: "der Termin morgen passt
		// doch nicht. Bitte auf Freitag 11 Uhr legen.")
		ssig.resched = false
	}
	if ssig.resched && !sig.resched && !hasMoveWord(toks) && noLongerNeeded(toks) {
		// "AW: Verschiebung Fernwartung" — "wir brauchen den Termin nicht
		// mehr": the body calls off what the subject moved.
		ssig.resched = false
	}
	alias := ""
	if r.AnyDeskID == "" {
		alias = findAlias(body)
	}
	// "Rechnung stornieren", "Buchungen verschieben" are questions about
	// the software; cancel and reschedule need an appointment in sight.
	moved, movedEN := movedFromTo(toks)
	aboutAppointment := sig.appt || ssig.appt || isReply || namesBooking(toks) || (sig.cancel || ssig.cancel) && cancelNamesTime(toks) || sig.insteadTime ||
		(sig.resched || ssig.resched) && (target > 0 || moved) // "move Wednesday 5 PM to Thursday 4:30 PM", "reschedule from Friday 10:00 to Monday"
	switch {
	case msg.Bounce || containsAny(lowSubj, bounceSubjects):
		r.Intent = IntentBounce
	case msg.Auto || containsAny(lowSubj, autoSubjects) || strings.HasPrefix(lowSubj, "abwesend"):
		r.Intent = IntentAutoReply
	case msg.Bulk || msg.Machine || thread == threadNone && !isReply && unsubscribeFooter(cmp.Or(msg.FullText, msg.Text)) && !forwarded(msg.Subject) && !isForward(msg.Subject, body):
		// (A footer that offers to unsubscribe marks a mailing even without
		// its header; a customer forwarding one to ask about it is read.)
		r.Intent = IntentBulk
	case noActionNeeded(toks) && !asksForSession(toks) && !sig.cancel && !sig.resched && r.AnyDeskID == "":
		// (An ID beside "nur zur Info" is still the ID we asked for.)
		// "FYI - forwarding our confirmation to the treasurer. No action
		// needed.": a person files it.
		future = nil
	case thread == threadProposal && !sig.resched && !ssig.resched && sig.instead && len(future) > 0 && r.Choice == 0:
		// "Can we do Friday at 9 instead?" in answer to our proposal: no
		// booking exists yet, so it is a wish of its own.
		r.Intent = IntentAppointment
	case (sig.resched || ssig.resched || sig.instead && (len(wishes) > 0 || len(future) > 0) && thread != threadProposal && !(thread == threadNone && !namesBooking(toks) && !sig.insteadTime)) && aboutAppointment,
		relOK && thread == threadConfirmation && !sig.cancel:
		// ("Same time the next day would be better" answers our
		// confirmation with a move relative to the booking.)
		// ("Montag geht nicht. Dienstag um 14 instead?", "9am is too early.
		// Tuesday 4pm instead?" in a first mail put a wish against the
		// customer's own refusal: no move — unless a time is replaced:
		// "statt Freitag lieber Montag".)
		r.Intent = IntentReschedule
		if len(future) >= 1 && future[0].End != nil && future[0].Precision != PrecisionDay && sameDate(future[0].Start, *future[0].End) && fromTo(toks) && clockAfterTo(toks) {
			// "change Friday's session from 10am to 1pm": the range is
			// the move, its end the new time.
			future = []Wish{{Start: *future[0].End, Precision: PrecisionMinute}}
		}
		if target > 0 {
			// "vom Mittwoch auf Freitag": the new day first, at the old
			// time when the mail says "gleiche Uhrzeit".
			moved := sameClockOf(toks, wishes, target)
			wishes = append(append([]Wish{moved}, wishes[:target]...), wishes[target+1:]...)
			future = upcoming(wishes, now)
		}
	case target > 0 && len(wishes) >= 2 && (sig.appt || ssig.appt) && (sig.question || fromTo(toks) && namesBooking(toks)):
		// ("bitte den Termin vom 17.10. auf den 19.10. um 10 Uhr.")
		// "Wir haben am 12.1. um 10 einen Termin. Könnten wir den auf den
		// 14.1. legen?": a booked time and its target.
		r.Intent = IntentReschedule
		moved := sameClockOf(toks, wishes, target)
		wishes = append(append([]Wish{moved}, wishes[:target]...), wishes[target+1:]...)
		future = upcoming(wishes, now)
	case movesNamed && thread == threadNone && len(future) > 0 && !sig.cancel && !ssig.cancel:
		// "können wir den Termin heute um 13 Uhr eine Stunde später
		// machen?": the booking named, moved by the offset — never a
		// second session at the old time.
		r.Intent = IntentReschedule
	case moved && !movedEN && thread != threadProposal && len(future) > 0 && !sig.cancel && !ssig.cancel && !sig.refusal && !howToQuestion(toks):
		// "bitte von Montag auf Dienstag, gleiche Uhrzeit (9 Uhr)", "können
		// wir von Mittwoch 16 Uhr auf Donnerstag 15 Uhr gehen?": a move
		// without a move verb.
		r.Intent = IntentReschedule
		if target > 0 {
			// "can we change Thursday 10am to Friday 10am?": the new time first.
			wishes = append(append([]Wish{wishes[target]}, wishes[:target]...), wishes[target+1:]...)
			future = upcoming(wishes, now)
		}
	case (sig.cancel || ssig.cancel) && aboutAppointment && !(thread == threadNone && !isReply && howToCancel(toks)),
		(thread != threadNone || sig.appt || isReply && ssig.appt || ssig.cancel || namesBooking(toks)) && (len(future) == 0 || !hasMoveWord(toks) && (!sig.question || topicQuestionsOnly(toks))) && noLongerNeeded(toks) &&
			// ("kann ma a Logo einfügen? Bitte nur kurz per Mail erklären,
			// Fernwartung brauch ma ned.": a first mail that wants no
			// session, beside a question, calls nothing off.)
			!(thread == threadNone && !isReply && sig.question && !namesBooking(toks) && !saysNoLonger(toks)):
		// ("AW: Termin" — "des mit morgen brauchen wir nicht mehr": the
		// booking is what the reply's subject names.)
		r.Intent = IntentCancel
	case (thread == threadNone || thread == threadConfirmation && willBeInTouch(toks)) && len(future) == 0 && sig.refusal && !sig.question && !ssig.question && !asksForSession(toks) &&
		r.AnyDeskID == "" && alias == "" && refusesClock(toks, lang, now):
		// (Not "De Nummer is 129 884 550, bitte ned vergessen dass i um
		// 11 weg muss.": a mail that brings the ID wants its session.)
		// ("Freitag um 1 geht leider doch ned, i meld mi wieder." in answer
		// to our confirmation: nothing asked instead, a new date later.)
		// "heit um 10 wird nix, sorry. I meld mi wieder.", "today at 10
		// won't work, sorry": the one time named, with its clock, turned
		// down and nothing asked for instead calls off what was booked.
		r.Intent = IntentCancel
	case (r.AnyDeskID != "" || alias != "") && (!isReply || msg.InReplyTo == "" && thread == threadNone) && len(future) > 0 &&
		(bodyTime || len(toks) <= 6 || seeSubject(toks) || fromForward && forwardAsksHelp(msg.Quoted)) &&
		(!namesSession(toks) || wantsNewSession(toks) || thread == threadNone && msg.InReplyTo == "" && future[0].Precision != PrecisionDay && !sameDate(future[0].Start, now) && namesADay(toks)) &&
		!(len(future) == 1 && future[0].Precision == PrecisionDay && sameDate(future[0].Start, now)):
		// ("der sitzt heut am Rechner" above a forwarded ID: today, with
		// no time, is the session the ID is for.)
		// A subject's time counts only when the body is no more than
		// "siehe Betreff": "ID for 1pm" names the booked session.
		// "Donnerstag 10 Uhr? Meine ID ist …": a booking that brings its ID.
		r.Intent = IntentAppointment
	case r.AnyDeskID != "" || alias != "":
		// The alias form ("name@ad") is an ID a person links by hand.
		r.Intent = IntentAnyDeskID
		r.AnyDeskAlias = alias
	case thread == threadConfirmation && marks.idWord && len(future) == 0 && !sig.question && !sig.cancel && !sig.resched:
		// "Die ID steht im Screenshot", "die Nummer schicke ich gleich": an
		// ID mail without the nine digits, for a person.
		r.Intent = IntentAnyDeskID
	case thread == threadConfirmation && len(future) > 0 && hasMoveWord(toks) && !additive(toks) ||
		thread == threadConfirmation && len(future) > 0 && sig.refusal:
		// ("could we book a session on Monday at 11 as well?" asks for a
		// second one: it moves nothing.)
		// A new time in answer to our confirmation moves that booking.
		r.Intent = IntentReschedule
		if target > 0 {
			wishes = append(append([]Wish{wishes[target]}, wishes[:target]...), wishes[target+1:]...)
			future = upcoming(wishes, now)
		}
	case r.Choice > 0 && (len(future) > 0 && (sig.question || otherClockThanOption(msg.Quoted, r.Choice, future, now)) || relativeMove(toks)),
		r.Choice == 0 && thread == threadProposal && relativeMove(toks) && bareChoice(toks) > 0:
		// "Nummer 2 wäre gut, aber geht das eine Stunde später?": a counter-proposal.
		// "Nr. 2, aber erst um 11?": a bare clock time keeps the picked option's day.
		// "Option 2 but in the afternoon instead?": the option's day at
		// that part of the day.
		if r.Choice == 0 {
			r.Choice = bareChoice(toks) // "die 2, aber eine Stunde früher"
		}
		opt, ok := quotedOption(msg.Quoted, r.Choice, now)
		if ok && relativeMove(toks) {
			// "Nummer 1 wäre gut, aber geht's eine halbe Stunde später?"
			if w, wok := relativeWish(toks, future, opt); wok && w.Start.After(now) {
				future = append([]Wish{w}, future...)
			}
		}
		if ok && len(future) > 0 && future[0].Precision == PrecisionDay && sameTimeSaid(toks) {
			// "Option 2 would have been ideal but I'm away then — the same
			// time on Wednesday?": the option's clock on that day.
			d := future[0].Start.In(opt.Location())
			future[0] = Wish{Start: time.Date(d.Year(), d.Month(), d.Day(), opt.Hour(), opt.Minute(), 0, 0, opt.Location()), Precision: PrecisionMinute}
		} else if ok && len(future) > 0 &&
			future[0].Precision != PrecisionDay && sameDate(future[0].Start, now) && !sameDate(opt, now) {
			future[0] = future[0].OnDay(opt)
		}
		r.Choice = 0
		r.Intent = IntentAppointment
	case r.Choice > 0:
		r.Intent = IntentAccept
	case thread == threadProposal && (len(future) == 0 || loneNumber(toks)) && (!sig.refusal || choiceClauseClean(toks)) && bareChoice(toks) > 0,
		thread == threadNone && msg.InReplyTo != "" && len(future) == 0 && bareChoice(toks) > 0 &&
			(wordCount(toks) <= 3 || wordCount(toks) <= 6 && sig.confirm && !sig.question && !sig.refusal && !sig.cancel):
		// ("1." alone is the first option, not the first of the month;
		// "Nr. 3 bitte, früher geht leider nix" picks 3 beside a refusal
		// of its own, asked back — ReasonPickRefused.)
		// ("3" alone — or "Termin 1 passt." — in answer to a mail whose
		// quote the client left out: the desk books it only if that mail
		// was our proposal.)
		r.Choice = bareChoice(toks)
		r.Intent = IntentAccept
	case thread == threadProposal && len(future) == 0 && !sig.refusal && !sig.question && ordinalChoice(toks, sig) > 0:
		r.Choice = ordinalChoice(toks, sig)
		r.Intent = IntentAccept
	case thread == threadProposal && len(future) == 0 && !sig.refusal && !sig.question && sig.confirm && saysLast(toks) &&
		quotedOptions(msg.Quoted) > 0:
		// "der letzte Vorschlag passt", "the last one works".
		r.Choice = quotedOptions(msg.Quoted)
		r.Intent = IntentAccept
	case (thread == threadProposal || msg.InReplyTo != "" && !forwarded(msg.Subject)) && sig.confirm && !sig.refusal &&
		len(future) > 0 && !sig.question && len(toks) <= 40 && !(relOK && thread == threadConfirmation):
		// "Mittwoch passt" in answer to our proposals; "Montag geht
		// nicht, aber Dienstag" is a wish of its own.
		r.Intent = IntentAccept
		if thread == threadConfirmation {
			// In answer to our confirmation there is nothing to accept
			// but the booking: another time liked better ("Thursday at
			// 10 works better for us") moves it, never books a second.
			// The booked day itself ("Mittwoch passt, danke") only
			// thanks us: a person reads it.
			if booked.IsZero() || !sameDate(booked, future[0].Start) {
				r.Intent = IntentReschedule
			} else {
				r.Intent = IntentQuestion
			}
		}
	case sig.question && (aboutData(toks) || outOfScope(toks)) || ssig.question && outOfScope(stoks) && !isReply,
		sig.question && len(future) == 0 && !isReply && foreignDevice(toks),
		(sig.question || len(future) == 0 && indirectQuestion(toks)) && aboutBilling(toks) && !asksForSession(toks) && !(len(future) > 0 && remoteHelp(toks)),
		indirectQuestion(toks) && aboutData(toks) && (len(future) == 0 || !asksForSession(toks)),
		// ("unser Datenschutzbeauftragter fragt, welche Daten bei der
		// Fernwartung am 14.10. gespeichert werden": the date names the
		// session the question is about.)
		len(future) == 0 && asksForDataDocument(toks),
		sig.question && releaseQuestion(toks, lang, now):
		// "What happens to our data?", "Is there a data processing
		// agreement?", "helft ihr auch beim WLAN?", "bis wann muss die
		// Fernwartung bezahlt werden?": a person answers, even
		// when the mail names a session or a date.
		future = nil
	case len(future) == 0 && !isReply && thread == threadNone && sessionOnlyAsked(toks) && (!ssig.appt || !asksForSession(stoks)):
		// "Muss bei einer Fernwartung jemand am Rechner sitzen?", "how
		// long do you keep data copied during a session?": questions
		// about the session, none for one. A person answers.
	case otherDesk(subject):
		// Another desk's ticket thread: a person reads it (intent question).
	case len(future) == 0 && !isReply && thread == threadNone && cancelVerb && !sig.cancel && !ssig.cancel && !asksForSession(toks),
		len(future) > 0 && !isReply && thread == threadNone && cancelVerb && !cancelsAppointment(toks) && !sig.appt && !ssig.appt && !namesBooking(toks):
		// ("We'd like to cancel our update subscription at the end of
		// June": a contract cancelled as of a date, no session named.)
		// "bitte stornieren Sie die Rechnung …, die Schulung wurde doppelt
		// berechnet", "cancel invoice 2068-00112, we never ordered the
		// training": what is cancelled is a document; the session named
		// is what it billed. A person answers.
	case (!sig.appt && !(ssig.appt && !isReply) || len(future) == 0 && !asksForSession(toks)) && howToQuestion(toks) &&
		!(len(future) > 0 && !isReply && statementAsks(toks, lang, now)):
		// (Not "haben Sie zwischen den Jahren geöffnet? Dann hätte ich
		// gern den Donnerstag nach Weihnachten um 10 Uhr.": a sentence
		// of its own asks for a time.)
		// How-to, price, download or call-back: a person answers; the
		// dates in it are about the software, not a wish.
		future = nil
	case len(future) > 0 && !isReply && thread == threadNone && sig.question && !sig.appt && !ssig.appt && capabilityAsked(toks) && everyTimeTold(toks, lang, now):
		// "is it possible to print the receipts in Portuguese? We open a
		// shop in Lisbon on 2 October.": what the software can do, asked
		// beside a day the mail only tells.
		future = nil
	case len(future) == 0 && offerQuestion(toks),
		len(future) == 0 && !isReply && quoteRequest(toks):
		// ("ersuche um ein Angebot für 3 weitere Kassenplätze inkl.
		// Einschulung": a quote, even for training, is sales' to answer.)
		// "Macht ihr auch Fernwartung für Drucker?", "do you also offer
		// on-site training?": whether we offer a service, no booking.
	case len(future) > 0 && (answers || asksForTime(toks, sig) && (sig.appt || ssig.appt || aboutTheDesk(toks, r.Reason) || aboutTheDesk(stoks, ""))) ||
		len(future) > 0 && !isReply && offersOwnTime(toks) ||
		sig.appt || ssig.appt && !isReply,
		len(future) > 0 && !isReply && sig.question && asksAvailability(toks),
		len(future) > 0 && !isReply && proposesTime(toks),
		len(future) > 0 && !isReply && sig.question && wordCount(toks) <= 6,
		len(future) > 0 && !isReply && (future[0].Precision != PrecisionDay || narrowedToTime(future, toks)) && (asksForTime(toks, signals{}) || sig.question && timeQuestion(toks)),
		!isReply && remoteHelp(toks),
		len(future) > 0 && !isReply && needsSupport(toks),
		!isReply && len(future) == 0 && asksOurTimes(toks) && !howToQuestion(toks),
		len(future) > 0 && !isReply && future[0].Precision == PrecisionMinute && bareTimeLine(toks),
		len(future) > 0 && !isReply && !bodyTime && seeSubject(toks),
		len(future) > 0 && !isReply && thread == threadNone && (sig.confirm || containsWord(toks, "yes")) && future[0].Precision == PrecisionMinute && wordCount(toks) <= 12,
		len(future) > 0 && !isReply && thread == threadNone && !sig.question && !cancelVerb && !sig.cancel && (saysGood(toks) || saysSometime(toks) || sig.confirm && future[0].End != nil && future[0].End.Sub(future[0].Start) > 25*time.Hour) && wordCount(toks) <= 12:
		// ("early next week would be good for the follow-up", "irgendwann
		// nächste Woche, eher so Mitte": a short first mail that is a
		// time and little else — never booked without the session named.)
		// ("tomorrow no, friday no, monday 10 yes.", "Montag 10 Uhr
		// passt uns": a short first mail that says yes to a time.)
		// ("See subject." under "Mon 22nd 3pm?")
		// ("Mon 11.00-11.30? Sam", "Do 10h?": a time and a question mark
		// are the whole mail. "Friday 14h30 please?", "later this week,
		// afternoon preferred": a first mail to the desk that asks for a
		// time asks for a slot; without a word about the session it is
		// never booked silently — ReasonNoSession.)
		// A reply's subject repeats ours ("AW: Ihr Termin"): alone it
		// does not make "Passt, danke!" a new request. "Would the day
		// after Boxing Day work?" written to the support address asks for
		// a slot, even without naming the session. "Mon 3 March, 3pm." on
		// a line of its own asks for that slot.
		r.Intent = IntentAppointment
	}
	if r.Intent == IntentAppointment && thread == threadNone && len(future) > 0 && !sig.cancel && !feast && movesOwnBooking(toks, lang, now, upcoming(wishes, now)) {
		// "heut um 14 Uhr passt nimma, geht 16 Uhr?", "morgen um 10
		// wird's nix, bitte auf Montag um 10": a time with its clock that
		// no longer suits, today's, or one moved "auf" another is the
		// booking the customer has.
		r.Intent = IntentReschedule
	}
	if r.Intent == IntentReschedule && len(future) > 0 && future[0].Precision == PrecisionDay && future[0].End != nil &&
		future[0].End.Sub(future[0].Start) <= 25*time.Hour && sameTimeSaid(toks) {
		// "den Termin vom Mittwoch 10 Uhr auf Freitag verschieben, gleiche
		// Uhrzeit?": the new day at the clock of the one given up.
		for _, n := range upcoming(extractNamed(fromPart(toks), lang, now), now) {
			if n.Precision == PrecisionMinute && !sameDate(n.Start, future[0].Start) {
				if w := (Wish{Start: n.Start, Precision: PrecisionMinute}).OnDay(future[0].Start.In(now.Location())); w.Start.After(now) {
					future[0] = w
				}
				break
			}
		}
	}
	if r.Intent == IntentReschedule && moved && target <= 0 && len(future) == 2 && future[0].Start.Before(future[1].Start) {
		// "change Thursday 10am to Friday 10am": the time after "to" is
		// the new one.
		future[0], future[1] = future[1], future[0]
	}
	if thread == threadProposal && (r.Intent == IntentAppointment || r.Intent == IntentAccept) && len(future) > 0 && !namesADay(toks) {
		// "am Nachmittag", "lieber um 10" in answer to the times we offered
		// on one day (a customer who named only the day picks the hour):
		// that day, not today.
		if day, ok := optionsDay(msg.Quoted, now); ok {
			for k, w := range future {
				if w.Precision != PrecisionDay {
					future[k] = w.OnDay(day)
				}
			}
		}
	}
	if r.Intent == IntentAppointment && thread == threadProposal && len(future) == 1 && future[0].Precision == PrecisionDay &&
		!sig.refusal {
		// "Montag." in answer to our proposal: the one option on that day,
		// not a new wish booked at the day's first free slot ("Thursday
		// works?" asks whether that option still stands).
		if n := matchOption(msg.Quoted, future[0], now); n > 0 {
			r.Intent, r.Choice = IntentAccept, n
		}
	}
	if r.Intent == IntentAppointment && thread == threadProposal && len(future) > 0 && future[0].Precision == PrecisionMinute &&
		!sig.refusal && !saysDate(toks) && matchOption(msg.Quoted, future[0], now) == 0 {
		// "nehm ma den Donnerstag um 11 (3)" in answer to our proposal:
		// the option on that weekday at that clock, even when it lies a
		// week after the coming Thursday.
		if n := optionOnWeekdayClock(msg.Quoted, future[0], now); n > 0 {
			r.Intent, r.Choice = IntentAccept, n
		}
	}
	if r.Intent == IntentAccept && r.Choice == 0 && thread == threadProposal && len(future) == 1 && future[0].dated && future[0].Precision == PrecisionDay {
		// "nehma den 2." in answer to our options, none of which falls on
		// the 2nd: the ordinal names the option.
		if d := future[0].Start.In(now.Location()).Day(); d <= quotedOptions(msg.Quoted) && !optionOnDay(msg.Quoted, d, now) && ordinalDayOnly(toks, d) {
			r.Choice, future = d, nil
		}
	}
	if r.Intent == IntentAccept && r.Choice == 0 && thread == threadProposal && len(future) > 0 {
		// "Dienstag passt", "13:30 passt mir": the one option on that day
		// or at that time.
		r.Choice = matchOption(msg.Quoted, future[0], now)
		if r.Choice == 0 && future[0].Precision == PrecisionMinute && !saysDate(toks) {
			r.Choice = optionOnWeekdayClock(msg.Quoted, future[0], now) // ("nehm ma den Donnerstag um 11")
		}
		if r.Choice == 0 && noOptionAt(msg.Quoted, future[0], now) {
			// "Thanks, but I'm travelling. Monday 12th at 9 would work.":
			// a time none of our options has is a counter-proposal.
			r.Intent = IntentAppointment
		}
	}
	if relOK && r.Intent == IntentReschedule {
		if w, ok := offsetOnNamedDay(rel, future, booked, now.Location()); ok {
			rel, future = w, []Wish{w}
		}
	}
	if relOK && rel.Start.After(now) && (len(future) == 0 || !future[0].Start.Equal(rel.Start)) {
		future = append([]Wish{rel}, future...) // the move's target put first anew
	}
	if thread == threadProposal && r.Intent == IntentAppointment && len(future) > 0 && future[0].Precision != PrecisionDay &&
		sameDate(future[0].Start, now) && sameDaySaid(toks) && !saysRelDay(toks) {
		// "die 1 wär am Vormittag, da geht's ned. Gleicher Tag am
		// Nachmittag um 2?", "2 is close but could you do 14:30 the same
		// day instead?": the clock time on the day of the option named.
		if n := firstOptionNumber(toks); n > 0 {
			if opt, ok := quotedOption(msg.Quoted, n, now); ok {
				future[0] = future[0].OnDay(opt.In(now.Location()))
			}
		}
	}
	movedInDay := false
	if r.Intent == IntentReschedule && thread == threadConfirmation && !relOK {
		// A new clock in answer to our confirmation moves the booking
		// within its own day: one said with no day at all ("statt 15:30
		// bitte 16:30", "could we move it to 11am?"), or one read on today
		// that the mail never names — the day it names belongs to the
		// time it replaces ("could we do 2pm instead of 10 tomorrow?").
		noDay := len(future) > 0 && !namesADay(toks)
		switch {
		case noDay && booked.IsZero():
			movedInDay = true // which day? Asked back.
		case !booked.IsZero() && (noDay || !sameDate(booked, now) && !todayNamed(toks, now)):
			for k, w := range future {
				if w.Precision != PrecisionDay && (noDay || sameDate(w.Start, now)) {
					future[k] = w.OnDay(booked.In(now.Location()))
				}
			}
			future = upcoming(future, now)
		}
	}
	future = refine(distributePart(future, toks))
	// dayNamed: the mail (or, when its body has no time, its subject)
	// names a day; a time without one is placed on its next occurrence.
	dayNamed := len(future) > 0 && (namesADay(toks) || !bodyTime && namesADay(stoks))
	if len(future) > 0 && !dayNamed {
		for k, w := range future {
			future[k].NoDay = w.Precision != PrecisionDay && !w.spanFirst && w.Start.Before(now.AddDate(0, 0, 2)) &&
				(w.End == nil || w.End.Sub(w.Start) <= 24*time.Hour)
		}
	}
	if len(future) > 0 && anyHourSaid(toks) {
		for k := range future {
			future[k].AnyHour = future[k].Precision == PrecisionDay
		}
	}

	if r.Intent == IntentCancel {
		// The appointment a cancel names stands in words that refuse it.
		named := upcoming(extractNamed(toks, lang, now), now)
		if len(named) == 0 && !isReply {
			named = upcoming(extractNamed(stoks, lang, now), now)
		}
		if len(named) > 0 {
			future = refine(named)
		}
		if len(future) == 1 && future[0].bareWeekday && !booked.IsZero() && booked.After(future[0].Start) &&
			booked.In(now.Location()).Weekday() == future[0].Start.In(now.Location()).Weekday() {
			// "den Termin am Freitag brauchen wir nicht mehr" under our
			// confirmation for a Friday a week on: that booking's day.
			future[0] = future[0].OnDay(booked.In(now.Location()))
		}
	}
	if r.Intent == IntentAppointment && thread == threadNone && !isReply && sig.question && len(future) > 0 &&
		namesOwnBooking(toks) && !hasMoveWord(toks) && !cancelVerb && everyTimeTold(toks, lang, now) {
		// "before our appointment: do I need to install AnyDesk? … Our
		// appointment is on 13 March": questions about the booking the
		// customer has, whose day the mail only tells.
		r.Intent = IntentQuestion
	}
	if r.Intent == IntentQuestion && (cancelVerb || sig.question) {
		// A question is answered by a person: a date in it ("zum
		// 31.12. kündigen", "nächste Woche aktualisieren") says when
		// something happens to the software or a contract, no wish.
		future = nil
	}
	if r.Intent == IntentBulk || r.Intent == IntentAutoReply || r.Intent == IntentBounce {
		// Nobody answers these, and a number in a newsletter ("Ihre ID
		// 123 456 789 bleibt gültig") is nobody's AnyDesk ID.
		r.AnyDeskID, r.AnyDeskAlias = "", ""
		if r.Intent == IntentBulk {
			future = nil // ("Early bird tickets … end this Friday!": nobody's wish)
		}
	}
	if r.Intent == IntentQuestion {
		// A question goes to a person; a date in it ("er braucht das bis
		// 30. September") is nothing we would book.
		future = nil
	}
	if thread == threadProposal && r.Intent == IntentAppointment && len(future) > 0 && future[0].bareWeekday && weekdayThereafter(toks) {
		// "de passen ma alle ned. Geht's am Mittwoch drauf am
		// Nachmittag?": the weekday after the days we offered.
		var last time.Time
		for n := 1; n <= quotedOptions(msg.Quoted); n++ {
			if o, ok := quotedOption(msg.Quoted, n, now); ok && o.After(last) {
				last = o
			}
		}
		if !last.IsZero() {
			for future[0].Start.Before(last) {
				future[0] = future[0].OnDay(future[0].Start.In(now.Location()).AddDate(0, 0, 7))
			}
		}
	}
	if r.Intent == IntentAccept && r.Choice > 0 && len(future) > 0 {
		// "Die 2., um 9 Uhr", "the 2nd please": the ordinal that picks an
		// option is no date of its own (unless an option falls on it).
		future = slices.DeleteFunc(future, func(w Wish) bool {
			return w.dated && w.Start.In(now.Location()).Day() == r.Choice && !optionOnDay(msg.Quoted, r.Choice, now)
		})
	}
	r.Requested = future
	d := doubts{corrected: corrected, thread: thread != threadNone && (r.Intent == IntentAccept || r.Intent == IntentReschedule),
		pickRefused: sig.refusal, damaged: msg.Damaged, compact3: compact3}
	if len(future) > 0 {
		d.negation = r.Intent != IntentCancel && (negationNearTime(toks) || saysClosed(toks))
		if r.Intent == IntentAppointment || r.Intent == IntentReschedule {
			first := future[0]
			d.vague = first.End != nil && first.End.Sub(first.Start) > 25*time.Hour || first.spanFirst || saysMonthPart(toks) ||
				first.Precision != PrecisionMinute && saysSometime(toks) // "in den nächsten Tagen irgendwann nachmittags"
			d.sentences = len(future) >= 2 && onDifferentDays(future) && timeSentences(toks) >= 2
			d.clocksApart = len(future) >= 2 && !onDifferentDays(future) && clocksInSentences(toks, lang, now) >= 2
			// ("Good Friday at 10": the feast is the day, when it placed
			// the wish beyond the next two days.)
			d.noDay = movedInDay || thread == threadNone && first.Precision != PrecisionDay && !first.spanFirst && !dayNamed && !fromForward &&
				!(feast && !first.NoDay)
			d.forwarded = fromForward
		}
		d.conflict = conflicting(future, toks) || selfCorrects(toks)
		d.weekdayOff = future[0].weekdayOff
		d.nextAmbiguous = future[0].nextAmbiguous
		d.todayWeekday = future[0].todayWeekday && thread == threadNone
		if r.Intent == IntentReschedule && !booked.IsZero() {
			// "kenn ma des von neune auf elfe verlegen? In da Fruah …" read
			// as the booked morning: a move to where it already is.
			f := future[0]
			d.sameAsBooked = f.Start.Equal(booked) || f.Precision != PrecisionMinute && f.End != nil && !booked.Before(f.Start) && booked.Before(*f.End)
		}
		d.zoneApart = future[0].Precision == PrecisionMinute && (&parser{toks: toks, lang: lang}).zoneApart()
		d.feast = feast
		d.ownBooking = thread == threadNone && r.Intent == IntentAppointment && r.AnyDeskID == "" && namesOwnBooking(toks) ||
			// A new time in answer to our confirmation, read as a second
			// session: the customer may mean to move the one they have.
			thread == threadConfirmation && r.Intent == IntentAppointment && !additive(toks)
		d.eventAnchor = !feast && future[0].Precision != PrecisionDay && weekdayAfterEvent(toks) || future[0].bareWeekday && afterHoliday(toks)
		// Only a time that landed on today or tomorrow can hide a day
		// we could not read.
		d.unreadable = future[0].Start.Before(now.AddDate(0, 0, 2)) && unreadableDay(toks) ||
			future[0].Precision == PrecisionDay && (unreadablePart(toks) || unreadClock(toks))
		// A move in a mail that answers none of ours and names no booking:
		// which booking, and is it one? Asked back, the old one kept.
		d.unanchoredMove = r.Intent == IntentReschedule && thread != threadConfirmation && !strings.Contains(lowSubj, "fw-")
		d.relativeMove = (r.Intent == IntentReschedule || thread != threadNone) && relativeMove(toks) || weekAfter ||
			// "Liaba am Montag drauf am Vormittag" under our options: the
			// Monday after which of them? Asked back.
			thread == threadProposal && weekdayPointsOn(toks) ||
			relOK && r.Intent == IntentReschedule // "auf Freitag verschieben, Uhrzeit bleibt"
		d.noSession = r.Intent == IntentAppointment && !isReply && !sig.appt && !ssig.appt &&
			!aboutTheDesk(toks, r.Reason) && !aboutTheDesk(stoks, "") && !asksAvailability(toks)
		// A cancel word whose object we read as something else: had we
		// misread the object, a booking would be the opposite of the wish.
		d.cancelWord = r.Intent == IntentAppointment && cancelVerb && cancelAsked(toks)
		d.toldOnly = r.Intent == IntentAppointment && thread == threadNone && !isReply && bodyTime && !fromForward &&
			scanSignals(toks).question && everyTimeTold(toks, lang, now)
		d.dayAndClock = dayThenClock(future)
		d.monthApart = (r.Intent == IntentAppointment || r.Intent == IntentReschedule) && (monthApart(toks, future[0], now.Location()) || future[0].weekApart)
		d.beforeOptions = thread == threadProposal && r.Intent == IntentAppointment && bareWeekday(toks) &&
			beforeFirstOption(msg.Quoted, future[0], now)
		// Which of two times is the old one? Only a clear "vom … auf …" says.
		d.conflict = d.conflict || r.Intent == IntentReschedule && len(future) >= 2 && target <= 0
	}
	// (A day dropped as told only: still asked back, as any wishes
	// spread over sentences are.)
	d.sentences = d.sentences || toldDropped && len(r.Requested) > 0
	r.score(d)
	return r
}

// narrowedToTime: the first wish is a span of days that a bound or a part
// of the day said elsewhere narrows to a time ("any day next week but
// Friday, not before 10. Monday would be best.").
func narrowedToTime(future []Wish, toks []token) bool {
	if len(future) == 0 || future[0].End == nil || future[0].End.Sub(future[0].Start) <= 25*time.Hour {
		return false
	}
	f := refine(distributePart(append([]Wish(nil), future...), toks))
	return len(f) > 0 && f[0].Precision != PrecisionDay
}

// refusesClock: every time the mail names is refused, and one of them
// is a clock time still ahead.
func refusesClock(toks []token, lang uint8, now time.Time) bool {
	for _, w := range upcoming(extractNamed(toks, lang, now), now) {
		if w.Precision == PrecisionMinute {
			return true
		}
	}
	return false
}

// timeQuestion: a question mark ends a sentence a few words after a
// weekday or a number ("Tuesday 25th, half past nine?") — not the "?" of
// an encoded header word ("=?utf-8?B?…") in a broken mail.
func timeQuestion(toks []token) bool {
	for i := range toks {
		t := &toks[i]
		if t.kind != tPunct || t.s != "?" {
			continue
		}
		if i+1 < len(toks) && !toks[i+1].sp && toks[i+1].nl == 0 {
			continue // glued to what follows
		}
		for k := i - 1; k >= 0 && k >= i-6; k-- {
			if toks[k].kind == tPunct && toks[k].s != ":" && toks[k].s != "." && toks[k].s != "," &&
				!(toks[k].s == "-" && !toks[k].sp && k+1 < len(toks) && !toks[k+1].sp) { // ("… for a walk-through?")
				break
			}
			if toks[k].kind == tNum || toks[k].w != nil && (toks[k].w.wd != 0 || toks[k].w.pod != 0 || toks[k].w.hasRel ||
				toks[k].w.num > 0 && toks[k].w.num <= 12 && k > 0 && (toks[k-1].s == "um" || toks[k-1].s == "at")) {
				// ("… erst um vier?")
				return true
			}
		}
		// "Wed 7th at 11am for a walk-through of the new screens?": a
		// short question that opens with the day asks for that day.
		s0 := i - 1
		for s0 > 0 && !(toks[s0-1].kind == tPunct && (toks[s0-1].s == "." || toks[s0-1].s == "!" || toks[s0-1].s == "?")) && toks[s0].nl == 0 {
			s0--
		}
		if s0 >= 0 && toks[s0].kind == tWord && greetWord(toks[s0].s) && s0+1 < i && toks[s0+1].s == "," {
			s0 += 2
		}
		if i-s0 <= 18 && s0 >= 0 && s0 < i {
			if w := toks[s0].w; w != nil && (w.wd != 0 || w.hasRel) {
				return true
			}
		}
	}
	return false
}

// offsetOnNamedDay is the booked clock moved by an offset, put on the one
// other day the mail names ("Could we do Monday instead, 2 hours later
// than planned?"). Not when the day named is the booked weekday ("an hour
// later on Thursday" names the booking), a date ("so 30 min" read as the
// 30th) or a weekend day, nor when the clock is the booked one.
func offsetOnNamedDay(rel Wish, future []Wish, booked time.Time, loc *time.Location) (Wish, bool) {
	if rel.Precision != PrecisionMinute || booked.IsZero() || sameClock(rel.Start.In(loc), booked.In(loc)) {
		return Wish{}, false
	}
	var day Wish
	n := 0
	for _, f := range future {
		if !f.Start.Equal(rel.Start) {
			day, n = f, n+1
		}
	}
	if n != 1 || day.Precision != PrecisionDay || day.dated || day.End != nil && day.End.Sub(day.Start) > 25*time.Hour || sameDate(day.Start, rel.Start) {
		return Wish{}, false
	}
	switch day.Start.In(loc).Weekday() {
	case time.Saturday, time.Sunday, booked.In(loc).Weekday():
		return Wish{}, false
	}
	return rel.OnDay(day.Start.In(loc)), true
}

// Names reports whether a slot starting at start is a time the wish can
// name: its very start, a start inside its span, or one on its day. A
// wish placed from a weekday alone ("Donnerstag passt") names that
// weekday in any of the next five weeks too (our options may lie a week
// on); a date said ("den 2.") names only that date. A wish without a day
// of its own names any day at its clock, or any time at all for a part
// of the day. The desk uses it to check an option picked by number
// against the time the same mail names.
func (w Wish) Names(start time.Time) bool {
	loc := start.Location()
	s, ws := start.In(loc), w.Start.In(loc)
	if w.NoDay {
		return w.Precision != PrecisionMinute || sameClock(s, ws)
	}
	if s.Equal(ws) || w.End != nil && !s.Before(ws) && s.Before(*w.End) {
		return true
	}
	day := sameDate(s, ws) || !w.dated && sameWeekdayNear(s, ws)
	if w.Precision == PrecisionMinute {
		return day && sameClock(s, ws)
	}
	return day
}

// addDays is w moved by n days, its end with it.
func (w Wish) addDays(n int) Wish {
	w.Start = w.Start.AddDate(0, 0, n)
	if w.End != nil {
		e := w.End.AddDate(0, 0, n)
		w.End = &e
	}
	return w
}

// OnDay is w moved to day d (in d's zone), keeping its clock time and its
// length; the day is then known, so NoDay is cleared.
func (w Wish) OnDay(d time.Time) Wish {
	loc := d.Location()
	h, m, _ := w.Start.In(loc).Clock()
	start := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
	if w.End != nil {
		end := start.Add(w.End.Sub(w.Start))
		w.End = &end
	}
	w.Start, w.NoDay = start, false
	return w
}

// dottedChains takes four or more numbers glued by dots out of the
// numbers ("6.3.9.2.0.4.1.7.5", "Version 10.4.2.117"), and six or more
// single digits set apart by blanks ("3 5 0 9 8 1 6 2 7"): an ID typed
// digit by digit or a version, never a date.
func dottedChains(toks []token) []token {
	for i := 0; i < len(toks); {
		if toks[i].kind != tNum {
			i++
			continue
		}
		j, n := i+1, 1
		for j+1 < len(toks) && toks[j].s == "." && !toks[j].sp && toks[j+1].kind == tNum && !toks[j+1].sp {
			j += 2
			n++
		}
		if n == 1 && len(toks[i].s) == 1 {
			// "3 5 0 9 8 1 6 2 7": single digits set apart by blanks, an
			// ID typed digit by digit — never a date and a clock.
			for j < len(toks) && toks[j].kind == tNum && len(toks[j].s) == 1 && toks[j].sp && toks[j].nl == 0 {
				j++
				n++
			}
			if n < 6 {
				j, n = i+1, 1
			}
		}
		if n >= 4 {
			for k := i; k < j; k++ {
				toks[k].kind, toks[k].w = tWord, nil
			}
		}
		i = j
	}
	return toks
}

// dayNextToDate: "am Tag nach dem 1. Mai", "the day before 14 March": a
// day named by the date next to it, read like a feast anchor.
func dayNextToDate(toks []token) bool {
	for i := 0; i+3 < len(toks); i++ {
		if toks[i].s != "tag" && toks[i].s != "day" {
			continue
		}
		switch toks[i+1].s {
		case "nach", "vor", "after", "before":
		default:
			continue
		}
		k := i + 2
		if toks[k].s == "dem" || toks[k].s == "the" {
			k++
		}
		if k < len(toks) && toks[k].kind == tNum {
			return true
		}
		// "the day after our Independence Day (24 February)": an event
		// of the customer's, its date in brackets.
		for n := 0; k < len(toks) && n < 6; k, n = k+1, n+1 {
			if toks[k].s == "(" && k+1 < len(toks) && toks[k+1].kind == tNum {
				return true
			}
			if toks[k].kind != tWord {
				break
			}
		}
	}
	return false
}

// noActionNeeded: "FYI - forwarding our session confirmation to the
// treasurer. No action needed.", "nur zur Info": a forward that asks
// nothing of us.
func noActionNeeded(toks []token) bool {
	for i := 0; i+1 < len(toks); i++ {
		a, b := toks[i].s, toks[i+1].s
		switch {
		case a == "no" && b == "action", a == "nothing" && b == "needed", a == "fyi" && b == "only",
			a == "nur" && b == "zur" && i+2 < len(toks) && (toks[i+2].s == "info" || toks[i+2].s == "kenntnis" || toks[i+2].s == "information"):
			return true
		}
	}
	return false
}

// willBeInTouch: "i meld mi wieder", "wir melden uns", "I'll be in touch",
// "will get back to you": a new date later, none now.
func willBeInTouch(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "meld", "melde", "melden", "meldn":
			return true
		case "touch":
			return i > 0 && toks[i-1].s == "in"
		case "back":
			return i > 0 && toks[i-1].s == "get"
		}
	}
	return false
}

// forwardAsksHelp: the forwarded mail asks for help or a session ("please
// ask them for help with stock tomorrow 11:00. My AnyDesk: …"), not only
// tells the ID for a time ("556 102 873 is die Nummer für heut um zehn").
func forwardAsksHelp(quoted string) bool {
	return asksHelp(tokenize(capText(quoted, maxTextBytes)))
}

// asksHelp: toks ask for a session, for help at a distance, or name help.
func asksHelp(toks []token) bool {
	if asksForSession(toks) || remoteHelp(toks) {
		return true
	}
	for i := range toks {
		switch toks[i].s {
		case "help", "hilfe", "helfen", "unterstützung", "support":
			return true
		}
	}
	return false
}

// remoteHelp: some token asks for help at a distance ("can someone help
// me remotely?").
func remoteHelp(toks []token) bool {
	for i := range toks {
		if asksForRemoteHelp(toks, i) || whenYouHaveTime(toks, i) || whenCanYou(toks, i) {
			return true
		}
	}
	return false
}

// replacedTime is the clock time a mail gives up ("statt 11:30", "instead
// of 9am"): named to the minute, not wished; zero when there is none.
func replacedTime(toks []token, wishes []Wish, lang uint8, now time.Time) time.Time {
	replaces := false
	for i := range toks {
		s := toks[i].s
		if s != "statt" && s != "anstatt" && s != "instead" {
			continue
		}
		replaces = true
		// "heute statt 11:30 …": the clock right after the word, even when
		// it was read into a wish with the day before it.
		k := i + 1
		if k < len(toks) && (toks[k].s == "of" || toks[k].s == "um") {
			k++
		}
		if k+2 < len(toks) && toks[k].kind == tNum && toks[k+1].s == ":" && toks[k+2].kind == tNum {
			h, m := int(toks[k].n), int(toks[k+2].n)
			for _, w := range wishes {
				if wh, wm, _ := w.Start.Clock(); w.Precision == PrecisionMinute && wh == h && wm == m {
					return w.Start
				}
			}
		}
	}
	// Without "statt": the one clock time the mail turns down ("heute um
	// 9 schaff i ned, geht's eine Stunde später?").
	var found []time.Time
next:
	for _, n := range extractNamed(toks, lang, now) {
		if n.Precision != PrecisionMinute {
			continue
		}
		for _, w := range wishes {
			if w.Start.Equal(n.Start) {
				continue next
			}
		}
		if replaces {
			return n.Start
		}
		found = append(found, n.Start)
	}
	if len(found) == 1 {
		return found[0]
	}
	if namesBooking(toks) {
		// "können wir den Termin heute um 13 Uhr eine Stunde später
		// machen?": the one clock time of the booking the mail names — the
		// only one it says ("unser Termin um 10:30 – eine Stunde später,
		// also 11:30?" says the new one too).
		var named []time.Time
		for _, n := range extractNamed(toks, lang, now) {
			if n.Precision == PrecisionMinute {
				named = append(named, n.Start)
			}
		}
		if len(named) == 1 && clockCount(toks) == 1 && clockBeforeOffset(toks) && slices.ContainsFunc(wishes, func(w Wish) bool { return w.Start.Equal(named[0]) }) {
			return named[0]
		}
	}
	return time.Time{}
}

// upcoming keeps the wishes that still lie ahead of now, without
// duplicates, in the customer's order (their first wish first).
func upcoming(ws []Wish, now time.Time) []Wish {
	var out []Wish // nil when no wish is left
next:
	for k, w := range ws {
		if w.End != nil && !w.End.After(now) || w.End == nil && w.Start.Before(now) {
			continue
		}
		for _, o := range out {
			if o.Start.Equal(w.Start) && o.Precision == w.Precision && (o.End == nil) == (w.End == nil) &&
				(o.End == nil || o.End.Equal(*w.End)) {
				continue next
			}
		}
		if out == nil {
			// A mail asks for a few times: one allocation for them, not one
			// per doubling; a long quote repeats times, so no more up front.
			out = make([]Wish, 0, min(len(ws)-k, 4))
		}
		out = append(out, w)
	}
	return out
}

// Times finds the wished times in a piece of free text, resolved against
// now, negated ones left out, in the order written. lang is "de", "en" or ""
// (guess from the text). Past times are kept: Read drops them, the corpus
// tests need them.
func Times(text, lang string, now time.Time) []Wish {
	toks := tokenize(text)
	l := langDE
	switch lang {
	case "en":
		l = langEN
	case "":
		l = detectLanguage(toks, nil)
	}
	return extract(toks, l, now)
}

var replyPrefixes = []string{"re:", "aw:", "wg:", "fw:", "fwd:", "antw:", "antwort:", "wtr:", "sv:", "r:"}

// forwarded reports a subject that forwards ("WG:", "Fwd:"): a forward
// passes on someone's mail and answers none of ours.
func forwarded(subject string) bool {
	low := strings.ToLower(strings.TrimSpace(subject))
	return strings.HasPrefix(low, "wg:") || strings.HasPrefix(low, "fw:") || strings.HasPrefix(low, "fwd:") || strings.HasPrefix(low, "wtr:")
}

// stripReplyPrefixes removes "Re: AW: Fwd:" chains and reports whether any were there.
func stripReplyPrefixes(s string) (string, bool) {
	found := false
	for {
		t := strings.TrimSpace(s)
		low := lowerText(t)
		cut := false
		for _, p := range replyPrefixes {
			if strings.HasPrefix(low, p) {
				s = t[len(p):]
				found, cut = true, true
				break
			}
		}
		if !cut {
			return t, found
		}
	}
}

var autoSubjects = []string{"automatische antwort", "abwesenheitsnotiz", "out of office", "autoreply",
	"auto-reply", "automatic reply", "auto reply", "abwesenheit:", "nicht im büro", "out of the office"}

var bounceSubjects = []string{"undeliverable", "unzustellbar", "delivery status notification",
	"mail delivery failed", "returned mail", "delivery failure", "nicht zustellbar", "failure notice",
	"undelivered mail"}

func containsAny(s string, subs []string) bool {
	for _, p := range subs {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// lowerText is strings.ToLower for the texts of a mail. strings.ToLower
// maps every rune through unicode.ToLower as soon as one is not ASCII (a
// German text always has one); this lowers ASCII bytes directly and only
// the other runes through unicode.ToLower, with the same result.
func lowerText(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	b = append(b, s[:i]...)
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return strings.ToLower(s) // its rules for broken bytes
		}
		if l := unicode.ToLower(r); l != r {
			b = utf8.AppendRune(b, l)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// wordCount counts the words and numbers of toks (punctuation aside).
func wordCount(toks []token) int {
	n := 0
	for i := range toks {
		if toks[i].kind != tPunct {
			n++
		}
	}
	return n
}

// saysSometime: "irgendwann", "sometime", "whenever": the customer leaves
// the day open, so a part of a day we read is a guess at the day.
func saysSometime(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "irgendwann", "sometime", "whenever", "anytime", "jederzeit":
			return true
		}
	}
	return false
}

// anyHourSaid: the mail says any time of the day suits — "egal wann",
// "Uhrzeit ist egal", "jederzeit", "den ganzen Tag", "ganztags", "any
// time", "whenever", "all day", "as early as possible". A day wish said
// so books its first free slot; otherwise the customer picks the hour.
func anyHourSaid(toks []token) bool {
	near := func(i int, words ...string) bool {
		for k := max(i-3, 0); k < min(i+4, len(toks)); k++ {
			if k != i && slices.Contains(words, toks[k].s) {
				return true
			}
		}
		return false
	}
	next := func(i int, words ...string) bool {
		return i+1 < len(toks) && slices.Contains(words, toks[i+1].s)
	}
	for i := range toks {
		switch toks[i].s {
		case "jederzeit", "ganztags", "ganztägig", "anytime", "whenever", "frühestmöglich", "earliest":
			return true
		case "egal", "wurscht", "wurst", "matter", "matters":
			if near(i, "wann", "uhrzeit", "zeit", "uhr", "time", "hour") {
				return true
			}
		case "ganzen", "ganze":
			if next(i, "tag", "vormittag", "nachmittag") {
				return true
			}
		case "any", "all", "whole":
			if next(i, "time", "hour", "day") {
				return true
			}
		case "früh", "early":
			if i >= 2 && (toks[i-1].s == "so" || toks[i-1].s == "as") && next(i, "wie", "as") {
				return true // "so früh wie möglich", "as early as possible"
			}
		}
	}
	return false
}

// afterHoliday: the mail places something after or before holidays or a
// holiday season it names in a word of its own — "direkt nach den
// Weihnachtsfeiertagen, also am Dienstag", "after the Easter holidays",
// "nach meinem Urlaub" — so a weekday said alone may lie after them,
// not on its next occurrence.
func afterHoliday(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "nach", "after", "vor", "before", "following", "zwischen":
		default:
			continue
		}
		for k := i + 1; k < len(toks) && k <= i+3; k++ {
			s := toks[k].s
			for _, stem := range []string{"weihnacht", "ostern", "osterfeiertag", "pfingst", "neujahr", "silvester", "feiertag", "christmas", "easter", "xmas", "holiday", "ferien", "urlaub", "vacation"} {
				if strings.Contains(s, stem) {
					return true
				}
			}
			if toks[k].kind == tPunct {
				break
			}
		}
	}
	return false
}

// saysNoLonger: "nicht mehr", "nimmer", "no longer", "anymore", "doch
// nicht" — something wanted before is not any more.
func saysNoLonger(toks []token) bool {
	for i := range toks {
		switch toks[i].s {
		case "mehr", "nimmer", "nimma", "longer", "anymore", "doch":
			return true
		}
	}
	return false
}

// sameClock: two instants show the same wall clock in the zone of a.
func sameClock(a, b time.Time) bool {
	ah, am, _ := a.Clock()
	bh, bm, _ := b.In(a.Location()).Clock()
	return ah == bh && am == bm
}

// sameDaySaid: "gleicher Tag", "am selben Tag", "the same day".
func sameDaySaid(toks []token) bool {
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].s {
		case "gleicher", "gleichen", "gleiche", "selben", "selbe", "same", "derselbe", "demselben":
			switch toks[i+1].s {
			case "tag", "tog", "day":
				return true
			}
		}
	}
	return false
}

// firstOptionNumber is the first single digit of the mail that is no
// clock time ("die 1 wär am Vormittag", "2 is close but …"), or 0.
func firstOptionNumber(toks []token) int {
	p := parser{toks: toks}
	for i := range toks {
		t := &toks[i]
		if t.kind != tNum {
			continue
		}
		if len(t.s) != 1 || t.n < 1 || t.n > 9 || p.isPunct(i+1, ':') || p.has(i+1, rUhr|rAM|rPM|rHourUnit|rMinuteUnit) ||
			p.has(i-1, rTrigger) || p.word(i+1) == "h" {
			return 0
		}
		return int(t.n)
	}
	return 0
}

// weekdayThereafter: a weekday followed by "drauf", "darauf", "danach"
// ("am Mittwoch drauf"): the one after the days just spoken of.
func weekdayThereafter(toks []token) bool {
	for i := 0; i+1 < len(toks); i++ {
		if w := toks[i].w; w != nil && w.wd != 0 {
			switch toks[i+1].s {
			case "drauf", "darauf", "danach", "dadrauf":
				return true
			}
		}
	}
	return false
}

// howToCancel: the cancel word stands in a how-to question ("wie kann ich
// in VitalDesk einen Kurs am Freitag absagen, …?", "how do I cancel a
// booking in the app?"): how the software does it, no session called off.
func howToCancel(toks []token) bool {
	found := false
	eachSentence(toks, func(s []token) bool {
		if s[len(s)-1].s != "?" || len(s) < 4 {
			return true
		}
		how := s[0].s == "wie" && (s[1].s == "kann" || s[1].s == "können") && (s[2].s == "ich" || s[2].s == "man" || s[2].s == "wir") ||
			s[0].s == "how" && (s[1].s == "do" || s[1].s == "can") && (s[2].s == "i" || s[2].s == "we" || s[2].s == "you")
		if !how || namesTheBooking(s) {
			return true
		}
		if scanSignals(s).cancel {
			found = true
			return false
		}
		return true
	})
	return found
}

// statementAsks: a sentence that is no question asks for a time ("Dann
// hätte ich gern den Donnerstag um 10 Uhr.").
func statementAsks(toks []token, lang uint8, now time.Time) bool {
	found := false
	eachSentence(toks, func(s []token) bool {
		// (Not "please call me on Monday morning", a how-to of its own,
		// nor "bis 30.11. bräuchten wir das", a deadline.)
		if s[len(s)-1].s != "?" && mayHoldTime(s) && !howToQuestion(s) && !slices.ContainsFunc(s, func(t token) bool {
			switch t.s {
			case "bis", "until", "till", "by", "spätestens", "before", "vor", "ab", "from", "starting", "seit", "since":
				return true
			}
			return false
		}) {
			if asks, _ := sentenceTells(s, lang, now); asks && wordCount(s) >= 5 && wishWords(s) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// wishWords: the sentence says the customer would like something ("hätte
// ich gern", "hätten wir gerne", "I'd like", "we would like").
func wishWords(s []token) bool {
	would, like := false, false
	for i := range s {
		switch s[i].s {
		case "hätte", "hätten", "would", "i'd", "we'd":
			would = true
		case "gern", "gerne", "like", "love":
			like = true
		}
	}
	return would && like
}

// ordinalDayOnly: the mail writes day d as a bare ordinal with its
// article ("den 2.", "die 1.", "der 3."), no month, no weekday.
func ordinalDayOnly(toks []token, d int) bool {
	for i := 1; i+1 < len(toks); i++ {
		if t := &toks[i]; t.kind == tNum && int(t.n) == d && len(t.s) == 1 && toks[i+1].s == "." {
			switch toks[i-1].s {
			case "den", "die", "der", "dem", "da", "de":
				if i+2 < len(toks) && (toks[i+2].kind == tNum || toks[i+2].w != nil && (toks[i+2].w.month != 0 || toks[i+2].w.wd != 0)) {
					return false // "den 2.12.", "den 2. Dezember"
				}
				return true
			}
		}
	}
	return false
}

// localPartOfDay drops the part of the day a customer abroad tells of
// their own clock ("9:00 Vienna time (it is evening for us)", "bei uns
// ist es dann Abend"): where they are, no wish.
func localPartOfDay(toks []token) {
	for i := 1; i < len(toks); i++ {
		w := toks[i].w
		if w == nil || w.pod == 0 {
			continue
		}
		k := i - 1
		if toks[k].s == "the" || toks[k].s == "schon" || toks[k].s == "already" || toks[k].s == "dann" || toks[k].s == "then" {
			k--
		}
		if k < 0 {
			continue
		}
		switch toks[k].s {
		case "is", "it's", "ist", "its":
		default:
			continue
		}
		if i+2 < len(toks) && (toks[i+1].s == "for" && (toks[i+2].s == "us" || toks[i+2].s == "me") || toks[i+1].s == "bei" && (toks[i+2].s == "uns" || toks[i+2].s == "mir")) ||
			i+1 < len(toks) && (toks[i+1].s == "here" || toks[i+1].s == "hier") {
			toks[i].w = nil
		}
	}
}

// unsubscribeFooter: a line of the mail offers to unsubscribe
// ("Unsubscribe here.", "Abmelden: Antworten Sie mit ABMELDEN.",
// "Newsletter abbestellen"): a mailing sent to many, even when its sender
// set no List-Unsubscribe header. A footer stands at the end: one pass
// over the last 4 KB, no copy (it runs on every first mail).
func unsubscribeFooter(text string) bool {
	text = capText(text, maxTextBytes)
	if len(text) > 4096 {
		text = text[len(text)-4096:]
	}
	lineStart := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' {
			lineStart = i + 1
			continue
		}
		switch c | 0x20 {
		case 'u':
			// "Unsubscribe here.", "To unsubscribe …", "… | Unsubscribe"
			if hasPrefixFold(text[i:], "unsubscribe") && shortLine(text, lineStart) && !quotedLine(text, lineStart) {
				return true
			}
		case 'a':
			// "Newsletter abbestellen", "Abmelden: Antworten Sie mit …"
			if (hasPrefixFold(text[i:], "abbestell") || i == firstLetter(text, lineStart) && hasPrefixFold(text[i:], "abmelden:")) &&
				shortLine(text, lineStart) && !quotedLine(text, lineStart) {
				return true
			}
		}
	}
	return false
}

// hasPrefixFold: s begins with the lower-case ASCII word p, in any case.
func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// shortLine: the line starting at a is a footer's length (at most 80 bytes).
func shortLine(text string, a int) bool {
	e := strings.IndexByte(text[a:], '\n')
	return e < 0 && len(text)-a <= 80 || e >= 0 && e <= 80
}

// quotedLine: the line starting at a is quoted ("> …").
func quotedLine(text string, a int) bool {
	return a < len(text) && text[a] == '>'
}

// firstLetter is the index of the first non-blank byte of the line at a.
func firstLetter(text string, a int) int {
	for a < len(text) && (text[a] == ' ' || text[a] == '\t') {
		a++
	}
	return a
}

// todayNamed: the mail names today — "heute", "today", its weekday or its
// day of the month.
func todayNamed(toks []token, now time.Time) bool {
	for i := range toks {
		t := &toks[i]
		// (A lower-case "do" is the verb of "could we do 2pm", no Thursday.)
		if w := t.w; w != nil && (w.hasRel && w.rel == 0 || int(w.wd) == weekdayIndex(now) && (!w.wdAbbr || t.up)) {
			return true
		}
		if t.kind == tNum && int(t.n) == now.Day() && i+1 < len(toks) && (toks[i+1].s == "." || toks[i+1].s == "th" || toks[i+1].s == "st" || toks[i+1].s == "nd" || toks[i+1].s == "rd") {
			return true
		}
	}
	return false
}

// saysRelDay: the mail names a day relative to today ("heute", "tomorrow").
func saysRelDay(toks []token) bool {
	for i := range toks {
		if w := toks[i].w; w != nil && w.hasRel {
			return true
		}
	}
	return false
}

// optionOnDay: one of the quoted options falls on day d of its month —
// then "the 2nd" may be that date, not option 2.
func optionOnDay(quoted string, d int, now time.Time) bool {
	for k := 1; k <= quotedOptions(quoted); k++ {
		if opt, ok := quotedOption(quoted, k, now); ok && opt.In(now.Location()).Day() == d {
			return true
		}
	}
	return false
}

// topQuotedOption is the number of the one option line a reply quotes
// above its own text (the mail opens with it), 0 when it quotes none or
// several there.
func topQuotedOption(full string) int {
	var block []string
	for _, line := range strings.Split(capText(full, maxTextBytes), "\n") {
		l := strings.TrimSpace(line)
		if l == "" {
			if len(block) > 0 {
				break
			}
			continue
		}
		if !strings.HasPrefix(l, ">") {
			break
		}
		block = append(block, l)
	}
	opts := optionLines(strings.Join(block, "\n"))
	if len(opts) != 1 {
		return 0
	}
	return opts[0].n
}

// pickedByWord: the mail is a number word alone ("Zwei.", "two please")
// or names one English ordinal day with no month ("the 2nd works"): the
// option with that number, or 0; ordinal says it was "the 2nd".
func pickedByWord(toks []token) (n int, ordinal bool) {
	p := parser{toks: toks}
	words := 0
	for i := range toks {
		t := &toks[i]
		switch {
		case t.kind == tWord && t.w != nil && t.w.month != 0:
			return 0, false
		case t.kind == tNum:
			if n != 0 || len(t.s) != 1 || t.n < 1 || t.n > 9 || !p.ordSuffix(i+1) || p.word(i-1) != "the" {
				return 0, false
			}
			n = int(t.n)
		case t.kind == tWord:
			words++
		}
	}
	if n > 0 {
		return n, true
	}
	if words > 3 {
		return 0, false
	}
	for i := range toks {
		t := &toks[i]
		if t.kind != tWord || t.w == nil || t.w.num < 1 || t.w.num > 9 {
			continue
		}
		switch t.s {
		case "ein", "eine", "einer", "einem", "einen", "a", "an", "paar", "couple", "few":
			continue
		}
		if i > 0 && toks[i-1].kind == tWord && !pickWords[toks[i-1].s] {
			// "That one.", "this one please": a pronoun, no option number.
			return 0, false
		}
		if n != 0 {
			return 0, false
		}
		n = int(t.w.num)
	}
	return n, false
}

// feastRefused: the sentence naming a feast refuses it ("am
// Faschingsdienstag sind wir nicht da. Mittwoch 22. um 9:30 wär gut"):
// the feast is no anchor of the wish.
func feastRefused(toks []token) bool {
	p := parser{toks: toks}
	for i := range toks {
		if w := toks[i].w; w == nil || !w.feast || i == 0 {
			continue
		}
		switch toks[i-1].s {
		case "am", "an", "on", "zu":
		default:
			continue // "vor dem Fasching", "nach Ostern": a side of it
		}
		for k := i + 1; k < len(toks) && k <= i+6; k++ {
			if t := &toks[k]; t.kind == tPunct {
				break
			}
			switch toks[k].s {
			case "zeit", "time", "frei", "free", "ruhig", "passt", "geht":
				return false // "am Faschingsdienstag um 10 hätt ma Zeit"
			}
			if w := toks[k].w; w != nil && w.role&rNeg != 0 || p.busyWord(k) {
				return !countedFromFeast(toks, k)
			}
		}
	}
	return false
}

// saysClosed: "Montag und Dienstag san ma zua", "we're closed on Monday":
// the customer's shop is closed on a day — which may rule the day out or
// make it the quiet day they want ("am Faschingsdienstag hama zua, do
// kenntats ma in Ruah die Kassa richtn"). Never booked on that guess.
func saysClosed(toks []token) bool {
	for i := 1; i < len(toks); i++ {
		switch toks[i].s {
		case "zua", "zu", "closed", "geschlossen":
		default:
			continue
		}
		closed := false
		for k := i - 1; k >= 0 && k >= i-5; k-- {
			switch toks[k].s {
			case "san", "sind", "hama", "haben", "ham", "hab", "are", "we're", "were", "is", "ist", "samma", "habn":
				closed = closed || k >= i-3
			case "programme", "programm", "programs", "program", "programmen", "anwendungen", "apps", "applications",
				"fenster", "windows", "alles", "everything", "all", "alle":
				// "Alle andern Programme san zua": what our reminder asked.
				closed = false
				k = -1
			}
		}
		if closed {
			return true
		}
	}
	return false
}

// countedFromFeast: after the refusal at k the mail counts from the feast
// ("am Josefitag samma zua, oba am Montag drauf", "closed on Whit Monday.
// Could we do the day after Whit Monday?"): the feast is the anchor.
func countedFromFeast(toks []token, k int) bool {
	for j := k + 1; j < len(toks); j++ {
		switch toks[j].s {
		case "drauf", "darauf", "danach", "davor":
			return true
		case "after", "before", "nach", "vor", "vorm", "nachm":
			if j+1 < len(toks) && toks[j+1].w != nil && toks[j+1].w.feast || j+2 < len(toks) && toks[j+2].w != nil && toks[j+2].w.feast {
				return true
			}
		}
	}
	return false
}

// seeSubject: the body only points at the subject ("wie im Betreff",
// "siehe Betreff", "see subject").
func seeSubject(toks []token) bool {
	for i := 1; i < len(toks); i++ {
		switch toks[i].s {
		case "betreff", "subject", "betreffzeile", "subject-line":
			switch toks[i-1].s {
			case "im", "siehe", "see", "in", "the", "laut", "lt", "per", "wie", "re":
				return true
			}
		}
	}
	return false
}

// otherClockThanOption: the mail picks option n but names a clock time
// the option does not have ("option 2 would work but only if you can
// start at 11:30 instead"): a counter-proposal, never the option as is.
func otherClockThanOption(quoted string, n int, ws []Wish, now time.Time) bool {
	if ws[0].Precision != PrecisionMinute {
		return false
	}
	opt, ok := quotedOption(quoted, n, now)
	if !ok {
		return false
	}
	for _, w := range ws {
		if sameClock(w.Start.In(now.Location()), opt) {
			return false // "Vorschlag 3, … dreiviertel 10... pardon, 9:00"
		}
	}
	return true
}

// wantsNewSession: "hätten wir gern einen Termin", "we'd like a session",
// "I need an appointment": a session asked for with an indefinite article,
// which no mail about a booked one uses ("für den Termin um 9").
func wantsNewSession(toks []token) bool {
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].s {
		case "einen", "eine", "a", "an":
		default:
			continue
		}
		if i > 0 && (toks[i-1].s == "für" || toks[i-1].s == "for") {
			continue
		}
		for k := i + 1; k < len(toks) && k <= i+2; k++ {
			if w := toks[k].w; w != nil && w.role&rAppt != 0 {
				return true
			}
		}
	}
	return false
}

// movesOwnBooking: a first mail turns down a time with its clock (named,
// but not among the wishes read) in words that only fit a booking — it no
// longer suits ("passt nimma", "geht nicht mehr", "no longer works"), it
// is today's, or another is named "auf" which it goes ("bitte auf Montag
// um 10").
func movesOwnBooking(toks []token, lang uint8, now time.Time, future []Wish) bool {
	var refused []Wish
	for _, n := range upcoming(extractNamed(toks, lang, now), now) {
		if n.Precision != PrecisionMinute {
			continue
		}
		asked := false
		for _, f := range future {
			// (The same weekday and clock a week apart is the one wish
			// read twice: "nächsten Donnerstag um 10" is this week's or
			// next week's.)
			if f.Start.Equal(n.Start) || sameClock(f.Start, n.Start) && (sameDate(f.Start.AddDate(0, 0, 7), n.Start) || sameDate(f.Start.AddDate(0, 0, -7), n.Start)) {
				asked = true
			}
		}
		if !asked {
			refused = append(refused, n)
		}
	}
	if len(refused) == 0 {
		return false
	}
	today := false // said, not a bare clock time that falls on today
	for i := range toks {
		if w := toks[i].w; w != nil && w.hasRel && w.rel == 0 {
			today = true
		}
	}
	for _, r := range refused {
		if today && sameDate(r.Start, now) {
			return true
		}
	}
	for i := range toks {
		switch toks[i].s {
		case "nimma", "nimmer", "anymore":
			return true
		case "mehr":
			if i > 0 && (toks[i-1].s == "nicht" || toks[i-1].s == "ned" || toks[i-1].s == "net") {
				return true
			}
		case "longer":
			if i > 0 && toks[i-1].s == "no" {
				return true
			}
		case "auf":
			if i > 0 && (toks[i-1].s == "bitte" || toks[i-1].kind == tPunct) && i+1 < len(toks) {
				if w := toks[i+1].w; w != nil && (w.wd != 0 || w.hasRel) {
					return true
				}
			}
		}
	}
	return false
}

// bugQuestionOnly: the customer's own words above a forward only ask
// whether something is a known fault ("Is this a known bug?", "Ist das
// ein bekannter Fehler?"): the days in the forwarded report say when it
// happened, no wish.
func bugQuestionOnly(toks []token) bool {
	if scanSignals(toks).appt {
		return false
	}
	for i := range toks {
		switch toks[i].s {
		case "bug", "known", "bekannter", "bekannt", "fehler", "issue":
			return true
		}
	}
	return false
}

// fromPart is what stands between "vom"/"von"/"from" and the "auf"/"to"
// of a move ("vom Mittwoch 10 Uhr auf Freitag"): the booking given up,
// which the parser drops from the wishes. Without that shape, all of toks.
func fromPart(toks []token) []token {
	for i := range toks {
		switch toks[i].s {
		case "vom", "von", "from":
		default:
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+8; j++ {
			if toks[j].s == "auf" || toks[j].s == "to" {
				return toks[i+1 : j]
			}
		}
	}
	return toks
}

// splitUnmarkedQuote finds our proposal quoted without "> " marks below a
// reply ("Donnerstag passt.\nFranz\n\nSehr geehrte …\n1) Do 11.06. 10:00\n
// 2) …"): two or more option lines "N) <day or date> <clock>" in a row. The
// quote starts at the greeting above them, else at their paragraph; there
// must be words of the customer's own above it.
func splitUnmarkedQuote(text string) (own, quoted string, ok bool) {
	lines := strings.Split(text, "\n")
	first := -1
	for i := 0; i+1 < len(lines); i++ {
		if isOptionLine(lines[i]) && isOptionLine(lines[i+1]) {
			first = i
			break
		}
	}
	if first < 1 {
		return "", "", false
	}
	cut := first
	for cut > 0 && strings.TrimSpace(lines[cut-1]) != "" {
		cut--
	}
	// "Der gewünschte Termin ist leider nicht frei. Wir können anbieten:"
	// — the paragraph that leads into the options is ours too.
	p := cut - 1
	for p > 0 && strings.TrimSpace(lines[p]) == "" {
		p--
	}
	if p >= 1 && strings.HasSuffix(strings.TrimSpace(lines[p]), ":") && p < cut {
		lead := p
		for lead > 0 && strings.TrimSpace(lines[lead-1]) != "" && p-lead < 3 {
			lead--
		}
		para := strings.ToLower(strings.Join(lines[lead:p+1], " "))
		for _, w := range []string{"frei", "free", "anbieten", "offer", "vorschl", "suggest", "termine", "times", "slots", "available"} {
			if strings.Contains(para, w) && lead > 0 {
				cut = lead
				break
			}
		}
	}
	for k := cut - 1; k > 0 && k >= cut-8; k-- {
		l := strings.ToLower(strings.TrimSpace(lines[k]))
		for _, g := range []string{"sehr geehrte", "guten tag", "hallo", "dear ", "hello", "good morning", "good afternoon", "liebe ", "grüß gott"} {
			if strings.HasPrefix(l, g) {
				cut = k
			}
		}
	}
	own = strings.Join(lines[:cut], "\n")
	if strings.TrimSpace(own) == "" {
		return "", "", false
	}
	return own, strings.Join(lines[cut:], "\n"), true
}

// isOptionLine: "1) Do 11.06. 10:00", "2) Wed 7 Jul 13:00".
func isOptionLine(l string) bool {
	return len(optionLines(l)) == 1
}

// feastOnlyTold: every feast the body names stands in a sentence that
// tells what happened ("went back … after new year") with no day or clock
// of its own, while another sentence has one.
func feastOnlyTold(toks []token) bool {
	start, feastSent, timeElsewhere := 0, false, false
	sawFeast := false
	check := func(a, b int) {
		hasFeast, hasTime, past := false, false, false
		for k := a; k < b; k++ {
			t := &toks[k]
			if t.w != nil && t.w.feast || (t.s == "year" || t.s == "year's") && k > 0 && toks[k-1].s == "new" {
				hasFeast = true
			}
			if t.kind == tNum && len(t.s) <= 2 || t.w != nil && (t.w.wd != 0 || t.w.hasRel || t.w.pod != 0) {
				hasTime = true
			}
			switch t.s {
			case "went", "happened", "began", "started", "stopped", "broke", "jumped", "changed", "since", "seit", "reset":
				past = true
			}
		}
		switch {
		case hasFeast && (hasTime || !past):
			feastSent = true // a feast with a time beside it, or wished for, anchors
		case hasFeast:
			sawFeast = true
		case hasTime:
			timeElsewhere = true
			for k := a; k < b; k++ {
				switch toks[k].s {
				case "davor", "danach", "drauf", "darauf", "after", "before", "vorher", "nachher":
					// ("Am Donnerstag davor um 9": told from the feast.)
					feastSent = true
				}
			}
		}
	}
	for i := range toks {
		if t := &toks[i]; t.kind == tPunct && (t.s == "." || t.s == "?" || t.s == "!") || t.nl >= 2 {
			check(start, i)
			start = i + 1
		}
	}
	check(start, len(toks))
	return sawFeast && !feastSent && timeElsewhere
}

// askedSentencesOnly reads the wishes again from the sentences that ask —
// leaving out those that tell a day and ask nothing ("Wir haben am Montag
// Inventur.", "She starts on Monday."). ok only when that drops wishes and
// every one kept was read the same before: it never changes a wish.
func askedSentencesOnly(toks []token, lang uint8, now time.Time, future []Wish) ([]Wish, bool) {
	return wishesWithout(toks, lang, now, future, toldOnly, false)
}

// wishesWithout reads the wishes again without the sentences drop picks.
// ok only when that drops a wish and every one kept was read the same
// before — it never changes a wish; with none kept only when allowNone.
func wishesWithout(toks []token, lang uint8, now time.Time, future []Wish, drop func([]token) bool, allowNone bool) ([]Wish, bool) {
	var kept []token // built only once a sentence is dropped: most mails drop none
	off, dropped := 0, false
	eachSentence(toks, func(s []token) bool {
		if drop(s) {
			if !dropped {
				kept = append(make([]token, 0, len(toks)), toks[:off]...)
			}
			dropped = true
		} else if dropped {
			kept = append(kept, s...)
		}
		off += len(s)
		return true
	})
	if !dropped {
		return nil, false
	}
	sub := upcoming(extract(kept, lang, now), now)
	if len(sub) == 0 && !allowNone || len(sub) >= len(future) {
		return nil, false
	}
	for _, w := range sub {
		if !slices.ContainsFunc(future, func(f Wish) bool { return f.Start.Equal(w.Start) && f.Precision == w.Precision }) {
			return nil, false
		}
	}
	return sub, true
}

// eachSentence calls fn with each sentence of toks — split at a blank
// line, "!", "?" and a full stop that ends a sentence — in order, and
// stops at the first false (its result).
func eachSentence(toks []token, fn func(s []token) bool) bool {
	p := parser{toks: toks}
	start := 0
	for k := range toks {
		if toks[k].nl >= 2 && k > start {
			if !fn(toks[start:k]) {
				return false
			}
			start = k
		}
		if p.endsSentence(k) {
			if !fn(toks[start : k+1]) {
				return false
			}
			start = k + 1
		}
	}
	return start >= len(toks) || fn(toks[start:])
}

// timesOnlyTold: the mail asks a question, names the session at most in a
// question about it (sessionOnlyAsked), and every time in it stands in a
// statement that asks for nothing — no question mark, no word of wishing
// or offering, not a bare time line — while no question refers back to a
// time ("geht das?", "would that work?").
func timesOnlyTold(toks []token, lang uint8, now time.Time) bool {
	if sig := scanSignals(toks); !sig.question || sig.appt && !sessionOnlyAsked(toks) {
		// (A session named only in a question about it — "was kostet a
		// Schulung?", "do we have to book a session for it?" — asks for
		// none.)
		return false
	}
	return everyTimeTold(toks, lang, now)
}

// everyTimeTold: every time in toks stands in a statement that asks for
// nothing — no question mark, no word of wishing or offering, not a bare
// time line — and no question refers back to a time ("geht das?", "would
// that work?").
func everyTimeTold(toks []token, lang uint8, now time.Time) bool {
	told := false
	ok := func(s []token) bool {
		asks, t := sentenceTells(s, lang, now)
		told = told || t
		return !asks
	}
	return eachSentence(toks, ok) && told
}

// sentenceTells sorts one sentence: asks when it asks for a time or
// refers back to one ("geht das?"), told when it names a time still ahead
// in a statement that asks for nothing (or in a question that asks about
// something else: advice, a release). A sentence with no time does
// neither.
func sentenceTells(s []token, lang uint8, now time.Time) (asks, told bool) {
	question := s[len(s)-1].s == "?"
	if question && (adviceQuestion(s) || releaseAsked(s) || asksOurClosing(s) || needQuestion(s) && namesTheBooking(s)) {
		// ("muss ich für den Termin am 8.7. vorher etwas installieren?":
		// the date names the booking asked about.)
		return false, true
	}
	if question {
		for i := range s {
			if possibleTask(s, i) {
				continue // "is it possible to print …?" asks no time
			}
			switch s[i].s {
			case "passt", "geht", "ginge", "gehts", "geht's", "klappt", "möglich", "work", "works", "possible", "ok", "okay", "suit",
				"suits", "convenient", "frei", "free", "available", "zeit", "time", "wann", "when", "da", "then", "dann":
				return true, false
			}
		}
	}
	if !mayHoldTime(s) || len(upcoming(extract(s, lang, now), now)) == 0 {
		return false, false
	}
	// (What an indirect question weighs asks nothing: "… und überleg
	// ma, ob ma des brauchen".)
	main := s
	for i := range s {
		if s[i].s == "ob" || s[i].s == "whether" {
			main = s[:i]
			break
		}
	}
	if len(main) < len(s) && wantsToKnow(main) && !availabilityAsked(s[len(main):]) {
		// "Wir möchten wissen, ob wir am 13.08. Support bekommen könnten":
		// whether something is so on a day, not a session asked for
		// (unlike "ob Sie am Montag um 10 Zeit haben").
		return false, true
	}
	if hypothetical(s) {
		// "ob wir am 13.08. Support bekommen könnten, falls etwas ist":
		// a day asked about in case something happens, no session asked.
		return false, true
	}
	if !question && !opensRequest(main) && ownPlan(main) {
		// "We would start on 1 July if yes": the customer's own start.
		return false, true
	}
	if question || wordCount(s) < 5 || bareTimeLine(s) || asksForTime(main, signals{}) || asksForSession(main) || offersOwnTime(main) || needsSupport(main) {
		return true, false
	}
	for i := range s {
		switch s[i].s {
		case "bitte", "please", "gern", "gerne", "möchte", "möchten", "würde", "würden", "would", "could", "can", "könnten", "können",
			"wäre", "wär", "ideal", "best", "besten", "liebsten", "prefer", "lieber", "suits", "passt", "geht", "klappt":
			return true, false
		}
	}
	return false, true
}

// ownPlan: the customer tells when they themselves start or do something
// ("We would start on 1 July if yes", "wir fangen am 1. Juli an", "am
// Freitag wollt i's selber installieren"), naming no session, or an event
// of their own ("wir machen intern am 3.11. eine Einschulung").
func ownPlan(s []token) bool {
	// "Wir machen intern am 3.11. eine Einschulung": their own training,
	// not a session of ours — the event is theirs whatever it is called.
	internal := slices.ContainsFunc(s, func(t token) bool {
		return t.s == "intern" || t.s == "internally" || t.s == "inhouse" || t.s == "in-house"
	})
	we, start := false, internal
	for i := range s {
		if w := s[i].w; w != nil && w.role&rAppt != 0 && !internal {
			return false
		}
		switch s[i].s {
		case "we", "wir", "i", "ich", "i's", "ma", "mia":
			we = true
		case "start", "starten", "beginnen", "anfangen", "fangen", "begin", "launch",
			// "Am Freitag wollt i's selber installieren": done by themselves.
			"selber", "selbst", "myself", "ourselves":
			start = true
		case "like", "love", "want", "wish", "hope", "hoping", "möchte", "möchten", "wollen", "würden", "gern", "gerne", "bitte", "please":
			return false // "we'd like to start on Monday at 10" asks
		}
	}
	return we && start
}

// mayHoldTime: s has a token a time could be read from — a number or a
// word the extractor may begin a piece with; a sentence without one needs
// no extraction.
func mayHoldTime(s []token) bool {
	for i := range s {
		if s[i].kind == tNum || s[i].kind == tWord && s[i].w != nil && s[i].w.starts {
			return true
		}
	}
	return false
}

// withoutPastTold reads the wishes again without the sentences that tell
// what was done ("wir haben am Montag 800 Euro überwiesen", "we paid the
// invoice on Monday"). ok only when that drops a wish and every one kept
// was read the same before; it may leave none.
func withoutPastTold(toks []token, lang uint8, now time.Time, future []Wish) ([]Wish, bool) {
	return wishesWithout(toks, lang, now, future, func(s []token) bool {
		// ("ich hatte an den 11. gedacht, aber da geht doch nicht": the
		// clause before "aber" tells.)
		if c := butClause(s); c > 0 && pastTold(s[:c]) && len(upcoming(extract(s[:c], lang, now), now)) > 0 && len(upcoming(extract(s[c:], lang, now), now)) == 0 {
			return true
		}
		return pastTold(s) && len(upcoming(extract(s, lang, now), now)) > 0
	}, true)
}

// butClause is where ", aber"/", but"/", doch" opens the second clause of
// s, 0 when none does.
func butClause(s []token) int {
	for i := 1; i+1 < len(s); i++ {
		if s[i].s == "," {
			switch s[i+1].s {
			case "aber", "but", "doch", "jedoch", "however":
				return i
			}
		}
	}
	return 0
}

// pastTold: the sentence tells, in the past, what someone did ("Wir haben
// am Montag die Rechnung überwiesen.", "I sent the form on Tuesday."): an
// auxiliary and a participle closing the clause, or an English verb in the
// past; it asks nothing and names neither the session nor a booking.
func pastTold(s []token) bool {
	if thanksForSession(s) {
		return true
	}
	aux, past, last := false, false, -1
	for i := range s {
		t := &s[i]
		if t.kind == tPunct && t.s == "?" {
			return false
		}
		if t.kind != tWord {
			continue
		}
		last = i
		if w := t.w; w != nil && w.role&rAppt != 0 {
			return false
		}
		switch t.s {
		case "haben", "habe", "hab", "hat", "hatte", "hatten", "sind", "bin", "ist", "wurde", "wurden":
			aux = true
		case "paid", "sent", "ordered", "called", "rang", "emailed", "mailed", "spoke", "installed", "updated", "transferred",
			"received", "noticed", "tried", "started", "wrote", "booked", "gebucht", "reserviert",
			// German past of "sein" as the verb itself ("Heute Nachmittag
			// war's wieder so: …").
			"war", "war's", "wars", "waren":
			if t.s == "booked" || t.s == "gebucht" || t.s == "reserviert" {
				return false // the booking named ("we booked Thursday 10am")
			}
			past = true
		case "next", "nächsten", "nächste", "kommenden", "kommende", "will", "wird", "werden", "werde", "soll", "sollen", "möchte", "möchten",
			"would", "could", "can", "können", "könnten", "bitte", "please", "gern", "gerne", "wäre", "wär", "hätte", "hätten",
			// a time that suits, or one offered instead: "…, aber Dienstag
			// um 14 Uhr würde gehen", "hat geschrieben, Montag 9 Uhr passt"
			"würde", "würden", "ginge", "passt", "passen", "klappt", "works", "suits", "fine", "frei", "free",
			"available", "verfügbar", "zeit", "time", "aber", "but", "dafür", "instead", "stattdessen", "ok", "okay":
			return false
		}
	}
	if past {
		return true
	}
	if !aux {
		return false
	}
	// The participle closes its clause: the sentence's last word, or one
	// before a comma or "worden" ("ist das Update eingespielt worden,
	// seitdem …").
	for i := range s {
		if s[i].kind == tWord && participle(s[i].s) &&
			(i == last || i+1 < len(s) && (s[i+1].s == "," || s[i+1].s == "worden" || s[i+1].s == "wurde")) {
			return true
		}
	}
	return false
}

// participle: w reads as a German past participle ("überwiesen",
// "geschickt", "angerufen", "bezahlt").
func participle(w string) bool {
	if len(w) < 6 || !(strings.HasSuffix(w, "t") || strings.HasSuffix(w, "en")) {
		return false
	}
	if strings.HasPrefix(w, "ge") || strings.HasSuffix(w, "iert") { // ("installiert", "aktualisiert")
		return true
	}
	for _, pre := range []string{"an", "auf", "aus", "ein", "ab", "zu", "vor", "nach", "zurück", "mit", "her", "hin", "weiter"} {
		if rest, ok := strings.CutPrefix(w, pre); ok && strings.HasPrefix(rest, "ge") {
			return true
		}
	}
	for _, pre := range []string{"be", "ver", "über", "er", "ent", "emp", "zer"} {
		if strings.HasPrefix(w, pre) && len(w) >= 7 { // ("bezahlt", "überwiesen"; not "bereit")
			return true
		}
	}
	return false
}

// toldOnly: a sentence that names a day but no clock time, asks nothing
// (no question mark, no word of asking, wanting, offering or proposing) and
// names no session, with words enough to be a statement rather than a
// bare "Montag dann.".
func toldOnly(s []token) bool {
	day, words := false, 0
	for i := range s {
		t := &s[i]
		if t.kind == tPunct && t.s == "?" {
			return false
		}
		if clockAt(s, i) {
			return false // a clock time: "am Montag, 31.12., um 10 Uhr, falls Sie da arbeiten"
		}
		if t.kind != tWord {
			continue
		}
		switch t.s {
		case "vorschlag", "suggestion", "proposal", "wunsch", "wunschtermin", "preferred":
			return false // "Mein Vorschlag: Mittwoch, 15.12."
		}
		if t.w.namesDay() {
			day = true
			continue
		}
		if t.w != nil && t.w.role&rAppt != 0 {
			return false
		}
		switch t.s {
		case "also", "dann", "then", "so", "ok", "okay", "maybe", "vielleicht", "eventuell", "evtl", "auch", "too", "gerne", "gern", "noch", "still", "nur", "only", "just":
			continue // ("Also am Montag dann.": a wish said short)
		}
		if t.w == nil || t.w.role&timeRoles == 0 && t.w.pod == 0 && t.w.num == 0 && t.w.ord == 0 {
			words++
		}
	}
	return day && words >= 2 && !asksForTime(s, signals{}) && !asksForSession(s) && !offersOwnTime(s)
}

// timeRoles are the roles of the words a time is built from.
const timeRoles = rTrigger | rApprox | rOpenAfter | rOpenBefore | rRangeStart | rRangeJoin | rWeek | rDayUnit | rHourUnit | rMinuteUnit |
	rNext | rThis | rLast | rAfterNext | rIn | rAgo | rHence | rUhr | rAM | rPM | rHalf | rQuarter | rThreeQuarter | rPast | rTo | rKW |
	rNoon | rMidnight | rBoundary | rFiller | rEarliest | rWeekend | rMonthUnit

// newOnly: the words that make toks sound like a move are only "neu"
// ("Neuer Termin", "new appointment"), no "anderer"/"another".
func newOnly(toks []token) bool {
	found := false
	for i := range toks {
		if w := toks[i].w; w != nil && w.role&rOther != 0 {
			switch toks[i].s {
			case "neuen", "neuer", "neue", "new":
				found = true
			default:
				return false
			}
		}
	}
	return found
}

// clockCount counts the clock times a text writes out: "um 10", "10:30",
// "13 Uhr", "1pm".
func clockCount(toks []token) int {
	n := 0
	for i := range toks {
		if hourWordAt(toks, i) {
			n++ // ("um zwa", "at ten")
			continue
		}
		if toks[i].kind != tNum || i+1 < len(toks) && toks[i+1].s == "." {
			continue
		}
		if clockMarkAfter(toks, i) || triggerBefore(toks, i) && !(i > 1 && toks[i-2].s == ":") {
			n++
		}
	}
	return n
}

// hourWordAt: an hour written as a word right after "um"/"at" ("um zwa
// a Stund später", "at ten").
func hourWordAt(toks []token, i int) bool {
	w := toks[i].w
	return toks[i].kind == tWord && w != nil && w.num >= 1 && w.num <= 12 && triggerBefore(toks, i)
}

// clockAt: the number at i is written as a clock time — after "um"/"at",
// or before ":", "Uhr", "am"/"pm".
func clockAt(toks []token, i int) bool {
	return toks[i].kind == tNum && (triggerBefore(toks, i) || clockMarkAfter(toks, i)) || hourWordAt(toks, i)
}

func triggerBefore(toks []token, i int) bool {
	return i > 0 && toks[i-1].w != nil && toks[i-1].w.role&rTrigger != 0
}

func clockMarkAfter(toks []token, i int) bool {
	return i+1 < len(toks) && (toks[i+1].s == ":" || toks[i+1].w != nil && toks[i+1].w.role&(rUhr|rAM|rPM) != 0)
}

// clockBeforeOffset: the clock time stands before the offset that moves
// it ("den Termin um 13 Uhr eine Stunde später"), not after it as its
// result ("eine Stunde später, also 15 Uhr").
func clockBeforeOffset(toks []token) bool {
	clock := -1
	for i := range toks {
		if clock < 0 && clockAt(toks, i) {
			clock = i
		}
		switch toks[i].s {
		case "später", "früher", "later", "earlier", "hinten", "vorne", "vor", "zurück", "back", "forward", "vorziehen", "vorverlegen":
			return clock >= 0
		}
	}
	return false
}

// clockTold finds "it's 5:29 am here", "it is 6 in the morning over
// here", "bei uns ist es jetzt 5 Uhr": the clock where the customer is.
func clockTold(toks []token) (h, m int, ok bool) {
	for i := 0; i+1 < len(toks); i++ {
		k := -1
		switch {
		case toks[i].s == "it's" || toks[i].s == "its":
			k = i + 1
		case toks[i].s == "it" && toks[i+1].s == "is":
			k = i + 2
		case toks[i].s == "ist" && i+2 < len(toks) && toks[i+1].s == "es":
			k = i + 2
			if k < len(toks) && toks[k].s == "jetzt" {
				k++
			}
		case toks[i].s == "that's" || toks[i].s == "thats" || toks[i].s == "that’s":
			// "Option 3 please – that's midnight here but fine": the
			// slot in the customer's own clock.
			k = i + 1
		case (toks[i].s == "that" || toks[i].s == "das" || toks[i].s == "des") && (toks[i+1].s == "is" || toks[i+1].s == "ist" || toks[i+1].s == "wäre"):
			k = i + 2
		}
		if k < 0 || k >= len(toks) {
			continue
		}
		switch toks[k].s {
		case "midnight", "mitternacht":
			if h, m, ok := 0, 0, localHere(toks, k+1); ok {
				return h, m, true
			}
			continue
		case "noon", "mittag":
			if h, m, ok := 12, 0, localHere(toks, k+1); ok {
				return h, m, true
			}
			continue
		}
		if toks[k].kind != tNum || toks[k].n > 23 {
			continue
		}
		h, m = int(toks[k].n), 0
		j := k + 1
		if j+1 < len(toks) && toks[j].s == ":" && toks[j+1].kind == tNum {
			m = int(toks[j+1].n)
			j += 2
		}
		for j < len(toks) && j <= k+6 && toks[j].kind != tPunct {
			switch toks[j].s {
			case "here", "there", "now", "hier", "drüben", "gerade":
				return h, m, true
			}
			j++
		}
		if i > 1 && (toks[i-1].s == "uns" || toks[i-1].s == "hier") {
			return h, m, true // "bei uns ist es 5 Uhr"
		}
	}
	return 0, 0, false
}

// thanksForSession: the sentence thanks for a session and says it helped
// ("thank you for the session on Friday, everything works now", "danke
// für die Fernwartung am Montag, jetzt läuft alles wieder"): the day it
// names is past.
func thanksForSession(s []token) bool {
	thanks := -1
	for i := 0; i+1 < len(s) && i < 4; i++ {
		if w := s[i].s; (w == "thank" || w == "thanks" || w == "danke" || w == "dank") && (s[i+1].s == "for" || s[i+1].s == "für" || s[i+1].s == "you" || s[i+1].s == "nochmal") {
			thanks = i
			break
		}
	}
	if thanks < 0 {
		return false
	}
	session := false
	for i := thanks + 1; i < len(s) && i <= thanks+6; i++ {
		if w := s[i].w; w != nil && w.role&rAppt != 0 {
			session = true
		}
	}
	if !session {
		return false
	}
	for i := thanks + 1; i < len(s); i++ {
		switch s[i].s {
		case "works", "worked", "working", "helped", "solved", "fixed", "läuft", "lauft", "funktioniert", "geholfen", "gelöst", "behoben", "geklappt":
			return true
		}
	}
	return false
}

// topicQuestionsOnly: every question in toks only names the booking it
// speaks of, a few words that ask nothing ("der Termin morgen? Brauchen
// wir nicht mehr.", "Our session on Friday? Not needed anymore.").
func topicQuestionsOnly(toks []token) bool {
	asked := false
	ok := eachSentence(toks, func(s []token) bool {
		if s[len(s)-1].s != "?" {
			return true
		}
		asked = true
		if wordCount(s) > 5 {
			return false
		}
		for i := range s {
			if w := s[i].w; w != nil && w.role&rAppt != 0 {
				return true
			}
		}
		return false
	})
	return ok && asked
}

// adviceQuestion: the question asks when the customer should do a task of
// their own ("Sollten wir das Update vor dem 31.12. einspielen oder lieber
// erst im Jänner?", "should we install it before or after the year-end
// closing?"); the days in it are the task's, not a session's.
func adviceQuestion(s []token) bool {
	if len(s) < 3 || !((s[0].s == "sollten" || s[0].s == "sollen" || s[0].s == "soll") && (s[1].s == "wir" || s[1].s == "ich" || s[1].s == "ma") ||
		s[0].s == "should" && (s[1].s == "we" || s[1].s == "i")) {
		return false
	}
	task := false
	for i := range s {
		if w := s[i].w; w != nil && w.role&rAppt != 0 {
			return false
		}
		switch s[i].s {
		case "einspielen", "installieren", "updaten", "aktualisieren", "umstellen", "sichern", "durchführen", "wechseln",
			"install", "update", "upgrade", "switch", "migrate", "migrieren":
			task = true
		}
	}
	return task
}

// loneNumber: the text is one number and nothing else but punctuation
// ("1.", "2!"): in answer to our proposal, an option.
func loneNumber(toks []token) bool {
	n := 0
	for i := range toks {
		switch toks[i].kind {
		case tNum:
			n++
		case tWord:
			return false
		}
	}
	return n == 1
}

// choiceClauseClean: the clause of the one number in toks holds no
// negation ("Nr. 3 bitte, früher geht leider nix" — not "Nr. 3 geht
// leider nicht").
func choiceClauseClean(toks []token) bool {
	p := parser{toks: toks}
	for i := range toks {
		if toks[i].kind != tNum {
			continue
		}
		for k := i + 1; k < len(toks) && !(toks[k].kind == tPunct && toks[k].s != ".") && toks[k].nl == 0; k++ {
			if p.isNegation(k) {
				return false
			}
		}
		for k := i - 1; k >= 0 && !(toks[k].kind == tPunct && toks[k].s != "."); k-- {
			if p.isNegation(k) {
				return false
			}
			if toks[k].nl > 0 {
				break
			}
		}
		return true
	}
	return false
}

// localHere: a word within the clause from j says the clock is the
// customer's own ("here", "for me", "bei uns", "my time").
func localHere(toks []token, j int) bool {
	for k := j; k < len(toks) && k <= j+4 && toks[k].kind != tPunct; k++ {
		switch toks[k].s {
		case "here", "hier", "drüben":
			return true
		case "me", "uns", "mir":
			return k > 0 && (toks[k-1].s == "for" || toks[k-1].s == "bei" || toks[k-1].s == "für")
		case "time", "zeit":
			return k > 0 && (toks[k-1].s == "my" || toks[k-1].s == "our" || toks[k-1].s == "local" || toks[k-1].s == "unserer" || toks[k-1].s == "meiner")
		}
	}
	return false
}

// clocksInSentences counts the sentences of toks that name a clock time
// still ahead ("Would Monday at 10am UK time work? That would be 11:00
// your time, but 10:00 is also fine": two).
func clocksInSentences(toks []token, lang uint8, now time.Time) int {
	n := 0
	eachSentence(toks, func(s []token) bool {
		if !mayHoldTime(s) {
			return true
		}
		for _, w := range upcoming(extract(s, lang, now), now) {
			if w.Precision == PrecisionMinute {
				n++
				break
			}
		}
		return true
	})
	return n
}

// containsWord: some word of toks is w.
func containsWord(toks []token, w string) bool {
	for i := range toks {
		if toks[i].kind == tWord && toks[i].s == w {
			return true
		}
	}
	return false
}

// cancelAsked: a cancel word of toks is no fault told ("Die Rechnung lässt
// sich nicht stornieren", "we can't cancel orders"): no negation in the
// few words before it.
func cancelAsked(toks []token) bool {
	p := parser{toks: toks}
	for i := range toks {
		if w := toks[i].w; w == nil || w.role&rCancel == 0 {
			continue
		}
		negated := false
		for k := i - 1; k >= 0 && k >= i-3 && toks[k].kind != tPunct; k-- {
			if p.isNegation(k) {
				negated = true
			}
		}
		if !negated {
			return true
		}
	}
	return false
}

// foldRingA reads the dialect spelling with "å" ("morgn am Nåchmittåg",
// "Såmståg") as the plain word when that is one we know. It rewrites toks
// in place.
func foldRingA(toks []token) []token {
	for i := range toks {
		t := &toks[i]
		if t.kind != tWord || t.w != nil || !strings.Contains(t.s, "å") {
			continue
		}
		plain := strings.ReplaceAll(t.s, "å", "a")
		if w := lookupWord(plain); w != nil {
			t.s, t.w = plain, w
		}
	}
	return toks
}

// hypothetical: the sentence speaks of a case that may never come ("falls
// etwas ist", "in case anything comes up", "just in case").
func hypothetical(s []token) bool {
	for i := 0; i+1 < len(s); i++ {
		a, b := s[i].s, s[i+1].s
		switch {
		case (a == "falls" || a == "wenn") && (b == "etwas" || b == "was" || b == "irgendwas") && i+2 < len(s) && (s[i+2].s == "ist" || s[i+2].s == "sein" || s[i+2].s == "wäre" || s[i+2].s == "passiert"),
			a == "in" && b == "case" && i+2 < len(s) && (s[i+2].s == "anything" || s[i+2].s == "something"),
			a == "just" && b == "in" && i+2 < len(s) && s[i+2].s == "case",
			a == "für" && b == "den" && i+2 < len(s) && s[i+2].s == "notfall":
			return true
		}
	}
	return false
}

// asksOurClosing: the question asks whether we are closed or away then
// ("haben Sie im August Betriebsurlaub?", "are you closed over
// Christmas?"): a question about our hours, no session asked.
func asksOurClosing(s []token) bool {
	closed, you := false, false
	for i := range s {
		switch s[i].s {
		case "betriebsurlaub", "geschlossen", "closed", "betriebsferien", "shutdown":
			closed = true
		case "sie", "ihr", "you", "habt", "seid", "habt's", "seids":
			you = true
		case "ich", "wir", "i", "we", "i'm", "we're":
			return false // the customer's own holidays ("Ich bin … im Urlaub, Donnerstag 10 Uhr?")
		}
	}
	return closed && you
}

// wantsToKnow: the clause says the writer wants to know something ("wir
// möchten wissen", "I'd like to know", "I was wondering").
func wantsToKnow(s []token) bool {
	for i := range s {
		switch s[i].s {
		case "wissen", "know", "wondering", "erfahren":
			return true
		}
	}
	return false
}

// availabilityAsked: the clause asks whether we have time or a time
// suits ("ob Sie am Montag um 10 Zeit haben", "whether Friday works").
func availabilityAsked(s []token) bool {
	for i := range s {
		switch s[i].s {
		case "zeit", "time", "frei", "free", "passt", "passen", "geht", "ginge", "klappt", "works", "suits", "available", "verfügbar", "möglich", "possible":
			return true
		}
	}
	return false
}

// namesTheBooking: a session word in s with a definite article or "our"
// before it ("für den Termin am 8.7.", "for our session on Monday"): a
// booking that exists.
func namesTheBooking(s []token) bool {
	for i := 1; i < len(s); i++ {
		if w := s[i].w; w != nil && w.role&rAppt != 0 {
			switch s[i-1].s {
			case "den", "dem", "der", "die", "the", "our", "unseren", "unserem", "unsere", "unser":
				return true
			}
		}
	}
	return false
}

// saysGood: a word that says a time suits ("would be good", "passt",
// "works") — not a bare "please", which any request or spam carries.
func saysGood(toks []token) bool {
	for i := range toks {
		if w := toks[i].w; w != nil && w.role&rConfirm != 0 {
			switch toks[i].s {
			case "please", "bitte", "pls", "plz", "gerne", "gern":
			default:
				return true
			}
		}
	}
	return false
}

// saysMonthPart: the wish is a stretch of a month ("towards the end of the
// month", "Ende des Monats", "Monatsende", "in der 2. Januarwoche"), even
// when it resolved to one day: never booked on that guess.
func saysMonthPart(toks []token) bool {
	for i := range toks {
		s := toks[i].s
		switch {
		case s == "monatsende" || s == "ultimo" || s == "monatsanfang" || s == "monatsmitte":
			return true
		case (s == "end" || s == "ende" || s == "mitte" || s == "middle" || s == "anfang" || s == "beginning") && i+3 < len(toks):
			for k := i + 1; k <= i+3; k++ {
				if t := toks[k].s; t == "month" || t == "monats" || t == "monat" {
					return true
				}
			}
		case len(s) > 5 && strings.HasSuffix(s, "woche"):
			// "in der 2. Januarwoche", "erste Märzwoche"
			if w := lookupWord(strings.TrimSuffix(s, "woche")); w != nil && w.month != 0 {
				return true
			}
		}
	}
	return false
}

// dayThenClock: the first of several wishes is a whole day and a later one
// a clock time or part of a day on another day — booking the first free
// slot of that day is a guess at the time.
func dayThenClock(ws []Wish) bool {
	if len(ws) < 2 || ws[0].Precision != PrecisionDay || ws[0].End != nil && ws[0].End.Sub(ws[0].Start) > 25*time.Hour {
		return false
	}
	for _, w := range ws[1:] {
		if w.Precision != PrecisionDay && !sameDate(w.Start, ws[0].Start) {
			return true
		}
	}
	return false
}

// bareWeekday: the mail names its day by a weekday alone — no date, no
// "next" or "this", no week and no relative day ("Geht Freitag Vormittag
// a?").
func bareWeekday(toks []token) bool {
	named := false
	for i := range toks {
		w := toks[i].w
		if w == nil {
			continue
		}
		if w.hasRel || w.role&rNext != 0 || w.month != 0 && !w.monthAbbr {
			return false
		}
		switch toks[i].s {
		case "this", "diese", "dieser", "diesen", "dieses", "woche", "week", "kw":
			return false
		}
		named = named || w.wd != 0
	}
	return named && !saysDate(toks)
}

// beforeFirstOption: w falls in a week before every option we quoted
// (in the options' own week, "Mittwoch?" under Thursday and Friday is that
// Wednesday).
func beforeFirstOption(quoted string, w Wish, now time.Time) bool {
	n := quotedOptions(quoted)
	wy, ww := w.Start.In(now.Location()).ISOWeek()
	for k := 1; k <= n; k++ {
		opt, ok := quotedOption(quoted, k, now)
		if !ok {
			return false
		}
		if oy, ow := opt.In(now.Location()).ISOWeek(); oy < wy || oy == wy && ow <= ww {
			return false
		}
	}
	return n > 0
}

// weekdayPointsOn: a weekday with "drauf", "danach", "after" right behind
// it ("am Montag drauf"): counted from a day the mail does not say.
func weekdayPointsOn(toks []token) bool {
	for i := range toks {
		if w := toks[i].w; w != nil && w.wd != 0 && pointsOn(toks, i) {
			return true
		}
	}
	return false
}

// endsSentence: the token at k is a "!", "?" or a "." that ends a
// sentence (not the dot of a date or an abbreviation).
func (p *parser) endsSentence(k int) bool {
	t := &p.toks[k]
	return t.kind == tPunct && (t.s == "!" || t.s == "?" || t.s == "." && p.boundary(k))
}
