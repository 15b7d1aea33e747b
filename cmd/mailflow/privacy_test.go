package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/sandbox"
	"github.com/mailflow/mailflow/mailflow/store"
)

// seedCustomer stores what the daemon would have for a customer: their
// request (raw), a booking with an AnyDesk ID, the confirmation, audit rows.
func seedCustomer(t *testing.T, st *store.Store, uid uint32, addr, id string, start time.Time) *store.Appointment {
	t.Helper()
	ctx := context.Background()
	var a *store.Appointment
	err := st.InTx(ctx, func(tx *store.Tx) error {
		raw := "From: Kunde <" + addr + ">\r\nSubject: Termin\r\nMessage-ID: <m" + id + "@kunde.example>\r\n\r\nAnyDesk " + id + ", bitte um 10 Uhr.\r\n"
		in, err := tx.InsertIncoming(ctx, store.Cursor{Mailbox: "INBOX", UIDValidity: 1}, store.Fetched{UID: uid, MessageID: fmt.Sprintf("<m%d@kunde.example>", uid), BodyHash: fmt.Sprint("h", uid), Raw: []byte(raw), Sender: addr})
		if err != nil {
			return err
		}
		a = &store.Appointment{Customer: addr, CustomerName: "Kunde", Technician: "anna@example.com", Start: start, End: start.Add(30 * time.Minute),
			Language: "de", AnyDeskID: sql.NullString{String: id, Valid: true}, IncomingID: sql.NullInt64{Int64: in.ID, Valid: true}}
		if err := tx.Book(ctx, a); err != nil {
			return err
		}
		if err := tx.Decide(ctx, in.ID, store.Outcome{Outcome: "booked"}); err != nil {
			return err
		}
		_, err = tx.Enqueue(ctx, &store.OutboxMail{MessageID: fmt.Sprintf("<c%d@example.com>", uid), IncomingID: sql.NullInt64{Int64: in.ID, Valid: true},
			Purpose: "booked", Sender: "support@example.com", Recipient: addr, Raw: []byte("To: " + addr + "\r\n\r\nBestätigt " + a.Ref)})
		if err != nil {
			return err
		}
		inID := in.ID
		return tx.Audit(ctx, store.AuditEntry{At: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Actor: tx.HashAddress(addr), Action: "mail.booked", Ref: a.Ref, IncomingID: &inID, Outcome: "book-request"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// filesHold reports whether the database or its -wal/-shm hold s (ASCII case ignored).
func filesHold(t *testing.T, db, s string) bool {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(db + suffix)
		if err != nil {
			continue
		}
		if bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s))) {
			return true
		}
	}
	return false
}

func TestAuditExport(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("sandbox: {enabled: true}\ntechnicians: [{name: A, email: anna@example.com}]\n"), 0o600)
	ctx := context.Background()
	st, err := store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	seedCustomer(t, st, 1, "maria@kunde.at", "123456789", time.Now().Add(48*time.Hour).Truncate(time.Hour))
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range []store.AuditEntry{
			{At: time.Date(2026, 11, 24, 22, 30, 0, 0, time.UTC), Actor: store.ActorSystem, Action: "retention.purge", Outcome: "anydesk_ids=1"}, // 23:30 in Vienna
			{At: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), Actor: store.ActorOperator, Action: "appointment.cancelled", Ref: "FW-1001", Outcome: "=cmd()"},
		} {
			if err := tx.Audit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	code, out, errs := run(t, dir, "audit", "-from", "2026-11-25", "-to", "2026-11-26")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "id,at,actor,action,ref,incoming_id,outcome" {
		t.Fatalf("want a header and the 2 rows of 25-26 Nov (desk time):\n%s", out)
	}
	if rows[1][3] != "mail.booked" || rows[1][1] != "2026-11-25T10:00:00+01:00" || !regexp.MustCompile(`^c:[0-9a-f]{32}$`).MatchString(rows[1][2]) || rows[1][5] == "" {
		t.Errorf("first row %v", rows[1])
	}
	if rows[2][6] != "'=cmd()" {
		t.Errorf("a formula-like cell is not neutralised: %q", rows[2][6])
	}
	if strings.Contains(out, "@") || strings.Contains(out, "123456789") {
		t.Errorf("the export holds personal data:\n%s", out)
	}

	code, out, errs = run(t, dir, "audit", "-format", "json")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, errs)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	// In the order written (append-only), times in the desk's zone.
	if len(recs) != 3 || recs[1]["action"] != "retention.purge" || recs[1]["at"] != "2026-11-24T23:30:00+01:00" || recs[1]["incoming_id"] != nil {
		t.Fatalf("json %v", recs)
	}
	for _, k := range []string{"id", "at", "actor", "action", "ref", "incoming_id", "outcome"} {
		if _, ok := recs[1][k]; !ok {
			t.Errorf("json lacks %q", k)
		}
	}
	if code, _, _ := run(t, dir, "audit", "-format", "xml"); code != 2 {
		t.Errorf("bad format: exit %d, want 2", code)
	}
	if code, _, _ := run(t, dir, "audit", "-from", "2026-11-27", "-to", "2026-11-26"); code != 2 {
		t.Errorf("-to before -from: exit %d, want 2", code)
	}
}

