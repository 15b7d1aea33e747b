package outbox

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mailflow/mailflow/mailflow/store"
)

// onDataSMTP accepts every mail and calls hook while the mail is being
// accepted (before the 250 goes out), so a test can break the database at
// the one moment that matters.
type onDataSMTP struct {
	mu       sync.Mutex
	accepted []string
	hook     func(n int)
}

func (f *onDataSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &onDataSession{f: f}, nil }

type onDataSession struct{ f *onDataSMTP }

func (s *onDataSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *onDataSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *onDataSession) Reset()                               {}
func (s *onDataSession) Logout() error                        { return nil }
func (s *onDataSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.f.mu.Lock()
	s.f.accepted = append(s.f.accepted, messageID(b))
	n := len(s.f.accepted)
	hook := s.f.hook
	s.f.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return nil
}

func (f *onDataSMTP) copies() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]int{}
	for _, id := range f.accepted {
		m[id]++
	}
	return m
}

func messageID(raw []byte) string {
	for _, l := range strings.Split(string(raw), "\r\n") {
		if v, ok := strings.CutPrefix(l, "Message-ID: "); ok {
			return v
		}
	}
	return ""
}

// The database starts refusing writes while the server accepts a mail: the
// reply went out, its result cannot be recorded. Before wave 2 the sender
// resent it every 60 ms (5,025 copies to one customer on a full disk).
func TestWriteRefusedAfterAcceptNoSecondCopy(t *testing.T) {
	f := &onDataSMTP{}
	host, port := serveSMTP(t, f)
	s, st := setup(t, host, port)
	ctx := context.Background()
	refused := make(chan struct{})
	f.hook = func(n int) {
		if n == 1 {
			if err := st.RefuseWrites(ctx, true); err != nil {
				t.Error(err)
			}
			close(refused)
		}
	}
	enqueue(t, st, "<a@example.com>")
	enqueue(t, st, "<b@example.com>")

	// One pass: a is sent, its record fails, b must not go out.
	n, err := s.SendDue(ctx)
	if !errors.Is(err, store.ErrWriteRefused) {
		t.Fatalf("SendDue = %d, %v; want a write-refused error", n, err)
	}
	<-refused
	// More passes while the database still refuses: nothing is sent.
	for range 5 {
		if err := s.flushUnrecorded(ctx); err == nil {
			t.Fatal("flush succeeded while the database refuses writes")
		}
		if _, err := s.SendDue(ctx); !store.IsWriteRefused(err) {
			t.Fatalf("SendDue while refused: %v", err)
		}
	}
	if got := f.copies(); len(got) != 1 || got["<a@example.com>"] != 1 {
		t.Fatalf("server got %v while the database refused writes; want a once", got)
	}
	// Space again: a is recorded as sent (not sent again), b goes out once.
	if err := st.RefuseWrites(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := s.flushUnrecorded(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.copies(); len(got) != 2 || got["<a@example.com>"] != 1 || got["<b@example.com>"] != 1 {
		t.Fatalf("server got %v; want a and b once each", got)
	}
	sent, err := st.Outbox(ctx, store.OutboxSent)
	if err != nil || len(sent) != 2 {
		t.Fatalf("sent rows: %d, %v", len(sent), err)
	}
}

// When the attempt cannot be committed first, the mail is not sent at all.
func TestWriteRefusedBeforeSendSendsNothing(t *testing.T) {
	f := &onDataSMTP{}
	host, port := serveSMTP(t, f)
	s, st := setup(t, host, port)
	ctx := context.Background()
	enqueue(t, st, "<a@example.com>")
	if err := st.RefuseWrites(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendDue(ctx); !store.IsWriteRefused(err) {
		t.Fatalf("SendDue = %v; want write refused", err)
	}
	if got := f.copies(); len(got) != 0 {
		t.Fatalf("server got %v although the attempt could not be recorded", got)
	}
	if since, _ := st.WriteState(); since.IsZero() {
		t.Fatal("store does not report refused writes")
	}
	if err := st.RefuseWrites(ctx, false); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("after recovery: sent %d, %v", n, err)
	}
	if since, _ := st.WriteState(); !since.IsZero() {
		t.Fatal("store still reports refused writes after a successful one")
	}
}

// Run pauses on refused writes (no hot loop, one log line per streak) and
// drains everything once writes work again.
func TestRunPausesWhileWritesRefused(t *testing.T) {
	f := &onDataSMTP{}
	host, port := serveSMTP(t, f)
	s, st := setup(t, host, port)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, id := range []string{"<a@x>", "<b@x>", "<c@x>"} {
		enqueue(t, st, id)
	}
	if err := st.RefuseWrites(ctx, true); err != nil {
		t.Fatal(err)
	}
	transitions := make(chan bool, 10)
	st.OnWriteState(func(refused bool, _ time.Time, _ error) { transitions <- refused })
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	if r := <-transitions; !r {
		t.Fatal("first transition is not 'refused'")
	}
	if got := f.copies(); len(got) != 0 {
		t.Fatalf("sent %v while writes are refused", got)
	}
	if err := st.RefuseWrites(ctx, false); err != nil {
		t.Fatal(err)
	}
	s.Wake()
	waitFor(t, "all three sent once", func() bool {
		c := f.copies()
		return len(c) == 3 && c["<a@x>"] == 1 && c["<b@x>"] == 1 && c["<c@x>"] == 1
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A process killed between claiming a mail and recording its result left
// it "sending". The next start sends it again once; if that is interrupted
// too, it becomes a dead letter instead of a third copy.
func TestInterruptedSendIsResentOnce(t *testing.T) {
	f := &onDataSMTP{}
	host, port := serveSMTP(t, f)
	s, st := setup(t, host, port)
	ctx := context.Background()
	enqueue(t, st, "<a@example.com>")
	due, err := st.DueMail(ctx, time.Now(), 10)
	if err != nil || len(due) != 1 {
		t.Fatal(due, err)
	}
	claim := func() {
		t.Helper()
		if ok, err := st.ClaimForSending(ctx, due[0].ID, time.Now()); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
	}
	claim() // ... and then the process died
	if n, err := s.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("a mail in flight was picked again: %d, %v", n, err)
	}
	r, err := st.RecoverSending(ctx, time.Now())
	if err != nil || len(r.Resend) != 1 || len(r.GaveUp) != 0 {
		t.Fatalf("first recovery: %+v, %v", r, err)
	}
	claim() // sent again, and the process died again
	r, err = st.RecoverSending(ctx, time.Now())
	if err != nil || len(r.Resend) != 0 || len(r.GaveUp) != 1 {
		t.Fatalf("second recovery: %+v, %v", r, err)
	}
	dead, err := st.Outbox(ctx, store.OutboxDead)
	if err != nil || len(dead) != 1 || !strings.Contains(dead[0].LastError, "not sent blindly again") {
		t.Fatalf("dead letters: %+v, %v", dead, err)
	}
}

// cutAfterDataSMTP reads the whole mail and then drops the connection
// without a reply: the sender cannot know whether the mail was taken.
type cutAfterDataSMTP struct {
	mu   sync.Mutex
	got  int
	cuts int // how many DATA ends are cut
}

func serveCutAfterData(t *testing.T, cuts int) (*cutAfterDataSMTP, string, int) {
	t.Helper()
	f := &cutAfterDataSMTP{cuts: cuts}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	return f, "127.0.0.1", addr.Port
}

func (f *cutAfterDataSMTP) serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 0, 4096)
	say := func(s string) { io.WriteString(c, s+"\r\n") }
	say("220 localhost ESMTP")
	inData := false
	tmp := make([]byte, 4096)
	for {
		n, err := c.Read(tmp)
		if err != nil {
			return
		}
		buf = append(buf, tmp[:n]...)
		for {
			if inData {
				i := strings.Index(string(buf), "\r\n.\r\n")
				if i < 0 {
					break
				}
				buf = buf[i+5:]
				inData = false
				f.mu.Lock()
				f.got++
				cut := f.got <= f.cuts
				f.mu.Unlock()
				if cut {
					return // the mail is here; the reply never comes
				}
				say("250 2.0.0 queued")
				continue
			}
			i := strings.Index(string(buf), "\r\n")
			if i < 0 {
				break
			}
			line := strings.ToUpper(string(buf[:i]))
			buf = buf[i+2:]
			switch {
			case strings.HasPrefix(line, "EHLO"), strings.HasPrefix(line, "HELO"):
				say("250 localhost")
			case strings.HasPrefix(line, "DATA"):
				inData = true
				say("354 go ahead")
			case strings.HasPrefix(line, "QUIT"):
				say("221 bye")
				return
			default:
				say("250 ok")
			}
		}
	}
}

func TestCutAfterDataRetriedOnceThenDead(t *testing.T) {
	f, host, port := serveCutAfterData(t, 2)
	s, st := setup(t, host, port)
	s.cfg.MaxAttempts = 10 // only the uncertainty may stop it
	ctx := context.Background()
	enqueue(t, st, "<a@example.com>")
	for range 2 {
		_, err := s.SendDue(ctx)
		if err == nil {
			t.Fatal("a cut after DATA reported no error")
		}
		// Make the retry due at once.
		forceDue(t, st)
	}
	if _, err := s.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	got := f.got
	f.mu.Unlock()
	if got != 2 {
		t.Fatalf("server saw %d copies; want 2 (the first and one blind retry)", got)
	}
	dead, err := st.Outbox(ctx, store.OutboxDead)
	if err != nil || len(dead) != 1 {
		t.Fatalf("dead letters %d, %v; want the mail", len(dead), err)
	}
}

// forceDue makes every pending mail due now.
func forceDue(t *testing.T, st *store.Store) {
	t.Helper()
	ms, err := st.Outbox(context.Background(), store.OutboxPending)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if err := st.RecordAttempt(context.Background(), m.ID, store.Attempt{Err: "test: make due", Temporary: true, RetryAt: time.Now().Add(-time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
}

// waitFor polls cond until it holds, failing the test after a minute (an
// event, not a duration: the deadline only stops a broken test).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
