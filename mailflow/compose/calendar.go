package compose

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// The calendar invitation as it travels: once as the text/calendar
// alternative that Outlook and Thunderbird turn into an "accept / add to
// calendar" bar, and once as an attachment for every other client. The
// attachment is application/ics, as Google sends it, so that clients which
// act on text/calendar do not see the same invitation twice.
const (
	calendarFileName    = "invite.ics"
	calendarAttachType  = "application/ics"
	calendarProductID   = "-//mailflow//mailflow//EN"
	calendarLocation    = "AnyDesk"
	maxCalendarUIDBytes = 255
	// RFC 5545 3.1: content lines SHOULD NOT be longer than 75 octets.
	maxCalendarLineOctets = 75
)

// errZoneRule is returned for a desk zone with daylight saving time on
// another rule than the EU's; see vtimezone.
var errZoneRule = errors.New("has daylight saving time on another rule than the EU's (last Sunday of March and October)")

// checkInvite refuses an invitation that clients would drop or misfile: a
// calendar entry without a time, a method we cannot word, or a UID that
// would not match the earlier invitations of the same appointment.
func checkInvite(r Reply) error {
	inv := r.Invite
	switch {
	case inv.Method != MethodRequest && inv.Method != MethodCancel:
		return fmt.Errorf("invitation method %q, want %s or %s", inv.Method, MethodRequest, MethodCancel)
	case strings.TrimSpace(inv.UID) == "":
		return errors.New("invitation without UID")
	case cleanHeader(inv.UID, maxCalendarUIDBytes) != inv.UID || len(inv.UID) > maxCalendarUIDBytes:
		// Cleaning would change the UID, and a changed UID is a second
		// appointment in the customer's calendar instead of an update.
		return fmt.Errorf("invitation UID %q is not one short line", inv.UID)
	case inv.Sequence < 0:
		return fmt.Errorf("invitation sequence %d is negative", inv.Sequence)
	case r.Appointment.Start.IsZero():
		return errors.New("invitation without an appointment")
	case !r.Appointment.End.IsZero() && !r.Appointment.End.After(r.Appointment.Start):
		return errors.New("invitation for an appointment that ends before it starts")
	}
	return nil
}

// calendar builds the iCalendar object of r's invitation to attendee (the
// checked recipient): a VTIMEZONE for the desk's zone and one VEVENT,
// folded and with CRLF line ends as RFC 5545 wants them. Summary and
// description come from the _calendar_* partials, so they are in the
// reply's language and an operator can reword them.
func (c *Composer) calendar(r Reply, attendee string, data Mail, l *language) ([]byte, error) {
	if err := checkInvite(r); err != nil {
		return nil, err
	}
	summary, err := l.partial("_calendar_summary", data)
	if err != nil {
		return nil, err
	}
	summary = cleanHeader(summary, maxSubjectRunes)
	if summary == "" {
		return nil, fmt.Errorf("%s: calendar summary is empty", l.origin["_calendar_summary.txt"])
	}
	description, err := l.partial("_calendar_description", data)
	if err != nil {
		return nil, err
	}

	start := r.Appointment.Start.In(c.loc)
	end := r.Appointment.End.In(c.loc)
	if r.Appointment.End.IsZero() {
		end = start.Add(c.slot)
	}
	// On errZoneRule tz stays nil and the times go out in UTC below.
	tz, err := vtimezone(c.loc, start.Year())
	if err != nil && !errors.Is(err, errZoneRule) {
		return nil, err
	}

	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, r.Invite.UID)
	ev.Props.Set(&ical.Prop{Name: ical.PropSequence, Params: ical.Params{}, Value: fmt.Sprint(r.Invite.Sequence)})
	ev.Props.SetDateTime(ical.PropDateTimeStamp, r.Date.UTC())
	if tz != nil {
		ev.Props.Set(zonedTime(ical.PropDateTimeStart, start))
		ev.Props.Set(zonedTime(ical.PropDateTimeEnd, end))
	} else {
		// A zone we cannot describe: UTC times are still exactly right in
		// every calendar, they only lose the desk's zone name.
		ev.Props.SetDateTime(ical.PropDateTimeStart, start.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeEnd, end.UTC())
	}
	ev.Props.SetText(ical.PropSummary, summary)
	ev.Props.SetText(ical.PropDescription, strings.TrimSpace(description))
	ev.Props.SetText(ical.PropLocation, calendarLocation)
	ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	status := ical.EventConfirmed
	if r.Invite.Method == MethodCancel {
		status = ical.EventCancelled
	}
	ev.SetStatus(status)
	ev.Props.Set(&ical.Prop{Name: ical.PropOrganizer, Params: calParams(ical.ParamCommonName, c.company), Value: "mailto:" + c.supportAddress})
	// No CN for the customer: the display name is whatever the sender typed,
	// and the built-in mails do not repeat it under the company's name.
	// RSVP=FALSE: the booking is already made by mail, an "accepted" reply
	// would only be one more mail for the desk to ignore.
	att := &ical.Prop{Name: ical.PropAttendee, Params: ical.Params{}, Value: "mailto:" + attendee}
	att.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
	att.Params.Set(ical.ParamParticipationStatus, "NEEDS-ACTION")
	att.Params.Set(ical.ParamRSVP, "FALSE")
	ev.Props.Set(att)

	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, calendarProductID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, r.Invite.Method)
	// Outlook resolves a TZID only against a VTIMEZONE it has already read.
	if tz != nil {
		cal.Children = append(cal.Children, tz)
	}
	cal.Children = append(cal.Children, ev.Component)

	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode calendar: %w", err)
	}
	return foldLines(buf.Bytes()), nil
}

