package mailtest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
)

const support = "support@example.com"

func message(subject string) []byte {
	return []byte("From: Kunde <kunde@example.org>\r\n" +
		"To: support@example.com\r\n" +
		"Subject: " + subject + "\r\n" +
		"Message-ID: <" + strings.ReplaceAll(subject, " ", "-") + "@example.org>\r\n" +
		"Date: Tue, 24 Nov 2026 09:00:00 +0100\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n" +
		"\r\n" +
		"Grüß Gott,\r\n" +
		".eine Zeile mit Punkt vorne\r\n" +
		"bitte um einen Termin am Donnerstag um 10 Uhr.\r\n")
}

func sendMail(ctx context.Context, addr, from string, to []string, raw []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dial smtp: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return c.Quit()
}

func TestDeliverViaSMTPAndAppend(t *testing.T) {
	d := mailtest.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	viaSMTP := message("per SMTP")
	viaAppend := message("per APPEND")
	if err := sendMail(ctx, d.SMTPAddr, "kunde@example.org", []string{support}, viaSMTP); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx, support, viaAppend); err != nil {
		t.Fatal(err)
	}

	got, err := d.Fetch(ctx, support, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{
		append([]byte("Return-Path: <kunde@example.org>\r\n"), viaSMTP...),
		viaAppend,
	}
	if len(got) != len(want) {
		t.Fatalf("INBOX has %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("message %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}

	if n, err := d.Count(ctx, support, "INBOX"); err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
	// User names are case-insensitive, as in the sandbox.
	if n, err := d.Count(ctx, "Support@Example.COM", "INBOX"); err != nil || n != 2 {
		t.Errorf("Count with upper-case login = %d, %v; want 2", n, err)
	}
	// Fetch peeks: nothing became \Seen.
	c, err := d.Login(ctx, support, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	st, err := c.Status("INBOX", &imap.StatusOptions{NumUnseen: true}).Wait()
	if err != nil || st.NumUnseen == nil || *st.NumUnseen != 2 {
		t.Errorf("STATUS UNSEEN = %+v, %v; want 2", st, err)
	}
}

func TestMailboxes(t *testing.T) {
	d := mailtest.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, name := range []string{"Processed", "Human", "Processed"} {
		if err := d.CreateMailbox(ctx, support, name); err != nil {
			t.Fatal(err)
		}
	}
	names, err := d.Mailboxes(ctx, support)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"Human", "INBOX", "Processed"}) {
		t.Errorf("mailboxes = %v", names)
	}
	if n, err := d.Count(ctx, support, "Processed"); err != nil || n != 0 {
		t.Errorf("Count(Processed) = %d, %v; want 0", n, err)
	}
	if _, err := d.Fetch(ctx, support, "Nonexistent"); err == nil {
		t.Error("Fetch of a missing mailbox succeeded")
	}
	// Dovecot advertises what the mailbox package relies on.
	c, err := d.Login(ctx, support, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	caps := c.Caps()
	for _, cp := range []imap.Cap{imap.CapIMAP4rev1, imap.CapIdle, imap.CapMove, imap.CapUIDPlus} {
		if !caps.Has(cp) {
			t.Errorf("capability %s missing", cp)
		}
	}
}

func TestIdleSeesDelivery(t *testing.T) {
	d := mailtest.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, via := range []string{"smtp", "append"} {
		t.Run(via, func(t *testing.T) {
			user := via + "@example.com"
			exists := make(chan uint32, 16)
			c, err := d.Login(ctx, user, &imapclient.Options{
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
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()

			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatalf("select: %v", err)
			}
			idle, err := c.Idle()
			if err != nil {
				t.Fatalf("idle: %v", err)
			}

			start := time.Now()
			raw := message("idle " + via)
			if via == "smtp" {
				err = sendMail(ctx, d.SMTPAddr, "kunde@example.org", []string{user}, raw)
			} else {
				err = d.Deliver(ctx, user, raw)
			}
			if err != nil {
				t.Fatal(err)
			}
			delivered := time.Since(start)
			select {
			case n := <-exists:
				if n != 1 {
					t.Errorf("EXISTS %d, want 1", n)
				}
				t.Logf("delivery took %v; IDLE saw it %v after it was stored", delivered, time.Since(start)-delivered)
			case <-time.After(time.Second):
				t.Fatalf("no EXISTS within 1s after delivery (delivery took %v)", delivered)
			}

			if err := idle.Close(); err != nil {
				t.Fatalf("idle close: %v", err)
			}
			if err := idle.Wait(); err != nil {
				t.Fatalf("idle wait: %v", err)
			}
		})
	}
}

func TestRestartKeepsMailAndPort(t *testing.T) {
	d := mailtest.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if err := d.Deliver(ctx, support, message("before restart")); err != nil {
		t.Fatal(err)
	}
	addr := d.IMAPAddr
	d.Stop()
	if _, err := d.Count(ctx, support, "INBOX"); err == nil {
		t.Error("Count succeeded while Dovecot is stopped")
	}
	// SMTP answers with a temporary failure while the store is down.
	err := sendMail(ctx, d.SMTPAddr, "kunde@example.org", []string{support}, message("while down"))
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &smtpErr) || !smtpErr.Temporary() {
		t.Errorf("SMTP while Dovecot is down = %v, want a 4xx error", err)
	}

	d.Restart(t)
	if d.IMAPAddr != addr {
		t.Errorf("address changed from %s to %s", addr, d.IMAPAddr)
	}
	if err := sendMail(ctx, d.SMTPAddr, "kunde@example.org", []string{support}, message("after restart")); err != nil {
		t.Fatal(err)
	}
	if n, err := d.Count(ctx, support, "INBOX"); err != nil || n != 2 {
		t.Errorf("Count after restart = %d, %v; want 2", n, err)
	}
}

func TestRestartWaitsForThePort(t *testing.T) {
	d := mailtest.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Deliver(ctx, support, message("kept")); err != nil {
		t.Fatal(err)
	}
	d.Stop()

	// Someone else holds the port for a moment; Restart retries.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", d.IMAPAddr)
	if err != nil {
		t.Fatalf("take port: %v", err)
	}
	release := time.AfterFunc(500*time.Millisecond, func() { ln.Close() })
	defer release.Stop()
	d.Restart(t)
	if n, err := d.Count(ctx, support, "INBOX"); err != nil || n != 1 {
		t.Errorf("Count after restart = %d, %v; want 1", n, err)
	}
}

func TestContextBoundsHelpers(t *testing.T) {
	d := mailtest.StartDovecot(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Fetch(ctx, support, "INBOX"); err == nil {
		t.Error("Fetch with a cancelled context succeeded")
	}
}
