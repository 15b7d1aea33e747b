package calendar

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailflow/mailflow/mailflow/config"
)

// Check is `mailflow check -connect` for the technicians' own
// calendars: one read of each one's busy times for the next day. It
// returns what failed.
func Check(ctx context.Context, cfg *config.Config, timeout time.Duration, stdout io.Writer) []string {
	services, err := Services(cfg, nil)
	if err != nil {
		fmt.Fprintf(stdout, "\ncalendars: %v\n", err)
		return []string{err.Error()}
	}
	if timeout <= 0 {
		timeout = 5 * cfg.CalendarSettings().Timeout
	}
	var failed []string
	for _, t := range cfg.Technicians {
		svc := services[strings.ToLower(t.Email)]
		if svc == nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, timeout)
		now := time.Now()
		busy, err := svc.Busy(cctx, now, now.Add(24*time.Hour))
		cancel()
		if err != nil {
			fmt.Fprintf(stdout, "\ncalendar %s (%s): FAILED: %v\n", t.Email, t.Calendar.Provider(), err)
			failed = append(failed, fmt.Sprintf("calendar %s: %v", t.Email, err))
			continue
		}
		fmt.Fprintf(stdout, "\ncalendar %s (%s): ok, %d busy period(s) in the next 24 hours\n", t.Email, t.Calendar.Provider(), len(busy))
	}
	return failed
}
