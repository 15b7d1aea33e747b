package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// pendingErasures lists the pending erasures as "reason message-id".
func pendingErasures(t *testing.T, st *Store) []string {
	t.Helper()
	es, err := st.DueErasures(context.Background(), time.Now().Add(24*365*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Reason+" "+e.MessageID)
	}
	slices.Sort(out)
	return out
}

func msgIDOf(t *testing.T, st *Store, id int64) string {
	t.Helper()
	in, err := st.Incoming(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return in.MessageID
}

// TestServerErasureQueue: every way a mail's database copy ends queues its
// server copy, in the same transaction, once: done with the ID erased (the
// mail that brought it, the technician's reply quoting it), the raw-mail
// purge, forget (which turns a pending retention erasure into a forget).
// The queue backs off on failure and shows in the backlog, and a redacted
// copy put back on the server is recognised when intake fetches it.
func TestServerErasureQueue(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		m, p := maria(), peter()
		start := time.Now().Add(2 * time.Hour).Truncate(time.Minute)
		m.book(t, st, start)
		p.book(t, st, start.Add(time.Hour))
		if got := pendingErasures(t, st); len(got) != 0 {
			t.Fatalf("queued before anything ended: %v", got)
		}
		tech := &customer{addr: "anna@example.com", name: "Anna"}
		var reply int64
		err := st.InTx(ctx, func(tx *Tx) error {
			reply = tech.receive(t, st, tx, "Re: ID", "erledigt\r\n> ID "+m.id, "", "")
			if err := tx.Decide(ctx, reply, Outcome{Outcome: "done"}); err != nil {
				return err
			}
			if err := tx.DropRaw(ctx, reply, time.Now()); err != nil {
				return err
			}
			a, err := tx.AppointmentByRef(ctx, m.appt.Ref)
			if err != nil {
				return err
			}
			_, err = tx.MarkDone(ctx, a, EndDone, "", time.Now(), 0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"retention " + msgIDOf(t, st, m.idMail), "retention " + msgIDOf(t, st, reply)}
		slices.Sort(want)
		if got := pendingErasures(t, st); !slices.Equal(got, want) {
			t.Fatalf("after done: %v, want %v", got, want)
		}
		// Again, and a failing transaction: nothing more, nothing half.
		err = st.InTx(ctx, func(tx *Tx) error {
			if err := tx.DropRaw(ctx, p.idMail, time.Now()); err != nil {
				return err
			}
			return errors.New("rolled back")
		})
		if err == nil {
			t.Fatal("want the rollback")
		}
		if got := pendingErasures(t, st); len(got) != 2 {
			t.Fatalf("a rolled-back drop queued: %v", got)
		}

		// Backoff and backlog.
		es, _ := st.DueErasures(ctx, time.Now(), 10)
		if len(es) != 2 {
			t.Fatalf("due now: %d", len(es))
		}
		now := time.Now()
		if err := st.FailErasure(ctx, es[0].ID, fmt.Errorf("dial imap: connection refused"), now); err != nil {
			t.Fatal(err)
		}
		if due, _ := st.DueErasures(ctx, now, 10); len(due) != 1 {
			t.Fatalf("a failed erasure is due again at once: %v", due)
		}
		if due, _ := st.DueErasures(ctx, now.Add(ErasureBackoff(1)), 10); len(due) != 2 {
			t.Fatalf("a failed erasure is not due after its backoff: %v", due)
		}
		b, err := st.ErasureBacklog(ctx)
		if err != nil || b.Pending != 2 || b.Oldest.IsZero() || b.LastError != "dial imap: connection refused" {
			t.Fatalf("backlog %+v %v", b, err)
		}
		for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
			if got := ErasureBackoff(i + 1); got != want {
				t.Errorf("backoff after %d failures: %s, want %s", i+1, got, want)
			}
		}
		if ErasureBackoff(100) != 6*time.Hour {
			t.Errorf("backoff grows past six hours: %s", ErasureBackoff(100))
		}

		// The redacted copy of the ID mail goes back into INBOX and is fetched.
		idMsg := msgIDOf(t, st, m.idMail)
		if err := st.SetRedactedHash(ctx, es[1].ID, "redacted-hash"); err != nil {
			t.Fatal(err)
		}
		if err := st.SetRedactedHash(ctx, es[0].ID, "redacted-hash"); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishErasure(ctx, es[0].ID, ErasureDone, "redacted INBOX:1", now); err != nil {
			t.Fatal(err)
		}
		cur, _, _ := st.Cursor(ctx, "INBOX")
		cur.UIDValidity, cur.LastUID = 1, 9000
		fresh, err := st.SaveFetched(ctx, cur, []Fetched{{UID: 9000, MessageID: es[0].MessageID, BodyHash: "redacted-hash", Raw: []byte("x")}}, "")
		if err != nil || len(fresh) != 0 {
			t.Fatalf("the redacted copy was taken in as new mail: %v %v", fresh, err)
		}
		undecided, _ := st.Undecided(ctx)
		if len(undecided) != 0 {
			t.Fatalf("undecided after the copy came in: %v", undecided)
		}
		// After a restore from an older backup the hash may be unknown: the
		// copy's own mark and a stored Message-ID still say it is ours. A
		// mail with no mark is new mail, whatever its Message-ID.
		peterReq := msgIDOf(t, st, p.request)
		cur.LastUID = 9002
		fresh, err = st.SaveFetched(ctx, cur, []Fetched{
			{UID: 9001, MessageID: peterReq, BodyHash: "unknown-copy", Raw: []byte("x"), Redacted: true},
			{UID: 9002, MessageID: "<never-seen@kunde.example>", BodyHash: "other", Raw: []byte("x"), Redacted: true},
		}, "")
		if err != nil || len(fresh) != 1 {
			t.Fatalf("marked copies: fresh %v %v, want only the one with an unknown Message-ID", fresh, err)
		}
		if in, _ := st.Incoming(ctx, fresh[0]); in.MessageID != "<never-seen@kunde.example>" {
			t.Fatalf("taken in as new: %s", in.MessageID)
		}

		// The raw-mail purge queues the rest; forget turns theirs into forget.
		reqMsg := msgIDOf(t, st, m.request)
		if _, err := st.Purge(ctx, time.Now().Add(time.Hour), Retention{}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Forget(ctx, m.addr); err != nil {
			t.Fatal(err)
		}
		got := pendingErasures(t, st)
		for _, id := range []string{idMsg, reqMsg} {
			if !slices.Contains(got, "forget "+id) {
				t.Errorf("forget did not queue %s: %v", id, got)
			}
		}
	})
}
