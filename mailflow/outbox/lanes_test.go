package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// laneSMTP accepts everything and notes which session brought each mail.
// The first mails wait in DATA until `together` sessions are inside DATA at
// once: a sender that does not use parallel sessions never gets that far.
type laneSMTP struct {
	together int

	mu       sync.Mutex
	cond     *sync.Cond
	inData   int
	met      bool
	sessions int
	got      []laneMail
}

type laneMail struct {
	session int
	to      string
	id      string
}

func (f *laneSMTP) NewSession(*smtp.Conn) (smtp.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions++
	return &laneSession{f: f, n: f.sessions}, nil
}

type laneSession struct {
	f  *laneSMTP
	n  int
	to string
}

func (s *laneSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *laneSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *laneSession) Reset()        {}
func (s *laneSession) Logout() error { return nil }

var messageIDLine = regexp.MustCompile(`Message-ID: (<[^>]+>)`)

func (s *laneSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.met {
		f.inData++
		if f.inData >= f.together {
			f.met = true
			f.cond.Broadcast()
		}
		// Bounded, so a sender that never opens the sessions fails the
		// test instead of hanging it.
		timer := time.AfterFunc(20*time.Second, func() {
			f.mu.Lock()
			f.cond.Broadcast()
			f.mu.Unlock()
		})
		for !f.met {
			f.cond.Wait()
			if !f.met && !timer.Stop() {
				return &smtp.SMTPError{Code: 451, Message: "never saw the sessions side by side"}
			}
		}
		timer.Stop()
	}
	m := messageIDLine.FindSubmatch(b)
	if m == nil {
		return errors.New("no Message-ID")
	}
	f.got = append(f.got, laneMail{session: s.n, to: s.to, id: string(m[1])})
	return nil
}

// TestParallelSessionsSendEachMailOnceInOrder: with smtp.connections 3 a
// backlog goes out over three sessions at once, every mail exactly once,
// and each recipient's mails in the order they were queued.
func TestParallelSessionsSendEachMailOnceInOrder(t *testing.T) {
	f := &laneSMTP{together: 3}
	f.cond = sync.NewCond(&f.mu)
	host, port := serveSMTP(t, f)
	s, st := setup(t, host, port)
	const lanes, perRecipient = 3, 4
	s.lanes = []*lane{{}, {}, {}}
	// Recipients at domains that fall on every lane, two per lane.
	var recipients []string
	perLane := map[int]int{}
	for i := 0; len(recipients) < 2*lanes; i++ {
		to := fmt.Sprintf("k%d@firma%d.example", i, i)
		if l := s.laneOf(to); perLane[l] < 2 {
			perLane[l]++
			recipients = append(recipients, to)
		}
	}
	// Queued interleaved: each recipient's mails in order 0, 1, 2, 3.
	want := map[string][]string{}
	for j := range perRecipient {
		for _, to := range recipients {
			id := fmt.Sprintf("<m%d-%s>", j, to)
			enqueueTo(t, st, id, to)
			want[to] = append(want[to], id)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := s.SendDue(ctx)
	s.Close()
	if err != nil || n != len(recipients)*perRecipient {
		t.Fatalf("sent %d of %d: %v", n, len(recipients)*perRecipient, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sessions != lanes {
		t.Errorf("%d SMTP sessions, want %d", f.sessions, lanes)
	}
	seen := map[string]int{}
	got := map[string][]string{}
	sessionOf := map[string]int{}
	for _, m := range f.got {
		seen[m.id]++
		got[m.to] = append(got[m.to], m.id)
		if s, ok := sessionOf[m.to]; ok && s != m.session {
			t.Errorf("%s got mail over sessions %d and %d", m.to, s, m.session)
		}
		sessionOf[m.to] = m.session
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("%s delivered %d times", id, c)
		}
	}
	for _, to := range recipients {
		if !slices.Equal(got[to], want[to]) {
			t.Errorf("%s got %q, want %q in this order", to, got[to], want[to])
		}
	}
	if again, _ := s.SendDue(ctx); again != 0 {
		t.Errorf("%d mails sent a second time", again)
	}
	s.Close()
}

// TestSessionKeptAcrossPassesUntilIdle: one SMTP session carries the mails
// of several passes (checked with RSET before reuse); after idle_timeout
// without mail the next pass opens a new one.
func TestSessionKeptAcrossPassesUntilIdle(t *testing.T) {
	f := &laneSMTP{together: 1}
	f.cond = sync.NewCond(&f.mu)
	host, port := serveSMTP(t, f)
	s, st := setup(t, host, port)
	defer s.Close()
	var ahead time.Duration // how far the sender's clock runs ahead
	s.now = func() time.Time { return time.Now().Add(ahead) }
	ctx := context.Background()
	pass := func(id string) {
		t.Helper()
		enqueueTo(t, st, id, "kunde@example.org")
		if n, err := s.SendDue(ctx); err != nil || n != 1 {
			t.Fatalf("%s: sent %d: %v", id, n, err)
		}
	}
	pass("<p1@example.com>")
	pass("<p2@example.com>")
	ahead = s.idleTimeout() / 2
	pass("<p3@example.com>")
	f.mu.Lock()
	if f.sessions != 1 {
		t.Errorf("three passes within the idle timeout opened %d sessions, want 1", f.sessions)
	}
	f.mu.Unlock()
	ahead += s.idleTimeout()
	pass("<p4@example.com>")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sessions != 2 {
		t.Errorf("after the idle timeout: %d sessions in all, want 2", f.sessions)
	}
	if last := f.got[len(f.got)-1]; last.session != 2 {
		t.Errorf("the mail after the idle timeout came over session %d, want the new one", last.session)
	}
}
