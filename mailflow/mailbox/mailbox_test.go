package mailbox_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/mailbox"
	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/store"
)

// TestNewMailStoredThroughIdle: a customer's mail is in the database within
// a moment of its arrival, byte for byte, although the safety-net poll runs
// only once a minute.
func TestNewMailStoredThroughIdle(t *testing.T) {
	d := mailtest.StartDovecot(t)
	cfg := testConfig(t, d.IMAPAddr, nil)
	st := openStore(t)
	r := startWatcher(t, cfg, st)
	waitState(t, st, mailbox.StateIdle, 10*time.Second)

	raw := customerMail("idle", requestBody)
	deliver(t, d, support, raw)
	arrived := time.Now()
	select {
	case <-r.stored:
	case <-time.After(eventDeadline):
		t.Fatal("mail not stored although IDLE announced it (the poll is an hour away)")
	}
	// Latency is measured by BenchmarkArrivalToReply (mailflow/daemon).
	t.Logf("arrival → stored: %s", time.Since(arrived).Round(time.Millisecond))

	ins := allIncoming(t, st)
	if len(ins) != 1 {
		t.Fatalf("%d mails stored, want 1", len(ins))
	}
	in := ins[0]
	if !bytes.Equal(lf(in.Raw), lf(raw)) {
		t.Errorf("stored raw differs from the delivered mail:\n got %q\nwant %q", in.Raw, raw)
	}
	if in.MessageID != msgID("idle") {
		t.Errorf("Message-ID %q, want %q", in.MessageID, msgID("idle"))
	}
	if in.Sender != "maria.huber@kunde.example.org" {
		t.Errorf("sender %q, want the lower-cased From address", in.Sender)
	}
	if in.Mailbox != "INBOX" || in.UID != 1 || in.State != "new" {
		t.Errorf("stored as %s uid %d state %s, want INBOX uid 1 state new", in.Mailbox, in.UID, in.State)
	}
	if want := int64(len(raw)); in.Size != want {
		t.Errorf("size %d, want %d", in.Size, want)
	}
	if c := cursor(t, st, "INBOX"); c.LastUID != 1 {
		t.Errorf("cursor at uid %d, want 1", c.LastUID)
	}
	if status(t, st, store.StatusIntakeBeat) == "" || status(t, st, store.StatusLastMail) == "" {
		t.Error("no intake heartbeat or last-mail time recorded")
	}
}

// TestDovecotRestartLosesNothing: when the mail server goes away the watcher
// says so (reconnecting), comes back by itself, and mail that arrived in the
// meantime is stored once; mail stored before is not stored again.
func TestDovecotRestartLosesNothing(t *testing.T) {
	d := mailtest.StartDovecot(t)
	cfg := testConfig(t, d.IMAPAddr, nil)
	st := openStore(t)
	startWatcher(t, cfg, st)
	waitState(t, st, mailbox.StateIdle, 10*time.Second)

	deliver(t, d, support, customerMail("before", requestBody))
	waitStored(t, st, 1, 10*time.Second)

	d.Stop()
	waitState(t, st, mailbox.StateReconnecting, 5*time.Second)
	waitLastError(t, st, "", time.Second)
	d.Restart(t)
	// The watcher is still backing off (1 s, then 2 s): this mail arrives
	// before it is back.
	deliver(t, d, support, customerMail("after", requestBody))

	ins := waitStored(t, st, 2, 10*time.Second)
	waitState(t, st, mailbox.StateIdle, 5*time.Second)
	got := byMessageID(t, ins)
	for _, name := range []string{"before", "after"} {
		if got[msgID(name)] == nil {
			t.Errorf("mail %s not stored", name)
		}
	}
	if n := outcomes(t, st)[""]; n != 2 {
		t.Errorf("%d undecided mails, want 2", n)
	}

	// And it is really watching again: IDLE picks up the next one.
	deliver(t, d, support, customerMail("later", requestBody))
	waitStored(t, st, 3, 5*time.Second)
}

