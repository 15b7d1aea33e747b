package supervise

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/mailflow/mailflow/mailflow/internal/mailtest"
)

// A loop that panics is logged with its stack, counted and started again;
// when it then returns, Loop returns its result.
func TestLoopRestartsAfterPanic(t *testing.T) {
	var logs mailtest.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	before := Panics()
	ExpectPanics(1)
	runs := 0
	want := errors.New("done for good")
	err := Loop(context.Background(), log, "test-loop", func(context.Context) error {
		runs++
		if runs == 1 {
			var m map[string]int
			m["boom"]++ // a real bug: assignment to a nil map
		}
		return want
	})
	if !errors.Is(err, want) || runs != 2 {
		t.Fatalf("Loop = %v after %d runs; want the second run's result", err, runs)
	}
	if got := Panics() - before; got != 1 {
		t.Fatalf("%d panics counted, want 1", got)
	}
	out := logs.String()
	for _, w := range []string{"panic recovered", "test-loop", "assignment to entry in nil map", "supervise_test.go", "restarting loop after panic"} {
		if !strings.Contains(out, w) {
			t.Errorf("log lacks %q:\n%s", w, out)
		}
	}
}

// Cancelling the context during the backoff ends Loop at once.
func TestLoopStopsDuringBackoff(t *testing.T) {
	log := slog.New(slog.NewTextHandler(&mailtest.SyncBuffer{}, nil))
	ctx, cancel := context.WithCancel(context.Background())
	ExpectPanics(1)
	err := Loop(ctx, log, "l", func(context.Context) error {
		cancel()
		panic("once")
	})
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("Loop = %v", err)
	}
}

// A streak logs its start once and its end once, however many failures.
func TestStreakLogsOncePerStreak(t *testing.T) {
	var logs mailtest.SyncBuffer
	s := Streak{Log: slog.New(slog.NewTextHandler(&logs, nil)), What: "database refuses writes"}
	var waits []int64
	for range 10 {
		waits = append(waits, int64(s.Fail(errors.New("disk full"))))
	}
	s.OK()
	s.OK()
	out := logs.String()
	if n := strings.Count(out, "database refuses writes; pausing"); n != 1 {
		t.Errorf("%d start lines, want 1:\n%s", n, out)
	}
	if n := strings.Count(out, "recovered"); n != 1 {
		t.Errorf("%d end lines, want 1:\n%s", n, out)
	}
	if waits[9] <= waits[0] {
		t.Errorf("waits do not grow: %v", waits)
	}
	if s.Failing() {
		t.Error("still failing after OK")
	}
}
