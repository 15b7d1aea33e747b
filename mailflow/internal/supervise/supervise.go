// Package supervise owns how mailflow's long-running goroutines survive
// their own bugs and the faults around them: a loop that panics is logged
// with its stack, counted and restarted with backoff (never taking the
// process down, never spinning), and a loop that meets a streak of the
// same failure logs it once when it starts and once when it ends.
//
// Panics are also counted process-wide (Panics), so a test suite can fail
// when any goroutine recovered one while it ran: a recovered panic is a
// bug even when the daemon survived it.
package supervise

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync/atomic"
	"time"
)

var panics, expected atomic.Int64

// Panics is how many panics were recovered in this process so far.
func Panics() int64 { return panics.Load() }

// ExpectPanics tells the test-suite check (package nopanic) that a test is
// about to provoke n panics on purpose, to show they are survived.
func ExpectPanics(n int) { expected.Add(int64(n)) }

// Unexpected is how many recovered panics no test announced: each is a bug.
func Unexpected() int64 { return panics.Load() - expected.Load() }

// Recovered counts a panic recovered elsewhere (the decider's per-mail
// guard, for instance) so it is visible the same way.
func Recovered(log *slog.Logger, where string, p any) {
	panics.Add(1)
	log.Error("panic recovered", "in", where, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
}

// Loop runs f until ctx ends. When f panics, the panic is recovered,
// logged with its stack and counted, and f is started again after a
// backoff that grows from 1 s to 1 min while it keeps panicking. When f
// returns, Loop returns what it returned.
func Loop(ctx context.Context, log *slog.Logger, name string, f func(context.Context) error) error {
	backoff := time.Second
	for {
		err, panicked := runOnce(ctx, log, name, f)
		if !panicked || ctx.Err() != nil {
			return err
		}
		wait := Jitter(backoff)
		log.Warn("restarting loop after panic", "loop", name, "in", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(backoff*2, time.Minute)
	}
}

func runOnce(ctx context.Context, log *slog.Logger, name string, f func(context.Context) error) (err error, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			Recovered(log, name, p)
			err, panicked = fmt.Errorf("%s panicked: %v", name, p), true
		}
	}()
	return f(ctx), false
}

// Jitter spreads d by ±20 %, so many clients do not retry in step.
func Jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d*4/5 + time.Duration(rand.Int64N(int64(d)*2/5+1))
}

// Streak logs one kind of failure once per streak instead of once per
// attempt, and says how long to wait before the next attempt (growing
// from Min to Max). It is not safe for concurrent use: each loop has its own.
type Streak struct {
	Log  *slog.Logger
	What string        // "database refuses writes", "smtp server unreachable"
	Min  time.Duration // first wait (default 1 s)
	Max  time.Duration // longest wait (default 30 s)

	since time.Time
	n     int
	wait  time.Duration
}

// Fail notes one more failure and returns how long to wait.
func (s *Streak) Fail(err error) time.Duration {
	lo, hi := s.Min, s.Max
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = 30 * time.Second
	}
	if s.n == 0 {
		s.since = time.Now()
		s.wait = lo
		s.Log.Error(s.What+"; pausing and retrying with backoff (logged once until it recovers)", "err", err)
	} else {
		s.wait = min(s.wait*2, hi)
	}
	s.n++
	return Jitter(s.wait)
}

// OK ends a streak, logging how long it lasted.
func (s *Streak) OK() {
	if s.n == 0 {
		return
	}
	s.Log.Info(s.What+": recovered", "after", time.Since(s.since).Round(time.Millisecond), "attempts", s.n)
	s.n = 0
}

// Failing reports whether a streak is going on.
func (s *Streak) Failing() bool { return s.n > 0 }

// Sleep waits d or until ctx ends; it reports false when ctx ended.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
