package health

import (
	"strings"
	"testing"
	"time"

	"github.com/mailflow/mailflow/mailflow/store"
)

func TestCalendarReasons(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	th := Thresholds{ConnectGrace: 30 * time.Second, IntakeSilence: 15 * time.Minute, OutboxStuck: 15 * time.Minute}
	base := func() Facts {
		return Facts{Now: now, Status: map[string]store.StatusValue{
			store.StatusIntakeState: {Value: "idle", UpdatedAt: now},
			store.StatusIntakeBeat:  {Value: "", UpdatedAt: now},
		}}
	}
	for _, c := range []struct {
		name  string
		edit  func(*Facts)
		wants []string
	}{
		{"all fine", func(f *Facts) { f.Status["calendar.anna@example.com"] = store.StatusValue{Value: "", UpdatedAt: now} }, nil},
		{"anna's calendar unreachable", func(f *Facts) {
			f.Status["calendar.anna@example.com"] = store.StatusValue{Value: "2026-11-26T09:30:00Z caldav: 503 Service Unavailable", UpdatedAt: now}
		}, []string{"calendar of anna@example.com unreachable for 30m0s", "config alone", "503"}},
		{"left over from an earlier run", func(f *Facts) {
			f.Started = now.Add(-time.Minute)
			f.Status["calendar.anna@example.com"] = store.StatusValue{Value: "2026-11-26T09:30:00Z x", UpdatedAt: now.Add(-time.Hour)}
		}, nil},
		{"writes waiting long", func(f *Facts) {
			f.Calendar = store.CalendarSyncStats{Pending: 2, Oldest: now.Add(-time.Hour), LastError: "connection refused"}
		}, []string{"calendar writes waiting: 2, oldest 1h0m0s old: connection refused"}},
		{"writes waiting briefly", func(f *Facts) { f.Calendar = store.CalendarSyncStats{Pending: 2, Oldest: now.Add(-time.Minute)} }, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := base()
			c.edit(&f)
			r := Check(f, th)
			if len(c.wants) == 0 {
				if !r.Healthy {
					t.Fatalf("unhealthy: %v", r.Reasons)
				}
				return
			}
			if r.Healthy || len(r.Causes) != 1 || r.Causes[0] != CauseCalendar {
				t.Fatalf("report %+v, want one calendar reason", r)
			}
			for _, w := range c.wants {
				if !strings.Contains(r.Reasons[0], w) {
					t.Errorf("reason %q lacks %q", r.Reasons[0], w)
				}
			}
		})
	}
}
