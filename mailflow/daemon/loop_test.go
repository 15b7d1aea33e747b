package daemon

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
)

// automated builds a mail that asks for a time (so only the loop guard
// stops a reply) with the given sender and extra headers.
func automated(from, msgID, extra, contentType, body string) []byte {
	if contentType == "" {
		contentType = "text/plain; charset=utf-8"
	}
	if body == "" {
		body = "Hätten Sie am Donnerstag um 10 Uhr Zeit für eine Fernwartung?"
	}
	return []byte("From: " + from + "\r\nTo: " + support + "\r\nSubject: Termin\r\nDate: " + time.Now().Format(time.RFC1123Z) +
		"\r\nMessage-ID: " + msgID + "\r\n" + extra + "MIME-Version: 1.0\r\nContent-Type: " + contentType + "\r\n\r\n" + body + "\r\n")
}

const dsnBody = "--b1\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.kunde.at\r\n\r\nFinal-Recipient: rfc822; x@kunde.at\r\nAction: failed\r\nStatus: 5.1.1\r\n--b1--\r\n"

// TestDovecotLoopSuite: none of the mails an auto-responder must never
// answer gets a reply, on the real server.
func TestDovecotLoopSuite(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cases := []struct{ from, extra, ctype, body string }{
		{"a@kunde.at", "Auto-Submitted: auto-replied\r\n", "", ""},
		{"b@kunde.at", "Auto-Submitted: auto-generated\r\n", "", ""},
		{"c@kunde.at", "List-Id: <kunden.liste.at>\r\n", "", ""},
		{"d@kunde.at", "List-Unsubscribe: <mailto:off@liste.at>\r\n", "", ""},
		{"e@kunde.at", "Precedence: bulk\r\n", "", ""},
		{"f@kunde.at", "Precedence: junk\r\n", "", ""},
		{"g@kunde.at", "Precedence: list\r\n", "", ""},
		{"h@kunde.at", "X-Auto-Response-Suppress: OOF\r\n", "", ""},
		{"i@kunde.at", "X-Autoreply: yes\r\n", "", ""},
		{"j@kunde.at", "X-Autorespond: yes\r\n", "", ""},
		{"k@kunde.at", "Return-Path: <>\r\n", "", ""},
		{"MAILER-DAEMON@mx.kunde.at", "", "multipart/report; report-type=delivery-status; boundary=b1", dsnBody},
		{"postmaster@kunde.at", "", "", ""},
		{"noreply@shop.at", "", "", ""},
		{"do-not-reply@shop.at", "", "", ""},
		{"owner-kunden@liste.at", "", "", ""},
		{"kunden-request@liste.at", "", "", ""},
		{support, "", "", ""},
	}
	for i, c := range cases {
		if err := dc.Deliver(ctx, support, automated(c.from, fmt.Sprintf("<loop-%d@kunde.at>", i), c.extra, c.ctype, c.body)); err != nil {
			t.Fatal(err)
		}
	}
	// Our own reply, looped back by a customer's forwarding rule.
	r := start(t, cfg)
	when := freeSlots(t, cfg, 1)[0]
	if err := dc.Deliver(ctx, support, request("real@kunde.at", "<real@kunde.at>", when)); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r.d.Store(), 1, time.Minute)
	ours, err := dc.Fetch(ctx, "real@kunde.at", "INBOX")
	if err != nil || len(ours) != 1 {
		t.Fatalf("%d %v", len(ours), err)
	}
	looped := strings.Replace(string(ours[0]), "Auto-Submitted: auto-replied\r\n", "", 1)
	looped = strings.Replace(looped, "To: <real@kunde.at>", "To: "+support, 1)
	if err := dc.Deliver(ctx, support, []byte(looped)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, func() bool {
		c, _ := r.d.Store().OutcomeCounts(ctx)
		return c[""] == 0 && total(c) == len(cases)+2
	}, "every mail decided")
	time.Sleep(time.Second)
	s, _ := r.d.Store().OutboxStats(ctx)
	if s.Pending+s.Sent+s.Dead != 1 {
		t.Fatalf("%d mails queued or sent; only the real customer's reply may exist", s.Pending+s.Sent+s.Dead)
	}
	counts, _ := r.d.Store().OutcomeCounts(ctx)
	if counts["ignored-auto"]+counts["ignored-bulk"] != len(cases)+1 {
		t.Fatalf("outcomes %v", counts)
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestDovecotTwoInstancesDoNotLoop points two mailflows at each other's
// support address: the first answers once, the second never answers an
// auto-reply, so the exchange stops at one mail.
func TestDovecotTwoInstancesDoNotLoop(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	a := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	b := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	const other = "support@other-vendor.example"
	b.IMAP.Username, b.SMTP.From, b.Desk.SupportAddress, b.Desk.MessageIDDomain = other, other, other, "other-vendor.example"
	ra, rb := start(t, a), start(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	when := freeSlots(t, a, 1)[0]
	// B's address asks A for an appointment (a misconfigured forward, say).
	if err := dc.Deliver(ctx, support, request(other, "<start@other-vendor.example>", when)); err != nil {
		t.Fatal(err)
	}
	waitSent(t, ra.d.Store(), 1, 30*time.Second)
	waitFor(t, 30*time.Second, func() bool {
		c, _ := rb.d.Store().OutcomeCounts(ctx)
		return total(c) >= 1 && c[""] == 0
	}, "B decided A's reply")
	time.Sleep(3 * time.Second) // any ping-pong would be under way by now
	sa, _ := ra.d.Store().OutboxStats(ctx)
	sb, _ := rb.d.Store().OutboxStats(ctx)
	if sa.Sent+sa.Pending != 1 || sb.Sent+sb.Pending != 0 {
		t.Fatalf("A sent %d, B sent %d: want 1 and 0", sa.Sent+sa.Pending, sb.Sent+sb.Pending)
	}
}

// TestDovecotFloodFromOneSender: 50 requests from one address within a
// minute get at most the per-sender cap of answers; the rest are recorded
// as rate-limited and left for a human, none lost.
func TestDovecotFloodFromOneSender(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	slots := freeSlots(t, cfg, 50)
	for i := 0; i < 50; i++ {
		if err := dc.Deliver(ctx, support, request("flood@kunde.at", fmt.Sprintf("<flood-%d@kunde.at>", i), slots[i])); err != nil {
			t.Fatal(err)
		}
	}
	r := start(t, cfg)
	waitFor(t, time.Minute, func() bool {
		c, _ := r.d.Store().OutcomeCounts(ctx)
		return total(c) == 50 && c[""] == 0
	}, "all 50 decided")
	counts, _ := r.d.Store().OutcomeCounts(ctx)
	if counts["rate-limited"] != 50-cfg.Limits.PerSenderPerDay {
		t.Fatalf("outcomes %v: want %d rate-limited", counts, 50-cfg.Limits.PerSenderPerDay)
	}
	waitSent(t, r.d.Store(), cfg.Limits.PerSenderPerDay, 30*time.Second)
	waitFor(t, 20*time.Second, func() bool {
		h, _ := dc.Count(ctx, support, "Human")
		return h == 50-cfg.Limits.PerSenderPerDay
	}, "rate-limited mail in the Human folder")
	if got, _ := dc.Count(ctx, "flood@kunde.at", "INBOX"); got != cfg.Limits.PerSenderPerDay {
		t.Fatalf("the flooding sender got %d replies, cap %d", got, cfg.Limits.PerSenderPerDay)
	}
}
