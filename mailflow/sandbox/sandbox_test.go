package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mailflow/mailflow/mailflow/sandbox"
)

const (
	support  = "support@example.com"
	password = "test-secret"
)

func quietLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func startSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := sandbox.Start(ctx, sandbox.Options{
		IMAPAddr: "127.0.0.1:0",
		SMTPAddr: ":0",
		Users:    []string{support},
		Password: password,
		Logger:   quietLogger(t),
	})
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close sandbox: %v", err)
		}
	})
	return srv
}

func testMessage(subject string) []byte {
	return []byte("From: Kunde <kunde@example.org>\r\n" +
		"To: support@example.com\r\n" +
		"Subject: " + subject + "\r\n" +
		"Message-ID: <" + strings.ReplaceAll(subject, " ", "-") + "@example.org>\r\n" +
		"Date: Tue, 24 Nov 2026 09:00:00 +0100\r\n" +
		"\r\n" +
		"Guten Tag,\r\n" +
		".a line starting with a dot\r\n" +
		"bitte um einen Termin am Donnerstag um 10 Uhr.\r\n")
}

// sendMail submits raw over SMTP; every network step is bounded by ctx.
func sendMail(ctx context.Context, addr, from string, to []string, raw []byte, auth sasl.Client) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dial smtp %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if auth != nil {
		if err := c.Hello("localhost"); err != nil {
			return fmt.Errorf("smtp hello: %w", err)
		}
		if err := c.Auth(auth); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("smtp quit: %w", err)
	}
	return nil
}

// dialIMAP logs in; the connection is closed when ctx ends, which unblocks
// any command wait.
func dialIMAP(ctx context.Context, t *testing.T, addr, user string, opts *imapclient.Options) *imapclient.Client {
	t.Helper()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatalf("dial imap: %v", err)
	}
	c := imapclient.New(conn, opts)
	stop := context.AfterFunc(ctx, func() { c.Close() })
	t.Cleanup(func() {
		stop()
		c.Close()
	})
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c
}

func fetchAll(t *testing.T, c *imapclient.Client, mailbox string) [][]byte {
	t.Helper()
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("select %s: %v", mailbox, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID:         true,
		BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	if err != nil {
		t.Fatalf("fetch %s: %v", mailbox, err)
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	var out [][]byte
	for _, m := range msgs {
		out = append(out, m.FindBodySection(section))
	}
	return out
}

func TestSMTPDeliveryReadBackOverIMAP(t *testing.T) {
	srv := startSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	raw := testMessage("Termin bitte")
	if err := sendMail(ctx, srv.SMTPAddr(), "kunde@example.org", []string{support}, raw, nil); err != nil {
		t.Fatal(err)
	}

	c := dialIMAP(ctx, t, srv.IMAPAddr(), support, nil)
	got := fetchAll(t, c, "INBOX")
	want := append([]byte("Return-Path: <kunde@example.org>\r\n"), raw...)
	if len(got) != 1 || !bytes.Equal(got[0], want) {
		t.Fatalf("INBOX = %q, want one message %q", got, want)
	}

	// The folders mailflow moves mail to exist from the start.
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Mailbox)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Human", "INBOX", "Processed"}) {
		t.Errorf("mailboxes = %v, want Human INBOX Processed", names)
	}

	// The capabilities the mailbox package relies on are there.
	caps := c.Caps()
	for _, cp := range []imap.Cap{imap.CapIMAP4rev1, imap.CapIdle, imap.CapMove, imap.CapUIDPlus} {
		if !caps.Has(cp) {
			t.Errorf("capability %s missing (have %v)", cp, caps)
		}
	}

	// MOVE with UIDPLUS reports the new UID.
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatalf("select: %v", err)
	}
	moved, err := c.Move(imap.UIDSetNum(1), "Processed").Wait()
	if err != nil {
		t.Fatalf("move: %v", err)
	}
	if moved.UIDValidity == 0 || moved.DestUIDs.String() != "1" {
		t.Errorf("move data = %+v, want UIDPLUS COPYUID with dest uid 1", moved)
	}
	if got := fetchAll(t, c, "Processed"); len(got) != 1 || !bytes.Equal(got[0], want) {
		t.Errorf("Processed = %q, want the moved message", got)
	}
	if got := fetchAll(t, c, "INBOX"); len(got) != 0 {
		t.Errorf("INBOX after move has %d messages, want 0", len(got))
	}
}

