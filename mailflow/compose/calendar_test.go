package compose

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// TestInvitation reads each invitation back with go-ical, the way a
// calendar client would, and checks every field Thunderbird and Outlook
// need to file, update or remove the appointment.
func TestInvitation(t *testing.T) {
	c := newTestComposer(t, "")
	tests := []struct {
		name, method, status string
		sequence             int
	}{
		{TemplateConfirmation, MethodRequest, "CONFIRMED", 0},
		{TemplateRescheduled, MethodRequest, "CONFIRMED", 1},
		{TemplateCancelled, MethodCancel, "CANCELLED", 2},
	}
	summary := map[string]string{
		"de": "Fernwartung mit Beispiel Software GmbH (FW-1234)",
		"en": "Remote maintenance with Beispiel Software GmbH (FW-1234)",
	}
	for _, tt := range tests {
		for _, lang := range []string{"de", "en"} {
			t.Run(tt.name+"."+lang, func(t *testing.T) {
				r := c.sampleInvite(c.sampleReply(tt.name, lang, true))
				out, err := c.Render(r)
				if err != nil {
					t.Fatal(err)
				}
				pm := parseMail(t, out.Raw)
				wantLayout := "multipart/mixed multipart/alternative text/plain text/html text/calendar application/ics"
				if got := strings.Join(pm.layout, " "); got != wantLayout {
					t.Errorf("layout %q, want %q", got, wantLayout)
				}
				if want := "text/calendar; method=" + tt.method + "; charset=UTF-8"; pm.calendarType != want {
					t.Errorf("calendar part type %q, want %q", pm.calendarType, want)
				}
				if pm.attachment != pm.calendar {
					t.Error("the attachment differs from the calendar part")
				}
				if pm.attachmentType != `application/ics; name="invite.ics"` || pm.attachmentDisposition != `attachment; filename="invite.ics"` {
					t.Errorf("attachment %q, %q", pm.attachmentType, pm.attachmentDisposition)
				}
				for part, body := range map[string]string{"text": pm.text, "html": pm.html} {
					if !strings.Contains(flat(body), map[string]string{"de": "kalendereintrag", "en": "calendar entry"}[lang]) {
						t.Errorf("%s part does not mention the calendar entry", part)
					}
				}
				checkCalendarLines(t, []byte(pm.calendar))

				cal, err := ical.NewDecoder(strings.NewReader(pm.calendar)).Decode()
				if err != nil {
					t.Fatalf("go-ical cannot read the invitation: %v\n%s", err, pm.calendar)
				}
				wantText(t, cal.Props, ical.PropMethod, tt.method)
				wantText(t, cal.Props, ical.PropVersion, "2.0")
				wantText(t, cal.Props, ical.PropProductID, calendarProductID)

				if len(cal.Children) != 2 || cal.Children[0].Name != ical.CompTimezone || cal.Children[1].Name != ical.CompEvent {
					t.Fatalf("want VTIMEZONE then VEVENT, got %d children", len(cal.Children))
				}
				wantText(t, cal.Children[0].Props, ical.PropTimezoneID, "Europe/Vienna")

				ev := cal.Events()[0]
				wantText(t, ev.Props, ical.PropUID, "fw-1234@mail.example.com")
				if seq, err := ev.Props.Get(ical.PropSequence).Int(); err != nil || seq != tt.sequence {
					t.Errorf("SEQUENCE %d (%v), want %d", seq, err, tt.sequence)
				}
				for name, want := range map[string]time.Time{ical.PropDateTimeStart: r.Appointment.Start, ical.PropDateTimeEnd: r.Appointment.End} {
					p := ev.Props.Get(name)
					if p == nil {
						t.Fatalf("no %s", name)
					}
					if tz := p.Params.Get(ical.ParamTimezoneID); tz != "Europe/Vienna" {
						t.Errorf("%s TZID %q, want the desk's zone", name, tz)
					}
					got, err := p.DateTime(nil)
					if err != nil || !got.Equal(want) || got.Location().String() != "Europe/Vienna" {
						t.Errorf("%s = %v (%v), want %v in Europe/Vienna", name, got, err, want)
					}
				}
				if p := ev.Props.Get(ical.PropDateTimeStamp); p == nil || p.Value != "20261123T081200Z" {
					t.Errorf("DTSTAMP %v, want the mail's date in UTC", p)
				}
				org := ev.Props.Get(ical.PropOrganizer)
				if org == nil || org.Value != "mailto:support@example.com" || org.Params.Get(ical.ParamCommonName) != "Beispiel Software GmbH" {
					t.Errorf("ORGANIZER %+v", org)
				}
				att := ev.Props.Get(ical.PropAttendee)
				if att == nil || att.Value != "mailto:kundin@example.com" || att.Params.Get(ical.ParamRSVP) != "FALSE" {
					t.Errorf("ATTENDEE %+v", att)
				}
				if att != nil && att.Params.Get(ical.ParamCommonName) != "" {
					t.Errorf("ATTENDEE carries the customer's display name %q", att.Params.Get(ical.ParamCommonName))
				}
				if st, err := ev.Status(); err != nil || string(st) != tt.status {
					t.Errorf("STATUS %q (%v), want %s", st, err, tt.status)
				}
				wantText(t, ev.Props, ical.PropLocation, "AnyDesk")
				wantText(t, ev.Props, ical.PropSummary, summary[lang])

				desc, err := ev.Props.Text(ical.PropDescription)
				if err != nil {
					t.Fatal(err)
				}
				want := []string{"FW-1234", "support@example.com"}
				switch {
				case tt.method == MethodCancel && lang == "de":
					want = append(want, "abgesagt")
				case tt.method == MethodCancel:
					want = append(want, "cancelled")
				case lang == "de":
					want = append(want, "https://anydesk.com/download", closeRuleDE, "AnyDesk-ID", "Lassen Sie AnyDesk geöffnet", "Verbindungsanfrage")
				default:
					want = append(want, "https://anydesk.com/download", closeRuleEN, "AnyDesk ID", "Keep AnyDesk open", "connection request")
				}
				for _, w := range want {
					if !strings.Contains(flat(desc), flat(w)) {
						t.Errorf("DESCRIPTION lacks %q:\n%s", w, desc)
					}
				}

				// What go-ical reads, go-ical writes back to the same bytes:
				// nothing in our calendar is lost or reinterpreted on the way.
				var again bytes.Buffer
				if err := ical.NewEncoder(&again).Encode(cal); err != nil {
					t.Fatal(err)
				}
				if got := foldLines(again.Bytes()); !bytes.Equal(got, []byte(pm.calendar)) {
					t.Errorf("re-encoded calendar differs:\n%s", firstDifference(pm.calendar, string(got)))
				}
			})
		}
	}
}

