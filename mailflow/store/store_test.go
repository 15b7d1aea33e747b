package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/pgtest"
)

func open(t *testing.T) *Store { return openEngine(t, SQLite) }

func TestSaveFetchedDeduplicates(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		cur := Cursor{Mailbox: "INBOX", UIDValidity: 7, LastUID: 3}
		mails := []Fetched{
			{UID: 1, MessageID: "<a@x>", BodyHash: "h1", Raw: []byte("a")},
			{UID: 2, MessageID: "<b@x>", BodyHash: "h2", Raw: []byte("b")},
			{UID: 3, MessageID: "<a@x>", BodyHash: "h1", Raw: []byte("a again")}, // delivered twice
		}
		fresh, err := st.SaveFetched(ctx, cur, mails, "Processed")
		if err != nil {
			t.Fatal(err)
		}
		if len(fresh) != 2 {
			t.Fatalf("%d mails to decide, want 2 (the second copy is a duplicate)", len(fresh))
		}
		// The same batch again (a crash before the cursor moved on the server side):
		again, err := st.SaveFetched(ctx, cur, mails, "Processed")
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 0 {
			t.Fatalf("re-saving stored mail gave %d new rows", len(again))
		}
		// A rescan after UIDVALIDITY changed finds the same mail under new UIDs.
		rescan, err := st.SaveFetched(ctx, Cursor{Mailbox: "INBOX", UIDValidity: 8, LastUID: 1},
			[]Fetched{{UID: 1, MessageID: "<b@x>", BodyHash: "h2", Raw: []byte("b")}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(rescan) != 0 {
			t.Fatal("a rescanned mail would be decided (and answered) again")
		}
		got, ok, err := st.Cursor(ctx, "INBOX")
		if err != nil || !ok || got.UIDValidity != 8 || got.LastUID != 1 {
			t.Fatalf("cursor %+v %v %v", got, ok, err)
		}
		counts, _ := st.OutcomeCounts(ctx)
		if counts[OutcomeDuplicate] != 2 || counts[""] != 2 {
			t.Fatalf("outcomes %v", counts)
		}
		undisposed, _ := st.Undisposed(ctx, "INBOX", 7)
		if len(undisposed) != 1 || undisposed[0].UID != 3 || undisposed[0].DestFolder != "Processed" {
			t.Fatalf("duplicates must still be filed away: %+v", undisposed)
		}
	})
}

func TestDecideOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		ids, err := st.SaveFetched(ctx, Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: 1}, []Fetched{{UID: 1, MessageID: "<m@x>", BodyHash: "h", Raw: []byte("x")}}, "")
		if err != nil {
			t.Fatal(err)
		}
		decide := func() error {
			return st.InTx(ctx, func(tx *Tx) error {
				if _, err := tx.Enqueue(ctx, &OutboxMail{MessageID: "<r@us>", Purpose: "reply", Sender: "s@us", Recipient: "c@x", Raw: []byte("r")}); err != nil {
					return err
				}
				return tx.Decide(ctx, ids[0], Outcome{Outcome: "replied"})
			})
		}
		if err := decide(); err != nil {
			t.Fatal(err)
		}
		if err := decide(); !errors.Is(err, ErrAlreadyDecided) {
			t.Fatalf("second decision: %v, want ErrAlreadyDecided", err)
		}
		s, _ := st.OutboxStats(ctx)
		if s.Pending != 1 {
			t.Fatalf("%d mails queued, want exactly 1", s.Pending)
		}
		if u, _ := st.Undecided(ctx); len(u) != 0 {
			t.Fatalf("undecided %v", u)
		}
	})
}

func TestNoDoubleBooking(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		book := func(tech string) error {
			return st.InTx(ctx, func(tx *Tx) error {
				return tx.Book(ctx, &Appointment{Customer: "c@x", Technician: tech, Start: start, End: start.Add(30 * time.Minute)})
			})
		}
		if err := book("anna@x"); err != nil {
			t.Fatal(err)
		}
		if err := book("anna@x"); !errors.Is(err, ErrSlotTaken) {
			t.Fatalf("double booking: %v, want ErrSlotTaken", err)
		}
		if err := book("ben@x"); err != nil {
			t.Fatalf("another technician at the same time: %v", err)
		}
		as, _ := st.Appointments(ctx, start.Add(-time.Hour), start.Add(time.Hour))
		if len(as) != 2 || as[0].Ref == as[1].Ref {
			t.Fatalf("appointments %+v", as)
		}
	})
}