// zonedTime is a DATE-TIME in the desk's zone with its TZID. go-ical's
// SetDateTime writes a UTC time in the "Z" form instead, which would leave
// a desk in UTC with a VTIMEZONE nothing refers to.
func zonedTime(name string, t time.Time) *ical.Prop {
	p := ical.NewProp(name)
	p.Params.Set(ical.ParamTimezoneID, t.Location().String())
	p.Value = t.Format("20060102T150405")
	return p
}

// calParams holds one parameter whose value is our own configured text.
// Double quotes cannot be written in a parameter at all, and a line break
// would end the content line, so both go.
func calParams(name, value string) ical.Params {
	p := ical.Params{}
	if v := strings.ReplaceAll(cleanHeader(value, maxNameRunes), `"`, ""); v != "" {
		p.Set(name, v)
	}
	return p
}

// vtimezone describes loc for the calendar of the given year. Clients need
// it because a TZID alone is only a name: Outlook, for one, ignores the IANA
// name and reads the offsets from here.
//
// It writes the EU rule (the change to summer time on the last Sunday of
// March and back on the last Sunday of October, both at 01:00 UTC) as
// yearly RRULEs, with the offsets and names taken from Go's zone data. That
// is exact for every zone following the EU rule, whatever its offset
// (London, Vienna, Helsinki). A zone without daylight saving time gets a
// single STANDARD observance. Any other zone (the US rule, the southern
// hemisphere) gets errZoneRule rather than a guess, and the caller falls
// back to UTC times: a wrong VTIMEZONE moves the customer's appointment by
// an hour without anybody noticing.
func vtimezone(loc *time.Location, year int) (*ical.Component, error) {
	first := time.Date(year, time.January, 1, 0, 0, 0, 0, loc)
	next := time.Date(year+1, time.January, 1, 0, 0, 0, 0, loc)
	// Past the transitions the zone data lists (2037 for most zones), Go
	// derives the zone from its rule and reports bounds at year ends where
	// nothing changes, and in a leap year one that does not move forward:
	// only a bound where the offset or the name changes counts, and the
	// walk always moves on (it once looped for ever on an appointment in
	// 2040).
	var changes []time.Time
	for t, steps := first, 0; steps < 1000; steps++ {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(next) {
			break
		}
		if !end.After(t) {
			t = t.Add(24 * time.Hour)
			continue
		}
		beforeName, before := end.Add(-time.Second).Zone()
		afterName, after := end.Zone()
		if before != after || beforeName != afterName {
			changes = append(changes, end)
		}
		t = end
	}

	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())

	if len(changes) == 0 {
		name, offset := first.Zone()
		// 1970 is the usual "since ever" of generated VTIMEZONEs; any
		// onset before the appointment does.
		std := observance(ical.CompTimezoneStandard, time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC), name, offset, offset)
		tz.Children = append(tz.Children, std)
		return tz, nil
	}

	spring, autumn := euChange(year, time.March), euChange(year, time.October)
	if len(changes) != 2 || !changes[0].Equal(spring) || !changes[1].Equal(autumn) {
		return nil, fmt.Errorf("time zone %s %w", loc, errZoneRule)
	}
	_, winter := spring.Add(-time.Second).In(loc).Zone()
	summerName, summer := spring.In(loc).Zone()
	winterName, back := autumn.In(loc).Zone()
	if summer <= winter || back != winter {
		return nil, fmt.Errorf("time zone %s %w", loc, errZoneRule)
	}
	// DTSTART is the wall-clock time of the first change, read on the
	// clock that was valid until then, and it must itself be a day the
	// RRULE yields: the last Sunday of that month in 1970.
	daylight := observance(ical.CompTimezoneDaylight, euChange(1970, time.March).Add(time.Duration(winter)*time.Second), summerName, winter, summer)
	daylight.Props.Set(yearlyLastSunday(time.March))
	standard := observance(ical.CompTimezoneStandard, euChange(1970, time.October).Add(time.Duration(summer)*time.Second), winterName, summer, winter)
	standard.Props.Set(yearlyLastSunday(time.October))
	tz.Children = append(tz.Children, daylight, standard)
	return tz, nil
}