func wantText(t *testing.T, props ical.Props, name, want string) {
	t.Helper()
	got, err := props.Text(name)
	if err != nil || got != want {
		t.Errorf("%s = %q (%v), want %q", name, got, err, want)
	}
}

// checkCalendarLines holds the calendar to RFC 5545 3.1: CRLF line ends,
// at most 75 octets per line, continuation lines starting with a space,
// and UTF-8 that stays valid line by line.
func checkCalendarLines(t *testing.T, cal []byte) {
	t.Helper()
	if !bytes.HasSuffix(cal, []byte("\r\n")) {
		t.Error("calendar does not end with CRLF")
	}
	if n := bytes.Count(cal, []byte("\n")); n != bytes.Count(cal, []byte("\r\n")) {
		t.Error("calendar has a line end other than CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(cal), "\r\n"), "\r\n") {
		if len(line) > maxCalendarLineOctets {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, line)
		}
		if line == "" || strings.HasPrefix(line, "\t") {
			t.Errorf("line %d is empty or starts with a tab", i+1)
		}
	}
}

// TestVTimezone checks the zone description against Go's zone data: for
// every zone on the EU rule, the RRULEs read back must change the offset at
// exactly the instants Go does, year after year.
func TestVTimezone(t *testing.T) {
	tests := []struct {
		zone            string
		daylight, onset string // daylight "" means a single STANDARD block
		wantErr         bool
	}{
		{zone: "Europe/Vienna", daylight: "+0200", onset: "19700329T020000"},
		{zone: "Europe/Berlin", daylight: "+0200", onset: "19700329T020000"},
		{zone: "Europe/London", daylight: "+0100", onset: "19700329T010000"},
		{zone: "Europe/Lisbon", daylight: "+0100", onset: "19700329T010000"},
		{zone: "Europe/Helsinki", daylight: "+0300", onset: "19700329T030000"},
		{zone: "UTC"},
		{zone: "Asia/Tokyo"},
		{zone: "America/New_York", wantErr: true},
		{zone: "Australia/Sydney", wantErr: true},
	}
	// 2038 on lies past the transitions the zone data lists, where Go
	// derives them from the zone's rule (and reports bounds where nothing
	// changes); 2040 is a leap year there, which once hung the walk.
	for _, tt := range tests {
		for _, year := range []int{2026, 2038, 2040, 2047} {
			t.Run(fmt.Sprintf("%s/%d", tt.zone, year), func(t *testing.T) {
				testVTimezone(t, tt.zone, year, tt.daylight, tt.onset, tt.wantErr)
			})
		}
	}
}