func TestDryRunChangesNothing(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		err := st.DryRun(ctx, func(tx *Tx) error {
			in, err := tx.InsertIncoming(ctx, Cursor{Mailbox: "try", UIDValidity: 1}, Fetched{UID: 1, Raw: []byte("x")})
			if err != nil {
				return err
			}
			return tx.Decide(ctx, in.ID, Outcome{Outcome: "booked"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := st.OutcomeCounts(ctx); len(c) != 0 {
			t.Fatalf("dry run left %v", c)
		}
	})
}

func TestOutboxAttempts(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		err := st.InTx(ctx, func(tx *Tx) error {
			_, err := tx.Enqueue(ctx, &OutboxMail{MessageID: "<r@us>", Purpose: "reply", Sender: "s@us", Recipient: "c@x", Raw: []byte("r")})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		next, ok, err := st.NextDue(ctx)
		if err != nil || !ok || time.Since(next) > time.Minute {
			t.Fatalf("next due %v %v %v", next, ok, err)
		}
		if s, err := st.OutboxStats(ctx); err != nil || s.OldestPending.IsZero() {
			t.Fatalf("stats %+v %v", s, err)
		}
		due, _ := st.DueMail(ctx, time.Now(), 10)
		if len(due) != 1 {
			t.Fatalf("%d due", len(due))
		}
		retry := time.Now().Add(time.Hour)
		if err := st.RecordAttempt(ctx, due[0].ID, Attempt{Temporary: true, Err: "421 busy", RetryAt: retry}); err != nil {
			t.Fatal(err)
		}
		if due, _ := st.DueMail(ctx, time.Now(), 10); len(due) != 0 {
			t.Fatal("a mail waiting for its retry is due")
		}
		if due, _ := st.DueMail(ctx, retry.Add(time.Second), 10); len(due) != 1 || due[0].Attempts != 1 {
			t.Fatalf("after the backoff: %+v", due)
		}
		if err := st.RecordAttempt(ctx, due[0].ID, Attempt{Dead: true, Err: "550 no such user"}); err != nil {
			t.Fatal(err)
		}
		s, _ := st.OutboxStats(ctx)
		if s.Dead != 1 || s.Pending != 0 {
			t.Fatalf("stats %+v", s)
		}
	})
}

func TestScheduledMailIsNoReply(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		err := st.InTx(ctx, func(tx *Tx) error {
			for i, purpose := range []string{"reminder", "agenda", "technician-notice", "booked"} {
				m := &OutboxMail{MessageID: fmt.Sprintf("<%d@us>", i), Purpose: purpose, Sender: "s@us", Recipient: "c@x", Raw: []byte("r")}
				if _, err := tx.Enqueue(ctx, m); err != nil {
					return err
				}
			}
			total, _, err := tx.MailsTo(ctx, "c@x", time.Now().Add(-time.Hour), "", 0)
			if err != nil {
				return err
			}
			if total != 1 {
				t.Errorf("per-sender count %d: only the reply counts, not reminders, agendas or notices", total)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// opener opens a fresh, empty store of one engine for a test.
type opener func(t *testing.T) *Store

// eachEngine runs test once per engine (SQLite, PostgreSQL), as subtests
// named after them.
func eachEngine(t *testing.T, test func(t *testing.T, open opener)) {
	t.Helper()
	for _, engine := range []string{SQLite, Postgres} {
		t.Run(engine, func(t *testing.T) {
			test(t, func(t *testing.T) *Store { return openEngine(t, engine) })
		})
	}
}

// openEngine opens a fresh store: a file in the test's folder, or a new
// database on the test binary's PostgreSQL.
func openEngine(t *testing.T, engine string) *Store { return openEngineTB(t, engine) }

func openEngineTB(t testing.TB, engine string) *Store {
	t.Helper()
	source := filepath.Join(t.TempDir(), "t.db")
	if engine == Postgres {
		source = pgtest.DSN(t)
	}
	st, err := Open(context.Background(), engine, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
