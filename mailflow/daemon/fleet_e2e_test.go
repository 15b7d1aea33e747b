package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/health"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/internal/pgtest"
)

// TestDovecotSeveralDesks runs three desks in one process on one Dovecot:
// alpha and beta each answer the mail to their own mailbox, with their
// own templates, hours, technicians and company, into their own database;
// gamma's mailbox refuses the password, which leaves the others answering
// and makes /healthz name gamma. With MAILFLOW_TEST_DB=postgres the
// desks share one PostgreSQL database, each in its own schema.
func TestDovecotSeveralDesks(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	dir := t.TempDir()
	const alpha, beta, gamma = "alpha@example.com", "beta@example.com", "gamma@example.com"
	if err := os.MkdirAll(filepath.Join(dir, "alpha-templates", "de"), 0o755); err != nil {
		t.Fatal(err)
	}
	// alpha's own subject line; beta keeps the built-in one.
	if err := os.WriteFile(filepath.Join(dir, "alpha-templates", "de", "confirmation.subject.tmpl"),
		[]byte("Alpha-Fernwartung{{with .Appointment}} am {{.Full}}{{end}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	ih, ip := hostPort(dc.IMAPAddr)
	sh, sp := hostPort(dc.SMTPAddr)
	every := func(r string) string {
		return fmt.Sprintf(`{mon: [%q], tue: [%q], wed: [%q], thu: [%q], fri: [%q], sat: [%q], sun: [%q]}`, r, r, r, r, r, r, r)
	}
	y := fmt.Sprintf(`
imap: {host: %s, port: %d, tls: none, password: %q, processed_folder: Processed, human_folder: Human, poll_interval: 2s, command_timeout: 10s}
smtp: {host: %s, port: %d, tls: none, timeout: 10s}
%s
desk: {holidays: none, min_notice: 1h}
http: {addr: "127.0.0.1:0", connect_grace: 1s}
log: {level: warn}
limits: {breaker_mails: 100000, domain_per_hour: 100000}
jobs: {agenda_time: none, reminders: []}
desks:
  - name: Alpha Software
    slug: alpha
    imap: {username: %s}
    desk: {company: Alpha Software GmbH, hours: %s}
    technicians: [{name: Anna Alpha, email: anna@alpha.example}]
    templates: {dir: alpha-templates}
  - name: Beta Kassen
    slug: beta
    imap: {username: %s}
    desk: {company: Beta Kassen KG, hours: %s}
    technicians: [{name: Bernd Beta, email: bernd@beta.example}]
  - name: Gamma
    slug: gamma
    imap: {username: %s, password: wrong-password}
    technicians: [{name: Gina Gamma, email: gina@gamma.example}]
`, ih, ip, dc.Password, sh, sp, strings.TrimSpace(pgtest.DatabaseYAML(t)), alpha, every("10:00-12:00"), beta, every("07:00-08:00"), gamma)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	desks := map[string]*config.Config{}
	for _, d := range file.Desks() {
		desks[d.Slug] = d
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f := NewFleet(file, log)
	if err := f.Start(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("fleet did not stop within 30s")
		}
	})
	for _, s := range []string{"alpha", "beta", "gamma"} {
		select {
		case <-f.Running(s):
		case <-ctx.Done():
			t.Fatalf("desk %s never started", s)
		}
	}
	base := "http://" + f.HTTPAddr()

	// gamma cannot log in: the process is unhealthy and says which desk.
	// (One report is checked whole: on a loaded machine another desk may
	// be reconnecting for a moment between two reports.)
	waitFor(t, time.Minute, func() bool {
		code, rep := fleetHealth(t, base+"/healthz")
		return code == http.StatusServiceUnavailable && len(rep.Unhealthy) == 1 && rep.Unhealthy[0] == "gamma" &&
			len(rep.Reasons) > 0 && strings.HasPrefix(rep.Reasons[0], "desk gamma: intake")
	}, "/healthz naming gamma's intake, and only gamma")

	// The other desks answer their own customers meanwhile.
	const maria, max = "maria@kunde.example.org", "max@kunde.example.org"
	aSlot, bSlot := freeSlots(t, desks["alpha"], 1)[0], freeSlots(t, desks["beta"], 1)[0]
	if err := dc.Deliver(ctx, alpha, request(maria, "<to-alpha@kunde.example.org>", aSlot)); err != nil {
		t.Fatal(err)
	}
	if err := dc.Deliver(ctx, beta, request(max, "<to-beta@kunde.example.org>", bSlot)); err != nil {
		t.Fatal(err)
	}
	da, db := f.Desk("alpha"), f.Desk("beta")
	waitSent(t, da.Store(), 1, time.Minute)
	waitSent(t, db.Store(), 1, time.Minute)

	type want struct {
		customer, desk, from, subject, company, technician, time string
		other                                                    *Daemon
	}
	for _, w := range []want{
		{maria, "alpha", alpha, "Alpha-Fernwartung", "Alpha Software GmbH", "anna@alpha.example", aSlot.Format("15:04"), db},
		{max, "beta", beta, "Ihr Fernwartungstermin", "Beta Kassen KG", "bernd@beta.example", bSlot.Format("15:04"), da},
	} {
		msgs, err := dc.Fetch(ctx, w.customer, "INBOX")
		if err != nil || len(msgs) != 1 {
			t.Fatalf("%s has %d mails (%v), want the one reply of desk %s", w.customer, len(msgs), err, w.desk)
		}
		checkReply(t, w.customer, msgs[0], map[string]string{maria: "<to-alpha@kunde.example.org>", max: "<to-beta@kunde.example.org>"}[w.customer])
		subject := header(t, msgs[0], "Subject")
		if !strings.Contains(header(t, msgs[0], "From"), w.from) || !strings.Contains(subject, w.subject) {
			t.Errorf("%s: reply from %q, subject %q; want from %s, subject with %q", w.customer, header(t, msgs[0], "From"), subject, w.from, w.subject)
		}
		text := decodeQP(string(msgs[0]))
		if !strings.Contains(text, w.company) || !strings.Contains(text, w.time) {
			t.Errorf("%s: reply does not sign as %s or name %s", w.customer, w.company, w.time)
		}
		ref := bookingRef(t, subject)
		a, err := f.Desk(w.desk).Store().AppointmentByRef(ctx, ref)
		if err != nil {
			t.Fatalf("%s: booking %s not in desk %s's database: %v", w.customer, ref, w.desk, err)
		}
		if a.Technician != w.technician || a.Customer != w.customer {
			t.Errorf("%s: booked with %s for %s, want %s", ref, a.Technician, a.Customer, w.technician)
		}
		// References count per desk (each desk's FW-1001 is its own):
		// the other desk's database knows nothing of this customer.
		if o, err := w.other.Store().AppointmentByRef(ctx, ref); err == nil && o.Customer == w.customer {
			t.Errorf("booking of %s for desk %s is also in the other desk's database", w.customer, w.desk)
		}
	}
	for _, s := range []string{"alpha", "beta"} {
		counts, err := f.Desk(s).Store().OutcomeCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts["booked"] != 1 || len(counts) != 1 {
			t.Errorf("desk %s decided %v, want its one mail booked", s, counts)
		}
		if pgtest.Postgres() {
			// One PostgreSQL database, each desk in its own schema.
			if got := desks[s].Database.Schema; got != "desk_"+s {
				t.Errorf("desk %s keeps its tables in schema %q, want desk_%s", s, got, s)
			}
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, s+".db")); err != nil {
			t.Errorf("desk %s has no database of its own beside the config: %v", s, err)
		}
	}
	// gamma's customers' mail stays on the server, untouched, for later.
	if err := dc.Deliver(ctx, gamma, request("gerd@kunde.example.org", "<to-gamma@kunde.example.org>", aSlot)); err != nil {
		t.Fatal(err)
	}
	if n, _ := dc.Count(ctx, gamma, "INBOX"); n != 1 {
		t.Errorf("gamma's inbox has %d mails, want 1", n)
	}

	// Each desk's own verdict and its labelled metrics.
	for s, code := range map[string]int{"alpha": http.StatusOK, "beta": http.StatusOK, "gamma": http.StatusServiceUnavailable} {
		if got, _ := getURL(t, base+"/d/"+s+"/healthz"); got != code {
			t.Errorf("/d/%s/healthz answered %d, want %d", s, got, code)
		}
	}
	_, m := getURL(t, base+"/metrics")
	for _, want := range []string{`mailflow_replies_sent_total{desk="alpha"} 1`, `mailflow_replies_sent_total{desk="beta"} 1`,
		`mailflow_unhealthy{cause="intake",desk="gamma"} 1`, `mailflow_unhealthy{cause="intake",desk="alpha"} 0`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func fleetHealth(t *testing.T, url string) (int, health.DesksReport) {
	t.Helper()
	code, body := getURL(t, url)
	var rep health.DesksReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("%s: %v: %s", url, err, body)
	}
	return code, rep
}

func getURL(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
