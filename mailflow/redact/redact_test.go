package redact_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"github.com/mailflow/mailflow/mailflow/redact"
	"github.com/mailflow/mailflow/mailflow/sandbox"
)

// conversation feeds chunks through a Writer and returns what came out.
func conversation(chunks ...string) string {
	var out bytes.Buffer
	w := redact.NewWriter(&out)
	for _, c := range chunks {
		w.Write([]byte(c))
	}
	w.Flush()
	return out.String()
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestWriterMasks(t *testing.T) {
	xoauth := b64("user=support@example.com\x01auth=Bearer ya29.a0AfB_byC-secret-token\x01\x01")
	plain := b64("\x00support@example.com\x00s3cret-Passw0rd")
	body := "From: Maria Huber <maria@kunde.example.org>\r\nSubject: ID\r\n\r\nMeine AnyDesk-ID ist 123 456 789, danke.\r\n"
	for _, c := range []struct {
		name   string
		chunks []string
		hidden []string // must not appear
		shown  []string // must appear
	}{
		{
			name:   "imap login",
			chunks: []string{"T1 LOGIN support@example.com \"s3cret-Passw0rd\"\r\n", "T1 OK Logged in\r\n"},
			hidden: []string{"s3cret", "support@example.com"},
			shown:  []string{"T1 LOGIN [credentials]", "T1 OK Logged in"},
		},
		{
			name: "imap login with literals",
			chunks: []string{"T1 LOGIN {19}\r\n", "+ Ready for literal data\r\n", "support@example.com {15}\r\n",
				"+ Ready\r\n", "s3cret-Passw0rd\r\n", "T1 OK Logged in\r\n"},
			hidden: []string{"s3cret", "support@example.com"},
			shown:  []string{"+ Ready for literal data", "[literal of 19 bytes not shown]", "[literal of 15 bytes not shown]", "T1 OK Logged in"},
		},
		{
			name:   "imap authenticate plain with initial response",
			chunks: []string{"T1 AUTHENTICATE PLAIN " + plain + "\r\n", "T1 OK Logged in\r\n", "T2 SELECT INBOX\r\n"},
			hidden: []string{plain, "s3cret"},
			shown:  []string{"T1 AUTHENTICATE PLAIN [credentials]", "T2 SELECT INBOX"},
		},
		{
			name:   "imap authenticate xoauth2 after continuation",
			chunks: []string{"T1 AUTHENTICATE XOAUTH2\r\n", "+ \r\n", xoauth + "\r\n", "+ " + b64(`{"status":"401"}`) + "\r\n", "\r\n", "T1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"},
			hidden: []string{xoauth, "ya29"},
			shown:  []string{"T1 AUTHENTICATE XOAUTH2", "[credentials]", "T1 NO [AUTHENTICATIONFAILED]"},
		},
		{
			name: "smtp auth login",
			chunks: []string{"250-AUTH PLAIN LOGIN XOAUTH2\r\n", "AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n", b64("support@example.com") + "\r\n",
				"334 UGFzc3dvcmQ6\r\n", b64("s3cret-Passw0rd") + "\r\n", "235 2.7.0 Authentication successful\r\n", "MAIL FROM:<support@example.com>\r\n"},
			hidden: []string{b64("s3cret-Passw0rd"), b64("support@example.com"), "support@example.com"},
			shown:  []string{"250-AUTH PLAIN LOGIN XOAUTH2", "AUTH LOGIN", "235 2.7.0 Authentication successful", "MAIL FROM:<[address]@example.com>"},
		},
		{
			name:   "go-mail debug log line",
			chunks: []string{"2026/01/02 10:00:00 DEBUG: C --> AUTH XOAUTH2 " + xoauth + "\n"},
			hidden: []string{xoauth},
			shown:  []string{"DEBUG: C --> AUTH XOAUTH2 [credentials]"},
		},
		{
			name:   "bearer and key=value secrets",
			chunks: []string{"Authorization: Bearer eyJhbGciOi.J9x-y_z\n", `{"access_token":"ya29.abc","refresh_token":"1//0g-xyz","expires_in":3599}` + "\n", "password=hunter2&user=x\n"},
			hidden: []string{"eyJhbGciOi", "ya29.abc", "1//0g-xyz", "hunter2"},
			shown:  []string{"Bearer [token]", `"access_token":"[redacted]"`, `"expires_in":3599`, "password=[redacted]"},
		},
		{
			name: "fetch body and envelope, split at odd places",
			chunks: []string{
				"T5 UID FETCH 7 (UID RFC822.SIZE ENVELOPE)\r\n",
				`* 1 FETCH (UID 7 RFC822.SIZE 4711 ENVELOPE ("Mon, 2 Feb 2026 10:00:00 +0100" "Termin 123456789" (("Maria Huber" NIL "maria" "kunde.example.org")) NIL NIL NIL NIL NIL NIL "<a@b>"))` + "\r\n",
				"T5 OK Fetch completed.\r\n",
				"T6 UID FETCH 7 (UID BODY.PEEK[])\r\n",
				fmt.Sprintf("* 1 FETCH (UID 7 BODY[] {%d}\r\n%s", len(body), body[:20]), body[20:47], body[47:] + ")\r\nT6 OK Fetch completed.\r\n",
			},
			hidden: []string{"Maria", "maria", "kunde.example.org", "123 456 789", "123456789", "Termin"},
			shown:  []string{"RFC822.SIZE 4711", fmt.Sprintf("BODY[] {%d}", len(body)), fmt.Sprintf("[literal of %d bytes not shown]", len(body)), "T6 OK Fetch completed."},
		},
		{
			name:   "anydesk ids in any line",
			chunks: []string{"id 987654321 and 987 654 321 but not 1234567890 or 12345\n"},
			hidden: []string{"987654321", "987 654 321"},
			shown:  []string{"id [id] and [id] but not 1234567890 or 12345"},
		},
		{
			name:   "an over-long line is not passed on",
			chunks: []string{strings.Repeat("x", redact.MaxLine+10), "\nT9 OK\n"},
			hidden: []string{"xxxxxxxx"},
			shown:  []string{fmt.Sprintf("[line of %d bytes not shown]", redact.MaxLine+10), "T9 OK"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := conversation(c.chunks...)
			for _, h := range c.hidden {
				if strings.Contains(out, h) {
					t.Errorf("output shows %q:\n%s", h, out)
				}
			}
			for _, s := range c.shown {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestLogWriter(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := redact.NewLogWriter(log, "imap")
	w.Write([]byte("T1 LOGIN a@b.example pw\r\nT1 OK\r\n"))
	out := buf.String()
	if strings.Contains(out, "pw") || strings.Count(out, `"msg":"imap"`) != 2 || !strings.Contains(out, `"level":"DEBUG"`) {
		t.Errorf("log:\n%s", out)
	}
}

// TestRealIMAPConversation runs a go-imap client with the Writer as its
// DebugWriter against the sandbox server: login, AUTHENTICATE PLAIN, and
// a fetch of a customer's mail; nothing secret or personal may show.
func TestRealIMAPConversation(t *testing.T) {
	const password = "s3cret-Sandbox-pw"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := sandbox.Start(ctx, sandbox.Options{IMAPAddr: "127.0.0.1:0", SMTPAddr: "127.0.0.1:0",
		Users: []string{"support@example.com"}, Password: password, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	raw := "From: Maria Huber <maria@kunde.example.org>\r\nTo: support@example.com\r\nSubject: Termin\r\n" +
		"Message-ID: <x1@kunde.example.org>\r\n\r\nMeine ID: 321 654 987\r\nBody-secret-words\r\n"
	if err := srv.Deliver(ctx, "maria@kunde.example.org", []string{"support@example.com"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	for _, useAuth := range []bool{false, true} {
		w := redact.NewWriter(&out)
		c, err := imapclient.DialInsecure(srv.IMAPAddr(), &imapclient.Options{DebugWriter: w})
		if err != nil {
			t.Fatal(err)
		}
		if useAuth {
			err = c.Authenticate(sasl.NewPlainClient("", "support@example.com", password))
		} else {
			err = c.Login("support@example.com", password).Wait()
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Envelope: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil || len(msgs) != 1 || !bytes.Contains(msgs[0].FindBodySection(section), []byte("Body-secret-words")) {
			t.Fatalf("fetch through the debug writer: %v", err)
		}
		c.Logout().Wait()
		c.Close()
		w.Flush()
	}
	log := out.String()
	for _, h := range []string{password, b64("\x00support@example.com\x00" + password), "Body-secret-words", "321 654 987", "Maria", "maria@", "support@example.com"} {
		if strings.Contains(log, h) {
			t.Errorf("debug output shows %q:\n%s", h, log)
		}
	}
	for _, s := range []string{"LOGIN [credentials]", "AUTHENTICATE PLAIN", "not shown", "SELECT INBOX"} {
		if !strings.Contains(log, s) {
			t.Errorf("debug output lacks %q:\n%s", s, log)
		}
	}
}
