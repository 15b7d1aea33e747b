package outbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

// fakeSMTP is an SMTP server that answers DATA with the next scripted
// reply (nil = accept) and keeps what it accepted.
type fakeSMTP struct {
	mu       sync.Mutex
	script   []error
	accepted [][]byte
}

func (f *fakeSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &fakeSession{f: f}, nil }

type fakeSession struct{ f *fakeSMTP }

func (s *fakeSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *fakeSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *fakeSession) Reset()                               {}
func (s *fakeSession) Logout() error                        { return nil }
func (s *fakeSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if len(s.f.script) > 0 {
		next := s.f.script[0]
		s.f.script = s.f.script[1:]
		if next != nil {
			return next
		}
	}
	s.f.accepted = append(s.f.accepted, b)
	return nil
}

func startFake(t *testing.T, script ...error) (*fakeSMTP, string, int) {
	t.Helper()
	f := &fakeSMTP{script: script}
	host, port := serveSMTP(t, f)
	return f, host, port
}

// serveSMTP runs a go-smtp server with backend b on a free loopback port
// until the test ends.
func serveSMTP(t *testing.T, b smtp.Backend) (string, int) {
	t.Helper()
	srv := smtp.NewServer(b)
	srv.AllowInsecureAuth = true
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return host, p
}

func setup(t *testing.T, host string, port int) (*Sender, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), store.SQLite, filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := config.Default()
	cfg.SMTP = config.SMTP{Host: host, Port: port, TLS: config.TLSNone, From: "support@example.com", Timeout: 5 * time.Second, MaxAttempts: 3}
	return New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil))), st
}

func enqueue(t *testing.T, st *store.Store, id string) {
	t.Helper()
	enqueueTo(t, st, id, "kunde@example.org")
}

func enqueueTo(t *testing.T, st *store.Store, id, to string) {
	t.Helper()
	raw := []byte("From: support@example.com\r\nTo: " + to + "\r\nMessage-ID: " + id + "\r\nSubject: x\r\n\r\nHallo\r\n")
	err := st.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Enqueue(context.Background(), &store.OutboxMail{MessageID: id, Purpose: "test", Sender: "support@example.com", Recipient: to, Raw: raw})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDeliversBytesAsQueued(t *testing.T) {
	f, host, port := startFake(t)
	s, st := setup(t, host, port)
	enqueue(t, st, "<a@example.com>")
	n, err := s.SendDue(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("sent %d, err %v", n, err)
	}
	if len(f.accepted) != 1 || !bytes.Contains(f.accepted[0], []byte("Message-ID: <a@example.com>")) {
		t.Fatalf("server got %q", f.accepted)
	}
	if n, _ := s.SendDue(context.Background()); n != 0 {
		t.Fatal("a sent mail was sent again")
	}
}

func TestRetryAndDeadLetters(t *testing.T) {
	temp := &smtp.SMTPError{Code: 451, Message: "try later"}
	perm := &smtp.SMTPError{Code: 550, Message: "no such user"}
	cases := []struct {
		name   string
		script []error
		// after one pass:
		sent, pending, dead int
	}{
		{"accepted", nil, 1, 0, 0},
		{"4xx is retried", []error{temp}, 0, 1, 0},
		{"5xx is a dead letter", []error{perm}, 0, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, host, port := startFake(t, c.script...)
			s, st := setup(t, host, port)
			enqueue(t, st, "<m@example.com>")
			s.SendDue(context.Background())
			got, _ := st.OutboxStats(context.Background())
			if got.Sent != c.sent || got.Pending != c.pending || got.Dead != c.dead {
				t.Fatalf("stats %+v, want sent %d pending %d dead %d", got, c.sent, c.pending, c.dead)
			}
		})
	}
}

func TestTemporaryFailuresEndAsDeadLetterAfterMaxAttempts(t *testing.T) {
	temp := &smtp.SMTPError{Code: 421, Message: "busy"}
	_, host, port := startFake(t, temp, temp, temp, temp)
	s, st := setup(t, host, port)
	enqueue(t, st, "<m@example.com>")
	clock := time.Now()
	s.now = func() time.Time { return clock }
	for i := 0; i < 3; i++ {
		s.SendDue(context.Background())
		clock = clock.Add(2 * time.Hour) // past any backoff
	}
	got, _ := st.OutboxStats(context.Background())
	if got.Dead != 1 {
		t.Fatalf("after 3 temporary failures with max_attempts 3: %+v", got)
	}
}

