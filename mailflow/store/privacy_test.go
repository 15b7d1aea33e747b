package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/pgtest"
)

// customer is one customer's trail through the desk, written as the
// pipeline writes it: request → booking + confirmation, ID mail → ID linked
// + thanks + technician notice, audit rows with hashed actors.
type customer struct {
	addr, name, id  string // id: the AnyDesk ID, nine digits
	appt            *Appointment
	request, idMail int64 // incoming rows
	question        int64 // a mail about no appointment (0: none)
}

var uidSeq uint32

func mailFrom(c *customer, subject, body string) []byte {
	// The address in mixed case, as mail clients write it.
	display := strings.ToUpper(c.addr[:1]) + c.addr[1:]
	return []byte("From: " + c.name + " <" + display + ">\r\nTo: support@example.com\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + fmt.Sprint(uidSeq) + "@kunde.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body)
}

func (c *customer) receive(t *testing.T, st *Store, tx *Tx, subject, body, outcome, ref string) int64 {
	t.Helper()
	ctx := context.Background()
	uidSeq++
	in, err := tx.InsertIncoming(ctx, Cursor{Mailbox: "INBOX", UIDValidity: 1}, Fetched{UID: uidSeq, MessageID: fmt.Sprintf("<%d@kunde.example>", uidSeq),
		BodyHash: fmt.Sprint("h", uidSeq), Raw: mailFrom(c, subject, body), Sender: c.addr, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	if outcome != "" {
		if err := tx.Decide(ctx, in.ID, Outcome{Outcome: outcome, Rule: "r-" + outcome}); err != nil {
			t.Fatal(err)
		}
		id := in.ID
		if err := tx.Audit(ctx, AuditEntry{Actor: tx.HashAddress(c.addr), Action: "mail." + outcome, Ref: ref, IncomingID: &id, Outcome: "r-" + outcome}); err != nil {
			t.Fatal(err)
		}
	}
	return in.ID
}

func send(t *testing.T, tx *Tx, incoming int64, appt *Appointment, to, purpose, body string) {
	t.Helper()
	ctx := context.Background()
	uidSeq++
	m := &OutboxMail{MessageID: fmt.Sprintf("<out-%d@example.com>", uidSeq), Purpose: purpose, Sender: "support@example.com", Recipient: to,
		Raw: []byte("From: support@example.com\r\nTo: " + to + "\r\nSubject: " + purpose + "\r\n\r\n" + body)}
	m.IncomingID = sql.NullInt64{Int64: incoming, Valid: incoming != 0}
	if _, err := tx.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	if appt != nil {
		if err := tx.LinkMail(ctx, m.MessageID, appt.ID, to); err != nil {
			t.Fatal(err)
		}
	}
}

// book runs a customer through booking and ID and marks every mail sent.
func (c *customer) book(t *testing.T, st *Store, start time.Time) {
	t.Helper()
	ctx := context.Background()
	err := st.InTx(ctx, func(tx *Tx) error {
		c.request = c.receive(t, st, tx, "Fernwartung", "Guten Tag, hätten Sie am Donnerstag um 10 Uhr Zeit? Grüße, "+c.name+" <"+c.addr+">", "", "")
		c.appt = &Appointment{Customer: c.addr, CustomerName: c.name, Technician: "anna@example.com", Start: start, End: start.Add(30 * time.Minute),
			Language: "de", Reason: "Rechnungen drucken nicht", IncomingID: sql.NullInt64{Int64: c.request, Valid: true}}
		if err := tx.Book(ctx, c.appt); err != nil {
			return err
		}
		if err := tx.Decide(ctx, c.request, Outcome{Outcome: "booked", Rule: "book-request"}); err != nil {
			return err
		}
		id := c.request
		if err := tx.Audit(ctx, AuditEntry{Actor: tx.HashAddress(c.addr), Action: "mail.booked", Ref: c.appt.Ref, IncomingID: &id, Outcome: "book-request"}); err != nil {
			return err
		}
		send(t, tx, c.request, c.appt, c.addr, "booked", "Sehr geehrte/r "+c.name+", Ihr Termin "+c.appt.Ref+" ist bestätigt.")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	spaced := c.id[:3] + " " + c.id[3:6] + " " + c.id[6:]
	err = st.InTx(ctx, func(tx *Tx) error {
		c.idMail = c.receive(t, st, tx, "Re: Termin "+c.appt.Ref, "Meine AnyDesk-ID: "+spaced+"\r\n", "id-linked", c.appt.Ref)
		if err := tx.SetAnyDeskID(ctx, c.appt.ID, c.id); err != nil {
			return err
		}
		send(t, tx, c.idMail, c.appt, c.addr, "id-linked", "Danke, wir haben Ihre ID ******"+c.id[6:]+" erhalten.")
		send(t, tx, c.idMail, c.appt, "anna@example.com", "technician-notice", "ID "+c.id+" von "+c.name+" <"+c.addr+"> für "+c.appt.Ref)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sendAll(t, st)
}

func sendAll(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	due, err := st.DueMail(ctx, time.Now().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range due {
		if err := st.RecordAttempt(ctx, m.ID, Attempt{OK: true}); err != nil {
			t.Fatal(err)
		}
	}
}

func (c *customer) ask(t *testing.T, st *Store) {
	t.Helper()
	err := st.InTx(context.Background(), func(tx *Tx) error {
		c.question = c.receive(t, st, tx, "Frage", "Wie exportiere ich nach Excel? "+strings.Repeat("Logzeile "+c.name+" "+c.addr+" ID "+c.id+" lorem ipsum dolor sit amet\r\n", 800), "forwarded-to-human", "")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// onDisk reports which needles appear in the database file or its -wal or
// -shm, ignoring ASCII case. Only committed, checkpointed state is what
// the test means, so call it after the operation under test returned.
//
// On PostgreSQL it searches what a backup taken now holds: a pg_dump of
// the database (bytea values decoded). Its data files and WAL keep
// deleted rows for a while; the mail in them is sealed, and
// TestSealedMailAtRest searches them.
func onDisk(t *testing.T, st *Store, needles ...string) []string {
	t.Helper()
	if st.engine == Postgres {
		dump := asciiLower(pgDump(t, st))
		var found []string
		for _, n := range needles {
			if bytes.Contains(dump, asciiLower([]byte(n))) {
				found = append(found, fmt.Sprintf("%q in pg_dump", n))
			}
		}
		return found
	}
	var found []string
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(st.Path() + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		b = asciiLower(b)
		for _, n := range needles {
			if bytes.Contains(b, asciiLower([]byte(n))) {
				found = append(found, fmt.Sprintf("%q in %s", n, "db"+suffix))
			}
		}
	}
	return found
}

func idSpellings(id string) []string {
	return []string{id, id[:3] + " " + id[3:6] + " " + id[6:], id[:3] + "-" + id[3:6] + "-" + id[6:]}
}

var (
	maria = func() *customer { return &customer{addr: "maria.huber@kunde.at", name: "Maria Huber", id: "123456789"} }
	peter = func() *customer { return &customer{addr: "peter@firma.example", name: "Peter Gruber", id: "555666777"} }
)

func auditHasNoPersonalData(t *testing.T, st *Store, cs ...*customer) {
	t.Helper()
	es, err := st.AuditLog(context.Background(), time.Time{}, time.Now().Add(1000*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		line := strings.ToLower(fmt.Sprintf("%+v", e))
		if strings.Contains(line, "@") {
			t.Errorf("audit row holds an address: %s", line)
		}
		for _, c := range cs {
			for _, s := range idSpellings(c.id) {
				if strings.Contains(line, s) {
					t.Errorf("audit row holds an AnyDesk ID: %s", line)
				}
			}
			if strings.Contains(line, strings.ToLower(c.name)) {
				t.Errorf("audit row holds a name: %s", line)
			}
		}
	}
}

func TestForgetErasesOneCustomerFromTheFiles(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		m, p := maria(), peter()
		start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
		m.book(t, st, start)
		p.book(t, st, start.Add(time.Hour))
		m.ask(t, st)
		// A colleague writes about Maria; a technician's note names her ID; the
		// day's agenda (to the technician) lists her.
		err := st.InTx(ctx, func(tx *Tx) error {
			colleague := &customer{addr: "office@kunde.at", name: "Office"}
			colleague.receive(t, st, tx, "Termin", "Bitte auch für MARIA.HUBER@KUNDE.AT buchen.", "forwarded-to-human", "")
			if err := tx.AddNote(ctx, p.appt, "Vorher bei maria.huber@kunde.at (ID 123-456-789) dasselbe Problem.", time.Now()); err != nil {
				return err
			}
			send(t, tx, 0, nil, "anna@example.com", "agenda", "10:00 "+m.appt.Ref+" Maria Huber <maria.huber@kunde.at>\r\n11:00 "+p.appt.Ref+" Peter Gruber <peter@firma.example>")
			// Still waiting: a mail from the customer not yet decided.
			m.receive(t, st, tx, "Noch eine Frage", "Geht auch 11 Uhr?", "", "")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetStatus(ctx, StatusOutboxLastErr, "550 5.1.1 <maria.huber@kunde.at>: user unknown"); err != nil {
			t.Fatal(err)
		}
		if err := st.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		before := onDisk(t, st, append([]string{m.addr}, idSpellings(m.id)...)...)
		if len(before) < 3 {
			t.Fatalf("the fixture does not put the data on disk: %v", before)
		}

		r, err := st.Forget(ctx, "  Maria.Huber@Kunde.AT ")
		if err != nil {
			t.Fatal(err)
		}
		if r.Appointments != 1 || r.Incoming != 4 || r.Outbox != 3 || r.Scrubbed < 4 {
			t.Errorf("forget counts %+v", r)
		}
		if left := onDisk(t, st, append([]string{m.addr, m.name}, idSpellings(m.id)...)...); len(left) > 0 {
			t.Fatalf("after forget the database files still hold: %v", left)
		}

		// The audit keeps the hashed fact.
		es, _ := st.AuditLog(ctx, time.Time{}, time.Now().Add(time.Hour))
		var fact *AuditEntry
		for i := range es {
			if es[i].Action == "customer.forgotten" {
				fact = &es[i]
			}
		}
		if fact == nil || fact.Actor != ActorOperator {
			t.Fatalf("no customer.forgotten row by the operator: %+v", fact)
		}
		// No row keeps her hash, keyed or legacy: nothing links back to her.
		for _, e := range es {
			if e.Actor == st.HashAddress(m.addr) || e.Actor == legacyHash(m.addr) {
				t.Fatalf("audit row %d still carries her hash", e.ID)
			}
		}
		auditHasNoPersonalData(t, st, m, p)

		// Peter is untouched.
		a, err := st.AppointmentByRef(ctx, p.appt.Ref)
		if err != nil || a.Status != StatusBooked || a.AnyDeskID.String != p.id || a.CustomerName != p.name {
			t.Fatalf("the other customer's appointment changed: %+v %v", a, err)
		}
		if !strings.Contains(a.Protocol, "dasselbe Problem") || strings.Contains(a.Protocol, "maria") || strings.Contains(a.Protocol, "123-456-789") {
			t.Errorf("the note about Maria keeps its text but not her data: %q", a.Protocol)
		}
		for _, id := range []int64{p.request, p.idMail} {
			in, err := st.Incoming(ctx, id)
			if err != nil || !bytes.Contains(in.Raw, []byte(p.name)) {
				t.Fatalf("the other customer's mail %d lost its bytes: %v", id, err)
			}
		}
		sent, _ := st.Outbox(ctx, OutboxSent)
		peters := 0
		for _, o := range sent {
			if len(o.Raw) > 0 && (o.Recipient == p.addr || strings.Contains(string(o.Raw), p.appt.Ref)) {
				peters++
			}
		}
		if peters < 3 {
			t.Errorf("the other customer's sent mail is gone: %d left", peters)
		}
		if left := onDisk(t, st, p.addr, p.id); len(left) != 2 {
			t.Errorf("the other customer's data should still be stored: %v", left)
		}
		if as, _ := st.Appointments(ctx, start.Add(-time.Hour), start.Add(3*time.Hour)); len(as) != 1 {
			t.Errorf("the agenda would still show %d sessions", len(as))
		}
		// Forgetting again is harmless.
		if r, err := st.Forget(ctx, m.addr); err != nil || r.Appointments+r.Incoming+r.Outbox != 0 {
			t.Fatalf("second forget: %+v %v", r, err)
		}
		if _, err := st.Forget(ctx, "not an address"); err == nil {
			t.Fatal("forget accepted a non-address")
		}
	})
}

func TestMarkDoneErasesTheIDAtOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		m, p := maria(), peter()
		start := time.Now().Add(2 * time.Hour).Truncate(time.Minute)
		m.book(t, st, start)
		p.book(t, st, start.Add(time.Hour))
		// The technician's reply quotes the notice; it is being decided in the
		// same transaction that marks the session done.
		tech := &customer{addr: "anna@example.com", name: "Anna"}
		if err := st.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if len(onDisk(t, st, m.id)) == 0 {
			t.Fatal("fixture: the ID is not on disk before")
		}
		err := st.InTx(ctx, func(tx *Tx) error {
			reply := tech.receive(t, st, tx, "Re: ID für "+m.appt.Ref, "erledigt, Drucker neu eingerichtet\r\n\r\n> ID "+m.id+" von Maria", "", "")
			a, err := tx.AppointmentByRef(ctx, m.appt.Ref)
			if err != nil {
				return err
			}
			if erased, err := tx.MarkDone(ctx, a, EndDone, "Drucker neu eingerichtet", time.Now(), 0); err != nil || erased != "anydesk id erased" {
				return fmt.Errorf("MarkDone: %q, %w", erased, err)
			}
			if a.Status != StatusDone || !a.DoneAt.Valid || a.AnyDeskID.Valid || !strings.Contains(a.Protocol, "done: Drucker neu eingerichtet") {
				return fmt.Errorf("after MarkDone: %+v", a)
			}
			if err := tx.AddNote(ctx, a, "Kunde zufrieden", time.Now()); err != nil {
				return err
			}
			if _, err := tx.MarkDone(ctx, a, EndDone, "", time.Now(), 0); !errors.Is(err, ErrNotBooked) {
				return fmt.Errorf("second done: %v, want ErrNotBooked", err)
			}
			return tx.Decide(ctx, reply, Outcome{Outcome: "done"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if left := onDisk(t, st, idSpellings(m.id)...); len(left) > 0 {
			t.Fatalf("the ID is still in the database files after done: %v", left)
		}
		a, _ := st.AppointmentByRef(ctx, m.appt.Ref)
		if lines := strings.Split(a.Protocol, "\n"); len(lines) != 2 || !strings.Contains(lines[1], "note: Kunde zufrieden") {
			t.Errorf("protocol %q", a.Protocol)
		}
		// Raw mail stays for its own period; only the mails that carried the
		// ID lost their bytes.
		if in, _ := st.Incoming(ctx, m.request); in.Raw == nil {
			t.Error("the booking request lost its bytes with the ID")
		}
		if in, _ := st.Incoming(ctx, m.idMail); in.Raw != nil || !in.PurgedAt.Valid {
			t.Error("the mail that brought the ID keeps its bytes")
		}
		if b, _ := st.AppointmentByRef(ctx, p.appt.Ref); b.AnyDeskID.String != p.id {
			t.Error("another customer's ID went too")
		}
		auditHasNoPersonalData(t, st, m, p)
	})
}

func TestPurge(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		now := time.Now()
		done, cancelled, future, asker := maria(), peter(), &customer{addr: "zoe@zukunft.example", name: "Zoe Zukunft", id: "987654321"},
			&customer{addr: "q@frage.example", name: "Quentin", id: "111222333"}
		done.book(t, st, now.Add(3*time.Hour).Truncate(time.Minute))
		cancelled.book(t, st, now.Add(4*time.Hour).Truncate(time.Minute))
		future.book(t, st, now.Add(90*24*time.Hour).Truncate(time.Hour))
		future.ask(t, st) // about no appointment, but Zoe has a session ahead
		asker.ask(t, st)
		var undecided int64
		err := st.InTx(ctx, func(tx *Tx) error {
			undecided = asker.receive(t, st, tx, "Noch was", "Hallo?", "", "")
			a, err := tx.AppointmentByRef(ctx, cancelled.appt.Ref)
			if err != nil {
				return err
			}
			if err := tx.Cancel(ctx, a); err != nil {
				return err
			}
			a, err = tx.AppointmentByRef(ctx, done.appt.Ref)
			if err != nil {
				return err
			}
			_, err = tx.MarkDone(ctx, a, EndDone, "", now, 7) // keep the ID a week
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		policy := Retention{AnyDeskIDDays: 7, RawMailDays: 30}
		id := func(c *customer) string {
			a, err := st.AppointmentByRef(ctx, c.appt.Ref)
			if err != nil {
				t.Fatal(err)
			}
			return a.AnyDeskID.String
		}
		hasRaw := func(id int64) bool {
			in, err := st.Incoming(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return in.Raw != nil
		}

		r, err := st.Purge(ctx, now.Add(6*24*time.Hour), policy)
		if err != nil || r.Total() != 0 {
			t.Fatalf("after 6 days: %+v %v", r, err)
		}
		if id(done) != done.id || id(cancelled) != cancelled.id {
			t.Fatal("an ID went before its week was over")
		}

		r, err = st.Purge(ctx, now.Add(8*24*time.Hour), policy)
		if err != nil || r.AnyDeskIDs != 2 || r.IncomingRaw != 0 || r.OutboxRaw != 0 {
			t.Fatalf("after 8 days: %+v %v", r, err)
		}
		if id(done) != "" || id(cancelled) != "" || id(future) != future.id {
			t.Fatalf("IDs after 8 days: done %q cancelled %q future %q", id(done), id(cancelled), id(future))
		}
		if left := onDisk(t, st, append(idSpellings(done.id), idSpellings(cancelled.id)...)...); len(left) > 0 {
			t.Fatalf("purged IDs still on disk: %v", left)
		}
		if !hasRaw(done.request) || !hasRaw(cancelled.request) {
			t.Fatal("raw mail went with the ID, 22 days early")
		}

		r, err = st.Purge(ctx, now.Add(29*24*time.Hour), policy)
		if err != nil || r.Total() != 0 {
			t.Fatalf("after 29 days: %+v %v", r, err)
		}
		r, err = st.Purge(ctx, now.Add(31*24*time.Hour), policy)
		if err != nil {
			t.Fatal(err)
		}
		// done + cancelled: request and confirmation each; asker: the question.
		// The ID mails and what was sent about them lost theirs with the IDs.
		if r.IncomingRaw != 3 || r.OutboxRaw != 2 {
			t.Errorf("after 31 days: %+v", r)
		}
		for _, c := range []*customer{done, cancelled} {
			if hasRaw(c.request) {
				t.Errorf("%s: raw mail of a finished session kept after 31 days", c.appt.Ref)
			}
		}
		if hasRaw(asker.question) {
			t.Error("raw mail about no session kept after 31 days")
		}
		if !hasRaw(undecided) {
			t.Error("an undecided mail lost its bytes")
		}
		if !hasRaw(future.request) || !hasRaw(future.idMail) || !hasRaw(future.question) || id(future) != future.id {
			t.Error("a session still ahead lost its data")
		}
		if left := onDisk(t, st, done.addr, cancelled.addr, asker.addr); len(left) != 0 {
			// The addresses stay in the rows (sender, customer) only as long
			// as the rows do; raw bytes are what retention drops.
			t.Logf("addresses still in rows (expected): %v", left)
		}
		sent, _ := st.Outbox(ctx, OutboxSent)
		kept := 0
		for _, o := range sent {
			if len(o.Raw) > 0 {
				kept++
				if !strings.Contains(string(o.Raw), future.appt.Ref) && o.Recipient != future.addr {
					t.Errorf("kept outgoing mail is not the future session's: %q", o.Raw)
				}
			}
		}
		if kept != 3 {
			t.Errorf("%d outgoing mails kept, want the future session's 3", kept)
		}
		// Nothing left to do: no audit row for an empty run.
		r, err = st.Purge(ctx, now.Add(32*24*time.Hour), policy)
		if err != nil || r.Total() != 0 {
			t.Fatalf("second run: %+v %v", r, err)
		}
		es, _ := st.AuditLog(ctx, time.Time{}, now.Add(100*24*time.Hour))
		purges := 0
		for _, e := range es {
			if e.Action == "retention.purge" {
				purges++
				if e.Actor != ActorSystem || !strings.Contains(e.Outcome, "=") {
					t.Errorf("purge audit %+v", e)
				}
			}
		}
		if purges != 2 {
			t.Errorf("%d purge audit rows, want 2 (one per run that erased something)", purges)
		}
		auditHasNoPersonalData(t, st, done, cancelled, future, asker)
	})
}

func TestMask(t *testing.T) {
	m := mentions{needles: [][]byte{[]byte("maria@kunde.at")}, fold: true}
	got := string(m.mask([]byte("An: Maria@Kunde.AT, cc maria@kunde.at.")))
	if got != "An: xxxxxxxxxxxxxx, cc xxxxxxxxxxxxxx." {
		t.Fatalf("%q", got)
	}
	id := idMentions("123456789")
	if got := string(id.mask([]byte("ID 123 456 789 / 123-456-789 / 123456789 / 1234567890"))); strings.Contains(got, "123") || !strings.HasSuffix(got, "xxxxxxxxx0") {
		t.Fatalf("%q", got)
	}
}

// pgDump is a plain pg_dump of the store's database with every bytea
// value (printed as \x and hex digits) decoded and appended, so a search
// sees raw mail as stored.
func pgDump(t *testing.T, st *Store) []byte {
	t.Helper()
	ctx := context.Background()
	var name string
	if err := st.w.GetContext(ctx, &name, "SELECT current_database()"); err != nil {
		t.Fatal(err)
	}
	srv := pgtest.Shared(t)
	out, err := srv.Run(ctx, "pg_dump", "--no-owner", "-d", srv.DSNFor(name))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range byteaHex.FindAll(out, -1) {
		b, err := hex.DecodeString(string(h[2:]))
		if err == nil {
			out = append(append(out, '\n'), b...)
		}
	}
	return out
}

var byteaHex = regexp.MustCompile(`\\x[0-9a-f]+`)

// dataFiles returns the needles found in the files of the store's
// PostgreSQL database (its folder under base/) and in the WAL, after a
// checkpoint wrote every page out.
func dataFiles(t *testing.T, st *Store, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := st.w.ExecContext(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	var oid int64
	if err := st.w.GetContext(ctx, &oid, "SELECT oid FROM pg_database WHERE datname = current_database()"); err != nil {
		t.Fatal(err)
	}
	srv := pgtest.Shared(t)
	var found []string
	for _, dir := range []string{filepath.Join(srv.DataDir(), "base", fmt.Sprint(oid)), filepath.Join(srv.DataDir(), "pg_wal")} {
		files, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if f.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			b = asciiLower(b)
			for _, n := range needles {
				if bytes.Contains(b, asciiLower([]byte(n))) {
					found = append(found, fmt.Sprintf("%q in %s", n, filepath.Join(filepath.Base(dir), f.Name())))
				}
			}
		}
	}
	return found
}

// TestSealedMailAtRest: on PostgreSQL a customer's mail never reaches the
// database's files, its WAL or a dump in the clear, and once she is
// forgotten (or retention drops a mail) the key is gone from the database
// and from every dump taken after: the ciphertext left in old pages, the
// WAL or a copy cannot be opened with anything the database still holds.
func TestSealedMailAtRest(t *testing.T) {
	st := openEngine(t, Postgres)
	ctx := context.Background()
	m, p := maria(), peter()
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	m.book(t, st, start)
	p.book(t, st, start.Add(time.Hour))
	// A phrase only her mail holds, unique to this run.
	secret := fmt.Sprintf("Kennwort Drucker %d", time.Now().UnixNano())
	var mine int64
	err := st.InTx(ctx, func(tx *Tx) error {
		mine = m.receive(t, st, tx, "Zugang", "Das "+secret+" steht am Zettel.", "forwarded-to-human", "")
		send(t, tx, mine, nil, m.addr, "reply", "Sie schrieben: "+secret)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	in, err := st.Incoming(ctx, mine)
	if err != nil || !bytes.Contains(in.Raw, []byte(secret)) {
		t.Fatalf("her mail does not read back: %v", err)
	}
	if found := dataFiles(t, st, m.addr); len(found) == 0 {
		t.Fatal("fixture: the search does not see the database's files (her address, a plain column, is not found)")
	}
	if found := dataFiles(t, st, secret); len(found) > 0 {
		t.Fatalf("mail is stored in the clear: %v", found)
	}
	before := pgDump(t, st)
	if bytes.Contains(before, []byte(secret)) {
		t.Fatal("a dump holds her mail in the clear")
	}
	var sealed [][]byte
	if err := st.w.SelectContext(ctx, &sealed, "SELECT raw FROM incoming WHERE id = ? UNION ALL SELECT raw FROM outbox WHERE incoming_id = ?", mine, mine); err != nil || len(sealed) != 2 {
		t.Fatalf("her sealed mail: %d rows, %v", len(sealed), err)
	}
	var keys int
	st.w.GetContext(ctx, &keys, "SELECT count(*) FROM data_keys WHERE owner = ?", st.keyOwner(m.addr))
	if keys < 2 {
		t.Fatalf("%d data keys filed under her, want one per mail", keys)
	}

	if _, err := st.Forget(ctx, m.addr); err != nil {
		t.Fatal(err)
	}
	st.w.GetContext(ctx, &keys, "SELECT count(*) FROM data_keys WHERE owner = ?", st.keyOwner(m.addr))
	if keys != 0 {
		t.Fatalf("%d of her data keys left after forget", keys)
	}
	for _, c := range sealed {
		if plain, err := openRaw(ctx, st.w.runner, c); err != nil || plain != nil {
			t.Fatalf("a copy of her sealed mail still opens after forget (%v)", err)
		}
	}
	after := pgDump(t, st)
	for _, n := range append([]string{secret, m.addr, m.name}, idSpellings(m.id)...) {
		if bytes.Contains(asciiLower(after), asciiLower([]byte(n))) {
			t.Errorf("a dump after forget holds %q", n)
		}
	}
	for _, c := range sealed {
		if bytes.Contains(after, c[:sealedHeader+12]) {
			t.Error("a dump after forget still holds her ciphertext")
		}
	}
	if found := dataFiles(t, st, secret); len(found) > 0 {
		t.Fatalf("after forget her mail is in the clear: %v", found)
	}
	// Peter's mail still opens.
	if in, err := st.Incoming(ctx, p.request); err != nil || !bytes.Contains(in.Raw, []byte(p.name)) {
		t.Fatalf("the other customer's mail no longer opens: %v", err)
	}
}

// TestPurgeHandsCheckpointsBack: while a purge runs the writer leaves WAL
// checkpoints to a connection of their own (so no batch pays for one);
// afterwards the writer checkpoints on its own again, or the WAL of an
// ordinary day would grow without end.
func TestPurgeHandsCheckpointsBack(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	asker := &customer{addr: "q@frage.example", name: "Quentin", id: "111222333"}
	asker.ask(t, st)
	if _, err := st.Purge(ctx, time.Now().Add(90*24*time.Hour), Retention{AnyDeskIDDays: 7, RawMailDays: 30}); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := st.w.GetContext(ctx, &pages, "PRAGMA wal_autocheckpoint"); err != nil {
		t.Fatal(err)
	}
	if pages != 1000 {
		t.Errorf("writer checkpoints after %d WAL pages once the purge is over, want SQLite's 1000", pages)
	}
}
