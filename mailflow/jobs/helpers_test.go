package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

var vienna = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a wall-clock moment in Vienna.
func at(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, vienna)
}

// baseConfig is the desk of these tests: the default week (Mon-Thu
// 09-12/13-17, Fri 09-12/13-15), Austrian holidays, two technicians (Bernd
// is off on Friday 27 November 2026) and a team lead.
const baseConfig = `
sandbox: {enabled: true}
smtp: {from: support@example.com}
database: {path: mailflow.db}
desk: {company: Beispiel Software GmbH, message_id_domain: mail.example.com, closed: ["2026-12-24"]}
technicians:
  - {name: Anna Berger, email: anna@example.com}
  - {name: Bernd Huber, email: bernd@example.com, absences: ["2026-11-27"]}
jobs: {team_lead: lea@example.com}
log: {level: error}
`

// desk is one test's configuration and database.
type desk struct {
	t    *testing.T
	cfg  *config.Config
	path string // the database file
	st   *store.Store
}

func newDesk(t *testing.T, extra string) *desk {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(baseConfig+extra), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	d := &desk{t: t, cfg: cfg, path: cfg.Database.Path}
	d.st = d.open()
	return d
}

// open opens another handle on the database: what a second process or a
// restarted daemon has.
func (d *desk) open() *store.Store {
	d.t.Helper()
	st, err := store.Open(context.Background(), store.SQLite, d.path)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { st.Close() })
	return st
}

// runner builds a Runner on st (the desk's own store when nil).
func (d *desk) runner(st *store.Store, opts ...Option) *Runner {
	d.t.Helper()
	if st == nil {
		st = d.st
	}
	bd, err := booking.New(d.cfg)
	if err != nil {
		d.t.Fatal(err)
	}
	c, err := compose.New(d.cfg, "")
	if err != nil {
		d.t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r, err := New(d.cfg, st, bd, c, log, opts...)
	if err != nil {
		d.t.Fatal(err)
	}
	return r
}

// book books a session and dates its booking back to bookedAt: the store
// stamps bookings with the real clock, these tests live on a fake one.
func (d *desk) book(tech, customer, lang string, start time.Time, bookedAt time.Time) *store.Appointment {
	d.t.Helper()
	ctx := context.Background()
	a := &store.Appointment{Customer: customer, CustomerName: "Maria Muster", Technician: tech, Start: start, End: start.Add(30 * time.Minute),
		Language: lang, Reason: "Rechnungen drucken nicht"}
	if err := d.st.InTx(ctx, func(tx *store.Tx) error { return tx.Book(ctx, a) }); err != nil {
		d.t.Fatal(err)
	}
	d.backdate(a.Ref, bookedAt)
	a.CreatedAt, a.UpdatedAt = bookedAt, bookedAt
	return a
}

// backdate sets an appointment's booking and change times.
func (d *desk) backdate(ref string, when time.Time) {
	d.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+d.path+"?_busy_timeout=10000")
	if err != nil {
		d.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE appointments SET created_at = ?, updated_at = ? WHERE ref = ?", when.UTC(), when.UTC(), ref); err != nil {
		d.t.Fatal(err)
	}
}

// change runs fn on an appointment in a transaction (cancel, move, ID).
func (d *desk) change(ref string, fn func(tx *store.Tx, a *store.Appointment) error) {
	d.t.Helper()
	ctx := context.Background()
	err := d.st.InTx(ctx, func(tx *store.Tx) error {
		a, err := tx.AppointmentByRef(ctx, ref)
		if err != nil {
			return err
		}
		return fn(tx, a)
	})
	if err != nil {
		d.t.Fatal(err)
	}
}

// queued returns the outbox mails of a purpose, oldest first.
func (d *desk) queued(purpose string) []store.OutboxMail {
	d.t.Helper()
	ms, err := d.st.Outbox(context.Background(), store.OutboxPending)
	if err != nil {
		d.t.Fatal(err)
	}
	var out []store.OutboxMail
	for _, m := range ms {
		if m.Purpose == purpose {
			out = append(out, m)
		}
	}
	return out
}

// pass runs one pass and fails the test on an error.
func pass(t *testing.T, r *Runner, now time.Time) Report {
	t.Helper()
	rep, err := r.RunDue(context.Background(), now)
	if err != nil {
		t.Fatalf("pass at %s: %v", now, err)
	}
	return rep
}

// readMail returns a rendered mail's header and decoded text part.
func readMail(t *testing.T, raw []byte) (mail.Header, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no text part: %v", err)
		}
		if ct, ps, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct == "multipart/alternative" {
			// An agenda with sessions.ics: the text is one level down.
			mr = multipart.NewReader(p, ps["boundary"])
			continue
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			return msg.Header, strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	}
}

func recipients(ms []store.OutboxMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Recipient)
	}
	return out
}