// TestForgetAndPurgeCommands: `mailflow forget ADDRESS` erases the
// customer from the database files even when the IMAP part fails (it says
// so and exits 1); `appointments done` and `purge` apply the retention
// policy. The expunge itself is tested on Dovecot in mailflow/mailbox.
func TestForgetAndPurgeCommands(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	// Port 1 on loopback: nothing listens, so the expunge fails at once.
	os.WriteFile(cfg, []byte(`imap: {host: 127.0.0.1, port: 1, tls: none, username: support@example.com, password: x, processed_folder: Processed}
smtp: {host: 127.0.0.1, port: 2525, from: support@example.com}
technicians: [{name: A, email: anna@example.com}]
retention: {anydesk_id_days: 0, raw_mail_days: 30, expunge_on_forget: true}
`), 0o600)
	ctx := context.Background()
	db := filepath.Join(dir, "mailflow.db")
	st, err := store.Open(ctx, store.SQLite, db)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	seedCustomer(t, st, 1, "maria@kunde.at", "123456789", start)
	peter := seedCustomer(t, st, 2, "peter@firma.example", "555666777", start.Add(time.Hour))
	st.Close()

	code, out, errs := run(t, "", "forget", "Maria@Kunde.at", "-config", cfg)
	if code != 1 || !strings.Contains(errs, "database is erased") || !strings.Contains(errs, "run forget again") {
		t.Fatalf("forget with the IMAP server down: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "1 appointment(s)") || !strings.Contains(out, "customer.forgotten") {
		t.Errorf("forget said:\n%s", out)
	}
	for _, s := range []string{"maria@kunde.at", "123456789"} {
		if filesHold(t, db, s) {
			t.Errorf("%q still in the database files", s)
		}
	}
	if !filesHold(t, db, "peter@firma.example") {
		t.Error("the other customer was erased too")
	}
	os.WriteFile(cfg, bytes.Replace(must(os.ReadFile(cfg)), []byte("expunge_on_forget: true"), []byte("expunge_on_forget: false"), 1), 0o600)
	code, out, errs = run(t, "", "forget", "-config", cfg, "maria@kunde.at")
	if code != 0 || !strings.Contains(out, "0 appointment(s)") || !strings.Contains(out, "stays on the server") {
		t.Fatalf("forget again without expunge: exit %d\n%s\n%s", code, out, errs)
	}

	// By hand, done erases the ID at once (anydesk_id_days: 0).
	if code, out, errs := run(t, "", "appointments", "done", "-config", cfg, peter.Ref); code != 0 {
		t.Fatalf("done: %d %s %s", code, out, errs)
	}
	if filesHold(t, db, "555666777") {
		t.Error("the ID of a session marked done is still in the database files")
	}
	code, out, errs = run(t, "", "purge", "-config", cfg)
	// The server copies of the mail done erased wait in the queue for a
	// server that answers; the purge itself succeeded.
	if code != 0 || !strings.Contains(out, "purged 0 AnyDesk ID(s)") || !strings.Contains(out, "stay queued") {
		t.Fatalf("purge: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := run(t, "", "forget", "-config", cfg); code != 2 {
		t.Errorf("forget without an address: exit %d %s", code, errs)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestForgetReportsPerFolder: `mailflow forget` on a mailbox (the
// sandbox server; the byte-for-byte Maildir checks run on Dovecot in
// mailflow/mailbox) deletes the customer's stored mails, found by
// Message-ID and body, and mail from them that was never stored, and says
// how many went from which folder; another customer's mail stays.
func TestForgetReportsPerFolder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const support = "support@example.com"
	sb, err := sandbox.Start(ctx, sandbox.Options{IMAPAddr: "127.0.0.1:0", SMTPAddr: "127.0.0.1:0",
		Users: []string{support}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	host, port, _ := net.SplitHostPort(sb.IMAPAddr())
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`imap: {host: %s, port: %s, tls: none, username: %s, password: %q, human_folder: Human}
smtp: {host: 127.0.0.1, port: 2525, from: %s}
technicians: [{name: A, email: anna@example.com}]
`, host, port, support, sb.Password(), support)), 0o600)
	mailOf := func(from, id, body string) []byte {
		return []byte("From: " + from + "\r\nTo: " + support + "\r\nSubject: Termin\r\nMessage-ID: <" + id + "@kunde.example>\r\n\r\n" + body + "\r\n")
	}
	stored := [][]byte{mailOf("Maria Huber <maria@kunde.at>", "req", "Donnerstag 10 Uhr?"), mailOf("Maria Huber <maria@kunde.at>", "id", "ID 123 456 789")}
	for _, raw := range append(stored, mailOf("Maria Huber <maria@kunde.at>", "older", "vor mailflow"), mailOf("Peter <peter@firma.example>", "peter", "Frage")) {
		if err := sb.Deliver(ctx, "x@example.org", []string{support}, raw); err != nil {
			t.Fatal(err)
		}
	}
	st, err := store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for i, raw := range stored {
			mid, hash := message.Fingerprint(raw)
			in, err := tx.InsertIncoming(ctx, store.Cursor{Mailbox: "INBOX", UIDValidity: 1}, store.Fetched{UID: uint32(i + 1), MessageID: mid, BodyHash: hash, Raw: raw, Sender: "maria@kunde.at"})
			if err != nil {
				return err
			}
			if err := tx.Decide(ctx, in.ID, store.Outcome{Outcome: "replied"}); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "", "forget", "maria@kunde.at", "-config", cfg)
	if code != 0 || !strings.Contains(out, "database: 0 appointment(s), 2 mail(s) received") ||
		!strings.Contains(out, "imap: 3 mail(s) expunged from INBOX") || !strings.Contains(out, "imap: 0 mail(s) expunged from Human") {
		t.Fatalf("forget: exit %d\n%s\n%s", code, out, errs)
	}
	c, err := imapclient.DialInsecure(sb.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(support, sb.Password()).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 1 {
		t.Fatalf("INBOX keeps %v mails (%v), want Peter's", sel, err)
	}
}
