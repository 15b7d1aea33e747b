package jobs

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/store"
)

// Thursday 26 November 2026 is an ordinary working day.
var thursday = at(2026, time.November, 26, 0, 0, 0)

// TestAgendaListsTheTechniciansBookedSessions: the agenda of a day has
// exactly that technician's booked sessions of that day, in time order,
// with customer, reason, reference and ID status, and never the ID.
func TestAgendaListsTheTechniciansBookedSessions(t *testing.T) {
	d := newDesk(t, "")
	before := at(2026, time.November, 20, 9, 0, 0)
	late := d.book("anna@example.com", "c@example.com", "de", at(2026, 11, 26, 14, 0, 0), before)
	early := d.book("anna@example.com", "a@example.com", "de", at(2026, 11, 26, 9, 0, 0), before)
	mid := d.book("anna@example.com", "b@example.com", "de", at(2026, 11, 26, 10, 0, 0), before)
	cancelled := d.book("anna@example.com", "x@example.com", "de", at(2026, 11, 26, 11, 0, 0), before)
	done := d.book("anna@example.com", "y@example.com", "de", at(2026, 11, 26, 13, 0, 0), before)
	bernds := d.book("bernd@example.com", "z@example.com", "de", at(2026, 11, 26, 9, 0, 0), before)
	yesterday := d.book("anna@example.com", "w@example.com", "de", at(2026, 11, 25, 9, 0, 0), before)
	tomorrow := d.book("anna@example.com", "v@example.com", "de", at(2026, 11, 27, 9, 0, 0), before)
	d.change(cancelled.Ref, func(tx *store.Tx, a *store.Appointment) error { return tx.Cancel(context.Background(), a) })
	d.change(done.Ref, func(tx *store.Tx, a *store.Appointment) error {
		_, err := tx.MarkDone(context.Background(), a, store.EndDone, "", time.Now(), 0)
		return err
	})
	d.change(mid.Ref, func(tx *store.Tx, a *store.Appointment) error {
		return tx.SetAnyDeskID(context.Background(), a.ID, "987654321")
	})

	r := d.runner(nil)
	if rep := pass(t, r, at(2026, 11, 26, 7, 30, 0)); rep.Agendas != 3 {
		t.Fatalf("queued %d agendas, want Anna's, Bernd's and the team lead's", rep.Agendas)
	}
	mails := d.queued(compose.TemplateAgenda)
	var anna, lead string
	for _, m := range mails {
		h, text := readMail(t, m.Raw)
		if strings.Contains(string(m.Raw), "987654321") || strings.Contains(text, "987 654 321") {
			t.Errorf("the agenda for %s carries the AnyDesk ID", m.Recipient)
		}
		if h.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("agenda for %s: Auto-Submitted %q", m.Recipient, h.Get("Auto-Submitted"))
		}
		switch m.Recipient {
		case "anna@example.com":
			anna = text
			if !strings.Contains(string(m.Raw), `filename="sessions.ics"`) {
				t.Errorf("Anna's agenda carries no sessions.ics to import her sessions")
			}
		case "lea@example.com":
			lead = text
		}
	}
	want := []string{early.Ref, "a@example.com", "Anliegen: Rechnungen drucken nicht", "AnyDesk-ID: noch nicht",
		mid.Ref, "b@example.com", "AnyDesk-ID: erhalten ✓", late.Ref, "c@example.com", "AnyDesk-ID: noch nicht",
		"Noch frei: 11 Termine", "Morgen, Freitag, 27. November 2026: 1 Termin"}
	pos := 0
	for _, w := range want {
		i := strings.Index(anna[pos:], w)
		if i < 0 {
			t.Fatalf("Anna's agenda lacks %q (or has it out of order):\n%s", w, anna)
		}
		pos += i + len(w)
	}
	for _, ref := range []string{cancelled.Ref, done.Ref, bernds.Ref, yesterday.Ref, tomorrow.Ref} {
		if strings.Contains(anna, ref) {
			t.Errorf("Anna's agenda lists %s, which is not hers, not booked or not today:\n%s", ref, anna)
		}
	}
	if !strings.Contains(anna, "09:00–09:30  "+early.Ref) || !strings.Contains(anna, "14:00–14:30  "+late.Ref) {
		t.Errorf("session times missing:\n%s", anna)
	}
	for _, w := range []string{"Tagesplan des Teams", early.Ref + "  Anna Berger", bernds.Ref + "  Bernd Huber", late.Ref} {
		if !strings.Contains(lead, w) {
			t.Errorf("the team lead's agenda lacks %q:\n%s", w, lead)
		}
	}
	if strings.Contains(lead, cancelled.Ref) || strings.Contains(lead, done.Ref) {
		t.Errorf("the team lead's agenda lists sessions that are not booked:\n%s", lead)
	}
}

