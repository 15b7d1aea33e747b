package pipeline

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/compose"
	"github.com/mailflow/mailflow/mailflow/config"
	msgpkg "github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/rules"
	"github.com/mailflow/mailflow/mailflow/store"
)

var vienna, _ = time.LoadLocation("Europe/Vienna")

// now is Tuesday 24 November 2026, 09:15 in Vienna.
var now = time.Date(2026, 11, 24, 9, 15, 0, 0, vienna)

func setup(t *testing.T) (*Pipeline, *store.Store) {
	return setupWith(t, "technicians: [{name: Anna, email: anna@example.com}]\n")
}

func setupWith(t testing.TB, technicians string) (*Pipeline, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	y := `
sandbox: {enabled: true}
imap: {processed_folder: Processed, human_folder: Human}
database: {path: p.db}
` + technicians
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.SQLite, cfg.Database.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	desk, err := booking.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rules.Load("")
	if err != nil {
		t.Fatal(err)
	}
	c, err := compose.New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	return New(cfg, st, desk, rs, c, slog.New(slog.NewTextHandler(io.Discard, nil))), st
}

// mailOf builds a customer mail; extra headers go before the body.
func mailOf(from, subject, body string, extra ...string) []byte {
	var b strings.Builder
	b.WriteString("From: " + from + "\r\nTo: support@example.com\r\nSubject: " + subject + "\r\n")
	b.WriteString("Date: Tue, 24 Nov 2026 09:12:00 +0100\r\nMessage-ID: <m" + fmtHash(from+subject+body) + "@kunde.at>\r\n")
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
	return []byte(b.String())
}

func fmtHash(s string) string {
	_, h := msgpkg.Fingerprint([]byte("\r\n\r\n" + s))
	return h[:12]
}

func TestDecisions(t *testing.T) {
	cases := []struct {
		name     string
		raw      []byte
		outcome  string
		template string // "" = no reply
		folder   string
	}{
		{"free wished time is booked", mailOf("Maria <maria@kunde.at>", "Fernwartung", "Hätten Sie am 26.11.2026 um 10:00 Zeit für eine Fernwartung?"), OutcomeBooked, "confirmation", "Processed"},
		{"request without a time asks for one, with proposals", mailOf("maria@kunde.at", "Fernwartung", "Ich bräuchte bitte einen Termin für eine Fernwartung."), OutcomeProposed, "need_time", "Processed"},
		{"holiday gets proposals", mailOf("maria@kunde.at", "Fernwartung", "Geht eine Fernwartung am 8.12.2026 um 10 Uhr?"), OutcomeProposed, "proposal", "Processed"},
		{"English request", mailOf("john@customer.com", "Remote session", "Could we do a remote session on Thursday at 2pm?"), OutcomeBooked, "confirmation", "Processed"},
		{"out-of-office is never answered", mailOf("maria@kunde.at", "Abwesenheitsnotiz", "Ich bin bis 1.12. nicht im Büro.", "Auto-Submitted: auto-replied"), OutcomeIgnoreAuto, "", "Processed"},
		{"mailing list is never answered", mailOf("news@liste.at", "Newsletter", "Termin am 26.11.2026 um 10:00", "List-Id: <news.liste.at>"), OutcomeIgnoreBulk, "", "Processed"},
		{"mailer-daemon is never answered", mailOf("MAILER-DAEMON@mx.kunde.at", "Undelivered", "Termin am 26.11.2026 um 10:00"), OutcomeIgnoreAuto, "", "Processed"},
		{"noreply sender is never answered", mailOf("noreply@shop.at", "Termin", "Termin am 26.11.2026 um 10:00"), OutcomeIgnoreAuto, "", "Processed"},
		{"our own address is never answered", mailOf("support@example.com", "Termin", "Termin am 26.11.2026 um 10:00"), OutcomeIgnoreAuto, "", "Processed"},
		{"empty Return-Path is never answered", mailOf("maria@kunde.at", "Termin", "Termin am 26.11.2026 um 10:00", "Return-Path: <>"), OutcomeIgnoreAuto, "", "Processed"},
		{"a question goes to a human, who is announced", mailOf("maria@kunde.at", "Frage", "Wie kann ich in Ihrer Software eine Gutschrift erstellen?"), OutcomeReplied, "received_human", "Human"},
		{"a printer question is out of scope", mailOf("maria@kunde.at", "Drucker", "Wie kann ich bei uns einen neuen Drucker einrichten?"), OutcomeReplied, "out_of_scope", "Human"},
		{"ID without appointment goes to a human", mailOf("maria@kunde.at", "ID", "Meine AnyDesk-ID: 123 456 789"), OutcomeHuman, "", "Human"},
		{"ID for a session we have no booking of is not booked on that day", mailOf("maria@kunde.at", "ID", "Meine AnyDesk-ID für den heutigen Termin: 123 456 789"), OutcomeHuman, "", "Human"},
		{"garbage is kept for a human", []byte("\x00\x01\x02 not a mail at all"), OutcomeUnparsable, "", "Human"},
		{"a body that cannot be decoded is not booked on its subject", mailOf("maria@kunde.at", "Fernwartung am 26.11.2026 um 10:00", "SGFsbG8gV2VsdA\x01\x02==zz", "Content-Transfer-Encoding: base64"), OutcomeHuman, "", "Human"},
		{"plain text labelled base64 is read as it is", mailOf("maria@kunde.at", "Fernwartung", "Hätten Sie am 26.11.2026 um 10:00 Zeit für eine Fernwartung?", "Content-Transfer-Encoding: base64"), OutcomeBooked, "confirmation", "Processed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, _ := setup(t)
			res, err := p.Try(context.Background(), c.raw, now)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != c.outcome {
				t.Fatalf("outcome %q (rule %s, detail %q), want %q", res.Outcome, res.Rule, res.Detail, c.outcome)
			}
			if res.DestFolder != c.folder {
				t.Errorf("folder %q, want %q", res.DestFolder, c.folder)
			}
			if c.template == "" {
				if len(res.Replies) != 0 {
					t.Fatalf("replied with %v to a mail that must get no reply", res.Templates)
				}
				return
			}
			if len(res.Replies) != 1 || res.Templates[0] != c.template {
				t.Fatalf("replies %v, want one %s", res.Templates, c.template)
			}
			m, err := mail.ReadMessage(bytes.NewReader(res.Replies[0].Raw))
			if err != nil {
				t.Fatal(err)
			}
			orig, _ := mail.ReadMessage(bytes.NewReader(c.raw))
			if got, want := m.Header.Get("In-Reply-To"), orig.Header.Get("Message-ID"); got != want {
				t.Errorf("In-Reply-To %q, want %q", got, want)
			}
			if c.outcome == OutcomeProposed && len(res.Proposals) != 3 {
				t.Errorf("%d proposals, want 3", len(res.Proposals))
			}
		})
	}
}

