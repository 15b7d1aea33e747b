package mailbox

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/mail"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/textproto"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/metrics"
	"github.com/mailflow/mailflow/mailflow/store"
)

// Eraser ends the server copies of mail whose database copy ended: it
// works store's queue of server erasures (filled by the database itself
// when raw bytes are dropped or a customer is forgotten) on short IMAP
// connections of its own, never intake's and never from the decider.
// Each erasure finds the mail by Message-ID in every folder mailflow files
// mail into, checks its body hash, and expunges it (flag \Deleted, then
// UID EXPUNGE of exactly those UIDs) or first puts back a redacted copy,
// per retention.server (forget: always expunged, redacted copies too).
type Eraser struct {
	cfg     *config.Config
	st      *store.Store
	log     *slog.Logger
	wake    chan struct{}
	metrics *metrics.Metrics
	// policy is the retention section in force: a reload may change it,
	// while the connection settings stay those of the start.
	policy func() config.Retention
}

// NewEraser returns an eraser for cfg's mailbox.
func NewEraser(cfg *config.Config, st *store.Store, log *slog.Logger) *Eraser {
	return &Eraser{cfg: cfg, st: st, log: log, wake: make(chan struct{}, 1), policy: func() config.Retention { return cfg.Retention }}
}

// SetPolicy makes the eraser read retention.server and
// expunge_on_forget through f, so a reload takes effect.
func (e *Eraser) SetPolicy(f func() config.Retention) { e.policy = f }

// SetMetrics makes the eraser count its work.
func (e *Eraser) SetMetrics(m *metrics.Metrics) { e.metrics = m }

// Wake asks the eraser to look at its queue soon (after a purge or a
// session marked done). Never blocks.
func (e *Eraser) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// eraserIdle is the longest the eraser sleeps with nothing due: the
// queue is durable, so this only bounds how late a missed wake is noticed.
const eraserIdle = 10 * time.Minute