// TestAgendaExactlyOnce: two runners on one database (a restart, or a
// second process) at 07:30, passes within the same minute and later ones:
// one agenda per technician and day.
func TestAgendaExactlyOnce(t *testing.T) {
	d := newDesk(t, "")
	d.book("anna@example.com", "a@example.com", "de", at(2026, 11, 26, 9, 0, 0), at(2026, 11, 20, 9, 0, 0))
	first, second := d.runner(d.open()), d.runner(d.open())
	var wg sync.WaitGroup
	for i, r := range []*Runner{first, second, first, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.RunDue(context.Background(), at(2026, 11, 26, 7, 30, i*10)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, now := range []time.Time{at(2026, 11, 26, 7, 31, 0), at(2026, 11, 26, 10, 0, 0), at(2026, 11, 26, 16, 59, 0)} {
		if rep := pass(t, d.runner(d.open()), now); rep.Agendas != 0 {
			t.Errorf("pass at %s queued %d agendas again", now.Format("15:04"), rep.Agendas)
		}
	}
	got := recipients(d.queued(compose.TemplateAgenda))
	slices.Sort(got)
	if want := []string{"anna@example.com", "bernd@example.com", "lea@example.com"}; !slices.Equal(got, want) {
		t.Fatalf("agendas went to %v, want one each to %v", got, want)
	}
	// The Message-ID is derived from the key: a copy that slipped past the
	// key would still be recognised as the same mail.
	m := d.queued(compose.TemplateAgenda)[0]
	key := "job/agenda/2026-11-26/" + m.Recipient
	if m.Recipient == "lea@example.com" {
		key = "job/agenda/2026-11-26/team"
	}
	if want := compose.MessageID(d.st.IDSecret(), key, compose.TemplateAgenda, "mail.example.com"); m.MessageID != want {
		t.Errorf("Message-ID %s, want %s", m.MessageID, want)
	}
}

// TestAgendaWhen: not before agenda_time; caught up later in the day
// while the desk is open; never after closing, on a weekend, a holiday, a
// closed day or the technician's day off.
func TestAgendaWhen(t *testing.T) {
	d := newDesk(t, "")
	r := d.runner(nil)
	cases := []struct {
		name string
		now  time.Time
		want []string
	}{
		{"before agenda_time", at(2026, 11, 26, 7, 29, 59), nil},
		{"caught up at 10:00", at(2026, 11, 26, 10, 0, 0), []string{"anna@example.com", "bernd@example.com", "lea@example.com"}},
		{"Monday after closing", at(2026, 11, 30, 17, 0, 0), nil},
		{"Friday, Bernd off, just before closing", at(2026, 11, 27, 14, 59, 0), []string{"anna@example.com", "lea@example.com"}},
		{"Saturday", at(2026, 11, 28, 10, 0, 0), nil},
		{"Sunday", at(2026, 11, 29, 10, 0, 0), nil},
		{"holiday (8 December)", at(2026, 12, 8, 10, 0, 0), nil},
		{"closed day (24 December)", at(2026, 12, 24, 10, 0, 0), nil},
		{"Monday after the weekend", at(2026, 11, 30, 7, 30, 0), []string{"anna@example.com", "bernd@example.com", "lea@example.com"}},
	}
	seen := 0
	for _, c := range cases {
		pass(t, r, c.now)
		ms := d.queued(compose.TemplateAgenda)
		got := recipients(ms[seen:])
		seen = len(ms)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: agendas to %v, want %v", c.name, got, c.want)
		}
	}
}

// TestAgendaNextWorkingDayAndFreeSlots: "next day" skips the technician's
// day off, and free slots count from now, per technician or for the desk.
func TestAgendaNextWorkingDayAndFreeSlots(t *testing.T) {
	d := newDesk(t, "")
	before := at(2026, 11, 20, 9, 0, 0)
	d.book("bernd@example.com", "a@example.com", "en", at(2026, 11, 26, 9, 0, 0), before)
	d.book("bernd@example.com", "b@example.com", "en", at(2026, 11, 30, 9, 0, 0), before)
	d.book("bernd@example.com", "c@example.com", "en", at(2026, 11, 30, 10, 0, 0), before)
	d.book("anna@example.com", "d@example.com", "en", at(2026, 11, 26, 9, 0, 0), before)
	r := d.runner(nil)
	ms, err := r.Agendas(context.Background(), thursday, "bernd@example.com", at(2026, 11, 26, 11, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("%d agendas for one technician", len(ms))
	}
	// Friday is Bernd's day off: his next working day is Monday. At 11:10
	// Thursday's free slots start at 11:30: 1 before noon, 8 after.
	for _, w := range []string{"1 Termin", "Noch frei: 9 Termine", "11:30–12:00", "13:00–17:00", "Nächster Arbeitstag, Montag, 30. November 2026: 2 Termine"} {
		if !strings.Contains(ms[0].Text, w) {
			t.Errorf("Bernd's agenda lacks %q:\n%s", w, ms[0].Text)
		}
	}
	if ms[0].Done || ms[0].Queued || len(d.queued(compose.TemplateAgenda)) != 0 {
		t.Error("printing an agenda changed something")
	}
	// The team lead's free slots are the desk's: a slot is free while
	// anybody is. At 09:00 both are busy.
	ms, err = r.Agendas(context.Background(), thursday, TeamAgenda, at(2026, 11, 26, 7, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || !strings.Contains(ms[0].Text, "Noch frei: 13 Termine") || !strings.Contains(ms[0].Text, "09:30–12:00") {
		t.Errorf("team agenda:\n%v", ms)
	}
}

// TestSendAgendasByHand: what the CLI does goes through the same key as
// the daemon, and a day that is over is refused.
func TestSendAgendasByHand(t *testing.T) {
	d := newDesk(t, "")
	r := d.runner(nil)
	now := at(2026, 11, 25, 16, 0, 0)
	ms, err := r.SendAgendas(context.Background(), thursday, "anna@example.com", now)
	if err != nil || len(ms) != 1 || !ms[0].Queued {
		t.Fatalf("send by hand: %v %+v", err, ms)
	}
	ms, err = r.SendAgendas(context.Background(), thursday, "anna@example.com", now)
	if err != nil || len(ms) != 1 || ms[0].Queued || !ms[0].Done {
		t.Fatalf("second send by hand: %v %+v", err, ms)
	}
	pass(t, r, at(2026, 11, 26, 7, 30, 0))
	got := recipients(d.queued(compose.TemplateAgenda))
	slices.Sort(got)
	if want := []string{"anna@example.com", "bernd@example.com", "lea@example.com"}; !slices.Equal(got, want) {
		t.Errorf("agendas to %v, want %v", got, want)
	}
	if _, err := r.SendAgendas(context.Background(), thursday, "", at(2026, 11, 27, 8, 0, 0)); !errors.Is(err, ErrPastDay) {
		t.Errorf("sending a past day's agenda: %v, want ErrPastDay", err)
	}
	if _, err := r.Agendas(context.Background(), thursday, "nobody@example.com", now); !errors.Is(err, ErrNoRecipient) {
		t.Errorf("agenda for a stranger: %v, want ErrNoRecipient", err)
	}
}

// TestRunLoop: Run makes a pass at once, wakes the outbox after queueing,
// and returns when its context ends.
func TestRunLoop(t *testing.T) {
	d := newDesk(t, "")
	woken := make(chan struct{}, 10)
	r := d.runner(nil, WithClock(func() time.Time { return at(2026, 11, 26, 7, 30, 5) }), WithInterval(10*time.Millisecond),
		WithQueued(func() { woken <- struct{}{} }))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	select {
	case <-woken:
	case <-time.After(time.Minute):
		t.Fatal("the outbox was not woken after the agendas were queued")
	}
	r.Wake()
	r.Wake() // never blocks
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after its context ended")
	}
	if n := len(d.queued(compose.TemplateAgenda)); n != 3 {
		t.Errorf("%d agendas after many passes, want 3", n)
	}
}

// TestHourlyPurge: the runner applies retention: a done session's ID is
// kept for the configured day and erased by the first hourly run after.
func TestHourlyPurge(t *testing.T) {
	d := newDesk(t, "retention: {anydesk_id_days: 1}\n")
	ctx := context.Background()
	start := at(2026, time.November, 24, 10, 0, 0)
	a := d.book("anna@example.com", "maria@kunde.at", "de", start, start.Add(-48*time.Hour))
	doneAt := start.Add(time.Hour)
	d.change(a.Ref, func(tx *store.Tx, a *store.Appointment) error {
		if err := tx.SetAnyDeskID(ctx, a.ID, "123456789"); err != nil {
			return err
		}
		_, err := tx.MarkDone(ctx, a, store.EndDone, "ok", doneAt, 1)
		return err
	})
	r := d.runner(d.st)
	idKept := func() bool {
		got, err := d.st.AppointmentByRef(ctx, a.Ref)
		if err != nil {
			t.Fatal(err)
		}
		return got.AnyDeskID.Valid
	}
	pass(t, r, doneAt.Add(23*time.Hour+30*time.Minute))
	if !idKept() {
		t.Fatal("the ID was erased before its retention period ended")
	}
	pass(t, r, doneAt.Add(24*time.Hour+10*time.Minute)) // due, but within the hour of the last run
	if !idKept() {
		t.Fatal("retention ran twice within an hour")
	}
	pass(t, r, doneAt.Add(24*time.Hour+40*time.Minute))
	if idKept() {
		t.Fatal("the ID outlived its retention period")
	}
}

// TestNextRunsInStatus: after a pass, status names the next agenda (the
// next working morning) and the next reminder.
func TestNextRunsInStatus(t *testing.T) {
	d := newDesk(t, "")
	ctx := context.Background()
	// Friday afternoon; the session is on Tuesday at 10:00.
	now := at(2026, time.November, 27, 16, 0, 0)
	d.book("anna@example.com", "maria@kunde.at", "de", at(2026, time.December, 1, 10, 0, 0), now.Add(-time.Hour))
	pass(t, d.runner(d.st), now)
	kv, err := d.st.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kv[StatusNextAgenda].Value, "2026-11-30T07:30:00+01:00"; got != want {
		t.Errorf("next agenda %q, want Monday 07:30 (%s)", got, want)
	}
	if got, want := kv[StatusNextReminder].Value, "2026-11-30T14:00:00+01:00"; got != want {
		t.Errorf("next reminder %q, want the day before at 14:00 (%s)", got, want)
	}
}
