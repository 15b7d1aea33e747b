package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

// When the breaker starts holding replies, the team lead gets one mail
// about it, however often the clock passes; a later trip is a new mail.
func TestBreakerTripMailsTheTeamLeadOnce(t *testing.T) {
	d := newDesk(t, "") // its team lead is lea@example.com
	st := d.open()
	r := d.runner(st)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	if rep := pass(t, r, now); rep.Alerts != 0 {
		t.Fatalf("alert without a trip: %+v", rep)
	}
	trip := func(v string) {
		t.Helper()
		if err := st.SetStatus(ctx, store.StatusBreakerTrip, v); err != nil {
			t.Fatal(err)
		}
	}
	trip("2026-11-24T10:00:00Z held by the breaker: 10 replies to domain helpdesk.example within 1h0m0s (a mail loop?)")
	for i := range 3 {
		want := 0
		if i == 0 {
			want = 1
		}
		if rep := pass(t, r, now.Add(time.Duration(i)*time.Minute)); rep.Alerts != want {
			t.Fatalf("pass %d: %d alerts, want %d", i, rep.Alerts, want)
		}
	}
	ms := d.queued("technician-notice")
	if len(ms) != 1 || ms[0].Recipient != "lea@example.com" || !strings.Contains(string(ms[0].Raw), "helpdesk.example") ||
		!strings.Contains(string(ms[0].Raw), "Auto-Submitted: auto-generated") {
		t.Fatalf("alerts queued: %d %+v", len(ms), ms)
	}
	trip("2026-11-24T12:00:00Z held by the breaker: 10 replies to one address at robot.example within 1h0m0s (a mail loop?)")
	pass(t, r, now.Add(2*time.Hour))
	if ms := d.queued("technician-notice"); len(ms) != 2 {
		t.Fatalf("%d alerts after a second trip, want 2", len(ms))
	}
}
