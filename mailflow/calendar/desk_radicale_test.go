package calendar

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/desk"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/store"
	"github.com/mailflow/mailflow/mailflow/understand"
)

// deskWithRadicale is the desk with one technician, Anna, whose own
// calendar is on a real Radicale.
type deskWithRadicale struct {
	rad    *mailtest.Radicale
	url    string
	st     *store.Store
	d      *desk.Desk
	cache  *BusyCache
	syncer *Syncer
	now    time.Time

	cfg      *config.Config
	services map[string]Service
}

func newDeskWithRadicale(t *testing.T) *deskWithRadicale {
	t.Helper()
	rad := mailtest.StartRadicale(t)
	url := rad.MakeCalendar(t, "anna", "work")
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "config.yaml"), []byte(`
sandbox: {enabled: true}
smtp: {from: support@mail.example.com}
technicians:
  - name: Anna
    email: anna@example.com
    calendar:
      caldav: {url: "`+url+`", username: anna, password: "`+rad.Password+`"}
calendars: {timeout: 5s}
`))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.SQLite, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	slots, err := booking.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := compose.New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	services, err := Services(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &deskWithRadicale{rad: rad, url: url, st: st, d: desk.New(cfg, st, slots, c), now: at(24, 9, 0), cfg: cfg, services: services}
	f.cache = NewBusyCache(cfg, services, nil)
	f.cache.now = func() time.Time { return f.now }
	slots.SetBusySource(f.cache)
	f.syncer = NewSyncer(cfg, st, services, nil)
	return f
}

// do runs one desk request and records its mails, as the pipeline does.
func (f *deskWithRadicale) do(t *testing.T, act func(context.Context, *store.Tx, desk.Request) (*desk.Result, error), req desk.Request) *desk.Result {
	t.Helper()
	ctx := context.Background()
	req.Now, req.Key = f.now, "test/"+f.now.String()+req.Ref
	var res *desk.Result
	err := f.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if res, err = act(ctx, tx, req); err != nil {
			return err
		}
		return f.d.Record(ctx, tx, res, 0, res.Outcome)
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *deskWithRadicale) sync(t *testing.T) {
	t.Helper()
	if _, err := f.syncer.SyncDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, err := f.st.CalendarSyncStats(context.Background()); err != nil || st.Pending != 0 {
		t.Fatalf("calendar queue after sync: %+v %v\nradicale: %s", st, err, f.rad.Log())
	}
}

func wish(t time.Time) []understand.Wish {
	return []understand.Wish{{Start: t, Precision: understand.PrecisionMinute}}
}

// TestRadicaleBusyEventBlocksSlot: a dentist appointment in Anna's own
// calendar keeps a customer from booking her then; the customer gets
// proposals around it instead.
func TestRadicaleBusyEventBlocksSlot(t *testing.T) {
	f := newDeskWithRadicale(t)
	f.rad.Put(t, "anna", "work", "dentist.ics", dentist) // Thursday 26, 10:00-11:00 Vienna
	maria := desk.Actor{Role: desk.RoleCustomer, Address: "maria@example.com", Name: "Maria"}
	res := f.do(t, f.d.Book, desk.Request{Actor: maria, Wishes: wish(at(26, 10, 30))})
	if res.Outcome != desk.OutcomeProposed {
		t.Fatalf("outcome %s (%s), want proposed: Anna is at the dentist", res.Outcome, res.Detail)
	}
	for _, p := range res.Proposals {
		if p.Start.Before(at(26, 11, 0)) && p.End.After(at(26, 10, 0)) {
			t.Errorf("proposed %v, inside Anna's dentist appointment", p.Start)
		}
	}
	res = f.do(t, f.d.Book, desk.Request{Actor: maria, Wishes: wish(at(26, 11, 0))})
	if res.Outcome != desk.OutcomeBooked {
		t.Fatalf("11:00, right after the dentist: %s (%s), want booked", res.Outcome, res.Detail)
	}
}

