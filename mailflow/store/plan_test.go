package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repliesSQL is RepliesSent's count query with its arguments inlined.
func repliesSQL(address, domain string) string {
	q, args := repliesSentQuery(address, domain, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, a := range args {
		v := fmt.Sprint(a)
		if t, ok := a.(time.Time); ok {
			v = t.Format(time.RFC3339)
		}
		q = strings.Replace(q, "?", "'"+v+"'", 1)
	}
	return "SELECT count(*) " + q
}

// TestPerMailQueriesReadIndexRanges: the questions asked for every mail
// (caps, breaker windows, due mail, retention candidates) read an index
// range, never the whole table, so their cost stays flat however much
// history the database holds. Checked on SQLite's own query plan.
func TestPerMailQueriesReadIndexRanges(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, SQLite, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct{ name, query, index string }{
		{"per-sender cap", "SELECT count(*) FROM outbox WHERE recipient = 'a@b.c' COLLATE NOCASE AND created_at >= '2026-01-01' AND purpose NOT IN " + notReplies, "outbox_recipient_created (recipient=? AND created_at>?)"},
		{"breaker: address", repliesSQL("a@b.c", ""), "outbox_replies_address (<expr>=? AND sent_at>?)"},
		{"breaker: domain", repliesSQL("", "b.c"), "outbox_replies_domain (<expr>=? AND sent_at>?)"},
		{"breaker: all", repliesSQL("", ""), "outbox_replies_sent (sent_at>?)"},
		{"booked sessions near a day", strings.NewReplacer("start_at < ?", "start_at < '2026-01-02'", "start_at > ?", "start_at > '2025-12-31'", "end_at > ?", "end_at > '2026-01-01'").Replace(bookedNear), "appointments_booked_start (start_at>? AND start_at<?)"},
		{"due mail", "SELECT * FROM outbox WHERE state = 'pending' AND sending_at IS NULL AND next_attempt_at <= '2026-01-01' ORDER BY next_attempt_at, id LIMIT 50", "outbox_due (state=? AND next_attempt_at<?)"},
		{"oldest pending (status, health)", oldestPending, "outbox_due (state=?)"},
		{"purge incoming", strings.NewReplacer(":cut", "'2026-01-01'", ":now", "'2026-02-01'", ":limit", "100").Replace(purgeIncoming), "incoming_purge (received_at<?)"},
		{"purge outbox", strings.NewReplacer(":cut", "'2026-01-01'", ":now", "'2026-02-01'", ":limit", "100").Replace(purgeOutbox), "outbox_purge (<expr><?)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, err := s.w.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+c.query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			for _, step := range plan {
				// A full pass over a table of history (SCAN without an
				// index) would make the cost grow with the database.
				if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "USING") && !strings.Contains(step, "CONSTANT") {
					t.Errorf("full table scan: %q\nplan: %q", step, plan)
				}
			}
			if joined := strings.Join(plan, "\n"); !strings.Contains(joined, "USING INDEX "+c.index) && !strings.Contains(joined, "USING COVERING INDEX "+c.index) {
				t.Errorf("plan does not read the range of %s:\n%q", c.index, plan)
			}
		})
	}
}
