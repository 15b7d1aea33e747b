package daemon

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/store"
)

// TestDovecotLiveCases runs the three things customers did that the desk
// used to hand to a person, on the real server: a first mail with a time
// and the AnyDesk ID, a click on "Accept" in a calendar client, and a bare
// option number in answer to our proposal.
func TestDovecotLiveCases(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	r := start(t, cfg)
	st := r.d.Store()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	slots := freeSlots(t, cfg, 40)
	sent := 0
	n := 0
	send := func(who, subject, inReplyTo, contentType, body string) {
		t.Helper()
		n++
		raw := "From: " + who + "\r\nTo: " + support + "\r\nSubject: " + subject + "\r\n" +
			"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <live-" + fmt.Sprint(n) + "@kunde.example.org>\r\nMIME-Version: 1.0\r\n"
		if inReplyTo != "" {
			raw += "In-Reply-To: " + inReplyTo + "\r\nReferences: " + inReplyTo + "\r\n"
		}
		raw += "Content-Type: " + contentType + "\r\n\r\n" + body + "\r\n"
		if err := dc.Deliver(ctx, support, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	// latest waits for the customer's inbox to hold want mails and returns the last.
	latest := func(who string, want int) (*mail.Message, string) {
		t.Helper()
		sent++
		waitSent(t, st, sent, time.Minute)
		msgs, err := dc.Fetch(ctx, who, "INBOX")
		if err != nil || len(msgs) != want {
			t.Fatalf("%s has %d mails, want %d (%v)", who, len(msgs), want, err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(msgs[want-1]))
		if err != nil {
			t.Fatal(err)
		}
		return m, decodeQP(string(msgs[want-1]))
	}
	plain := "text/plain; charset=utf-8"

	t.Run("time and ID in one first mail: booked, ID linked, one confirmation", func(t *testing.T) {
		who := "franz@kunde.example.org"
		when := slots[3]
		send(who, "Fernwartung", "", plain, fmt.Sprintf("Grüß Gott,\r\n\r\nginge am %s um %s Uhr eine Fernwartung? Meine AnyDesk-ID ist 318 552 907.\r\n\r\nFranz Gruber",
			when.Format("02.01.2006"), when.Format("15:04")))
		m, text := latest(who, 1)
		if !strings.Contains(text, "BEGIN:VEVENT") {
			t.Fatalf("not a confirmation:\n%s", text)
		}
		a, err := st.AppointmentByRef(ctx, bookingRef(t, m.Header.Get("Subject")))
		if err != nil {
			t.Fatal(err)
		}
		if !a.Start.Equal(when) || a.AnyDeskID.String != "318552907" {
			t.Fatalf("booked %s with ID %q, want %s with 318552907", a.Start, a.AnyDeskID.String, when)
		}
	})

	t.Run("calendar Accept is filed without a reply", func(t *testing.T) {
		who := "gerda@kunde.example.org"
		when := slots[6]
		send(who, "Termin", "", plain, fmt.Sprintf("Hätten Sie am %s um %s Uhr Zeit für eine Fernwartung?", when.Format("02.01.2006"), when.Format("15:04")))
		conf, _ := latest(who, 1)
		ref := bookingRef(t, conf.Header.Get("Subject"))
		ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Outlook-ish//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n" +
			"UID:" + ref + "@" + cfg.Desk.MessageIDDomain + "\r\nDTSTAMP:20261124T091500Z\r\n" +
			"DTSTART:" + when.UTC().Format("20060102T150405Z") + "\r\n" +
			"ATTENDEE;PARTSTAT=ACCEPTED:mailto:" + who + "\r\nEND:VEVENT\r\nEND:VCALENDAR"
		body := "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGerda hat die Einladung angenommen.\r\n" +
			"--b1\r\nContent-Type: text/calendar; charset=utf-8; method=REPLY\r\n\r\n" + ics + "\r\n--b1--"
		send(who, "Angenommen: "+conf.Header.Get("Subject"), conf.Header.Get("Message-ID"), `multipart/alternative; boundary="b1"`, body)
		waitFor(t, time.Minute, func() bool {
			c, err := st.OutcomeCounts(ctx)
			return err == nil && c["ignored-auto"] == 1
		}, "the acceptance filed as ignored-auto")
		// Nothing more went out, and the booking stands.
		if s, err := st.OutboxStats(ctx); err != nil || s.Sent+s.Pending != sent {
			t.Fatalf("outbox after the acceptance: %+v %v, want %d mails", s, err, sent)
		}
		if a, err := st.AppointmentByRef(ctx, ref); err != nil || a.Status != store.StatusBooked {
			t.Fatalf("booking after the acceptance: %+v %v", a, err)
		}
	})

	t.Run("a bare option number books that option", func(t *testing.T) {
		who := "hilde@kunde.example.org"
		send(who, "Fernwartung", "", plain, "Guten Tag, wir bräuchten eine Schulung per Fernwartung. Wann geht es bei Ihnen?")
		prop, text := latest(who, 1)
		if !strings.Contains(text, "2.") {
			t.Fatalf("no numbered proposals in:\n%s", text)
		}
		send(who, "AW: "+prop.Header.Get("Subject"), prop.Header.Get("Message-ID"), plain, "2 bitte\r\n\r\nHilde\r\n\r\nAm Dienstag schrieb Support <"+support+">:\r\n"+quote(text))
		conf, text := latest(who, 2)
		if !strings.Contains(text, "BEGIN:VEVENT") {
			t.Fatalf("the pick got no confirmation:\n%s", text)
		}
		a, err := st.AppointmentByRef(ctx, bookingRef(t, conf.Header.Get("Subject")))
		if err != nil || a.Status != store.StatusBooked {
			t.Fatalf("booking: %+v %v", a, err)
		}
	})
}

// quote is how a mail client quotes the text part of our mail.
func quote(raw string) string {
	i := strings.Index(raw, "Guten Tag")
	if i < 0 {
		i = 0
	}
	body := raw[i:min(len(raw), i+900)]
	return "> " + strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n> ")
}
