// Package mailbox is intake: it keeps one IMAP connection to the support
// mailbox, learns of new mail through IDLE (with a UID SEARCH poll as safety
// net), fetches new mail in batches after checking its size, stores the raw
// bytes with their keys, and only then flags mail \Seen or moves it to its
// folder. It parses nothing and decides nothing.
//
// One goroutine (Run) owns the connection. Every command waits under its
// own timeout; a broken connection is redialled with jittered backoff from
// 1 s to 60 s.
package mailbox

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	_ "github.com/emersion/go-message/charset" // decode any charset in envelopes

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/failpoint"
	"github.com/mailflow/mailflow/mailflow/internal/supervise"
	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/metrics"
	"github.com/mailflow/mailflow/mailflow/oauth"
	"github.com/mailflow/mailflow/mailflow/store"
)

// Intake states shown by `mailflow status`.
const (
	StateConnecting   = "connecting"
	StateIdle         = "idle"
	StatePolling      = "polling"
	StateFetching     = "fetching"
	StateReconnecting = "reconnecting"
	StateStopped      = "stopped"
)

// goodbyeTimeout bounds the polite steps on the way out (ending IDLE on
// shutdown, LOGOUT), which a server that stopped answering never completes.
const goodbyeTimeout = 2 * time.Second

// Watcher watches one mailbox.
type Watcher struct {
	cfg     config.IMAP
	st      *store.Store
	log     *slog.Logger
	stored  func() // called after new mail was committed
	dispose chan struct{}
	metrics *metrics.Metrics // nil: not counted (see SetMetrics)
	debug   func() io.Writer // nil: no IMAP wire log (see SetDebugWriter)
	up      bool             // the current session has logged in; Run's goroutine only
	// Run's goroutine only: when the last login succeeded, and when the
	// current outage began (zero while connected).
	lastLogin   time.Time
	outageStart time.Time
	tokens      *oauth.Source // imap.auth xoauth2 or oauthbearer; nil for passwords
}

// New returns a watcher of cfg.IMAP. stored is called (from the watcher's
// goroutine, so it must not block) whenever new mail has been committed.
func New(cfg *config.Config, st *store.Store, log *slog.Logger, stored func()) *Watcher {
	w := &Watcher{cfg: cfg.IMAP, st: st, log: log, stored: stored, dispose: make(chan struct{}, 1)}
	w.tokens = w.newTokens(cfg)
	return w
}

// Dispose asks the watcher to flag or move decided mail soon. Never blocks.
func (w *Watcher) Dispose() {
	select {
	case w.dispose <- struct{}{}:
	default:
	}
}

// Reconnect backoff: from minBackoff doubling to maxBackoff (±20 %
// jitter), so mailflow is back within 10 s of the server being back.
const (
	minBackoff = time.Second
	maxBackoff = 8 * time.Second
)

// livenessTimeout bounds the answer to the watchdog's IDLE end: a live
// server answers DONE at once.
const livenessTimeout = 15 * time.Second