// Run works the queue until ctx ends.
func (e *Eraser) Run(ctx context.Context) error {
	for {
		if _, err := e.Once(ctx, time.Now()); err != nil && ctx.Err() == nil {
			e.log.Warn("server erasures wait for the next try", "err", err)
		}
		wait := eraserIdle
		if at, ok, err := e.st.NextErasure(ctx); err == nil && ok {
			wait = min(max(time.Until(at), time.Second), eraserIdle)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-e.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// EraseReport is what one pass did, per folder.
type EraseReport struct {
	Expunged map[string]int // originals and, for forget, redacted copies
	Redacted map[string]int // redacted copies put back
	Done     int            // erasures finished
	Kept     int            // erasures the config keeps on the server
	Failed   int            // erasures that wait for a retry
}

func (r EraseReport) add(folder string, expunged, redacted int) {
	if expunged > 0 {
		r.Expunged[folder] += expunged
	}
	if redacted > 0 {
		r.Redacted[folder] += redacted
	}
}

// Folders lists the folders the report names, sorted.
func (r EraseReport) Folders() []string {
	var fs []string
	for f := range r.Expunged {
		fs = append(fs, f)
	}
	for f := range r.Redacted {
		if _, ok := r.Expunged[f]; !ok {
			fs = append(fs, f)
		}
	}
	sort.Strings(fs)
	return fs
}

// eraseBatch bounds one pass; the rest follows on the next.
const eraseBatch = 200

// Once works the erasures due at now on one connection and reports what
// it did. An erasure that fails is retried later with backoff; a failed
// connection fails every due erasure (the backoff then spaces the tries).
func (e *Eraser) Once(ctx context.Context, now time.Time) (EraseReport, error) {
	return e.pass(ctx, now, now)
}

// All is Once for every pending erasure, whatever its backoff says: the
// operator asked by hand (`mailflow forget`, `mailflow purge`).
func (e *Eraser) All(ctx context.Context, now time.Time) (EraseReport, error) {
	return e.pass(ctx, now, now.Add(24*365*time.Hour))
}

func (e *Eraser) pass(ctx context.Context, now, due time.Time) (EraseReport, error) {
	rep := EraseReport{Expunged: map[string]int{}, Redacted: map[string]int{}}
	ers, err := e.st.DueErasures(ctx, due, eraseBatch)
	if err != nil || len(ers) == 0 {
		return rep, err
	}
	var work []store.Erasure
	for _, er := range ers {
		if e.mode(er) == config.ServerKeep {
			if err := e.st.FinishErasure(ctx, er.ID, store.ErasureKept, "kept on the server by config", now); err != nil {
				return rep, err
			}
			rep.Kept++
			continue
		}
		work = append(work, er)
	}
	if len(work) == 0 {
		return rep, nil
	}
	fail := func(ers []store.Erasure, cause error) error {
		for _, er := range ers {
			if err := e.st.FailErasure(ctx, er.ID, cause, now); err != nil {
				return err
			}
			rep.Failed++
		}
		e.metrics.ServerErasures("failed", len(ers))
		return cause
	}
	w := &Watcher{cfg: e.cfg.IMAP, log: slog.New(slog.DiscardHandler)}
	w.tokens = w.newTokens(e.cfg)
	cn, err := w.dial(ctx)
	if err != nil {
		return rep, fail(work, err)
	}
	defer func() {
		done := make(chan struct{})
		go func() { cn.c.Logout().Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(goodbyeTimeout):
		}
		cn.c.Close()
	}()
	caps := cn.c.Caps()
	if !caps.Has(imap.CapUIDPlus) && !caps.Has(imap.CapIMAP4rev2) {
		return rep, fail(work, ErrNoUIDPlus)
	}
	// Folder by folder, so each is selected once per pass.
	results := make([]map[string][2]int, len(work))
	errs := make([]error, len(work))
	for i := range results {
		results[i] = map[string][2]int{}
	}
	gone := func() bool {
		select {
		case <-cn.c.Closed():
			return true
		default:
			return ctx.Err() != nil
		}
	}
folders:
	for _, folder := range expungeFolders(e.cfg.IMAP) {
		exists, err := folderExists(ctx, cn, folder)
		if err == nil && exists {
			_, err = wait(ctx, cn, "select "+folder, cn.timeout, func() (*imap.SelectData, error) {
				return cn.c.Select(folder, nil).Wait()
			})
		}
		if err != nil {
			return rep, fail(work, fmt.Errorf("%s: %w", folder, err))
		}
		if !exists {
			continue
		}
		for i, er := range work {
			if errs[i] != nil {
				continue
			}
			x, r, err := e.eraseIn(ctx, cn, folder, er)
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", folder, err)
				if gone() {
					// The connection is gone: every erasure not failed yet
					// is unfinished too (this or later folders), and waits.
					for j := range errs {
						if errs[j] == nil {
							errs[j] = errs[i]
						}
					}
					break folders
				}
				continue
			}
			results[i][folder] = [2]int{x, r}
		}
	}
	var firstErr error
	for i, er := range work {
		if errs[i] != nil {
			if err := fail([]store.Erasure{er}, errs[i]); err != nil && firstErr == nil {
				firstErr = err
			}
			continue
		}
		var parts []string
		folders := make([]string, 0, len(results[i]))
		for f := range results[i] {
			folders = append(folders, f)
		}
		sort.Strings(folders)
		for _, f := range folders {
			n := results[i][f]
			rep.add(f, n[0], n[1])
			if n[0] > 0 {
				parts = append(parts, fmt.Sprintf("expunged %s:%d", f, n[0]))
			}
			if n[1] > 0 {
				parts = append(parts, fmt.Sprintf("redacted %s:%d", f, n[1]))
			}
		}
		if len(parts) == 0 {
			parts = []string{"not found in the folders"}
		}
		if err := e.st.FinishErasure(ctx, er.ID, store.ErasureDone, strings.Join(parts, " "), now); err != nil {
			return rep, err
		}
		rep.Done++
	}
	e.metrics.ServerErasures("done", rep.Done)
	if rep.Done > 0 {
		e.log.Info("server copies erased", "erasures", rep.Done, "expunged", rep.Expunged, "redacted", rep.Redacted)
	}
	return rep, firstErr
}

// mode is what happens to er's server copies.
func (e *Eraser) mode(er store.Erasure) string {
	p := e.policy()
	if er.Reason == store.ErasureForget {
		if p.ExpungeOnForget {
			return config.ServerExpunge
		}
		return config.ServerKeep
	}
	if p.Server == "" {
		return config.ServerRedact
	}
	return p.Server
}

func folderExists(ctx context.Context, cn *conn, folder string) (bool, error) {
	// Not every server names a missing folder with [NONEXISTENT] (Dovecot
	// 2.3 answers a bare NO), so ask first.
	found, err := wait(ctx, cn, "list "+folder, cn.timeout, func() ([]*imap.ListData, error) {
		return cn.c.List("", folder, nil).Collect()
	})
	return len(found) > 0, err
}

// eraseIn handles er in the selected folder and returns how many mails it
// expunged and how many redacted copies it put back.
func (e *Eraser) eraseIn(ctx context.Context, cn *conn, folder string, er store.Erasure) (expunged, redacted int, err error) {
	var cand []imap.UID
	if er.MessageID != "" {
		crit := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: er.MessageID}}}
		data, err := wait(ctx, cn, "search message-id", cn.timeout, func() (*imap.SearchData, error) {
			return cn.c.UIDSearch(crit, nil).Wait()
		})
		if err != nil {
			return 0, 0, err
		}
		cand = data.AllUIDs()
	} else if sameFolder(folder, er.Mailbox) && er.UID > 0 {
		// No Message-ID to search by: only the UID it was stored under
		// still names it, and only where it arrived (the body hash below
		// makes sure it is still that mail).
		cand = []imap.UID{imap.UID(er.UID)}
	}
	if len(cand) == 0 {
		return 0, 0, nil
	}
	// Envelopes and sizes first: a forgotten customer's mail goes by its
	// Message-ID alone, and no body over imap.max_message_bytes is read.
	metas, err := wait(ctx, cn, "fetch candidates", cn.timeout, func() ([]*imapclient.FetchMessageBuffer, error) {
		return cn.c.Fetch(imap.UIDSetNum(cand...), &imap.FetchOptions{UID: true, RFC822Size: true, Envelope: true}).Collect()
	})
	if err != nil {
		return 0, 0, err
	}
	var gone, small []imap.UID
	for _, m := range metas {
		if er.MessageID != "" && (m.Envelope == nil || normID(m.Envelope.MessageID) != normID(er.MessageID)) {
			continue // SEARCH HEADER matches substrings
		}
		switch {
		case er.Reason == store.ErasureForget && er.MessageID != "":
			gone = append(gone, m.UID)
		case m.RFC822Size <= e.cfg.IMAP.MaxMessageBytes:
			small = append(small, m.UID)
		}
	}
	var msgs []*imapclient.FetchMessageBuffer
	section := &imap.FetchItemBodySection{Peek: true}
	if len(small) > 0 {
		msgs, err = wait(ctx, cn, "fetch bodies", cn.timeout, func() ([]*imapclient.FetchMessageBuffer, error) {
			return cn.c.Fetch(imap.UIDSetNum(small...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		})
		if err != nil {
			return 0, 0, err
		}
	}
	var original []byte
	haveCopy := false
	for _, m := range msgs {
		raw := m.FindBodySection(section)
		if raw == nil {
			continue
		}
		id, hash := message.Fingerprint(raw)
		if id != er.MessageID {
			continue // SEARCH HEADER matches substrings
		}
		switch {
		case hash == er.BodyHash:
			gone = append(gone, m.UID)
			if original == nil {
				original = raw
			}
		case er.RedactedHash != "" && hash == er.RedactedHash:
			haveCopy = true
			if er.Reason == store.ErasureForget {
				gone = append(gone, m.UID)
			}
		case er.Reason == store.ErasureForget && er.MessageID != "":
			// Another copy of a forgotten customer's mail (a redacted
			// one from before, a second delivery that differs in a byte).
			gone = append(gone, m.UID)
		}
	}
	if e.mode(er) == config.ServerRedact && original != nil && !haveCopy {
		copyBytes := Redact(original, er.CreatedAt)
		_, hash := message.Fingerprint(copyBytes)
		if er.RedactedHash != hash {
			// Recorded before it exists on the server, so intake never
			// takes it for new mail, whenever it sees it.
			if err := e.st.SetRedactedHash(ctx, er.ID, hash); err != nil {
				return 0, 0, err
			}
		}
		err := waitCmd(ctx, cn, "append redacted copy", func() error {
			cmd := cn.c.Append(folder, int64(len(copyBytes)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}})
			if _, err := cmd.Write(copyBytes); err != nil {
				cmd.Close()
				return err
			}
			if err := cmd.Close(); err != nil {
				return err
			}
			_, err := cmd.Wait()
			return err
		})
		if err != nil {
			return 0, 0, err
		}
		redacted = 1
	}
	if len(gone) == 0 {
		return 0, redacted, nil
	}
	set := imap.UIDSetNum(gone...)
	err = waitCmd(ctx, cn, "flag deleted", func() error {
		return cn.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
	})
	if err != nil {
		return 0, redacted, err
	}
	out, err := wait(ctx, cn, "uid expunge", cn.timeout, func() ([]uint32, error) {
		return cn.c.UIDExpunge(set).Collect()
	})
	if err != nil {
		return 0, redacted, err
	}
	return len(out), redacted, nil
}

