package compose

import (
	"fmt"
	"net/mail"
	"time"
)

// TemplateAgenda is the daily agenda: a technician's sessions of one day,
// or the whole team's for the team lead. It goes to the desk, never to a
// customer.
const TemplateAgenda = "agenda"

// Agenda is what an agenda mail lists.
type Agenda struct {
	// Day is any instant of the day the agenda is for.
	Day time.Time
	// Technician is the name of the technician it is for; "" makes it the
	// team's combined agenda.
	Technician string
	// Sessions are the day's booked sessions in time order.
	Sessions []AgendaSession
	// Free are the slots still free that day, in time order.
	Free []Slot
	// Next is the next working day (zero when none is in sight) and
	// NextCount the number of sessions booked on it.
	Next      time.Time
	NextCount int
}

// AgendaSession is one booked session on an agenda.
type AgendaSession struct {
	Slot
	// Technician is the name of the technician who takes it (shown in the
	// team's agenda).
	Technician      string
	CustomerName    string
	CustomerAddress string
	Reason          string
	Ref             string
	// IDReceived says whether the customer's AnyDesk ID has arrived. There
	// is deliberately no field for the ID itself: an agenda is read on
	// phones and forwarded, and the ID is a key to a customer's computer.
	IDReceived bool
	// Sequence counts the appointment's changes, for the entry in the
	// agenda's sessions.ics.
	Sequence int
}

// AgendaText is Agenda as templates see it: times in the desk's zone and
// the mail's language, customer text cleaned.
type AgendaText struct {
	// Weekday and Date name the day: "Donnerstag", "26. November 2026".
	Weekday, Date string
	// Team is true in the team lead's combined agenda.
	Team bool
	// Technician is the name the agenda is for ("" for the team's).
	Technician string
	// Count is the number of sessions.
	Count    int
	Sessions []AgendaLine
	// FreeCount is the number of free slots, Free the same slots with
	// neighbours joined into ranges (each with .Time and .EndTime), which
	// reads far shorter on a phone than a list of half hours.
	FreeCount int
	Free      []SlotText
	// Next is the next working day, nil when none is in sight.
	Next *AgendaDay
}

// AgendaLine is one session on the agenda.
type AgendaLine struct {
	// N numbers the sessions from 1.
	N int
	// Time and EndTime: "10:00", "10:30".
	Time, EndTime string
	Technician    string
	// CustomerName may be empty; CustomerAddress is always there.
	CustomerName    string
	CustomerAddress string
	// Reason is one line, shortened; may be empty.
	Reason     string
	Ref        string
	IDReceived bool
}

// AgendaDay is a following day and its number of sessions.
type AgendaDay struct {
	Weekday, Date string
	// Tomorrow is true when the day is the one right after the agenda's.
	Tomorrow bool
	Count    int
}

// maxReasonRunes keeps the reason to about one line of a phone screen.
const maxReasonRunes = 120

func (c *Composer) agendaText(a *Agenda, lang string) *AgendaText {
	day := c.slotText(Slot{Start: a.Day}, 0, lang)
	t := &AgendaText{
		Weekday:    day.Weekday,
		Date:       day.Date,
		Team:       a.Technician == "",
		Technician: cleanHeader(a.Technician, maxNameRunes),
		Count:      len(a.Sessions),
		FreeCount:  len(a.Free),
	}
	for i, s := range a.Sessions {
		st := c.slotText(s.Slot, 0, lang)
		// Names, addresses and reasons come from customers' mail: cleaned
		// like anything else of theirs, AnyDesk IDs masked.
		t.Sessions = append(t.Sessions, AgendaLine{
			N:               i + 1,
			Time:            st.Time,
			EndTime:         st.EndTime,
			Technician:      cleanHeader(s.Technician, maxNameRunes),
			CustomerName:    customerText(s.CustomerName, maxNameRunes),
			CustomerAddress: cleanHeader(s.CustomerAddress, 254),
			Reason:          customerText(s.Reason, maxReasonRunes),
			Ref:             cleanHeader(s.Ref, maxRefRunes),
			IDReceived:      s.IDReceived,
		})
	}
	for _, r := range joinSlots(a.Free) {
		t.Free = append(t.Free, c.slotText(r, 0, lang))
	}
	if !a.Next.IsZero() {
		next := c.slotText(Slot{Start: a.Next}, 0, lang)
		y, m, d := a.Day.In(c.loc).Date()
		ny, nm, nd := a.Next.In(c.loc).Date()
		t.Next = &AgendaDay{
			Weekday:  next.Weekday,
			Date:     next.Date,
			Tomorrow: time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Equal(time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)),
			Count:    a.NextCount,
		}
	}
	return t
}

