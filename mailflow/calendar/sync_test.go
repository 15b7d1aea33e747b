package calendar

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
	"github.com/mailflow/mailflow/mailflow/store"
)

// recording is a Service that keeps events in memory and can fail.
type recording struct {
	scripted
	mu     sync.Mutex
	events map[string]Event // by remote id
	fail   error
	log    []string
}

func newRecording() *recording { return &recording{events: map[string]Event{}} }

func (r *recording) Put(_ context.Context, ev Event, remote string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return "", r.fail
	}
	if remote == "" {
		remote = fmt.Sprintf("id-%d", len(r.log))
	}
	r.events[remote] = ev
	r.log = append(r.log, "put "+remote)
	return remote, nil
}

func (r *recording) Delete(_ context.Context, uid, remote string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	delete(r.events, remote)
	r.log = append(r.log, "delete "+remote)
	return nil
}

func syncFixture(t *testing.T) (*store.Store, *Syncer, map[string]*recording) {
	t.Helper()
	cfg, err := config.Parse("config.yaml", []byte("sandbox: {enabled: true}\nsmtp: {from: support@mail.example.com}\n"+
		"technicians: [{name: Anna, email: anna@example.com}, {name: Ben, email: ben@example.com}]\ncalendars: {retry_backoff: 10s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.SQLite, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	recs := map[string]*recording{"anna@example.com": newRecording(), "ben@example.com": newRecording()}
	services := map[string]Service{}
	for k, v := range recs {
		services[k] = v
	}
	return st, NewSyncer(cfg, st, services, nil), recs
}

// TestSyncFollowsTheAppointment: booked to Anna, moved to Ben (out of
// Anna's calendar, into Ben's), cancelled (out of Ben's).
func TestSyncFollowsTheAppointment(t *testing.T) {
	st, s, recs := syncFixture(t)
	ctx := context.Background()
	a := &store.Appointment{Customer: "maria@example.com", Technician: "anna@example.com", Start: at(26, 10, 0), End: at(26, 10, 30), Language: "de"}
	change := func(f func(tx *store.Tx) error) {
		t.Helper()
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			if err := f(tx); err != nil {
				return err
			}
			return tx.QueueCalendarSync(ctx, a.ID, time.Now())
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SyncDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	change(func(tx *store.Tx) error { return tx.Book(ctx, a) })
	if len(recs["anna@example.com"].events) != 1 {
		t.Fatalf("anna's calendar %v", recs["anna@example.com"].events)
	}
	change(func(tx *store.Tx) error { return tx.Move(ctx, a, at(27, 9, 0), at(27, 9, 30), "ben@example.com") })
	if len(recs["anna@example.com"].events) != 0 || len(recs["ben@example.com"].events) != 1 {
		t.Fatalf("after moving to Ben: anna %v, ben %v", recs["anna@example.com"].events, recs["ben@example.com"].events)
	}
	for _, ev := range recs["ben@example.com"].events {
		if !ev.Start.Equal(at(27, 9, 0)) || ev.Start.Location().String() != "Europe/Vienna" || ev.Sequence != 1 {
			t.Errorf("ben's event %+v", ev)
		}
	}
	change(func(tx *store.Tx) error { return tx.Cancel(ctx, a) })
	if len(recs["ben@example.com"].events) != 0 {
		t.Fatalf("after cancel: ben %v", recs["ben@example.com"].events)
	}
}

// TestSyncRetriesWithBackoff: a failing calendar keeps the write queued,
// due later each time, and it goes through once the calendar is back.
func TestSyncRetriesWithBackoff(t *testing.T) {
	st, s, recs := syncFixture(t)
	ctx := context.Background()
	now := time.Now()
	s.now = func() time.Time { return now }
	recs["anna@example.com"].fail = errors.New("503 Service Unavailable")
	a := &store.Appointment{Customer: "maria@example.com", Technician: "anna@example.com", Start: at(26, 10, 0), End: at(26, 10, 30), Language: "de"}
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Book(ctx, a); err != nil {
			return err
		}
		return tx.QueueCalendarSync(ctx, a.ID, now)
	}); err != nil {
		t.Fatal(err)
	}
	var dues []time.Duration
	for i := 0; i < 4; i++ {
		if n, err := s.SyncDue(ctx); err != nil || n != 0 {
			t.Fatalf("pass %d: %d written, %v", i, n, err)
		}
		next, err := st.NextCalendarSync(ctx)
		if err != nil || next.IsZero() {
			t.Fatalf("pass %d: the write left the queue (%v)", i, err)
		}
		dues = append(dues, next.Sub(now).Round(time.Second))
		now = next
	}
	if fmt.Sprint(dues) != "[10s 20s 40s 1m20s]" {
		t.Errorf("backoff %v, want doubling from calendars.retry_backoff", dues)
	}
	recs["anna@example.com"].fail = nil
	if n, err := s.SyncDue(ctx); err != nil || n != 1 || len(recs["anna@example.com"].events) != 1 {
		t.Fatalf("after recovery: %d written, %v, events %v", n, err, recs["anna@example.com"].events)
	}
}
