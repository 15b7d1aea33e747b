package mailbox_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/mailbox"
	"github.com/mailflow/mailflow/mailflow/store"
)

const support = "support@example.com"

// Bounds of the waits in these tests. They only stop a broken test: the
// tests wait for events, and a loaded CI machine may be slow to produce
// them. Latency is measured in benchmarks, not asserted here.
const (
	opTimeout     = 30 * time.Second // one helper's IMAP session
	stopTimeout   = 30 * time.Second // Run returns after cancel (RELIABILITY: ≤30 s)
	eventDeadline = 2 * time.Minute  // the least any wait for an event allows
)

// testConfig writes a config whose imap section points at addr and loads it
// like the daemon does. imapKeys override or add imap keys (YAML scalars).
// The defaults make the safety-net poll and the liveness watchdog (whose
// wake-up also polls) too slow to matter (1h), so a test that sees mail at
// all saw it through IDLE.
func testConfig(t testing.TB, addr string, imapKeys map[string]string) *config.Config {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{
		"host":            host,
		"port":            port,
		"tls":             "none",
		"username":        support,
		"password":        strconv.Quote(mailtest.Password),
		"poll_interval":   "1h",
		"idle_check":      "1h",
		"command_timeout": "5s",
	}
	maps.Copy(keys, imapKeys)
	var imapYAML []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		imapYAML = append(imapYAML, k+": "+keys[k])
	}
	y := "imap: {" + strings.Join(imapYAML, ", ") + "}\n" +
		"smtp: {host: 127.0.0.1, port: 2525, from: " + support + "}\n" +
		"database: {path: mailflow.db}\n" +
		"technicians: [{name: Anna Berger, email: anna@example.com}]\n"
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// openStore opens a fresh database file that lives as long as the test.
func openStore(t testing.TB) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	st, err := store.Open(ctx, store.SQLite, filepath.Join(t.TempDir(), "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return st
}

// running is a Watcher whose Run goroutine a test owns.
type running struct {
	t      testing.TB
	w      *mailbox.Watcher
	stored chan struct{} // signalled (not queued) after each commit
	calls  atomic.Int64  // how often stored was called
	cancel context.CancelFunc
	done   chan error
}

// startWatcher runs a watcher of cfg on st until the test ends or stop.
func startWatcher(t testing.TB, cfg *config.Config, st *store.Store) *running {
	t.Helper()
	r := &running{t: t, stored: make(chan struct{}, 1), done: make(chan error, 1)}
	r.w = mailbox.New(cfg, st, testLogger(t), func() {
		r.calls.Add(1)
		select {
		case r.stored <- struct{}{}:
		default:
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- r.w.Run(ctx) }()
	t.Cleanup(r.stop)
	return r
}

// stop cancels Run and requires it to return promptly and cleanly.
func (r *running) stop() {
	r.t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("Run returned %v after cancel, want nil", err)
		}
	case <-time.After(stopTimeout):
		r.t.Fatalf("Run did not return within %s of cancel", stopTimeout)
	}
}

// waitFor polls cond until it holds, failing the test after within.
func waitFor(t testing.TB, within time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	within = max(within, eventDeadline)
	deadline := time.Now().Add(within)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// status returns one intake status value ("" when not set).
func status(t testing.TB, st *store.Store, key string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	m, err := st.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return m[key].Value
}

// waitState waits until intake.state is want.
func waitState(t testing.TB, st *store.Store, want string, within time.Duration) {
	t.Helper()
	waitFor(t, within, "intake.state "+want, func() (bool, error) {
		return status(t, st, store.StatusIntakeState) == want, nil
	})
}

// waitLastError waits until intake.last_error is set and contains want.
// (Run writes it just after the reconnecting state.)
func waitLastError(t testing.TB, st *store.Store, want string, within time.Duration) {
	t.Helper()
	var last string
	within = max(within, eventDeadline)
	deadline := time.Now().Add(within)
	for {
		last = status(t, st, store.StatusIntakeLastErr)
		if last != "" && strings.Contains(last, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("intake.last_error %q, want one mentioning %q", last, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// allIncoming returns every stored mail in insertion order. The tests never
// delete rows, so IDs run from 1 without gaps.
func allIncoming(t testing.TB, st *store.Store) []*store.Incoming {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	var out []*store.Incoming
	for id := int64(1); ; id++ {
		in, err := st.Incoming(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, in)
	}
}

// byMessageID indexes stored mails by Message-ID and fails the test when
// one is stored twice.
func byMessageID(t testing.TB, ins []*store.Incoming) map[string]*store.Incoming {
	t.Helper()
	m := map[string]*store.Incoming{}
	for _, in := range ins {
		if prev, ok := m[in.MessageID]; ok {
			t.Fatalf("Message-ID %s stored twice (ids %d and %d)", in.MessageID, prev.ID, in.ID)
		}
		m[in.MessageID] = in
	}
	return m
}

// waitStored waits until n mails are stored (any outcome).
func waitStored(t testing.TB, st *store.Store, n int, within time.Duration) []*store.Incoming {
	t.Helper()
	var ins []*store.Incoming
	waitFor(t, within, fmt.Sprintf("%d stored mails", n), func() (bool, error) {
		ins = allIncoming(t, st)
		if len(ins) > n {
			return false, fmt.Errorf("%d mails stored, want %d", len(ins), n)
		}
		return len(ins) == n, nil
	})
	return ins
}

// decide records an outcome for the stored mail with Message-ID msgID, the
// way the pipeline would.
func decide(t testing.TB, st *store.Store, msgID, outcome, dest string) *store.Incoming {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	ids, err := st.Undecided(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		in, err := st.Incoming(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if in.MessageID != msgID {
			continue
		}
		err = st.InTx(ctx, func(tx *store.Tx) error {
			return tx.Decide(ctx, id, store.Outcome{Outcome: outcome, DestFolder: dest})
		})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	t.Fatalf("no undecided mail with Message-ID %s", msgID)
	return nil
}

// outcomes counts stored mails per outcome ("" = undecided).
func outcomes(t testing.TB, st *store.Store) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	m, err := st.OutcomeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func cursor(t testing.TB, st *store.Store, mailbox string) store.Cursor {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	c, ok, err := st.Cursor(ctx, mailbox)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("no cursor for %s", mailbox)
	}
	return c
}

// customerMail is a plain customer request with Message-ID <name@kunde.example.org>.
func customerMail(name, body string) []byte {
	return []byte("From: Maria Huber <Maria.Huber@Kunde.Example.org>\r\n" +
		"To: " + support + "\r\n" +
		"Subject: Termin Fernwartung " + name + "\r\n" +
		"Date: Tue, 24 Nov 2026 09:00:00 +0100\r\n" +
		"Message-ID: " + msgID(name) + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n" +
		"\r\n" + body)
}

func msgID(name string) string { return "<" + name + "@kunde.example.org>" }

const requestBody = "Guten Tag,\r\n\r\nhätten Sie am 26.11.2026 um 10:00 Uhr Zeit für eine Fernwartung?\r\n\r\nMaria Huber\r\n"

// lf turns CRLF into LF: Dovecot's Maildir keeps LF and serves CRLF, so
// bytes are compared modulo line endings.
func lf(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")) }

func deliver(t testing.TB, d *mailtest.Dovecot, to string, raws ...[]byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	for _, raw := range raws {
		if err := d.Deliver(ctx, to, raw); err != nil {
			t.Fatal(err)
		}
	}
}

func count(t testing.TB, d *mailtest.Dovecot, mailbox string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	n, err := d.Count(ctx, support, mailbox)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// imapSession runs fn on a fresh logged-in connection as support and logs
// out; every wait is bounded by opTimeout (the connection is closed then).
func imapSession(t testing.TB, d *mailtest.Dovecot, fn func(c *imapclient.Client) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	c, err := d.Login(ctx, support, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer func() {
		stop()
		c.Close()
	}()
	if err := fn(c); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Fatalf("logout: %v", err)
	}
}

// serverFlags returns the flags of every mail in mailbox by Message-ID,
// read without changing them.
func serverFlags(t testing.TB, d *mailtest.Dovecot, mailbox string) map[string][]imap.Flag {
	t.Helper()
	out := map[string][]imap.Flag{}
	imapSession(t, d, func(c *imapclient.Client) error {
		sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			return fmt.Errorf("examine %s: %w", mailbox, err)
		}
		if sel.NumMessages == 0 {
			return nil
		}
		msgs, err := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true, Envelope: true}).Collect()
		if err != nil {
			return fmt.Errorf("fetch flags in %s: %w", mailbox, err)
		}
		for _, m := range msgs {
			out["<"+m.Envelope.MessageID+">"] = m.Flags
		}
		return nil
	})
	return out
}

func seen(flags []imap.Flag) bool { return slices.Contains(flags, imap.FlagSeen) }

// markSeen flags the INBOX mails with the given Message-IDs \Seen, as a
// person reading them in a mail client would.
func markSeen(t testing.TB, d *mailtest.Dovecot, ids ...string) {
	t.Helper()
	imapSession(t, d, func(c *imapclient.Client) error {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			return err
		}
		for _, id := range ids {
			data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: id}}}, nil).Wait()
			if err != nil {
				return fmt.Errorf("search %s: %w", id, err)
			}
			uids := data.AllUIDs()
			if len(uids) != 1 {
				return fmt.Errorf("search %s: %d mails", id, len(uids))
			}
			err = c.Store(imap.UIDSetNum(uids...), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
			if err != nil {
				return fmt.Errorf("flag %s seen: %w", id, err)
			}
		}
		return nil
	})
}

// appendTo APPENDs raws to mailbox in one session (faster than Deliver for
// many mails, and works on any mailbox).
func appendTo(t testing.TB, d *mailtest.Dovecot, mailbox string, raws ...[]byte) {
	t.Helper()
	imapSession(t, d, func(c *imapclient.Client) error {
		for i, raw := range raws {
			cmd := c.Append(mailbox, int64(len(raw)), nil)
			if _, err := cmd.Write(raw); err != nil {
				cmd.Close()
				return fmt.Errorf("append %d: %w", i, err)
			}
			if err := cmd.Close(); err != nil {
				return fmt.Errorf("append %d: %w", i, err)
			}
			if _, err := cmd.Wait(); err != nil {
				return fmt.Errorf("append %d: %w", i, err)
			}
		}
		return nil
	})
}

// mailboxStatus returns UIDVALIDITY and UIDNEXT of mailbox.
func mailboxStatus(t testing.TB, d *mailtest.Dovecot, mailbox string) (uidValidity, uidNext uint32) {
	t.Helper()
	imapSession(t, d, func(c *imapclient.Client) error {
		s, err := c.Status(mailbox, &imap.StatusOptions{UIDValidity: true, UIDNext: true}).Wait()
		if err != nil {
			return err
		}
		uidValidity, uidNext = s.UIDValidity, uint32(s.UIDNext)
		return nil
	})
	return uidValidity, uidNext
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// memServer is a go-imap server (imapmemserver) for what Dovecot in the
// harness does not offer: TLS (ssl = no there) and misbehaviour on demand.
type memServer struct {
	Addr string
	user *imapmemserver.User
}

// startTLSServer serves IMAP over implicit TLS or with STARTTLS, with a
// self-signed certificate for 127.0.0.1. Plain-text login is refused
// (InsecureAuth off), so a client that logs in has negotiated TLS.
func startTLSServer(t testing.TB, mode string) *memServer {
	t.Helper()
	return startMemServer(t, mode, nil)
}

// startMemServer serves IMAP in the given TLS mode; wrap, when not nil,
// wraps every session so a test can change what the server answers.
func startMemServer(t testing.TB, mode string, wrap func(imapserver.Session) imapserver.Session) *memServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(support, mailtest.Password)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)

	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if wrap != nil {
				return idleReports{wrap(mem.NewSession())}, nil, nil
			}
			return idleReports{mem.NewSession()}, nil, nil
		},
		// No MOVE: a wrapping session would hide it. The watcher copies then.
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}},
		Logger: newPrintfLogger(t),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case config.TLSImplicit:
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}, MinVersion: tls.VersionTLS12})
	case config.TLSStartTLS:
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}, MinVersion: tls.VersionTLS12}
	case config.TLSNone:
		opts.InsecureAuth = true
	default:
		t.Fatalf("imap server: mode %q", mode)
	}
	srv := imapserver.New(opts)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		// The accept loop ends first; only then may Close wait for the
		// connections (Serve and Close share a WaitGroup).
		ln.Close()
		<-done
		srv.Close()
	})
	return &memServer{Addr: ln.Addr().String(), user: user}
}

