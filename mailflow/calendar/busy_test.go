package calendar

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
)

// scripted is a Service whose answers the test sets; block holds Busy
// until closed.
type scripted struct {
	mu      sync.Mutex
	periods []Period
	err     error
	block   chan struct{}
	calls   int
}

func (s *scripted) Busy(ctx context.Context, from, to time.Time) ([]Period, error) {
	s.mu.Lock()
	s.calls++
	block, periods, err := s.block, s.periods, s.err
	s.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return periods, err
}
func (s *scripted) Put(context.Context, Event, string) (string, error) { return "", nil }
func (s *scripted) Delete(context.Context, string, string) error       { return nil }

func cacheConfig() *config.Config {
	cfg := config.Default()
	cfg.Calendars = config.Calendars{Refresh: time.Minute, Timeout: 50 * time.Millisecond, Stale: 10 * time.Minute, RetryBackoff: time.Second}
	return cfg
}

// TestBusyCacheNeverBlocksLong: a calendar that does not answer costs a
// decision at most the timeout, and the technician counts by the config.
func TestBusyCacheNeverBlocksLong(t *testing.T) {
	hang := &scripted{block: make(chan struct{})}
	defer close(hang.block)
	ok := &scripted{periods: []Period{{at(26, 10, 0), at(26, 11, 0)}}}
	c := NewBusyCache(cacheConfig(), map[string]Service{"anna@example.com": hang, "ben@example.com": ok}, nil)
	c.now = func() time.Time { return at(24, 8, 0) }
	got := c.BusyTimes(context.Background(), at(23, 0, 0), at(30, 0, 0))
	if _, has := got["anna@example.com"]; has {
		t.Errorf("anna's calendar never answered but counts: %v", got)
	}
	if b := got["ben@example.com"]; len(b) != 1 || !b[0].Start.Equal(at(26, 10, 0)) {
		t.Errorf("ben's busy times %v", b)
	}
	for _, st := range c.States() {
		if st.Technician == "anna@example.com" && !st.Fallback {
			t.Errorf("anna not in fallback: %+v", st)
		}
	}
}

// TestBusyCacheFallbackAndRecovery: failing reads keep the last good busy
// times until they are stale, then the technician goes by the config and
// the state says so; a good read ends it.
func TestBusyCacheFallbackAndRecovery(t *testing.T) {
	svc := &scripted{periods: []Period{{at(26, 10, 0), at(26, 11, 0)}}}
	c := NewBusyCache(cacheConfig(), map[string]Service{"anna@example.com": svc}, nil)
	now := at(24, 8, 0)
	c.now = func() time.Time { return now }
	var mu sync.Mutex
	var states []State
	c.OnState(func(_ string, s State) { mu.Lock(); states = append(states, s); mu.Unlock() })
	ctx := context.Background()
	c.RefreshAll(ctx)
	if n := len(c.BusyTimes(ctx, at(23, 0, 0), at(30, 0, 0))["anna@example.com"]); n != 1 {
		t.Fatalf("%d busy periods after a good read, want 1", n)
	}
	svc.mu.Lock()
	svc.err = errors.New("503 Service Unavailable")
	svc.mu.Unlock()
	now = now.Add(5 * time.Minute)
	c.RefreshAll(ctx)
	if n := len(c.BusyTimes(ctx, at(23, 0, 0), at(30, 0, 0))["anna@example.com"]); n != 1 {
		t.Errorf("a failed read within calendars.stale dropped the busy times (%d)", n)
	}
	now = now.Add(10 * time.Minute)
	c.RefreshAll(ctx)
	if _, has := c.BusyTimes(ctx, at(23, 0, 0), at(30, 0, 0))["anna@example.com"]; has {
		t.Error("stale busy times still used")
	}
	st := c.States()[0]
	if !st.Fallback || st.Err == "" || st.FailingSince.IsZero() {
		t.Errorf("state %+v, want fallback with the error", st)
	}
	svc.mu.Lock()
	svc.err = nil
	svc.mu.Unlock()
	c.RefreshAll(ctx)
	if st := c.States()[0]; st.Fallback || st.Err != "" {
		t.Errorf("after recovery %+v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	var flips []bool
	for _, s := range states {
		if len(flips) == 0 || flips[len(flips)-1] != s.Fallback {
			flips = append(flips, s.Fallback)
		}
	}
	if len(flips) != 3 || flips[0] || !flips[1] || flips[2] {
		t.Errorf("state changes %v, want ok → fallback → ok", flips)
	}
}

// TestBusyCacheSurvivesPanics: a client library panicking on a bad answer
// is a failed read.
func TestBusyCacheSurvivesPanics(t *testing.T) {
	c := NewBusyCache(cacheConfig(), map[string]Service{"anna@example.com": &panicky{}}, nil)
	c.RefreshAll(context.Background())
	if st := c.States()[0]; !st.Fallback || st.Err == "" {
		t.Errorf("state %+v", st)
	}
}

type panicky struct{ scripted }

func (*panicky) Busy(context.Context, time.Time, time.Time) ([]Period, error) {
	panic("index out of range")
}
