package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestNeverBookAGuess: a reading we are not sure of is proposed back
// ("Meinten Sie …?") with our reading first, never booked.
func TestNeverBookAGuess(t *testing.T) {
	cases := []struct {
		name, body string
		first      time.Time // the guess offered first
	}{
		{"misspelt weekday", "Ginge am Donnertag um 10 Uhr eine Fernwartung?", time.Date(2026, 11, 26, 10, 0, 0, 0, vienna)},
		{"time beside a refusal", "Montag und Dienstag sind komplett voll, ab Mittwoch 13 Uhr ginge es.", time.Date(2026, 11, 25, 13, 0, 0, 0, vienna)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, _ := setup(t)
			res, err := p.Try(context.Background(), mailOf("maria@kunde.at", "Fernwartung", c.body), now)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != OutcomeProposed || len(res.Proposals) == 0 || !res.Proposals[0].Start.Equal(c.first) {
				t.Fatalf("outcome %s, proposals %v; want a proposal starting %s", res.Outcome, res.Proposals, c.first)
			}
			if !strings.Contains(decoded(res.Replies[0].Raw), "Meinten Sie") {
				t.Errorf("the proposal does not ask whether we read it right:\n%s", res.Replies[0].Raw)
			}
		})
	}
}

// decoded undoes quoted-printable soft breaks and the umlauts we look for.
func decoded(raw []byte) string {
	s := strings.ReplaceAll(string(raw), "=\r\n", "")
	return strings.NewReplacer("=C3=BC", "ü", "=E2=80=9E", "„", "=E2=80=9C", "“").Replace(s)
}

func TestTimeAndIDInOneMailBooksAndLinks(t *testing.T) {
	p, _ := setup(t)
	res, err := p.Try(context.Background(), mailOf("maria@kunde.at", "Fernwartung", "Donnerstag 10 Uhr? Meine ID ist 318 552 907."), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeBooked || len(res.Replies) != 1 || res.Templates[0] != "confirmation" {
		t.Fatalf("outcome %s, templates %v (%s)", res.Outcome, res.Templates, res.Detail)
	}
	if a := res.Appointment; a.AnyDeskID.String != "318552907" || !a.Start.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, vienna)) {
		t.Fatalf("booked %s with ID %q", a.Start, a.AnyDeskID.String)
	}
}

