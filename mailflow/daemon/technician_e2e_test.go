package daemon

import (
	"bytes"
	"context"
	"io/fs"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/store"
)

// TestDovecotTechnicianDayAndPrivacy: a booked session, the customer's ID
// by mail, the technician's notice with the ID in full, the technician's
// "erledigt" reply — and afterwards the ID is nowhere in the database
// files, while the audit shows the done event.
func TestDovecotTechnicianDayAndPrivacy(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	// A desk open around the clock, so a session within the hour always exists.
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	cfg.Desk.Holidays, cfg.Desk.MinNotice = "none", time.Minute
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		cfg.Desk.Hours[d] = []string{"00:00-23:30"}
	}
	r := start(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const who, tech, id = "maria@kunde.example.org", "anna@example.com", "123 456 789"
	when := freeSlots0(t, cfg)
	if err := dc.Deliver(ctx, support, request(who, "<want@kunde.example.org>", when)); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r.d.Store(), 1, time.Minute)
	confirmation, _ := dc.Fetch(ctx, who, "INBOX")
	ref := bookingRef(t, header(t, confirmation[0], "Subject"))

	idMail := "From: Maria <" + who + ">\r\nTo: " + support + "\r\nSubject: Re: [" + ref + "] Termin\r\nDate: " + time.Now().Format(time.RFC1123Z) +
		"\r\nMessage-ID: <id@kunde.example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHier ist meine AnyDesk-ID: " + id + "\r\n"
	if err := dc.Deliver(ctx, support, []byte(idMail)); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r.d.Store(), 3, time.Minute) // thank-you + notice
	notices, err := dc.Fetch(ctx, tech, "INBOX")
	if err != nil || len(notices) != 1 {
		t.Fatalf("technician has %d mails, want the notice (%v)", len(notices), err)
	}
	if !strings.Contains(decodeQP(string(notices[0])), id) {
		t.Fatalf("the notice lacks the ID:\n%s", notices[0])
	}

	done := "From: Anna Berger <" + tech + ">\r\nTo: " + support + "\r\nSubject: Re: " + header(t, notices[0], "Subject") +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <done@example.com>\r\nIn-Reply-To: " + header(t, notices[0], "Message-ID") +
		"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nErledigt\r\n\r\nExportfilter repariert.\r\n\r\n> Die AnyDesk-ID ist eingetroffen: " + id + "\r\n"
	if err := dc.Deliver(ctx, support, []byte(done)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, func() bool {
		a, err := r.d.Store().AppointmentByRef(ctx, ref)
		return err == nil && a.Status == "done"
	}, "the session marked done")
	a, _ := r.d.Store().AppointmentByRef(ctx, ref)
	if a.AnyDeskID.Valid || !strings.Contains(a.Protocol, "Exportfilter repariert") {
		t.Fatalf("after done: ID kept %v, protocol %q", a.AnyDeskID.Valid, a.Protocol)
	}
	waitSent(t, r.d.Store(), 4, 30*time.Second) // the technician's acknowledgement
	// The server copies end too (retention.server: redact, the default):
	// the eraser, woken by the decision, leaves no mail in any folder of
	// support@ with the ID, and the ID mail's redacted copy keeps its
	// Message-ID in Processed.
	waitFor(t, time.Minute, func() bool {
		b, err := r.d.Store().ErasureBacklog(ctx)
		return err == nil && b.Pending == 0 && len(maildirHolding(t, dc.MailHome(support), "123456789", id, "123-456-789")) == 0
	}, "no mail of support@ holding the ID")
	if ids := messageIDs(t, dc.MailHome(support)); !ids["<id@kunde.example.org>"] || !ids["<done@example.com>"] {
		t.Errorf("the redacted copies are missing: support@ holds %v", ids)
	}
	r.stop()
	for _, f := range []string{cfg.Database.Path, cfg.Database.Path + "-wal", cfg.Database.Path + "-shm"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, needle := range []string{"123456789", id, "123-456-789"} {
			if bytes.Contains(b, []byte(needle)) {
				t.Errorf("%s still holds the AnyDesk ID %q", f, needle)
			}
		}
	}
	driver, source, err := cfg.Database.Source()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, driver, source)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, err := st.AuditLog(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || (e.Action == "appointment.done" && e.Ref == ref)
		if strings.Contains(e.Actor, "@") {
			t.Errorf("audit entry names a plain address: %+v", e)
		}
	}
	if !found {
		t.Fatalf("no appointment.done audit entry for %s", ref)
	}
}

// freeSlots0 is the first bookable slot from a few minutes ahead.
func freeSlots0(t *testing.T, cfg interface{ Location() *time.Location }) time.Time {
	t.Helper()
	now := time.Now().In(cfg.Location()).Add(5 * time.Minute)
	m := now.Minute()
	next := now.Truncate(time.Minute).Add(time.Duration(30-m%30) * time.Minute)
	if next.Hour() == 23 && next.Minute() >= 30 {
		next = time.Date(next.Year(), next.Month(), next.Day()+1, 0, 0, 0, 0, cfg.Location())
	}
	return next
}

func header(t *testing.T, raw []byte, name string) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	v := m.Header.Get(name)
	if name == "Subject" {
		if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
			v = d
		}
	}
	return v
}

// maildirHolding lists the message files under home (every folder) that
// contain one of needles, byte for byte.
func maildirHolding(t *testing.T, home string, needles ...string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(home, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if d := filepath.Base(filepath.Dir(p)); d != "cur" && d != "new" && d != "tmp" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				out = append(out, p)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// messageIDs are the Message-IDs of the mails under home.
func messageIDs(t *testing.T, home string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for _, p := range maildirHolding(t, home, "") {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := mail.ReadMessage(bytes.NewReader(b)); err == nil {
			ids[m.Header.Get("Message-ID")] = true
		}
	}
	return ids
}
