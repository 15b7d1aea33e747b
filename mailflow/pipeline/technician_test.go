package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

func TestParseCommand(t *testing.T) {
	cases := []struct {
		text string
		cmd  command
		rest string
	}{
		{"Erledigt\n\nDruckertreiber neu eingestellt.", cmdDone, "Druckertreiber neu eingestellt."},
		{"done - fixed the export", cmdDone, "fixed the export"},
		{"\n  Notiz: Kunde ruft nochmal an", cmdNote, "Kunde ruft nochmal an"},
		{"absagen", cmdCancel, ""},
		{"Verschieben auf Freitag 10 Uhr", cmdReschedule, "auf Freitag 10 Uhr"},
		{"Hallo, wer übernimmt das?", cmdNone, ""},
	}
	for _, c := range cases {
		cmd, rest := parseCommand(c.text)
		if cmd != c.cmd || rest != c.rest {
			t.Errorf("%q: got %v %q, want %v %q", c.text, cmd, rest, c.cmd, c.rest)
		}
	}
}

func techReply(from, inReplyTo, subject, body string, n int) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: support@example.com\r\nSubject: %s\r\nDate: Thu, 26 Nov 2026 10:%02d:00 +0100\r\n"+
		"Message-ID: <tech-%d@example.com>\r\nIn-Reply-To: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", from, subject, 10+n, n, inReplyTo, body))
}

// TestTechnicianRunsTheDayByMail: the ID notice reaches the technician,
// whose "erledigt" reply marks the session done and removes the ID; a
// customer writing "erledigt" changes nothing of the kind.
func TestTechnicianRunsTheDayByMail(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	res, _ := p.Process(ctx, store1(t, st, 1, mailOf("Maria <maria@kunde.at>", "Termin", "Am 26.11.2026 um 10:00 bitte.")), now)
	ref := res.Appointment.Ref
	at := time.Date(2026, 11, 26, 9, 58, 0, 0, vienna)
	res, err := p.Process(ctx, store1(t, st, 2, mailOf("Maria <maria@kunde.at>", "ID", "Meine AnyDesk-ID: 123 456 789")), at)
	if err != nil || len(res.Notices) != 1 {
		t.Fatalf("ID mail: %+v %v", res, err)
	}
	notice := res.Notices[0].MessageID

	// The customer replying "erledigt" is no command.
	res, _ = p.Process(ctx, store1(t, st, 3, techReply("maria@kunde.at", notice, "Re: ["+ref+"]", "erledigt", 3)), at)
	if res.Outcome == OutcomeDone {
		t.Fatal("a customer's 'erledigt' marked the session done")
	}
	// The technician's does.
	res, err = p.Process(ctx, store1(t, st, 4, techReply("Anna <anna@example.com>", notice, "Re: AnyDesk-ID", "Erledigt\n\nRechnungsdruck repariert.", 4)), at.Add(time.Hour))
	if err != nil || res.Outcome != OutcomeDone {
		t.Fatalf("technician done: %+v %v", res, err)
	}
	a, _ := st.AppointmentByRef(ctx, ref)
	if a.Status != store.StatusDone || a.AnyDeskID.Valid || !strings.Contains(a.Protocol, "Rechnungsdruck repariert") {
		t.Fatalf("after done: status %s, id kept %v, protocol %q", a.Status, a.AnyDeskID.Valid, a.Protocol)
	}
	if len(res.Notices) != 1 || res.Notices[0].To != "anna@example.com" {
		t.Fatalf("no acknowledgement to the technician: %+v", res.Notices)
	}
}

// authenticated is the header a trusted receiving server adds to mail
// whose From domain passed DMARC.
const authenticated = "Authentication-Results: mx.example.com; dmarc=pass header.from=example.com\r\n"

// TestTechnicianCancelsAndReschedules: with trust.require authenticated, a
// technician's fresh mail naming a booking (no reply to our mail) acts,
// since the receiving server vouches for the sender.
func TestTechnicianCancelsAndReschedules(t *testing.T) {
	p, st := setupWith(t, "technicians: [{name: Anna, email: anna@example.com}]\ntrust: {require: authenticated, authserv_ids: [mx.example.com]}\n")
	ctx := context.Background()
	first, _ := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Termin", "Am 26.11.2026 um 10:00 bitte.")), now)
	second, _ := p.Process(ctx, store1(t, st, 2, mailOf("hans@firma.at", "Termin", "Am 27.11.2026 um 10:00 bitte.")), now)

	res, err := p.Process(ctx, store1(t, st, 3, append([]byte(authenticated), techReply("anna@example.com", "", "Re: ["+first.Appointment.Ref+"] Termin", "Absagen, bin krank.", 3)...)), now)
	if err != nil || res.Outcome != OutcomeCancelled {
		t.Fatalf("cancel: %+v %v", res, err)
	}
	if len(res.Replies) != 1 || res.Replies[0].To != "maria@kunde.at" || !strings.Contains(string(res.Replies[0].Raw), "METHOD:CANCEL") {
		t.Fatalf("the customer was not told of the cancellation: %+v", res.Templates)
	}

	res, err = p.Process(ctx, store1(t, st, 4, append([]byte(authenticated), techReply("anna@example.com", "", "Re: ["+second.Appointment.Ref+"]", "Verschieben auf 30.11.2026 um 14 Uhr", 4)...)), now)
	if err != nil || res.Outcome != OutcomeProposed || len(res.Proposals) == 0 {
		t.Fatalf("reschedule: %+v %v", res, err)
	}
	if res.Replies[0].To != "hans@firma.at" {
		t.Fatalf("proposals went to %s, want the customer", res.Replies[0].To)
	}
	a, _ := st.AppointmentByRef(ctx, second.Appointment.Ref)
	if a.Status != store.StatusBooked || !a.Start.Equal(second.Appointment.Start) {
		t.Fatal("the old time was given up before the customer chose a new one")
	}
	// The customer picks the first proposal: the booking moves.
	res, err = p.Process(ctx, store1(t, st, 5, reply("hans@firma.at", "Re: Termin", "Der erste passt.", res.Replies[0].MessageID, 5)), now)
	if err != nil || res.Outcome != OutcomeRescheduled {
		t.Fatalf("customer accepts: %+v %v", res, err)
	}
}