// idleReports makes the in-memory server report new mail during IDLE the way
// Dovecot does. go-imap's memory server only reports what arrives after its
// IDLE began: a mail appended between the watcher's last command and its
// IDLE went unseen until the next command (TestTLSModes failed so, about
// one run in thirty on a busy machine). This IDLE reports what is pending
// when it starts and anything appended while it runs.
type idleReports struct{ imapserver.Session }

func (s idleReports) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := s.Session.Poll(w, true); err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
	}
}

// withholdBody is a session that leaves the body of one UID out of the
// first FETCH asking for bodies, as when that mail is expunged between
// intake's size and body fetches.
type withholdBody struct {
	imapserver.Session
	uid  imap.UID
	done *atomic.Bool
}

func (s withholdBody) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if uids, ok := numSet.(imap.UIDSet); ok && len(options.BodySection) > 0 && uids.Contains(s.uid) && s.done.CompareAndSwap(false, true) {
		nums, _ := uids.Nums()
		numSet = imap.UIDSetNum(slices.DeleteFunc(nums, func(u imap.UID) bool { return u == s.uid })...)
	}
	return s.Session.Fetch(w, numSet, options)
}

// deliver appends raw to the INBOX; IDLE sessions are told at once.
func (s *memServer) deliver(t testing.TB, raw []byte) {
	t.Helper()
	if _, err := s.user.Append("INBOX", literal{bytes.NewReader(raw)}, &imap.AppendOptions{Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

type literal struct{ *bytes.Reader }

func (l literal) Size() int64 { return l.Reader.Size() }

// selfSigned makes a throw-away certificate for 127.0.0.1 that no system
// trusts.
func selfSigned(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "mailflow test imap"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// printfLogger sends the go-imap server's messages (handshake failures the
// tests provoke, mostly) to the test log. Connection goroutines can outlive
// the test, so it stops logging once the test's cleanup has begun.
type printfLogger struct {
	t    testing.TB
	mu   *sync.Mutex
	done *bool
}

func newPrintfLogger(t testing.TB) printfLogger {
	l := printfLogger{t: t, mu: new(sync.Mutex), done: new(bool)}
	t.Cleanup(func() {
		l.mu.Lock()
		*l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l printfLogger) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !*l.done {
		l.t.Logf("imap server: "+format, args...)
	}
}

// deleteMailbox deletes mailbox with all its mail.
func deleteMailbox(t testing.TB, d *mailtest.Dovecot, mailbox string) {
	t.Helper()
	imapSession(t, d, func(c *imapclient.Client) error {
		if err := c.Delete(mailbox).Wait(); err != nil {
			return fmt.Errorf("delete %s: %w", mailbox, err)
		}
		return nil
	})
}

// stall is a session that stops answering on demand, as a wedged server or
// a dead network path does: while armed, the next body FETCH hangs, and
// ending IDLE hangs, until release is closed (or opTimeout passes).
type stall struct {
	imapserver.Session
	fetch, idle *atomic.Bool
	release     <-chan struct{}
}

func (s stall) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if len(options.BodySection) > 0 && s.fetch.CompareAndSwap(true, false) {
		s.hang()
	}
	return s.Session.Fetch(w, numSet, options)
}

func (s stall) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if !s.idle.Load() {
		return s.Session.Idle(w, stop)
	}
	late := make(chan struct{})
	go func() {
		<-stop
		s.hang()
		close(late)
	}()
	return s.Session.Idle(w, late)
}

func (s stall) hang() {
	select {
	case <-s.release:
	case <-time.After(opTimeout):
	}
}