func TestAliasGoesToAPerson(t *testing.T) {
	p, _ := setup(t)
	res, err := p.Try(context.Background(), mailOf("maria@kunde.at", "ID", "Bei uns steht im AnyDesk keine Nummer, sondern huber@ad."), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeHuman || len(res.Replies) != 0 {
		t.Fatalf("outcome %s, %d replies", res.Outcome, len(res.Replies))
	}
}

// calendarReply is a calendar client's iTIP answer to our invitation uid.
func calendarReply(from, uid, method, partstat string, start time.Time, inReplyTo string) []byte {
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:" + method + "\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20261124T091500Z\r\nDTSTART:" + start.UTC().Format("20060102T150405Z") + "\r\n"
	if partstat != "" {
		ics += "ATTENDEE;PARTSTAT=" + partstat + ":mailto:" + from + "\r\n"
	}
	ics += "END:VEVENT\r\nEND:VCALENDAR\r\n"
	return []byte("From: " + from + "\r\nTo: support@example.com\r\nSubject: Antwort: Ihr Fernwartungstermin\r\n" +
		"Date: Tue, 24 Nov 2026 09:30:00 +0100\r\nMessage-ID: <cal-" + method + partstat + "@kunde.at>\r\nIn-Reply-To: " + inReplyTo +
		"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAnswer from my calendar.\r\n" +
		"--b\r\nContent-Type: text/calendar; method=" + method + "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + ics + "--b--\r\n")
}

func TestCalendarAnswersToOurInvitation(t *testing.T) {
	booked := time.Date(2026, 11, 26, 10, 0, 0, 0, vienna)
	counter := time.Date(2026, 11, 27, 9, 0, 0, 0, vienna)
	cases := []struct {
		method, partstat string
		outcome          string
		replies          int
		status           string
		start            time.Time
	}{
		{"REPLY", "ACCEPTED", OutcomeIgnoreAuto, 0, "booked", booked},
		{"REPLY", "TENTATIVE", OutcomeIgnoreAuto, 0, "booked", booked},
		{"REPLY", "DECLINED", OutcomeCancelled, 1, "cancelled", booked},
		{"COUNTER", "", OutcomeRescheduled, 1, "booked", counter},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.partstat, func(t *testing.T) {
			p, st := setup(t)
			ctx := context.Background()
			res, err := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Fernwartung", "Geht es am 26.11.2026 um 10 Uhr?")), now)
			if err != nil || res.Outcome != OutcomeBooked {
				t.Fatalf("booking: %+v %v", res, err)
			}
			ref, conf := res.Appointment.Ref, res.Replies[0].MessageID
			res, err = p.Process(ctx, store1(t, st, 2, calendarReply("maria@kunde.at", ref+"@"+p.cfg.Desk.MessageIDDomain, c.method, c.partstat, counter, conf)), now)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != c.outcome || len(res.Replies) != c.replies {
				t.Fatalf("outcome %s with %d replies (%s), want %s with %d", res.Outcome, len(res.Replies), res.Detail, c.outcome, c.replies)
			}
			a, err := st.AppointmentByRef(ctx, ref)
			if err != nil || a.Status != c.status || !a.Start.Equal(c.start) {
				t.Fatalf("appointment %+v %v; want %s at %s", a, err, c.status, c.start)
			}
		})
	}
}

// TestIDWithTimeFromABookedCustomerLinks: a customer with a booking who
// sends "Wir sind um 10 Uhr bereit, ID …" is not booked twice.
func TestIDWithTimeFromABookedCustomerLinks(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	res, err := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Fernwartung", "Geht es am 26.11.2026 um 10 Uhr?")), now)
	if err != nil || res.Outcome != OutcomeBooked {
		t.Fatalf("booking: %+v %v", res, err)
	}
	ref := res.Appointment.Ref
	res, err = p.Process(ctx, store1(t, st, 2, mailOf("maria@kunde.at", "AnyDesk", "Donnerstag 10 Uhr bitte, meine ID ist 318 552 907.")), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeIDLinked || res.Appointment.Ref != ref {
		t.Fatalf("outcome %s (%s), want the ID linked to %s", res.Outcome, res.Detail, ref)
	}
}

// TestCalendarAnswerWithoutProofChangesNothing: a calendar answer only
// names a booking by its UID; like any cancel or move it needs the proof
// of docs/trust.md, and one that answers none of our mails has none.
func TestCalendarAnswerWithoutProofChangesNothing(t *testing.T) {
	booked := time.Date(2026, 11, 26, 10, 0, 0, 0, vienna)
	for _, c := range []struct{ method, partstat string }{{"REPLY", "DECLINED"}, {"COUNTER", ""}} {
		t.Run(c.method+" "+c.partstat, func(t *testing.T) {
			p, st := setup(t)
			ctx := context.Background()
			res, err := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Fernwartung", "Geht es am 26.11.2026 um 10 Uhr?")), now)
			if err != nil || res.Outcome != OutcomeBooked {
				t.Fatalf("booking: %+v %v", res, err)
			}
			ref := res.Appointment.Ref
			raw := calendarReply("maria@kunde.at", ref+"@"+p.cfg.Desk.MessageIDDomain, c.method, c.partstat,
				time.Date(2026, 11, 27, 9, 0, 0, 0, vienna), "<not-ours@kunde.at>")
			res, err = p.Process(ctx, store1(t, st, 2, raw), now)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome == OutcomeCancelled || res.Outcome == OutcomeRescheduled {
				t.Fatalf("outcome %s (%s) without proof", res.Outcome, res.Detail)
			}
			a, err := st.AppointmentByRef(ctx, ref)
			if err != nil || a.Status != "booked" || !a.Start.Equal(booked) {
				t.Fatalf("appointment %+v %v; want it booked at %s", a, err, booked)
			}
		})
	}
}

// TestADayWithoutATimeLetsTheCustomerPickTheHour: "am Freitag" names no
// time, so the desk offers Friday's free times and the customer chooses;
// booking Friday's first free slot would choose for them (and book a day
// nobody asked for whenever the day was misread). Said that any time
// suits, the day's first free slot is booked at once.
func TestADayWithoutATimeLetsTheCustomerPickTheHour(t *testing.T) {
	friday := time.Date(2026, 11, 27, 0, 0, 0, 0, vienna)
	onFriday := func(s time.Time) bool { return sameDate(s, friday) }

	p, st := setup(t)
	ctx := context.Background()
	res, err := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Fernwartung", "Hätten Sie am Freitag Zeit für eine Fernwartung?")), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeProposed || len(res.Proposals) < 2 {
		t.Fatalf("outcome %s with %d proposals, want Friday's times offered", res.Outcome, len(res.Proposals))
	}
	for _, s := range res.Proposals {
		if !onFriday(s.Start) {
			t.Fatalf("offered %s, want only Friday's free times: %v", s.Start.In(vienna), res.Proposals)
		}
	}
	if first, last := res.Proposals[0].Start, res.Proposals[len(res.Proposals)-1].Start; first.In(vienna).Hour() >= 12 || last.In(vienna).Hour() < 12 {
		t.Errorf("offered %v: want a morning and an afternoon time", res.Proposals)
	}
	text := decoded(res.Replies[0].Raw)
	if !strings.Contains(text, "fehlt uns noch die Uhrzeit") || strings.Contains(text, "leider nicht anbieten") {
		t.Errorf("the proposal should ask for the hour, without regret:\n%s", text)
	}

	// An answer naming an hour only means that hour on Friday, not today,
	// whether the offer is quoted or not; a day it names stays.
	var quote strings.Builder
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		quote.WriteString("> " + line + "\n")
	}
	offer := res.Replies[0].MessageID
	for i, c := range []struct {
		answer string
		want   time.Time
	}{
		{"Lieber um 13 Uhr, danke!\n\n" + quote.String(), friday.Add(13 * time.Hour)},
		{"Lieber um 13 Uhr, danke!", friday.Add(13 * time.Hour)},
		{"am Nachmittag bitte", res.Proposals[len(res.Proposals)-1].Start}, // the afternoon time offered
		{"Die 2 bitte", res.Proposals[1].Start},
		{"Morgen um 10 wäre besser", time.Date(2026, 11, 25, 10, 0, 0, 0, vienna)},
	} {
		got, err := p.Try(ctx, reply("maria@kunde.at", "Re: Terminvorschläge", c.answer, offer, 2+i), now)
		if err != nil {
			t.Fatal(err)
		}
		if got.Outcome != OutcomeBooked || !got.Appointment.Start.Equal(c.want) {
			t.Errorf("answer %q: outcome %s (%s), appointment %v; want %s booked", strings.SplitN(c.answer, "\n", 2)[0], got.Outcome, got.Detail, got.Appointment, c.want)
		}
	}

	// Any time suits: booked at once, the day's first free slot.
	res, err = p.Process(ctx, store1(t, st, 9, mailOf("hans@firma.at", "Fernwartung", "Bitte um eine Fernwartung am Freitag, die Uhrzeit ist uns egal.")), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeBooked || !onFriday(res.Appointment.Start) {
		t.Fatalf("any time: outcome %s (%s), want booked on Friday", res.Outcome, res.Detail)
	}
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.In(vienna).Date()
	by, bm, bd := b.In(vienna).Date()
	return ay == by && am == bm && ad == bd
}