func testVTimezone(t *testing.T, zone string, year int, daylight, onset string, wantErr bool) {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Skip(err)
	}
	tz, err := vtimezone(loc, year)
	if wantErr {
		if err == nil || !strings.Contains(err.Error(), zone) {
			t.Fatalf("want an error naming %s, got %v", zone, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, tz.Props, ical.PropTimezoneID, zone)
	if daylight == "" {
		if len(tz.Children) != 1 || tz.Children[0].Name != ical.CompTimezoneStandard {
			t.Fatalf("want one STANDARD block, got %d blocks", len(tz.Children))
		}
		_, offset := time.Date(year, 7, 1, 0, 0, 0, 0, loc).Zone()
		std := tz.Children[0].Props
		if std.Get(ical.PropTimezoneOffsetTo).Value != utcOffset(offset) || std.Get(ical.PropTimezoneOffsetFrom).Value != utcOffset(offset) {
			t.Errorf("offsets %s/%s, want %s", std.Get(ical.PropTimezoneOffsetFrom).Value, std.Get(ical.PropTimezoneOffsetTo).Value, utcOffset(offset))
		}
		return
	}
	if len(tz.Children) != 2 || tz.Children[0].Name != ical.CompTimezoneDaylight || tz.Children[1].Name != ical.CompTimezoneStandard {
		t.Fatalf("want DAYLIGHT and STANDARD, got %d blocks", len(tz.Children))
	}
	if got := tz.Children[0].Props.Get(ical.PropDateTimeStart).Value; got != onset {
		t.Errorf("DAYLIGHT DTSTART %s, want %s", got, onset)
	}
	if got := tz.Children[0].Props.Get(ical.PropTimezoneOffsetTo).Value; got != daylight {
		t.Errorf("DAYLIGHT TZOFFSETTO %s, want %s", got, daylight)
	}
	for _, block := range tz.Children {
		checkObservance(t, loc, block)
	}
}

// checkObservance evaluates one STANDARD or DAYLIGHT block by hand (its
// RRULE is always "the last Sunday of BYMONTH") and compares each change it
// describes with Go's offsets around that instant.
func checkObservance(t *testing.T, loc *time.Location, block *ical.Component) {
	t.Helper()
	onset, err := time.Parse("20060102T150405", block.Props.Get(ical.PropDateTimeStart).Value)
	if err != nil {
		t.Fatal(err)
	}
	rule := block.Props.Get(ical.PropRecurrenceRule).Value
	var month int
	if _, err := fmt.Sscanf(rule, "FREQ=YEARLY;BYMONTH=%d;BYDAY=-1SU", &month); err != nil {
		t.Fatalf("RRULE %q: %v", rule, err)
	}
	if onset.Month() != time.Month(month) || onset.Weekday() != time.Sunday || onset.AddDate(0, 0, 7).Month() == onset.Month() {
		t.Errorf("%s DTSTART %s is not an instance of its RRULE %s", block.Name, onset, rule)
	}
	from := parseOffset(t, block.Props.Get(ical.PropTimezoneOffsetFrom).Value)
	to := parseOffset(t, block.Props.Get(ical.PropTimezoneOffsetTo).Value)
	for year := 2024; year <= 2035; year++ {
		day := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC)
		for day.Weekday() != time.Sunday {
			day = day.AddDate(0, 0, -1)
		}
		wall := time.Date(year, day.Month(), day.Day(), onset.Hour(), onset.Minute(), onset.Second(), 0, time.UTC)
		change := wall.Add(-time.Duration(from) * time.Second)
		_, before := change.Add(-time.Second).In(loc).Zone()
		_, after := change.In(loc).Zone()
		if before != from || after != to {
			t.Errorf("%s %d: at %s Go changes %d→%d, the VTIMEZONE says %d→%d", block.Name, year, change, before, after, from, to)
		}
	}
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		t.Fatalf("offset %q", s)
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil {
		t.Fatalf("offset %q", s)
	}
	n := h*3600 + m*60
	if s[0] == '-' {
		n = -n
	}
	return n
}

