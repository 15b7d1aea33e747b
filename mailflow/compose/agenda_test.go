package compose

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestGoldenTeamAgenda pins the team lead's combined agenda, which differs
// from a technician's by naming the technician of each session.
func TestGoldenTeamAgenda(t *testing.T) {
	c := newTestComposer(t, "")
	for _, lang := range []string{"de", "en"} {
		r := c.sampleReply(TemplateAgenda, lang, true)
		r.To.Name, r.To.Address = "Lea Leitner", "lea@example.com"
		r.Agenda.Technician = ""
		r.Agenda.Sessions[1].Technician = "Bernd Huber"
		out, err := c.Render(r)
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		checkGolden(t, filepath.Join("testdata", "golden", "agenda.team."+lang+".eml"), out.Raw)
		pm := parseMail(t, out.Raw)
		if !strings.Contains(pm.text, "FW-1234  Bernd Huber") || !strings.Contains(pm.html, "Bernd Huber") {
			t.Errorf("%s: the team agenda does not name each session's technician:\n%s", lang, pm.text)
		}
	}
}

// TestAgendaMail checks what a technician relies on: every session in the
// given order with time, customer, reason, reference and ID status, no
// link, and the mail marked as generated rather than as a reply.
func TestAgendaMail(t *testing.T) {
	c := newTestComposer(t, "")
	for lang, want := range map[string][]string{
		"de": {"09:00–09:30  FW-1231", "Maria Muster <kundin@example.com>", "Anliegen: Schulung Mahnwesen", "AnyDesk-ID: erhalten ✓",
			"10:00–10:30  FW-1234", "AnyDesk-ID: noch nicht", "14:00–14:30  FW-1240", "Noch frei: 11 Termine", "10:30–12:00",
			"Morgen, Freitag, 27. November 2026: 2 Termine"},
		"en": {"09:00–09:30  FW-1231", "Maria Muster <kundin@example.com>", "Reason: Schulung Mahnwesen", "AnyDesk ID: received ✓",
			"10:00–10:30  FW-1234", "AnyDesk ID: not yet", "14:00–14:30  FW-1240", "Still free: 11 slots", "10:30–12:00",
			"Tomorrow, Friday, 27 November 2026: 2 sessions"},
	} {
		out, err := c.Render(c.sampleReply(TemplateAgenda, lang, true))
		if err != nil {
			t.Fatal(err)
		}
		pm := parseMail(t, out.Raw)
		at := 0
		for _, w := range want {
			i := strings.Index(pm.text[at:], w)
			if i < 0 {
				t.Errorf("%s: %q missing or out of order in:\n%s", lang, w, pm.text)
				continue
			}
			at += i
		}
		for _, part := range []string{pm.text, pm.html} {
			if strings.Contains(part, "http") || strings.Contains(part, "<a ") {
				t.Errorf("%s: the agenda carries a link:\n%s", lang, part)
			}
		}
		if got := pm.header.Get("Auto-Submitted"); got != "auto-generated" {
			t.Errorf("%s: Auto-Submitted %q, want auto-generated", lang, got)
		}
		if pm.header.Get("In-Reply-To") != "" || pm.header.Get("References") != "" {
			t.Errorf("%s: an agenda answers no mail, yet has threading headers", lang)
		}
		subject, text, err := c.Preview(c.sampleReply(TemplateAgenda, lang, true))
		if err != nil || subject != out.Subject || strings.ReplaceAll(pm.text, "\r\n", "\n") != text {
			t.Errorf("%s: Preview differs from the rendered mail (%v):\n%q\n%q", lang, err, subject, text)
		}
	}
}

// TestAgendaCustomerText puts an AnyDesk ID, markup and line breaks where a
// customer controls the agenda's content (name, reason): the ID is masked,
// the markup escaped, and each stays on its line.
func TestAgendaCustomerText(t *testing.T) {
	c := newTestComposer(t, "")
	full := regexp.MustCompile(`1\D{0,3}2\D{0,3}3\D{0,3}4\D{0,3}5\D{0,3}6\D{0,3}7\D{0,3}8\D{0,3}9`)
	for _, lang := range []string{"de", "en"} {
		r := c.sampleReply(TemplateAgenda, lang, true)
		r.Agenda.Sessions[0].CustomerName = "Maria 123 456 789"
		r.Agenda.Sessions[0].Reason = "Meine ID ist 123-456-789\r\nBcc: evil@x " + script
		out, err := c.Render(r)
		if err != nil {
			t.Fatal(err)
		}
		pm := parseMail(t, out.Raw)
		for where, s := range map[string]string{"raw": string(out.Raw), "text": pm.text, "html": pm.html} {
			if full.MatchString(s) {
				t.Errorf("%s: the full AnyDesk ID is in the %s part", lang, where)
			}
		}
		if strings.Contains(strings.ToLower(pm.html), "<script") {
			t.Errorf("%s: raw <script> in the HTML part", lang)
		}
		if !strings.Contains(pm.text, "***-***-789 Bcc: evil@x") {
			t.Errorf("%s: the reason is not one masked line:\n%s", lang, pm.text)
		}
	}
}

func TestJoinSlots(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, time.UTC) }
	s := func(h, m int) Slot { return Slot{at(h, m), at(h, m).Add(30 * time.Minute)} }
	got := joinSlots([]Slot{s(9, 0), s(9, 30), s(10, 30), s(13, 0), s(13, 30), s(14, 0)})
	want := []Slot{{at(9, 0), at(10, 0)}, {at(10, 30), at(11, 0)}, {at(13, 0), at(14, 30)}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Errorf("range %d: %v, want %v", i, got[i], want[i])
		}
	}
}