// euChange is the instant clocks change under the EU rule: the last Sunday
// of month at 01:00 UTC.
func euChange(year int, month time.Month) time.Time {
	last := time.Date(year, month+1, 0, 1, 0, 0, 0, time.UTC) // day 0 is the month's last day
	return last.AddDate(0, 0, -int(last.Weekday()))
}

// observance is a STANDARD or DAYLIGHT block. onset is the wall-clock time
// given as a UTC value, because DTSTART here is local time without a zone.
func observance(kind string, onset time.Time, name string, from, to int) *ical.Component {
	o := ical.NewComponent(kind)
	dt := ical.NewProp(ical.PropDateTimeStart)
	dt.Value = onset.Format("20060102T150405")
	o.Props.Set(dt)
	o.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetFrom, Params: ical.Params{}, Value: utcOffset(from)})
	o.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetTo, Params: ical.Params{}, Value: utcOffset(to)})
	if name != "" {
		o.Props.SetText(ical.PropTimezoneName, name)
	}
	return o
}

func yearlyLastSunday(month time.Month) *ical.Prop {
	return &ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{}, Value: fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=-1SU", int(month))}
}

// utcOffset writes seconds east of UTC as RFC 5545's UTC-OFFSET: "+0100",
// with seconds only when there are any.
func utcOffset(seconds int) string {
	sign := '+'
	if seconds < 0 {
		sign, seconds = '-', -seconds
	}
	s := fmt.Sprintf("%c%02d%02d", sign, seconds/3600, seconds/60%60)
	if seconds%60 != 0 {
		s += fmt.Sprintf("%02d", seconds%60)
	}
	return s
}

// foldLines breaks every content line longer than 75 octets into a first
// line and continuation lines that start with a space (RFC 5545 3.1).
// go-ical writes each property on one line however long it is; Outlook
// copes, but other parsers cut long lines. A cut never splits a UTF-8
// sequence, so each physical line stays valid text.
func foldLines(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/maxCalendarLineOctets*3)
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\r\n"))
		b = rest
		limit := maxCalendarLineOctets
		for len(line) > limit {
			cut := limit
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			out.Write(line[:cut])
			out.WriteString("\r\n ")
			line = line[cut:]
			limit = maxCalendarLineOctets - 1 // the leading space counts
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	return out.Bytes()
}

// withCalendarAttachment turns the multipart/alternative mail go-mail wrote
// into multipart/mixed holding that alternative and ics as an attachment.
// go-mail can write such a mail itself, but only with random boundaries for
// the nested parts (a fixed one would be shared by both levels and break
// the mail), and rendering must be repeatable byte for byte.
func withCalendarAttachment(raw []byte, outerBoundary, fileName string, ics []byte) ([]byte, error) {
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		return nil, errors.New("attach calendar: mail has no body")
	}
	lines := strings.Split(string(head), "\r\n")
	kept := make([]string, 0, len(lines))
	// innerType keeps go-mail's folding: it moves into the first part's
	// header as it is.
	var innerType []string
	inContentType := false
	for _, line := range lines {
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			if inContentType {
				innerType = append(innerType, line)
				continue
			}
		} else {
			name, value, _ := strings.Cut(line, ":")
			inContentType = strings.EqualFold(strings.TrimSpace(name), "Content-Type")
			if inContentType {
				innerType = append(innerType, strings.TrimSpace(value))
				continue
			}
		}
		kept = append(kept, line)
	}
	if len(innerType) == 0 || !strings.HasPrefix(innerType[0], "multipart/alternative;") {
		return nil, fmt.Errorf("attach calendar: top-level type %q, want multipart/alternative", strings.Join(innerType, ""))
	}

	var out bytes.Buffer
	out.WriteString(strings.Join(kept, "\r\n"))
	// Folded like go-mail folds its own Content-Type, so the header block
	// reads the same with and without an attachment.
	out.WriteString("\r\nContent-Type: multipart/mixed;\r\n boundary=" + outerBoundary + "\r\n\r\n")
	mw := multipart.NewWriter(&out)
	if err := mw.SetBoundary(outerBoundary); err != nil {
		return nil, fmt.Errorf("attach calendar: %w", err)
	}
	alt, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {strings.Join(innerType, "\r\n")}})
	if err != nil {
		return nil, fmt.Errorf("attach calendar: %w", err)
	}
	if _, err := alt.Write(body); err != nil {
		return nil, fmt.Errorf("attach calendar: %w", err)
	}
	att, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {calendarAttachType + `; name="` + fileName + `"`},
		"Content-Disposition":       {`attachment; filename="` + fileName + `"`},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return nil, fmt.Errorf("attach calendar: %w", err)
	}
	if _, err := att.Write(base64Lines(ics)); err != nil {
		return nil, fmt.Errorf("attach calendar: %w", err)
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("attach calendar: %w", err)
	}
	return out.Bytes(), nil
}

// base64Lines is base64 in lines of 76 characters, as RFC 2045 allows at most.
func base64Lines(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	for len(enc) > 76 {
		out.WriteString(enc[:76])
		out.WriteString("\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc)
	return out.Bytes()
}
