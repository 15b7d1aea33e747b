package compose

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// A technician's sessions as calendar entries: the same VEVENT goes into
// their own calendar (CalDAV, Microsoft 365, Google), into their
// subscribable feed, and as sessions.ics with their notice and agenda. The
// UID is the appointment's, as in the customer's invitation, so every copy
// of one session is one entry that updates in place.

// sessionsFileName is the attachment of a notice or an agenda.
const sessionsFileName = "sessions.ics"

// MethodPublish is the METHOD of a calendar that only informs (RFC 5546):
// the technician's sessions are theirs already, nobody is invited.
const MethodPublish = "PUBLISH"

// SessionEvent is one remote session in a technician's calendar.
type SessionEvent struct {
	// UID is the appointment's (SessionUID), stable across moves.
	UID string
	// Sequence counts the appointment's changes.
	Sequence   int
	Start, End time.Time
	// Summary and Description are what the technician reads (SessionText).
	Summary, Description string
	// Cancelled marks a session called off (STATUS:CANCELLED, free time).
	Cancelled bool
	// Stamp is when the entry was last changed (DTSTAMP); it keeps the
	// output repeatable.
	Stamp time.Time
}

// SessionUID is the calendar UID of the appointment with reference ref: the
// same UID the customer's invitation carries.
func SessionUID(ref, domain string) string { return ref + "@" + domain }

// SessionText words a session for the technician in the desk's language:
// the summary names the reference and the customer, the description says
// who and why. No AnyDesk ID ever goes into a calendar.
func SessionText(lang, ref, customerName, customerAddress, reason string) (summary, description string) {
	who := customerText(customerName, maxNameRunes)
	addr := cleanHeader(customerAddress, 254)
	if who == "" {
		who = addr
	}
	what := "Remote session"
	if lang == "de" {
		what = "Fernwartung"
	}
	summary = cleanHeader(strings.TrimSpace(what+" "+cleanHeader(ref, maxRefRunes)+" – "+who), maxSubjectRunes)
	lines := []string{addr}
	if r := customerText(reason, maxReasonRunes); r != "" {
		lines = append(lines, r)
	}
	return summary, strings.Join(lines, "\n")
}

// SessionCalendar builds one iCalendar object holding events, with a
// VTIMEZONE for loc so every client shows the desk's wall-clock times.
// method "" leaves METHOD out, as a CalDAV server wants a stored object.
func SessionCalendar(loc *time.Location, method string, events []SessionEvent) ([]byte, error) {
	cal, err := SessionCalendarObject(loc, method, events)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode sessions: %w", err)
	}
	return foldLines(buf.Bytes()), nil
}

// SessionCalendarObject is SessionCalendar before encoding.
func SessionCalendarObject(loc *time.Location, method string, events []SessionEvent) (*ical.Calendar, error) {
	if len(events) == 0 {
		return nil, errors.New("sessions calendar: no session")
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, calendarProductID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	if method != "" {
		cal.Props.SetText(ical.PropMethod, method)
	}
	// One VTIMEZONE per year the sessions touch: its RRULEs hold for
	// every year, but the check behind it is per year.
	var years []int
	var tz *ical.Component
	for _, e := range events {
		if y := e.Start.In(loc).Year(); !slices.Contains(years, y) {
			years = append(years, y)
			z, err := vtimezone(loc, y)
			if err != nil && !errors.Is(err, errZoneRule) {
				return nil, err
			}
			if err != nil {
				tz = nil
				break
			}
			tz = z
		}
	}
	if tz != nil {
		cal.Children = append(cal.Children, tz)
	}
	for _, e := range events {
		switch {
		case strings.TrimSpace(e.UID) == "" || cleanHeader(e.UID, maxCalendarUIDBytes) != e.UID:
			return nil, fmt.Errorf("sessions calendar: UID %q is not one short line", e.UID)
		case !e.End.After(e.Start):
			return nil, fmt.Errorf("sessions calendar: %s ends before it starts", e.UID)
		}
		ev := ical.NewEvent()
		ev.Props.SetText(ical.PropUID, e.UID)
		ev.Props.Set(&ical.Prop{Name: ical.PropSequence, Params: ical.Params{}, Value: fmt.Sprint(max(e.Sequence, 0))})
		ev.Props.SetDateTime(ical.PropDateTimeStamp, e.Stamp.UTC())
		start, end := e.Start.In(loc), e.End.In(loc)
		if tz != nil {
			ev.Props.Set(zonedTime(ical.PropDateTimeStart, start))
			ev.Props.Set(zonedTime(ical.PropDateTimeEnd, end))
		} else {
			ev.Props.SetDateTime(ical.PropDateTimeStart, start.UTC())
			ev.Props.SetDateTime(ical.PropDateTimeEnd, end.UTC())
		}
		ev.Props.SetText(ical.PropSummary, cleanHeader(e.Summary, maxSubjectRunes))
		if d := strings.TrimSpace(e.Description); d != "" {
			ev.Props.SetText(ical.PropDescription, d)
		}
		ev.Props.SetText(ical.PropLocation, calendarLocation)
		if e.Cancelled {
			ev.SetStatus(ical.EventCancelled)
			ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
		} else {
			ev.SetStatus(ical.EventConfirmed)
			ev.Props.SetText(ical.PropTransparency, "OPAQUE")
		}
		cal.Children = append(cal.Children, ev.Component)
	}
	return cal, nil
}

// sessionsOf lists the sessions r's mail carries as sessions.ics: the
// agenda's, or the one session a technician notice is about. A session
// whose reference would not make a clean UID is left out of the file
// rather than failing the mail.
func (c *Composer) sessionsOf(r Reply, lang string) []SessionEvent {
	return slices.DeleteFunc(c.allSessionsOf(r, lang), func(e SessionEvent) bool {
		return cleanHeader(e.UID, maxCalendarUIDBytes) != e.UID || !e.End.After(e.Start)
	})
}

func (c *Composer) allSessionsOf(r Reply, lang string) []SessionEvent {
	switch {
	case r.Agenda != nil:
		out := make([]SessionEvent, 0, len(r.Agenda.Sessions))
		for _, s := range r.Agenda.Sessions {
			if s.Ref == "" || s.Start.IsZero() {
				continue
			}
			sum, desc := SessionText(lang, s.Ref, s.CustomerName, s.CustomerAddress, s.Reason)
			out = append(out, SessionEvent{UID: SessionUID(s.Ref, c.domain), Sequence: s.Sequence, Start: s.Start, End: s.End,
				Summary: sum, Description: desc, Stamp: r.Date})
		}
		return out
	case r.Notice != nil && r.Ref != "" && !r.Appointment.Start.IsZero():
		end := r.Appointment.End
		if end.IsZero() {
			end = r.Appointment.Start.Add(c.slot)
		}
		sum, desc := SessionText(lang, r.Ref, r.Notice.CustomerName, r.Notice.CustomerAddress, r.Notice.Reason)
		return []SessionEvent{{UID: SessionUID(r.Ref, c.domain), Sequence: r.Notice.Sequence, Start: r.Appointment.Start, End: end,
			Summary: sum, Description: desc, Stamp: r.Date, Cancelled: r.Notice.Cancelled}}
	}
	return nil
}