// TestRadicaleBookingMoveCancel: a booking appears in Anna's calendar in
// Europe/Vienna, the customer's move updates the same event, and a
// cancellation removes it.
func TestRadicaleBookingMoveCancel(t *testing.T) {
	f := newDeskWithRadicale(t)
	maria := desk.Actor{Role: desk.RoleCustomer, Address: "maria@example.com", Name: "Maria Muster"}
	res := f.do(t, f.d.Book, desk.Request{Actor: maria, Wishes: wish(at(26, 14, 0)), Reason: "Mahnwesen"})
	if res.Outcome != desk.OutcomeBooked {
		t.Fatalf("outcome %s (%s)", res.Outcome, res.Detail)
	}
	ref := res.Appointment.Ref
	confirmation := res.Mails[0].MessageID
	f.sync(t)
	events := listEvents(t, f.rad, f.url)
	if len(events) != 1 {
		t.Fatalf("%d events after booking, want 1", len(events))
	}
	for _, want := range []string{"DTSTART;TZID=Europe/Vienna:20261126T140000", "DTEND;TZID=Europe/Vienna:20261126T143000",
		"TZID:Europe/Vienna", "UID:" + ref + "@mail.example.com", "Maria Muster", "Mahnwesen"} {
		if !strings.Contains(unfold(events[0]), want) {
			t.Errorf("event lacks %q:\n%s", want, events[0])
		}
	}

	// The customer answers the confirmation asking for Friday 9:00.
	f.now = at(24, 10, 0)
	res = f.do(t, f.d.Reschedule, desk.Request{Actor: maria, Ref: ref, Wishes: wish(at(27, 9, 0)), Proof: desk.Proof{Answers: []string{confirmation}}})
	if res.Outcome != desk.OutcomeRescheduled {
		t.Fatalf("reschedule: %s (%s)", res.Outcome, res.Detail)
	}
	f.sync(t)
	events = listEvents(t, f.rad, f.url)
	if len(events) != 1 || !strings.Contains(events[0], "DTSTART;TZID=Europe/Vienna:20261127T090000") || !strings.Contains(events[0], "SEQUENCE:1") {
		t.Fatalf("after the move, want one event on Friday 09:00 with SEQUENCE:1: %q", events)
	}

	res = f.do(t, f.d.Cancel, desk.Request{Actor: desk.Actor{Role: desk.RoleOperator}, Proof: desk.Proof{Operator: true}, Ref: ref, Quiet: true})
	if res.Outcome != desk.OutcomeCancelled {
		t.Fatalf("cancel: %s (%s)", res.Outcome, res.Detail)
	}
	f.sync(t)
	if events = listEvents(t, f.rad, f.url); len(events) != 0 {
		t.Fatalf("after the cancellation: %q", events)
	}
}

// TestRadicaleOutageLosesNothing: with the calendar server down a booking
// is still made at once (busy times fall back to the config), its write
// stays queued across failed attempts and a restart of the worker, and
// lands once the server is back.
func TestRadicaleOutageLosesNothing(t *testing.T) {
	f := newDeskWithRadicale(t)
	f.rad.Put(t, "anna", "work", "dentist.ics", dentist)
	f.rad.Stop()
	maria := desk.Actor{Role: desk.RoleCustomer, Address: "maria@example.com"}
	res := f.do(t, f.d.Book, desk.Request{Actor: maria, Wishes: wish(at(26, 14, 0))})
	if res.Outcome != desk.OutcomeBooked {
		t.Fatalf("booking during a calendar outage: %s (%s)", res.Outcome, res.Detail)
	}
	if st := f.cache.States(); len(st) != 1 || !st[0].Fallback || st[0].Err == "" {
		t.Errorf("calendar state during the outage %+v, want fallback with the error", st)
	}
	ctx := context.Background()
	if n, err := f.syncer.SyncDue(ctx); err != nil || n != 0 {
		t.Fatalf("sync while down: %d written, %v", n, err)
	}
	st, err := f.st.CalendarSyncStats(ctx)
	if err != nil || st.Pending != 1 || st.LastError == "" || st.Oldest.IsZero() {
		t.Fatalf("queue during the outage %+v, want the write pending with its error", st)
	}
	// A new worker (a restarted daemon) finds the write; it is due once
	// its backoff has passed.
	f.rad.Restart(t)
	f.syncer = NewSyncer(f.cfg, f.st, f.services, nil)
	f.syncer.now = func() time.Time { return time.Now().Add(time.Hour) }
	f.sync(t)
	if events := listEvents(t, f.rad, f.url); len(events) != 2 { // the dentist and our booking
		t.Fatalf("after the outage %d events, want the dentist and the booking", len(events))
	}
}

func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

// TestRadicaleForgetRemovesEvent: `mailflow forget` erases the customer's
// appointments; their events leave the technician's calendar too.
func TestRadicaleForgetRemovesEvent(t *testing.T) {
	f := newDeskWithRadicale(t)
	maria := desk.Actor{Role: desk.RoleCustomer, Address: "maria@example.com", Name: "Maria Muster"}
	if res := f.do(t, f.d.Book, desk.Request{Actor: maria, Wishes: wish(at(26, 14, 0))}); res.Outcome != desk.OutcomeBooked {
		t.Fatalf("outcome %s", res.Outcome)
	}
	f.sync(t)
	ctx := context.Background()
	if _, err := f.st.Forget(ctx, "maria@example.com"); err != nil {
		t.Fatal(err)
	}
	if n, err := f.st.QueueOrphanCalendarEvents(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("queued %d orphans, %v", n, err)
	}
	f.sync(t)
	if events := listEvents(t, f.rad, f.url); len(events) != 0 {
		t.Fatalf("a forgotten customer's session is still in the calendar: %q", events)
	}
}
