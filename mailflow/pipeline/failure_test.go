package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/mailflow/mailflow/mailflow/internal/supervise"
	"github.com/mailflow/mailflow/mailflow/store"
)

// A bug that panics while one mail is decided costs that mail its
// automatic answer, nothing more: it is kept, recorded as unparseable and
// routed to a person; nothing is sent; the panic is counted.
func TestPanicWhileDecidingRoutesToHuman(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	id := store1(t, st, 1, mailOf("maria@kunde.at", "Fernwartung", "Hätten Sie am Donnerstag um 10 Uhr Zeit?"))
	p.beforeDecide = func(*store.Incoming) {
		var m map[string]int
		m["bug"]++
	}
	supervise.ExpectPanics(1)
	before := supervise.Panics()
	res, err := p.Process(ctx, id, now)
	if err != nil {
		t.Fatal(err)
	}
	if supervise.Panics()-before != 1 {
		t.Error("the panic was not counted")
	}
	checkRoutedToHuman(t, st, res, id, "internal error")

	// Decided once: a replay changes nothing.
	p.beforeDecide = nil
	if res, err := p.Process(ctx, id, now); err != nil || res != nil {
		t.Fatalf("replay: %+v, %v", res, err)
	}
}

// Fail is the decider's way out for a mail whose decision keeps failing.
func TestFailRoutesToHuman(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	id := store1(t, st, 1, mailOf("maria@kunde.at", "Fernwartung", "Hätten Sie am Donnerstag um 10 Uhr Zeit?"))
	res, err := p.Fail(ctx, id, "template exploded three times")
	if err != nil {
		t.Fatal(err)
	}
	checkRoutedToHuman(t, st, res, id, "template exploded")
	if res, err := p.Fail(ctx, id, "again"); err != nil || res != nil {
		t.Fatalf("second Fail: %+v, %v; want nothing (already decided)", res, err)
	}
}

// A database that refuses writes is not the mail's fault: Process fails
// with the write-refused class (the decider pauses on it), the mail stays
// undecided and is decided normally once writes work again.
func TestWriteRefusedLeavesMailUndecided(t *testing.T) {
	p, st := setup(t)
	ctx := context.Background()
	id := store1(t, st, 1, mailOf("maria@kunde.at", "Fernwartung", "Hätten Sie am Donnerstag um 10 Uhr Zeit?"))
	if err := st.RefuseWrites(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Process(ctx, id, now); !store.IsWriteRefused(err) {
		t.Fatalf("Process = %v; want a write-refused error", err)
	}
	if err := st.RefuseWrites(ctx, false); err != nil {
		t.Fatal(err)
	}
	in, err := st.Incoming(ctx, id)
	if err != nil || in.State != "new" {
		t.Fatalf("mail after a refused write: %+v, %v; want undecided", in, err)
	}
	res, err := p.Process(ctx, id, now)
	if err != nil || res == nil || res.Outcome != OutcomeBooked {
		t.Fatalf("after recovery: %+v, %v; want booked", res, err)
	}
}

func checkRoutedToHuman(t *testing.T, st *store.Store, res *Result, id int64, detail string) {
	t.Helper()
	ctx := context.Background()
	if res == nil || res.Outcome != OutcomeUnparsable || res.DestFolder != "Human" || !strings.Contains(res.Detail, detail) {
		t.Fatalf("result %+v; want unparseable, routed to Human, detail %q", res, detail)
	}
	in, err := st.Incoming(ctx, id)
	if err != nil || in.State != "decided" || in.Outcome.String != OutcomeUnparsable || in.DestFolder.String != "Human" || len(in.Raw) == 0 {
		t.Fatalf("stored mail %+v, %v; want kept (raw), decided unparseable for Human", in, err)
	}
	pending, err := st.Outbox(ctx, store.OutboxPending)
	if err != nil || len(pending) != 0 {
		t.Fatalf("%d mails queued for a mail nobody understood (%v)", len(pending), err)
	}
}
