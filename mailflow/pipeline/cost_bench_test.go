package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	msgpkg "github.com/mailflow/mailflow/mailflow/message"
	"github.com/mailflow/mailflow/mailflow/outbox"
	"github.com/mailflow/mailflow/mailflow/store"
)

// BenchmarkPerMailCost: the cost of one customer mail (store, decide, send
// over SMTP to a local server) with 1k, 10k and 100k handled mails already
// in the database. Flat cost means the figures stay within 1.5x of the
// smallest history:
//
//	go test ./mailflow/pipeline -run '^$' -bench PerMailCost -benchtime 300x
func BenchmarkPerMailCost(b *testing.B) {
	for _, rows := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("history=%d", rows), func(b *testing.B) {
			decide, send := perMailCost(b, rows, b.N)
			b.ReportMetric(ms(decide), "ms-decide/mail")
			b.ReportMetric(ms(send), "ms-send/mail")
		})
	}
}

// BenchmarkLoadPerMailCost is the load tool's (docs/operator-guide.md)
// one-shot form of BenchmarkPerMailCost: MAILFLOW_LOAD_MAILS mails (200)
// at each history size, whatever -benchtime says, and the ratio of the
// largest history to the smallest.
func BenchmarkLoadPerMailCost(b *testing.B) {
	n := loadMails(200)
	for range b.N {
		var first float64
		for _, rows := range []int{1_000, 10_000, 100_000} {
			decide, send := perMailCost(b, rows, n)
			total := ms(decide) + ms(send)
			if first == 0 {
				first = total
			}
			b.ReportMetric(ms(decide), fmt.Sprintf("ms-decide/mail@%dk", rows/1000))
			b.ReportMetric(ms(send), fmt.Sprintf("ms-send/mail@%dk", rows/1000))
			if rows == 100_000 {
				b.ReportMetric(total/first, "ratio-100k/1k")
			}
		}
	}
	b.ReportMetric(0, "ns/op")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadMails is MAILFLOW_LOAD_MAILS, or def.
func loadMails(def int) int {
	if n, err := strconv.Atoi(os.Getenv("MAILFLOW_LOAD_MAILS")); err == nil && n > 0 {
		return n
	}
	return def
}

// perMailCost stores, decides and sends n mails on a database with rows
// handled mails and returns the mean decide and send time per mail.
func perMailCost(b *testing.B, rows, n int) (decide, send time.Duration) {
	b.StopTimer()
	p, st := setupWith(b, "technicians: [{name: Anna, email: anna@example.com}, {name: Ben, email: ben@example.com}]\n")
	seedHistory(b, p.cfg.Database.Path, rows)
	host, port := benchSink(b)
	cfg := *p.cfg
	cfg.SMTP.Host, cfg.SMTP.Port = host, port
	sender := outbox.New(&cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer sender.Close()
	ctx := context.Background()
	b.StartTimer()
	// The first mails pay for templates and prepared statements, not for
	// the history: left out of the mean.
	const warm = 3
	for i := range n + warm {
		from := fmt.Sprintf("kundin%d@firma%d.example", i, i)
		raw := mailOf(from, "Fernwartung", "Guten Tag, hätten Sie nächste Woche am Vormittag Zeit für eine Fernwartung? LG")
		mid, hash := msgpkg.Fingerprint(raw)
		ids, err := st.SaveFetched(ctx, store.Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: uint32(rows + i + 1)},
			[]store.Fetched{{UID: uint32(rows + i + 1), MessageID: mid, BodyHash: hash, Size: int64(len(raw)), Raw: raw, Sender: from}}, "")
		if err != nil || len(ids) != 1 {
			b.Fatal(ids, err)
		}
		t0 := time.Now()
		if _, err := p.Process(ctx, ids[0], now); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if n, err := sender.SendDue(ctx); err != nil || n != 1 {
			b.Fatalf("sent %d: %v", n, err)
		}
		if i >= warm {
			decide += t1.Sub(t0)
			send += time.Since(t1)
		}
	}
	return decide / time.Duration(n), send / time.Duration(n)
}

// BenchmarkPurgeBatches: the hourly retention purge on a database of
// 100,000 handled mails whose raw bytes are due: how long the longest of
// its transactions holds the one writer (intake, decider and sender wait
// at most that long).
//
//	go test ./mailflow/pipeline -run '^$' -bench PurgeBatches -benchtime 1x
func BenchmarkPurgeBatches(b *testing.B) {
	for range b.N {
		p, st := setupWith(b, "technicians: [{name: Anna, email: anna@example.com}]\n")
		seedHistory(b, p.cfg.Database.Path, 100_000)
		b.ResetTimer()
		r, err := st.Purge(context.Background(), now, store.Retention{AnyDeskIDDays: 0, RawMailDays: 7})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(r.IncomingRaw+r.OutboxRaw), "rows-purged")
		b.ReportMetric(float64(r.Batches), "batches")
		b.ReportMetric(ms(r.Longest), "longest-batch-ms")
	}
}