// TestDecidedMailIsFlaggedAndMoved is invariant 1: the server shows a mail
// as read, or moves it away, only after its outcome is stored. Mail is
// never deleted.
func TestDecidedMailIsFlaggedAndMoved(t *testing.T) {
	d := mailtest.StartDovecot(t)
	cfg := testConfig(t, d.IMAPAddr, map[string]string{"processed_folder": "Processed"})
	st := openStore(t)
	r := startWatcher(t, cfg, st)
	waitState(t, st, mailbox.StateIdle, 10*time.Second)

	deliver(t, d, support,
		customerMail("booked", requestBody),
		customerMail("answered", requestBody),
		customerMail("pending", requestBody))
	waitStored(t, st, 3, 10*time.Second)

	// Stored but undecided: a disposal round must leave them alone.
	r.w.Dispose()
	time.Sleep(300 * time.Millisecond)
	waitState(t, st, mailbox.StateIdle, 5*time.Second)
	flags := serverFlags(t, d, "INBOX")
	if len(flags) != 3 {
		t.Fatalf("INBOX holds %d mails, want 3", len(flags))
	}
	for id, f := range flags {
		if seen(f) {
			t.Errorf("%s flagged \\Seen before it was decided", id)
		}
	}
	if n := count(t, d, "Processed"); n != 0 {
		t.Errorf("Processed holds %d mails before any decision, want 0", n)
	}

	booked := decide(t, st, msgID("booked"), "booked", "Processed")
	answered := decide(t, st, msgID("answered"), "replied", "")
	r.w.Dispose()
	waitFor(t, 5*time.Second, "decided mails disposed", func() (bool, error) {
		for _, in := range []*store.Incoming{booked, answered} {
			got, err := st.Incoming(context.Background(), in.ID)
			if err != nil || !got.DisposedAt.Valid {
				return false, err
			}
		}
		return true, nil
	})

	inbox := serverFlags(t, d, "INBOX")
	processed := serverFlags(t, d, "Processed")
	if len(inbox)+len(processed) != 3 {
		t.Fatalf("INBOX %d + Processed %d mails, want 3 in all: mail must never be deleted", len(inbox), len(processed))
	}
	if f, ok := processed[msgID("booked")]; !ok {
		t.Errorf("booked mail not moved to Processed")
	} else if !seen(f) {
		t.Errorf("booked mail in Processed not flagged \\Seen (flags %v)", f)
	}
	if _, ok := inbox[msgID("booked")]; ok {
		t.Errorf("booked mail still in INBOX after the move")
	}
	if f, ok := inbox[msgID("answered")]; !ok {
		t.Errorf("mail without destination folder left INBOX")
	} else if !seen(f) {
		t.Errorf("mail without destination folder not flagged \\Seen (flags %v)", f)
	}
	if f, ok := inbox[msgID("pending")]; !ok || seen(f) {
		t.Errorf("undecided mail: in INBOX %v, flags %v; want it there, unseen", ok, f)
	}
}

// TestTooLargeMailStoredWithoutBody: a mail above imap.max_message_bytes is
// recorded (size and Message-ID, so a human can look at it on the server)
// without downloading it; smaller mail flows as usual.
func TestTooLargeMailStoredWithoutBody(t *testing.T) {
	d := mailtest.StartDovecot(t)
	cfg := testConfig(t, d.IMAPAddr, map[string]string{"max_message_bytes": "2048"})
	st := openStore(t)
	startWatcher(t, cfg, st)
	waitState(t, st, mailbox.StateIdle, 10*time.Second)

	large := customerMail("large", requestBody+strings.Repeat("Anhang folgt. 0123456789 abcdefghij\r\n", 140))
	small := customerMail("small", requestBody)
	if len(large) < 5000 || len(small) > 2048 {
		t.Fatalf("test mails of %d and %d bytes", len(large), len(small))
	}
	deliver(t, d, support, large, small)
	got := byMessageID(t, waitStored(t, st, 2, 10*time.Second))

	if in := got[msgID("large")]; in == nil {
		t.Error("too-large mail not recorded")
	} else {
		if in.Raw != nil {
			t.Errorf("too-large mail stored with %d raw bytes, want none", len(in.Raw))
		}
		if in.Size != int64(len(large)) {
			t.Errorf("too-large mail recorded with size %d, want %d", in.Size, len(large))
		}
		if in.Sender != "maria.huber@kunde.example.org" {
			t.Errorf("too-large mail: sender %q", in.Sender)
		}
	}
	if in := got[msgID("small")]; in == nil {
		t.Error("small mail not stored")
	} else if !bytes.Equal(lf(in.Raw), lf(small)) {
		t.Errorf("small mail: raw %q, want %q", in.Raw, small)
	}
}

