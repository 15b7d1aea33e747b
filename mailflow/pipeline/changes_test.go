package pipeline

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

// reply builds a customer's answer in the thread of our mail.
func reply(from, subject, body, inReplyTo string, n int) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: support@example.com\r\nSubject: %s\r\nDate: Tue, 24 Nov 2026 09:%02d:00 +0100\r\n"+
		"Message-ID: <reply-%d@kunde.at>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, subject, 20+n, n, inReplyTo, inReplyTo, body))
}

func TestProposalAcceptCancel(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	// A holiday wish gets proposals.
	res, err := p.Process(ctx, store1(t, st, 1, mailOf("Maria <maria@kunde.at>", "Fernwartung", "Geht es am 8.12.2026 um 10 Uhr?")), now)
	if err != nil || res.Outcome != OutcomeProposed || len(res.Proposals) != 3 {
		t.Fatalf("request: %+v %v", res, err)
	}
	second := res.Proposals[1]
	proposal := res.Replies[0].MessageID

	// "der zweite passt" in the proposal's thread books the second slot.
	res, err = p.Process(ctx, store1(t, st, 2, reply("Maria <maria@kunde.at>", "Re: Terminvorschläge", "Danke, der zweite passt mir gut.", proposal, 2)), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeBooked || !res.Appointment.Start.Equal(second.Start) {
		t.Fatalf("accept: outcome %s, appointment %+v, want the second slot %s", res.Outcome, res.Appointment, second.Start)
	}
	if res.Templates[0] != "confirmation" {
		t.Fatalf("accept replied with %v", res.Templates)
	}
	ref, confirmation := res.Appointment.Ref, res.Replies[0].MessageID

	// A stranger cannot cancel it, even quoting the reference.
	res, err = p.Process(ctx, store1(t, st, 3, reply("eve@evil.example", "Re: ["+ref+"] Termin", "Bitte den Termin absagen.", confirmation, 3)), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome == OutcomeCancelled {
		t.Fatal("a stranger cancelled the customer's appointment")
	}

	// The customer cancels by replying.
	res, err = p.Process(ctx, store1(t, st, 4, reply("maria@kunde.at", "Re: ["+ref+"] Ihr Fernwartungstermin", "Bitte absagen, wir brauchen den Termin doch nicht.", confirmation, 4)), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeCancelled || res.Templates[0] != "cancelled" {
		t.Fatalf("cancel: %s %v (%s)", res.Outcome, res.Templates, res.Detail)
	}
	a, _ := st.AppointmentByRef(ctx, ref)
	if a.Status != store.StatusCancelled || a.Sequence != 1 {
		t.Fatalf("after cancel: %+v", a)
	}
}

func TestTakenMeanwhileGetsFreshProposal(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	res, _ := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Termin", "Ich brauche einen Termin für eine Schulung.")), now)
	if res.Outcome != OutcomeProposed {
		t.Fatalf("%s", res.Outcome)
	}
	first := res.Proposals[0]
	// Someone else books the first proposed slot.
	when := first.Start.In(vienna)
	other := mailOf("hans@firma.at", "Termin", fmt.Sprintf("Hätten Sie am %s um %s Uhr Zeit?", when.Format("2.1.2006"), when.Format("15:04")))
	if res, _ := p.Process(ctx, store1(t, st, 2, other), now); res.Outcome != OutcomeBooked {
		t.Fatalf("other customer: %s", res.Outcome)
	}
	res, err := p.Process(ctx, store1(t, st, 3, reply("maria@kunde.at", "Re: Termin", "Option 1 bitte.", res.Replies[0].MessageID, 3)), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeProposed || len(res.Proposals) == 0 {
		t.Fatalf("accepting a taken slot: %s, want a fresh proposal", res.Outcome)
	}
	for _, s := range res.Proposals {
		if s.Start.Equal(first.Start) {
			t.Fatal("the fresh proposal offers the taken slot again")
		}
	}
}

func TestRescheduleMovesAndKeepsUntilBooked(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	res, _ := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Termin", "Am 26.11.2026 um 10:00 bitte.")), now)
	if res.Outcome != OutcomeBooked {
		t.Fatalf("%s", res.Outcome)
	}
	ref, confirmation := res.Appointment.Ref, res.Replies[0].MessageID
	// Move to a holiday: proposals, and the old time stays booked.
	res, _ = p.Process(ctx, store1(t, st, 2, reply("maria@kunde.at", "Re: ["+ref+"] Termin", "Können wir den Termin auf den 8.12.2026 um 10 Uhr verschieben?", confirmation, 2)), now)
	if res.Outcome != OutcomeProposed {
		t.Fatalf("reschedule to a holiday: %s (%s)", res.Outcome, res.Detail)
	}
	if a, _ := st.AppointmentByRef(ctx, ref); a.Status != store.StatusBooked || a.Start.In(vienna).Hour() != 10 {
		t.Fatalf("old time given up before a new one was booked: %+v", a)
	}
	// Move to a free time: the same appointment moves, its sequence grows.
	res, err := p.Process(ctx, store1(t, st, 3, reply("maria@kunde.at", "Re: ["+ref+"] Termin", "Können wir den Termin auf den 27.11.2026 um 13:30 verschieben?", confirmation, 3)), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeRescheduled || res.Templates[0] != "rescheduled" {
		t.Fatalf("reschedule: %s %v (%s)", res.Outcome, res.Templates, res.Detail)
	}
	a, _ := st.AppointmentByRef(ctx, ref)
	if want := time.Date(2026, 11, 27, 13, 30, 0, 0, vienna); !a.Start.Equal(want) || a.Sequence != 1 || a.Status != store.StatusBooked {
		t.Fatalf("after reschedule: %+v", a)
	}
}

// TestConcurrentRequestsForOneSlot: 20 customers want the same time at once
// and two technicians work: exactly two are booked, the rest get proposals.
func TestConcurrentRequestsForOneSlot(t *testing.T) {
	p, st := setupWith(t, "technicians: [{name: Anna, email: anna@example.com}, {name: Ben, email: ben@example.com}]\n")
	ctx := context.Background()
	ids := make([]int64, 20)
	for i := range ids {
		ids[i] = store1(t, st, uint32(i+1), mailOf(fmt.Sprintf("kunde%d@kunde.at", i), "Termin", "Am 26.11.2026 um 10:00 bitte."))
	}
	var wg sync.WaitGroup
	outcomes := make([]string, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := p.Process(ctx, id, now)
			if err != nil {
				t.Error(err)
				return
			}
			outcomes[i] = res.Outcome
		}()
	}
	wg.Wait()
	n := map[string]int{}
	for _, o := range outcomes {
		n[o]++
	}
	if n[OutcomeBooked] != 2 || n[OutcomeProposed] != 18 {
		t.Fatalf("outcomes %v, want 2 booked and 18 proposed", n)
	}
	as, _ := st.Appointments(ctx, now, now.AddDate(0, 0, 7))
	if len(as) != 2 || as[0].Technician == as[1].Technician {
		t.Fatalf("bookings %+v", as)
	}
}

// TestPerSenderCap: one sender writing 20 requests gets at most the cap of
// automatic answers a day; the rest are recorded as rate-limited and go to
// a human. Sending the ID again gets no second thank-you.
func TestPerSenderCap(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	n := map[string]int{}
	for i := 0; i < 20; i++ {
		body := fmt.Sprintf("Termin am 26.11.2026 um %d:00 bitte. (%d)", 9+i%3, i)
		res, err := p.Process(ctx, store1(t, st, uint32(i+1), mailOf("flood@kunde.at", fmt.Sprintf("Termin %d", i), body)), now)
		if err != nil {
			t.Fatal(err)
		}
		n[res.Outcome]++
		if res.Outcome == OutcomeRateLimited && (len(res.Replies) != 0 || res.DestFolder != "Human") {
			t.Fatalf("rate-limited mail answered or not routed: %+v", res)
		}
	}
	if n[OutcomeRateLimited] != 15 {
		t.Fatalf("outcomes %v: want 5 answered and 15 rate-limited", n)
	}
	if s, _ := st.OutboxStats(ctx); s.Pending != 5 {
		t.Fatalf("%d mails queued to one sender, cap is 5", s.Pending)
	}
}

func TestOneThankYouPerBookingAndDay(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	if res, _ := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Termin", "Am 26.11.2026 um 10:00 bitte.")), now); res.Outcome != OutcomeBooked {
		t.Fatal(res.Outcome)
	}
	at := time.Date(2026, 11, 26, 9, 58, 0, 0, vienna)
	for i := 2; i <= 3; i++ {
		res, err := p.Process(ctx, store1(t, st, uint32(i), mailOf("maria@kunde.at", fmt.Sprintf("ID %d", i), "Meine AnyDesk-ID: 123 456 789")), at)
		if err != nil || res.Outcome != OutcomeIDLinked {
			t.Fatalf("%+v %v", res, err)
		}
	}
	pending, _ := st.Outbox(ctx, store.OutboxPending)
	to := map[string]int{}
	for _, m := range pending {
		to[m.Recipient]++
		if m.Recipient == "anna@example.com" && !strings.Contains(string(m.Raw), "123 456 789") {
			t.Error("the technician's notice lacks the full AnyDesk ID")
		}
	}
	if to["maria@kunde.at"] != 2 || to["anna@example.com"] != 1 {
		t.Fatalf("mails queued per recipient %v: want the confirmation and one thank-you for the customer, one notice for the technician", to)
	}
}
