package daemon

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
)

// BenchmarkLoadBacklog is the throughput half of the load tool: 1,000
// requests from 1,000 distinct customers wait in a mailbox. A trivial
// responder (fetch everything, one fixed reply each over one SMTP
// connection) drains an identical backlog through the same stack — Dovecot
// and an SMTP server that delivers every reply into it — which measures the
// stack's one-connection ceiling. Then mailflow, with the shipped limits
// (breaker, caps) and smtp.connections 1 (MAILFLOW_LOAD_CONNECTIONS sets
// another), drains its backlog, and then the trivial responder a third
// one. The ceiling is the mean of the two trivial runs around mailflow's,
// so a machine whose load drifts during the run does not tilt the ratio.
// Every run answers customers of its own: each pays for creating 1,000
// new mailboxes. Reports the rates and their ratio.
//
//	go test ./mailflow/daemon -run '^$' -bench LoadBacklog -benchtime 1x
func BenchmarkLoadBacklog(b *testing.B) {
	const n = 1000
	conns := 1
	if c, err := strconv.Atoi(os.Getenv("MAILFLOW_LOAD_CONNECTIONS")); err == nil && c > 0 {
		conns = c
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dc := mailtest.StartDovecot(b)
		cfg := testConfig(b, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
		cfg.Limits = config.Default().Limits // the shipped breaker and caps
		cfg.SMTP.Connections = conns
		const before, after = "floor@example.com", "floor2@example.com"
		appendBacklog(b, dc, before, n, "f")
		appendBacklog(b, dc, support, n, "m")
		appendBacklog(b, dc, after, n, "g")
		// The size probe starts a daemon of its own.
		size := replySize(b, cfg)
		// The backlogs' writes reach the disk before anything is timed;
		// otherwise the first run measured pays for their write-back.
		syscall.Sync()
		b.StartTimer()

		// The floor sends replies of mailflow's size: the stack's cost of
		// a delivery grows with it.
		t0 := time.Now()
		trivialResponder(b, dc, before, n, size)
		floor1 := time.Since(t0)

		t1 := time.Now()
		r := start(b, cfg)
		waitSentQuiet(b, r, n, 10*time.Minute, 20*time.Millisecond)
		rate := float64(n) / time.Since(t1).Seconds()
		b.StopTimer()
		reportStages(b, cfg, t1)
		r.stop()
		b.StartTimer()

		t2 := time.Now()
		trivialResponder(b, dc, after, n, size)
		floor2 := time.Since(t2)
		b.StopTimer()
		ceiling := float64(2*n) / (floor1 + floor2).Seconds()
		b.ReportMetric(float64(n)/floor1.Seconds(), "ceiling-before/s")
		b.ReportMetric(float64(n)/floor2.Seconds(), "ceiling-after/s")
		b.ReportMetric(ceiling, "ceiling-replies/s")
		b.ReportMetric(rate, "mailflow-replies/s")
		b.ReportMetric(rate/ceiling, "ratio")
		b.ReportMetric(float64(conns), "smtp-connections")
		b.ReportMetric(float64(rssKiB())/1024, "rss-MiB")
	}
	b.ReportMetric(0, "ns/op")
}

// replySize is the size of mailflow's reply to a backlog request, from a
// daemon of its own on a Dovecot of its own.
func replySize(b *testing.B, cfg *config.Config) int {
	b.Helper()
	dc := mailtest.StartDovecot(b)
	c := testConfig(b, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	c.Limits, c.SMTP.Connections = cfg.Limits, cfg.SMTP.Connections
	appendBacklog(b, dc, support, 3, "s")
	r := start(b, c)
	defer r.stop()
	waitSentQuiet(b, r, 3, time.Minute, 20*time.Millisecond)
	return avgReplySize(b, r)
}

// reportStages prints, per stage of the drain (stored from IMAP, decided
// with its reply queued, reply sent), when the first, middle and last mail
// passed it, in seconds from t0: a stage that starts only when the one
// before it ends shows the pipeline running one step after another. It
// reads the SQLite file after the drain (PostgreSQL runs skip it).
func reportStages(b *testing.B, cfg *config.Config, t0 time.Time) {
	b.Helper()
	if cfg.Database.Driver == "postgres" {
		return
	}
	db, err := sql.Open("sqlite3", "file:"+cfg.Database.Path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, st := range []struct{ name, query string }{
		{"stored", "SELECT received_at FROM incoming ORDER BY received_at"},
		{"decided", "SELECT decided_at FROM incoming WHERE decided_at IS NOT NULL ORDER BY decided_at"},
		{"queued", "SELECT created_at FROM outbox ORDER BY created_at"},
		{"sent", "SELECT sent_at FROM outbox WHERE sent_at IS NOT NULL ORDER BY sent_at"},
	} {
		rows, err := db.Query(st.query)
		if err != nil {
			b.Fatal(err)
		}
		var ts []time.Time
		for rows.Next() {
			var t time.Time
			if err := rows.Scan(&t); err != nil {
				b.Fatal(err)
			}
			ts = append(ts, t)
		}
		rows.Close()
		if len(ts) == 0 {
			continue
		}
		at := func(t time.Time) string { return fmt.Sprintf("%.2fs", t.Sub(t0).Seconds()) }
		b.Logf("%-8s %4d  first %s  half %s  last %s", st.name, len(ts), at(ts[0]), at(ts[len(ts)/2]), at(ts[len(ts)-1]))
	}
}

// appendBacklog puts n requests from distinct customers (each at a domain
// of its own, as customers of a business software are companies) into
// user's INBOX over one IMAP session.
func appendBacklog(b *testing.B, dc *mailtest.Dovecot, user string, n int, tag string) {
	b.Helper()
	ctx := context.Background()
	c, err := dc.Login(ctx, user, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for j := range n {
		from := fmt.Sprintf("k%d%s@firma%d.example", j, tag, j)
		raw := []byte("From: Kundin <" + from + ">\r\nTo: " + user + "\r\nSubject: Fernwartung\r\n" +
			"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <" + tag + strconv.Itoa(j) + "@firma.example>\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"Guten Tag,\r\nhätten Sie nächste Woche am Vormittag Zeit für eine Fernwartung?\r\nLG\r\n")
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			b.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			b.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			b.Fatal(err)
		}
	}
}

// trivialResponder is the floor: it fetches every mail of user's INBOX
// and sends each sender one fixed reply over a single SMTP connection.
func trivialResponder(b *testing.B, dc *mailtest.Dovecot, user string, n, size int) {
	b.Helper()
	ctx := context.Background()
	c, err := dc.Login(ctx, user, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seqRange(n)...), &imap.FetchOptions{Envelope: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil || len(msgs) != n {
		b.Fatalf("fetched %d: %v", len(msgs), err)
	}
	sc, err := smtp.Dial(dc.SMTPAddr)
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()
	body := strings.Repeat("Danke, wir melden uns.\r\n", max(size/24, 1))
	for _, m := range msgs {
		to := m.Envelope.From[0].Addr()
		reply := "From: " + user + "\r\nTo: " + to + "\r\nSubject: Re: Fernwartung\r\nIn-Reply-To: " + m.Envelope.MessageID +
			"\r\nAuto-Submitted: auto-replied\r\n\r\n" + body
		if err := sc.SendMail(user, []string{to}, strings.NewReader(reply)); err != nil {
			b.Fatal(err)
		}
	}
	_ = c.Logout().Wait()
}

// avgReplySize is the mean size of the replies mailflow sent.
func avgReplySize(b *testing.B, r *running) int {
	ms, err := r.d.Store().Outbox(context.Background(), "sent")
	if err != nil || len(ms) == 0 {
		b.Fatalf("sent mail: %d, %v", len(ms), err)
	}
	total := 0
	for _, m := range ms {
		total += len(m.Raw)
	}
	return total / len(ms)
}

func seqRange(n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = uint32(i + 1)
	}
	return out
}

// rssKiB is this process's peak resident set (the daemon runs in it).
func rssKiB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// BenchmarkLoadLatency is the latency half of the load tool: on one Dovecot
// with IDLE, requests alternate between a trivial IDLE responder (a mailbox
// of its own; on EXISTS it fetches the new mail and sends one fixed reply
// of mailflow's reply size over an open SMTP connection) and mailflow.
// Each latency runs from the request being stored to the reply accepted by
// SMTP, which delivers it into the customer's mailbox before it answers.
// Reports p50 and p99 of both and mailflow's ratio to the trivial
// responder. MAILFLOW_LOAD_MAILS requests each (100).
//
//	go test ./mailflow/daemon -run '^$' -bench LoadLatency -benchtime 1x
func BenchmarkLoadLatency(b *testing.B) {
	n := loadMails(100)
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		dc := mailtest.StartDovecot(b)
		cfg := testConfig(b, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
		cfg.IMAP.PollInterval = time.Minute // only IDLE can make it fast
		r := start(b, cfg)
		slots := freeSlots(b, cfg, 1)
		// Warm up: the first mail pays for connection set-up.
		if err := dc.Deliver(ctx, support, request(customer(0), "<warm@kunde.example.org>", slots[0])); err != nil {
			b.Fatal(err)
		}
		waitSent(b, r.d.Store(), 1, 30*time.Second)
		floor := startIdleResponder(b, dc, "floor@example.com", avgReplySize(b, r))
		deliverAndWait := func(to string, raw []byte, wait func()) time.Duration {
			t0 := time.Now()
			if err := dc.Deliver(ctx, to, raw); err != nil {
				b.Fatal(err)
			}
			wait()
			return time.Since(t0)
		}
		deliverAndWait("floor@example.com", request(customer(0), "<floor-warm@kunde.example.org>", slots[0]), func() { floor.answer(b) })
		b.StartTimer()
		var own, trivial []time.Duration
		for i := range n {
			trivial = append(trivial, deliverAndWait("floor@example.com",
				request(customer(i), fmt.Sprintf("<floor-%d@kunde.example.org>", i), slots[0]), func() { floor.answer(b) }))
			own = append(own, deliverAndWait(support,
				request(customer(i), fmt.Sprintf("<load-%d@kunde.example.org>", i), slots[0]),
				func() { waitSentQuiet(b, r, i+2, 30*time.Second, 2*time.Millisecond) }))
		}
		b.StopTimer()
		floor.close()
		r.stop()
		p50, p99 := percentiles(own)
		f50, f99 := percentiles(trivial)
		b.ReportMetric(ms(p50), "p50-ms")
		b.ReportMetric(ms(p99), "p99-ms")
		b.ReportMetric(ms(f50), "trivial-p50-ms")
		b.ReportMetric(ms(f99), "trivial-p99-ms")
		b.ReportMetric(ms(p50)/ms(f50), "ratio-p50")
		b.ReportMetric(ms(p99)/ms(f99), "ratio-p99")
	}
	b.ReportMetric(0, "ns/op")
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, len(s)*99/100)]
}

// loadMails is MAILFLOW_LOAD_MAILS, or def.
func loadMails(def int) int {
	if n, err := strconv.Atoi(os.Getenv("MAILFLOW_LOAD_MAILS")); err == nil && n > 0 {
		return n
	}
	return def
}

// idleResponder is the trivial responder of BenchmarkLoadLatency.
type idleResponder struct {
	c      *imapclient.Client
	sc     *smtp.Client
	idle   *imapclient.IdleCommand
	exists chan uint32
	user   string
	body   string
	seen   uint32
}

func startIdleResponder(b *testing.B, dc *mailtest.Dovecot, user string, size int) *idleResponder {
	b.Helper()
	ir := &idleResponder{exists: make(chan uint32, 64), user: user,
		body: strings.Repeat("Danke, wir melden uns.\r\n", max(size/24, 1))}
	c, err := dc.Login(context.Background(), user, &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case ir.exists <- *d.NumMessages:
					default:
					}
				}
			},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	ir.c = c
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		b.Fatal(err)
	}
	ir.seen = sel.NumMessages
	if ir.sc, err = smtp.Dial(dc.SMTPAddr); err != nil {
		b.Fatal(err)
	}
	if ir.idle, err = c.Idle(); err != nil {
		b.Fatal(err)
	}
	return ir
}

