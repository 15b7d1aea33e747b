// Package outbox delivers the durable outbox over SMTP: each queued mail is
// sent byte for byte as rendered, temporary failures (4xx replies, network
// errors) are retried with growing backoff, permanent ones (5xx) and mail
// that keeps failing become dead letters, and every attempt is recorded. It
// never builds message bodies.
package outbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/failpoint"
	"github.com/mailflow/mailflow/mailflow/internal/supervise"
	"github.com/mailflow/mailflow/mailflow/metrics"
	"github.com/mailflow/mailflow/mailflow/oauth"
	"github.com/mailflow/mailflow/mailflow/redact"
	"github.com/mailflow/mailflow/mailflow/store"
)

// Sender runs the delivery loop.
type Sender struct {
	cfg  config.SMTP
	st   *store.Store
	log  *slog.Logger
	wake chan struct{}
	// batch is how many due mails one connection delivers at most.
	batch int
	// now is the clock (replaceable in tests).
	now             func() time.Time
	breaker         *breaker         // holds replies to what a loop looks like
	lastBreakerOpen atomic.Bool      // set by the lanes, read between passes
	metrics         *metrics.Metrics // nil: not counted (see SetMetrics)
	tokens          *oauth.Source    // smtp.auth xoauth2 or oauthbearer; nil for passwords

	// Run's goroutine only:
	writes supervise.Streak // the database refusing writes
	// lanes are the SMTP sessions (smtp.connections), each kept open
	// between mails and passes; a pass hands each lane the due mail of
	// its own recipients (see laneOf) and runs them side by side.
	lanes []*lane

	unMu       sync.Mutex
	unrecorded []unrecordedAttempt // made, not yet recorded: nothing is sent until they are

	// poll, when set, bounds the wait between passes and settles other
	// instances' interrupted sends each pass: with several instances on
	// one database, mail is queued by deciders this sender cannot hear.
	poll time.Duration

	mu           sync.Mutex // guards the fields below (read by health checks)
	failingSince time.Time
	failErr      error
}

// New returns a sender for cfg.SMTP.
func New(cfg *config.Config, st *store.Store, log *slog.Logger) *Sender {
	s := &Sender{cfg: cfg.SMTP, st: st, log: log, wake: make(chan struct{}, 1), batch: 50, now: time.Now,
		breaker: newBreaker(cfg.Limits)}
	for range max(cfg.SMTP.Connections, 1) {
		s.lanes = append(s.lanes, &lane{})
	}
	s.tokens = s.newTokens(cfg)
	return s
}

// SetPoll makes Run look for due mail at least every d, and settle the
// sends of instances that died, for a database shared by several
// instances. Call before Run.
func (s *Sender) SetPoll(d time.Duration) { s.poll = d }

