package daemon

import (
	"context"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/metrics"
	"github.com/mailflow/mailflow/mailflow/store"
)

// BenchmarkArrivalToReply measures, on a real Dovecot with IDLE, the time
// from a request being stored in the support mailbox to mailflow's reply
// being accepted by SMTP (which delivers it into the customer's mailbox
// before answering). The safety-net poll is set to a minute so only IDLE
// can make it fast. Reports p50 and p99 in milliseconds.
//
//	go test ./mailflow/daemon -run '^$' -bench ArrivalToReply -benchtime 200x
func BenchmarkArrivalToReply(b *testing.B) {
	dc := mailtest.StartDovecot(b)
	cfg := testConfig(b, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	cfg.IMAP.PollInterval = time.Minute
	r := start(b, cfg)
	ctx := context.Background()
	slots := freeSlots(b, cfg, 1)
	// Warm up: the first mail pays for connection set-up.
	if err := dc.Deliver(ctx, support, request(customer(0), "<warm@kunde.example.org>", slots[0])); err != nil {
		b.Fatal(err)
	}
	waitSent(b, r.d.Store(), 1, 30*time.Second)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw := request(customer(i), fmt.Sprintf("<bench-%d@kunde.example.org>", i), slots[0])
		t0 := time.Now()
		if err := dc.Deliver(ctx, support, raw); err != nil {
			b.Fatal(err)
		}
		waitSentQuiet(b, r, i+2, 30*time.Second, 2*time.Millisecond)
		lat = append(lat, time.Since(t0))
		if os.Getenv("MAILFLOW_BENCH_TRACE") != "" && lat[len(lat)-1] > time.Second {
			b.Logf("slow reply %d: %s (delivered at %s)", i, lat[len(lat)-1], t0.UTC().Format("15:04:05.000"))
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "p99-ms")
	// mailflow's own share: from the mail being stored to the reply sent.
	own := ownLatencies(b, cfg)
	b.ReportMetric(ms(own[len(own)/2]), "stored-to-sent-p50-ms")
	b.ReportMetric(0, "ns/op")
}

func ownLatencies(b *testing.B, cfg *config.Config) []time.Duration {
	driver, source, err := cfg.Database.Source()
	if err != nil {
		b.Fatal(err)
	}
	var db *sqlx.DB
	if driver == store.Postgres {
		db, err = sqlx.Open("pgx", source)
	} else {
		db, err = sqlx.Open("sqlite3", "file:"+source+"?mode=ro")
	}
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var rows []struct {
		Received time.Time `db:"received_at"`
		Sent     time.Time `db:"sent_at"`
	}
	err = db.Select(&rows, `SELECT i.received_at, o.sent_at FROM incoming i JOIN outbox o ON o.incoming_id = i.id WHERE o.state = 'sent'`)
	if err != nil || len(rows) == 0 {
		b.Fatalf("read latencies: %v (%d rows)", err, len(rows))
	}
	out := make([]time.Duration, len(rows))
	for i, r := range rows {
		out[i] = r.Sent.Sub(r.Received)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// BenchmarkBacklog1000 measures how long mailflow takes to answer a backlog
// of 1,000 requests that arrived while it was down: from start to the
// 1,000th reply accepted by SMTP.
//
//	go test ./mailflow/daemon -run '^$' -bench Backlog1000 -benchtime 1x
func BenchmarkBacklog1000(b *testing.B) {
	const n = 1000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dc := mailtest.StartDovecot(b)
		cfg := testConfig(b, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
		ctx := context.Background()
		slots := freeSlots(b, cfg, n)
		for j := 0; j < n; j++ {
			if err := dc.Deliver(ctx, support, request(customer(j), fmt.Sprintf("<backlog-%d-%d@kunde.example.org>", i, j), slots[j])); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		t0 := time.Now()
		r := start(b, cfg)
		waitDecided(b, r, n, 10*time.Minute)
		b.ReportMetric(time.Since(t0).Seconds(), "s-to-decide")
		waitSentQuiet(b, r, n, 10*time.Minute, 20*time.Millisecond)
		b.ReportMetric(time.Since(t0).Seconds(), "s-to-drain")
		b.ReportMetric(float64(n)/time.Since(t0).Seconds(), "mails/s")
		b.StopTimer()
		r.stop()
	}
	b.ReportMetric(0, "ns/op")
}

// waitSentQuiet watches the daemon's own count of delivered mail (its
// metrics, in memory) every tick until n were sent. Asking the database
// instead took, under a backlog, a good part of the CPU the daemon
// being measured needed (the load tool profiled its own probe at 65 %).
func waitSentQuiet(b *testing.B, r *running, n int, within, tick time.Duration) {
	deadline := time.Now().Add(within)
	for {
		sent := sentCounter(b, r)
		if sent >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d sent after %s, want %d", sent, within, n)
		}
		time.Sleep(tick)
	}
}

// sentCounter is the daemon's counter of delivered outbox mail.
func sentCounter(b *testing.B, r *running) int {
	mfs, err := r.d.Metrics().Registry().Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == metrics.NameRepliesSent && len(mf.GetMetric()) == 1 {
			return int(mf.GetMetric()[0].GetCounter().GetValue())
		}
	}
	return 0
}

// waitDecided waits until n mails have an outcome.
func waitDecided(b *testing.B, r *running, n int, within time.Duration) {
	deadline := time.Now().Add(within)
	for {
		counts, err := r.d.Store().OutcomeCounts(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		decided := 0
		for k, v := range counts {
			if k != "" {
				decided += v
			}
		}
		if decided >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d decided after %s, want %d", decided, within, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
