package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLeaseOneHolder: a lease has one holder until it lapses; then exactly
// one of the instances racing for it gets it.
func TestLeaseOneHolder(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		t0 := time.Now()
		const ttl = 15 * time.Second
		ask := func(holder string, at time.Time) bool {
			t.Helper()
			ok, err := st.AcquireLease(ctx, "intake", holder, ttl, at)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !ask("a", t0) || ask("b", t0.Add(time.Second)) || !ask("a", t0.Add(5*time.Second)) {
			t.Fatal("a lease held and renewed by a was given to b")
		}
		// a stops renewing at +5 s; b asks after the lease lapsed.
		if !ask("b", t0.Add(21*time.Second)) || ask("a", t0.Add(22*time.Second)) {
			t.Fatal("a lapsed lease was not taken over, or went back to its old holder")
		}
		ls, err := st.Leases(ctx)
		if err != nil || len(ls) != 1 || ls[0].Holder != "b" || ls[0].AcquiredAt.Sub(t0.Add(21*time.Second)).Abs() > time.Millisecond {
			t.Fatalf("leases %+v %v", ls, err)
		}
		// Eight instances race for the lapsed lease at the same moment.
		var won atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := st.AcquireLease(ctx, "intake", string(rune('c'+i)), ttl, t0.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				if ok {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d instances hold the lease", won.Load())
		}
	})
}

// TestTwoInstancesClaimDifferentMail: on PostgreSQL a mail being decided
// by one instance is skipped (not waited for) by another, and a mail in
// flight on a live instance is not "interrupted" for another one; once
// that instance stops beating, its mail is settled by the survivor.
func TestTwoInstancesClaimDifferentMail(t *testing.T) {
	ctx := context.Background()
	dsn := freshSource(t, Postgres)
	a, err := Open(ctx, Postgres, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, Postgres, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.SetInstance("a")
	b.SetInstance("b")
	fresh, err := a.SaveFetched(ctx, Cursor{Mailbox: "INBOX", UIDValidity: 1, LastUID: 1}, []Fetched{{UID: 1, MessageID: "<1@x>", BodyHash: "h", Raw: []byte("x"), Sender: "k@example.com"}}, "")
	if err != nil || len(fresh) != 1 {
		t.Fatal(fresh, err)
	}
	claimed := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- a.InTx(ctx, func(tx *Tx) error {
			ok, err := tx.ClaimUndecided(ctx, fresh[0])
			if err != nil || !ok {
				t.Errorf("a's claim: %v %v", ok, err)
			}
			close(claimed)
			<-release
			return tx.Decide(ctx, fresh[0], Outcome{Outcome: "ignored"})
		})
	}()
	<-claimed
	err = b.InTx(ctx, func(tx *Tx) error {
		ok, err := tx.ClaimUndecided(ctx, fresh[0])
		if ok {
			t.Error("b claimed a mail a is deciding")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// a claims a mail for sending, then b looks for interrupted sends.
	now := time.Now()
	for _, st := range []*Store{a, b} {
		if err := st.Heartbeat(ctx, st.Instance(), "h", 1, now, now); err != nil {
			t.Fatal(err)
		}
	}
	err = a.InTx(ctx, func(tx *Tx) error {
		_, err := tx.Enqueue(ctx, &OutboxMail{MessageID: "<r@x>", Purpose: "reply", Sender: "s@x", Recipient: "k@example.com", Raw: []byte("r")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	due, _ := a.DueMail(ctx, time.Now(), 10)
	if len(due) != 1 {
		t.Fatalf("%d mails due, want 1", len(due))
	}
	if ok, err := a.ClaimForSending(ctx, due[0].ID, now); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, err := b.ClaimForSending(ctx, due[0].ID, now); err != nil || ok {
		t.Fatalf("b claimed a mail a is sending: %v %v", ok, err)
	}
	if r, err := b.RecoverSending(ctx, now); err != nil || r.Examined != 0 {
		t.Fatalf("b settled a's send while a lives: %+v %v", r, err)
	}
	// a dies: no heartbeat for longer than InstanceDeadAfter.
	later := now.Add(InstanceDeadAfter + time.Second)
	if err := b.Heartbeat(ctx, "b", "h", 1, now, later); err != nil {
		t.Fatal(err)
	}
	if r, err := b.RecoverSending(ctx, later); err != nil || len(r.Resend) != 1 {
		t.Fatalf("b did not settle dead a's send: %+v %v", r, err)
	}
}

// TestJobClaimedOnceAcrossInstances: the same job key claimed at the same
// moment by several instances (each its own pool of connections) is
// carried out by exactly one.
func TestJobClaimedOnceAcrossInstances(t *testing.T) {
	eachEngine(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		st := open(t)
		stores := []*Store{st}
		if st.Engine() == Postgres {
			var name string
			if err := st.w.GetContext(ctx, &name, "SELECT current_database()"); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				o, err := Open(ctx, Postgres, pgtestDSNFor(t, name))
				if err != nil {
					t.Fatal(err)
				}
				defer o.Close()
				stores = append(stores, o)
			}
		}
		var won atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := stores[i%len(stores)].InTx(ctx, func(tx *Tx) error {
					ok, err := tx.ClaimJob(ctx, "agenda 2026-12-03 anna@example.com", time.Now())
					if ok {
						won.Add(1)
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("the job was claimed %d times", won.Load())
		}
	})
}

// TestCapHoldsAcrossInstances: two instances deciding mail from the same
// sender at once count each other's reply: the second asks only after the
// first committed, so a per-sender cap of one lets one reply through;
// also for a desk in a schema of its own, whose recipient lock is its own.
func TestCapHoldsAcrossInstances(t *testing.T) {
	for _, tc := range []struct{ name, searchPath string }{{"default schema", ""}, {"desk schema", " search_path=desk_cap"}} {
		t.Run(tc.name, func(t *testing.T) { capHoldsAcrossInstances(t, tc.searchPath) })
	}
}

func capHoldsAcrossInstances(t *testing.T, searchPath string) {
	ctx := context.Background()
	dsn := freshSource(t, Postgres) + searchPath
	var stores [2]*Store
	for i := range stores {
		st, err := Open(ctx, Postgres, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		stores[i] = st
	}
	const limit = 1
	var replies atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := st.InTx(ctx, func(tx *Tx) error {
				total, _, err := tx.MailsTo(ctx, "k@firma.example", time.Now().Add(-time.Hour), "", 0)
				if err != nil || total >= limit {
					return err
				}
				replies.Add(1)
				_, err = tx.Enqueue(ctx, &OutboxMail{MessageID: fmt.Sprintf("<r%d@x>", i), Purpose: "reply", Sender: "s@x", Recipient: "K@firma.example", Raw: []byte("r")})
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if replies.Load() != limit {
		t.Fatalf("%d replies queued to one sender, cap %d", replies.Load(), limit)
	}
}
