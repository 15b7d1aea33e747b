package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/pgtest"
)

// freshSource is a new, empty database of the engine for one test.
func freshSource(t *testing.T, engine string) string {
	if engine == Postgres {
		return pgtest.DSN(t)
	}
	return filepath.Join(t.TempDir(), "t.db")
}

// TestUpgradeFromFirstSchema: a database written by the first release of
// each engine's schema, with a customer's mail, booking and reply in it,
// opens under this binary with everything still there and usable.
func TestUpgradeFromFirstSchema(t *testing.T) {
	for _, engine := range []string{SQLite, Postgres} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			source := freshSource(t, engine)
			old, err := openTo(ctx, engine, source, 1)
			if err != nil {
				t.Fatal(err)
			}
			if v, err := old.schemaVersion(ctx, old.w.runner); err != nil || v != 1 {
				t.Fatalf("frozen schema at %d (%v), want 1", v, err)
			}
			at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{"INSERT INTO cursor (mailbox, uid_validity, last_uid, updated_at) VALUES ('INBOX', 5, 12, ?)", []any{at}},
				{`INSERT INTO incoming (id, mailbox, uid_validity, uid, message_id, body_hash, size, raw, sender, received_at, state, outcome, rule, decided_at)
					VALUES (1, 'INBOX', 5, 12, '<r@kunde.example>', 'h', 20, ?, 'kunde@example.com', ?, 'decided', 'booked', 'book-request', ?)`,
					[]any{[]byte("Montag 10 Uhr bitte"), at, at}},
				{`INSERT INTO appointments (id, ref, customer, customer_name, technician, start_at, end_at, status, anydesk_id, incoming_id, created_at, updated_at)
					VALUES (7, 'FW-1007', 'kunde@example.com', 'Kunde', 'anna@example.com', ?, ?, 'booked', '123456789', 1, ?, ?)`,
					[]any{at.Add(48 * time.Hour), at.Add(49 * time.Hour), at, at}},
				{`INSERT INTO outbox (message_id, incoming_id, purpose, sender, recipient, raw, state, attempts, next_attempt_at, created_at, sent_at)
					VALUES ('<c@example.com>', 1, 'confirmation', 'support@example.com', 'kunde@example.com', ?, 'sent', 1, ?, ?, ?)`,
					[]any{[]byte("Ihr Termin FW-1007"), at, at, at}},
			} {
				if _, err := old.w.ExecContext(ctx, q.sql, q.args...); err != nil {
					t.Fatalf("%s: %v", q.sql, err)
				}
			}
			old.Close()

			st, err := Open(ctx, engine, source)
			if err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			defer st.Close()
			ms, _ := st.loadMigrations()
			if v, _ := st.schemaVersion(ctx, st.w.runner); v != ms[len(ms)-1].n {
				t.Fatalf("after the upgrade the schema is %d, want %d", v, ms[len(ms)-1].n)
			}
			in, err := st.Incoming(ctx, 1)
			if err != nil || string(in.Raw) != "Montag 10 Uhr bitte" || in.Outcome.String != "booked" {
				t.Fatalf("the stored mail after the upgrade: %+v %v", in, err)
			}
			a, err := st.AppointmentByRef(ctx, "FW-1007")
			if err != nil || a.Status != StatusBooked || a.AnyDeskID.String != "123456789" || !a.Start.Equal(at.Add(48*time.Hour)) {
				t.Fatalf("the booking after the upgrade: %+v %v", a, err)
			}
			sent, err := st.Outbox(ctx, OutboxSent)
			if err != nil || len(sent) != 1 || string(sent[0].Raw) != "Ihr Termin FW-1007" {
				t.Fatalf("the sent mail after the upgrade: %+v %v", sent, err)
			}
			if c, ok, err := st.Cursor(ctx, "INBOX"); err != nil || !ok || c.LastUID != 12 {
				t.Fatalf("the cursor after the upgrade: %+v %v %v", c, ok, err)
			}
			// A new booking gets a number never handed out before.
			err = st.InTx(ctx, func(tx *Tx) error {
				b := &Appointment{Customer: "neu@example.com", Technician: "anna@example.com", Start: at.Add(72 * time.Hour), End: at.Add(73 * time.Hour)}
				if err := tx.Book(ctx, b); err != nil {
					return err
				}
				if b.ID <= 7 {
					return fmt.Errorf("new booking got number %d, an old one has 7", b.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRefusesNewerSchema: a database a newer mailflow migrated is not
// opened (and not changed) by this one.
func TestRefusesNewerSchema(t *testing.T) {
	for _, engine := range []string{SQLite, Postgres} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			source := freshSource(t, engine)
			st, err := Open(ctx, engine, source)
			if err != nil {
				t.Fatal(err)
			}
			ms, _ := st.loadMigrations()
			newer := ms[len(ms)-1].n + 1
			set := fmt.Sprintf("PRAGMA user_version = %d", newer)
			if engine == Postgres {
				set = fmt.Sprintf("UPDATE schema_version SET version = %d", newer)
			}
			if _, err := st.w.ExecContext(ctx, set); err != nil {
				t.Fatal(err)
			}
			st.Close()
			_, err = Open(ctx, engine, source)
			if !errors.Is(err, ErrSchemaTooNew) {
				t.Fatalf("opening a newer schema: %v, want ErrSchemaTooNew", err)
			}
		})
	}
}

// pgtestDSNFor is the DSN of an existing database on the test server.
func pgtestDSNFor(t *testing.T, name string) string { return pgtest.Shared(t).DSNFor(name) }

// TestInstancesMigrateTogether: several instances starting at once on an
// empty PostgreSQL database all open it (one migrates, the others wait).
func TestInstancesMigrateTogether(t *testing.T) {
	dsn := freshSource(t, Postgres)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := Open(context.Background(), Postgres, dsn)
			if err != nil {
				t.Error(err)
				return
			}
			st.Close()
		}()
	}
	wg.Wait()
}