// Run keeps intake going until ctx is cancelled. A lost connection is
// logged once per outage (with its cause), not once per attempt.
func (w *Watcher) Run(ctx context.Context) error {
	defer w.keepTokens(ctx)()
	backoff := minBackoff
	var downSince time.Time
	attempts := 0
	w.setStatus(store.StatusIntakeDownSince, time.Now().UTC().Format(time.RFC3339))
	for {
		start := time.Now()
		err := w.session(ctx)
		if w.up {
			w.up = false
			w.setStatus(store.StatusIntakeDownSince, time.Now().UTC().Format(time.RFC3339))
		}
		if ctx.Err() != nil {
			w.setStatus(store.StatusIntakeState, StateStopped)
			return nil
		}
		if time.Since(start) > time.Minute {
			backoff = minBackoff // the connection was healthy for a while
		}
		wait := supervise.Jitter(backoff)
		attempts++
		if downSince.IsZero() || w.loggedIn(start) {
			downSince, attempts = time.Now(), 1
			msg := "imap connection lost; reconnecting (logged once until it is back)"
			if store.IsWriteRefused(err) {
				msg = "intake paused: the database refuses writes, new mail stays unseen on the server"
			}
			w.log.Warn(msg, "err", err, "in", wait.Round(time.Millisecond))
		} else {
			w.log.Debug("imap still unreachable", "err", err, "attempt", attempts, "in", wait.Round(time.Millisecond))
		}
		w.setStatus(store.StatusIntakeLastErr, err.Error())
		w.setStatus(store.StatusIntakeState, StateReconnecting)
		w.metrics.Reconnect()
		w.outageStart = downSince
		if !supervise.Sleep(ctx, wait) {
			w.setStatus(store.StatusIntakeState, StateStopped)
			return nil
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// loggedIn reports whether the session that started at start logged in.
func (w *Watcher) loggedIn(start time.Time) bool {
	return !w.lastLogin.IsZero() && !w.lastLogin.Before(start)
}

// conn is one logged-in IMAP connection with its unilateral notices.
type conn struct {
	c       *imapclient.Client
	timeout time.Duration
	newMail chan struct{}
	hasIdle bool
	hasMove bool
}

// wait runs a command's wait under the command timeout. On timeout the
// connection is closed, which also ends the stuck wait.
func wait[T any](ctx context.Context, cn *conn, what string, d time.Duration, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-ch:
		if r.err != nil {
			return r.v, fmt.Errorf("%s: %w", what, r.err)
		}
		return r.v, nil
	case <-t.C:
		cn.c.Close()
		var zero T
		return zero, fmt.Errorf("%s: no answer within %s", what, d)
	case <-ctx.Done():
		cn.c.Close()
		var zero T
		return zero, fmt.Errorf("%s: %w", what, ctx.Err())
	}
}

func waitCmd(ctx context.Context, cn *conn, what string, f func() error) error {
	_, err := wait(ctx, cn, what, cn.timeout, func() (struct{}, error) { return struct{}{}, f() })
	return err
}

// keepAlive probes an idle connection after 15 s, then every 5 s; three
// unanswered probes close it.
var keepAlive = net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3}

// dial connects and logs in.
func (w *Watcher) dial(ctx context.Context) (*conn, error) {
	cn := &conn{timeout: w.cfg.CommandTimeout, newMail: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		TLSConfig:   &tls.Config{ServerName: w.cfg.Host, InsecureSkipVerify: w.cfg.InsecureSkipTLS, MinVersion: tls.VersionTLS12},
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
		// TCP keepalive notices a peer that vanished (a reboot, a cable);
		// the IDLE watchdog notices one that stays connected but silent.
		Dialer:      &net.Dialer{Timeout: w.cfg.CommandTimeout, KeepAliveConfig: keepAlive},
		DebugWriter: w.debugWriter(),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			// Runs on the client's reader goroutine: only signal, never
			// issue commands from here.
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case cn.newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	addr := fmt.Sprintf("%s:%d", w.cfg.Host, w.cfg.Port)
	type dialed struct {
		c   *imapclient.Client
		err error
	}
	ch := make(chan dialed, 1)
	go func() {
		var c *imapclient.Client
		var err error
		switch w.cfg.TLS {
		case config.TLSImplicit:
			c, err = imapclient.DialTLS(addr, opts)
		case config.TLSStartTLS:
			c, err = imapclient.DialStartTLS(addr, opts)
		default:
			c, err = imapclient.DialInsecure(addr, opts)
		}
		ch <- dialed{c, err}
	}()
	var d dialed
	select {
	case d = <-ch:
	case <-ctx.Done():
		go func() {
			if d := <-ch; d.c != nil {
				d.c.Close()
			}
		}()
		return nil, ctx.Err()
	}
	if d.err != nil {
		return nil, fmt.Errorf("dial imap %s (%s): %w", addr, w.cfg.TLS, d.err)
	}
	cn.c = d.c
	if err := w.login(ctx, cn); err != nil {
		cn.c.Close()
		return nil, err
	}
	caps := cn.c.Caps()
	cn.hasIdle = caps.Has(imap.CapIdle) || caps.Has(imap.CapIMAP4rev2)
	cn.hasMove = caps.Has(imap.CapMove) || caps.Has(imap.CapIMAP4rev2)
	return cn, nil
}

// session runs one connection until it breaks or ctx ends.
func (w *Watcher) session(ctx context.Context) error {
	w.setStatus(store.StatusIntakeState, StateConnecting)
	cn, err := w.dial(ctx)
	if err != nil {
		return err
	}
	w.up = true
	w.lastLogin = time.Now()
	if !w.outageStart.IsZero() {
		w.log.Info("imap connection back", "down_for", time.Since(w.outageStart).Round(time.Millisecond))
		w.outageStart = time.Time{}
	}
	w.setStatus(store.StatusIntakeLogin, time.Now().UTC().Format(time.RFC3339))
	w.setStatus(store.StatusIntakeDownSince, "")
	defer func() {
		// Be polite when we can, but never wait long for it.
		done := make(chan struct{})
		go func() { cn.c.Logout().Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(goodbyeTimeout):
		}
		cn.c.Close()
	}()
	for _, f := range []string{w.cfg.ProcessedFolder, w.cfg.HumanFolder} {
		if f == "" {
			continue
		}
		if err := waitCmd(ctx, cn, "create "+f, func() error { return cn.c.Create(f, nil).Wait() }); err != nil && !alreadyExists(err) {
			return err
		}
	}
	sel, err := wait(ctx, cn, "select "+w.cfg.Mailbox, cn.timeout, func() (*imap.SelectData, error) {
		return cn.c.Select(w.cfg.Mailbox, nil).Wait()
	})
	if err != nil {
		return err
	}
	cur, err := w.startCursor(ctx, cn, sel)
	if err != nil {
		return err
	}
	w.log.Info("watching mailbox", "mailbox", w.cfg.Mailbox, "uidvalidity", cur.UIDValidity, "last_uid", cur.LastUID, "idle", cn.hasIdle)
	poll := time.NewTicker(w.cfg.PollInterval)
	defer poll.Stop()
	for {
		w.setStatus(store.StatusIntakeState, StatePolling)
		if cur, err = w.pollOnce(ctx, cn, cur); err != nil {
			return err
		}
		if err := w.disposeDecided(ctx, cn, cur.UIDValidity); err != nil {
			return err
		}
		if err := w.idle(ctx, cn, poll.C); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// startCursor returns where to resume. On the first start, and after the
// server changed UIDVALIDITY, unseen mail is taken in; seen mail was read by
// someone already. Mail stored before a UIDVALIDITY change is recognised by
// Message-ID and body hash, so it is never answered twice.
func (w *Watcher) startCursor(ctx context.Context, cn *conn, sel *imap.SelectData) (store.Cursor, error) {
	cur, ok, err := w.st.Cursor(ctx, w.cfg.Mailbox)
	if err != nil {
		return cur, err
	}
	if ok && cur.UIDValidity == sel.UIDValidity {
		return cur, nil
	}
	if ok {
		w.log.Warn("mailbox UIDVALIDITY changed; rescanning unseen mail", "old", cur.UIDValidity, "new", sel.UIDValidity)
	}
	data, err := wait(ctx, cn, "search unseen", cn.timeout, func() (*imap.SearchData, error) {
		return cn.c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	})
	if err != nil {
		return cur, err
	}
	cur = store.Cursor{Mailbox: w.cfg.Mailbox, UIDValidity: sel.UIDValidity}
	if unseen := data.AllUIDs(); len(unseen) > 0 {
		if cur, err = w.fetch(ctx, cn, cur, unseen); err != nil {
			return cur, err
		}
		if cur.LastUID < uint32(slices.Max(unseen)) {
			// fetch stopped at a mail whose body did not come. Resume there
			// with the next poll, even if that takes in some seen mail:
			// jumping to UIDNEXT would skip the unseen mail after it.
			return cur, w.st.SaveCursor(ctx, cur)
		}
	}
	// Everything below UIDNEXT at select time is now either stored or seen.
	if next := uint32(sel.UIDNext); next > 0 && next-1 > cur.LastUID {
		cur.LastUID = next - 1
	}
	return cur, w.st.SaveCursor(ctx, cur)
}

// pollOnce fetches everything above the cursor.
func (w *Watcher) pollOnce(ctx context.Context, cn *conn, cur store.Cursor) (store.Cursor, error) {
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(cur.LastUID + 1), Stop: 0}}}}
	data, err := wait(ctx, cn, "uid search", cn.timeout, func() (*imap.SearchData, error) {
		return cn.c.UIDSearch(crit, nil).Wait()
	})
	if err != nil {
		return cur, err
	}
	now := time.Now().UTC().Format(time.RFC3339)
	w.setStatus(store.StatusLastPoll, now)
	w.setStatus(store.StatusIntakeBeat, now)
	var uids []imap.UID
	for _, u := range data.AllUIDs() {
		// "last+1:*" also matches the highest UID when nothing is newer.
		if uint32(u) > cur.LastUID {
			uids = append(uids, u)
		}
	}
	if len(uids) == 0 {
		return cur, nil
	}
	return w.fetch(ctx, cn, cur, uids)
}

