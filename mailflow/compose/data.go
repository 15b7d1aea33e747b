package compose

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
)

// Mail is what every template sees as its dot. The field names are the
// contract with operators who write their own templates (templates/README.md
// lists them); add fields freely, never rename one.
type Mail struct {
	// Language is the language of this mail ("de", "en").
	Language string
	// Subject is the final subject line, booking reference included. It is
	// empty while the subject template itself runs.
	Subject string

	Company              string
	SupportAddress       string
	RemoteToolURL        string
	RemoteToolPrivacyURL string

	// Hours are the support hours, consecutive days with the same times
	// grouped ("Montag bis Donnerstag").
	Hours []HoursLine
	// TimeZone names the desk's zone for people ("Wien", "Vienna").
	TimeZone string

	// Ref is the booking reference ("FW-1234"), "" when there is none.
	Ref string
	// Appointment is the booked slot, nil when the reply has none.
	Appointment *SlotText
	// Previous is the appointment's old time in a rescheduled mail, nil
	// otherwise.
	Previous *SlotText
	// CalendarMethod is "REQUEST" when the mail carries a calendar
	// invitation for Appointment, "CANCEL" when it carries the calendar
	// entry's cancellation, and "" without one. Mails use it to point at the
	// attachment; the _calendar_* partials to word a cancellation.
	CalendarMethod string
	// Proposals are the offered slots, numbered from 1.
	Proposals []SlotText
	// Why says why the wish did not fit, as a sentence; may be "".
	Why string
	// Guess: the first proposal is our reading of an unsure wish, to be
	// confirmed by the customer ("Meinten Sie …?").
	Guess bool
	// PickHour: the customer named a day without a time; Why asks them to
	// pick one of its free times.
	PickHour bool
	// AnyDeskIDMasked is the customer's ID with all but the last digits hidden.
	AnyDeskIDMasked string
	// Notice is set in technician notices only (see NoticeText).
	Notice *NoticeText
	// Agenda is set in agenda mails only (see AgendaText).
	Agenda *AgendaText
	// Links are the self-service links about Ref (confirmation,
	// rescheduled, reminder), nil without http.public_url.
	Links *Links
	// SignInLink is the one-time sign-in link (web_login only).
	SignInLink string
	// ConnectNow is true when the ID arrived at (or shortly before) the
	// appointment, or there is no appointment to wait for.
	ConnectNow bool

	// Name and CustomerSubject come from the customer's mail. The built-in
	// templates leave them out on purpose: whatever a stranger writes there
	// would otherwise be sent out under the company's name. For operators
	// who do use them they arrive decoded, on one line, capped, and with
	// anything that looks like an AnyDesk ID masked.
	Name            string
	CustomerSubject string
}

// SlotText is a slot as the customer reads it, in the desk's zone and the
// mail's language.
type SlotText struct {
	// N is the slot's number in a proposal (1..n); 0 for an appointment.
	N          int
	Start, End time.Time
	// Weekday "Donnerstag", Date "26. November 2026", Time "10:00",
	// EndTime "10:30" ("" without an end).
	Weekday, Date, Time, EndTime string
	// Link picks this slot of a proposal on the web page ("" without
	// http.public_url).
	Link string
	// Full is the whole moment as one phrase:
	// "Donnerstag, 26. November 2026, 10:00 Uhr" or
	// "Thursday, 26 November 2026, 10:00".
	Full string
}

// String lets a template print a slot with {{.Appointment}}.
func (s SlotText) String() string { return s.Full }

// HoursLine is one line of the support hours: "Montag bis Donnerstag" and
// "09:00–12:00 und 13:00–17:00 Uhr".
type HoursLine struct {
	Days, Times string
}

func (c *Composer) mailData(r Reply, lang string, l *language) Mail {
	m := Mail{
		Language:             lang,
		Company:              c.company,
		SupportAddress:       c.supportAddress,
		RemoteToolURL:        c.remoteToolURL,
		RemoteToolPrivacyURL: c.privacyURL,
		Hours:                l.hours,
		TimeZone:             l.zone,
		Ref:                  cleanHeader(r.Ref, maxRefRunes),
		Why:                  cleanText(r.Why, maxWhyRunes),
		Guess:                r.Guess && len(r.Proposals) > 0,
		PickHour:             r.PickHour && len(r.Proposals) > 0,
		AnyDeskIDMasked:      maskedID(r.AnyDeskIDMasked),
		Name:                 customerText(r.To.Name, maxNameRunes),
		CustomerSubject:      customerText(r.Subject, maxSubjectRunes),
		ConnectNow:           true,
		SignInLink:           r.SignInLink,
	}
	if !r.Appointment.Start.IsZero() {
		s := c.slotText(r.Appointment, 0, lang)
		m.Appointment = &s
		m.ConnectNow = !r.Date.Add(connectNowWindow).Before(r.Appointment.Start)
	}
	if !r.Previous.Start.IsZero() {
		s := c.slotText(r.Previous, 0, lang)
		m.Previous = &s
	}
	if r.Invite != nil {
		m.CalendarMethod = r.Invite.Method
	}
	if r.Notice != nil {
		m.Notice = noticeText(r.Notice)
	}
	if r.Agenda != nil {
		m.Agenda = c.agendaText(r.Agenda, lang)
	}
	for i, p := range r.Proposals {
		m.Proposals = append(m.Proposals, c.slotText(p, i+1, lang))
	}
	return m
}

