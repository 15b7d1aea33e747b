package daemon

import (
	"context"
	"errors"
	"github.com/mailflow/mailflow/mailflow/internal/pgtest"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
	"github.com/mailflow/mailflow/mailflow/store"
)

// TestDovecotBackupRestoreNoSecondReply is the operator's backup story on a
// real server: a backup taken while the daemon answers mail; a restore
// refused while it runs; after stop and restore the daemon carries on from
// the backup's state, answers new mail, and nobody gets a second reply,
// not even the customer whose mail came after the backup.
func TestDovecotBackupRestoreNoSecondReply(t *testing.T) {
	if pgtest.Postgres() {
		t.Skip("mailflow backup and restore are SQLite's; PostgreSQL is backed up with its own tools")
	}
	dc := mailtest.StartDovecot(t)
	cfg := testConfig(t, dc.IMAPAddr, dc.SMTPAddr, dc.Password, false, "")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	slots := freeSlots(t, cfg, 5)
	deliver := func(i int) {
		t.Helper()
		if err := dc.Deliver(ctx, support, request(customer(i), requestID(i), slots[i])); err != nil {
			t.Fatal(err)
		}
	}
	r := start(t, cfg)
	for i := 0; i < 3; i++ {
		deliver(i)
	}
	waitSent(t, r.d.Store(), 3, time.Minute)
	waitFor(t, 30*time.Second, func() bool {
		c, _ := dc.Count(ctx, support, "Processed")
		return c == 3
	}, "the three answered mails filed away")

	backup := filepath.Join(t.TempDir(), "mailflow-backup.db")
	if err := store.Backup(ctx, cfg.Database.Path, backup); err != nil {
		t.Fatalf("online backup: %v", err)
	}
	if _, err := store.Restore(ctx, backup, cfg.Database.Path, time.Now()); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("restore while the daemon runs: %v, want it refused", err)
	}

	deliver(3) // after the backup: answered, then "forgotten" by the restore
	waitSent(t, r.d.Store(), 4, time.Minute)
	waitFor(t, 30*time.Second, func() bool {
		c, _ := dc.Count(ctx, support, "Processed")
		return c == 4
	}, "the fourth mail filed away")
	r.stop()

	res, err := store.Restore(ctx, backup, cfg.Database.Path, time.Now())
	if err != nil {
		t.Fatalf("restore after stop: %v", err)
	}
	if res.Previous == "" {
		t.Error("the replaced database was not kept")
	}
	r = start(t, cfg)
	if n := sentCount(t, r.d.Store()); n != 3 {
		t.Fatalf("restored database has %d sent mails, want the backup's 3", n)
	}
	deliver(4)
	waitSent(t, r.d.Store(), 4, time.Minute)
	waitFor(t, 30*time.Second, func() bool {
		c, _ := dc.Count(ctx, support, "Processed")
		return c == 5
	}, "the fifth mail filed away")
	// Intake has been past every mail now; the restored database knows
	// exactly the backup's three and the new one, and owes nothing.
	counts, err := r.d.Store().OutcomeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 4 || counts["booked"] != 4 {
		t.Errorf("outcomes after restore %v, want 4 booked mails", counts)
	}
	if s, _ := r.d.Store().OutboxStats(ctx); s.Pending != 0 || s.Sent != 4 {
		t.Errorf("outbox after restore: %+v, want 4 sent, none pending", s)
	}
	for i := 0; i < 5; i++ {
		msgs, err := dc.Fetch(ctx, customer(i), "INBOX")
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 {
			t.Errorf("%s has %d replies, want exactly 1", customer(i), len(msgs))
			continue
		}
		checkReply(t, customer(i), msgs[0], requestID(i))
	}
}

func sentCount(t *testing.T, st *store.Store) int {
	t.Helper()
	s, err := st.OutboxStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s.Sent
}
