package jobs

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/store"
)

// The session of the DST tests: Monday 30 March 2026, 10:00 CEST, the day
// after clocks went forward. Its day-before reminder is due on Friday 27
// March at 14:00 CET (13:00 UTC), its 15-minutes one at 09:45 CEST (07:45
// UTC).
var (
	dstSession   = at(2026, time.March, 30, 10, 0, 0)
	dstDayBefore = at(2026, time.March, 27, 14, 0, 0)
	dstQuarter   = at(2026, time.March, 30, 9, 45, 0)
	dstBooked    = at(2026, time.March, 20, 11, 0, 0)
)

func TestReminderDueTimesAcrossDST(t *testing.T) {
	d := newDesk(t, "")
	r := d.runner(nil)
	if got := dstDayBefore.UTC(); got != time.Date(2026, 3, 27, 13, 0, 0, 0, time.UTC) {
		t.Fatalf("test setup: %s", got)
	}
	for _, c := range []struct {
		before string
		want   time.Time
	}{
		{"day-before", dstDayBefore},
		{"15m", time.Date(2026, 3, 30, 7, 45, 0, 0, time.UTC)},
		// Whole days keep the wall-clock time: 24 hours before Monday
		// 10:00 CEST is Sunday 10:00 CEST, 48 hours Saturday 10:00 CET.
		{"24h", at(2026, 3, 29, 10, 0, 0)},
		{"48h", at(2026, 3, 28, 10, 0, 0)},
		{"25h30m", at(2026, 3, 29, 8, 30, 0)},
	} {
		rem := r.reminders[0]
		if c.before != "day-before" {
			dur, _ := time.ParseDuration(c.before)
			rem.DayBeforeAt, rem.Before = "", dur
		}
		if got := r.reminderDue(rem, dstSession); !got.Equal(c.want) {
			t.Errorf("%s: due %s, want %s", c.before, got, c.want)
		}
	}
	// The working day before a day after a public holiday: Easter Monday
	// 6 April 2026 is one, so Tuesday's day-before reminder goes out on
	// Friday 3 April (Good Friday is no public holiday in AT).
	if got := r.reminderDue(r.reminders[0], at(2026, 4, 7, 9, 0, 0)); !got.Equal(at(2026, 4, 3, 14, 0, 0)) {
		t.Errorf("day before Tuesday 7 April: %s", got)
	}
}

// TestRemindersAcrossDSTAndRestart steps a fake clock over the DST change
// and restarts (a second runner on the same database) at each due minute:
// each reminder goes out exactly once, at its time.
func TestRemindersAcrossDSTAndRestart(t *testing.T) {
	d := newDesk(t, "")
	a := d.book("anna@example.com", "maria@kunde.at", "en", dstSession, dstBooked)
	first := d.runner(d.open())
	steps := []struct {
		now  time.Time
		want int // reminders queued by this pass
	}{
		{at(2026, 3, 26, 14, 0, 0), 0},
		{dstDayBefore.Add(-30 * time.Second), 0},
		{dstDayBefore, 1},
		{dstDayBefore.Add(20 * time.Second), 0},
		{at(2026, 3, 28, 10, 0, 0), 0},
		{at(2026, 3, 29, 3, 0, 0), 0},
		{dstQuarter.Add(-30 * time.Second), 0},
		{dstQuarter, 1},
		{dstQuarter.Add(30 * time.Second), 0},
		{at(2026, 3, 30, 9, 59, 59), 0},
		{at(2026, 3, 30, 10, 5, 0), 0},
	}
	for _, s := range steps {
		if rep := pass(t, first, s.now); rep.Reminders != s.want {
			t.Errorf("pass at %s: %d reminders, want %d", s.now, rep.Reminders, s.want)
		}
		// A restart at the same minute: a fresh runner on a fresh handle.
		if rep := pass(t, d.runner(d.open()), s.now.Add(5*time.Second)); rep.Reminders != 0 {
			t.Errorf("restart at %s: %d reminders sent again", s.now, rep.Reminders)
		}
	}
	ms := d.queued(compose.TemplateReminder)
	if len(ms) != 2 {
		t.Fatalf("%d reminders queued, want 2", len(ms))
	}
	for i, key := range []string{"reminder/" + a.Ref + "/day-before", "reminder/" + a.Ref + "/before-15m"} {
		m := ms[i]
		if want := compose.MessageID(d.st.IDSecret(), "job/"+key, compose.TemplateReminder, "mail.example.com"); m.MessageID != want {
			t.Errorf("reminder %d: Message-ID %s, want the one derived from %s", i, m.MessageID, key)
		}
		h, text := readMail(t, m.Raw)
		if m.Recipient != "maria@kunde.at" || h.Get("Content-Language") != "en" || h.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("reminder %d: to %s, language %s, Auto-Submitted %s", i, m.Recipient, h.Get("Content-Language"), h.Get("Auto-Submitted"))
		}
		if !strings.Contains(text, "Monday, 30 March 2026, 10:00") || !strings.Contains(h.Get("Subject"), a.Ref) {
			t.Errorf("reminder %d does not name the session:\n%s", i, text)
		}
		// A reply to the reminder finds the appointment.
		err := d.st.InTx(context.Background(), func(tx *store.Tx) error {
			found, err := tx.FindAppointment(context.Background(), "maria@kunde.at", "", []string{m.MessageID}, dstBooked)
			if err == nil && found.Ref != a.Ref {
				t.Errorf("reply to reminder %d finds %s", i, found.Ref)
			}
			return err
		})
		if err != nil {
			t.Errorf("reply to reminder %d: %v", i, err)
		}
	}
	log, err := d.st.AuditLog(context.Background(), dstBooked, dstSession)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if e.Action == "reminder.queued" && e.Ref == a.Ref {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d reminder audit entries, want 2", n)
	}
}