// answer waits for the next mail to be announced, fetches it and replies.
func (ir *idleResponder) answer(b *testing.B) {
	b.Helper()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	var n uint32
	for n <= ir.seen {
		select {
		case n = <-ir.exists:
		case <-timeout.C:
			b.Fatal("trivial responder: no EXISTS within 30s")
		}
	}
	if err := ir.idle.Close(); err != nil {
		b.Fatal(err)
	}
	if err := ir.idle.Wait(); err != nil {
		b.Fatal(err)
	}
	msgs, err := ir.c.Fetch(imap.SeqSetNum(n), &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil || len(msgs) != 1 {
		b.Fatalf("trivial responder: fetched %d: %v", len(msgs), err)
	}
	ir.seen = n
	to := msgs[0].Envelope.From[0].Addr()
	reply := "From: " + ir.user + "\r\nTo: " + to + "\r\nSubject: Re: Fernwartung\r\nIn-Reply-To: " + msgs[0].Envelope.MessageID +
		"\r\nAuto-Submitted: auto-replied\r\n\r\n" + ir.body
	if err := ir.sc.SendMail(ir.user, []string{to}, strings.NewReader(reply)); err != nil {
		b.Fatal(err)
	}
	if ir.idle, err = ir.c.Idle(); err != nil {
		b.Fatal(err)
	}
}

func (ir *idleResponder) close() {
	ir.idle.Close()
	ir.idle.Wait()
	ir.sc.Close()
	ir.c.Close()
}