// fetch stores the given mails in batches: sizes first, then the bodies of
// those under the cap. Each batch commits before the next is fetched.
func (w *Watcher) fetch(ctx context.Context, cn *conn, cur store.Cursor, uids []imap.UID) (store.Cursor, error) {
	w.setStatus(store.StatusIntakeState, StateFetching)
	for len(uids) > 0 {
		n := min(len(uids), w.cfg.FetchBatch)
		batch := uids[:n]
		uids = uids[n:]
		metas, err := wait(ctx, cn, "fetch sizes", cn.timeout, func() ([]*imapclient.FetchMessageBuffer, error) {
			return cn.c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true, RFC822Size: true, Envelope: true}).Collect()
		})
		if err != nil {
			return cur, err
		}
		var small []imap.UID
		var total int64
		byUID := map[imap.UID]*imapclient.FetchMessageBuffer{}
		for _, m := range metas {
			byUID[m.UID] = m
			if m.RFC822Size <= w.cfg.MaxMessageBytes {
				small = append(small, m.UID)
				total += m.RFC822Size
			}
		}
		bodies := map[imap.UID][]byte{}
		if len(small) > 0 {
			section := &imap.FetchItemBodySection{Peek: true}
			// Large batches get time in proportion to their size (256 KiB/s floor).
			d := cn.timeout + time.Duration(total/(256<<10))*time.Second
			msgs, err := wait(ctx, cn, "fetch bodies", d, func() ([]*imapclient.FetchMessageBuffer, error) {
				return cn.c.Fetch(imap.UIDSetNum(small...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			})
			if err != nil {
				return cur, err
			}
			for _, m := range msgs {
				bodies[m.UID] = m.FindBodySection(section)
			}
		}
		var mails []store.Fetched
		next := cur
		incomplete := false
		for _, u := range batch {
			if uint32(u) > next.LastUID {
				next.LastUID = uint32(u)
			}
			meta := byUID[u]
			if meta == nil {
				continue // expunged meanwhile: nothing to keep
			}
			f := store.Fetched{UID: uint32(u), Size: meta.RFC822Size, Sender: sender(meta.Envelope)}
			if raw, ok := bodies[u]; ok && raw != nil {
				f.Raw = raw
				f.MessageID, f.BodyHash = message.Fingerprint(raw)
				f.Redacted = isRedactedCopy(raw)
			} else if meta.RFC822Size <= w.cfg.MaxMessageBytes {
				// Listed but its body did not come: stop here and take it
				// (and everything after it) on the next poll.
				next.LastUID = uint32(u) - 1
				incomplete = true
				break
			} else if meta.Envelope != nil {
				f.MessageID, f.BodyHash = tooLargeKeys(meta.Envelope, meta.RFC822Size)
			}
			mails = append(mails, f)
		}
		failpoint.Hit(failpoint.AfterFetch)
		ids, err := w.st.SaveFetched(ctx, next, mails, w.cfg.ProcessedFolder)
		if err != nil {
			return cur, err
		}
		failpoint.Hit(failpoint.AfterStore)
		w.metrics.Received(len(mails))
		cur = next
		if len(mails) > 0 {
			w.setStatus(store.StatusLastMail, time.Now().UTC().Format(time.RFC3339))
			w.log.Info("mail stored", "count", len(mails), "new", len(ids), "last_uid", cur.LastUID)
		}
		if len(ids) > 0 || len(mails) > 0 {
			w.stored()
		}
		if incomplete {
			return cur, nil
		}
	}
	return cur, nil
}

