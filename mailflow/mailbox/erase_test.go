package mailbox_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/mailbox"
	"github.com/mailflow/mailflow/mailflow/store"
)

// The customer's AnyDesk ID as they wrote it, in the spellings a byte
// search must not find anywhere on the server afterwards.
var idSpellings = [][]byte{[]byte("123456789"), []byte("123 456 789"), []byte("123-456-789")}

// serverFiles returns the message files of support@'s Maildir (every
// folder), read byte for byte; Dovecot's own index files are left out (see
// docs/operator-guide.md: the server compacts them itself).
func serverFiles(t *testing.T, d *mailtest.Dovecot) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	root := d.MailHome(support)
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		dir := filepath.Base(filepath.Dir(p))
		if dir != "cur" && dir != "new" && dir != "tmp" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// holding lists the files that contain any of needles (ASCII case folded).
func holding(files map[string][]byte, needles ...[]byte) []string {
	var out []string
	for name, b := range files {
		low := bytes.ToLower(b)
		for _, n := range needles {
			if bytes.Contains(low, bytes.ToLower(n)) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// headersIn returns Message-ID and In-Reply-To of every mail in mailbox.
func headersIn(t *testing.T, d *mailtest.Dovecot, mailbox string) map[string]string {
	t.Helper()
	out := map[string]string{}
	imapSession(t, d, func(c *imapclient.Client) error {
		sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil || sel.NumMessages == 0 {
			return err
		}
		msgs, err := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Envelope: true}).Collect()
		for _, m := range msgs {
			irt := ""
			if len(m.Envelope.InReplyTo) > 0 {
				irt = "<" + m.Envelope.InReplyTo[0] + ">"
			}
			out["<"+m.Envelope.MessageID+">"] = irt
		}
		return err
	})
	return out
}

// TestServerRetention: once the database copy of a mail ends (here the
// raw-mail purge), its copy in every folder of support@ ends too, on a
// real Dovecot: no message file holds the AnyDesk ID afterwards; with
// redact a copy with the same Message-ID and In-Reply-To stays in the same
// folder and, put back where intake watches, is recorded and never
// decided; forget then leaves nothing of the customer in any folder.
func TestServerRetention(t *testing.T) {
	for _, c := range []struct {
		name, mode, processed string
	}{
		{"redact into Processed", config.ServerRedact, "Processed"},
		{"redact where intake watches", config.ServerRedact, ""},
		{"expunge", config.ServerExpunge, "Processed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := mailtest.StartDovecot(t)
			ctx, cancel := context.WithTimeout(context.Background(), eventDeadline)
			defer cancel()
			cfg := testConfig(t, d.IMAPAddr, map[string]string{"processed_folder": `"` + c.processed + `"`, "human_folder": "Human"})
			cfg.Retention.Server = c.mode
			cfg.Retention.ExpungeOnForget = true
			st := openStore(t)
			request := customerMail("request", requestBody)
			idMail := []byte(strings.Replace(string(customerMail("id", "Meine AnyDesk-ID: 123 456 789\r\n\r\nMaria Huber\r\n")),
				"Message-ID:", "In-Reply-To: <reply-1@support.example.com>\r\nReferences: <request@kunde.example.org> <reply-1@support.example.com>\r\nMessage-ID:", 1))
			human := customerMail("human", "Noch eine Frage, meine ID ist 123-456-789.\r\n")
			deliver(t, d, support, request, idMail, human)
			r := startWatcher(t, cfg, st)
			waitStored(t, st, 3, eventDeadline)
			decide(t, st, msgID("request"), "booked", c.processed)
			decide(t, st, msgID("id"), "id-linked", c.processed)
			decide(t, st, msgID("human"), "forwarded-to-human", "Human")
			r.w.Dispose()
			waitFor(t, eventDeadline, "mail filed away", func() (bool, error) {
				return count(t, d, "Human") == 1, nil
			})
			if got := holding(serverFiles(t, d), idSpellings...); len(got) != 2 {
				t.Fatalf("before the purge the ID is in %v, want 2 mails", got)
			}

			// The session is long over: the purge drops every raw byte.
			if _, err := st.Purge(ctx, time.Now().Add(time.Minute), store.Retention{}); err != nil {
				t.Fatal(err)
			}
			er := mailbox.NewEraser(cfg, st, testLogger(t))
			rep, err := er.Once(ctx, time.Now().Add(time.Minute))
			if err != nil || rep.Done != 3 {
				t.Fatalf("eraser: %+v %v, want 3 erasures done", rep, err)
			}
			if got := holding(serverFiles(t, d), idSpellings...); len(got) != 0 {
				t.Fatalf("after the retention pass the ID is still in %v", got)
			}
			inbox := c.processed
			if inbox == "" {
				inbox = "INBOX"
			}
			want := map[string]map[string]string{inbox: {}, "Human": {}}
			if c.mode == config.ServerRedact {
				want[inbox] = map[string]string{msgID("request"): "", msgID("id"): "<reply-1@support.example.com>"}
				want["Human"] = map[string]string{msgID("human"): ""}
			}
			for folder, w := range want {
				if got := headersIn(t, d, folder); !equalMaps(got, w) {
					t.Errorf("%s holds %v, want %v", folder, got, w)
				}
			}
			if c.processed == "" && c.mode == config.ServerRedact {
				// The copies landed where intake watches: recorded as
				// known, never decided, nothing answered twice.
				waitFor(t, eventDeadline, "redacted copies recorded", func() (bool, error) {
					n := 0
					for _, in := range allIncoming(t, st) {
						if in.Detail.String == store.RedactedCopyDetail {
							n++
						}
					}
					return n == 2, nil
				})
				if o := outcomes(t, st); o[""] != 0 || o[store.OutcomeDuplicate] != 2 {
					t.Fatalf("outcomes after the copies came in: %v", o)
				}
			}
			if rep, err := er.Once(ctx, time.Now().Add(time.Hour)); err != nil || rep.Done != 0 {
				t.Fatalf("second pass: %+v %v, want nothing to do", rep, err)
			}

			// Forget: nothing of the customer stays in any folder.
			if _, err := st.Forget(ctx, "maria.huber@kunde.example.org"); err != nil {
				t.Fatal(err)
			}
			if rep, err := er.Once(ctx, time.Now().Add(time.Minute)); err != nil {
				t.Fatalf("eraser after forget: %+v %v", rep, err)
			}
			if got := holding(serverFiles(t, d), []byte("maria.huber@kunde.example.org"), []byte("Maria Huber")); len(got) != 0 {
				t.Fatalf("after forget the customer is still in %v", got)
			}
		})
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestEraserWaitsForTheServer: a server copy due while the server is down
// is not lost: the erasure stays queued with its error (what status
// shows), backs off, and is done once the server is back.
func TestEraserWaitsForTheServer(t *testing.T) {
	d := mailtest.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), eventDeadline)
	defer cancel()
	cfg := testConfig(t, d.IMAPAddr, map[string]string{"processed_folder": "Processed"})
	cfg.Retention.Server = config.ServerExpunge
	st := openStore(t)
	deliver(t, d, support, customerMail("id", "Meine AnyDesk-ID: 123456789\r\n"))
	r := startWatcher(t, cfg, st)
	waitStored(t, st, 1, eventDeadline)
	decide(t, st, msgID("id"), "id-linked", "Processed")
	r.w.Dispose()
	waitFor(t, eventDeadline, "mail filed away", func() (bool, error) { return count(t, d, "Processed") == 1, nil })
	r.stop()

	d.Stop()
	if _, err := st.Purge(ctx, time.Now().Add(time.Minute), store.Retention{}); err != nil {
		t.Fatal(err)
	}
	er := mailbox.NewEraser(cfg, st, testLogger(t))
	now := time.Now().Add(time.Minute)
	if rep, err := er.Once(ctx, now); err == nil || rep.Failed != 1 {
		t.Fatalf("with the server down: %+v %v, want one failed erasure", rep, err)
	}
	b, err := st.ErasureBacklog(ctx)
	if err != nil || b.Pending != 1 || b.LastError == "" {
		t.Fatalf("backlog %+v %v, want the erasure pending with its error", b, err)
	}
	d.Restart(t)
	if rep, err := er.Once(ctx, now); err != nil || rep.Done != 0 {
		t.Fatalf("retried before its backoff: %+v %v", rep, err)
	}
	if rep, err := er.Once(ctx, now.Add(store.ErasureBackoff(1))); err != nil || rep.Done != 1 || rep.Expunged["Processed"] != 1 {
		t.Fatalf("after the backoff: %+v %v, want the mail expunged from Processed", rep, err)
	}
	if got := holding(serverFiles(t, d), idSpellings...); len(got) != 0 {
		t.Fatalf("the ID is still in %v", got)
	}
	if b, _ := st.ErasureBacklog(ctx); b.Pending != 0 {
		t.Fatalf("backlog after: %+v", b)
	}
}