// normID compares Message-IDs as the envelope and the header give them.
func normID(id string) string { return strings.Trim(strings.TrimSpace(id), "<>") }

// idSpelling matches the ways people write a nine-digit AnyDesk ID.
var idSpelling = regexp.MustCompile(`\d{3}[ \-\x{a0}]?\d{3}[ \-\x{a0}]?\d{3}`)

// keptHeaders are what the redacted copy keeps of the original: what a
// mail client threads and lists by. Display names, Cc, Received lines,
// Reply-To and every other header go: they can carry personal details.
var keptHeaders = []string{"Date", "From", "To", "Message-Id", "In-Reply-To", "References", "Subject"}

// Redact builds the copy of raw that replaces it on the server: the
// threading headers (Message-ID, In-Reply-To, References), Date, the From
// and To addresses without display names (the desk's record of who wrote
// to whom lives as long as the database keeps the customer's address; a
// forget expunges the copy too), the subject with anything written like an
// AnyDesk ID masked, and a short note instead of the body and attachments.
// The bytes depend only on raw and at, so a retry builds the same copy.
func Redact(raw []byte, at time.Time) []byte {
	hdrEnd, _ := splitHeader(raw)
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(slices.Clip(raw[:hdrEnd]), "\r\n\r\n"...))))
	if err != nil {
		h = textproto.Header{}
	}
	var b bytes.Buffer
	dec := &mime.WordDecoder{}
	for _, k := range keptHeaders {
		v := strings.TrimSpace(h.Get(k))
		if v == "" {
			continue
		}
		switch k {
		case "From", "To":
			v = addressesOnly(v)
		case "Subject":
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
			v = idSpelling.ReplaceAllStringFunc(v, func(s string) string { return strings.Repeat("x", len(s)) })
			v = mime.QEncoding.Encode("utf-8", clean(v))
		default:
			v = clean(v)
		}
		if v == "" {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	fmt.Fprintf(&b, "%s: %s\r\n", redactedHeader, at.UTC().Format(time.RFC3339))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString("Der Inhalt dieser E-Mail wurde nach Ende der Aufbewahrungsfrist entfernt\r\n" +
		"(AnyDesk-ID, Text, Anhänge und persönliche Angaben). Kopf und Verlauf bleiben.\r\n\r\n" +
		"The content of this mail was removed when its retention period ended\r\n" +
		"(AnyDesk ID, text, attachments and personal details). Headers and thread stay.\r\n")
	fmt.Fprintf(&b, "\r\nmailflow, %s\r\n", at.UTC().Format("2006-01-02"))
	return b.Bytes()
}

// redactedHeader marks the copies Redact builds.
const redactedHeader = "X-Mailflow-Redacted"

// isRedactedCopy reports whether raw's header carries redactedHeader.
func isRedactedCopy(raw []byte) bool {
	end, _ := splitHeader(raw)
	h := bytes.ToLower(raw[:end])
	return bytes.HasPrefix(h, []byte("x-mailflow-redacted:")) || bytes.Contains(h, []byte("\nx-mailflow-redacted:"))
}

func splitHeader(raw []byte) (int, int) {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		if j := bytes.Index(raw, []byte("\n\n")); j >= 0 && j < i {
			return j, j + 2
		}
		return i, i + 4
	}
	if j := bytes.Index(raw, []byte("\n\n")); j >= 0 {
		return j, j + 2
	}
	return len(raw), len(raw)
}

// addressesOnly keeps the bare addresses of an address list.
func addressesOnly(v string) string {
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{}}
	list, err := p.ParseList(v)
	if err != nil {
		return ""
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, clean(a.Address))
	}
	return strings.Join(out, ", ")
}

// clean strips what must never be in a header line we write.
func clean(v string) string {
	v = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, v)
	if len(v) > 900 {
		v = v[:900]
	}
	return strings.TrimSpace(v)
}