func TestUTCOffset(t *testing.T) {
	for secs, want := range map[int]string{3600: "+0100", -18000: "-0500", 0: "+0000", 19800: "+0530", 3600 + 38*60 + 5: "+013805"} {
		if got := utcOffset(secs); got != want {
			t.Errorf("utcOffset(%d) = %q, want %q", secs, got, want)
		}
	}
}

func TestFoldLines(t *testing.T) {
	long := "DESCRIPTION:" + strings.Repeat("Schließen Sie alle Programme außer unserer Software. ", 6)
	in := "BEGIN:VEVENT\r\n" + long + "\r\nSUMMARY:" + strings.Repeat("ä", 80) + "\r\nEND:VEVENT\r\n"
	out := foldLines([]byte(in))
	checkCalendarLines(t, out)
	unfolded := strings.ReplaceAll(string(out), "\r\n ", "")
	if unfolded != in {
		t.Errorf("unfolding does not give the input back:\n%q", unfolded)
	}
	short := "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
	if got := string(foldLines([]byte(short))); got != short {
		t.Errorf("short lines changed: %q", got)
	}
	exact := strings.Repeat("x", maxCalendarLineOctets) + "\r\n"
	if got := string(foldLines([]byte(exact))); got != exact {
		t.Errorf("a line of exactly 75 octets was folded: %q", got)
	}
}

func TestInvitationRefusals(t *testing.T) {
	c := newTestComposer(t, "")
	base := c.sampleInvite(c.sampleReply(TemplateConfirmation, "de", true))
	tests := map[string]func(r *Reply){
		"unknown method":      func(r *Reply) { r.Invite.Method = "PUBLISH" },
		"no UID":              func(r *Reply) { r.Invite.UID = " " },
		"UID with line break": func(r *Reply) { r.Invite.UID = "fw-1@example.com\r\nATTENDEE:mailto:x@y" },
		"negative sequence":   func(r *Reply) { r.Invite.Sequence = -1 },
		"no appointment":      func(r *Reply) { r.Appointment = Slot{} },
		"end before start":    func(r *Reply) { r.Appointment.End = r.Appointment.Start.Add(-time.Minute) },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			r := base
			inv := *base.Invite
			r.Invite = &inv
			change(&r)
			if _, err := c.Render(r); err == nil {
				t.Error("rendered")
			}
		})
	}

}

