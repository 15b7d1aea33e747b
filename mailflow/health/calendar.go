package health

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// CauseCalendar: a technician's own calendar cannot be read (bookings for
// them go by the config alone), or calendar writes wait too long.
const CauseCalendar = "calendar"

// statusCalendarPrefix is the daemon's key prefix for each technician's
// calendar state (daemon.StatusCalendarPrefix).
const statusCalendarPrefix = "calendar."

// checkCalendars adds the calendar reasons: each technician whose busy
// times are not usable (the daemon wrote since when and why), and calendar
// writes queued for longer than outbox_stuck.
func checkCalendars(f Facts, th Thresholds, add func(format string, args ...any)) {
	var keys []string
	for k := range f.Status {
		if strings.HasPrefix(k, statusCalendarPrefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := f.Status[k]
		if strings.TrimSpace(v.Value) == "" || (!f.Started.IsZero() && v.UpdatedAt.Before(f.Started)) {
			continue
		}
		since, why, _ := strings.Cut(v.Value, " ")
		msg := "calendar of " + strings.TrimPrefix(k, statusCalendarPrefix) + " unreachable"
		if t, err := time.Parse(time.RFC3339, since); err == nil {
			msg += " for " + f.Now.Sub(t).Round(time.Second).String()
		}
		msg += ": booking goes by the config alone for them"
		if why = strings.TrimSpace(why); why != "" {
			msg += " (" + oneLine(why) + ")"
		}
		add("%s", msg)
	}
	if c := f.Calendar; c.Pending > 0 && !c.Oldest.IsZero() && f.Now.Sub(c.Oldest) > th.OutboxStuck {
		msg := "calendar writes waiting: " + itoa(c.Pending) + ", oldest " + f.Now.Sub(c.Oldest).Round(time.Second).String() + " old"
		if c.LastError != "" {
			msg += ": " + oneLine(c.LastError)
		}
		add("%s", msg)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