// Wake tells the loop that new mail was queued. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is cancelled. A pass that fails (server down) is
// logged and retried on the mails' own backoff schedule. When the database
// refuses writes, sending pauses with backoff: a mail is handed to SMTP
// only after its attempt was committed, and after a delivery whose result
// could not be recorded nothing else is sent until it is.
func (s *Sender) Run(ctx context.Context) error {
	s.writes = supervise.Streak{Log: s.log, What: "database refuses writes: sending paused"}
	defer s.closeSessions()
	// A mail sent just as the loop was stopped may have had its record
	// refused by the cancelled context: record it before returning, or the
	// next start would take it for interrupted and send it again.
	defer func() {
		if err := s.flushUnrecorded(ctx); err != nil {
			s.log.Error("attempts made before the stop could not be recorded; the next start sends them once more", "err", err)
		}
	}()
	if !s.recoverInterrupted(ctx) {
		return nil
	}
	lastRecover := s.now()
	for {
		if s.poll > 0 && s.now().Sub(lastRecover) >= store.InstanceDeadAfter/3 {
			// Another instance may have died with mail in flight.
			if !s.recoverInterrupted(ctx) {
				return nil
			}
			lastRecover = s.now()
		}
		err := s.flushUnrecorded(ctx)
		if err == nil {
			_, err = s.SendDue(ctx)
		}
		if ctx.Err() != nil {
			return nil
		}
		if store.IsWriteRefused(err) {
			if !supervise.Sleep(ctx, s.writes.Fail(err)) {
				return nil
			}
			continue
		}
		s.writes.OK()
		if err != nil {
			s.log.Warn("outbox pass failed", "err", err)
			_ = s.st.SetStatus(context.WithoutCancel(ctx), store.StatusOutboxLastErr, err.Error())
		}
		wait := time.Minute
		if next, ok, err := s.st.NextDue(ctx); err == nil && ok {
			wait = max(time.Until(next), 50*time.Millisecond)
			wait = min(wait, time.Minute)
		}
		for _, l := range s.lanes {
			if l.sess != nil {
				wait = min(wait, max(s.idleTimeout()-s.now().Sub(l.sessUsed), 50*time.Millisecond))
			}
		}
		if s.poll > 0 {
			wait = min(wait, s.poll)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
		for _, l := range s.lanes {
			s.closeIdleSession(l)
		}
	}
}

// recoverInterrupted settles attempts an earlier process left in flight
// (see store.RecoverSending). It reports false when ctx ended first.
func (s *Sender) recoverInterrupted(ctx context.Context) bool {
	for {
		r, err := s.st.RecoverSending(ctx, s.now())
		if err == nil {
			s.writes.OK()
			if r.Examined > 0 {
				s.log.Warn("mail was being sent when mailflow last stopped; the server may have it already",
					"sent_again_once", len(r.Resend), "dead_letters_not_sent_again", len(r.GaveUp))
			}
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if !supervise.Sleep(ctx, s.writes.Fail(err)) {
			return false
		}
	}
}

// flushUnrecorded records attempts whose result the database refused
// earlier. Until it succeeds, nothing more is sent.
func (s *Sender) flushUnrecorded(ctx context.Context) error {
	s.unMu.Lock()
	defer s.unMu.Unlock()
	for len(s.unrecorded) > 0 {
		u := s.unrecorded[0]
		if err := s.st.RecordAttempt(context.WithoutCancel(ctx), u.mail.ID, u.attempt); err != nil {
			return fmt.Errorf("record earlier attempt of outbox %d: %w", u.mail.ID, err)
		}
		s.log.Info("attempt recorded late", "outbox", u.mail.ID, "message_id", u.mail.MessageID, "sent", u.attempt.OK)
		s.observe(ctx, u.mail, u.attempt)
		s.unrecorded = s.unrecorded[1:]
	}
	return nil
}

// keepUnrecorded notes an attempt made whose result the database refused.
func (s *Sender) keepUnrecorded(u unrecordedAttempt) {
	s.unMu.Lock()
	s.unrecorded = append(s.unrecorded, u)
	s.unMu.Unlock()
}

func (s *Sender) unrecordedCount() int {
	s.unMu.Lock()
	defer s.unMu.Unlock()
	return len(s.unrecorded)
}

// Close ends the SMTP sessions a SendDue outside Run left open.
func (s *Sender) Close() { s.closeSessions() }

// SendDue delivers every mail that is due now over the sender's sessions,
// and returns how many were sent.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	if n := s.unrecordedCount(); n > 0 {
		return 0, fmt.Errorf("%d attempt(s) not recorded yet: %w", n, store.ErrWriteRefused)
	}
	s.refreshBreaker(ctx)
	sent := 0
	limit := s.batch * len(s.lanes)
	for {
		due, err := s.st.DueMail(ctx, s.now(), limit)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		n, err := s.deliverLanes(ctx, due)
		sent += n
		if err != nil {
			return sent, err
		}
		if len(due) < limit {
			return sent, nil
		}
	}
}