func TestNullSenderReturnPath(t *testing.T) {
	srv := startSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	raw := testMessage("Undeliverable")
	if err := sendMail(ctx, srv.SMTPAddr(), "", []string{support}, raw, nil); err != nil {
		t.Fatal(err)
	}
	c := dialIMAP(ctx, t, srv.IMAPAddr(), support, nil)
	got := fetchAll(t, c, "INBOX")
	if len(got) != 1 || !bytes.HasPrefix(got[0], []byte("Return-Path: <>\r\nFrom: ")) {
		t.Fatalf("INBOX = %q, want one message starting with an empty Return-Path", got)
	}
}

func TestSMTPAcceptsAnyAuth(t *testing.T) {
	srv := startSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	for _, auth := range []sasl.Client{
		sasl.NewPlainClient("", "whoever", "whatever"),
		sasl.NewLoginClient("whoever", "whatever"),
	} {
		if err := sendMail(ctx, srv.SMTPAddr(), support, []string{support}, testMessage("auth"), auth); err != nil {
			t.Fatal(err)
		}
	}
	c := dialIMAP(ctx, t, srv.IMAPAddr(), support, nil)
	if got := fetchAll(t, c, "INBOX"); len(got) != 2 {
		t.Fatalf("INBOX has %d messages, want 2", len(got))
	}
}

func TestIdleSeesDeliveryPromptly(t *testing.T) {
	srv := startSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	exists := make(chan uint32, 16)
	c := dialIMAP(ctx, t, srv.IMAPAddr(), support, &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					select {
					case exists <- *data.NumMessages:
					default:
					}
				}
			},
		},
	})
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatalf("select: %v", err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatalf("idle: %v", err)
	}

	start := time.Now()
	if err := sendMail(ctx, srv.SMTPAddr(), "kunde@example.org", []string{support}, testMessage("idle"), nil); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-exists:
		if n != 1 {
			t.Errorf("EXISTS %d, want 1", n)
		}
		t.Logf("IDLE saw the delivery after %v", time.Since(start))
	case <-time.After(time.Minute):
		// Only a broken server ends here: the test waits for the event,
		// not for a time (a loaded CI machine may take seconds).
		t.Fatal("no EXISTS after the SMTP delivery")
	}

	if err := idle.Close(); err != nil {
		t.Fatalf("idle close: %v", err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatalf("idle wait: %v", err)
	}
}

func TestUnknownRecipientGetsAnAccount(t *testing.T) {
	srv := startSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	raw := testMessage("newcomer")
	if err := sendMail(ctx, srv.SMTPAddr(), support, []string{"Anyone@Example.NET", support}, raw, nil); err != nil {
		t.Fatal(err)
	}
	if users := srv.Users(); !slices.Equal(users, []string{"anyone@example.net", support}) {
		t.Errorf("users = %v", users)
	}

	c := dialIMAP(ctx, t, srv.IMAPAddr(), "anyone@example.net", nil)
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if st.NumMessages == nil || *st.NumMessages != 1 {
		t.Errorf("newcomer INBOX status = %+v, want 1 message", st)
	}
	if _, err := c.Status("Human", &imap.StatusOptions{NumMessages: true}).Wait(); err != nil {
		t.Errorf("newcomer has no Human folder: %v", err)
	}
	// The other recipient got its copy too.
	c2 := dialIMAP(ctx, t, srv.IMAPAddr(), support, nil)
	if got := fetchAll(t, c2, "INBOX"); len(got) != 1 {
		t.Errorf("support INBOX has %d messages, want 1", len(got))
	}
}

func TestLoginWithWrongPasswordFails(t *testing.T) {
	srv := startSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", srv.IMAPAddr())
	if err != nil {
		t.Fatal(err)
	}
	c := imapclient.New(conn, nil)
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(support, "wrong").Wait(); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, opts := range []sandbox.Options{
		{IMAPAddr: "0.0.0.0:0", SMTPAddr: "127.0.0.1:0"},
		{IMAPAddr: "127.0.0.1:0", SMTPAddr: "[::]:0"},
	} {
		opts.Logger = quietLogger(t)
		srv, err := sandbox.Start(ctx, opts)
		if err == nil {
			srv.Close()
			t.Fatalf("Start(%+v) succeeded", opts)
		}
		if !errors.Is(err, sandbox.ErrNotLoopback) {
			t.Errorf("Start(%+v) = %v, want ErrNotLoopback", opts, err)
		}
	}
}

func TestSMTPServerDeliverFailureIsTemporary(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	s := sandbox.NewSMTPServer("127.0.0.1:0", func(ctx context.Context, from string, to []string, raw []byte) error {
		return io.ErrUnexpectedEOF
	})
	s.Logger = quietLogger(t)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	err := sendMail(ctx, s.Addr(), "a@example.org", []string{"b@example.org"}, testMessage("fail"), nil)
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &smtpErr) || smtpErr.Code != 451 {
		t.Fatalf("send = %v, want SMTP 451", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}