// TestReminderRestartRace: two processes pass at the very same due
// instant; one reminder.
func TestReminderRestartRace(t *testing.T) {
	d := newDesk(t, "")
	d.book("anna@example.com", "maria@kunde.at", "de", dstSession, dstBooked)
	var wg sync.WaitGroup
	for range 4 {
		r := d.runner(d.open())
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.RunDue(context.Background(), dstQuarter); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(d.queued(compose.TemplateReminder)); n != 1 {
		t.Fatalf("%d reminders, want exactly 1", n)
	}
}

// TestNoReminderForCancelledOrDone: cancelled and finished sessions get no
// reminder, not even one already due.
func TestNoReminderForCancelledOrDone(t *testing.T) {
	d := newDesk(t, "")
	cancelled := d.book("anna@example.com", "maria@kunde.at", "de", dstSession, dstBooked)
	done := d.book("anna@example.com", "hans@kunde.at", "de", dstSession.Add(time.Hour), dstBooked)
	d.change(cancelled.Ref, func(tx *store.Tx, a *store.Appointment) error { return tx.Cancel(context.Background(), a) })
	d.change(done.Ref, func(tx *store.Tx, a *store.Appointment) error {
		_, err := tx.MarkDone(context.Background(), a, store.EndDone, "", time.Now(), 0)
		return err
	})
	r := d.runner(nil)
	for _, now := range []time.Time{dstDayBefore, at(2026, 3, 28, 9, 0, 0), dstQuarter, dstQuarter.Add(time.Hour)} {
		pass(t, r, now)
	}
	if n := len(d.queued(compose.TemplateReminder)); n != 0 {
		t.Fatalf("%d reminders for sessions that are not booked", n)
	}
}

// TestNoReminderBookedAfterItsTime: a session booked after a reminder's
// time gets only the reminders still ahead.
func TestNoReminderBookedAfterItsTime(t *testing.T) {
	d := newDesk(t, "")
	// Booked on Friday at 15:00, after the day-before reminder's time.
	late := d.book("anna@example.com", "maria@kunde.at", "de", dstSession, at(2026, 3, 27, 15, 0, 0))
	// Booked on Monday at 10:20 for 10:30: within the 15 minutes already.
	later := d.book("anna@example.com", "hans@kunde.at", "de", dstSession.Add(30*time.Minute), at(2026, 3, 30, 10, 20, 0))
	r := d.runner(nil)
	for _, now := range []time.Time{at(2026, 3, 27, 15, 0, 30), at(2026, 3, 28, 9, 0, 0), dstQuarter, at(2026, 3, 30, 10, 20, 30), at(2026, 3, 30, 10, 25, 0)} {
		pass(t, r, now)
	}
	ms := d.queued(compose.TemplateReminder)
	if len(ms) != 1 || ms[0].Recipient != "maria@kunde.at" {
		t.Fatalf("reminders to %v, want only %s's 15-minutes reminder (%s and %s)", recipients(ms), late.Customer, late.Ref, later.Ref)
	}
	if want := compose.MessageID(d.st.IDSecret(), "job/reminder/"+late.Ref+"/before-15m", compose.TemplateReminder, "mail.example.com"); ms[0].MessageID != want {
		t.Errorf("the reminder sent is not the 15-minutes one")
	}
}

// TestMissedReminderCatchUp: a daemon down over the day-before reminder's
// time sends it late, unless the next reminder is due as well: then only
// that one.
func TestMissedReminderCatchUp(t *testing.T) {
	d := newDesk(t, "")
	a := d.book("anna@example.com", "maria@kunde.at", "de", dstSession, dstBooked)
	b := d.book("anna@example.com", "hans@kunde.at", "de", dstSession.Add(time.Hour), dstBooked)
	r := d.runner(nil)
	// Down from Friday morning to Saturday: a's and b's day-before go late.
	if rep := pass(t, r, at(2026, 3, 28, 8, 0, 0)); rep.Reminders != 2 {
		t.Fatalf("catch-up on Saturday: %d reminders, want 2", rep.Reminders)
	}
	// Down again until Monday 10:50: a has started (nothing), b's 15
	// minutes reminder is due.
	if rep := pass(t, r, at(2026, 3, 30, 10, 50, 0)); rep.Reminders != 1 {
		t.Fatalf("Monday 10:50: %d reminders, want b's only", rep.Reminders)
	}
	// A third session whose day-before time was missed and whose
	// 15-minutes reminder is due now gets only the latter.
	c := d.book("bernd@example.com", "eva@kunde.at", "de", dstSession.Add(2*time.Hour), dstBooked)
	if rep := pass(t, r, at(2026, 3, 30, 11, 46, 0)); rep.Reminders != 1 {
		t.Fatalf("Monday 11:46: %d reminders, want 1", rep.Reminders)
	}
	done, err := d.st.JobsDone(context.Background(), []string{"reminder/" + c.Ref + "/day-before", "reminder/" + c.Ref + "/before-15m",
		"reminder/" + a.Ref + "/before-15m", "reminder/" + b.Ref + "/before-15m"})
	if err != nil {
		t.Fatal(err)
	}
	if done["reminder/"+c.Ref+"/day-before"] || !done["reminder/"+c.Ref+"/before-15m"] || done["reminder/"+a.Ref+"/before-15m"] || !done["reminder/"+b.Ref+"/before-15m"] {
		t.Errorf("done keys: %v", done)
	}
}

// TestMovedSessionIsRemindedAgain: reminders belong to a time; a session
// moved to another day is reminded of its new time.
func TestMovedSessionIsRemindedAgain(t *testing.T) {
	d := newDesk(t, "")
	a := d.book("anna@example.com", "maria@kunde.at", "de", at(2026, 3, 26, 10, 0, 0), dstBooked)
	r := d.runner(nil)
	pass(t, r, at(2026, 3, 25, 14, 0, 0)) // Wednesday: the day-before reminder
	d.change(a.Ref, func(tx *store.Tx, x *store.Appointment) error {
		return tx.Move(context.Background(), x, dstSession, dstSession.Add(30*time.Minute), x.Technician)
	})
	d.backdate(a.Ref, at(2026, 3, 25, 16, 0, 0))
	pass(t, r, at(2026, 3, 26, 9, 45, 0)) // the old time's 15 minutes: nothing
	pass(t, r, dstDayBefore)
	pass(t, r, dstQuarter)
	ms := d.queued(compose.TemplateReminder)
	if len(ms) != 3 {
		t.Fatalf("%d reminders, want the old day-before one and both of the new time", len(ms))
	}
	_, text := readMail(t, ms[2].Raw)
	if !strings.Contains(text, "Montag, 30. März 2026, 10:00 Uhr") {
		t.Errorf("the reminder after the move names the wrong time:\n%s", text)
	}
}

// TestNoReminders: an empty list turns reminders off.
func TestNoReminders(t *testing.T) {
	d := newDesk(t, "")
	d.cfg.Jobs.Reminders = nil
	d.book("anna@example.com", "maria@kunde.at", "de", dstSession, dstBooked)
	r := d.runner(nil)
	for _, now := range []time.Time{dstDayBefore, dstQuarter} {
		if rep := pass(t, r, now); rep.Reminders != 0 {
			t.Fatal("a reminder without any configured")
		}
	}
}
