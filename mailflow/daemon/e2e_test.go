package daemon

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/booking"
	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/internal/pgtest"
	"github.com/mailflow/mailflow/mailflow/store"
)

const support = "support@example.com"

// testConfig writes a config for a Dovecot (or sandbox) setup and loads it.
func testConfig(t testing.TB, imapAddr, smtpAddr, password string, sandbox bool, extra string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	ih, ip := hostPort(imapAddr)
	sh, sp := hostPort(smtpAddr)
	y := fmt.Sprintf(`
imap: {host: %s, port: %d, tls: none, username: %s, password: %q, processed_folder: Processed, human_folder: Human, poll_interval: 2s, command_timeout: 10s}
smtp: {host: %s, port: %d, tls: none, from: %s, timeout: 10s}
%s
desk: {company: Beispiel Software GmbH, min_notice: 1h}
technicians: [{name: Anna Berger, email: anna@example.com}]
log: {level: warn}
# Tests answer many customers at one domain (example.org) within minutes;
# the breaker has its own tests.
limits: {breaker_mails: 100000, domain_per_hour: 100000}
# Agendas and reminders go by the wall clock; the jobs package tests them
# on a fake one. Here they would be mail these tests do not expect.
jobs: {agenda_time: none, reminders: []}
`, ih, ip, support, password, sh, sp, support, strings.TrimSpace(pgtest.DatabaseYAML(t)))
	if sandbox {
		y += fmt.Sprintf("sandbox: {enabled: true, imap_addr: %q, smtp_addr: %q, password: %q}\n", imapAddr, smtpAddr, password)
	}
	y += extra
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// running is a daemon started by a test.
type running struct {
	d      *Daemon
	cancel context.CancelFunc
	done   chan error
}

func start(t testing.TB, cfg *config.Config) *running {
	t.Helper()
	return startWithLog(t, cfg, slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// startWithLog starts a daemon that logs to log.
func startWithLog(t testing.TB, cfg *config.Config, log *slog.Logger) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d, err := New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := d.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	r := &running{d: d, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- d.Run(ctx) }()
	t.Cleanup(r.stop)
	return r
}

// stop cancels the daemon like SIGTERM and waits for a clean exit.
func (r *running) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		panic("daemon did not stop within 30s")
	}
	r.d.Close()
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// freeSlots returns n bookable slot starts from two days ahead on.
func freeSlots(t testing.TB, cfg *config.Config, n int) []time.Time {
	desk, err := booking.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []time.Time
	for day := time.Now().In(desk.Location()).AddDate(0, 0, 2); len(out) < n; day = day.AddDate(0, 0, 1) {
		for _, s := range desk.DaySlots(day) {
			if len(out) < n {
				out = append(out, s.Start)
			}
		}
	}
	return out
}

// request is a customer's German appointment request for when.
func request(from, msgID string, when time.Time) []byte {
	body := fmt.Sprintf("Guten Tag,\r\n\r\nhätten Sie am %s um %s Uhr Zeit für eine Fernwartung? Wir haben eine Frage zur Rechnungslegung.\r\n\r\nMit freundlichen Grüßen\r\nMaria Huber\r\n",
		when.Format("02.01.2006"), when.Format("15:04"))
	return []byte("From: Maria Huber <" + from + ">\r\n" +
		"To: " + support + "\r\n" +
		"Subject: Termin Fernwartung\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: " + msgID + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" + body)
}

func customer(i int) string  { return fmt.Sprintf("kunde%02d@example.org", i) }
func requestID(i int) string { return fmt.Sprintf("<req-%02d@kunde.example.org>", i) }

// waitSent waits until the outbox has sent n mails in all.
func waitSent(t testing.TB, st *store.Store, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		s, err := st.OutboxStats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if s.Sent >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %d mails sent, want %d (pending %d, dead %d)", within, s.Sent, n, s.Pending, s.Dead)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkReply asserts that raw is our answer to the request with Message-ID
// inReplyTo and carries what every confirmation must.
func checkReply(t testing.TB, who string, raw []byte, inReplyTo string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: reply does not parse: %v", who, err)
	}
	if got := m.Header.Get("In-Reply-To"); got != inReplyTo {
		t.Errorf("%s: In-Reply-To %q, want %q", who, got, inReplyTo)
	}
	if got := m.Header.Get("Auto-Submitted"); got != "auto-replied" {
		t.Errorf("%s: Auto-Submitted %q", who, got)
	}
	text := decodeQP(string(raw))
	for _, want := range mustSay {
		if !strings.Contains(text, want) {
			t.Errorf("%s: reply lacks %q", who, want)
		}
	}
}

// mustSay are phrases of the German confirmation: the privacy statement and
// the rule to close every other program before sending the ID.
var mustSay = []string{"Datenschutz bei der Fernwartung", "Schließen Sie alle Programme außer unserer Software", "Lassen Sie AnyDesk geöffnet"}

func TestSandboxRequestGetsConfirmation(t *testing.T) {
	cfg := testConfig(t, "127.0.0.1:0", "127.0.0.1:0", "sandbox", true, "")
	r := start(t, cfg)
	when := freeSlots(t, cfg, 1)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.d.Sandbox.Deliver(ctx, "kunde@example.org", []string{support}, request("kunde@example.org", "<one@kunde.example.org>", when)); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r.d.Store(), 1, 20*time.Second)
	msgs := sandboxInbox(t, r.d.Sandbox.IMAPAddr(), "kunde@example.org", "sandbox")
	if len(msgs) != 1 {
		t.Fatalf("customer has %d mails, want 1", len(msgs))
	}
	checkReply(t, "kunde", msgs[0], "<one@kunde.example.org>")
	if !bytes.Contains(msgs[0], []byte(when.Format("15:04"))) {
		t.Errorf("confirmation does not name the time %s", when.Format("15:04"))
	}
}

// TestDovecotFiftyCustomersAcrossRestart is the pipeline's promise on a real
// server: every customer gets exactly one reply, also when the daemon is
// stopped half-way and started again, and a mail delivered twice is
// answered once.
func TestDovecotFiftyCustomersAcrossRestart(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const n = 50
	slots := freeSlots(t, cfg, n)
	deliver := func(i int) {
		t.Helper()
		if err := dc.Deliver(ctx, support, request(customer(i), requestID(i), slots[i])); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n/2; i++ {
		deliver(i)
	}
	r := start(t, cfg)
	waitSent(t, r.d.Store(), 10, time.Minute)
	r.stop() // mid-way: some decided, some not, some replies maybe not sent

	for i := n / 2; i < n; i++ {
		deliver(i)
	}
	deliver(7) // the same mail again, same Message-ID
	r = start(t, cfg)
	waitSent(t, r.d.Store(), n, 2*time.Minute)
	time.Sleep(3 * time.Second) // a late double would show up by now

	var wg sync.WaitGroup
	var mu sync.Mutex
	replies := make([][][]byte, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msgs, err := dc.Fetch(ctx, customer(i), "INBOX")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("%s: %v", customer(i), err)
			}
			replies[i] = msgs
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if len(replies[i]) != 1 {
			t.Errorf("%s has %d replies, want exactly 1", customer(i), len(replies[i]))
			continue
		}
		checkReply(t, customer(i), replies[i][0], requestID(i))
	}
	counts, err := r.d.Store().OutcomeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["booked"] != n || counts["duplicate"] != 1 {
		t.Errorf("outcomes %v, want %d booked and 1 duplicate", counts, n)
	}
	// Decided mail left the inbox for the processed folder; nothing was deleted.
	waitFor(t, 20*time.Second, func() bool {
		c, _ := dc.Count(ctx, support, "Processed")
		return c == n+1
	}, "all decided mail moved to Processed")
	if c, _ := dc.Count(ctx, support, "INBOX"); c != 0 {
		t.Errorf("%d mails still in INBOX", c)
	}
}

func waitFor(t testing.TB, within time.Duration, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDovecotProposalAcceptCancel walks a customer through a whole booking
// by mail on the real server: request without a time → proposal → "der
// zweite passt" → confirmation with a calendar invitation → "bitte
// absagen" → cancellation with METHOD:CANCEL.
func TestDovecotProposalAcceptCancel(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	r := start(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const who = "maria@kunde.example.org"
	send := func(n int, subject, inReplyTo, body string) {
		t.Helper()
		raw := "From: Maria Huber <" + who + ">\r\nTo: " + support + "\r\nSubject: " + subject + "\r\n" +
			"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <flow-" + fmt.Sprint(n) + "@kunde.example.org>\r\n"
		if inReplyTo != "" {
			raw += "In-Reply-To: " + inReplyTo + "\r\nReferences: " + inReplyTo + "\r\n"
		}
		raw += "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
		if err := dc.Deliver(ctx, support, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	latest := func(n int) (*mail.Message, string) {
		t.Helper()
		waitSent(t, r.d.Store(), n, time.Minute)
		msgs, err := dc.Fetch(ctx, who, "INBOX")
		if err != nil || len(msgs) != n {
			t.Fatalf("customer has %d mails, want %d (%v)", len(msgs), n, err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(msgs[n-1]))
		if err != nil {
			t.Fatal(err)
		}
		return m, decodeQP(string(msgs[n-1]))
	}

	send(1, "Fernwartung", "", "Guten Tag, wir bräuchten eine Einschulung per Fernwartung. Wann hätten Sie Zeit?")
	proposal, text := latest(1)
	if !strings.Contains(text, "2.") {
		t.Fatalf("no numbered proposals in:\n%s", text)
	}

	send(2, "Re: "+proposal.Header.Get("Subject"), proposal.Header.Get("Message-ID"), "Danke, der zweite passt uns.")
	confirmation, text := latest(2)
	if !strings.Contains(text, "METHOD:REQUEST") || !strings.Contains(text, "BEGIN:VEVENT") {
		t.Fatalf("confirmation without a calendar invitation:\n%s", text)
	}
	ref := bookingRef(t, confirmation.Header.Get("Subject"))

	send(3, "Re: "+confirmation.Header.Get("Subject"), confirmation.Header.Get("Message-ID"), "Bitte absagen, wir haben das Problem selbst gelöst.")
	cancelled, text := latest(3)
	if !strings.Contains(text, "METHOD:CANCEL") || !strings.Contains(text, "STATUS:CANCELLED") {
		t.Fatalf("cancellation without METHOD:CANCEL:\n%s", text)
	}
	if got := bookingRef(t, cancelled.Header.Get("Subject")); got != ref {
		t.Errorf("cancellation is about %s, the booking was %s", got, ref)
	}
	a, err := r.d.Store().AppointmentByRef(ctx, ref)
	if err != nil || a.Status != store.StatusCancelled {
		t.Fatalf("appointment after cancellation: %+v %v", a, err)
	}
}

func bookingRef(t *testing.T, subject string) string {
	t.Helper()
	i := strings.Index(subject, "FW-")
	if i < 0 {
		t.Fatalf("no booking reference in subject %q", subject)
	}
	j := i + 3
	for j < len(subject) && subject[j] >= '0' && subject[j] <= '9' {
		j++
	}
	return subject[i:j]
}
