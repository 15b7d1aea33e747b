package compose

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGoldenSessions pins the sessions.ics a technician's agenda and
// notice carry, and checks what a technician's calendar app relies on:
// the desk's zone, the appointment's UID, and no AnyDesk ID anywhere.
func TestGoldenSessions(t *testing.T) {
	c := newTestComposer(t, "")
	for _, lang := range []string{"de", "en"} {
		for _, name := range []string{TemplateAgenda, TemplateTechnicianNotice} {
			t.Run(name+"."+lang, func(t *testing.T) {
				out, err := c.Render(c.sampleReply(name, lang, true))
				if err != nil {
					t.Fatalf("render: %v", err)
				}
				pm := parseMail(t, out.Raw)
				if pm.calendar != "" {
					t.Errorf("a technician's mail has a text/calendar alternative; an invitation bar would offer to accept their own session")
				}
				if !strings.Contains(pm.attachmentDisposition, `filename="sessions.ics"`) {
					t.Fatalf("attachment disposition %q, want sessions.ics", pm.attachmentDisposition)
				}
				ics := pm.attachment
				checkGolden(t, filepath.Join("testdata", "golden", name+".sessions."+lang+".ics"), []byte(ics))
				for _, want := range []string{"METHOD:PUBLISH", "BEGIN:VTIMEZONE", "TZID:Europe/Vienna",
					"DTSTART;TZID=Europe/Vienna:20261126T100000", "UID:FW-1234@mail.example.com"} {
					if !strings.Contains(ics, want) {
						t.Errorf("sessions.ics lacks %q:\n%s", want, ics)
					}
				}
				if strings.Contains(ics, "555123987") || strings.Contains(ics, "555 123 987") {
					t.Errorf("sessions.ics carries the AnyDesk ID:\n%s", ics)
				}
			})
		}
	}
}

func TestSessionCalendarRefusesBrokenEvents(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Vienna")
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	for name, e := range map[string]SessionEvent{
		"no UID":       {Start: start, End: start.Add(time.Hour)},
		"UID with LF":  {UID: "a\nb", Start: start, End: start.Add(time.Hour)},
		"ends earlier": {UID: "a@b", Start: start, End: start.Add(-time.Hour)},
	} {
		if _, err := SessionCalendar(loc, "", []SessionEvent{e}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := SessionCalendar(loc, "", nil); err == nil {
		t.Errorf("no events: no error")
	}
}

// TestCancelledSessionNotice: the acknowledgement of a cancellation carries
// the session as cancelled, so importing it removes it rather than adding
// it back.
func TestCancelledSessionNotice(t *testing.T) {
	c := newTestComposer(t, "")
	r := c.sampleReply(TemplateTechnicianNotice, "de", true)
	r.Notice = &Notice{Kind: NoticeDone, Text: "FW-1234 abgesagt / cancelled", CustomerAddress: "kundin@example.com", Cancelled: true, Sequence: 2}
	out, err := c.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	ics := parseMail(t, out.Raw).attachment
	for _, want := range []string{"STATUS:CANCELLED", "TRANSP:TRANSPARENT", "SEQUENCE:2"} {
		if !strings.Contains(ics, want) {
			t.Errorf("sessions.ics lacks %q:\n%s", want, ics)
		}
	}
}