// joinSlots merges slots that follow each other without a gap.
func joinSlots(slots []Slot) []Slot {
	var out []Slot
	for _, s := range slots {
		if n := len(out); n > 0 && !out[n-1].End.IsZero() && out[n-1].End.Equal(s.Start) {
			out[n-1].End = s.End
			continue
		}
		out = append(out, s)
	}
	return out
}

// Preview returns the subject and the text part that Render would produce
// for r, for commands that show a mail rather than send it.
func (c *Composer) Preview(r Reply) (subject, text string, err error) {
	lang := c.language(r.Language)
	l := c.langs[lang]
	if !l.mails[r.Template] {
		return "", "", fmt.Errorf("preview %q (%s): %w", r.Template, lang, ErrUnknownTemplate)
	}
	data := c.mailData(r, lang, l)
	if subject, err = l.subject(r.Template, data); err != nil {
		return "", "", err
	}
	if data.Ref != "" {
		subject = cleanHeader("["+data.Ref+"] "+subject, maxSubjectRunes)
	}
	data.Subject = subject
	if text, err = l.text(r.Template, data); err != nil {
		return "", "", err
	}
	return subject, text, nil
}

// sampleAgenda is Anna's Thursday for checks and golden files: three
// sessions, one ID in, free time between, two sessions on Friday.
func (c *Composer) sampleAgenda(r Reply) Reply {
	at := func(day, hour, minute int) time.Time {
		return time.Date(2026, time.November, day, hour, minute, 0, 0, c.loc)
	}
	slot := func(hour, minute, minutes int) Slot {
		start := at(26, hour, minute)
		return Slot{Start: start, End: start.Add(time.Duration(minutes) * time.Minute)}
	}
	r.To = mail.Address{Name: "Anna Berger", Address: "anna@example.com"}
	r.Generated = true
	r.Date = at(26, 7, 30)
	r.InReplyTo, r.References, r.Subject = "", nil, ""
	r.Ref, r.Why, r.AnyDeskIDMasked = "", "", ""
	r.Appointment, r.Previous, r.Proposals = Slot{}, Slot{}, nil
	r.Agenda = &Agenda{
		Day:        at(26, 0, 0),
		Technician: "Anna Berger",
		Sessions: []AgendaSession{
			{Slot: slot(9, 0, 30), Technician: "Anna Berger", CustomerName: "Maria Muster", CustomerAddress: "kundin@example.com",
				Reason: "Schulung Mahnwesen für die neue Buchhalterin", Ref: "FW-1231", IDReceived: true},
			{Slot: slot(10, 0, 30), Technician: "Anna Berger", CustomerAddress: "office@beispiel-kunde.at",
				Reason: "Rechnungen lassen sich seit dem Update nicht mehr drucken", Ref: "FW-1234"},
			{Slot: slot(14, 0, 30), Technician: "Anna Berger", CustomerName: "Jörg Weiß", CustomerAddress: "j.weiss@example.org", Ref: "FW-1240"},
		},
		Free: []Slot{slot(9, 30, 30), slot(10, 30, 30), slot(11, 0, 30), slot(11, 30, 30), slot(13, 0, 30), slot(13, 30, 30),
			slot(14, 30, 30), slot(15, 0, 30), slot(15, 30, 30), slot(16, 0, 30), slot(16, 30, 30)},
		Next:      at(27, 0, 0),
		NextCount: 2,
	}
	return r
}
