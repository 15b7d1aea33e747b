package daemon

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/store"
)

// TestDovecotForgedChangesAreRefused plays an attacker whose server lets
// any From through, against a desk that trusts mx.example.com's
// Authentication-Results (trust.require: authenticated). Every forged
// change is refused and lands in the human folder, the address on file
// (never the forger) is asked to confirm, and the genuine replies — to our
// confirmation, to the neutral confirm mail and to the technician notice —
// still work.
func TestDovecotForgedChangesAreRefused(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, `
trust: {require: authenticated, authserv_ids: [mx.example.com]}
`)
	cfg.Technicians = append(cfg.Technicians, cfg.Technicians[0])
	cfg.Technicians[1].Name, cfg.Technicians[1].Email = "Bernd Bauer", "bernd@example.com"
	// Open around the clock, with the session within the hour, so an ID
	// notice goes out at once; only Anna works, so the session is hers.
	cfg.Desk.Holidays, cfg.Desk.MinNotice = "none", time.Minute
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		cfg.Desk.Hours[d] = []string{"00:00-23:30"}
	}
	cfg.Technicians[1].Absences = []string{time.Now().Format(time.DateOnly) + ".." + time.Now().AddDate(0, 0, 2).Format(time.DateOnly)}
	r := start(t, cfg)
	st := r.d.Store()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const who, anna, bernd = "maria@kunde.example.org", "anna@example.com", "bernd@example.com"
	n := 0
	deliver := func(from, subject, inReplyTo, extra, body string) {
		t.Helper()
		n++
		raw := extra + "From: " + from + "\r\nTo: " + support + "\r\nSubject: " + subject + "\r\nDate: " + time.Now().Format(time.RFC1123Z) +
			"\r\nMessage-ID: <trust-" + fmt.Sprint(n) + "@outside.example>\r\n"
		if inReplyTo != "" {
			raw += "In-Reply-To: " + inReplyTo + "\r\nReferences: " + inReplyTo + "\r\n"
		}
		raw += "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
		if err := dc.Deliver(ctx, support, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	// inbox waits for want mails in user's INBOX and returns them, with
	// their text decoded from quoted-printable.
	texts := map[string][]string{}
	inbox := func(user string, want int) []*mail.Message {
		t.Helper()
		var raws [][]byte
		waitFor(t, time.Minute, func() bool {
			raws, _ = dc.Fetch(ctx, user, "INBOX")
			return len(raws) >= want
		}, fmt.Sprintf("%d mails for %s", want, user))
		if len(raws) != want {
			t.Fatalf("%s has %d mails, want %d", user, len(raws), want)
		}
		ms := make([]*mail.Message, len(raws))
		texts[user] = nil
		for i, raw := range raws {
			m, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			ms[i] = m
			texts[user] = append(texts[user], decodeQP(string(raw)))
		}
		return ms
	}
	humans := 0
	toHuman := func(what string) {
		t.Helper()
		humans++
		waitFor(t, time.Minute, func() bool {
			raws, _ := dc.Fetch(ctx, support, "Human")
			return len(raws) >= humans
		}, what+" in the human folder")
	}
	appt := func(ref string) *store.Appointment {
		t.Helper()
		a, err := st.AppointmentByRef(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	// Maria books; her first ID needs no proof and reaches Anna at once.
	if err := dc.Deliver(ctx, support, request(who, "<want@kunde.example.org>", freeSlots0(t, cfg))); err != nil {
		t.Fatal(err)
	}
	confirmation := inbox(who, 1)[0]
	ref := bookingRef(t, confirmation.Header.Get("Subject"))
	deliver("Maria <"+who+">", "AnyDesk", "", "", "Meine AnyDesk-ID: 123 456 789")
	inbox(who, 2)
	inbox(anna, 1)

	// 1. A forged "erledigt" from Anna: nothing changes; Anna (on file) is asked.
	deliver("Anna Berger <"+anna+">", "Re: ["+ref+"] Termin", "", "", "Erledigt")
	toHuman("forged technician done")
	askAnna := inbox(anna, 2)[1]
	if !strings.Contains(mimeWord(askAnna.Header.Get("Subject")), "Bitte bestätigen") {
		t.Fatalf("Anna got %q, want the confirm request", mimeWord(askAnna.Header.Get("Subject")))
	}
	// 2. A forged cancel from Bernd, whose session it is not: refused, and
	// nobody is mailed (Bernd could not do it even if it were him).
	deliver("Bernd Bauer <"+bernd+">", "["+ref+"] absagen", "", "Authentication-Results: mx.example.com; dmarc=pass header.from=example.com\r\n", "Absagen")
	toHuman("cancel by another technician")
	// 3. A forged customer cancel that brings its own Authentication-Results
	// from a server we do not trust: ignored, refused, Maria asked.
	deliver("Maria <"+who+">", "Stornierung", "", "Authentication-Results: mx.evil.example; dmarc=pass header.from=kunde.example.org\r\n", "Bitte sagen Sie meinen Termin ab.")
	toHuman("forged customer cancel")
	inbox(who, 3)
	// 4. A forged ID change that our own server marked dmarc=fail.
	deliver("Maria <"+who+">", "Neue ID", "", "Authentication-Results: mx.example.com; dmarc=fail header.from=kunde.example.org\r\n", "Meine neue AnyDesk-ID: 999 888 777")
	toHuman("forged ID change")
	askMaria := inbox(who, 4)[3]
	a := appt(ref)
	if a.Status != store.StatusBooked || a.AnyDeskID.String != "123456789" || a.Protocol != "" {
		t.Fatalf("a forged mail changed the booking: status %s, id %s, protocol %q", a.Status, a.AnyDeskID.String, a.Protocol)
	}
	if raws, _ := dc.Fetch(ctx, bernd, "INBOX"); len(raws) != 0 {
		t.Fatalf("the forger's claimed address got %d mails", len(raws))
	}
	inbox(anna, 2) // no notice of the forged ID

	// 5. Maria answers the neutral mail: now the ID change is hers, and Anna
	// is told that the ID changed (the ID in the body, never in a subject).
	deliver("Maria <"+who+">", "Re: "+askMaria.Header.Get("Subject"), askMaria.Header.Get("Message-ID"), "", "Ja, das war ich.")
	waitFor(t, time.Minute, func() bool { return appt(ref).AnyDeskID.String == "999888777" }, "the confirmed ID change")
	changed := inbox(anna, 3)[2]
	if text := texts[anna][2]; !strings.Contains(text, "999 888 777") || !strings.Contains(text, "geändert") {
		t.Fatalf("Anna's notice does not say the ID changed:\n%s", text)
	}

	// 6. Anna answers that notice with "erledigt": done, and the ID is gone.
	deliver("Anna Berger <"+anna+">", "Re: "+changed.Header.Get("Subject"), changed.Header.Get("Message-ID"), "", "Erledigt\r\n\r\nDrucker eingerichtet.")
	waitFor(t, time.Minute, func() bool { return appt(ref).Status == store.StatusDone }, "the session marked done")
	if a := appt(ref); a.AnyDeskID.Valid || !strings.Contains(a.Protocol, "Drucker eingerichtet") {
		t.Fatalf("after done: id kept %v, protocol %q", a.AnyDeskID.Valid, a.Protocol)
	}

	for _, user := range []string{who, anna} {
		raws, _ := dc.Fetch(ctx, user, "INBOX")
		for _, raw := range raws {
			m, _ := mail.ReadMessage(bytes.NewReader(raw))
			if s := mimeWord(m.Header.Get("Subject")); strings.Contains(s, "123 456") || strings.Contains(s, "999 888") ||
				strings.Contains(s, "123456789") || strings.Contains(s, "999888777") {
				t.Errorf("an AnyDesk ID in the subject %q", s)
			}
		}
	}
}

// TestDovecotGenuineCancelAfterForgery: a customer's cancel in reply to
// our confirmation still works with the default trust.require, after a
// forged one was refused; and a second customer cannot reach the booking.
func TestDovecotGenuineCancelAfterForgery(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	r := start(t, cfg)
	st := r.d.Store()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const who, other = "maria@kunde.example.org", "hans@firma.example.org"
	if err := dc.Deliver(ctx, support, request(who, "<g1@kunde.example.org>", freeSlots(t, cfg, 1)[0])); err != nil {
		t.Fatal(err)
	}
	waitSent(t, st, 1, time.Minute)
	raws, _ := dc.Fetch(ctx, who, "INBOX")
	confirmation, err := mail.ReadMessage(bytes.NewReader(raws[0]))
	if err != nil {
		t.Fatal(err)
	}
	ref := bookingRef(t, mimeWord(confirmation.Header.Get("Subject")))
	send := func(from, id, inReplyTo, body string) {
		t.Helper()
		raw := "From: " + from + "\r\nTo: " + support + "\r\nSubject: Re: [" + ref + "] Termin\r\nDate: " + time.Now().Format(time.RFC1123Z) +
			"\r\nMessage-ID: " + id + "\r\n"
		if inReplyTo != "" {
			raw += "In-Reply-To: " + inReplyTo + "\r\n"
		}
		raw += "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
		if err := dc.Deliver(ctx, support, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	// Hans names Maria's booking number and even her confirmation's
	// Message-ID: a booking number authorises nothing, and a capability
	// is for the address it was sent to.
	send(other, "<g2@firma.example.org>", confirmation.Header.Get("Message-ID"), "Bitte absagen.")
	waitFor(t, time.Minute, func() bool { r, _ := dc.Fetch(ctx, support, "Human"); return len(r) >= 1 }, "Hans's mail with a person")
	if a, _ := st.AppointmentByRef(ctx, ref); a.Status != store.StatusBooked {
		t.Fatalf("another customer cancelled the booking: %s", a.Status)
	}
	send(who, "<g3@kunde.example.org>", confirmation.Header.Get("Message-ID"), "Bitte absagen, es hat sich erledigt.")
	waitFor(t, time.Minute, func() bool {
		a, err := st.AppointmentByRef(ctx, ref)
		return err == nil && a.Status == store.StatusCancelled
	}, "the genuine cancellation")
}

func mimeWord(s string) string {
	if d, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return d
	}
	return s
}