// TestTooLargeMailsWithoutMessageIDKeptApart: two different large mails
// without a Message-ID (of the same size, as screenshots of one tool often
// are) are two mails for a human to look at, not one and its duplicate.
func TestTooLargeMailsWithoutMessageIDKeptApart(t *testing.T) {
	d := mailtest.StartDovecot(t)
	cfg := testConfig(t, d.IMAPAddr, map[string]string{"max_message_bytes": "2048"})
	st := openStore(t)
	startWatcher(t, cfg, st)
	waitState(t, st, mailbox.StateIdle, 10*time.Second)

	screenshot := func(from, subject string) []byte {
		return []byte("From: " + from + "\r\n" +
			"To: " + support + "\r\n" +
			"Subject: " + subject + "\r\n" +
			"Date: Tue, 24 Nov 2026 09:00:00 +0100\r\n" +
			"\r\n" + strings.Repeat("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\r\n", 80))
	}
	a := screenshot("kunde-a@example.org", "Fehlermeldung A")
	b := screenshot("kunde-b@example.org", "Fehlermeldung B")
	if len(a) != len(b) {
		t.Fatalf("test mails of %d and %d bytes, want the same size", len(a), len(b))
	}
	deliver(t, d, support, a, b)
	ins := waitStored(t, st, 2, 10*time.Second)
	if got := outcomes(t, st); got[""] != 2 {
		t.Errorf("outcomes %v, want both mails undecided (not one a duplicate)", got)
	}
	for _, in := range ins {
		if in.MessageID != "" {
			t.Errorf("mail without Message-ID recorded with Message-ID %q", in.MessageID)
		}
		if in.Raw != nil {
			t.Errorf("too-large mail stored with %d raw bytes", len(in.Raw))
		}
	}
}

// TestFirstStartTakesOnlyUnseenMail: pointed at a mailbox that is already
// in use, mailflow takes in the mail nobody has read yet and leaves what
// the staff have read alone.
func TestFirstStartTakesOnlyUnseenMail(t *testing.T) {
	d := mailtest.StartDovecot(t)
	deliver(t, d, support,
		customerMail("read-1", requestBody),
		customerMail("unread-1", requestBody),
		customerMail("read-2", requestBody),
		customerMail("unread-2", requestBody))
	markSeen(t, d, msgID("read-1"), msgID("read-2"))

	cfg := testConfig(t, d.IMAPAddr, nil)
	st := openStore(t)
	startWatcher(t, cfg, st)
	got := byMessageID(t, waitStored(t, st, 2, 10*time.Second))
	for _, name := range []string{"unread-1", "unread-2"} {
		if got[msgID(name)] == nil {
			t.Errorf("unseen mail %s not taken in", name)
		}
	}
	waitState(t, st, mailbox.StateIdle, 5*time.Second)
	if c := cursor(t, st, "INBOX"); c.LastUID != 4 {
		t.Errorf("cursor at uid %d, want 4 (everything present at start is handled)", c.LastUID)
	}

	deliver(t, d, support, customerMail("new", requestBody))
	got = byMessageID(t, waitStored(t, st, 3, 5*time.Second))
	if got[msgID("new")] == nil {
		t.Error("mail arriving after the first start not stored")
	}
	for id, f := range serverFlags(t, d, "INBOX") {
		if wantSeen := strings.HasPrefix(id, "<read-"); seen(f) != wantSeen {
			t.Errorf("%s: \\Seen %v, want %v (intake changes no flags)", id, seen(f), wantSeen)
		}
	}
}

