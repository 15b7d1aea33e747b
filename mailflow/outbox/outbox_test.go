package outbox

import (
	"bytes"
	"context"
	"errors"
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
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "o.db"))
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

// TestBreakerPausesAndRecovers: with 30 mails per 10 minutes allowed,
// replies to 500 distinct senders go out 30 per window; none is lost, and
// the breaker's state shows in status.
func TestBreakerPausesAndRecovers(t *testing.T) {
	const total, perWindow = 500, 30
	f, host, port := startFake(t)
	s, st := setup(t, host, port)
	s.breakerMails, s.breakerWindow = perWindow, 10*time.Minute
	for i := 0; i < total; i++ {
		enqueueTo(t, st, fmt.Sprintf("<flood-%d@example.com>", i), fmt.Sprintf("kunde%d@example.org", i))
	}
	clock := time.Now()
	s.now = func() time.Time { return clock }
	ctx := context.Background()
	windows := (total + perWindow - 1) / perWindow
	for window := 1; window <= windows; window++ {
		n, err := s.SendDue(ctx)
		if want := min(perWindow, total-perWindow*(window-1)); n != want {
			t.Fatalf("window %d: sent %d, want %d (err %v)", window, n, want, err)
		}
		if window < windows {
			if !errors.Is(err, errBreakerOpen) {
				t.Fatalf("window %d: err %v, want the breaker open", window, err)
			}
			kv, _ := st.Status(ctx)
			if !strings.HasPrefix(kv[store.StatusBreaker].Value, "open") {
				t.Fatalf("status shows breaker %q", kv[store.StatusBreaker].Value)
			}
			// Nothing more goes out within the same window.
			clock = clock.Add(9 * time.Minute)
			if n, _ := s.SendDue(ctx); n != 0 {
				t.Fatalf("window %d: %d mails sent while the breaker was open", window, n)
			}
			clock = clock.Add(2 * time.Minute)
		}
	}
	if len(f.accepted) != total {
		t.Fatalf("%d mails delivered in the end, want all %d", len(f.accepted), total)
	}
	if kv, _ := st.Status(ctx); kv[store.StatusBreaker].Value != "closed" {
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