func TestServerDownIsTemporary(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close() // nothing listens here now
	s, st := setup(t, "127.0.0.1", addr.Port)
	enqueue(t, st, "<m@example.com>")
	if _, err := s.SendDue(context.Background()); err == nil {
		t.Fatal("no error with the server down")
	}
	got, _ := st.OutboxStats(context.Background())
	if got.Pending != 1 || got.Dead != 0 {
		t.Fatalf("a network error must leave the mail pending: %+v", got)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n <= 12; n++ {
		d := Backoff(n)
		if d > time.Hour+time.Hour/5 {
			t.Fatalf("backoff %d = %s above the cap", n, d)
		}
		if n <= 6 && d < prev/2 {
			t.Fatalf("backoff %d = %s shrank from %s", n, d, prev)
		}
		prev = d
	}
}

// TestBreakerHoldsLoopsNotCustomers: 500 distinct customers (a Monday
// backlog) all get their reply at once; many replies to one address or to
// one company's domain are held (a mail loop looks like that) and go out,
// none lost, once the hour frees; a big shared provider's many customers
// are not held. The breaker's state shows in status.
func TestBreakerHoldsLoopsNotCustomers(t *testing.T) {
	f, host, port := startFake(t)
	s, st := setup(t, host, port)
	clock := time.Now()
	s.now = func() time.Time { return clock }
	ctx := context.Background()

	for i := range 500 {
		enqueueTo(t, st, fmt.Sprintf("<c-%d@example.com>", i), fmt.Sprintf("kunde%d@firma%d.example", i, i))
	}
	clock = time.Now()
	if n, err := s.SendDue(ctx); n != 500 || err != nil {
		t.Fatalf("distinct customers: sent %d, %v; want all 500 at once", n, err)
	}
	if s.BreakerOpen() {
		t.Fatal("breaker open after replies to distinct customers")
	}

	// A loop with one address: 10 an hour go out, the rest wait.
	for i := range 25 {
		enqueueTo(t, st, fmt.Sprintf("<loop-%d@example.com>", i), "robot@ticket.example")
	}
	// A loop through one company's ticket system: many addresses, one domain.
	for i := range 80 {
		enqueueTo(t, st, fmt.Sprintf("<dom-%d@example.com>", i), fmt.Sprintf("ticket+%d@helpdesk.example", i))
	}
	// Many customers at one big provider: never held.
	for i := range 80 {
		enqueueTo(t, st, fmt.Sprintf("<gm-%d@example.com>", i), fmt.Sprintf("kunde.%d@gmail.com", i))
	}
	clock = time.Now()
	n, err := s.SendDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := 10 + 60 + 80; n != want {
		t.Fatalf("sent %d with loops pending; want %d (10 to the address, 60 to the domain, all 80 at the provider)", n, want)
	}
	if !s.BreakerOpen() {
		t.Fatal("breaker not open while holding")
	}
	kv, _ := st.Status(ctx)
	if v := kv[store.StatusBreaker].Value; !strings.Contains(v, "helpdesk.example") || !strings.Contains(v, "ticket.example") {
		t.Fatalf("status shows breaker %q", v)
	}
	// Within the hour nothing more goes to them.
	clock = clock.Add(30 * time.Minute)
	if n, _ := s.SendDue(ctx); n != 0 {
		t.Fatalf("%d held mails sent within the hour", n)
	}
	// The hours free; everything goes out in the end, nothing lost.
	for range 4 {
		clock = clock.Add(61 * time.Minute)
		if _, err := s.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(f.accepted); got != 500+25+80+80 {
		t.Fatalf("%d mails delivered in the end, want all %d", got, 500+25+80+80)
	}
	s.refreshBreaker(ctx)
	if kv, _ := st.Status(ctx); kv[store.StatusBreaker].Value != "closed" || s.BreakerOpen() {
		t.Fatalf("breaker after recovery: %q", kv[store.StatusBreaker].Value)
	}
}

// TestWrongPasswordKeepsMail: a 535 at login is the operator's to fix; the
// mail waits instead of becoming a dead letter.
func TestWrongPasswordKeepsMail(t *testing.T) {
	err := &sessionError{&textproto.Error{Code: 535, Msg: "5.7.8 authentication failed"}}
	if !temporary(err) {
		t.Fatal("a login failure was taken as a permanent failure of the mail")
	}
	if temporary(&textproto.Error{Code: 550, Msg: "no such user"}) {
		t.Fatal("a 550 for the recipient must stay permanent")
	}
}
