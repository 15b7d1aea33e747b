package pipeline

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	msgpkg "github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/store"
)

// TestAuthenticate: which Authentication-Results count (only the topmost
// one of a trusted server, DMARC for the From domain) and what our own
// DKIM check accepts.
func TestAuthenticate(t *testing.T) {
	p, _ := setupWith(t, "technicians: [{name: Anna, email: anna@example.com}]\ntrust: {require: authenticated, authserv_ids: [mx.example.com], dkim: true}\n")
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	p.lookupTXT = func(_ context.Context, name string) ([]string, error) {
		switch name {
		case "sel._domainkey.kunde.at", "sel._domainkey.other.example":
			return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
		}
		return nil, errors.New("no such record")
	}
	sign := func(domain string, raw []byte) []byte {
		var b bytes.Buffer
		if err := dkim.Sign(&b, bytes.NewReader(raw), &dkim.SignOptions{Domain: domain, Selector: "sel", Signer: key}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	plain := mailOf("maria@kunde.at", "Absage", "Bitte absagen.")
	ar := func(v string) string { return "Authentication-Results: " + v }
	cases := []struct {
		name string
		raw  []byte
		want auth
	}{
		{"nothing", plain, auth{}},
		{"trusted dmarc pass", mailOf("maria@kunde.at", "x", "y", ar("mx.example.com; dmarc=pass header.from=kunde.at")), auth{Authenticated: true}},
		{"trusted id in another case", mailOf("maria@kunde.at", "x", "y", ar("MX.Example.COM; dmarc=pass header.from=kunde.at")), auth{Authenticated: true}},
		{"untrusted server", mailOf("maria@kunde.at", "x", "y", ar("mx.evil.example; dmarc=pass header.from=kunde.at")), auth{}},
		{"dmarc fail", mailOf("maria@kunde.at", "x", "y", ar("mx.example.com; dmarc=fail header.from=kunde.at")), auth{Failed: true}},
		{"pass for another domain", mailOf("maria@kunde.at", "x", "y", ar("mx.example.com; dmarc=pass header.from=evil.example")), auth{Failed: true}},
		{"forged pass below our server's fail", mailOf("maria@kunde.at", "x", "y",
			ar("mx.example.com; dmarc=fail header.from=kunde.at"), ar("mx.example.com; dmarc=pass header.from=kunde.at")), auth{Failed: true}},
		{"forged pass below our server's none", mailOf("maria@kunde.at", "x", "y",
			ar("mx.example.com; dmarc=none header.from=kunde.at"), ar("mx.example.com; dmarc=pass header.from=kunde.at")), auth{}},
		{"own dkim check, From domain", sign("kunde.at", plain), auth{Authenticated: true}},
		{"own dkim check, another domain", sign("other.example", plain), auth{}},
		{"own dkim check, body changed", bytes.Replace(sign("kunde.at", plain), []byte("Bitte absagen."), []byte("Bitte verschieben."), 1), auth{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, err := msgpkg.Parse(c.raw, p.limits)
			if err != nil {
				t.Fatal(err)
			}
			got := p.authenticate(context.Background(), c.raw, msg)
			if got.Authenticated != c.want.Authenticated || got.Failed != c.want.Failed {
				t.Fatalf("authenticated %v failed %v (%s), want %v %v", got.Authenticated, got.Failed, got.Via, c.want.Authenticated, c.want.Failed)
			}
		})
	}
}

// TestConfirmChangeByReply: a cancel without proof asks the customer; a
// "Nein" to that mail changes nothing, a reply to a second one carries
// the cancellation out, and a second reply to the same mail does nothing
// more.
func TestConfirmChangeByReply(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	res, _ := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Termin", "Am 26.11.2026 um 10:00 bitte.")), now)
	ref := res.Appointment.Ref
	ask := func(uid uint32) string {
		t.Helper()
		res, err := p.Process(ctx, store1(t, st, uid, mailOf("maria@kunde.at", "Absage "+ref, fmt.Sprintf("Bitte sagen Sie meinen Termin ab. (%d)", uid))), now)
		if err != nil || res.Outcome != OutcomeHuman || len(res.Replies) != 1 || res.Templates[0] != "confirm_change" || res.Replies[0].To != "maria@kunde.at" {
			t.Fatalf("unproven cancel: %+v %v", res, err)
		}
		return res.Replies[0].MessageID
	}
	booked := func() bool {
		a, _ := st.AppointmentByRef(ctx, ref)
		return a.Status == store.StatusBooked
	}
	first := ask(2)
	res, err := p.Process(ctx, store1(t, st, 3, reply("maria@kunde.at", "Re: Bitte bestätigen", "Nein, das war ich nicht!", first, 3)), now)
	if err != nil || res.Outcome != OutcomeHuman || !booked() {
		t.Fatalf("a \"no\" cancelled the booking: %+v %v", res, err)
	}
	second := ask(4)
	// Someone else answering with the ID (they cannot know it, but say
	// they did): not from the address asked.
	res, _ = p.Process(ctx, store1(t, st, 5, reply("hans@firma.at", "Re: Bitte bestätigen", "Ja.", second, 5)), now)
	if !booked() {
		t.Fatalf("another address confirmed the change: %+v", res)
	}
	res, err = p.Process(ctx, store1(t, st, 6, reply("maria@kunde.at", "Re: Bitte bestätigen", "Ja, das war ich.", second, 6)), now)
	if err != nil || res.Outcome != OutcomeCancelled || booked() {
		t.Fatalf("the confirmed cancel: %+v %v", res, err)
	}
	if !strings.Contains(string(res.Replies[0].Raw), "METHOD:CANCEL") {
		t.Fatal("no calendar cancellation")
	}
	res, _ = p.Process(ctx, store1(t, st, 7, reply("maria@kunde.at", "Re: Bitte bestätigen", "Ja!", second, 7)), now)
	if res.Outcome == OutcomeCancelled {
		t.Fatal("a second reply carried the change out again")
	}
}

// TestRequestWithIDLinksIt: a first mail asking for a session and giving
// the AnyDesk ID books and links the ID; no proof is needed for a new
// booking.
func TestRequestWithIDLinksIt(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	res, err := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Fernwartung", "Hätten Sie am 26.11.2026 um 10:00 Zeit? Meine AnyDesk-ID ist 123 456 789.")), now)
	if err != nil || res.Outcome != OutcomeBooked {
		t.Fatalf("%+v %v", res, err)
	}
	if a, _ := st.AppointmentByRef(ctx, res.Appointment.Ref); a.AnyDeskID.String != "123456789" {
		t.Fatalf("the ID of the first mail is not linked: %+v", a.AnyDeskID)
	}
}

// damaged sends raw's body as base64 that breaks off after the text, as a
// broken mailer or a cut transfer leaves it: the text reads, what followed
// it does not.
func damaged(raw []byte) []byte {
	head, body, _ := strings.Cut(string(raw), "\r\n\r\n")
	return []byte(head + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(body)) + "\x01\x02==zz\r\n")
}

// TestDamagedMailTakesNoShortcut: a mail whose text cannot be decoded in
// full is read by a person on every path, not only the rules': a damaged
// "Ja" to our "was this you?" mail confirms nothing (what was lost might
// have said "nicht"), and a technician's damaged "Absagen" cancels nothing.
func TestDamagedMailTakesNoShortcut(t *testing.T) {
	p, st := setupWith(t, "technicians: [{name: Anna, email: anna@example.com}]\ntrust: {require: authenticated, authserv_ids: [mx.example.com]}\n")
	ctx := context.Background()
	res, _ := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Termin", "Am 26.11.2026 um 10:00 bitte.")), now)
	ref := res.Appointment.Ref
	booked := func() bool {
		a, _ := st.AppointmentByRef(ctx, ref)
		return a.Status == store.StatusBooked
	}
	res, err := p.Process(ctx, store1(t, st, 2, mailOf("maria@kunde.at", "Absage "+ref, "Bitte sagen Sie meinen Termin ab.")), now)
	if err != nil || len(res.Replies) != 1 || res.Templates[0] != "confirm_change" {
		t.Fatalf("unproven cancel: %+v %v", res, err)
	}
	asked := res.Replies[0].MessageID

	res, err = p.Process(ctx, store1(t, st, 3, damaged(reply("maria@kunde.at", "Re: Bitte bestätigen", "Ja, das war ich", asked, 3))), now)
	if err != nil || res.Outcome != OutcomeHuman || res.DestFolder != "Human" || len(res.Replies) != 0 || !booked() {
		t.Fatalf("a damaged answer carried the change out: outcome %s, folder %s, replies %v, booked %v, %v", res.Outcome, res.DestFolder, res.Templates, booked(), err)
	}
	// The question stays open: a readable "yes" still confirms it.
	res, err = p.Process(ctx, store1(t, st, 4, reply("maria@kunde.at", "Re: Bitte bestätigen", "Ja, das war ich.", asked, 4)), now)
	if err != nil || res.Outcome != OutcomeCancelled || booked() {
		t.Fatalf("the readable confirmation: %+v %v", res, err)
	}

	res, _ = p.Process(ctx, store1(t, st, 5, mailOf("hans@firma.at", "Termin", "Am 27.11.2026 um 10:00 bitte.")), now)
	ref = res.Appointment.Ref
	res, err = p.Process(ctx, store1(t, st, 6, damaged(append([]byte(authenticated), techReply("anna@example.com", "", "Re: ["+ref+"] Termin", "Absagen, bin", 6)...))), now)
	if err != nil || res.Outcome != OutcomeHuman || res.DestFolder != "Human" || len(res.Replies) != 0 || !booked() {
		t.Fatalf("a technician's damaged mail acted: outcome %s, folder %s, replies %v, booked %v, %v", res.Outcome, res.DestFolder, res.Templates, booked(), err)
	}
}