// A desk zone off the EU rule still gets a correct invitation: the times in
// UTC, no VTIMEZONE that could be wrong.
func TestInvitationOutsideEURule(t *testing.T) {
	cfg := testConfig()
	cfg.Desk.Timezone = "America/New_York"
	us, err := New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	us = us.WithSecret(testSecret)
	r := us.sampleInvite(us.sampleReply(TemplateConfirmation, "en", true))
	out, err := us.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	ics := parseMail(t, out.Raw).calendar
	checkCalendarLines(t, []byte(ics))
	cal, err := ical.NewDecoder(strings.NewReader(ics)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Children) != 1 || cal.Children[0].Name != ical.CompEvent {
		t.Fatalf("want only the VEVENT, got %d children", len(cal.Children))
	}
	ev := cal.Events()[0]
	start, err := ev.DateTimeStart(nil)
	if err != nil || !start.Equal(r.Appointment.Start) || ev.Props.Get(ical.PropDateTimeStart).Params.Get(ical.ParamTimezoneID) != "" {
		t.Errorf("DTSTART %v (%v), want %v as UTC without TZID", start, err, r.Appointment.Start)
	}
	if err := us.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestInvitationDetails(t *testing.T) {
	cfg := testConfig()
	cfg.Desk.Company = `Muster "&" Partner, Software; GmbH`
	c, err := New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithSecret(testSecret)
	r := c.sampleInvite(c.sampleReply(TemplateConfirmation, "en", true))
	r.Appointment.End = time.Time{} // the desk's slot length fills in
	r.To.Name = `Eve"; ROLE=CHAIR`
	out, err := c.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ical.NewDecoder(strings.NewReader(parseMail(t, out.Raw).calendar)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	ev := cal.Events()[0]
	if cn := ev.Props.Get(ical.PropOrganizer).Params.Get(ical.ParamCommonName); cn != "Muster & Partner, Software; GmbH" {
		t.Errorf("organizer CN %q", cn)
	}
	if att := ev.Props.Get(ical.PropAttendee); att.Params.Get(ical.ParamRole) != "REQ-PARTICIPANT" || att.Params.Get(ical.ParamCommonName) != "" {
		t.Errorf("attendee params %v", att.Params)
	}
	end, err := ev.DateTimeEnd(nil)
	if err != nil || !end.Equal(r.Appointment.Start.Add(30*time.Minute)) {
		t.Errorf("DTEND %v (%v), want start + slot length", end, err)
	}

	// A desk in UTC still names its zone, so clients never read the
	// appointment as floating local time.
	cfg = testConfig()
	cfg.Desk.Timezone = "UTC"
	utc, err := New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	utc = utc.WithSecret(testSecret)
	out, err = utc.Render(utc.sampleInvite(utc.sampleReply(TemplateConfirmation, "de", true)))
	if err != nil {
		t.Fatal(err)
	}
	ics := parseMail(t, out.Raw).calendar
	if !strings.Contains(ics, "\r\nDTSTART;TZID=UTC:20261126T100000\r\n") || !strings.Contains(ics, "\r\nTZID:UTC\r\n") {
		t.Errorf("UTC desk:\n%s", ics)
	}
}

// TestInvitationIsByteStable: the outbox recognises a resend by its bytes,
// so the attachment must not bring randomness back in.
func TestInvitationIsByteStable(t *testing.T) {
	c := newTestComposer(t, "")
	r := c.sampleInvite(c.sampleReply(TemplateRescheduled, "de", true))
	a, err := c.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	r.Date = r.Date.UTC()
	r.Appointment = Slot{Start: r.Appointment.Start.UTC(), End: r.Appointment.End.UTC()}
	b, err := c.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Raw, b.Raw) {
		t.Errorf("the same invitation rendered twice differs:\n%s", firstDifference(string(a.Raw), string(b.Raw)))
	}
}

// An operator's broken calendar partial is reported by Check with its file,
// which shows Check renders the invitation, not only the mail.
func TestCheckRendersInvitations(t *testing.T) {
	dir := writeOverrides(t, map[string]string{
		"en/_calendar_description.txt.tmpl": "{{.NoSuchField}}",
		"de/rescheduled.txt.tmpl":           "{{.Previous.NoSuchField}}",
	})
	err := newTestComposer(t, dir).Check()
	if err == nil {
		t.Fatal("Check passed a calendar partial that cannot render")
	}
	for _, w := range []string{dir + "/en/_calendar_description.txt.tmpl", "invitation sample", dir + "/de/rescheduled.txt.tmpl"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("check error does not mention %q:\n%v", w, err)
		}
	}
}
