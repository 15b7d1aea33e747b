package mailbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/mailbox"
)

func mailBy(from, name string) []byte {
	return []byte("From: " + from + "\r\nTo: " + support + "\r\nSubject: " + name +
		"\r\nMessage-ID: " + msgID(name) + "\r\nDate: Tue, 24 Nov 2026 09:00:00 +0100\r\n\r\nHallo\r\n")
}

// subjects lists the subjects in mailbox, sorted.
func subjects(t *testing.T, d *mailtest.Dovecot, mailbox string) []string {
	t.Helper()
	var out []string
	imapSession(t, d, func(c *imapclient.Client) error {
		sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil || sel.NumMessages == 0 {
			return err
		}
		msgs, err := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Envelope: true}).Collect()
		for _, m := range msgs {
			out = append(out, m.Envelope.Subject)
		}
		return err
	})
	slices.Sort(out)
	return out
}

// TestExpungeFromDeletesOnlyTheCustomersMail: `mailflow forget` with
// expunge_on_forget removes the customer's mail from the inbox and the
// folders mailflow files into, on a real Dovecot, and nothing else: not a
// sender whose address merely contains theirs, not mail someone else had
// flagged \Deleted.
func TestExpungeFromDeletesOnlyTheCustomersMail(t *testing.T) {
	d := mailtest.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	// Human is configured but was never created: it is skipped.
	cfg := testConfig(t, d.IMAPAddr, map[string]string{"processed_folder": "Processed", "human_folder": "Human"})
	if err := d.CreateMailbox(ctx, support, "Processed"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, d, "INBOX",
		customerMail("inbox-1", requestBody), // From: Maria Huber <Maria.Huber@Kunde.Example.org>
		mailBy("maria.huber@kunde.example.org", "inbox-2"),
		mailBy("Anna <anna.maria.huber@kunde.example.org>", "lookalike"),
		mailBy("Peter <peter@firma.example>", "other"),
		mailBy("Peter <peter@firma.example>", "flagged-by-someone"),
	)
	appendTo(t, d, "Processed", customerMail("processed-1", requestBody), mailBy("peter@firma.example", "processed-other"))
	// A person flagged one mail \Deleted without expunging it: ours must
	// not take it along.
	imapSession(t, d, func(c *imapclient.Client) error {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			return err
		}
		data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "flagged-by-someone"}}}, nil).Wait()
		if err != nil || len(data.AllUIDs()) != 1 {
			return fmt.Errorf("search: %v %v", data, err)
		}
		return c.Store(imap.UIDSetNum(data.AllUIDs()...), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
	})

	gone, err := mailbox.ExpungeFrom(ctx, cfg, " MARIA.HUBER@kunde.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if gone["INBOX"] != 2 || gone["Processed"] != 1 || gone["Human"] != 0 {
		t.Fatalf("expunged %v, want INBOX 2, Processed 1", gone)
	}
	if got := subjects(t, d, "INBOX"); strings.Join(got, ",") != "flagged-by-someone,lookalike,other" {
		t.Errorf("INBOX keeps %v", got)
	}
	if got := subjects(t, d, "Processed"); strings.Join(got, ",") != "processed-other" {
		t.Errorf("Processed keeps %v", got)
	}
	// Again: nothing left to do.
	if gone, err := mailbox.ExpungeFrom(ctx, cfg, "maria.huber@kunde.example.org"); err != nil || gone["INBOX"]+gone["Processed"] != 0 {
		t.Fatalf("second run: %v %v", gone, err)
	}
	if _, err := mailbox.ExpungeFrom(ctx, cfg, "maria"); err == nil {
		t.Fatal("a bare name was taken for an address")
	}
}

// TestExpungeFromUnreachableServer fails within the command timeout.
func TestExpungeFromUnreachableServer(t *testing.T) {
	cfg := testConfig(t, "127.0.0.1:1", nil)
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if _, err := mailbox.ExpungeFrom(ctx, cfg, "maria@example.org"); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a dial error", err)
	}
}