func (c *Composer) slotText(s Slot, n int, lang string) SlotText {
	start := s.Start.In(c.loc)
	t := SlotText{N: n, Start: start, Time: start.Format("15:04")}
	if !s.End.IsZero() {
		t.End = s.End.In(c.loc)
		t.EndTime = t.End.Format("15:04")
	}
	if lang == "de" {
		t.Weekday = germanWeekday(start.Weekday())
		t.Date = fmt.Sprintf("%d. %s %d", start.Day(), c.germanMonth(start.Month()), start.Year())
		t.Full = fmt.Sprintf("%s, %s, %s Uhr", t.Weekday, t.Date, t.Time)
		return t
	}
	// Every other language gets the English form: the templates of a new
	// language can still build their own from Start.
	t.Weekday = start.Weekday().String()
	t.Date = fmt.Sprintf("%d %s %d", start.Day(), start.Month(), start.Year())
	t.Full = fmt.Sprintf("%s, %s, %s", t.Weekday, t.Date, t.Time)
	return t
}

func germanWeekday(d time.Weekday) string {
	return [...]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}[d]
}

func (c *Composer) germanMonth(m time.Month) string {
	if m == time.January {
		return c.januaryName
	}
	return [...]string{"", "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
		"August", "September", "Oktober", "November", "Dezember"}[m]
}

// hoursLines turns the configured week into a few readable lines. Days are
// grouped only when they are next to each other and share the same times,
// so "Montag bis Donnerstag" never hides a different Wednesday.
func hoursLines(hours map[string][]string, lang string) []HoursLine {
	week := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	type group struct {
		first, last time.Weekday
		times       string
	}
	var groups []group
	prevOpen := false
	for _, key := range week {
		ranges := hours[key]
		if len(ranges) == 0 {
			prevOpen = false
			continue
		}
		day := config.Weekdays[key]
		times := formatRanges(ranges, lang)
		if prevOpen && groups[len(groups)-1].times == times {
			groups[len(groups)-1].last = day
		} else {
			groups = append(groups, group{first: day, last: day, times: times})
		}
		prevOpen = true
	}
	lines := make([]HoursLine, 0, len(groups))
	for _, g := range groups {
		lines = append(lines, HoursLine{Days: dayRange(g.first, g.last, lang), Times: g.times})
	}
	return lines
}

func dayRange(first, last time.Weekday, lang string) string {
	name := func(d time.Weekday) string {
		if lang == "de" {
			return germanWeekday(d)
		}
		return d.String()
	}
	span := (int(last) - int(first) + 7) % 7
	and, to := " and ", " to "
	if lang == "de" {
		and, to = " und ", " bis "
	}
	switch span {
	case 0:
		return name(first)
	case 1:
		return name(first) + and + name(last)
	}
	return name(first) + to + name(last)
}

func formatRanges(ranges []string, lang string) string {
	parts := make([]string, 0, len(ranges))
	for _, r := range ranges {
		from, to, err := config.ParseRange(r)
		if err != nil {
			// config validation reports it; show what the operator wrote.
			parts = append(parts, strings.TrimSpace(r))
			continue
		}
		parts = append(parts, fmt.Sprintf("%02d:%02d–%02d:%02d", from/60, from%60, to/60, to%60))
	}
	if lang == "de" {
		return strings.Join(parts, " und ") + " Uhr"
	}
	return strings.Join(parts, " and ")
}

// zoneName gives the city of an IANA zone as customers know it; the few
// German exonyms matter because "Ortszeit Vienna" reads as a mistake.
func zoneName(tz, lang string) string {
	city := strings.ReplaceAll(path.Base(tz), "_", " ")
	if tz == "" || city == "." {
		city = "UTC"
	}
	if lang == "de" {
		switch city {
		case "Vienna":
			return "Wien"
		case "Zurich":
			return "Zürich"
		case "Rome":
			return "Rom"
		case "Prague":
			return "Prag"
		case "Warsaw":
			return "Warschau"
		case "Brussels":
			return "Brüssel"
		case "Luxembourg":
			return "Luxemburg"
		}
	}
	return city
}
