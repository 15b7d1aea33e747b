package daemon

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
)

// TestDovecotThreeSMTPConnectionsDrainBacklog: with smtp.connections 3 a
// backlog of requests from customers at many companies is answered over
// three sessions, each customer exactly once (nothing lost, nothing sent
// twice), with every reply delivered on its first attempt.
func TestDovecotThreeSMTPConnectionsDrainBacklog(t *testing.T) {
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	cfg.SMTP.Connections = 3
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const n = 60
	who := func(i int) string { return fmt.Sprintf("kundin%02d@firma%02d.example", i, i) }
	id := func(i int) string { return fmt.Sprintf("<par-%02d@firma.example>", i) }
	slots := freeSlots(t, cfg, n)
	for i := range n {
		if err := dc.Deliver(ctx, support, request(who(i), id(i), slots[i])); err != nil {
			t.Fatal(err)
		}
	}
	r := start(t, cfg)
	waitSent(t, r.d.Store(), n, 3*time.Minute)
	sent, err := r.d.Store().Outbox(ctx, "sent")
	if err != nil {
		t.Fatal(err)
	}
	r.stop() // nothing can be sent after this: any double is in the mailboxes now
	if len(sent) != n {
		t.Errorf("%d mails sent, want %d", len(sent), n)
	}
	for _, m := range sent {
		if m.Attempts != 1 {
			t.Errorf("outbox %d (%s) took %d attempts, want 1", m.ID, m.Recipient, m.Attempts)
		}
	}
	var wg sync.WaitGroup
	replies := make([][][]byte, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i], errs[i] = dc.Fetch(ctx, who(i), "INBOX")
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("%s: %v", who(i), errs[i])
			continue
		}
		if len(replies[i]) != 1 {
			t.Errorf("%s has %d replies, want exactly 1", who(i), len(replies[i]))
			continue
		}
		checkReply(t, who(i), replies[i][0], id(i))
	}
}