func TestTooLargeGoesToHuman(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	ids, err := st.SaveFetched(ctx, store.Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: 1},
		[]store.Fetched{{UID: 1, MessageID: "<big@x>", BodyHash: "too-large:99999999", Size: 99999999}}, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Process(ctx, ids[0], now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeTooLarge || res.DestFolder != "Human" || len(res.Replies) != 0 {
		t.Fatalf("too-large mail: %+v", res)
	}
}

// store1 saves raw as a fetched mail and returns its id.
func store1(t *testing.T, st *store.Store, uid uint32, raw []byte) int64 {
	t.Helper()
	mid, hash := msgpkg.Fingerprint(raw)
	ids, err := st.SaveFetched(context.Background(), store.Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: uid},
		[]store.Fetched{{UID: uid, MessageID: mid, BodyHash: hash, Size: int64(len(raw)), Raw: raw, Sender: "maria@kunde.at"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Fatalf("stored %d", len(ids))
	}
	return ids[0]
}

func TestProcessIsIdempotentAndLinksTheID(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	id := store1(t, st, 1, mailOf("Maria <maria@kunde.at>", "Fernwartung", "Hätten Sie am 26.11.2026 um 10:00 Zeit?"))
	res, err := p.Process(ctx, id, now)
	if err != nil || res.Outcome != OutcomeBooked {
		t.Fatalf("first decision: %+v %v", res, err)
	}
	again, err := p.Process(ctx, id, now)
	if err != nil || again != nil {
		t.Fatalf("deciding the same mail again must do nothing: %+v %v", again, err)
	}
	if s, _ := st.OutboxStats(ctx); s.Pending != 1 {
		t.Fatalf("%d replies queued, want 1", s.Pending)
	}

	// At the appointment the customer sends the ID.
	idMail := mailOf("Maria <maria@kunde.at>", "Re: [FW-1001] Ihr Fernwartungstermin", "Hier ist meine AnyDesk-ID: 123 456 789")
	res, err = p.Process(ctx, store1(t, st, 2, idMail), time.Date(2026, 11, 26, 9, 58, 0, 0, vienna))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeIDLinked || res.Appointment == nil || res.Appointment.AnyDeskID.String != "123456789" {
		t.Fatalf("ID mail: %+v", res)
	}
	if len(res.Templates) != 1 || res.Templates[0] != "id_received" {
		t.Fatalf("ID mail replies %v", res.Templates)
	}
	raw := string(res.Replies[0].Raw)
	if strings.Contains(raw, "123 456 789") || strings.Contains(raw, "123456789") {
		t.Error("the thank-you mail shows the full AnyDesk ID; it must be masked")
	}
	if !strings.Contains(raw, "789") {
		t.Error("the thank-you mail does not show the masked ID")
	}
	as, _ := st.Appointments(ctx, now, now.AddDate(0, 0, 7))
	if len(as) != 1 || !as[0].AnyDeskID.Valid {
		t.Fatalf("appointment not linked: %+v", as)
	}
}

func TestOurOwnReplyLoopedBackIsIgnored(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	res, err := p.Process(ctx, store1(t, st, 1, mailOf("maria@kunde.at", "Fernwartung", "Am 26.11.2026 um 10:00?")), now)
	if err != nil || len(res.Replies) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	// A forwarding rule sends our reply straight back, From rewritten.
	ours := res.Replies[0].Raw
	looped := bytes.Replace(ours, []byte("From: \"Beispiel Software GmbH\" <support@example.com>"), []byte("From: maria@kunde.at"), 1)
	looped = bytes.Replace(looped, []byte("Auto-Submitted: auto-replied\r\n"), nil, 1)
	res, err = p.Try(ctx, looped, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Replies) != 0 {
		t.Fatalf("answered our own mail (outcome %s, signals %q)", res.Outcome, res.NoReply)
	}
}