// seedHistory writes rows handled mails into the database: each decided,
// answered (sent, a reply of 2 KB), audited, every third with a past
// session; received over the 90 days before now, raw bytes kept for the
// last 30 (older ones purged, as retention does).
func seedHistory(b *testing.B, path string, rows int) {
	b.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	raw := []byte(strings.Repeat("Hallo, ein Termin bitte. ", 40))
	reply := []byte(strings.Repeat("Ihr Termin ist bestätigt. ", 80))
	start := now.Add(-90 * 24 * time.Hour).UTC()
	step := 90 * 24 * time.Hour / time.Duration(rows)
	for i := range rows {
		at := start.Add(time.Duration(i) * step)
		sender := "h" + strconv.Itoa(i) + "@firma" + strconv.Itoa(i%5000) + ".example"
		r, sentRaw := raw, reply
		var purged any
		if now.Sub(at) > 30*24*time.Hour {
			r, sentRaw, purged = nil, []byte{}, at.Add(31*24*time.Hour)
		}
		res, err := tx.Exec(`INSERT INTO incoming (mailbox, uid_validity, uid, message_id, body_hash, size, raw, sender, received_at, state, outcome, rule, decided_at, dest_folder, disposed_at, purged_at)
			VALUES ('INBOX', 1, ?, ?, ?, 1000, ?, ?, ?, 'decided', 'proposed', 'book-request', ?, 'Processed', ?, ?)`,
			i+1, fmt.Sprintf("<h%d@firma.example>", i), fmt.Sprintf("h%d", i), r, sender, at, at, at, purged)
		if err != nil {
			b.Fatal(err)
		}
		in, _ := res.LastInsertId()
		if _, err := tx.Exec(`INSERT INTO outbox (message_id, incoming_id, purpose, sender, recipient, raw, state, attempts, next_attempt_at, created_at, sent_at, purged_at)
			VALUES (?, ?, 'reply', 'support@example.com', ?, ?, 'sent', 1, ?, ?, ?, ?)`,
			fmt.Sprintf("<r%d@desk.example>", i), in, sender, sentRaw, at, at, at.Add(time.Second), purged); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO audit (at, actor, action, ref, incoming_id, outcome) VALUES (?, 'c:0', 'mail.proposed', '', ?, 'book-request')`, at, in); err != nil {
			b.Fatal(err)
		}
		if i%3 == 0 {
			s := at.Add(48 * time.Hour)
			if _, err := tx.Exec(`INSERT INTO appointments (ref, customer, technician, start_at, end_at, status, incoming_id, created_at, updated_at, done_at)
				VALUES (?, ?, 'anna@example.com', ?, ?, 'done', ?, ?, ?, ?)`,
				fmt.Sprintf("H-%d", i), sender, s, s.Add(30*time.Minute), in, at, s, s.Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

// benchSink is an SMTP server that accepts everything and keeps nothing.
func benchSink(b *testing.B) (string, int) {
	b.Helper()
	srv := smtp.NewServer(sinkBackend{})
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
}

type sinkBackend struct{}

func (sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return sinkSession{}, nil }

type sinkSession struct{}

func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (sinkSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (sinkSession) Reset()                               {}
func (sinkSession) Logout() error                        { return nil }
