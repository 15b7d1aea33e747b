package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

// TestAgendaCommand prints an agenda, sends it by hand once (a second
// -send sends nothing), and refuses a past day and a stranger.
func TestAgendaCommand(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfgPath, []byte(`sandbox: {enabled: true}
technicians: [{name: Anna Berger, email: anna@example.com}]
jobs: {team_lead: lea@example.com}
log: {level: error}
`), 0o600)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	desk, err := booking.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A working day a few days ahead, and a weekend day.
	loc := cfg.Location()
	day, weekend := time.Time{}, time.Time{}
	for x := time.Now().In(loc).AddDate(0, 0, 3); day.IsZero() || weekend.IsZero(); x = x.AddDate(0, 0, 1) {
		x = time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, loc)
		if day.IsZero() && desk.WorkingDay(x, "anna@example.com") {
			day = x
		}
		if weekend.IsZero() && x.Weekday() == time.Saturday {
			weekend = x
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	start := day.Add(10 * time.Hour)
	a := &store.Appointment{Customer: "maria@kunde.at", CustomerName: "Maria Muster", Technician: "anna@example.com",
		Start: start, End: start.Add(30 * time.Minute), Language: "de", Reason: "Schulung"}
	if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.Book(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	date := day.Format(time.DateOnly)

	code, out, errs := run(t, dir, "agenda", "-date", date)
	if code != 0 {
		t.Fatalf("print: exit %d: %s", code, errs)
	}
	for _, w := range []string{"To: anna@example.com (not sent yet)", "To: lea@example.com (not sent yet)", "Tagesplan für Anna Berger",
		"10:00–10:30  " + a.Ref, "Maria Muster <maria@kunde.at>", "Anliegen: Schulung", "AnyDesk-ID: noch nicht"} {
		if !strings.Contains(out, w) {
			t.Errorf("printed agenda lacks %q:\n%s", w, out)
		}
	}
	code, out, errs = run(t, dir, "agenda", "-date", date, "-technician", "anna@example.com", "-send")
	if code != 0 || !strings.Contains(out, "anna@example.com: queued, 1 session(s)") || strings.Contains(out, "lea@") {
		t.Fatalf("send: exit %d: %s %s", code, out, errs)
	}
	code, out, _ = run(t, dir, "agenda", "-date", date, "-technician", "anna@example.com", "-send")
	if code != 0 || !strings.Contains(out, "already sent") {
		t.Fatalf("second send: exit %d: %s", code, out)
	}
	if code, out, _ = run(t, dir, "agenda", "-date", date); code != 0 || !strings.Contains(out, "To: anna@example.com (already sent)") {
		t.Fatalf("print after send: exit %d: %s", code, out)
	}
	if code, out, _ = run(t, dir, "agenda", "-date", weekend.Format(time.DateOnly)); code != 0 || !strings.Contains(out, "no agenda") {
		t.Errorf("weekend: exit %d: %s", code, out)
	}
	for _, args := range [][]string{
		{"agenda", "-date", "2020-01-02", "-send"},
		{"agenda", "-technician", "nobody@example.com"},
		{"agenda", "-date", "tomorrow"},
	} {
		if code, _, errs := run(t, dir, args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errs)
		}
	}

	st, err = store.Open(ctx, store.SQLite, filepath.Join(dir, "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pending, err := st.Outbox(ctx, store.OutboxPending)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Recipient != "anna@example.com" || pending[0].Purpose != "agenda" {
		t.Fatalf("outbox after two sends: %d mails", len(pending))
	}
}