// deliverLanes shares due mail out among the lanes and delivers it, each
// lane over its own session, side by side; it returns when all are done.
// Every mail to one recipient goes to the same lane, in the order due
// listed them, so a customer's mails keep their order; each mail is still
// claimed before it goes out, so none is sent twice.
func (s *Sender) deliverLanes(ctx context.Context, due []store.OutboxMail) (int, error) {
	if len(s.lanes) == 1 {
		return s.deliverBatch(ctx, s.lanes[0], due)
	}
	shares := make([][]store.OutboxMail, len(s.lanes))
	for _, m := range due {
		i := s.laneOf(m.Recipient)
		shares[i] = append(shares[i], m)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sent int
		errs []error
	)
	for i, share := range shares {
		if len(share) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.deliverBatch(ctx, s.lanes[i], share)
			mu.Lock()
			sent += n
			if err != nil {
				errs = append(errs, err)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return sent, errors.Join(errs...)
}

// laneOf picks the lane of a recipient: by its domain, so that the
// breaker's per-address and per-domain counts of one lane see every
// reply in flight to them, or by the whole address at the big shared
// providers, whose domain the breaker does not count.
func (s *Sender) laneOf(recipient string) int {
	if len(s.lanes) == 1 {
		return 0
	}
	key := strings.ToLower(recipient)
	if _, domain, ok := strings.Cut(key, "@"); ok && !s.breaker.shared[domain] {
		key = domain
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(s.lanes)))
}

// deliverBatch sends mails over the sender's SMTP session (kept open
// between mails and passes, see session). A failure to connect counts as a
// temporary failure of every mail in the batch.
//
// Each mail costs one write: the transaction that claims it also records
// the previous mail's result, so an attempt is always committed before
// its mail goes out and a result is recorded before the next mail does.
func (s *Sender) deliverBatch(ctx context.Context, l *lane, due []store.OutboxMail) (sent int, err error) {
	sc, err := s.session(ctx, l)
	if err != nil {
		// Whatever the server said while we connected and logged in (even a
		// 5xx for a wrong password) says nothing about the mails: they wait
		// for the operator's fix instead of becoming dead letters.
		err = &sessionError{err}
		s.smtpFailing(err)
		for _, m := range due {
			if rerr := s.save(ctx, m, s.attempt(m, err)); rerr != nil {
				return 0, rerr
			}
		}
		return 0, fmt.Errorf("connect to smtp %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	var prev *unrecordedAttempt // made, to be recorded with the next claim
	defer func() {
		if prev != nil {
			if rerr := s.save(ctx, prev.mail, prev.attempt); rerr != nil && err == nil {
				err = rerr
			}
		}
	}()
	for _, m := range due {
		if ctx.Err() != nil {
			return sent, nil
		}
		if held, err := s.holdMail(ctx, m, prev); err != nil {
			return sent, err
		} else if held {
			continue
		}
		// Never send what cannot be recorded: the attempt is committed first.
		var prevID int64
		var prevAttempt *store.Attempt
		if prev != nil {
			prevID, prevAttempt = prev.mail.ID, &prev.attempt
		}
		claimed, err := s.st.RecordAndClaim(ctx, prevID, prevAttempt, m.ID, s.now())
		if err != nil {
			if prev != nil {
				s.keepUnrecorded(*prev)
				prev = nil
			}
			return sent, fmt.Errorf("outbox %d not sent: %w", m.ID, err)
		}
		if prev != nil {
			s.observe(ctx, prev.mail, prev.attempt)
			prev = nil
		}
		if !claimed {
			continue // sent or settled meanwhile
		}
		failpoint.Hit(failpoint.AfterClaim)
		err = s.deliver(sc, m)
		if err == nil {
			failpoint.Hit(failpoint.AfterSMTP)
		}
		if err == nil || (isSMTPReply(err) && !temporary(err)) {
			s.smtpOK()
		} else {
			s.smtpFailing(err)
		}
		prev = &unrecordedAttempt{mail: m, attempt: s.attempt(m, err)}
		if err == nil {
			sent++
			s.log.Info("mail sent", "outbox", m.ID, "purpose", m.Purpose, "message_id", m.MessageID, "attempt", m.Attempts+1)
			continue
		}
		// Servers quote the rejected recipient: keep it out of the log.
		s.log.Warn("mail not sent", "outbox", m.ID, "message_id", m.MessageID, "attempt", m.Attempts+1, "temporary", temporary(err), "uncertain", uncertain(err), "err", redact.Line(err.Error()))
		if !isSMTPReply(err) {
			// The connection itself broke: the rest waits for the next pass.
			s.closeSession(l)
			return sent, err
		}
		if err := sc.Reset(); err != nil {
			s.closeSession(l)
			return sent, fmt.Errorf("smtp reset: %w", err)
		}
	}
	return sent, nil
}

// lane is one SMTP session of the sender (see smtp.connections).
type lane struct {
	sess     *smtpSession // kept open between mails and passes
	sessUsed time.Time
}

// session returns the lane's open SMTP session, checking with RSET that it
// still works, or dials a new one.
func (s *Sender) session(ctx context.Context, l *lane) (*smtp.Client, error) {
	if l.sess != nil {
		if s.now().Sub(l.sessUsed) < s.idleTimeout() {
			if err := l.sess.sc.UpdateDeadline(s.cfg.Timeout); err == nil {
				if err := l.sess.sc.Reset(); err == nil {
					l.sessUsed = s.now()
					return l.sess.sc, nil
				}
			}
		}
		s.closeSession(l)
	}
	dctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	client, sc, err := s.dial(dctx)
	cancel()
	if err != nil {
		return nil, err
	}
	l.sess = &smtpSession{client: client, sc: sc}
	l.sessUsed = s.now()
	_ = s.st.SetStatus(context.WithoutCancel(ctx), store.StatusOutboxLogin, s.now().UTC().Format(time.RFC3339))
	return sc, nil
}

// smtpSession is one logged-in SMTP connection.
type smtpSession struct {
	client *gomail.Client
	sc     *smtp.Client
}

// closeSession says goodbye (QUIT) and drops the lane's session.
func (s *Sender) closeSession(l *lane) {
	if l.sess == nil {
		return
	}
	_ = l.sess.sc.UpdateDeadline(goodbyeTimeout)
	_ = l.sess.client.CloseWithSMTPClient(l.sess.sc)
	l.sess = nil
}

// closeSessions closes every lane's session.
func (s *Sender) closeSessions() {
	for _, l := range s.lanes {
		s.closeSession(l)
	}
}

// closeIdleSession ends a session nobody used for the idle timeout, so the
// server does not have to time us out.
func (s *Sender) closeIdleSession(l *lane) {
	if l.sess != nil && s.now().Sub(l.sessUsed) >= s.idleTimeout() {
		s.closeSession(l)
	}
}

func (s *Sender) idleTimeout() time.Duration {
	if s.cfg.IdleTimeout > 0 {
		return s.cfg.IdleTimeout
	}
	return time.Minute
}

// goodbyeTimeout bounds QUIT to a server that may no longer answer.
const goodbyeTimeout = 2 * time.Second

func (s *Sender) deliver(sc *smtp.Client, m store.OutboxMail) error {
	if err := sc.UpdateDeadline(s.cfg.Timeout); err != nil {
		return err
	}
	if err := sc.Mail(m.Sender); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := sc.Rcpt(m.Recipient); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := sc.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(m.Raw); err != nil {
		w.Close()
		return fmt.Errorf("DATA write: %w", err)
	}
	if err := w.Close(); err != nil {
		if !isSMTPReply(err) {
			// The mail was complete; only the reply is missing.
			return &uncertainError{fmt.Errorf("DATA end: %w", err)}
		}
		return fmt.Errorf("DATA end: %w", err)
	}
	return nil
}

// uncertainError is a delivery whose result is unknown: the connection broke
// after the whole mail was sent and before the server said whether it took it.
type uncertainError struct{ err error }

func (e *uncertainError) Error() string { return e.err.Error() }
func (e *uncertainError) Unwrap() error { return e.err }

func uncertain(err error) bool {
	var ue *uncertainError
	return errors.As(err, &ue)
}

// attempt turns a delivery's result into the attempt to record and
// schedules what comes next.
func (s *Sender) attempt(m store.OutboxMail, err error) store.Attempt {
	a := store.Attempt{At: s.now(), OK: err == nil}
	if err == nil {
		return a
	}
	a.Err = err.Error()
	a.Temporary = temporary(err)
	a.Uncertain = uncertain(err)
	a.Dead = !a.Temporary || m.Attempts+1 >= s.cfg.MaxAttempts
	if a.Uncertain && m.Uncertain >= 1 {
		// Sent once already without learning the result: a third copy
		// is not risked blindly.
		a.Dead = true
		a.Err = "result unknown twice (connection lost after the end of DATA); not sent blindly again: " + a.Err
	}
	a.RetryAt = s.now().Add(BackoffFrom(s.cfg.RetryBackoff, m.Attempts+1))
	if a.Dead {
		s.log.Error("mail moved to dead letters", "outbox", m.ID, "message_id", m.MessageID, "attempts", m.Attempts+1, "err", redact.Line(a.Err))
	}
	return a
}

// save stores an attempt on its own. When the database refuses the write,
// the attempt is kept and the sender sends nothing more until it is
// recorded (see flushUnrecorded).
func (s *Sender) save(ctx context.Context, m store.OutboxMail, a store.Attempt) error {
	// Recording must survive a shutdown that interrupts the send itself.
	if rerr := s.st.RecordAttempt(context.WithoutCancel(ctx), m.ID, a); rerr != nil {
		s.keepUnrecorded(unrecordedAttempt{mail: m, attempt: a})
		if a.OK {
			s.log.Error("mail was sent but its delivery could not be recorded; sending stops until it is", "outbox", m.ID, "message_id", m.MessageID, "err", rerr)
		}
		return rerr
	}
	s.observe(ctx, m, a)
	return nil
}

// unrecordedAttempt is an attempt made whose result the database refused.
type unrecordedAttempt struct {
	mail    store.OutboxMail
	attempt store.Attempt
}

// smtpFailing notes that delivery is failing for reasons of the server or
// the network (not of one mail), for the health verdict.
func (s *Sender) smtpFailing(err error) {
	s.mu.Lock()
	first := s.failingSince.IsZero()
	if first {
		s.failingSince = s.now()
	}
	s.failErr = err
	since := s.failingSince
	s.mu.Unlock()
	if first {
		// For `mailflow status`, which cannot see this process's memory.
		s.setStatus(store.StatusOutboxFailing, since.UTC().Format(time.RFC3339))
		s.setStatus(store.StatusOutboxLastErr, redact.Line(err.Error()))
	}
}

func (s *Sender) smtpOK() {
	s.mu.Lock()
	was := !s.failingSince.IsZero()
	s.failingSince, s.failErr = time.Time{}, nil
	s.mu.Unlock()
	if was {
		s.setStatus(store.StatusOutboxFailing, "")
	}
}

// setStatus records a fact for `mailflow status`, best effort.
func (s *Sender) setStatus(key, value string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.st.SetStatus(ctx, key, value); err != nil {
		s.log.Debug("status not written", "key", key, "err", err)
	}
}

// Failing reports since when delivery has been failing and why; since is
// zero when the last delivery (or login) worked.
func (s *Sender) Failing() (since time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failingSince, s.failErr
}

// BreakerOpen reports whether the breaker holds mail back.
func (s *Sender) BreakerOpen() bool { return s.breaker.open(s.now()) }

// Backoff is the wait before attempt n+1: 30 s doubling to at most 1 h,
// with ±20 % jitter so a recovering server is not hit by everything at once.
func Backoff(n int) time.Duration { return BackoffFrom(30*time.Second, n) }

// BackoffFrom is Backoff with first as the first wait (smtp.retry_backoff).
func BackoffFrom(first time.Duration, n int) time.Duration {
	if first <= 0 {
		first = 30 * time.Second
	}
	d := first << min(n-1, 12)
	d = min(d, time.Hour)
	j := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
	return d + j
}

// temporary tells failures worth retrying (4xx, network trouble) from
// permanent ones (5xx). go-mail's own IsTemp misreads network errors, so
// this looks at the SMTP reply code itself.
// sessionError is a failure to open or log in to the SMTP session.
type sessionError struct{ err error }

func (e *sessionError) Error() string { return e.err.Error() }
func (e *sessionError) Unwrap() error { return e.err }

func temporary(err error) bool {
	var se *sessionError
	if errors.As(err, &se) {
		return true
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code < 500
	}
	return true
}

func isSMTPReply(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te)
}

func (s *Sender) dial(ctx context.Context) (*gomail.Client, *smtp.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout), gomail.WithHELO(heloName(s.cfg.From))}
	tlsConf := &tls.Config{ServerName: s.cfg.Host, InsecureSkipVerify: s.cfg.InsecureSkipTLS, MinVersion: tls.VersionTLS12}
	switch s.cfg.TLS {
	case config.TLSImplicit:
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSConfig(tlsConf))
	case config.TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(tlsConf))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	auth, login, err := s.authOptions(ctx)
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, auth...)
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("smtp client: %w", err)
	}
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, nil, s.authFailed(err, login)
	}
	return c, sc, nil
}

func heloName(from string) string {
	for i := len(from) - 1; i >= 0; i-- {
		if from[i] == '@' {
			if h := from[i+1:]; h != "" && net.ParseIP(h) == nil {
				return h
			}
			break
		}
	}
	return "localhost"
}