// tooLargeKeys identifies a mail whose body is not fetched by its envelope,
// so that a rescan still recognises it. Without a Message-ID, sender, date
// and subject stand in (as in message.Fingerprint): the size alone would
// make different mails of one size look like duplicates.
func tooLargeKeys(env *imap.Envelope, size int64) (messageID, bodyHash string) {
	bodyHash = fmt.Sprintf("too-large:%d", size)
	if id := strings.Trim(env.MessageID, "<>"); id != "" {
		return "<" + id + ">", bodyHash
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", sender(env), env.Date.UTC().Format(time.RFC3339), env.Subject)
	return "", bodyHash + ":" + hex.EncodeToString(h.Sum(nil))
}

func sender(env *imap.Envelope) string {
	if env == nil || len(env.From) == 0 {
		return ""
	}
	return strings.ToLower(env.From[0].Addr())
}

// disposeDecided flags decided mail \Seen and moves it to its folder.
func (w *Watcher) disposeDecided(ctx context.Context, cn *conn, uidValidity uint32) error {
	ds, err := w.st.Undisposed(ctx, w.cfg.Mailbox, uidValidity)
	if err != nil || len(ds) == 0 {
		return err
	}
	byFolder := map[string][]store.Disposal{}
	for _, d := range ds {
		byFolder[d.DestFolder] = append(byFolder[d.DestFolder], d)
	}
	for folder, group := range byFolder {
		uids := make([]imap.UID, len(group))
		ids := make([]int64, len(group))
		for i, d := range group {
			uids[i], ids[i] = imap.UID(d.UID), d.ID
		}
		set := imap.UIDSetNum(uids...)
		err := waitCmd(ctx, cn, "flag seen", func() error {
			return cn.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
		})
		if err != nil {
			return err
		}
		if folder != "" && !strings.EqualFold(folder, w.cfg.Mailbox) {
			err = waitCmd(ctx, cn, "move to "+folder, func() error {
				if cn.hasMove {
					_, err := cn.c.Move(set, folder).Wait()
					return err
				}
				// Without MOVE the mail is copied and stays, seen, in the
				// inbox: filing never deletes mail (only the Eraser does,
				// when the database copy ended, and it finds both copies).
				_, err := cn.c.Copy(set, folder).Wait()
				return err
			})
			if err != nil {
				return err
			}
		}
		if err := w.st.MarkDisposed(ctx, ids); err != nil {
			return err
		}
	}
	return nil
}

// idle waits for news: new mail (IDLE notice), the poll tick, a disposal
// request, or the IDLE restart interval.
func (w *Watcher) idle(ctx context.Context, cn *conn, poll <-chan time.Time) error {
	w.setStatus(store.StatusIntakeState, StateIdle)
	select {
	case <-cn.newMail: // arrived while we were busy
		return nil
	default:
	}
	var cmd *imapclient.IdleCommand
	if cn.hasIdle {
		var err error
		cmd, err = wait(ctx, cn, "idle", cn.timeout, func() (*imapclient.IdleCommand, error) { return cn.c.Idle() })
		if err != nil {
			return err
		}
	}
	restart := time.NewTimer(w.cfg.IdleRestart)
	defer restart.Stop()
	// The watchdog: ending IDLE this often makes the server prove it is
	// still there (its DONE answer), and the poll that follows does too.
	watchdog := time.NewTimer(min(w.cfg.IdleCheck, w.cfg.IdleRestart))
	defer watchdog.Stop()
	heartbeat := time.NewTicker(min(w.cfg.PollInterval, time.Minute))
	defer heartbeat.Stop()
	var reason error
wait:
	for {
		select {
		case <-ctx.Done():
			reason = ctx.Err()
			break wait
		case <-cn.newMail:
			break wait
		case <-poll:
			break wait
		case <-w.dispose:
			break wait
		case <-restart.C:
			break wait
		case <-watchdog.C:
			break wait
		case <-cn.c.Closed():
			reason = errors.New("server closed the connection")
			break wait
		case <-heartbeat.C:
			w.setStatus(store.StatusIntakeBeat, time.Now().UTC().Format(time.RFC3339))
		}
	}
	if cmd != nil {
		d := min(cn.timeout, livenessTimeout)
		if ctx.Err() != nil {
			// Shutting down: a server that no longer answers (a dead
			// connection, often) must not hold up the exit.
			d = min(d, goodbyeTimeout)
		}
		_, err := wait(context.WithoutCancel(ctx), cn, "idle done", d, func() (struct{}, error) {
			if err := cmd.Close(); err != nil {
				return struct{}{}, err
			}
			return struct{}{}, cmd.Wait()
		})
		if err != nil && reason == nil {
			reason = err
		}
	}
	return reason
}

func alreadyExists(err error) bool {
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists {
		return true
	}
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "exists")
}

func (w *Watcher) setStatus(key, value string) {
	if key == store.StatusIntakeState {
		w.metrics.IntakeState(value)
	}
	if w.st == nil {
		return // a one-off connection (ExpungeFrom) keeps no status
	}
	// Status is best effort: a failed write must not stop intake.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.st.SetStatus(ctx, key, value); err != nil {
		w.log.Debug("status not written", "key", key, "err", err)
	}
}