// TestCursorAtOtherUIDValidity follows the store's view of a UIDVALIDITY
// change: the cursor (and the mail stored under it) belong to another
// UIDVALIDITY than the server now reports, and its last UID is far ahead.
// The watcher must not trust that UID: it rescans unseen mail, and a mail
// stored before is recognised by Message-ID and body, never answered twice.
func TestCursorAtOtherUIDValidity(t *testing.T) {
	d := mailtest.StartDovecot(t)
	answered := customerMail("answered", requestBody)
	deliver(t, d, support, answered, customerMail("fresh", requestBody))
	current, _ := mailboxStatus(t, d, "INBOX")

	st := openStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	old := store.Cursor{Mailbox: "INBOX", UIDValidity: current + 1, LastUID: 1000}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		id, hash := message.Fingerprint(answered)
		in, err := tx.InsertIncoming(ctx, old, store.Fetched{UID: 17, MessageID: id, BodyHash: hash, Size: int64(len(answered)), Raw: answered})
		if err != nil {
			return err
		}
		return tx.Decide(ctx, in.ID, store.Outcome{Outcome: "booked"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveCursor(ctx, old); err != nil {
		t.Fatal(err)
	}

	cfg := testConfig(t, d.IMAPAddr, nil)
	startWatcher(t, cfg, st)
	ins := waitStored(t, st, 3, 10*time.Second)
	waitState(t, st, mailbox.StateIdle, 5*time.Second)

	want := map[string]int{"booked": 1, store.OutcomeDuplicate: 1, "": 1}
	if got := outcomes(t, st); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
	for _, in := range ins[1:] {
		if in.UIDValidity != current {
			t.Errorf("%s stored under UIDVALIDITY %d, want the server's %d", in.MessageID, in.UIDValidity, current)
		}
		switch in.MessageID {
		case msgID("answered"):
			if in.Outcome.String != store.OutcomeDuplicate || in.DuplicateOf.Int64 != ins[0].ID {
				t.Errorf("answered mail seen again: outcome %q duplicate of %d, want duplicate of %d", in.Outcome.String, in.DuplicateOf.Int64, ins[0].ID)
			}
		case msgID("fresh"):
			if in.State != "new" {
				t.Errorf("fresh mail: state %s, want new", in.State)
			}
		}
	}
	if c := cursor(t, st, "INBOX"); c.UIDValidity != current || c.LastUID != 2 {
		t.Errorf("cursor %+v, want UIDVALIDITY %d last UID 2", c, current)
	}
}

// TestUIDValidityChangeOnServer is the real thing: the watched folder is
// deleted and recreated (a new UIDVALIDITY) and its mail restored, plus one
// new mail. Only the new mail awaits a decision; the restored ones are
// duplicates of what was stored before.
func TestUIDValidityChangeOnServer(t *testing.T) {
	const folder = "Support"
	d := mailtest.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := d.CreateMailbox(ctx, support, folder); err != nil {
		t.Fatal(err)
	}
	a, b := customerMail("a", requestBody), customerMail("b", requestBody)
	appendTo(t, d, folder, a, b)

	cfg := testConfig(t, d.IMAPAddr, map[string]string{"mailbox": folder})
	st := openStore(t)
	r := startWatcher(t, cfg, st)
	waitStored(t, st, 2, 10*time.Second)
	decide(t, st, msgID("a"), "booked", "")
	r.w.Dispose()
	waitFor(t, 5*time.Second, "mail a flagged \\Seen", func() (bool, error) {
		return seen(serverFlags(t, d, folder)[msgID("a")]), nil
	})
	r.stop()
	before, _ := mailboxStatus(t, d, folder)

	deleteMailbox(t, d, folder)
	if err := d.CreateMailbox(ctx, support, folder); err != nil {
		t.Fatal(err)
	}
	appendTo(t, d, folder, a, b, customerMail("c", requestBody))
	after, _ := mailboxStatus(t, d, folder)
	if after == before {
		t.Fatalf("recreated folder kept UIDVALIDITY %d", before)
	}

	startWatcher(t, cfg, st)
	waitStored(t, st, 5, 10*time.Second)
	waitState(t, st, mailbox.StateIdle, 5*time.Second)
	want := map[string]int{"booked": 1, store.OutcomeDuplicate: 2, "": 2} // "": b (first copy) and c
	if got := outcomes(t, st); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
	if c := cursor(t, st, folder); c.UIDValidity != after || c.LastUID != 3 {
		t.Errorf("cursor %+v, want UIDVALIDITY %d last UID 3", c, after)
	}
}

// TestBacklogInBatches: mail that piled up while mailflow was down is taken
// in, batch by batch, each mail exactly once.
func TestBacklogInBatches(t *testing.T) {
	const n = 120
	d := mailtest.StartDovecot(t)
	cfg := testConfig(t, d.IMAPAddr, map[string]string{"fetch_batch": "50"})
	st := openStore(t)
	first := startWatcher(t, cfg, st)
	waitState(t, st, mailbox.StateIdle, 10*time.Second)
	first.stop()

	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = customerMail(fmt.Sprintf("backlog-%03d", i), requestBody)
	}
	appendTo(t, d, "INBOX", raws...)
	_, uidNext := mailboxStatus(t, d, "INBOX")

	start := time.Now()
	r := startWatcher(t, cfg, st)
	ins := waitStored(t, st, n, 20*time.Second)
	t.Logf("%d mails stored in %s", n, time.Since(start).Round(time.Millisecond))
	got := byMessageID(t, ins) // fails on any mail stored twice
	for i := range n {
		if got[msgID(fmt.Sprintf("backlog-%03d", i))] == nil {
			t.Errorf("backlog mail %d not stored", i)
		}
	}
	if c := cursor(t, st, "INBOX"); c.LastUID != uidNext-1 {
		t.Errorf("cursor at uid %d, want the highest, %d", c.LastUID, uidNext-1)
	}
	if calls := r.calls.Load(); calls < (n+49)/50 {
		t.Errorf("stored called %d times, want once per batch of 50 (at least %d)", calls, (n+49)/50)
	}
}

// TestAuthMechanisms: LOGIN (the default) and SASL PLAIN both log in to
// Dovecot; a wrong password keeps the watcher retrying and says why.
func TestAuthMechanisms(t *testing.T) {
	d := mailtest.StartDovecot(t)
	for _, auth := range []string{"", "login", "plain"} {
		t.Run("auth="+auth, func(t *testing.T) {
			user := "support-" + auth + "@example.com"
			keys := map[string]string{"username": user}
			if auth != "" {
				keys["auth"] = auth
			}
			st := openStore(t)
			startWatcher(t, testConfig(t, d.IMAPAddr, keys), st)
			waitState(t, st, mailbox.StateIdle, 10*time.Second)
			deliver(t, d, user, customerMail("auth-"+auth, requestBody))
			waitStored(t, st, 1, 5*time.Second)
		})
	}
	for _, auth := range []string{"login", "plain"} {
		t.Run("wrong-password/auth="+auth, func(t *testing.T) {
			// A Dovecot of its own: after one failed login Dovecot delays
			// the next failures from the same address by seconds.
			d := mailtest.StartDovecot(t)
			st := openStore(t)
			r := startWatcher(t, testConfig(t, d.IMAPAddr, map[string]string{"auth": auth, "password": `"not-the-password"`}), st)
			waitState(t, st, mailbox.StateReconnecting, 5*time.Second)
			waitLastError(t, st, "login", time.Second)
			// Still alive and retrying; stopping it is prompt (checked by stop).
			select {
			case err := <-r.done:
				t.Fatalf("Run gave up after a failed login: %v", err)
			case <-time.After(200 * time.Millisecond):
			}
		})
	}
}

// TestTLSModes: implicit TLS and STARTTLS against a server with a
// self-signed certificate. With insecure_skip_verify the mail flows; without
// it, the certificate problem is what `mailflow status` shows.
func TestTLSModes(t *testing.T) {
	for _, mode := range []string{config.TLSImplicit, config.TLSStartTLS} {
		t.Run(mode, func(t *testing.T) {
			srv := startTLSServer(t, mode)
			srv.deliver(t, customerMail("tls-"+mode+"-1", requestBody))

			t.Run("insecure_skip_verify", func(t *testing.T) {
				st := openStore(t)
				startWatcher(t, testConfig(t, srv.Addr, map[string]string{"tls": mode, "insecure_skip_verify": "true"}), st)
				waitStored(t, st, 1, 10*time.Second)
				waitState(t, st, mailbox.StateIdle, 5*time.Second)
				srv.deliver(t, customerMail("tls-"+mode+"-2", requestBody))
				got := byMessageID(t, waitStored(t, st, 2, 5*time.Second))
				if in := got[msgID("tls-"+mode+"-2")]; in == nil || in.Raw == nil {
					t.Errorf("mail over %s not stored: %+v", mode, in)
				}
			})
			t.Run("verify", func(t *testing.T) {
				st := openStore(t)
				startWatcher(t, testConfig(t, srv.Addr, map[string]string{"tls": mode}), st)
				waitState(t, st, mailbox.StateReconnecting, 10*time.Second)
				waitLastError(t, st, "certificate", time.Second)
				if n := len(allIncoming(t, st)); n != 0 {
					t.Errorf("%d mails stored over an unverified connection", n)
				}
			})
		})
	}
}

// TestBodyMissingFromBatchLosesNothing: when the server leaves out the body
// of one mail of a batch (it was expunged meanwhile, or a hiccup), intake
// stops that round before it and takes the rest in the next round; no later
// mail of the backlog is skipped for good.
func TestBodyMissingFromBatchLosesNothing(t *testing.T) {
	const n = 120
	for _, path := range []string{"first-start", "poll"} {
		t.Run(path, func(t *testing.T) {
			var withheld atomic.Bool
			srv := startMemServer(t, config.TLSNone, func(s imapserver.Session) imapserver.Session {
				return withholdBody{Session: s, uid: 10, done: &withheld}
			})
			cfg := testConfig(t, srv.Addr, map[string]string{"fetch_batch": "50", "poll_interval": "1s"})
			st := openStore(t)
			if path == "poll" {
				// With a cursor in place the backlog is found by the poll.
				r := startWatcher(t, cfg, st)
				waitState(t, st, mailbox.StateIdle, 5*time.Second)
				r.stop()
			}
			for i := range n {
				srv.deliver(t, customerMail(fmt.Sprintf("backlog-%03d", i), requestBody))
			}
			startWatcher(t, cfg, st)
			got := byMessageID(t, waitStored(t, st, n, 10*time.Second))
			if !withheld.Load() {
				t.Fatal("the server never left a body out; the test proves nothing")
			}
			for i := range n {
				if got[msgID(fmt.Sprintf("backlog-%03d", i))] == nil {
					t.Errorf("backlog mail %d not stored", i)
				}
			}
			if c := cursor(t, st, "INBOX"); c.LastUID != n {
				t.Errorf("cursor at uid %d, want %d", c.LastUID, n)
			}
		})
	}
}

// TestUnansweredCommandsTimeOut: a server that stops answering does not
// wedge intake. The command gives up after imap.command_timeout, the watcher
// reconnects and the mail is stored; and stopping mailflow does not wait
// for a server that no longer answers.
func TestUnansweredCommandsTimeOut(t *testing.T) {
	var fetchHangs, idleHangs atomic.Bool
	release := make(chan struct{})
	srv := startMemServer(t, config.TLSNone, func(s imapserver.Session) imapserver.Session {
		return stall{Session: s, fetch: &fetchHangs, idle: &idleHangs, release: release}
	})
	t.Cleanup(func() { close(release) }) // before the server closes

	t.Run("fetch", func(t *testing.T) {
		st := openStore(t)
		fetchHangs.Store(true)
		srv.deliver(t, customerMail("stalled", requestBody))
		startWatcher(t, testConfig(t, srv.Addr, map[string]string{"command_timeout": "1s"}), st)
		waitState(t, st, mailbox.StateReconnecting, 5*time.Second)
		waitLastError(t, st, "no answer within 1s", time.Second)
		waitStored(t, st, 1, 10*time.Second)
	})
	t.Run("shutdown", func(t *testing.T) {
		st := openStore(t)
		idleHangs.Store(true) // the server will not answer DONE
		r := startWatcher(t, testConfig(t, srv.Addr, map[string]string{"command_timeout": "10s"}), st)
		waitState(t, st, mailbox.StateIdle, 5*time.Second)
		time.Sleep(100 * time.Millisecond) // IDLE is issued just after the state is written
		start := time.Now()
		r.stop() // fails the test unless Run returns within stopTimeout
		t.Logf("stopped in %s while the server did not answer", time.Since(start).Round(time.Millisecond))
	})
}

// TestTLSModeMismatchReported: imap.tls not matching the server's port is a
// common slip; it must show in `mailflow status` within the command
// timeout, not leave intake "connecting" for good.
func TestTLSModeMismatchReported(t *testing.T) {
	for _, c := range []struct{ client, server string }{
		{config.TLSImplicit, config.TLSStartTLS},
		{config.TLSStartTLS, config.TLSImplicit},
		{config.TLSNone, config.TLSImplicit},
	} {
		t.Run(c.client+"-to-"+c.server, func(t *testing.T) {
			srv := startTLSServer(t, c.server)
			st := openStore(t)
			startWatcher(t, testConfig(t, srv.Addr, map[string]string{"tls": c.client, "insecure_skip_verify": "true", "command_timeout": "2s"}), st)
			waitState(t, st, mailbox.StateReconnecting, 4*time.Second)
			waitLastError(t, st, "", time.Second)
		})
	}
}

// TestIdleReissued: IDLE is ended and issued again every imap.idle_restart
// (servers drop IDLE connections after about 30 minutes); the watcher stays
// as quick to see new mail across those restarts.
func TestIdleReissued(t *testing.T) {
	d := mailtest.StartDovecot(t)
	st := openStore(t)
	r := startWatcher(t, testConfig(t, d.IMAPAddr, map[string]string{"idle_restart": "300ms"}), st)
	waitState(t, st, mailbox.StateIdle, 10*time.Second)
	time.Sleep(time.Second) // three restarts

	deliver(t, d, support, customerMail("after-restarts", requestBody))
	// Stored at all means seen through IDLE: the poll is an hour away.
	waitStored(t, st, 1, eventDeadline)
	select {
	case err := <-r.done:
		t.Fatalf("Run ended: %v", err)
	default:
	}
}

// TestDisposeWithoutMove: on a server without MOVE the decided mail is
// copied to its folder and stays, flagged \Seen, in the inbox: mailflow
// never deletes mail.
func TestDisposeWithoutMove(t *testing.T) {
	srv := startMemServer(t, config.TLSNone, nil) // no MOVE capability
	srv.deliver(t, customerMail("copied", requestBody))
	st := openStore(t)
	r := startWatcher(t, testConfig(t, srv.Addr, map[string]string{"processed_folder": "Processed"}), st)
	waitStored(t, st, 1, 10*time.Second)
	in := decide(t, st, msgID("copied"), "booked", "Processed")
	r.w.Dispose()
	waitFor(t, 5*time.Second, "decided mail disposed", func() (bool, error) {
		got, err := st.Incoming(context.Background(), in.ID)
		return err == nil && got.DisposedAt.Valid, err
	})
	for _, c := range []struct {
		mailbox string
		want    uint32
	}{{"INBOX", 1}, {"Processed", 1}} {
		s, err := srv.user.Status(c.mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true})
		if err != nil {
			t.Fatal(err)
		}
		if *s.NumMessages != c.want || *s.NumUnseen != 0 {
			t.Errorf("%s: %d mails, %d unseen; want %d, all seen", c.mailbox, *s.NumMessages, *s.NumUnseen, c.want)
		}
	}
}
